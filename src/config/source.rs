//! The `[source]` table: one shape per kind of directory. Only the chosen kind's keys are
//! accepted, each checked with its own rules.

use super::csv::CsvConfig;
use super::graph::GraphConfig;
use super::schema::{LdapConfig, SourceKind};
use crate::model::SourceIdentity;

#[derive(Clone, Debug)]
pub enum SourceConfig {
    Ldap(LdapConfig),
    Graph(GraphConfig),
    Csv(CsvConfig),
}

impl SourceConfig {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceConfig::Ldap(_) => SourceKind::Ldap,
            SourceConfig::Graph(_) => SourceKind::Graph,
            SourceConfig::Csv(_) => SourceKind::Csv,
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

    pub fn csv(&self) -> Option<&CsvConfig> {
        match self {
            SourceConfig::Csv(csv) => Some(csv),
            _ => None,
        }
    }

    /// Whether guest accounts are synced; only Entra ID has them.
    pub fn include_guests(&self) -> bool {
        self.graph().is_some_and(|g| g.include_guests)
    }

    /// Which directory this is, for the shrink guard's baseline: the server and base DN, the
    /// tenant, or a CSV file's layout (never its name).
    pub fn identity(&self) -> SourceIdentity {
        match self {
            SourceConfig::Ldap(ldap) => {
                SourceIdentity::Ldap { url: ldap.url.to_string(), base_dn: ldap.base_dn.0.to_ascii_lowercase() }
            }
            SourceConfig::Graph(graph) => SourceIdentity::Graph { tenant: graph.tenant.clone() },
            SourceConfig::Csv(csv) => SourceIdentity::Csv { layout: csv.layout() },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, LDAP_KEYS, csv, graph};

    /// The keys serde accepts for a kind, as its error for an unknown key lists them.
    fn accepted(kind: &str) -> Vec<String> {
        let text = format!("[source]\nkind = \"{kind}\"\nzz_not_a_key = 1\n");
        let e = Config::parse(&text, "t.toml").unwrap_err().to_string();
        let listed = e.split_once("expected one of").expect("serde lists the keys").1;
        listed.split('`').skip(1).step_by(2).map(str::to_string).collect()
    }

    /// The settings form keeps a kind's keys and takes every other out, so a key missing
    /// from these lists would be deleted from the user's file on saving.
    #[test]
    fn each_kind_s_key_list_is_exactly_what_its_schema_accepts() {
        for (kind, keys) in [("ldap", LDAP_KEYS), ("graph", graph::KEYS), ("csv", csv::KEYS)] {
            assert_eq!(accepted(kind), keys, "{kind}");
        }
    }
}
