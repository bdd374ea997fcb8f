//! Excluding a subtree from the TUI: `[exclude] subtrees` edited in place with toml_edit.

use super::form::{FormError, write_atomically};
use crate::dn::Dn;
use std::path::Path;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// Adds `dn` to `[exclude] subtrees`, or removes it (and every spelling of it) if present.
/// Returns whether the subtree is excluded afterwards.
pub fn toggle_subtree(path: Option<&Path>, dn: &str) -> Result<bool, FormError> {
    edit(path, |doc| toggle_in(doc, dn))
}

/// Adds `address` to `[sync] exempt` (once): adsync never touches it again.
pub fn add_exemption(path: Option<&Path>, address: &str) -> Result<(), FormError> {
    edit(path, |doc| {
        let sync = table(doc, "sync");
        if !sync.contains_key("exempt") {
            sync["exempt"] = toml_edit::value(Array::new());
        }
        if let Some(list) = sync["exempt"].as_array_mut()
            && !list.iter().any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(address)))
        {
            list.push(address);
        }
    })
}

fn table<'d>(doc: &'d mut DocumentMut, name: &str) -> &'d mut Table {
    if !doc.contains_table(name) {
        doc[name] = Item::Table(Table::new());
    }
    doc[name].as_table_mut().expect("ensured above")
}

/// Reads the config file, lets `change` edit it in place, writes it back atomically.
fn edit<T>(path: Option<&Path>, change: impl FnOnce(&mut DocumentMut) -> T) -> Result<T, FormError> {
    let path = path.ok_or(FormError::NoFile)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FormError::Read { path: shown.clone(), source })?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| FormError::Parse { path: shown.clone(), detail: e.message().to_string() })?;
    let result = change(&mut doc);
    write_atomically(path, &doc.to_string()).map_err(|source| FormError::Write { path: shown, source })?;
    Ok(result)
}

fn toggle_in(doc: &mut DocumentMut, dn: &str) -> bool {
    let table = table(doc, "exclude");
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

    #[test]
    fn exemptions_are_added_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "# keep\n[sync]\ndelete = true\n").unwrap();
        add_exemption(Some(&path), "boss@x.com").unwrap();
        add_exemption(Some(&path), "BOSS@x.com").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# keep") && text.contains("exempt = [\"boss@x.com\"]"), "{text}");
    }
}
