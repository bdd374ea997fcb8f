//! `[source] kind = "graph"`: Microsoft Entra ID through Microsoft Graph, as written and as
//! validated. Key names are the public contract: extend, never rename.

use super::schema::{PasswordKeys, SourceKind, default_connect_timeout, default_op_timeout};
use super::secret::{CLIENT_SECRET, SecretSource};
use super::value::HumanDuration;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const DEFAULT_GRAPH: &str = "https://graph.microsoft.com";

/// Every key of a graph `[source]` ([`RawGraphConfig`]'s fields).
pub const KEYS: &[&str] = &[
    "kind",
    "tenant",
    "client_id",
    "client_secret_env",
    "client_secret_file",
    "client_secret_command",
    "authority_url",
    "graph_url",
    "ca_file",
    "include_guests",
    "detect_shared_mailboxes",
    "connect_timeout",
    "op_timeout",
    "full_read_every",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGraphConfig {
    pub kind: SourceKind,
    /// The tenant's domain (contoso.onmicrosoft.com) or its id (a GUID).
    pub tenant: String,
    /// The app registration's application (client) id.
    pub client_id: String,
    pub client_secret_env: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    pub client_secret_command: Option<String>,
    #[serde(default = "default_authority")]
    pub authority_url: String,
    #[serde(default = "default_graph")]
    pub graph_url: String,
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub include_guests: bool,
    #[serde(default)]
    pub detect_shared_mailboxes: bool,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: HumanDuration,
    #[serde(default = "default_op_timeout")]
    pub op_timeout: HumanDuration,
    #[serde(default = "default_full_read_every")]
    pub full_read_every: u32,
}

fn default_authority() -> String {
    DEFAULT_AUTHORITY.into()
}
fn default_graph() -> String {
    DEFAULT_GRAPH.into()
}
fn default_full_read_every() -> u32 {
    24
}

impl RawGraphConfig {
    pub fn secret_keys(&self) -> PasswordKeys<'_> {
        PasswordKeys {
            names: &CLIENT_SECRET,
            env: self.client_secret_env.as_deref(),
            file: self.client_secret_file.as_deref(),
            command: self.client_secret_command.as_deref(),
            plain: None,
        }
    }
}

/// A graph source that passed every check.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    pub tenant: String,
    pub client_id: String,
    pub secret: SecretSource,
    /// Without a trailing slash, like `graph_url`.
    pub authority_url: Url,
    pub graph_url: Url,
    pub ca_file: Option<PathBuf>,
    pub include_guests: bool,
    pub detect_shared_mailboxes: bool,
    pub connect_timeout: Duration,
    pub op_timeout: Duration,
    /// Every this many reads is a full one; the others read only changes.
    pub full_read_every: u32,
}

impl GraphConfig {
    /// `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", base(&self.authority_url), self.tenant)
    }

    /// `https://graph.microsoft.com/v1.0/{path}`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/v1.0/{path}", base(&self.graph_url))
    }

    /// The scope a client-credentials token asks for: every application permission the app
    /// was granted on this Graph (national clouds have their own host).
    pub fn scope(&self) -> String {
        format!("{}/.default", base(&self.graph_url))
    }
}

/// A URL as text without its trailing slash, for joining paths.
fn base(url: &Url) -> &str {
    url.as_str().trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(authority: &str, graph: &str) -> GraphConfig {
        GraphConfig {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "00000000-0000-0000-0000-000000000001".into(),
            secret: SecretSource::Env("X".into()),
            authority_url: Url::parse(authority).unwrap(),
            graph_url: Url::parse(graph).unwrap(),
            ca_file: None,
            include_guests: false,
            detect_shared_mailboxes: false,
            connect_timeout: Duration::from_secs(10),
            op_timeout: Duration::from_secs(30),
            full_read_every: 24,
        }
    }

    #[test]
    fn endpoints_are_joined_without_double_slashes() {
        let c = config("https://login.microsoftonline.us/", "https://graph.microsoft.us");
        assert_eq!(c.token_url(), "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(c.api("users"), "https://graph.microsoft.us/v1.0/users");
        assert_eq!(c.scope(), "https://graph.microsoft.us/.default");
    }
}
