//! The form's source fields: which kind of directory (`[source] kind`), and each kind's own
//! fields. Only the chosen kind's fields are shown; the others wait in the form's stash, so
//! switching back keeps what was typed. Saving writes `[source]` with that kind's keys only
//! (the file's other keys of the table, which would be refused, are taken out).

use super::{
    Field, FieldId, FieldValue, Form, SourceSlot, choice, connection_fields, field, flag, password_key, password_text,
    path_text, set_or_remove, write_secret,
};
use crate::config::csv::Delimiter;
use crate::config::{Config, SecretSource, SourceConfig, SourceKind};
use crate::model::CsvLayout;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use toml_edit::{Item, Table, value};

pub(super) const KINDS: &[&str] = &["ldap", "graph", "csv"];
const LAYOUTS: &[&str] = &[CsvLayout::Service.name(), CsvLayout::Header.name()];
/// How [`Delimiter::ALL`] shows in the form.
const DELIMITERS: &[&str] = &[",", ";", "tab"];
const GRAPH: &str = "Entra ID";
const CSV: &str = "CSV file";

const LDAP_IDS: &[FieldId] = &[
    FieldId::Host,
    FieldId::Port,
    FieldId::StartTls,
    FieldId::BindDn,
    FieldId::Password,
    FieldId::BaseDn,
    FieldId::CaFile,
];
const GRAPH_IDS: &[FieldId] = &[
    FieldId::Tenant,
    FieldId::ClientId,
    FieldId::ClientSecret,
    FieldId::GraphCaFile,
    FieldId::IncludeGuests,
    FieldId::DetectShared,
];
const CSV_IDS: &[FieldId] = &[FieldId::CsvPath, FieldId::CsvLayout, FieldId::CsvDelimiter];

/// A kind's fields, in the order the form shows them.
pub(super) fn ids(kind: SourceKind) -> &'static [FieldId] {
    match kind {
        SourceKind::Ldap => LDAP_IDS,
        SourceKind::Graph => GRAPH_IDS,
        SourceKind::Csv => CSV_IDS,
    }
}

pub(super) fn is_source_field(id: FieldId) -> bool {
    [LDAP_IDS, GRAPH_IDS, CSV_IDS].iter().any(|ids| ids.contains(&id))
}

pub(super) fn kind_index(kind: SourceKind) -> usize {
    match kind {
        SourceKind::Ldap => 0,
        SourceKind::Graph => 1,
        SourceKind::Csv => 2,
    }
}

pub(super) fn kind_at(index: usize) -> SourceKind {
    [SourceKind::Ldap, SourceKind::Graph, SourceKind::Csv][index.min(2)]
}

/// The kind choice, then every kind's fields: the config's own values for its kind, blanks
/// and defaults for the others.
pub(super) fn fields(source: &SourceConfig, bind_password: Option<&SecretSource>) -> (Field, [Vec<Field>; 3]) {
    let kind = field(FieldId::SourceKind, "Connection", "Source", choice(KINDS, kind_index(source.kind())));
    let ldap = match source.ldap() {
        Some(src) => connection_fields(src, bind_password).to_vec(),
        None => BLANK_LDAP.clone(),
    };
    (kind, [ldap, graph_fields(source), csv_fields(source)])
}

/// An LDAP source's fields, empty, for a source of another kind.
static BLANK_LDAP: LazyLock<Vec<Field>> = LazyLock::new(|| {
    let seed = Config::parse("[source]\nkind = \"ldap\"\nurl = \"ldaps://x\"\nbase_dn = \"DC=x\"\n", "seed")
        .expect("the blank LDAP source is valid");
    let mut fields = connection_fields(seed.source.ldap().expect("an ldap seed"), None).to_vec();
    for f in &mut fields {
        if matches!(f.value, FieldValue::Text(_)) {
            f.value = FieldValue::Text(String::new());
        }
    }
    fields
});

fn text(id: FieldId, group: &'static str, label: &'static str, v: String) -> Field {
    field(id, group, label, FieldValue::Text(v))
}

fn graph_fields(source: &SourceConfig) -> Vec<Field> {
    let g = source.graph();
    vec![
        text(FieldId::Tenant, GRAPH, "Tenant", g.map(|g| g.tenant.clone()).unwrap_or_default()),
        text(FieldId::ClientId, GRAPH, "Client ID", g.map(|g| g.client_id.clone()).unwrap_or_default()),
        text(FieldId::ClientSecret, GRAPH, "Client secret", password_text(g.map(|g| &g.secret))),
        text(FieldId::GraphCaFile, GRAPH, "CA file", path_text(g.and_then(|g| g.ca_file.as_deref()))),
        flag(FieldId::IncludeGuests, GRAPH, "Include guests", g.is_some_and(|g| g.include_guests)),
        flag(FieldId::DetectShared, GRAPH, "Detect shared mailboxes", g.is_some_and(|g| g.detect_shared_mailboxes)),
    ]
}

fn csv_fields(source: &SourceConfig) -> Vec<Field> {
    let c = source.csv();
    let layout = c.map_or(CsvLayout::Service, |c| c.layout());
    let delimiter = c.map_or(Delimiter::Comma, |c| c.delimiter);
    let delimiter_index = Delimiter::ALL.iter().position(|d| *d == delimiter).unwrap_or(0);
    vec![
        text(FieldId::CsvPath, CSV, "File", path_text(c.map(|c| c.path.as_path()))),
        field(FieldId::CsvLayout, CSV, "Layout", choice(LAYOUTS, usize::from(layout == CsvLayout::Header))),
        field(FieldId::CsvDelimiter, CSV, "Delimiter", choice(DELIMITERS, delimiter_index)),
    ]
}

