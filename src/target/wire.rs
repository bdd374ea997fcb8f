//! The API's JSON shapes, shared by the API client and the file target (whose file is exactly
//! the API's list answer, so a real export can be dropped in).

use crate::model::Account;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct UsersIn {
    users: Vec<Account>,
}

#[derive(Serialize)]
struct UsersOut<'a> {
    users: Vec<&'a Account>,
}

/// `{"users":[…]}`, or a bare list (some API versions and hand-made files use it).
pub fn parse_users(bytes: &[u8]) -> Result<Vec<Account>, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let parsed = match first {
        Some(b'{') => serde_json::from_slice::<UsersIn>(bytes).map(|u| u.users),
        Some(b'[') => serde_json::from_slice::<Vec<Account>>(bytes),
        Some(_) => return Err("expected {\"users\":[…]} or a list of users".into()),
        None => return Err("the answer is empty".into()),
    };
    parsed.map_err(|e| e.to_string())
}

/// `{"users":[…]}`, pretty-printed so a diff of two versions is readable.
pub fn users_document<'a>(accounts: impl IntoIterator<Item = &'a Account>) -> Vec<u8> {
    let doc = UsersOut { users: accounts.into_iter().collect() };
    // Serialising plain data into memory cannot fail.
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    identifier: Option<serde_json::Value>,
}

/// Longest piece of a non-JSON error body quoted in a message.
const MAX_QUOTED: usize = 200;

/// The service's `{"errors":[{"status","error_message","identifier"}]}` as one readable line;
/// any other body is quoted, shortened.
pub fn error_message(body: &[u8]) -> String {
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        let parts: Vec<String> = parsed.errors.iter().map(describe_item).filter(|s| !s.is_empty()).collect();
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    let text = String::from_utf8_lossy(body);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

fn describe_item(item: &ErrorItem) -> String {
    let message = item.error_message.as_deref().unwrap_or("").trim();
    let id = match &item.identifier {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        Some(v @ serde_json::Value::Number(_)) => v.to_string(),
        _ => return message.to_string(),
    };
    if message.is_empty() { id } else { format!("{message} ({id})") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_list_shapes_parse() {
        let wrapped = br#" {"users":[{"primary_email":"a@x.com"}], "total": 1}"#;
        let bare = br#"[{"primary_email":"a@x.com"}]"#;
        assert_eq!(parse_users(wrapped).unwrap(), parse_users(bare).unwrap());
        assert!(parse_users(b"nope").is_err());
        assert!(parse_users(b"  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn error_bodies_become_one_line() {
        let body = br#"{"errors":[{"status":409,"error_message":"User already exists","identifier":"a@x.com"}]}"#;
        assert_eq!(error_message(body), "User already exists (a@x.com)");
        assert_eq!(error_message(b"<html>\n Bad\n Gateway </html>"), "<html> Bad Gateway </html>");
        assert_eq!(error_message(&[b'x'; 300]).chars().count(), MAX_QUOTED + 1);
    }

    #[test]
    fn the_document_round_trips() {
        let accounts = parse_users(br#"[{"primary_email":"a@x.com","mobile":"1"}]"#).unwrap();
        assert_eq!(parse_users(&users_document(&accounts)).unwrap(), accounts);
    }
}
