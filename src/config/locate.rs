//! Maps between dotted key paths and byte spans of a TOML document.
//!
//! serde tells us *what* is wrong and roughly where; this index tells us which key
//! that is, and, for checks made after deserialising, where a key was written.

use std::ops::Range;
use toml_edit::{Document, Item, Table, Value};

#[derive(Debug, Clone)]
pub struct KeyPlace {
    pub path: String,
    pub key: Range<usize>,
    pub value: Option<Range<usize>>,
}

#[derive(Debug, Default)]
pub struct KeyIndex {
    places: Vec<KeyPlace>,
}

impl KeyIndex {
    pub fn build(text: &str) -> Self {
        let mut index = Self::default();
        if let Ok(doc) = Document::parse(text.to_string()) {
            index.walk_table(doc.as_table(), "");
        }
        index
    }

    fn walk_table(&mut self, table: &Table, prefix: &str) {
        for (key, item) in table.iter() {
            let path = join(prefix, key);
            let key_span = table.key(key).and_then(|k| k.span());
            match item {
                Item::Table(inner) => {
                    if let Some(span) = key_span {
                        self.places.push(KeyPlace { path: path.clone(), key: span, value: None });
                    }
                    self.walk_table(inner, &path);
                }
                Item::Value(value) => self.add_value(&path, key_span, value),
                Item::ArrayOfTables(array) => {
                    for inner in array.iter() {
                        self.walk_table(inner, &path);
                    }
                }
                Item::None => {}
            }
        }
    }

    fn add_value(&mut self, path: &str, key_span: Option<Range<usize>>, value: &Value) {
        let value_span = value.span();
        if let Some(key) = key_span.or_else(|| value_span.clone()) {
            self.places.push(KeyPlace { path: path.to_string(), key, value: value_span });
        }
        if let Value::InlineTable(inline) = value {
            for (k, v) in inline.iter() {
                let span = inline.key(k).and_then(|key| key.span());
                self.add_value(&join(path, k), span, v);
            }
        }
    }

    /// Where `path` was written: its value if it has one, else its key.
    pub fn span_of(&self, path: &str) -> Option<Range<usize>> {
        let place = self.places.iter().find(|p| p.path == path)?;
        Some(place.value.clone().unwrap_or_else(|| place.key.clone()))
    }

    /// The most specific key whose key or value contains `offset`.
    pub fn key_at(&self, offset: usize) -> Option<&KeyPlace> {
        let contains = |r: &Range<usize>| r.start <= offset && offset < r.end.max(r.start + 1);
        self.places
            .iter()
            .filter(|p| contains(&p.key) || p.value.as_ref().is_some_and(contains))
            .max_by_key(|p| p.path.matches('.').count())
    }

    /// True when `offset` lies inside a secret written into the file: a `password`, or a
    /// webhook URL (chat webhooks carry their token in it).
    pub fn inside_secret(&self, offset: usize) -> bool {
        self.key_at(offset)
            .is_some_and(|p| p.path == "password" || p.path.ends_with(".password") || p.path == "notify.webhook_url")
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[source]\nurl = \"ldap://x\"\npassword = \"p\"\n[sync.guards]\nmax_deletes = 3\n";

    #[test]
    fn finds_spans_by_path_and_paths_by_offset() {
        let idx = KeyIndex::build(DOC);
        let span = idx.span_of("source.url").unwrap();
        assert_eq!(&DOC[span], "\"ldap://x\"");
        let at = DOC.find("3\n").unwrap();
        assert_eq!(idx.key_at(at).unwrap().path, "sync.guards.max_deletes");
        assert!(idx.inside_secret(DOC.find("\"p\"").unwrap()));
        assert!(!idx.inside_secret(DOC.find("ldap").unwrap()));
    }
}
