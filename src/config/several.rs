//! `[[source]]` given several times: one organisation merging several directories. Each
//! source is checked by the same code as a lone `[source]`, on a copy of the file in which
//! the other sources are blanked out (spaces, newlines kept) and its own header reads
//! `[source]`, so every error keeps its line and column. `name`, `priority` and the
//! source's own `[source.exclude]` are taken out first: they belong to the merge, not to any
//! kind of source.

use super::error::{ConfigError, SourceText};
use super::schema::ExcludeConfig;
use super::secret::SecretSource;
use super::source::SourceConfig;
use std::collections::HashSet;
use std::ops::Range;
use toml_edit::{Document, Item, Table};

/// The name a lone `[source]` (or a single `[[source]]` without one) goes by.
pub const DEFAULT_NAME: &str = "default";

/// One source of an organisation, with what the merge needs to know about it.
#[derive(Clone, Debug)]
pub struct NamedSource {
    pub name: String,
    /// On the same address from two sources, the larger wins; unset or equal is a conflict.
    pub priority: Option<i64>,
    pub source: SourceConfig,
    /// The LDAP bind password (a graph source keeps its client secret in its own config).
    pub bind_password: Option<SecretSource>,
    /// `[source.exclude]`: excluded from this source only, besides the file's `[exclude]`.
    pub exclude: ExcludeConfig,
}

/// Only each `[[source]]`'s `[source.exclude]` (serde ignores the other keys here; the
/// single-source checks see those).
#[derive(serde::Deserialize)]
pub struct Exclusions {
    pub source: Vec<OwnExclusions>,
}

#[derive(serde::Deserialize)]
pub struct OwnExclusions {
    #[serde(default)]
    pub exclude: ExcludeConfig,
}

/// One `[[source]]` table's part of the file: its name and priority, and the file as the
/// single-source checks should see it.
pub struct Part {
    pub name: String,
    pub priority: Option<i64>,
    pub text: String,
}

/// `None` when the file has no `[[source]]` array (a lone `[source]`, or none at all).
pub fn split(text: &str, file: &SourceText<'_>) -> Result<Option<Vec<Part>>, ConfigError> {
    let Ok(doc) = Document::parse(text.to_string()) else { return Ok(None) };
    let Some(Item::ArrayOfTables(array)) = doc.get("source") else { return Ok(None) };
    let regions = regions(text);
    if regions.len() != array.len() {
        // A `[[source]]` header written in a way the line scan does not see (inline, say).
        return Err(file.invalid(
            None,
            Some("source".into()),
            "write each [[source]] header on a line of its own".into(),
            false,
        ));
    }
    let several = array.len() > 1;
    let mut seen = HashSet::new();
    let mut parts = Vec::with_capacity(array.len());
    for (table, region) in array.iter().zip(&regions) {
        let name = name_of(table, region, file, several)?;
        if !seen.insert(name.to_lowercase()) {
            let span = table.get("name").and_then(Item::span);
            let problem = format!("two sources are named {name:?}; each [[source]] needs a name of its own");
            return Err(file.invalid(span, Some("source.name".into()), problem, true));
        }
        let priority = priority_of(table, file)?;
        let mut blank: Vec<Range<usize>> =
            ["name", "priority"].iter().filter_map(|k| key_value_span(table, k)).collect();
        blank.extend(sub_table(text, region, "[source.exclude]"));
        parts.push(Part { name, priority, text: variant(text, &regions, region, &blank) });
    }
    Ok(Some(parts))
}

fn name_of(table: &Table, region: &Range<usize>, file: &SourceText<'_>, several: bool) -> Result<String, ConfigError> {
    let header = Some(region.start..region.start + 10);
    match table.get("name") {
        None if several => Err(file.invalid(
            header,
            Some("source.name".into()),
            "required key `name` is missing: with more than one [[source]], each needs a name (e.g. name = \"hq\")"
                .into(),
            false,
        )),
        None => Ok(DEFAULT_NAME.to_string()),
        Some(item) => match item.as_str().map(str::trim) {
            Some(name) if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) => {
                Ok(name.to_string())
            }
            _ => Err(file.invalid(
                item.span(),
                Some("source.name".into()),
                "expected a name of letters, digits, `-`, `_` or `.` (e.g. name = \"hq\")".into(),
                true,
            )),
        },
    }
}

fn priority_of(table: &Table, file: &SourceText<'_>) -> Result<Option<i64>, ConfigError> {
    match table.get("priority") {
        None => Ok(None),
        Some(item) => item.as_integer().map(Some).ok_or_else(|| {
            file.invalid(
                item.span(),
                Some("source.priority".into()),
                "expected a whole number (e.g. priority = 10)".into(),
                true,
            )
        }),
    }
}

/// From the key to the end of its value.
fn key_value_span(table: &Table, key: &str) -> Option<Range<usize>> {
    let (key, item) = table.get_key_value(key)?;
    Some(key.span()?.start..item.span()?.end)
}

