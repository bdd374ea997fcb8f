//! The seed's settings form as data: every field, validated as typed, and saved back into the
//! TOML file with comments and order preserved (toml_edit). Never writes a plaintext password.
//! Without a file yet (a first run) saving writes a new one from the commented example.

mod service;
mod source;

use super::value::{LdapScheme, LdapUrl};
use super::{Config, LdapConfig, SecretSource};
use crate::dn::Dn;
use std::collections::BTreeMap;
use std::path::Path;
use toml_edit::{DocumentMut, Item, Table, value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldId {
    Role,
    SourceKind,
    Host,
    Port,
    StartTls,
    BindDn,
    Password,
    BaseDn,
    CaFile,
    Tenant,
    ClientId,
    ClientSecret,
    GraphCaFile,
    IncludeGuests,
    DetectShared,
    CsvPath,
    CsvLayout,
    CsvDelimiter,
    ActiveUsers,
    DisabledUsers,
    FunctionalAccounts,
    SecurityGroups,
    HiddenFromGal,
    Create,
    Update,
    Delete,
    Frequency,
    AutoApply,
    Service,
    ServiceUrl,
    Domain,
    AdminUser,
    AdminPassword,
    ServiceFile,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    Flag(bool),
    Choice { options: &'static [&'static str], index: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub id: FieldId,
    pub group: &'static str,
    pub label: &'static str,
    pub value: FieldValue,
    pub error: Option<String>,
}

const ROLES: &[&str] = &["silent user", "end user"];
const PORTS: &[&str] = &["389 LDAP", "636 LDAPS"];
const FREQUENCIES: &[&str] = &["off", "1h", "3h", "6h", "12h", "24h"];

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("Settings: {label}: {problem}")]
    Invalid { label: &'static str, problem: String },
    #[error("Settings: the demo's settings live in memory only; there is no config file to save to")]
    NoFile,
    #[error("Settings: cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("Settings: {path} is not valid TOML any more ({detail}); fix it by hand, nothing was written")]
    Parse { path: String, detail: String },
    #[error("Settings: cannot write {path}: {source}; nothing was changed")]
    Write { path: String, source: std::io::Error },
    #[error(
        "Settings: {path} has several [[source]] tables now (it was changed since adsync read it); nothing was written"
    )]
    SeveralSources { path: String },
    #[error(
        "Settings: {path} has no [[source]] named {name:?} any more (it was changed since adsync read it); nothing was written"
    )]
    NoSource { path: String, name: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// The fields shown, in order.
    pub fields: Vec<Field>,
    /// The other source kinds' fields, kept while another kind is chosen.
    stash: BTreeMap<FieldId, Field>,
    /// With several `[[source]]`s, each one's name and, while another is edited, its fields.
    sources: Vec<SourceSlot>,
    /// The place of the source whose fields are shown.
    editing: usize,
}

/// One of several sources in the form: its name, and its kind and every kind's fields
/// while it is not the one shown (empty while it is).
#[derive(Clone, Debug, PartialEq, Eq)]
struct SourceSlot {
    name: String,
    fields: BTreeMap<FieldId, Field>,
}

fn field(id: FieldId, group: &'static str, label: &'static str, value: FieldValue) -> Field {
    Field { id, group, label, value, error: None }
}

fn flag(id: FieldId, group: &'static str, label: &'static str, on: bool) -> Field {
    field(id, group, label, FieldValue::Flag(on))
}

fn choice(options: &'static [&'static str], index: usize) -> FieldValue {
    FieldValue::Choice { options, index }
}

/// How the password field shows and edits a password source: `env:NAME`, `file:PATH`, `command:CMD`.
pub fn password_text(source: Option<&SecretSource>) -> String {
    match source {
        Some(SecretSource::Env(v)) => format!("env:{v}"),
        Some(SecretSource::File(p)) => format!("file:{}", p.display()),
        Some(SecretSource::Command(c)) => format!("command:{c}"),
        Some(SecretSource::Inline(_)) => "inline (move it to env:, file: or command:)".into(),
        None => String::new(),
    }
}

