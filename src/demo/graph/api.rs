//! Graph's `/v1.0` as the look-alike answers it: users, groups and their members in pages,
//! delta rounds with `@removed` and delta links, one object, mailbox settings and `$batch`.

use super::faults::{BATCH_ITEM, Fault};
use super::odata::{GroupJson, Query, Select, UserJson};
use super::state::{GROUP_MEMBER_READ_ALL, GROUP_READ_ALL, Lookalike, MAILBOX_SETTINGS_READ, USER_READ_ALL, lock};
use super::tenant::{Collection, DeltaItem, Member, Tenant, TenantGroup};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::ops::Bound;

/// What the server sends back.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<u64>,
}

impl Answer {
    pub fn json(status: u16, body: &impl Serialize) -> Self {
        Self { status, body: serde_json::to_vec(body).unwrap_or_default(), retry_after: None }
    }

    /// Graph's error body: `{"error":{"code","message"}}`.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &json!({"error": {"code": code, "message": message, "innerError": {"date": "2026-01-01T00:00:00"}}}),
        )
    }

    pub fn fault(fault: &Fault) -> Self {
        match fault {
            Fault::Throttle { status, retry_after } => Self {
                retry_after: *retry_after,
                ..Self::error(
                    *status,
                    "TooManyRequests",
                    "Too many requests. Please retry after the time in Retry-After.",
                )
            },
            Fault::ExpireToken => {
                Self::error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
            }
            Fault::ServerError => Self::error(500, "InternalServerError", "An internal server error occurred."),
            Fault::Forbidden => {
                Self::error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            }
            Fault::Gone => Self::error(410, "syncStateNotFound", "The sync state is not found: start a new round."),
            Fault::BadRequest => Self::error(400, "BadRequest", "Unsupported query."),
            Fault::Cut | Fault::Stall | Fault::Trickle | Fault::Reset => {
                Self::error(500, "InternalServerError", "a broken delivery has no body of its own")
            }
        }
    }
}

/// The permissions a `/v1.0` path needs (any one of them).
pub fn needs(path: &str) -> &'static [&'static str] {
    if path.ends_with("/mailboxSettings") || path.ends_with("$batch") {
        &[MAILBOX_SETTINGS_READ]
    } else if path.starts_with("/v1.0/groups") {
        &[GROUP_READ_ALL, GROUP_MEMBER_READ_ALL]
    } else {
        &[USER_READ_ALL]
    }
}

/// A GET below `/v1.0`, already signed in and permitted.
pub fn get(state: &Lookalike, path: &str, query: &Query) -> Answer {
    let page_size = lock(&state.settings).page_size;
    let tenant = lock(&state.tenant);
    let parts: Vec<&str> = path.trim_start_matches("/v1.0/").split('/').collect();
    let base = &state.base_url;
    match parts.as_slice() {
        ["users"] => {
            let (select, (users, next)) = (query.select(), chunk(base, path, query, page_size, &tenant.users));
            page(users.into_iter().map(|user| UserJson { user, select: &select, typed: false }).collect(), next, None)
        }
        ["groups"] => {
            let (select, (groups, next)) = (query.select(), chunk(base, path, query, page_size, &tenant.groups));
            page(
                groups.into_iter().map(|group| GroupJson { group, select: &select, typed: false }).collect(),
                next,
                None,
            )
        }
        ["users", "delta"] => delta(base, path, query, page_size, &tenant, Collection::Users),
        ["groups", "delta"] => delta(base, path, query, page_size, &tenant, Collection::Groups),
        ["users", key] => match tenant.user(key) {
            Some(user) => Answer::json(200, &UserJson { user, select: &query.select(), typed: false }),
            None => not_found(key),
        },
        ["users", key, "mailboxSettings"] => mailbox_settings(&tenant, key),
        ["groups", id] => match tenant.groups.get(*id) {
            Some(group) => Answer::json(200, &GroupJson { group, select: &query.select(), typed: false }),
            None => not_found(id),
        },
        ["groups", id, "members"] => members(base, path, query, page_size, &tenant, id),
        _ => Answer::error(400, "BadRequest", &format!("Resource not found for the segment '{path}'.")),
    }
}

