//! Distinguished names compared the way directory servers compare them.
//!
//! `CN=Lee\, Ann,OU=Sales, DC=example,DC=com` and `cn=lee\2c ann,ou=sales,dc=example,dc=com`
//! name the same entry: attribute types and the values we deal with compare
//! case-insensitively, spaces around separators do not count, and an escaped
//! character is the character.

use std::fmt;

/// A DN split into normalised RDNs, most specific first.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dn {
    rdns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnError {
    pub reason: &'static str,
}

impl fmt::Display for DnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl Dn {
    pub fn parse(text: &str) -> Result<Self, DnError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self { rdns: Vec::new() });
        }
        let rdns = split_unescaped(text, ',').into_iter().map(normalise_rdn).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { rdns })
    }

    /// True when `self` is `ancestor` or lies below it.
    pub fn is_within(&self, ancestor: &Dn) -> bool {
        self.rdns.len() >= ancestor.rdns.len() && self.rdns.ends_with(&ancestor.rdns)
    }

    /// The DN one level up; `None` for the root.
    pub fn parent(&self) -> Option<Dn> {
        (!self.rdns.is_empty()).then(|| Dn { rdns: self.rdns[1..].to_vec() })
    }

    /// The normalised first RDN value, e.g. `person` for `CN=Person,CN=Schema,…`.
    pub fn first_value(&self) -> Option<&str> {
        self.rdns.first().and_then(|r| r.split_once('=')).map(|(_, v)| v)
    }

    pub fn depth(&self) -> usize {
        self.rdns.len()
    }

    pub fn is_root(&self) -> bool {
        self.rdns.is_empty()
    }
}

/// The value of a DN's most specific RDN as written (`CN=Sales\, EMEA,OU=…` → `Sales, EMEA`),
/// for naming an object that has no better name. Multi-valued RDNs give their first value.
pub fn first_rdn_value(text: &str) -> Option<String> {
    let rdn = split_unescaped(text.trim(), ',').into_iter().next()?;
    let ava = split_unescaped(rdn, '+').into_iter().next()?;
    let (_, value) = ava.split_once('=')?;
    unescape(value.trim()).ok().filter(|v| !v.is_empty())
}

/// Splits at `sep` where it is not escaped by a backslash.
fn split_unescaped(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (at, ch) in text.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == sep => {
                parts.push(&text[start..at]);
                start = at + ch.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One RDN (possibly multi-valued, `a=1+b=2`) in canonical form: sorted, lower-case, unescaped.
fn normalise_rdn(rdn: &str) -> Result<String, DnError> {
    let mut avas = split_unescaped(rdn, '+').into_iter().map(normalise_ava).collect::<Result<Vec<_>, _>>()?;
    avas.sort();
    Ok(avas.join("+"))
}

fn normalise_ava(ava: &str) -> Result<String, DnError> {
    let (kind, value) = ava
        .split_once('=')
        .ok_or(DnError { reason: "each part of a DN must look like NAME=value (for example OU=Sales)" })?;
    let kind = kind.trim();
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err(DnError {
            reason: "an attribute name in the DN is empty or has characters other than letters, digits and '-'",
        });
    }
    let value = unescape(value.trim())?;
    Ok(format!("{}={}", kind.to_ascii_lowercase(), value.to_lowercase()))
}

/// Resolves `\,` and `\2C` style escapes (RFC 4514).
fn unescape(value: &str) -> Result<String, DnError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            out.push(bytes[at]);
            at += 1;
            continue;
        }
        let hex = bytes.get(at + 1..at + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                let next = bytes.get(at + 1).ok_or(DnError { reason: "the DN ends with a lone backslash" })?;
                out.push(*next);
                at += 2;
            }
        }
    }
    String::from_utf8(out).map_err(|_| DnError { reason: "a hex escape in the DN is not valid UTF-8" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(text: &str) -> Dn {
        Dn::parse(text).unwrap()
    }

    #[test]
    fn case_spaces_and_escapes_do_not_matter() {
        let a = dn("CN=Lee\\, Ann,OU=Sales, DC=example,DC=com");
        let b = dn("cn=lee\\2c ann,ou=sales,dc=Example,dc=com");
        assert_eq!(a, b);
    }

    #[test]
    fn subtree_membership() {
        let base = dn("OU=People,DC=example,DC=com");
        assert!(dn("cn=a,ou=Sales,ou=people,dc=example,dc=com").is_within(&base));
        assert!(dn("ou=people,dc=example,dc=com").is_within(&base));
        assert!(!dn("cn=a,ou=Groups,dc=example,dc=com").is_within(&base));
        assert!(!dn("dc=com").is_within(&base));
        assert!(!dn("cn=a,ou=xPeople,dc=example,dc=com").is_within(&base));
    }

    #[test]
    fn escaped_comma_is_not_a_separator() {
        assert_eq!(dn("cn=Smith\\, John,dc=x").depth(), 2);
    }

    #[test]
    fn multi_valued_rdn_order_does_not_matter() {
        assert_eq!(dn("cn=a+uid=b,dc=x"), dn("UID=b+CN=a,dc=x"));
    }

    #[test]
    fn malformed_parts_are_errors() {
        assert!(Dn::parse("example.com").is_err());
        assert!(Dn::parse("dc=x,\\").is_err());
        assert!(Dn::parse("=x,dc=y").is_err());
    }

    #[test]
    fn first_rdn_value_keeps_case_and_unescapes() {
        assert_eq!(first_rdn_value("CN=Sales\\, EMEA,OU=Groups,DC=x").as_deref(), Some("Sales, EMEA"));
        assert_eq!(first_rdn_value("cn=Ann+uid=a1,dc=x").as_deref(), Some("Ann"));
        assert_eq!(first_rdn_value("").as_deref(), None);
        assert_eq!(first_rdn_value("cn=,dc=x").as_deref(), None);
    }

    #[test]
    fn empty_dn_is_the_root() {
        assert!(dn("").is_root());
        assert!(dn("dc=x").is_within(&dn("")));
    }
}
