//! The `[source]` table: one shape per kind of directory. Only the chosen kind's keys are
//! accepted, each checked with its own rules.

use super::graph::GraphConfig;
use super::schema::{LdapConfig, SourceKind};

#[derive(Clone, Debug)]
pub enum SourceConfig {
    Ldap(LdapConfig),
    Graph(GraphConfig),
}

impl SourceConfig {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceConfig::Ldap(_) => SourceKind::Ldap,
            SourceConfig::Graph(_) => SourceKind::Graph,
        }
    }

    pub fn ldap(&self) -> Option<&LdapConfig> {
        match self {
            SourceConfig::Ldap(ldap) => Some(ldap),
            _ => None,
        }
    }

    pub fn graph(&self) -> Option<&GraphConfig> {
        match self {
            SourceConfig::Graph(graph) => Some(graph),
            _ => None,
        }
    }

    /// Whether guest accounts are synced; only Entra ID has them.
    pub fn include_guests(&self) -> bool {
        self.graph().is_some_and(|g| g.include_guests)
    }
}