fn to_value(view: impl Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

fn not_found(key: &str) -> Answer {
    Answer::error(
        404,
        "Request_ResourceNotFound",
        &format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
    )
}

#[derive(Serialize)]
struct Page<T> {
    #[serde(rename = "@odata.context")]
    context: &'static str,
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", skip_serializing_if = "Option::is_none")]
    delta_link: Option<String>,
}

fn page<T: Serialize>(value: Vec<T>, next_link: Option<String>, delta_link: Option<String>) -> Answer {
    Answer::json(200, &Page { context: "https://graph.microsoft.com/v1.0/$metadata", value, next_link, delta_link })
}

/// One page of a collection kept in id order, and the link to the next page, which starts
/// after the last id. Written straight from the objects: pages of 999 users are the
/// look-alike's hot path in the benchmark.
fn chunk<'a, T>(
    base: &str,
    path: &str,
    query: &Query,
    page_size: usize,
    all: &'a BTreeMap<String, T>,
) -> (Vec<&'a T>, Option<String>) {
    let top = query.top(page_size);
    let after = query.get("$skiptoken").map_or(Bound::Unbounded, |id| Bound::Excluded(id.to_string()));
    let mut chunk: Vec<(&String, &T)> = all.range((after, Bound::Unbounded)).take(top + 1).collect();
    let next = (chunk.len() > top).then(|| {
        chunk.truncate(top);
        format!("{base}{path}?{}", query.with("$skiptoken", chunk[top - 1].0))
    });
    (chunk.into_iter().map(|(_, o)| o).collect(), next)
}

