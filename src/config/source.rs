//! The `[source]` table: one shape per kind of directory. Only the chosen kind's keys are
//! accepted, each checked with its own rules.

use super::schema::{LdapConfig, SourceKind};

#[derive(Clone, Debug)]
pub enum SourceConfig {
    Ldap(LdapConfig),
}

impl SourceConfig {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceConfig::Ldap(_) => SourceKind::Ldap,
        }
    }

    pub fn ldap(&self) -> Option<&LdapConfig> {
        match self {
            SourceConfig::Ldap(ldap) => Some(ldap),
        }
    }
}
