//! `adsync search --json`'s shape, the contract scripts rely on, whatever the source.

use serde_json::Value;
use std::collections::BTreeSet;

const ENTRY: [&str; 11] = [
    "id",
    "dn",
    "kind",
    "primary_email",
    "aliases",
    "first_name",
    "last_name",
    "display_name",
    "enabled",
    "hidden",
    "member_count",
];

fn keys(value: &Value) -> BTreeSet<&str> {
    value.as_object().expect("an object").keys().map(String::as_str).collect()
}

/// Top-level keys, the keys of an entry and of a skipped object: exactly these.
pub fn assert_search_json_shape(doc: &Value) {
    assert_eq!(keys(doc), BTreeSet::from(["complete", "flavor", "entries", "skipped"]));
    assert_eq!(keys(&doc["entries"][0]), BTreeSet::from(ENTRY));
    assert_eq!(keys(&doc["skipped"][0]), BTreeSet::from(["dn", "reason"]));
}
