//! Excluding a subtree from the TUI: `[exclude] subtrees` (or one `[[source]]`'s own
//! `[source.exclude] subtrees`) edited in place with toml_edit.

use super::form::{FormError, read_document, source_table, sub_table, table, write_atomically};
use crate::dn::Dn;
use std::path::Path;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// Adds `dn` to `[exclude] subtrees`, or removes it (and every spelling of it) if present.
/// With `source`, the subtree is that `[[source]]`'s own exclusion (`[source.exclude]`); one
/// excluded for every source is included again from there too. Returns whether the subtree
/// is excluded afterwards.
pub fn toggle_subtree(path: Option<&Path>, dn: &str, source: Option<&str>) -> Result<bool, FormError> {
    let shown = path.map(|p| p.display().to_string()).unwrap_or_default();
    edit(path, |doc| match source {
        None => Ok(toggle_in(table(doc, "exclude"), dn)),
        Some(_) if remove_from(table(doc, "exclude"), dn) => Ok(false),
        Some(name) => {
            let own = source_table(doc, name).ok_or_else(|| FormError::NoSource { path: shown, name: name.into() })?;
            Ok(toggle_in(sub_table(own, "exclude"), dn))
        }
    })
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
        Ok(())
    })
}

/// Reads the config file, lets `change` edit it in place, writes it back atomically.
/// A change that fails leaves the file as it was.
fn edit<T>(path: Option<&Path>, change: impl FnOnce(&mut DocumentMut) -> Result<T, FormError>) -> Result<T, FormError> {
    let path = path.ok_or(FormError::NoFile)?;
    let mut doc = read_document(path)?;
    let result = change(&mut doc)?;
    let shown = path.display().to_string();
    write_atomically(path, &doc.to_string()).map_err(|source| FormError::Write { path: shown, source })?;
    Ok(result)
}

/// In an exclude table: `dn` added to `subtrees`, or taken out when there.
fn toggle_in(table: &mut Table, dn: &str) -> bool {
    if remove_from(table, dn) {
        return false;
    }
    match table.get_mut("subtrees").and_then(Item::as_array_mut) {
        Some(array) => array.push(dn),
        None => table["subtrees"] = toml_edit::value(Array::from_iter([dn])),
    }
    true
}

/// Takes every spelling of `dn` out of the table's `subtrees`; whether there was one.
fn remove_from(table: &mut Table, dn: &str) -> bool {
    let Some(array) = table.get_mut("subtrees").and_then(Item::as_array_mut) else { return false };
    let target = Dn::parse(dn).ok();
    let same = |v: &Value| v.as_str().and_then(|s| Dn::parse(s).ok()) == target;
    let before = array.len();
    array.retain(|v| !same(v));
    array.len() < before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_adds_then_removes_any_spelling() {
        let mut doc: DocumentMut = "# top\n[source]\nkind = \"ldap\"\n".parse().unwrap();
        assert!(toggle_in(table(&mut doc, "exclude"), "OU=Test,DC=x"));
        assert!(doc.to_string().contains("subtrees = [\"OU=Test,DC=x\"]"));
        assert!(!toggle_in(table(&mut doc, "exclude"), "ou=test, dc=X"));
        assert!(doc.to_string().contains("subtrees = []"));
        assert!(doc.to_string().starts_with("# top"));
    }

    const TWO: &str = "[[source]]\nname = \"hq\"\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:3893\"\nbase_dn = \"dc=x\"\n\n# the contractors\n[[source]]\nname = \"staff\"\nkind = \"csv\"\npath = \"/tmp/s.csv\"\n\n[exclude]\nsubtrees = [\"OU=Old,DC=x\"]\n";

    fn parsed(path: &Path) -> crate::config::Config {
        crate::config::Config::load(path).unwrap()
    }

    #[test]
    fn a_source_s_subtree_goes_to_its_own_exclusions_and_comes_back_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, TWO).unwrap();
        assert!(toggle_subtree(Some(&path), "OU=Temp,DC=x", Some("HQ")).unwrap());
        let config = parsed(&path);
        let own: Vec<&str> = config.sources[0].exclude.subtrees.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(own, ["OU=Temp,DC=x"]);
        assert!(config.sources[1].exclude.subtrees.is_empty());
        assert_eq!(config.exclude.subtrees.len(), 1, "the shared exclusions are left alone");
        assert!(std::fs::read_to_string(&path).unwrap().contains("# the contractors\n[[source]]"));
        assert!(!toggle_subtree(Some(&path), "ou=temp,dc=x", Some("hq")).unwrap());
        assert!(parsed(&path).sources[0].exclude.subtrees.is_empty());
    }

    #[test]
    fn a_subtree_excluded_for_every_source_is_included_again_from_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, TWO).unwrap();
        assert!(!toggle_subtree(Some(&path), "OU=Old,DC=x", Some("staff")).unwrap());
        let config = parsed(&path);
        assert!(config.exclude.subtrees.is_empty() && config.sources[1].exclude.subtrees.is_empty());
    }

    #[test]
    fn a_source_no_longer_in_the_file_is_named_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, TWO).unwrap();
        let e = toggle_subtree(Some(&path), "OU=Temp,DC=x", Some("branch")).unwrap_err().to_string();
        assert!(e.contains("\"branch\"") && e.contains("nothing was written"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), TWO);
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
