//! The TOML schema. Key names are the public contract (README, "Configuration"): extend, never rename.

use super::secret::{PASSWORD, SecretKeys};
use super::value::{AddressGlob, DnString, HumanDuration, LdapFilter, LdapUrl};
use crate::model::DefaultRole;
use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// The file as written; `S` is the `[source]` table of the kind the file names.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig<S> {
    pub source: S,
    #[serde(default)]
    pub sync: SyncConfig,
    #[serde(default)]
    pub exclude: ExcludeConfig,
    pub target: Option<TargetConfig>,
    /// Where journals, the lock and the remembered directory ids live.
    pub state_dir: Option<PathBuf>,
    #[serde(default)]
    pub history: super::history::HistoryConfig,
    pub notify: Option<super::notify::RawNotify>,
    /// `false` keeps an organisation out of `adsync schedule` (a skeleton `orgs discover` wrote).
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Ldap,
    Graph,
    Csv,
}

impl SourceKind {
    /// As written in `[source] kind` and in `check --json`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Ldap => "ldap",
            SourceKind::Graph => "graph",
            SourceKind::Csv => "csv",
        }
    }
}

/// Every key of an LDAP `[source]` ([`LdapConfig`]'s fields, as the file spells them).
pub const LDAP_KEYS: &[&str] = &[
    "kind",
    "url",
    "starttls",
    "ca_file",
    "tls_insecure",
    "bind_dn",
    "password_env",
    "password_file",
    "password_command",
    "password",
    "base_dn",
    "page_size",
    "connect_timeout",
    "op_timeout",
    "user_filter",
    "group_filter",
];

/// `[source] kind = "ldap"`: Active Directory, Samba AD or OpenLDAP.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapConfig {
    pub kind: SourceKind,
    pub url: LdapUrl,
    #[serde(default)]
    pub starttls: bool,
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub tls_insecure: bool,
    pub bind_dn: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub password_command: Option<String>,
    /// Accepted with a warning: a secret in a config file is a secret in every backup.
    pub password: Option<SecretString>,
    pub base_dn: DnString,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: HumanDuration,
    #[serde(default = "default_op_timeout")]
    pub op_timeout: HumanDuration,
    /// Replaces the flavor's default user filter.
    pub user_filter: Option<LdapFilter>,
    /// Replaces the flavor's default group filter.
    pub group_filter: Option<LdapFilter>,
}

impl LdapConfig {
    pub fn password_keys(&self) -> PasswordKeys<'_> {
        PasswordKeys {
            names: &PASSWORD,
            env: self.password_env.as_deref(),
            file: self.password_file.as_deref(),
            command: self.password_command.as_deref(),
            plain: self.password.as_ref(),
        }
    }
}

/// The ways to give a secret, as written (serde's flatten cannot be combined with
/// deny_unknown_fields, so each section carries the keys itself and lends them out here).
#[derive(Clone, Copy, Debug)]
pub struct PasswordKeys<'a> {
    /// What the keys are called in this section.
    pub names: &'static SecretKeys,
    pub env: Option<&'a str>,
    pub file: Option<&'a std::path::Path>,
    pub command: Option<&'a str>,
    pub plain: Option<&'a SecretString>,
}