/// The seed's connection settings of an LDAP source.
fn connection_fields(src: &LdapConfig, password: Option<&SecretSource>) -> [Field; 7] {
    let conn = "Connection";
    let ldaps = src.url.scheme == LdapScheme::Ldaps;
    [
        field(FieldId::Host, conn, "Host", FieldValue::Text(host_text(&src.url))),
        field(FieldId::Port, conn, "Port", choice(PORTS, usize::from(ldaps))),
        flag(FieldId::StartTls, conn, "StartTLS", src.starttls),
        field(FieldId::BindDn, conn, "Bind account", FieldValue::Text(src.bind_dn.clone().unwrap_or_default())),
        field(FieldId::Password, conn, "Password", FieldValue::Text(password_text(password))),
        field(FieldId::BaseDn, conn, "Base DN", FieldValue::Text(src.base_dn.0.clone())),
        field(FieldId::CaFile, conn, "CA file", FieldValue::Text(path_text(src.ca_file.as_deref()))),
    ]
}

impl Form {
    pub fn from_config(config: &Config) -> Self {
        let s = &config.sync;
        let what = "What to sync";
        let how = "How to sync";
        let mut fields = vec![field(
            FieldId::Role,
            "Accounts",
            "Default role",
            choice(ROLES, usize::from(s.default_role == crate::model::DefaultRole::EndUser)),
        )];
        let (kind, mut by_kind) = source::fields(&config.source, config.bind_password.as_ref());
        let chosen = source::kind_index(config.source.kind());
        fields.push(kind);
        fields.append(&mut by_kind[chosen]);
        let stash = by_kind.into_iter().flatten().map(|f| (f.id, f)).collect();
        let sources = source::slots(config);
        fields.extend([
            flag(FieldId::ActiveUsers, what, "Active users", s.active_users),
            flag(FieldId::DisabledUsers, what, "Disabled accounts", s.disabled_users),
            flag(FieldId::FunctionalAccounts, what, "Functional accounts", s.functional_accounts),
            flag(FieldId::SecurityGroups, what, "Security groups", s.security_groups),
            flag(FieldId::HiddenFromGal, what, "Hidden from the GAL", s.hidden_from_gal),
            flag(FieldId::Create, how, "Create new", s.create),
            flag(FieldId::Update, how, "Update existing", s.update),
            flag(FieldId::Delete, how, "Delete removed", s.delete),
            field(FieldId::Frequency, "Schedule", "Frequency", choice(FREQUENCIES, frequency_index(s.frequency))),
            // Scheduled runs are made by `adsync schedule`; without this they only plan.
            flag(FieldId::AutoApply, "Schedule", "Apply unreviewed", s.auto_apply),
        ]);
        let mut form = Self { fields, stash, sources, editing: 0 };
        form.fields.extend(service::fields(config));
        form
    }

    /// The place in the config of the source the form shows (0 with one source).
    pub fn editing(&self) -> usize {
        self.editing
    }

    /// With several sources: the one shown, by name, and how many there are.
    pub fn editing_source(&self) -> Option<(&str, usize)> {
        self.sources.get(self.editing).map(|s| (s.name.as_str(), self.sources.len()))
    }

    /// Shows the fields of the source at `at` (one of several), keeping what was typed into
    /// the one shown until now.
    pub fn edit_source(&mut self, at: usize) {
        if at == self.editing || at >= self.sources.len() {
            return;
        }
        let shown = self.source_range();
        let kind_at = shown.start;
        let mut leaving: BTreeMap<FieldId, Field> = self.fields.drain(shown).map(|f| (f.id, f)).collect();
        leaving.append(&mut self.stash);
        self.sources[self.editing].fields = leaving;
        let mut coming = std::mem::take(&mut self.sources[at].fields);
        let kind = coming.remove(&FieldId::SourceKind).expect("a parked source keeps its kind");
        self.fields.insert(kind_at, kind);
        self.stash = coming;
        self.editing = at;
        self.show_source_kind();
    }