/// A member of any kind, written with its `@odata.type`.
#[derive(Serialize)]
#[serde(untagged)]
enum MemberJson<'a> {
    User(UserJson<'a>),
    Group(GroupJson<'a>),
}

fn members(base: &str, path: &str, query: &Query, page_size: usize, tenant: &Tenant, id: &str) -> Answer {
    let Some(group) = tenant.groups.get(id) else { return not_found(id) };
    let (top, select) = (query.top(page_size), query.select());
    let from: usize = query.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
    let value: Vec<MemberJson> = group
        .members
        .iter()
        .skip(from)
        .take(top)
        .filter_map(|m| match tenant.member(m)? {
            Member::User(user) => Some(MemberJson::User(UserJson { user, select: &select, typed: true })),
            Member::Group(group) => Some(MemberJson::Group(GroupJson { group, select: &select, typed: true })),
        })
        .collect();
    let next = (from + top < group.members.len())
        .then(|| format!("{base}{path}?{}", query.with("$skiptoken", &(from + top).to_string())));
    page(value, next, None)
}

/// A delta round: every object at first, then what changed since the token. Its pages
/// carry `since.upto.offset`; the last one hands out `upto` as the next delta token.
fn delta(base: &str, path: &str, query: &Query, page_size: usize, tenant: &Tenant, collection: Collection) -> Answer {
    let link = |name: &str, value: &str| format!("{base}{path}?{}", query.with(name, value));
    let now = tenant.seq().to_string();
    let (since, upto, offset) = match (query.get("$skiptoken"), query.get("$deltatoken")) {
        (_, Some("latest")) => return page(Vec::<Value>::new(), None, Some(link("$deltatoken", &now))),
        (Some(token), _) => match parse_round(token) {
            Some(round) => round,
            None => return Answer::error(400, "BadRequest", "The skip token is not valid."),
        },
        (None, Some(token)) => match token.parse::<u64>() {
            Ok(since) if since >= tenant.oldest_valid_token => (Some(since), tenant.seq(), 0),
            Ok(_) => return Answer::fault(&Fault::Gone),
            Err(_) => return Answer::error(400, "BadRequest", "Badly formed delta token."),
        },
        (None, None) => (None, tenant.seq(), 0),
    };
    let select = query.select();
    let items = round_items(tenant, collection, since);
    let top = query.top(page_size);
    let value: Vec<Value> = items.iter().skip(offset).take(top).map(|item| delta_item(item, &select, tenant)).collect();
    if offset + top < items.len() {
        let round = format!("{}.{upto}.{}", since.map_or("all".to_string(), |s| s.to_string()), offset + top);
        return page(value, Some(link("$skiptoken", &round)), None);
    }
    page(value, None, Some(link("$deltatoken", &upto.to_string())))
}

fn parse_round(token: &str) -> Option<(Option<u64>, u64, usize)> {
    let mut parts = token.split('.');
    let since = match parts.next()? {
        "all" => None,
        n => Some(n.parse().ok()?),
    };
    Some((since, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn round_items(tenant: &Tenant, collection: Collection, since: Option<u64>) -> Vec<DeltaItem<'_>> {
    match (since, collection) {
        (Some(since), _) => tenant.changed_since(collection, since),
        (None, Collection::Users) => tenant.users.values().map(DeltaItem::User).collect(),
        (None, Collection::Groups) => tenant.groups.values().map(DeltaItem::Group).collect(),
    }
}

fn delta_item(item: &DeltaItem<'_>, select: &Select, tenant: &Tenant) -> Value {
    match item {
        DeltaItem::User(user) => to_value(UserJson { user, select, typed: false }),
        DeltaItem::Group(group) => {
            let mut value = to_value(GroupJson { group, select, typed: false });
            if select.has("members") {
                value["members@delta"] = Value::Array(member_refs(group, tenant));
            }
            value
        }
        DeltaItem::Removed(id) => json!({"id": id, "@removed": {"reason": "deleted"}}),
    }
}

fn member_refs(group: &TenantGroup, tenant: &Tenant) -> Vec<Value> {
    let kind = |id: &str| match tenant.member(id) {
        Some(Member::Group(_)) => "#microsoft.graph.group",
        _ => "#microsoft.graph.user",
    };
    group.members.iter().map(|m| json!({"@odata.type": kind(m), "id": m})).collect()
}

fn mailbox_settings(tenant: &Tenant, key: &str) -> Answer {
    let Some(user) = tenant.user(key) else { return not_found(key) };
    match &user.purpose {
        Some(purpose) => {
            Answer::json(200, &json!({"timeZone": "UTC", "language": {"locale": "en-US"}, "userPurpose": purpose}))
        }
        None => Answer::error(
            404,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ),
    }
}

/// `POST /v1.0/$batch`: up to 20 GETs of mailbox settings, each answered on its own.
pub fn batch(state: &Lookalike, body: &[u8]) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return Answer::error(400, "BadRequest", "Invalid batch payload format.");
    };
    let items = request["requests"].as_array().cloned().unwrap_or_default();
    if items.is_empty() || items.len() > 20 {
        return Answer::error(400, "BadRequest", "A batch holds between 1 and 20 requests.");
    }
    let responses: Vec<Value> = items.iter().map(|item| batch_item(state, item)).collect();
    Answer::json(200, &json!({ "responses": responses }))
}

fn batch_item(state: &Lookalike, item: &Value) -> Value {
    let id = item["id"].as_str().unwrap_or_default();
    let url = item["url"].as_str().unwrap_or_default();
    let path = format!("/v1.0/{}", url.trim_start_matches('/').split('?').next().unwrap_or_default());
    let answer = match state.faults.hit(BATCH_ITEM) {
        Some(fault) => Answer::fault(&fault),
        None if !path.ends_with("/mailboxSettings") || item["method"] != "GET" => {
            Answer::error(400, "BadRequest", "The look-alike's $batch answers GET …/mailboxSettings only.")
        }
        None if !state.may(needs(&path)) => {
            Answer::error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        }
        None => get(state, &path, &Query::default()),
    };
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let headers = match answer.retry_after {
        Some(seconds) => json!({"Retry-After": seconds.to_string(), "Content-Type": "application/json"}),
        None => json!({"Content-Type": "application/json"}),
    };
    json!({"id": id, "status": answer.status, "headers": headers, "body": body})
}

#[cfg(test)]
mod tests {
    use super::super::state::{App, Settings};
    use super::*;
    use std::time::Duration;

    fn state(page_size: usize) -> Lookalike {
        let app = App { tenant_id: "t".into(), client_id: "c".into(), secret: "s".into(), secret_expired: false };
        let settings = Settings { page_size, latency: Duration::ZERO, token_lifetime: 3599 };
        Lookalike::new("https://127.0.0.1:1".into(), Tenant::company(40), app, settings)
    }

    fn json_of(answer: Answer) -> Value {
        serde_json::from_slice(&answer.body).unwrap()
    }

    #[test]
    fn lists_page_by_id_until_no_next_link() {
        let s = state(7);
        let mut query = Query::parse(Some("$select=id,mail&$top=999"));
        let mut seen = 0;
        for _ in 0..20 {
            let page = json_of(get(&s, "/v1.0/users", &query));
            seen += page["value"].as_array().unwrap().len();
            let Some(next) = page["@odata.nextLink"].as_str() else { break };
            query = Query::parse(next.split_once('?').map(|(_, q)| q));
        }
        assert_eq!(seen, lock(&s.tenant).users.len());
    }

    #[test]
    fn a_delta_round_ends_with_a_link_that_later_gives_only_changes() {
        let s = state(999);
        let latest = json_of(get(&s, "/v1.0/users/delta", &Query::parse(Some("$deltatoken=latest"))));
        let link = latest["@odata.deltaLink"].as_str().unwrap().to_string();
        let id = lock(&s.tenant).users.keys().next().unwrap().clone();
        lock(&s.tenant).delete_user(&id);
        let round = json_of(get(&s, "/v1.0/users/delta", &Query::parse(link.split_once('?').map(|(_, q)| q))));
        assert_eq!(round["value"], json!([{"id": id, "@removed": {"reason": "deleted"}}]));
        lock(&s.tenant).oldest_valid_token = u64::MAX;
        assert_eq!(get(&s, "/v1.0/users/delta", &Query::parse(link.split_once('?').map(|(_, q)| q))).status, 410);
    }
}
