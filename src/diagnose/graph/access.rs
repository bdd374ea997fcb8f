//! What the app may do: get a token, read users and groups (and mailbox settings when
//! shared mailbox detection is on), and how long the first page of users takes.

use super::super::report::duration_text;
use super::super::step::Outcome;
use crate::config::GraphConfig;
use crate::source::graph::client::{Ctx, GraphClient, refusal};
use crate::source::graph::error::{CONSENT_PLACE, GraphError};
use crate::source::graph::objects::USER_SELECT;
use crate::source::graph::pages::Page;
use reqwest::Method;
use serde::de::IgnoredAny;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

#[derive(serde::Deserialize)]
struct Id {
    id: String,
}

pub(super) async fn token(config: &GraphConfig, slot: &mut Option<Arc<GraphClient>>) -> Outcome {
    let client = match GraphClient::new(Arc::new(config.clone()), Arc::default()) {
        Ok(client) => Arc::new(client),
        Err(e) => return Outcome::fail(e.to_string(), ""),
    };
    let outcome = match client.sign_in().await {
        Ok(()) => Outcome::ok(format!("the app {} got a token for {}", config.client_id, config.scope())),
        Err(GraphError::SignIn { code, meaning, fix, said }) => {
            let code = code.map(|c| format!(" (AADSTS{c})")).unwrap_or_default();
            Outcome::fail(format!("{meaning}{code}"), fix).with("Entra ID said", said)
        }
        Err(e) => Outcome::fail(e.to_string(), ""),
    };
    *slot = Some(client);
    outcome
        .with("token endpoint", config.token_url())
        .with("client_id", &config.client_id)
        .with("client secret from", config.secret.describe())
}

/// One `$top=1` read per permission the sync needs; every missing one is named.
pub(super) async fn permissions(config: &GraphConfig, client: Option<&GraphClient>) -> Outcome {
    let Some(client) = client else { return Outcome::skipped("no token") };
    let ctx = Ctx::new(CancellationToken::new());
    let users = client.get_json::<Page<Id>>(&client.config.api("users?$top=1&$select=id"), &ctx).await;
    let groups = client.get_json::<Page<IgnoredAny>>(&client.config.api("groups?$top=1&$select=id"), &ctx).await;
    let first_user = users.as_ref().ok().and_then(|p| p.value.first()).map(|u| u.id.clone());
    let mut checks = vec![("User.Read.All", users.map(|_| ())), ("Group.Read.All", groups.map(|_| ()))];
    if config.detect_shared_mailboxes {
        checks.push(("MailboxSettings.Read", mailbox_settings(client, first_user, &ctx).await));
    }
    verdict(checks)
}

/// A 404 (no such mailbox) still proves the permission: Graph refuses with 403 before it
/// looks for the user, so without a user read the question goes to an id that is nobody's.
async fn mailbox_settings(client: &GraphClient, user: Option<String>, ctx: &Ctx) -> Result<(), GraphError> {
    let user = user.unwrap_or_else(|| uuid::Uuid::nil().to_string());
    let url = client.config.api(&format!("users/{user}/mailboxSettings"));
    let answer = client.send(Method::GET, &url, None, ctx).await?;
    match answer.status {
        200..300 | 404 => Ok(()),
        _ => Err(refusal(&url, &answer)),
    }
}

fn verdict(checks: Vec<(&'static str, Result<(), GraphError>)>) -> Outcome {
    let evidence: Vec<(String, String)> = checks
        .iter()
        .map(|(name, result)| (name.to_string(), result.as_ref().map_or_else(|e| format!("no: {e}"), |_| "yes".into())))
        .collect();
    let missing: Vec<&str> = checks
        .iter()
        .filter_map(|(_, r)| match r {
            Err(GraphError::Permission { permission, .. }) => Some(*permission),
            _ => None,
        })
        .collect();
    let other =
        checks.iter().find_map(|(_, r)| r.as_ref().err().filter(|e| !matches!(e, GraphError::Permission { .. })));
    let outcome = match (missing.is_empty(), other) {
        (false, _) => Outcome::fail(format!("the app lacks {}", missing.join(" and ")), CONSENT_PLACE),
        (true, Some(e)) => Outcome::fail(e.to_string(), ""),
        (true, None) => {
            let names: Vec<&str> = checks.iter().map(|(n, _)| *n).collect();
            Outcome::ok(format!("the app may read what the sync needs ({})", names.join(", ")))
        }
    };
    outcome.with_all(evidence)
}

/// The first page of the sync's own read of users, timed.
pub(super) async fn first_page(client: Option<&GraphClient>) -> Outcome {
    let Some(client) = client else { return Outcome::skipped("no token") };
    let ctx = Ctx::new(CancellationToken::new());
    let url = client.config.api(&format!("users?$select={USER_SELECT}&$top=999"));
    let started = Instant::now();
    match client.get_json::<Page<IgnoredAny>>(&url, &ctx).await {
        Ok(page) => {
            let took = duration_text(started.elapsed());
            let more = if page.next_link.is_some() { "more pages follow" } else { "the only page" };
            Outcome::ok(format!("{} users in {took}, {more}", page.value.len()))
                .with("users on the first page", page.value.len().to_string())
                .with("first page complete after", took)
                .with("more pages", if page.next_link.is_some() { "yes" } else { "no" })
        }
        Err(e) => Outcome::fail(e.to_string(), ""),
    }
}
