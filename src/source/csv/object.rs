//! A checked row as the classifier's object, the tree's node and the attribute panel's entry.

use super::rules::Row;
use crate::model::{DirObject, EntryDetails, MailboxPurpose, NodeKind, ObjectClass, ObjectId, TreeNode};

/// A row's id: a UUIDv5 of `mailto:` and its lower-cased primary address, so the state file
/// keeps UUIDs, and a new primary address is a new person.
pub fn id(primary: &str) -> ObjectId {
    ObjectId(uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("mailto:{}", primary.to_lowercase()).as_bytes()))
}

/// What `search --json` and the tree call a row.
pub fn dn(line: u64) -> String {
    format!("line {line}")
}

/// The line a row's `dn` names; `None` for anything `dn` does not write (`line 07`, `line +7`).
pub fn line(dn_text: &str) -> Option<u64> {
    let line = dn_text.strip_prefix("line ")?.parse().ok()?;
    (dn(line) == dn_text).then_some(line)
}

fn some(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn display_name(row: &Row) -> String {
    format!("{} {}", row.first_name, row.last_name).trim().to_string()
}

pub fn dir_object(row: Row) -> DirObject {
    let mut obj = DirObject::new(dn(row.line), ObjectClass::User);
    obj.id = Some(id(&row.primary));
    obj.display_name = some(display_name(&row));
    obj.account_enabled = Some(row.enabled);
    obj.mailbox_purpose = Some(if row.functional { MailboxPurpose::Shared } else { MailboxPurpose::User });
    obj.proxy_addresses = std::iter::once(format!("SMTP:{}", row.primary))
        .chain(row.aliases.iter().map(|a| format!("smtp:{a}")))
        .collect();
    obj.mail = Some(row.primary);
    obj.given_name = some(row.first_name);
    obj.surname = some(row.last_name);
    obj
}

/// One line of the Directory pane: line number, name and address; the markers come from
/// `disabled` and the kind.
pub fn tree_node(row: &Row) -> TreeNode {
    TreeNode {
        dn: dn(row.line),
        label: format!("{:>5}  {}", row.line, display_name(row)),
        kind: if row.functional { NodeKind::Group } else { NodeKind::User },
        disabled: !row.enabled,
        mail: Some(row.primary.clone()),
        ..TreeNode::default()
    }
}

pub fn details(row: &Row) -> EntryDetails {
    let one = |name: &str, value: String| (name.to_string(), vec![value]);
    EntryDetails {
        dn: dn(row.line),
        attributes: vec![
            one("line", row.line.to_string()),
            one("first_name", row.first_name.clone()),
            one("last_name", row.last_name.clone()),
            one("email", row.primary.clone()),
            ("aliases".into(), row.aliases.clone()),
            one("kind", if row.functional { "functional" } else { "user" }.into()),
            one("enabled", row.enabled.to_string()),
            one("id", id(&row.primary).to_string()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryKind;
    use crate::source::classify::{Policy, classify};

    fn row(functional: bool, enabled: bool) -> Row {
        Row {
            line: 7,
            first_name: "Zoë".into(),
            last_name: "Lee".into(),
            primary: "zoe@x.com".into(),
            aliases: vec!["z@x.com".into()],
            functional,
            enabled,
        }
    }

    #[test]
    fn a_row_classifies_as_the_user_or_functional_account_it_says() {
        let c = classify(vec![dir_object(row(false, true))], &Policy::default());
        let e = &c.entries[0];
        assert_eq!(
            (e.dn.as_str(), e.first_name.as_deref(), e.aliases.clone()),
            ("line 7", Some("Zoë"), vec!["z@x.com".into()])
        );
        assert_eq!(
            (e.id, e.kind, e.display_name.as_deref()),
            (Some(id("Zoe@X.com")), EntryKind::User, Some("Zoë Lee"))
        );
        let functional = classify(vec![dir_object(row(true, false))], &Policy::default());
        assert_eq!(functional.entries[0].kind, EntryKind::Functional);
        let disabled = classify(vec![dir_object(row(false, false))], &Policy::default());
        assert!(disabled.entries.is_empty() && disabled.skipped.len() == 1);
    }

    #[test]
    fn line_reads_back_only_what_dn_writes() {
        assert_eq!(line(&dn(7)), Some(7));
        assert_eq!(line(&dn(u64::MAX)), Some(u64::MAX));
        for other in ["line 07", "line +7", "line 7 ", "line", "line x", "Line 7", "7"] {
            assert_eq!(line(other), None, "{other:?}");
        }
    }

    #[test]
    fn the_id_is_a_uuid_v5_of_the_lower_cased_address() {
        assert_eq!(id("Ann@X.com"), id("ann@x.com"));
        assert_eq!(id("ann@x.com").0.get_version_num(), 5);
        assert_ne!(id("ann@x.com"), id("ann2@x.com"));
    }
}
