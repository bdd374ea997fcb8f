//! Shared, room and equipment mailboxes: `mailboxSettings.userPurpose`, asked twenty users
//! at a time in `$batch` requests. A 404 for one user means it has no mailbox, so it is not
//! a shared one; a throttled user is asked again; any other refusal fails the read.

use super::client::{Ctx, GraphClient, parse, refusal};
use super::error::{GraphError, permission_for};
use crate::model::MailboxPurpose;
use futures::{StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Graph's limit of requests in one `$batch`.
const BATCH: usize = 20;
const IN_FLIGHT: usize = 4;
/// Rounds of asking again for users a batch answered 429 for (the throttle bounds the waits).
const MAX_ROUNDS: u32 = 30;

#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    responses: Vec<ItemAnswer>,
}

#[derive(Deserialize)]
pub struct ItemAnswer {
    id: String,
    status: u16,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Value,
}

/// The purpose of each user in `ids` (users without a mailbox are plain users).
pub async fn purposes(
    client: &GraphClient,
    ids: Vec<String>,
    ctx: &Ctx,
) -> Result<HashMap<String, MailboxPurpose>, GraphError> {
    let chunks: Vec<Vec<String>> = ids.chunks(BATCH).map(<[String]>::to_vec).collect();
    let found: Vec<Vec<(String, MailboxPurpose)>> = futures::stream::iter(chunks)
        .map(|chunk| chunk_purposes(client, chunk, ctx))
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}

/// One batch, asked again for its throttled users until every user has an answer.
async fn chunk_purposes(
    client: &GraphClient,
    mut pending: Vec<String>,
    ctx: &Ctx,
) -> Result<Vec<(String, MailboxPurpose)>, GraphError> {
    let mut found = Vec::with_capacity(pending.len());
    for round in 1..=MAX_ROUNDS {
        let answers = batch(client, &pending, ctx).await?;
        let Sorted { found: now, again, retry_after } = sort(answers, &pending, &client.config.api(""))?;
        found.extend(now);
        if again.is_empty() {
            return Ok(found);
        }
        let wait = ctx.throttle.next_wait(retry_after, round).map_err(|why| GraphError::Throttled {
            path: "/v1.0/users/{id}/mailboxSettings".into(),
            why: format!("429 {why}"),
        })?;
        ctx.until_cancelled(async {
            tokio::time::sleep(wait).await;
            Ok(())
        })
        .await?;
        pending = again;
    }
    Err(GraphError::Throttled {
        path: "/v1.0/$batch".into(),
        why: format!("still throttled after {MAX_ROUNDS} rounds"),
    })
}

async fn batch(client: &GraphClient, ids: &[String], ctx: &Ctx) -> Result<Vec<ItemAnswer>, GraphError> {
    let requests: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| json!({"id": k.to_string(), "method": "GET", "url": format!("/users/{id}/mailboxSettings")}))
        .collect();
    let body = serde_json::to_vec(&json!({ "requests": requests })).expect("JSON of strings");
    let url = client.config.api("$batch");
    let answer = client.send(Method::POST, &url, Some(&body), ctx).await?;
    if !(200..300).contains(&answer.status) {
        return Err(refusal(&url, &answer));
    }
    read_batch(&url, &answer.body)
}

/// A `$batch` answer's items.
pub fn read_batch(url: &str, body: &[u8]) -> Result<Vec<ItemAnswer>, GraphError> {
    Ok(parse::<BatchAnswer>(url, body)?.responses)
}

/// One batch's answers, sorted: the purposes found, the users to ask again (throttled) and
/// the wait Graph asked for.
pub struct Sorted {
    pub found: Vec<(String, MailboxPurpose)>,
    pub again: Vec<String>,
    pub retry_after: Option<Duration>,
}

/// Sorts the answers for the users in `pending` (an item's id is its index there; an item
/// naming no such index is ignored); any refusal but 404 and throttling fails the read.
/// `api` is the Graph API's base (`https://graph.microsoft.com/v1.0/`), for messages.
pub fn sort(answers: Vec<ItemAnswer>, pending: &[String], api: &str) -> Result<Sorted, GraphError> {
    let mut sorted = Sorted { found: Vec::with_capacity(answers.len()), again: Vec::new(), retry_after: None };
    for item in answers {
        let Some(id) = item.id.parse::<usize>().ok().and_then(|k| pending.get(k)) else { continue };
        match item.status {
            200..300 => sorted.found.push((id.clone(), purpose_of(&item.body))),
            404 => sorted.found.push((id.clone(), MailboxPurpose::User)),
            429 | 503 => {
                sorted.retry_after = sorted.retry_after.or_else(|| item_retry_after(&item));
                sorted.again.push(id.clone());
            }
            _ => return Err(item_refusal(api, id, &item)),
        }
    }
    Ok(sorted)
}

fn purpose_of(body: &Value) -> MailboxPurpose {
    match body.get("userPurpose").and_then(Value::as_str).unwrap_or("user") {
        "shared" => MailboxPurpose::Shared,
        "room" => MailboxPurpose::Room,
        "equipment" => MailboxPurpose::Equipment,
        // user, linked, others: a person's mailbox as far as the service cares.
        _ => MailboxPurpose::User,
    }
}

fn item_retry_after(item: &ItemAnswer) -> Option<Duration> {
    let value = item.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))?.1;
    crate::http::parse_retry_after(value, SystemTime::now())
}

fn item_refusal(api: &str, id: &str, item: &ItemAnswer) -> GraphError {
    let url = format!("{api}users/{id}/mailboxSettings");
    let body = serde_json::to_vec(&item.body).unwrap_or_default();
    if item.status == 403 {
        let (what, permission) = permission_for("mailboxSettings");
        let said = super::client::error_detail(&body).message;
        return GraphError::Permission { what, permission, path: super::client::path_of(&url), said };
    }
    refusal(&url, &super::client::Answer { status: item.status, body: body.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_in_graphs_words() {
        for (word, purpose) in [
            ("shared", MailboxPurpose::Shared),
            ("room", MailboxPurpose::Room),
            ("equipment", MailboxPurpose::Equipment),
            ("user", MailboxPurpose::User),
            ("linked", MailboxPurpose::User),
        ] {
            assert_eq!(purpose_of(&json!({ "userPurpose": word })), purpose, "{word}");
        }
    }
}