/// Each `[[source]]`'s lines: from its header to the next header that is not one of its
/// sub-tables (`[source.columns]`).
fn regions(text: &str) -> Vec<Range<usize>> {
    let mut regions: Vec<Range<usize>> = Vec::new();
    let mut open: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(compact) = header(line) {
            let sub_table = compact.starts_with("[source.");
            if compact == "[[source]]" {
                regions.extend(open.take().map(|start| start..offset));
                open = Some(offset);
            } else if !sub_table {
                regions.extend(open.take().map(|start| start..offset));
            }
        }
        offset += line.len();
    }
    regions.extend(open.map(|start| start..offset));
    regions
}

/// A table header line without its spaces and comment (`[[source]]`, `[source.columns]`).
fn header(line: &str) -> Option<String> {
    let compact: String = line.split('#').next().unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
    (compact.starts_with('[') && compact.ends_with(']')).then_some(compact)
}

/// The lines of the sub-table headed `name` inside `region`, to the next header.
fn sub_table(text: &str, region: &Range<usize>, name: &str) -> Option<Range<usize>> {
    let mut offset = region.start;
    let mut start = None;
    for line in text[region.clone()].split_inclusive('\n') {
        if let Some(compact) = header(line) {
            if let Some(start) = start {
                return Some(start..offset);
            }
            start = (compact == name).then_some(offset);
        }
        offset += line.len();
    }
    start.map(|start| start..region.end)
}

/// The file as one source sees it: the other sources blanked, its header a plain table,
/// `name` and `priority` gone. Byte offsets stay where they were.
fn variant(text: &str, regions: &[Range<usize>], own: &Range<usize>, blank: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let wipe = |bytes: &mut Vec<u8>, range: &Range<usize>| {
        for b in &mut bytes[range.clone()] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    for region in regions.iter().filter(|r| *r != own) {
        wipe(&mut bytes, region);
    }
    for range in blank {
        wipe(&mut bytes, range);
    }
    let header = &text[own.clone()];
    if let (Some(open), Some(close)) = (header.find("[["), header.find("]]")) {
        bytes[own.start + open] = b' ';
        bytes[own.start + close + 1] = b' ';
    }
    // Only ASCII bytes were replaced, and whole UTF-8 sequences by spaces.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "[[source]]\nname = \"hq\"\npriority = 2\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:3893\"\nbase_dn = \"dc=x\"\n\n[[source]]\nname = \"staff\"\nkind = \"csv\"\npath = \"/tmp/s.csv\"\n[source.columns]\nprimary = \"mail\"\n\n[sync]\ncreate = true\n";

    fn file(text: &str) -> SourceText<'_> {
        SourceText { file: "t.toml", text }
    }

    #[test]
    fn each_source_sees_itself_alone_at_its_own_lines() {
        let parts = split(TWO, &file(TWO)).unwrap().unwrap();
        assert_eq!(
            parts.iter().map(|p| (p.name.as_str(), p.priority)).collect::<Vec<_>>(),
            [("hq", Some(2)), ("staff", None)]
        );
        let second = &parts[1].text;
        assert_eq!(second.len(), TWO.len());
        assert_eq!(second.lines().count(), TWO.lines().count());
        let doc: toml::Table = toml::from_str(second).unwrap();
        assert_eq!(doc["source"]["kind"].as_str(), Some("csv"));
        assert!(doc["source"].get("name").is_none() && doc["source"].get("url").is_none());
        assert_eq!(doc["source"]["columns"]["primary"].as_str(), Some("mail"));
        assert_eq!(doc["sync"]["create"].as_bool(), Some(true));
        assert!(second.lines().nth(7).unwrap().trim() == "[source]");
    }

    #[test]
    fn a_missing_or_repeated_name_is_an_error_with_its_place() {
        let missing = TWO.replace("name = \"staff\"\n", "");
        let e = split(&missing, &file(&missing)).err().unwrap().to_string();
        assert!(e.contains("t.toml:8:1") && e.contains("name"), "{e}");
        let twice = TWO.replace("\"staff\"", "\"HQ\"");
        let e = split(&twice, &file(&twice)).err().unwrap().to_string();
        assert!(e.contains("t.toml:9:8") && e.contains("two sources"), "{e}");
        let bad = TWO.replace("priority = 2", "priority = \"high\"");
        let e = split(&bad, &file(&bad)).err().unwrap().to_string();
        assert!(e.contains("t.toml:3:12") && e.contains("whole number"), "{e}");
    }

    #[test]
    fn a_source_s_own_exclusions_are_taken_out_of_its_view() {
        let text =
            TWO.replace("[source.columns]", "[source.exclude]\naddresses = [\"*@temp.example.com\"]\n[source.columns]");
        let parts = split(&text, &file(&text)).unwrap().unwrap();
        let doc: toml::Table = toml::from_str(&parts[1].text).unwrap();
        assert!(doc["source"].get("exclude").is_none() && doc["source"].get("columns").is_some());
        let all: Exclusions = toml::from_str(&text).unwrap();
        assert_eq!(all.source[1].exclude.addresses.len(), 1);
        assert!(all.source[0].exclude.addresses.is_empty());
    }

    #[test]
    fn a_lone_source_table_is_not_split() {
        let one = "[source]\nkind = \"csv\"\npath = \"/tmp/s.csv\"\n";
        assert!(split(one, &file(one)).unwrap().is_none());
    }
}
