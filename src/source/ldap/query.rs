//! Which objects to ask for, and which attributes, per directory flavor.

use crate::config::LdapConfig;
use crate::model::Flavor;

const AD_USERS: &str = "(&(objectCategory=person)(objectClass=user))";
const AD_GROUPS: &str = "(objectClass=group)";
// No negations on OpenLDAP: a filter on an undefined class is Undefined, and NOT Undefined
// still matches nothing. Computers are dropped client-side instead.
const OPENLDAP_USERS: &str = "(objectClass=inetOrgPerson)";
const OPENLDAP_GROUPS: &str = "(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";

/// Only what classification needs: a smaller answer is a faster read.
const ATTRIBUTES: [&str; 12] = [
    "objectClass",
    "objectGUID",
    "mail",
    "proxyAddresses",
    "givenName",
    "sn",
    "displayName",
    "userAccountControl",
    "groupType",
    "msExchHideFromAddressLists",
    "msExchRecipientTypeDetails",
    "member",
];

pub struct Query {
    pub filter: String,
    pub attrs: Vec<String>,
}

impl Query {
    /// `member_range_step` asks for `member;range=0-(step-1)` explicitly, the way AD
    /// hands out large groups; `None` asks for plain `member` (AD still answers in ranges).
    pub fn new(flavor: Flavor, config: &LdapConfig, member_range_step: Option<u32>) -> Self {
        let (users, groups) = match flavor {
            Flavor::ActiveDirectory => (AD_USERS, AD_GROUPS),
            // Entra ID is never read over LDAP: whatever is not AD gets the standard filters.
            Flavor::Openldap | Flavor::EntraId | Flavor::Csv => (OPENLDAP_USERS, OPENLDAP_GROUPS),
        };
        let users = config.user_filter.as_ref().map_or(users, |f| f.0.as_str());
        let groups = config.group_filter.as_ref().map_or(groups, |f| f.0.as_str());
        let mut attrs: Vec<String> = ATTRIBUTES.iter().map(|a| a.to_string()).collect();
        if let Some(step) = member_range_step {
            attrs.retain(|a| a != "member");
            attrs.push(format!("member;range=0-{}", step.max(1) - 1));
        }
        if flavor == Flavor::Openldap {
            attrs.push("entryUUID".into()); // operational: only returned when asked for by name
        }
        Self { filter: format!("(|{users}{groups})"), attrs }
    }
}