    /// A first run's form: the seed's defaults, and the connection left to be filled in.
    pub fn blank(seed: &Config) -> Self {
        let mut form = Self::from_config(seed);
        for id in [FieldId::Host, FieldId::BindDn, FieldId::Password, FieldId::BaseDn] {
            form.get_mut(id).value = FieldValue::Text(String::new());
        }
        form
    }

    /// Whether the form shows `id` (each source kind's fields show only for that kind).
    pub fn has(&self, id: FieldId) -> bool {
        self.fields.iter().any(|f| f.id == id)
    }

    /// A field, shown or kept for another source kind.
    pub fn get(&self, id: FieldId) -> &Field {
        self.fields.iter().find(|f| f.id == id).or_else(|| self.stash.get(&id)).expect("every FieldId is in the form")
    }

    fn get_mut(&mut self, id: FieldId) -> &mut Field {
        match self.fields.iter_mut().find(|f| f.id == id) {
            Some(f) => f,
            None => self.stash.get_mut(&id).expect("every FieldId is in the form"),
        }
    }

    /// The source kind the form is set to.
    pub fn source_kind(&self) -> super::SourceKind {
        source::kind_at(self.choice(FieldId::SourceKind))
    }

    /// Shows the chosen kind's fields after the kind choice, and stashes the others'.
    fn show_source_kind(&mut self) {
        let shown = self.source_range();
        let at = shown.start + 1;
        for f in self.fields.drain(at..shown.end).collect::<Vec<_>>() {
            self.stash.insert(f.id, f);
        }
        let shown: Vec<Field> = source::ids(self.source_kind()).iter().filter_map(|id| self.stash.remove(id)).collect();
        self.fields.splice(at..at, shown);
    }

    /// Where the kind choice and the shown source's fields after it are in `fields`.
    fn source_range(&self) -> std::ops::Range<usize> {
        let kind_at = self.fields.iter().position(|f| f.id == FieldId::SourceKind).expect("the kind is shown");
        let own = self.fields[kind_at + 1..].iter().take_while(|f| source::is_source_field(f.id)).count();
        kind_at..kind_at + 1 + own
    }

    pub fn text(&self, id: FieldId) -> &str {
        match &self.get(id).value {
            FieldValue::Text(t) => t,
            _ => "",
        }
    }

    fn flag(&self, id: FieldId) -> bool {
        matches!(self.get(id).value, FieldValue::Flag(true))
    }

    fn choice(&self, id: FieldId) -> usize {
        match self.get(id).value {
            FieldValue::Choice { index, .. } => index,
            _ => 0,
        }
    }

    /// Space on a flag flips it; on a choice it moves to the next option.
    pub fn toggle(&mut self, id: FieldId) {
        let f = self.get_mut(id);
        match &mut f.value {
            FieldValue::Flag(on) => *on = !*on,
            FieldValue::Choice { options, index } => *index = (*index + 1) % options.len(),
            FieldValue::Text(_) => {}
        }
        if id == FieldId::SourceKind {
            self.show_source_kind();
        }
        if id == FieldId::Port && self.choice(FieldId::Port) == 1 {
            // LDAPS is TLS already; StartTLS would be refused by the config check.
            self.get_mut(FieldId::StartTls).value = FieldValue::Flag(false);
        }
    }

    /// Sets a text field and validates it; the value is kept even when invalid, with the error.
    pub fn set_text(&mut self, id: FieldId, text: &str) -> Result<(), String> {
        let check = validate_text(id, text);
        let f = self.get_mut(id);
        f.value = FieldValue::Text(text.trim().to_string());
        f.error = check.clone().err();
        check
    }

