//! Where each field is in a record: fixed places in the service's layout, the header's
//! named columns otherwise.

use crate::config::csv::CsvColumns;

/// A record's fields as written, before any checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub first_name: String,
    pub last_name: String,
    pub primary: String,
    pub aliases: Vec<String>,
    pub kind: Option<String>,
    pub enabled: Option<String>,
}

/// The service's import layout: First Name, Last Name, Primary Email, Mobile Phone, Alias 1…N.
const SERVICE_FIRST_ALIAS: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Places {
    Service,
    Header {
        email: usize,
        first_name: Option<usize>,
        last_name: Option<usize>,
        aliases: Option<usize>,
        kind: Option<usize>,
        enabled: Option<usize>,
    },
}

impl Places {
    /// The places of the named columns in `header`, or which one it lacks.
    pub fn from_header(columns: &CsvColumns, header: &csv::StringRecord) -> Result<Places, String> {
        let find = |key: &str, name: &str| {
            header.iter().position(|h| h.trim().eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
                let has: Vec<&str> = header.iter().map(str::trim).collect();
                format!(
                    "the header has no column {name:?} (source.columns.{key}); it has: {}. Fix [source.columns] or the file",
                    has.join(", ")
                )
            })
        };
        let optional = |key: &str, name: &Option<String>| name.as_deref().map(|n| find(key, n)).transpose();
        Ok(Places::Header {
            email: find("email", &columns.email)?,
            first_name: optional("first_name", &columns.first_name)?,
            last_name: optional("last_name", &columns.last_name)?,
            aliases: optional("aliases", &columns.aliases)?,
            kind: optional("kind", &columns.kind)?,
            enabled: optional("enabled", &columns.enabled)?,
        })
    }

    pub fn row(&self, record: &csv::StringRecord, line: u64) -> RawRow {
        let text = |i: usize| record.get(i).unwrap_or_default().trim().to_string();
        let maybe = |i: Option<usize>| i.map(text);
        match *self {
            Places::Service => RawRow {
                line,
                first_name: text(0),
                last_name: text(1),
                primary: text(2),
                aliases: record.iter().skip(SERVICE_FIRST_ALIAS).map(|a| a.trim().to_string()).collect(),
                kind: None,
                enabled: None,
            },
            Places::Header { email, first_name, last_name, aliases, kind, enabled } => RawRow {
                line,
                first_name: maybe(first_name).unwrap_or_default(),
                last_name: maybe(last_name).unwrap_or_default(),
                primary: text(email),
                aliases: maybe(aliases)
                    .map(|a| a.split(';').map(|s| s.trim().to_string()).collect())
                    .unwrap_or_default(),
                kind: maybe(kind),
                enabled: maybe(enabled),
            },
        }
    }
}

/// A row of nothing but separators and blanks (spreadsheets export trailing ones).
pub fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}
