//! Excluding a subtree from the TUI: `[exclude] subtrees` edited in place with toml_edit.

use super::form::{FormError, write_atomically};
use crate::dn::Dn;
use std::path::Path;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// Adds `dn` to `[exclude] subtrees`, or removes it (and every spelling of it) if present.
/// Returns whether the subtree is excluded afterwards.
pub fn toggle_subtree(path: Option<&Path>, dn: &str) -> Result<bool, FormError> {
    let path = path.ok_or(FormError::NoFile)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FormError::Read { path: shown.clone(), source })?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| FormError::Parse { path: shown.clone(), detail: e.message().to_string() })?;
    let excluded = toggle_in(&mut doc, dn);
    write_atomically(path, &doc.to_string()).map_err(|source| FormError::Write { path: shown, source })?;
    Ok(excluded)
}

fn toggle_in(doc: &mut DocumentMut, dn: &str) -> bool {
    if !doc.contains_table("exclude") {
        doc["exclude"] = Item::Table(Table::new());
    }
    let table = doc["exclude"].as_table_mut().expect("ensured above");
    if !table.contains_key("subtrees") {
        table["subtrees"] = toml_edit::value(Array::new());
    }
    let Some(array) = table["subtrees"].as_array_mut() else {
        table["subtrees"] = toml_edit::value(Array::from_iter([dn]));
        return true;
    };
    let target = Dn::parse(dn).ok();
    let same = |v: &Value| v.as_str().and_then(|s| Dn::parse(s).ok()) == target;
    let before = array.len();
    array.retain(|v| !same(v));
    if array.len() < before {
        return false;
    }
    array.push(dn);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_adds_then_removes_any_spelling() {
        let mut doc: DocumentMut = "# top\n[source]\nkind = \"ldap\"\n".parse().unwrap();
        assert!(toggle_in(&mut doc, "OU=Test,DC=x"));
        assert!(doc.to_string().contains("subtrees = [\"OU=Test,DC=x\"]"));
        assert!(!toggle_in(&mut doc, "ou=test, dc=X"));
        assert!(doc.to_string().contains("subtrees = []"));
        assert!(doc.to_string().starts_with("# top"));
    }
}
