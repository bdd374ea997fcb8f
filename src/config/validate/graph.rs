//! Checks of a `[source] kind = "graph"` table that span more than one value.

use super::{Checker, check_ca_file};
use crate::config::error::ConfigError;
use crate::config::graph::{GraphConfig, RawGraphConfig};
use crate::config::schema::RawConfig;
use url::Url;

/// How many reads may go by between full ones, at most.
const MAX_FULL_READ_EVERY: u32 = 1000;

pub(super) fn check(
    check: &mut Checker<'_>,
    raw: RawGraphConfig,
    rest: &RawConfig<()>,
) -> Result<GraphConfig, ConfigError> {
    let tenant = tenant(check, &raw.tenant)?;
    let client_id = client_id(check, &raw.client_id)?;
    let secret = check.password("source", raw.secret_keys())?.ok_or_else(|| {
        check.fail_missing(
            "source",
            "client_secret_env",
            "kind = \"graph\" needs the app's client secret: add client_secret_env, client_secret_file or client_secret_command",
        )
    })?;
    let authority_url = https_url(check, "authority_url", &raw.authority_url)?;
    let graph_url = https_url(check, "graph_url", &raw.graph_url)?;
    check_ca_file(check, raw.ca_file.as_deref(), "the TLS certificates (e.g. a TLS-inspecting proxy's CA)")?;
    if !(1..=MAX_FULL_READ_EVERY).contains(&raw.full_read_every) {
        return Err(check.fail(
            "source.full_read_every",
            format!("full_read_every must be between 1 (every read is a full one) and {MAX_FULL_READ_EVERY}"),
        ));
    }
    super::warn_ldap_only_keys(
        check,
        rest,
        "a graph source",
        "Microsoft Graph does not say reliably which entries are hidden from the address list, so every Entra ID entry counts as visible",
    );
    Ok(GraphConfig {
        tenant,
        client_id,
        secret,
        authority_url,
        graph_url,
        ca_file: raw.ca_file,
        include_guests: raw.include_guests,
        detect_shared_mailboxes: raw.detect_shared_mailboxes,
        connect_timeout: raw.connect_timeout.0,
        op_timeout: raw.op_timeout.0,
        full_read_every: raw.full_read_every,
    })
}