    pub fn errors(&self) -> Vec<(&'static str, &str)> {
        self.fields.iter().filter_map(|f| f.error.as_deref().map(|e| (f.label, e))).collect()
    }

    /// The port choice says LDAP or LDAPS; a port written with the host ("dc1:3269") wins over
    /// the usual one.
    fn url(&self) -> String {
        let (host, port) = split_host(self.text(FieldId::Host));
        match self.choice(FieldId::Port) {
            1 => format!("ldaps://{host}:{}", port.unwrap_or(636)),
            _ => format!("ldap://{host}:{}", port.unwrap_or(389)),
        }
    }

    /// Writes the form into the config file, keeping everything else (comments, order, keys
    /// the form does not show) exactly as it was. A file that does not exist yet is written
    /// new (owner-only) from the commented example.
    pub fn save(&self, path: Option<&Path>) -> Result<(), FormError> {
        let path = path.ok_or(FormError::NoFile)?;
        let shown = path.display().to_string();
        let (doc, new) = self.document(Some(path))?;
        let text = doc.to_string();
        if new {
            return super::first_run::write_new(path, &text)
                .map_err(|e| FormError::Write { path: shown, source: std::io::Error::other(e.to_string()) });
        }
        write_atomically(path, &text).map_err(|source| FormError::Write { path: shown, source })
    }

    /// The config the form describes, as it would be saved to `path` (for testing the
    /// connection before saving).
    pub fn to_config(&self, path: Option<&Path>) -> Result<Config, String> {
        let (doc, _) = self.document(path).map_err(|e| e.to_string())?;
        Config::parse(&doc.to_string(), "the settings form").map_err(|e| e.to_string())
    }

    /// The file at `path` with the form written into it, and whether it is a new file.
    fn document(&self, path: Option<&Path>) -> Result<(DocumentMut, bool), FormError> {
        if let Some((label, problem)) = self.errors().first() {
            return Err(FormError::Invalid { label, problem: problem.to_string() });
        }
        let (mut doc, new) = match path.filter(|p| p.exists()) {
            Some(path) => (read_document(path)?, false),
            None => (super::first_run::template(), true),
        };
        let shown = path.map(|p| p.display().to_string()).unwrap_or_default();
        match (self.sources.is_empty(), doc.get("source").is_some_and(Item::is_array_of_tables)) {
            (true, false) => {
                self.check_required(None)?;
                source::write(self, table(&mut doc, "source"), false);
            }
            (false, true) => self.write_sources(&mut doc, &shown)?,
            // A lone `[[source]]` is written in place; writing `[source]` over several would
            // drop every source but the form's.
            (true, true) => {
                let lone = doc["source"].as_array_of_tables_mut().filter(|a| a.len() == 1).and_then(|a| a.get_mut(0));
                let own = lone.ok_or(FormError::SeveralSources { path: shown })?;
                self.check_required(None)?;
                source::write(self, own, true);
            }
            (false, false) => return Err(FormError::NoSource { path: shown, name: self.sources[0].name.clone() }),
        }
        self.write_sync(table(&mut doc, "sync"));
        service::write(self, &mut doc, new)?;
        Ok((doc, new))
    }

    /// Each source's fields into its own `[[source]]`, found by name.
    fn write_sources(&self, doc: &mut DocumentMut, path: &str) -> Result<(), FormError> {
        for (at, slot) in self.sources.iter().enumerate() {
            let mut view = self.clone();
            view.edit_source(at);
            view.check_required(Some(&slot.name))?;
            if let Some((label, problem)) = view.errors().first() {
                return Err(FormError::Invalid { label, problem: format!("{problem} (source {})", slot.name) });
            }
            let own = source_table(doc, &slot.name)
                .ok_or_else(|| FormError::NoSource { path: path.to_string(), name: slot.name.clone() })?;
            source::write(&view, own, true);
        }
        Ok(())
    }

