//! Small validated value types used by the config schema.
//!
//! Each one rejects bad input inside deserialisation, so the TOML parser attaches
//! the line and column of the offending value to the error.

use serde::{Deserialize, Deserializer, de};
use std::fmt;
use std::time::Duration;

/// A duration written the way admins write it: "10s", "500ms", "2m".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parsed = humantime::parse_duration(text.trim()).map_err(|_| {
            de::Error::custom(format!("\"{text}\" is not a duration; write it like \"10s\", \"500ms\" or \"2m\""))
        })?;
        if parsed.is_zero() {
            return Err(de::Error::custom("a timeout of zero would fail every request; use at least \"1s\""));
        }
        Ok(Self(parsed))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        humantime::format_duration(self.0).fmt(f)
    }
}

/// How the LDAP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LdapScheme {
    /// `ldap://` — plain, or StartTLS when `starttls = true`.
    Ldap,
    /// `ldaps://` — TLS from the first byte.
    Ldaps,
}

/// `ldap://host[:port]` or `ldaps://host[:port]`, nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdapUrl {
    pub scheme: LdapScheme,
    pub host: String,
    pub port: u16,
}

const LDAP_URL_HELP: &str = "write it as ldap://host[:port] (389, with starttls = true for TLS) \
     or ldaps://host[:port] (636); the Base DN goes in base_dn";

impl LdapUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let url =
            url::Url::parse(text.trim()).map_err(|e| format!("\"{text}\" is not a URL ({e}); {LDAP_URL_HELP}"))?;
        let (scheme, default_port) = match url.scheme() {
            "ldap" => (LdapScheme::Ldap, 389),
            "ldaps" => (LdapScheme::Ldaps, 636),
            other => return Err(format!("scheme \"{other}\" is not LDAP; {LDAP_URL_HELP}")),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("\"{text}\" has no host; {LDAP_URL_HELP}"))?;
        if !matches!(url.path(), "" | "/") || url.query().is_some() {
            return Err(format!("\"{text}\" carries a path or query; {LDAP_URL_HELP}"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the URL must not carry credentials; use bind_dn and password_env".into());
        }
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        Ok(Self { scheme, host, port: url.port().unwrap_or(default_port) })
    }

    /// The URL ldap3 connects to.
    pub fn connect_url(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for LdapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            LdapScheme::Ldap => "ldap",
            LdapScheme::Ldaps => "ldaps",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

impl<'de> Deserialize<'de> for LdapUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        LdapUrl::parse(&text).map_err(de::Error::custom)
    }
}

/// A Base DN or subtree DN, checked for shape when the config is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnString(pub String);

impl<'de> Deserialize<'de> for DnString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Err(de::Error::custom("a DN must not be empty; write it like \"DC=example,DC=com\""));
        }
        crate::dn::Dn::parse(&text).map_err(|e| {
            de::Error::custom(format!("\"{text}\" is not a DN: {e}; write it like \"OU=Sales,DC=example,DC=com\""))
        })?;
        Ok(Self(text.trim().to_string()))
    }
}

/// An LDAP search filter, checked by the same parser that will send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdapFilter(pub String);

impl<'de> Deserialize<'de> for LdapFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let trimmed = text.trim();
        if ldap3::parse_filter(trimmed).is_err() {
            return Err(de::Error::custom(format!(
                "\"{text}\" is not an LDAP filter; write it like \"(&(objectClass=user)(mail=*))\""
            )));
        }
        Ok(Self(trimmed.to_string()))
    }
}

/// An address glob such as `*@legacy.example.com`, matched case-insensitively.
#[derive(Clone, Debug)]
pub struct AddressGlob {
    pub pattern: String,
    matcher: globset::GlobMatcher,
}

impl AddressGlob {
    pub fn new(pattern: &str) -> Result<Self, String> {
        let glob =
            globset::GlobBuilder::new(pattern.trim()).case_insensitive(true).literal_separator(false).build().map_err(
                |e| {
                    format!(
                        "\"{pattern}\" is not an address pattern ({}); write it like \"*@legacy.example.com\"",
                        e.kind()
                    )
                },
            )?;
        Ok(Self { pattern: pattern.trim().to_string(), matcher: glob.compile_matcher() })
    }

    pub fn matches(&self, address: &str) -> bool {
        self.matcher.is_match(address)
    }
}

impl PartialEq for AddressGlob {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl<'de> Deserialize<'de> for AddressGlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AddressGlob::new(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldap_urls() {
        let u = LdapUrl::parse("ldaps://dc1.example.com").unwrap();
        assert_eq!((u.scheme, u.port, u.host.as_str()), (LdapScheme::Ldaps, 636, "dc1.example.com"));
        assert_eq!(LdapUrl::parse("ldap://127.0.0.1:3890/").unwrap().port, 3890);
        assert_eq!(LdapUrl::parse("ldap://[::1]:389").unwrap().to_string(), "ldap://[::1]:389");
        for bad in ["http://x", "ldap://", "dc1.example.com", "ldap://h/dc=x", "ldap://u:p@h"] {
            assert!(LdapUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn globs_ignore_case() {
        let g = AddressGlob::new("*@Legacy.example.com").unwrap();
        assert!(g.matches("a.b@legacy.EXAMPLE.com"));
        assert!(!g.matches("a@example.com"));
        assert!(AddressGlob::new("[").is_err());
    }
}