/// A domain name (contoso.onmicrosoft.com, or a verified custom domain) or the tenant's id.
fn tenant(check: &Checker<'_>, text: &str) -> Result<String, ConfigError> {
    let text = text.trim();
    let domain = |t: &str| {
        t.contains('.')
            && t.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    if uuid::Uuid::parse_str(text).is_ok() || domain(text) {
        return Ok(text.to_ascii_lowercase());
    }
    Err(check.fail(
        "source.tenant",
        "tenant must be the tenant's domain (contoso.onmicrosoft.com) or its Tenant ID, a GUID \
         (Entra admin center → Overview)",
    ))
}

fn client_id(check: &Checker<'_>, text: &str) -> Result<String, ConfigError> {
    match uuid::Uuid::parse_str(text.trim()) {
        Ok(id) => Ok(id.hyphenated().to_string()),
        Err(_) => Err(check.fail(
            "source.client_id",
            "client_id must be the app's Application (client) ID, a GUID \
             (Entra admin center → App registrations → the app → Overview)",
        )),
    }
}

/// The client secret and the tokens cross this connection: https only, no credentials or query.
fn https_url(check: &Checker<'_>, key: &str, text: &str) -> Result<Url, ConfigError> {
    let path = format!("source.{key}");
    let parsed = Url::parse(text.trim()).ok();
    let usable = parsed.filter(|u| {
        u.scheme() == "https"
            && u.host_str().is_some_and(|h| !h.is_empty())
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
            && u.password().is_none()
    });
    usable.ok_or_else(|| {
        let example =
            if key == "graph_url" { "https://graph.microsoft.com" } else { "https://login.microsoftonline.com" };
        check.fail(
            &path,
            format!("{key} must be an https:// URL with a host and nothing after the path, such as {example}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    const BASE: &str = "[source]\nkind = \"graph\"\ntenant = \"contoso.onmicrosoft.com\"\n\
        client_id = \"11111111-2222-3333-4444-555555555555\"\nclient_secret_env = \"ADSYNC_CLIENT_SECRET\"\n";

    fn parse(extra: &str) -> Result<Config, String> {
        Config::parse(&format!("{BASE}{extra}"), "t.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_the_public_cloud_and_a_full_read_every_24() {
        let config = parse("").unwrap();
        let graph = config.source.graph().unwrap();
        assert_eq!(graph.token_url(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(graph.api("users"), "https://graph.microsoft.com/v1.0/users");
        assert_eq!((graph.full_read_every, graph.include_guests, graph.detect_shared_mailboxes), (24, false, false));
        assert!(config.bind_password.is_none() && config.warnings.is_empty());
    }

    /// The base config with the line that sets `line`'s key replaced by it, or `line` added.
    fn with_line(line: &str) -> String {
        let key = line.split(' ').next().unwrap_or_default();
        if BASE.lines().any(|l| l.starts_with(&format!("{key} "))) {
            BASE.lines()
                .map(|l| if l.starts_with(&format!("{key} ")) { line } else { l })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        } else {
            format!("{BASE}{line}\n")
        }
    }

    #[test]
    fn bad_values_are_placed_and_explained() {
        let cases = [
            ("tenant = \"not a tenant\"", "t.toml:3:10: source.tenant: tenant must be the tenant's domain"),
            (
                "client_id = \"my-app\"",
                "t.toml:4:13: source.client_id: client_id must be the app's Application (client) ID",
            ),
            (
                "graph_url = \"http://graph.microsoft.com\"",
                "t.toml:6:13: source.graph_url: graph_url must be an https:// URL",
            ),
            (
                "authority_url = \"https://login.example/?x=1\"",
                "source.authority_url: authority_url must be an https:// URL",
            ),
            ("full_read_every = 0", "t.toml:6:19: source.full_read_every: full_read_every must be between 1"),
            (
                "client_secret_file = \"/x\"",
                "source.client_secret_file: both client_secret_env and client_secret_file are set; keep exactly one way to give the client secret",
            ),
            ("password_env = \"X\"", "t.toml:6:1: source.password_env: unknown key `password_env`"),
            ("url = \"ldaps://dc1\"", "unknown key `url`"),
            ("ca_file = \"/nonexistent/ca.pem\"", "CA file /nonexistent/ca.pem does not exist"),
            ("connect_timeout = \"soon\"", "t.toml:6:19: source.connect_timeout: \"soon\" is not a duration"),
        ];
        for (line, want) in cases {
            let got = Config::parse(&with_line(line), "t.toml").map(|_| ()).unwrap_err().to_string();
            assert!(got.contains(want), "{line}: {got}");
        }
    }

    #[test]
    fn a_missing_secret_names_the_keys_to_add() {
        let text = BASE.replace("client_secret_env = \"ADSYNC_CLIENT_SECRET\"\n", "");
        let got = Config::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(got.contains("source.client_secret_env: kind = \"graph\" needs the app's client secret"), "{got}");
    }

    #[test]
    fn ldap_only_settings_are_warned_about() {
        assert!(parse("\n[sync]\nhidden_from_gal = false\n").unwrap().warnings.is_empty());
        let config = parse("\n[sync]\nhidden_from_gal = true\n\n[exclude]\nsubtrees = [\"OU=Test,DC=x\"]\n").unwrap();
        assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
        assert!(config.warnings[0].contains("sync.hidden_from_gal: has no effect on a graph source"));
        assert!(config.warnings[1].contains("exclude.subtrees: has no effect on a graph source"));
    }

    #[test]
    fn an_unknown_kind_is_refused_where_it_is_written() {
        let got = Config::parse("[source]\nkind = \"sheet\"\n", "t.toml").unwrap_err().to_string();
        assert!(
            got.starts_with("t.toml:2:8: source.kind: unknown value `sheet`, expected one of `ldap`, `graph`, `csv`"),
            "{got}"
        );
    }
}
