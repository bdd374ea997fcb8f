//! The seed's settings form as data: every field, validated as typed, and saved back into the
//! TOML file with comments and order preserved (toml_edit). Never writes a plaintext password.

use super::value::{LdapScheme, LdapUrl};
use super::{Config, LdapConfig, SecretSource};
use crate::dn::Dn;
use std::path::Path;
use toml_edit::{DocumentMut, Item, Table, value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldId {
    Role,
    Host,
    Port,
    StartTls,
    BindDn,
    Password,
    BaseDn,
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub fields: Vec<Field>,
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
fn connection_fields(src: &LdapConfig, password: Option<&SecretSource>) -> [Field; 6] {
    let conn = "Connection";
    let ldaps = src.url.scheme == LdapScheme::Ldaps;
    [
        field(FieldId::Host, conn, "Host", FieldValue::Text(src.url.host.clone())),
        field(FieldId::Port, conn, "Port", choice(PORTS, usize::from(ldaps))),
        flag(FieldId::StartTls, conn, "StartTLS", src.starttls),
        field(FieldId::BindDn, conn, "Bind account", FieldValue::Text(src.bind_dn.clone().unwrap_or_default())),
        field(FieldId::Password, conn, "Password", FieldValue::Text(password_text(password))),
        field(FieldId::BaseDn, conn, "Base DN", FieldValue::Text(src.base_dn.0.clone())),
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
        if let Some(src) = config.source.ldap() {
            fields.extend(connection_fields(src, config.bind_password.as_ref()));
        }
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
        Self { fields }
    }

    /// Whether the form shows `id` (the connection fields are an LDAP source's).
    pub fn has(&self, id: FieldId) -> bool {
        self.fields.iter().any(|f| f.id == id)
    }

    pub fn get(&self, id: FieldId) -> &Field {
        self.fields.iter().find(|f| f.id == id).expect("every FieldId is in the form")
    }

    fn get_mut(&mut self, id: FieldId) -> &mut Field {
        self.fields.iter_mut().find(|f| f.id == id).expect("every FieldId is in the form")
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

    fn url(&self) -> String {
        let host = self.text(FieldId::Host);
        let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
        match self.choice(FieldId::Port) {
            1 => format!("ldaps://{host}:636"),
            _ => format!("ldap://{host}:389"),
        }
    }

    /// Writes the form into the config file, keeping everything else (comments, order, keys
    /// the form does not show) exactly as it was.
    pub fn save(&self, path: Option<&Path>) -> Result<(), FormError> {
        let path = path.ok_or(FormError::NoFile)?;
        if let Some((label, problem)) = self.errors().first() {
            return Err(FormError::Invalid { label, problem: problem.to_string() });
        }
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| FormError::Read { path: shown.clone(), source })?;
        let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| FormError::Parse {
            path: shown.clone(),
            detail: e.message().to_string(),
        })?;
        if self.has(FieldId::Host) {
            self.write_source(table(&mut doc, "source"));
        }
        self.write_sync(table(&mut doc, "sync"));
        write_atomically(path, &doc.to_string()).map_err(|source| FormError::Write { path: shown, source })
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
        if let Some((key, v)) = password_key(self.text(FieldId::Password)) {
            for k in ["password_env", "password_file", "password_command", "password"] {
                if k != key {
                    t.remove(k);
                }
            }
            t[key] = value(v);
        }
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

fn frequency_index(f: super::Frequency) -> usize {
    f.hours().map_or(0, |h| FREQUENCIES.iter().position(|o| *o == format!("{h}h")).unwrap_or(0))
}

/// The `[name]` table, created (as a normal table) when missing.
fn table<'d>(doc: &'d mut DocumentMut, name: &str) -> &'d mut Table {
    if !doc.contains_table(name) {
        doc[name] = Item::Table(Table::new());
    }
    doc[name].as_table_mut().expect("just ensured a table")
}

/// `env:NAME` → (`password_env`, `NAME`); `None` leaves the file's password keys alone.
fn password_key(text: &str) -> Option<(&'static str, String)> {
    let (kind, rest) = text.split_once(':')?;
    let key = match kind.trim() {
        "env" => "password_env",
        "file" => "password_file",
        "command" => "password_command",
        _ => return None,
    };
    Some((key, rest.trim().to_string()))
}

fn validate_text(id: FieldId, text: &str) -> Result<(), String> {
    let text = text.trim();
    match id {
        FieldId::Host => LdapUrl::parse(&format!("ldap://{text}"))
            .map(|_| ())
            .map_err(|_| "a host name or IP address, e.g. dc1.example.com".to_string()),
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
        _ => Ok(()),
    }
}

/// Never a half-written config: see [`crate::atomic::write_atomic`].
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    crate::atomic::write_atomic(path, |out| out.write_all(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my notes\n[source]\nkind = \"ldap\"  # only kind\nurl = \"ldaps://dc1.example.com:636\"\nbind_dn = \"svc@example.com\"\npassword_env = \"PW\"\nbase_dn = \"DC=example,DC=com\"\n\n[sync]\n# keep this\ndelete = false\n";

    fn form() -> (tempfile::TempDir, std::path::PathBuf, Form) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adsync.toml");
        std::fs::write(&path, FILE).unwrap();
        let config = Config::load(&path).unwrap();
        (dir, path, Form::from_config(&config))
    }

    #[test]
    fn saving_keeps_comments_and_round_trips() {
        let (_d, path, mut f) = form();
        f.toggle(FieldId::Delete);
        f.toggle(FieldId::AutoApply);
        f.toggle(FieldId::Port);
        f.toggle(FieldId::StartTls);
        f.set_text(FieldId::Host, "dc2.example.com").unwrap();
        f.save(Some(&path)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# my notes") && text.contains("# keep this") && text.contains("# only kind"), "{text}");
        let again = Config::load(&path).unwrap();
        let ldap = again.source.ldap().unwrap();
        assert_eq!(ldap.url.to_string(), "ldap://dc2.example.com:389");
        assert!(ldap.starttls && again.sync.delete && again.sync.auto_apply);
        assert_eq!(Form::from_config(&again).fields, f.fields);
    }

    #[test]
    fn password_field_takes_a_source_never_a_secret() {
        let (_d, path, mut f) = form();
        assert_eq!(f.text(FieldId::Password), "env:PW");
        assert!(f.set_text(FieldId::Password, "hunter2").is_err());
        assert!(f.save(Some(&path)).is_err(), "invalid forms are not saved");
        f.set_text(FieldId::Password, "file:/etc/adsync/bind.pw").unwrap();
        f.save(Some(&path)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("password_file = \"/etc/adsync/bind.pw\"") && !text.contains("password_env"), "{text}");
    }

    #[test]
    fn validation_as_you_type() {
        let (_d, _p, mut f) = form();
        assert!(f.set_text(FieldId::BaseDn, "example.com").is_err());
        assert_eq!(f.errors().len(), 1);
        assert!(f.set_text(FieldId::BaseDn, "DC=example,DC=org").is_ok());
        assert!(f.set_text(FieldId::Host, "bad host!").is_err());
        assert!(f.set_text(FieldId::BindDn, "svc-sync@example.com").is_ok());
    }

    #[test]
    fn the_demo_has_nothing_to_save_to() {
        let (_d, _p, f) = form();
        assert!(matches!(f.save(None), Err(FormError::NoFile)));
    }

    #[test]
    fn a_graph_source_keeps_its_table_when_the_form_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adsync.toml");
        let source = "[source]\nkind = \"graph\"\ntenant = \"contoso.onmicrosoft.com\"\n\
            client_id = \"11111111-2222-3333-4444-555555555555\"\nclient_secret_env = \"S\"\n";
        std::fs::write(&path, format!("{source}\n[sync]\ndelete = false\n")).unwrap();
        let mut f = Form::from_config(&Config::load(&path).unwrap());
        assert!(!f.has(FieldId::Host) && f.has(FieldId::Delete));
        f.toggle(FieldId::Delete);
        f.save(Some(&path)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(source), "{text}");
        assert!(Config::load(&path).unwrap().sync.delete);
    }
}
