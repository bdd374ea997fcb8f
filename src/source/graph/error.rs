//! What can go wrong talking to Entra ID and Microsoft Graph, said so that a tenant admin
//! knows what to change and where. No variant ever holds the client secret or a token.

use crate::config::SecretError;
use std::time::Duration;

/// Where admin consent is granted, for every permission message.
pub const CONSENT_PLACE: &str = "Entra admin center → App registrations → the app → API permissions: add it as a \
     Microsoft Graph *application* permission, then \"Grant admin consent\"";

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("Client secret: {0}")]
    Secret(#[from] SecretError),
    #[error("Graph: cannot set up {0}")]
    Setup(String),
    #[error("Entra ID sign-in: {meaning}{code}. Fix: {fix} (Entra ID said: {said})", code = code_text(code))]
    SignIn { code: Option<u32>, meaning: &'static str, fix: String, said: String },
    #[error(
        "Graph: the app may not read {what} ({path}): it lacks the application permission {permission}. \
         Fix: {CONSENT_PLACE}. (Graph said: {said})"
    )]
    Permission { what: &'static str, permission: &'static str, path: String, said: String },
    #[error(
        "Graph: a new token was refused too ({path}): {said}. Fix: check that the app registration still \
         exists and its client secret is valid, then run again"
    )]
    TokenRefused { path: String, said: String },
    #[error("Graph: {path} answered {status}{}: {said}. {fix}", paren(code))]
    Refused { path: String, status: u16, code: String, said: String, fix: &'static str },
    #[error(
        "Graph: throttled on {path}: {why}. Nothing was used from this read; run again later, or at a quieter time"
    )]
    Throttled { path: String, why: String },
    #[error("Graph: no answer from {host} within {} ({path}). Fix: check the network path (proxy, firewall), or raise source.op_timeout", humantime::format_duration(*after))]
    Timeout { host: String, path: String, after: Duration },
    #[error("Graph: cannot reach {host}: {detail}. Fix: {fix}")]
    Unreachable { host: String, detail: String, fix: &'static str },
    #[error(
        "Graph: the connection to {host} broke during {path} ({detail}); nothing was used from this read. Run again"
    )]
    Cut { host: String, path: String, detail: String },
    #[error("Graph: {path} answered something adsync cannot read ({detail})")]
    BadAnswer { path: String, detail: String },
    #[error("Graph: a next-page link leads to {link}, not to source.graph_url; adsync does not send its token there")]
    ForeignLink { link: String },
    #[error("Graph: {path} went on for more than {pages} pages; stopped")]
    TooManyPages { path: String, pages: usize },
    #[error("State: {0}")]
    State(String),
    #[error("cancelled")]
    Cancelled,
}

impl GraphError {
    /// The error as one of page `n` (from 1) of a collection: its path says which page, so
    /// an admin reads where a long read broke.
    pub fn on_page(mut self, n: usize) -> Self {
        if let Self::TokenRefused { path, .. }
        | Self::Refused { path, .. }
        | Self::Throttled { path, .. }
        | Self::Timeout { path, .. }
        | Self::Cut { path, .. }
        | Self::BadAnswer { path, .. } = &mut self
        {
            *path = format!("page {n} of {path}");
        }
        self
    }
}

fn paren(code: &str) -> String {
    if code.is_empty() { String::new() } else { format!(" ({code})") }
}

fn code_text(code: &Option<u32>) -> String {
    code.map(|c| format!(" (AADSTS{c})")).unwrap_or_default()
}

/// An AADSTS code in words, with the change that fixes it.
pub fn sign_in_meaning(code: Option<u32>) -> (&'static str, String) {
    let secret_place = "Entra admin center → App registrations → the app → Certificates & secrets";
    match code {
        Some(7000215) => (
            "the client secret is wrong",
            format!(
                "put the secret's Value (shown once, when it was created; not its Secret ID) where \
                 client_secret_env/_file/_command points, or create a new one under {secret_place}"
            ),
        ),
        Some(7000222) => (
            "the client secret has expired",
            format!(
                "create a new client secret under {secret_place} and put it where client_secret_env/_file/_command points"
            ),
        ),
        Some(700016) => (
            "no app with this client_id exists in the tenant",
            "check source.client_id (the Application (client) ID on the app's Overview page) and source.tenant; \
             an app registered in another tenant needs admin consent in this one first"
                .into(),
        ),
        Some(90002) => (
            "the tenant does not exist",
            "check source.tenant (the tenant's primary domain, e.g. contoso.onmicrosoft.com, or its Tenant ID); \
             a national cloud also needs authority_url and graph_url"
                .into(),
        ),
        _ => (
            "Entra ID refused to issue a token",
            "look the AADSTS code up in Microsoft's \"Microsoft Entra authentication and authorization error codes\""
                .into(),
        ),
    }
}

/// The application permission a Graph path needs, and what it lets adsync read.
pub fn permission_for(path: &str) -> (&'static str, &'static str) {
    if path.contains("mailboxSettings") || path.contains("$batch") {
        ("mailbox settings (shared mailbox detection)", "MailboxSettings.Read")
    } else if path.contains("/members") {
        ("group members", "GroupMember.Read.All (or Group.Read.All)")
    } else if path.contains("/groups") {
        ("groups", "Group.Read.All (or GroupMember.Read.All)")
    } else {
        ("users", "User.Read.All")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_common_sign_in_failures_are_in_words() {
        for (code, words) in [
            (7000215, "the client secret is wrong"),
            (7000222, "the client secret has expired"),
            (700016, "no app with this client_id exists in the tenant"),
            (90002, "the tenant does not exist"),
        ] {
            let (meaning, fix) = sign_in_meaning(Some(code));
            assert_eq!(meaning, words);
            assert!(!fix.is_empty());
        }
        let e = GraphError::SignIn { code: Some(7000215), meaning: "m", fix: "f".into(), said: "s".into() };
        assert_eq!(e.to_string(), "Entra ID sign-in: m (AADSTS7000215). Fix: f (Entra ID said: s)");
    }

    #[test]
    fn permissions_follow_the_path() {
        assert_eq!(permission_for("/v1.0/users").1, "User.Read.All");
        assert_eq!(permission_for("/v1.0/users/delta").1, "User.Read.All");
        assert!(permission_for("/v1.0/groups").1.starts_with("Group.Read.All"));
        assert!(permission_for("/v1.0/groups/x/members").1.starts_with("GroupMember.Read.All"));
        assert_eq!(permission_for("/v1.0/$batch").1, "MailboxSettings.Read");
    }
}
