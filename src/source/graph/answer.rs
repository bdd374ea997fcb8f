//! One answer of Entra ID or Microsoft Graph, bytes in, read the way a read reads it: a page
//! of users, groups or members, a delta page merged into a snapshot, a `$batch` answer, a
//! token grant or refusal, an error body. The path a server's bytes take, in one call, for
//! the fuzzer and its regression tests (as `ldap::entry::read_message` is for LDAP).

use super::client::{Answer, parse, path_of, refusal};
use super::error::GraphError;
use super::mailbox;
use super::mapping::{group_object, user_object};
use super::objects::{Change, Group, User};
use super::pages::Page;
use super::read::apply;
use super::token;
use crate::model::DirObject;
use crate::source::classify::{Policy, classify};
use serde::de::IgnoredAny;
use serde_json::Value;

const API: &str = "https://graph.microsoft.com/v1.0/";

/// Which answer the bytes are taken for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    Users,
    Groups,
    Members,
    UsersDelta,
    GroupsDelta,
    Batch,
    TokenGrant,
    TokenRefusal,
    ErrorBody,
}

impl AnswerKind {
    pub const ALL: [AnswerKind; 9] = [
        Self::Users,
        Self::Groups,
        Self::Members,
        Self::UsersDelta,
        Self::GroupsDelta,
        Self::Batch,
        Self::TokenGrant,
        Self::TokenRefusal,
        Self::ErrorBody,
    ];

    /// The kind a fuzz input's first byte names: a letter for the seeds (`u` users, `g`
    /// groups, `m` members, `U`/`G` delta pages, `b` a batch, `t` a token, `r` a token
    /// refusal, `e` an error body), any other byte by its value, so no input is wasted.
    pub fn from_byte(byte: u8) -> Self {
        match byte {
            b'u' => Self::Users,
            b'g' => Self::Groups,
            b'm' => Self::Members,
            b'U' => Self::UsersDelta,
            b'G' => Self::GroupsDelta,
            b'b' => Self::Batch,
            b't' => Self::TokenGrant,
            b'r' => Self::TokenRefusal,
            b'e' => Self::ErrorBody,
            other => Self::ALL[usize::from(other) % Self::ALL.len()],
        }
    }
}

/// Reads `body` as a `kind` answer; how many objects (or items) it gave. An error is a
/// refusal of the input, never a panic.
pub fn read_answer(kind: AnswerKind, body: &[u8]) -> Result<usize, GraphError> {
    match kind {
        AnswerKind::Users => page::<User>("users", body).map(|p| classified(p.value.into_iter().map(user_object))),
        AnswerKind::Groups => page::<Group>("groups", body).map(|p| classified(p.value.into_iter().map(group_object))),
        AnswerKind::Members => page::<IgnoredAny>("groups/1/members", body).map(|p| p.value.len()),
        AnswerKind::UsersDelta => delta(body, known_users(), user_object),
        AnswerKind::GroupsDelta => delta(body, known_groups(), group_object),
        AnswerKind::Batch => batch(body),
        AnswerKind::TokenGrant => token::granted(body).map(|_| 1),
        AnswerKind::TokenRefusal => Err(token::refused(400, body)),
        AnswerKind::ErrorBody => {
            Err(refusal(&format!("{API}users"), &Answer { status: 403, body: body.to_vec().into() }))
        }
    }
}

/// A page as the walk reads it, its links checked as the walk would see them.
fn page<T: serde::de::DeserializeOwned>(path: &str, body: &[u8]) -> Result<Page<T>, GraphError> {
    let page: Page<T> = parse(&format!("{API}{path}"), body)?;
    for link in page.next_link.iter().chain(&page.delta_link) {
        let _ = path_of(link);
    }
    Ok(page)
}

fn classified(objects: impl Iterator<Item = DirObject>) -> usize {
    let c = classify(objects.collect(), &Policy::default());
    c.entries.len() + c.skipped.len()
}

/// A delta page's changes merged into a snapshot that knows the ids `1` and `2`.
fn delta<T>(body: &[u8], known: Vec<T>, object: fn(T) -> DirObject) -> Result<usize, GraphError>
where
    T: super::objects::Identified + serde::Serialize + serde::de::DeserializeOwned + Default + Clone,
{
    let page = page::<Value>("users/delta", body)?;
    let changes = page.value.into_iter().filter_map(Change::read).collect();
    let (merged, _) = apply(known, changes)?;
    Ok(classified(merged.into_iter().map(object)))
}

fn known_users() -> Vec<User> {
    ["1", "2"].map(|id| User { id: id.into(), mail: Some(format!("u{id}@example.com")), ..User::default() }).into()
}

fn known_groups() -> Vec<Group> {
    ["1", "2"].map(|id| Group { id: id.into(), mail_enabled: Some(true), ..Group::default() }).into()
}

/// A `$batch` answer for twenty users, sorted as the read sorts it.
fn batch(body: &[u8]) -> Result<usize, GraphError> {
    let items = mailbox::read_batch(&format!("{API}$batch"), body)?;
    let pending: Vec<String> = (0..20).map(|k| format!("user-{k}")).collect();
    let sorted = mailbox::sort(items, &pending, API)?;
    Ok(sorted.found.len() + sorted.again.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_a_well_formed_answer() {
        let cases: [(AnswerKind, &str, usize); 6] = [
            (AnswerKind::Users, r#"{"value":[{"id":"1","mail":"a@x.com","accountEnabled":true}]}"#, 1),
            (AnswerKind::Groups, r#"{"value":[{"id":"1","mailEnabled":false}],"@odata.nextLink":"x"}"#, 1),
            (AnswerKind::Members, r#"{"value":[{"id":"1"},{"id":"2"}]}"#, 2),
            (AnswerKind::UsersDelta, r#"{"value":[{"id":"2","@removed":{}},{"id":"3"}],"@odata.deltaLink":"d"}"#, 2),
            (AnswerKind::Batch, r#"{"responses":[{"id":"0","status":200,"body":{"userPurpose":"shared"}}]}"#, 1),
            (AnswerKind::TokenGrant, r#"{"access_token":"t","expires_in":3599}"#, 1),
        ];
        for (kind, body, objects) in cases {
            assert_eq!(read_answer(kind, body.as_bytes()).unwrap(), objects, "{kind:?}");
        }
    }

    #[test]
    fn refusals_are_errors_that_name_what_was_read() {
        let body = br#"{"responses":[{"id":"0","status":403,"body":{"error":{"code":"ErrorAccessDenied"}}}]}"#;
        let e = read_answer(AnswerKind::Batch, body).unwrap_err().to_string();
        assert!(e.contains("MailboxSettings.Read"), "{e}");
        let e = read_answer(AnswerKind::Users, b"{\"value\":[{}]}").unwrap_err().to_string();
        assert!(e.starts_with("Graph: /v1.0/users answered something adsync cannot read"), "{e}");
    }
}