    /// The chosen kind's fields that must not be empty (`source`: which one, when several).
    fn check_required(&self, source: Option<&str>) -> Result<(), FormError> {
        let required = source::required(self.source_kind());
        let Some(empty) = required.iter().find(|id| self.text(**id).is_empty()) else { return Ok(()) };
        let of = source.map(|name| format!(" (source {name})")).unwrap_or_default();
        Err(FormError::Invalid { label: self.get(*empty).label, problem: format!("it is empty; fill it in{of}") })
    }

    fn write_source(&self, t: &mut Table) {
        t["url"] = value(self.url());
        t["starttls"] = value(self.flag(FieldId::StartTls) && self.choice(FieldId::Port) == 0);
        let bind = self.text(FieldId::BindDn);
        if bind.is_empty() {
            t.remove("bind_dn");
        } else {
            t["bind_dn"] = value(bind);
        }
        t["base_dn"] = value(self.text(FieldId::BaseDn));
        set_or_remove(t, "ca_file", self.text(FieldId::CaFile));
        write_secret(t, "password", self.text(FieldId::Password));
    }

    fn write_sync(&self, t: &mut Table) {
        t["default_role"] = value(if self.choice(FieldId::Role) == 1 { "end_user" } else { "silent_user" });
        for (id, key) in [
            (FieldId::ActiveUsers, "active_users"),
            (FieldId::DisabledUsers, "disabled_users"),
            (FieldId::FunctionalAccounts, "functional_accounts"),
            (FieldId::SecurityGroups, "security_groups"),
            (FieldId::HiddenFromGal, "hidden_from_gal"),
            (FieldId::Create, "create"),
            (FieldId::Update, "update"),
            (FieldId::Delete, "delete"),
            (FieldId::AutoApply, "auto_apply"),
        ] {
            t[key] = value(self.flag(id));
        }
        t["frequency"] = value(FREQUENCIES[self.choice(FieldId::Frequency)]);
    }
}

/// Sets `key` to `text`, or takes it out when the field is empty.
fn set_or_remove(t: &mut Table, key: &str, text: &str) {
    if text.is_empty() {
        t.remove(key);
    } else {
        t[key] = value(text);
    }
}

/// The secret's keys for `text` (`env:NAME`, …: `{prefix}_env`, …), the others taken out; an
/// emptied field takes them all out, and the "inline" text of a password in the file leaves it
/// alone.
fn write_secret(t: &mut Table, prefix: &str, text: &str) {
    let chosen = password_key(text).map(|(way, v)| (format!("{prefix}_{way}"), v));
    if chosen.is_none() && !text.is_empty() {
        return;
    }
    let keys = ["env", "file", "command"].map(|way| format!("{prefix}_{way}"));
    for k in keys.iter().map(String::as_str).chain((prefix == "password").then_some("password")) {
        if chosen.as_ref().is_none_or(|(key, _)| key != k) {
            t.remove(k);
        }
    }
    if let Some((key, v)) = chosen {
        t[&key] = value(v);
    }
}

/// The config file as a document to edit in place.
pub(super) fn read_document(path: &Path) -> Result<DocumentMut, FormError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FormError::Read { path: shown.clone(), source })?;
    text.parse().map_err(|e: toml_edit::TomlError| FormError::Parse { path: shown, detail: e.message().to_string() })
}

/// "dc1.example.com", or "dc1.example.com:3269" when the port is not the scheme's own.
fn host_text(url: &LdapUrl) -> String {
    let default = if url.scheme == LdapScheme::Ldaps { 636 } else { 389 };
    let host = if url.host.contains(':') { format!("[{}]", url.host) } else { url.host.clone() };
    if url.port == default { host } else { format!("{host}:{}", url.port) }
}