/// The fields that must not be empty for the chosen kind to be saved.
pub(super) fn required(kind: SourceKind) -> &'static [FieldId] {
    match kind {
        SourceKind::Ldap => &[FieldId::Host, FieldId::BaseDn],
        SourceKind::Graph => &[FieldId::Tenant, FieldId::ClientId, FieldId::ClientSecret],
        SourceKind::Csv => &[FieldId::CsvPath],
    }
}

pub(super) fn validate(id: FieldId, text: &str) -> Result<(), String> {
    match id {
        FieldId::Tenant if text.is_empty() || (!text.contains([' ', '/', '@']) && text.contains(['.', '-'])) => Ok(()),
        FieldId::Tenant => Err("the tenant's domain (contoso.onmicrosoft.com) or its Tenant ID (a GUID)".into()),
        FieldId::ClientId if text.is_empty() || uuid::Uuid::parse_str(text).is_ok() => Ok(()),
        FieldId::ClientId => Err("the app's Application (client) ID, a GUID".into()),
        FieldId::ClientSecret if text.is_empty() => Ok(()),
        FieldId::ClientSecret => match password_key(text) {
            Some((_, v)) if !v.is_empty() => Ok(()),
            _ => Err("write env:VARIABLE, file:/path or command:… (a secret itself is never stored here)".into()),
        },
        FieldId::GraphCaFile if text.is_empty() || std::path::Path::new(text).is_file() => Ok(()),
        FieldId::GraphCaFile => {
            Err("no such file; give the PEM file of the CA to trust (a TLS-inspecting proxy's)".into())
        }
        _ => Ok(()),
    }
}

/// One of several sources' keys that belong to the merge, not to its kind: kept as they are.
const MERGE_KEYS: &[&str] = &["name", "priority", "exclude"];

/// With several `[[source]]`s, a slot per source: the first one's fields are the form's own,
/// every other's kind and fields wait in its slot.
pub(super) fn slots(config: &Config) -> Vec<SourceSlot> {
    if !config.merges_sources() {
        return Vec::new();
    }
    let slot = |(at, named): (usize, &crate::config::NamedSource)| {
        let parked = if at == 0 {
            BTreeMap::new()
        } else {
            let (kind, by_kind) = fields(&named.source, named.bind_password.as_ref());
            std::iter::once(kind).chain(by_kind.into_iter().flatten()).map(|f| (f.id, f)).collect()
        };
        SourceSlot { name: named.name.clone(), fields: parked }
    };
    config.sources.iter().enumerate().map(slot).collect()
}

/// The source table `t` for the chosen kind, with only that kind's keys (and, in one of
/// several `[[source]]`s, its name, priority and own exclusions).
pub(super) fn write(form: &Form, t: &mut Table, named: bool) {
    let kind = kind_at(form.choice(FieldId::SourceKind));
    // Set only when it changes: the value's own comment stays with it otherwise.
    if t.get("kind").and_then(|k| k.as_str()) != Some(kind.name()) {
        t["kind"] = value(kind.name());
    }
    // The kind's own keys stay (those the form does not show among them); any other goes.
    let keep = match kind {
        SourceKind::Ldap => crate::config::LDAP_KEYS,
        SourceKind::Graph => crate::config::graph::KEYS,
        SourceKind::Csv => crate::config::csv::KEYS,
    };
    let kept = |k: &str| keep.contains(&k) || (named && MERGE_KEYS.contains(&k));
    let others: Vec<String> = t.iter().map(|(k, _)| k.to_string()).filter(|k| !kept(k)).collect();
    for key in others {
        t.remove(&key);
    }
    match kind {
        SourceKind::Ldap => form.write_source(t),
        SourceKind::Graph => write_graph(form, t),
        SourceKind::Csv => write_csv(form, t),
    }
}

fn write_graph(form: &Form, t: &mut Table) {
    t["tenant"] = value(form.text(FieldId::Tenant));
    t["client_id"] = value(form.text(FieldId::ClientId));
    set_or_remove(t, "ca_file", form.text(FieldId::GraphCaFile));
    t["include_guests"] = value(form.flag(FieldId::IncludeGuests));
    t["detect_shared_mailboxes"] = value(form.flag(FieldId::DetectShared));
    write_secret(t, "client_secret", form.text(FieldId::ClientSecret));
}

fn write_csv(form: &Form, t: &mut Table) {
    t["path"] = value(form.text(FieldId::CsvPath));
    let header = form.choice(FieldId::CsvLayout) == 1;
    t["layout"] = value(LAYOUTS[usize::from(header)]);
    let delimiter = Delimiter::ALL[form.choice(FieldId::CsvDelimiter).min(Delimiter::ALL.len() - 1)];
    t["delimiter"] = value(char::from(delimiter.byte()).to_string());
    if !header {
        t.remove("columns");
    } else if !t.contains_key("columns") {
        // The header layout needs its columns named; these are a start to edit in the file.
        t["columns"] = Item::Table(default_columns());
    }
}

fn default_columns() -> Table {
    let mut columns = Table::new();
    for (key, name) in
        [("first_name", "First Name"), ("last_name", "Last Name"), ("email", "Email"), ("aliases", "Aliases")]
    {
        columns[key] = value(name);
    }
    columns
}
