//! Target failures. Each message is one paragraph: the layer, what went wrong, and the fix.
//!
//! The apply code needs one decision from every error: stop the whole run, or record the
//! failure against one account and carry on ([`TargetError::is_fatal`]).

use crate::config::SecretError;
use std::fmt;
use std::path::PathBuf;

/// Which target layer failed, for messages shared by both targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Api,
    File,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Api => "Service API",
            Layer::File => "File target",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "Config: there is no [target] section, so adsync does not know which service to talk to. \
         Fix: add one (kind = \"essentials\" with stack, domain, user and password_env, or kind = \"file\" with path); \
         see config/adsync.example.toml."
    )]
    NotConfigured,
    #[error(
        "Service API: the service refused the credentials of \"{user}\" (401 Unauthorized{}). \
         Fix: check target.user and the password that target.password_env / password_file / password_command gives.",
        said(server)
    )]
    Unauthorized { user: String, server: String },
    #[error(
        "Service API: \"{user}\" may not manage the organisation \"{domain}\" (403 Forbidden{}). \
         Fix: check target.domain, or use an admin account of that organisation in target.user.",
        said(server)
    )]
    Forbidden { user: String, domain: String, server: String },
    #[error(
        "Service API: {method} {path} was refused for this one account (403 Forbidden{}). \
         The run goes on with the others; check in the service why \"{user}\" may not change {email}.",
        said(server)
    )]
    AccountForbidden { method: String, path: String, email: String, user: String, server: String },
    #[error(
        "Service API: \"{user}\" is a read-only admin, and a sync must create, update and delete accounts. \
         Fix: use an organisation admin with write access in target.user."
    )]
    ReadOnly { user: String },
    #[error(
        "Service API: \"{user}\" is not an administrator in the service (type {kind}). \
         Fix: use an organisation admin account in target.user."
    )]
    NotAdmin { user: String, kind: String },
    #[error(
        "Service API: \"{user}\" is not a partner admin (type {kind}), so the service does not list its \
         organisations. Fix: put a partner (service provider) admin account in [partner] user."
    )]
    NotPartner { user: String, kind: String },
    #[error(
        "Service API: the service does not know the domain \"{domain}\" ({server}). \
         Fix: check target.domain; it must be the organisation's primary domain in the service."
    )]
    UnknownDomain { domain: String, server: String },
    #[error("Service API: {method} {path} failed {attempts} times in a row (last failure: {last}). {fix}")]
    GaveUp { method: String, path: String, attempts: u32, last: String, fix: &'static str },
    #[error(
        "Service API: {method} {path} was refused ({status}{}). Fix: correct the account's data in the directory.",
        said(message)
    )]
    Rejected { method: String, path: String, status: u16, message: String },
    #[error(
        "{layer}: an account {email} already exists{}. \
         It was probably created by hand or by another tool; adsync will match it on the next plan.",
        said(message)
    )]
    Duplicate { layer: Layer, email: String, message: String },
    #[error(
        "{layer}: there is no account {email}{}; it was probably changed meanwhile. The next plan starts from what is there.",
        said(message)
    )]
    NotFound { layer: Layer, email: String, message: String },
    #[error(
        "Service API: {what} ({detail}). Fix: check target.stack / target.api_url; it must point at the service's API v1."
    )]
    Protocol { what: String, detail: String },
    #[error("Service API: cannot prepare requests ({0}).")]
    Setup(String),
    #[error("Password: {0}")]
    Secret(#[from] SecretError),
    #[error(
        "File target: {} is in use by another adsync process{} (lock file {}). \
         Fix: wait for that run to finish; the lock goes away with the process that holds it.",
        path.display(), holder.map(|p| format!(" (PID {p})")).unwrap_or_default(), lock.display()
    )]
    Locked { path: PathBuf, lock: PathBuf, holder: Option<u32> },
    #[error(
        "File target: cannot {action} {}: {source}. Fix: check target.path and that adsync may write to its directory.",
        path.display()
    )]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error(
        "File target: {} is not a user list in the service's format ({detail}). \
         Fix: the file must hold {{\"users\":[…]}} as the API returns it; move it aside to start from an empty service.",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
}

impl TargetError {
    /// True when the run must stop: credentials, access, a broken service or file. False for a
    /// failure that belongs to one account (a duplicate, a missing account, rejected data).
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            Self::Rejected { .. } | Self::Duplicate { .. } | Self::NotFound { .. } | Self::AccountForbidden { .. }
        )
    }
}

/// ": what the server said" when it said anything.
fn said(text: &str) -> String {
    if text.is_empty() { String::new() } else { format!(": {text}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_item_failures_are_not_fatal() {
        let dup = TargetError::Duplicate { layer: Layer::File, email: "a@x.com".into(), message: String::new() };
        assert!(!dup.is_fatal());
        assert!(dup.to_string().starts_with("File target: an account a@x.com already exists."), "{dup}");
        let auth = TargetError::Unauthorized { user: "admin@x.com".into(), server: "bad login".into() };
        assert!(auth.is_fatal());
        assert!(auth.to_string().starts_with("Service API:") && auth.to_string().contains(": bad login)"));
    }

    #[test]
    fn messages_are_one_line() {
        let e = TargetError::Locked { path: "/s.json".into(), lock: "/s.json.lock".into(), holder: Some(42) };
        assert!(!e.to_string().contains('\n'));
        assert!(e.to_string().contains("(PID 42)"), "{e}");
    }
}