/// "dc1:3269" → ("dc1", 3269); a bare IPv6 address is bracketed.
fn split_host(text: &str) -> (String, Option<u16>) {
    let text = text.trim();
    if text.matches(':').count() > 1 && !text.starts_with('[') {
        return (format!("[{text}]"), None);
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => match port.parse() {
            Ok(port) => (host.to_string(), Some(port)),
            Err(_) => (text.to_string(), None),
        },
        _ => (text.to_string(), None),
    }
}

pub fn path_text(path: Option<&Path>) -> String {
    path.map(|p| p.display().to_string()).unwrap_or_default()
}

fn frequency_index(f: super::Frequency) -> usize {
    f.hours().map_or(0, |h| FREQUENCIES.iter().position(|o| *o == format!("{h}h")).unwrap_or(0))
}

/// The `[name]` table, created (as a normal table) when missing.
pub(super) fn table<'d>(doc: &'d mut DocumentMut, name: &str) -> &'d mut Table {
    if !doc.contains_table(name) {
        doc[name] = Item::Table(Table::new());
    }
    doc[name].as_table_mut().expect("just ensured a table")
}

/// The sub-table `name` of `parent` (`[source.exclude]` under a `[[source]]`), created when missing.
pub(super) fn sub_table<'t>(parent: &'t mut Table, name: &str) -> &'t mut Table {
    if !parent.get(name).is_some_and(Item::is_table) {
        parent[name] = Item::Table(Table::new());
    }
    parent[name].as_table_mut().expect("just ensured a table")
}

/// The `[[source]]` called `name` (names are unique whatever their case).
pub(super) fn source_table<'d>(doc: &'d mut DocumentMut, name: &str) -> Option<&'d mut Table> {
    let sources = doc.get_mut("source")?.as_array_of_tables_mut()?;
    sources.iter_mut().find(|t| t.get("name").and_then(Item::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// `env:NAME` → (`env`, `NAME`); `None` leaves the file's secret keys alone.
fn password_key(text: &str) -> Option<(&'static str, String)> {
    let (kind, rest) = text.split_once(':')?;
    let key = match kind.trim() {
        "env" => "env",
        "file" => "file",
        "command" => "command",
        _ => return None,
    };
    Some((key, rest.trim().to_string()))
}

pub(super) fn validate_text(id: FieldId, text: &str) -> Result<(), String> {
    let text = text.trim();
    match id {
        FieldId::Host => LdapUrl::parse(&format!("ldap://{}", split_host(text).0)).map(|_| ()).map_err(|_| {
            "a host name or IP address, e.g. dc1.example.com (dc1.example.com:3269 for another port)".to_string()
        }),
        FieldId::BaseDn => match Dn::parse(text) {
            Ok(dn) if !dn.is_root() => Ok(()),
            Ok(_) => Err("the Base DN must not be empty, e.g. DC=example,DC=com".into()),
            Err(e) => Err(format!("{e}, e.g. DC=example,DC=com")),
        },
        FieldId::BindDn if text.is_empty() || text.contains('@') || Dn::parse(text).is_ok() => Ok(()),
        FieldId::BindDn => Err("a DN (CN=svc-sync,OU=…) or a UPN (svc-sync@example.com)".into()),
        FieldId::Password if text.starts_with("inline") => Ok(()),
        FieldId::Password => match password_key(text) {
            Some((_, v)) if !v.is_empty() => Ok(()),
            _ => Err("write env:VARIABLE, file:/path or command:… (a password itself is never stored here)".into()),
        },
        FieldId::CaFile if text.is_empty() || Path::new(text).is_file() => Ok(()),
        FieldId::CaFile => Err("no such file; give the PEM file of the CA that issued the DC's certificate".into()),
        FieldId::Tenant | FieldId::ClientId | FieldId::ClientSecret | FieldId::GraphCaFile => {
            source::validate(id, text)
        }
        other => service::validate(other, text),
    }
}

/// Never a half-written config: see [`crate::atomic::write_atomic`].
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    crate::atomic::write_atomic(path, |out| out.write_all(text.as_bytes()))
}

#[cfg(test)]
mod tests;
