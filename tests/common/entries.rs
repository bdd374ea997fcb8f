//! Directory entries made by hand, for tests that plan without a directory. Included by path
//! where the lab helpers are not needed.
#![allow(dead_code)]

use adsync::model::{DirectoryEntry, EntryKind, ObjectId};

/// An enabled user with given name and surname, synced as `email`.
pub fn person(id: ObjectId, email: &str, first: &str, last: &str) -> DirectoryEntry {
    DirectoryEntry {
        id: Some(id),
        dn: format!("CN={first} {last},OU=People,DC=example,DC=com"),
        kind: EntryKind::User,
        primary_email: email.into(),
        aliases: vec![],
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        display_name: None,
        enabled: true,
        hidden: false,
        member_count: None,
        source: None,
    }
}