fn default_page_size() -> u32 {
    1000
}
pub(super) fn default_connect_timeout() -> HumanDuration {
    HumanDuration(Duration::from_secs(10))
}
pub(super) fn default_op_timeout() -> HumanDuration {
    HumanDuration(Duration::from_secs(30))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteScope {
    /// Only accounts adsync created or matched to a directory object.
    #[default]
    Managed,
    /// Every account not in the directory (except admins and exemptions).
    All,
}

/// What a changed primary address becomes in the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenameMode {
    /// Change the address on the account (PUT), then read it back to prove it took.
    #[default]
    Update,
    /// Create the new address and delete the old account, under the delete guards: for a
    /// service that refuses or ignores a changed address. The old account's own settings go.
    Recreate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
pub enum Frequency {
    #[default]
    #[serde(rename = "off")]
    Off,
    #[serde(rename = "1h")]
    Hours1,
    #[serde(rename = "3h")]
    Hours3,
    #[serde(rename = "6h")]
    Hours6,
    #[serde(rename = "12h")]
    Hours12,
    #[serde(rename = "24h")]
    Hours24,
}

impl Frequency {
    pub fn hours(self) -> Option<u32> {
        match self {
            Frequency::Off => None,
            Frequency::Hours1 => Some(1),
            Frequency::Hours3 => Some(3),
            Frequency::Hours6 => Some(6),
            Frequency::Hours12 => Some(12),
            Frequency::Hours24 => Some(24),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    pub default_role: DefaultRole,
    pub active_users: bool,
    pub disabled_users: bool,
    pub functional_accounts: bool,
    pub security_groups: bool,
    pub hidden_from_gal: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
    pub delete_scope: DeleteScope,
    pub frequency: Frequency,
    pub auto_apply: bool,
    /// Overwrite roles an admin changed by hand in the service.
    pub manage_roles: bool,
    /// Addresses and globs adsync never creates, changes or deletes.
    pub exempt: Vec<AddressGlob>,
    pub rename: RenameMode,
    pub guards: GuardConfig,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            default_role: DefaultRole::SilentUser,
            active_users: true,
            disabled_users: false,
            functional_accounts: true,
            security_groups: true,
            hidden_from_gal: false,
            create: true,
            update: true,
            delete: false,
            delete_scope: DeleteScope::Managed,
            frequency: Frequency::Off,
            auto_apply: false,
            manage_roles: false,
            exempt: Vec::new(),
            rename: RenameMode::Update,
            guards: GuardConfig::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuardConfig {
    pub max_deletes: u32,
    pub max_delete_percent: f64,
    pub max_shrink_percent: f64,
    /// Block a run that would need more licences than the organisation has (else a warning).
    pub respect_licenses: bool,
}

impl Default for GuardConfig {
    fn default() -> Self {
        Self { max_deletes: 25, max_delete_percent: 5.0, max_shrink_percent: 10.0, respect_licenses: false }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExcludeConfig {
    pub subtrees: Vec<DnString>,
    pub addresses: Vec<AddressGlob>,
}

impl ExcludeConfig {
    /// The subtrees as DNs. Unparsable entries are left out: the config check has reported
    /// them already.
    pub fn subtree_dns(&self) -> impl Iterator<Item = crate::dn::Dn> + '_ {
        self.subtrees.iter().filter_map(|d| crate::dn::Dn::parse(&d.0).ok())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Essentials,
    File,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stack {
    Us1,
    Us2,
    Us3,
    Us4,
    Us5,
    Eu1,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub kind: TargetKind,
    pub stack: Option<Stack>,
    pub api_url: Option<String>,
    /// Where to ask for the organisation's stack when neither stack nor api_url is set.
    pub discovery_url: Option<String>,
    pub domain: Option<String>,
    pub user: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub password_command: Option<String>,
    /// Accepted with a warning: a secret in a config file is a secret in every backup.
    pub password: Option<SecretString>,
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: u32,
    pub max_requests_per_second: Option<f64>,
    #[serde(default = "default_request_timeout")]
    pub request_timeout: HumanDuration,
    /// Write even while the service's own LDAP or Azure AD sync is on for the organisation.
    #[serde(default)]
    pub coexist_with_vendor_sync: bool,
    pub path: Option<PathBuf>,
    /// `"partner"`: the user, password and stack come from the main config's `[partner]`.
    pub credentials: Option<TargetCredentials>,
}

/// Whose credentials a service target signs in with, when not its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCredentials {
    /// The partner (service provider) admin of the main config's `[partner]`.
    Partner,
}

impl TargetConfig {
    pub fn password_keys(&self) -> PasswordKeys<'_> {
        PasswordKeys {
            names: &PASSWORD,
            env: self.password_env.as_deref(),
            file: self.password_file.as_deref(),
            command: self.password_command.as_deref(),
            plain: self.password.as_ref(),
        }
    }
}

fn default_max_in_flight() -> u32 {
    4
}
pub(crate) fn default_request_timeout() -> HumanDuration {
    HumanDuration(Duration::from_secs(30))
}

impl<S> RawConfig<S> {
    /// The `[source]` table apart from the rest, which every kind checks the same way.
    pub fn split(self) -> (S, RawConfig<()>) {
        let RawConfig { source, sync, exclude, target, state_dir, history, notify, enabled } = self;
        (source, RawConfig { source: (), sync, exclude, target, state_dir, history, notify, enabled })
    }
}
