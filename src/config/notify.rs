//! `[notify]`: whom to tell about a run, and when. The webhook URL (chat webhooks carry their
//! token in it), the header values and the SMTP password are secrets: they are given like the
//! passwords (env, file, command) and are never printed, logged or written anywhere.

use super::secret::{SecretKeys, SecretSource};
use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

/// Which runs are worth a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyOn {
    /// The run failed (exit 1) or some changes failed (exit 4).
    Failed,
    /// A safety guard blocked the run (exit 3).
    Blocked,
    /// At least one change was applied and the run went through (exit 0).
    Applied,
}

fn default_on() -> Vec<NotifyOn> {
    vec![NotifyOn::Failed, NotifyOn::Blocked]
}

/// `[notify]` as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    #[serde(default = "default_on")]
    pub on: Vec<NotifyOn>,
    pub webhook_url: Option<SecretString>,
    pub webhook_url_env: Option<String>,
    pub webhook_url_file: Option<PathBuf>,
    pub webhook_url_command: Option<String>,
    #[serde(default)]
    pub webhook_headers: Vec<RawHeader>,
    pub smtp_url: Option<String>,
    pub smtp_user: Option<String>,
    pub smtp_password_env: Option<String>,
    pub smtp_password_file: Option<PathBuf>,
    pub smtp_password_command: Option<String>,
    pub smtp_ca_file: Option<PathBuf>,
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
}

/// One `webhook_headers` entry as written: a name and where its value comes from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: String,
    pub value_env: Option<String>,
    pub value_file: Option<PathBuf>,
    pub value_command: Option<String>,
}

pub const WEBHOOK_URL: SecretKeys = SecretKeys {
    what: "webhook URL",
    env: "webhook_url_env",
    file: "webhook_url_file",
    command: "webhook_url_command",
    plain: Some("webhook_url"),
};

pub const HEADER_VALUE: SecretKeys =
    SecretKeys { what: "header value", env: "value_env", file: "value_file", command: "value_command", plain: None };

pub const SMTP_PASSWORD: SecretKeys = SecretKeys {
    what: "SMTP password",
    env: "smtp_password_env",
    file: "smtp_password_file",
    command: "smtp_password_command",
    plain: None,
};

/// `[notify]` once checked.
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    pub on: Vec<NotifyOn>,
    pub webhook: Option<WebhookConfig>,
    pub email: Option<EmailConfig>,
}

#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub url: SecretSource,
    pub headers: Vec<WebhookHeader>,
}

#[derive(Clone, Debug)]
pub struct WebhookHeader {
    pub name: String,
    pub value: SecretSource,
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte (port 465).
    Implicit,
    /// `smtp://`: STARTTLS, required (port 587).
    StartTls,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpServer {
    pub tls: SmtpTls,
    pub host: String,
    pub port: u16,
}

impl SmtpServer {
    /// `smtps://host[:465]` or `smtp://host[:587]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let help = "write it as smtps://relay.example.com:465 (TLS) or smtp://relay.example.com:587 (STARTTLS)";
        let url = url::Url::parse(text.trim()).map_err(|e| format!("\"{text}\" is not a URL ({e}); {help}"))?;
        let (tls, default_port) = match url.scheme() {
            "smtps" => (SmtpTls::Implicit, 465),
            "smtp" => (SmtpTls::StartTls, 587),
            other => return Err(format!("scheme \"{other}\" is not SMTP; {help}")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| format!("\"{text}\" has no host; {help}"))?;
        if !url.path().trim_matches('/').is_empty() || url.username() != "" || url.password().is_some() {
            return Err(format!("only the server goes in smtp_url (user and password have keys of their own); {help}"));
        }
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        Ok(Self { tls, host, port: url.port().unwrap_or(default_port) })
    }
}

impl std::fmt::Display for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls == SmtpTls::Implicit { "smtps" } else { "smtp" };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
}

#[derive(Clone, Debug)]
pub struct EmailConfig {
    pub server: SmtpServer,
    /// The account and its password, when the server wants a login.
    pub login: Option<(String, SecretSource)>,
    pub ca_file: Option<PathBuf>,
    pub from: String,
    pub to: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_pick_tls_and_the_default_port() {
        let s = SmtpServer::parse("smtps://relay.example.com").unwrap();
        assert_eq!((s.tls, s.host.as_str(), s.port), (SmtpTls::Implicit, "relay.example.com", 465));
        let s = SmtpServer::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.tls, s.port), (SmtpTls::StartTls, 2525));
        assert_eq!(s.to_string(), "smtp://127.0.0.1:2525");
        assert!(SmtpServer::parse("http://relay").unwrap_err().contains("not SMTP"));
        assert!(SmtpServer::parse("smtp://user:pw@relay").unwrap_err().contains("keys of their own"));
        assert!(!SmtpServer::parse("smtp://user:pw@relay").unwrap_err().contains("pw"));
    }
}
