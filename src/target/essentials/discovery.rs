//! Where the organisation's API lives: a configured stack, an explicit `api_url`, or the
//! stack the service names for the domain (`GET {discovery_url}/endpoints/{domain}`).

use super::client::{ApiClient, Call};
use crate::config::Stack;
use crate::target::TargetError;
use serde_json::Value;
use url::Url;

/// Any stack answers the endpoints lookup; us1 is the oldest.
pub const DEFAULT_DISCOVERY_URL: &str = "https://us1.proofpointessentials.com/api/v1";

pub fn stack_name(stack: Stack) -> &'static str {
    match stack {
        Stack::Us1 => "us1",
        Stack::Us2 => "us2",
        Stack::Us3 => "us3",
        Stack::Us4 => "us4",
        Stack::Us5 => "us5",
        Stack::Eu1 => "eu1",
    }
}

pub fn stack_url(name: &str) -> String {
    format!("https://{name}.proofpointessentials.com/api/v1")
}

/// `base` with `segments` appended, each one percent-encoded as a path segment.
pub fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    // Only URLs like mailto: cannot take segments, and config validation allows http(s) only.
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

pub fn parse_base(key: &str, text: &str) -> Result<Url, TargetError> {
    Url::parse(text.trim()).map_err(|e| TargetError::Setup(format!("{key} \"{text}\" is not a URL: {e}")))
}

/// Asks the service which stack serves `domain`.
pub async fn discover(client: &ApiClient, discovery: &Url, domain: &str) -> Result<Url, TargetError> {
    let call = Call::get(join(discovery, &["endpoints", domain]));
    let answer = client.send(&call).await?;
    let unknown = |server: String| TargetError::UnknownDomain { domain: domain.to_string(), server };
    match answer.status.as_u16() {
        200 => {}
        404 => return Err(unknown(format!("404 from {}", call.url))),
        status => {
            let (method, path) = call.label();
            let what = format!("the stack lookup {method} {path} answered {status}");
            return Err(TargetError::Protocol { what, detail: client.server_message(&answer.body) });
        }
    }
    let listed = endpoints(&answer.body).map_err(|detail| TargetError::Protocol {
        what: format!("the stack lookup for {domain} sent something else than a list of endpoints"),
        detail,
    })?;
    let base = listed.iter().find_map(endpoint_base);
    base.ok_or_else(|| unknown("the service lists no endpoint for it".into()))
}

/// The published API answers a bare list of base URLs; some clients read
/// `{"endpoints":[…]}`. Both are accepted.
fn endpoints(body: &[u8]) -> Result<Vec<Value>, String> {
    match serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())? {
        Value::Array(list) => Ok(list),
        Value::Object(mut map) => match map.remove("endpoints") {
            Some(Value::Array(list)) => Ok(list),
            _ => Err("an object without an \"endpoints\" list".into()),
        },
        other => Err(format!("expected a list or {{\"endpoints\":[…]}}, got {other}")),
    }
}

/// An endpoint entry as a base URL: a full URL, a host name or a stack name; an object
/// carrying one of those under a usual key also counts.
fn endpoint_base(entry: &Value) -> Option<Url> {
    let text = match entry {
        Value::String(s) => s.as_str(),
        Value::Object(map) => ["url", "endpoint", "host", "hostname", "stack"]
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_str))?,
        _ => return None,
    };
    let text = text.trim().trim_end_matches('/');
    if text.starts_with("http://") || text.starts_with("https://") {
        let url = Url::parse(text).ok()?;
        return Some(if matches!(url.path(), "" | "/") { join(&url, &["api", "v1"]) } else { url });
    }
    if text.is_empty() || text.contains('/') {
        return None;
    }
    let is_stack_name = !text.contains('.');
    Url::parse(&if is_stack_name { stack_url(text) } else { format!("https://{text}/api/v1") }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoint_entries_in_their_usual_forms() {
        let base = |v: Value| endpoint_base(&v).map(|u| u.to_string());
        let us2 = Some("https://us2.proofpointessentials.com/api/v1".to_string());
        assert_eq!(base(json!("us2")), us2);
        assert_eq!(base(json!("us2.proofpointessentials.com")), us2);
        assert_eq!(base(json!("https://us2.proofpointessentials.com")), us2);
        assert_eq!(base(json!("https://us2.proofpointessentials.com/api/v1/")), us2);
        assert_eq!(base(json!({"stack": "us2"})), us2);
        assert_eq!(base(json!(7)), None);
    }

    #[test]
    fn both_answer_shapes_list_the_endpoints() {
        let bare = br#"["https://us2.proofpointessentials.com"]"#;
        let wrapped = br#"{"endpoints":["https://us2.proofpointessentials.com"]}"#;
        assert_eq!(endpoints(bare).unwrap(), endpoints(wrapped).unwrap());
        assert!(endpoints(br#"{"stacks":[]}"#).unwrap_err().contains("\"endpoints\""));
        assert!(endpoints(b"7").is_err());
    }

    #[test]
    fn joined_segments_are_encoded() {
        let base = Url::parse("https://x.test/api/v1/").unwrap();
        let url = join(&base, &["orgs", "example.com", "users", "a b/c@example.com"]);
        assert_eq!(url.path(), "/api/v1/orgs/example.com/users/a%20b%2Fc@example.com");
    }
}
