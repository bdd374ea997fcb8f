//! Which directory a read came from, as the guards compare it between runs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a CSV file's columns are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvLayout {
    /// The service's own import layout: no header; First, Last, Primary, Mobile, Alias 1…N.
    #[default]
    Service,
    /// A header row, with the columns named in `[source.columns]`.
    Header,
}

impl CsvLayout {
    pub const fn name(self) -> &'static str {
        match self {
            CsvLayout::Service => "service",
            CsvLayout::Header => "header",
        }
    }
}

/// The directory a read stands for. The shrink guard's baseline belongs to it: another
/// identity means the last run's size says nothing about this one. A CSV file's name is no
/// part of it (HR exports often carry their date in the name); its layout is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceIdentity {
    Ldap { url: String, base_dn: String },
    Graph { tenant: String },
    Csv { layout: CsvLayout },
}

impl fmt::Display for SourceIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceIdentity::Ldap { url, base_dn } => write!(f, "LDAP {url} {base_dn}"),
            SourceIdentity::Graph { tenant } => write!(f, "Entra ID tenant {tenant}"),
            SourceIdentity::Csv { layout } => write!(f, "a CSV file in the {} layout", layout.name()),
        }
    }
}
