//! `[source] kind = "csv"`: a CSV file (an HR export, or the service's own import layout), as
//! written and as validated. Key names are the public contract: extend, never rename.

use super::schema::SourceKind;
use crate::model::CsvLayout;
use serde::Deserialize;
use std::path::PathBuf;

/// Every key of a csv `[source]` ([`RawCsvConfig`]'s fields).
pub const KEYS: &[&str] = &["kind", "path", "layout", "columns", "delimiter"];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCsvConfig {
    pub kind: SourceKind,
    pub path: PathBuf,
    #[serde(default)]
    pub layout: CsvLayout,
    pub columns: Option<CsvColumns>,
    #[serde(default)]
    pub delimiter: Delimiter,
}

/// `[source.columns]`: the header of each field, for `layout = "header"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvColumns {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// One column holding the aliases, separated by `;`.
    pub aliases: Option<String>,
    /// `user` or `functional`; every row is a user without it.
    pub kind: Option<String>,
    /// `true` or `false`; every row is enabled without it.
    pub enabled: Option<String>,
}

/// The field separator: spreadsheet exports in many locales use `;`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Delimiter {
    #[default]
    #[serde(rename = ",")]
    Comma,
    #[serde(rename = ";")]
    Semicolon,
    #[serde(rename = "\t")]
    Tab,
}

impl Delimiter {
    /// Every delimiter, in the order the settings form offers them.
    pub const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// As written in the config file (a tab as the TOML escape).
    pub fn written(self) -> &'static str {
        match self {
            Delimiter::Comma => ",",
            Delimiter::Semicolon => ";",
            Delimiter::Tab => "\\t",
        }
    }
}

/// Where each field is, once the layout is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Columns {
    /// The service's import layout: fixed places, no header.
    Service,
    Header(CsvColumns),
}

impl Columns {
    pub fn layout(&self) -> CsvLayout {
        match self {
            Columns::Service => CsvLayout::Service,
            Columns::Header(_) => CsvLayout::Header,
        }
    }
}

/// A csv source that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvConfig {
    pub path: PathBuf,
    pub columns: Columns,
    pub delimiter: Delimiter,
}

impl CsvConfig {
    pub fn layout(&self) -> CsvLayout {
        self.columns.layout()
    }
}
