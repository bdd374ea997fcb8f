//! What the service says about the organisation itself, read before anything is written:
//! its licences and whether the service's own directory sync runs for it. Two syncers on one
//! organisation fight and delete each other's accounts.

use serde::Serialize;
use std::fmt;

/// One of a partner's (service provider's) organisations, as `GET /orgs/{partner}/orgs` lists it.
/// Only what `orgs discover` writes into a skeleton is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildOrg {
    pub primary_domain: String,
    pub name: Option<String>,
    /// The service's own LDAP sync settings, when it has them: a starting point for adsync's.
    pub ldap_url: Option<String>,
    pub ldap_basedn: Option<String>,
}

/// Licences and how many are in use (`GET /orgs/{domain}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Licenses {
    pub user_licenses: u64,
    pub active_users: u64,
}

/// The service's own sync, when it is on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VendorSync {
    /// The organisation has an LDAP server configured (`ldap_url`).
    Ldap { url: String, base_dn: Option<String> },
    /// The Azure AD sync runs every `every_hours` (`sync_frequency` above 0).
    Azure { every_hours: u64, removes_deleted_users: bool },
}

impl VendorSync {
    /// How an admin turns it off, in the service's own terms.
    pub fn how_to_turn_off(&self) -> &'static str {
        match self {
            VendorSync::Ldap { .. } => {
                "clear the organisation's LDAP server settings in the service (ldap_url, e.g. PATCH /orgs/{domain} with ldap_url \"\")"
            }
            VendorSync::Azure { .. } => {
                "set the Azure AD sync frequency to never in the service's Azure settings (sync_frequency 0), or clear them (DELETE /orgs/{domain}/settings/azure)"
            }
        }
    }
}

impl fmt::Display for VendorSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VendorSync::Ldap { url, base_dn: Some(base) } => {
                write!(f, "the service's LDAP sync (ldap_url {url}, base DN {base})")
            }
            VendorSync::Ldap { url, base_dn: None } => write!(f, "the service's LDAP sync (ldap_url {url})"),
            VendorSync::Azure { every_hours, removes_deleted_users } => {
                let deletes = if *removes_deleted_users { ", removing deleted users" } else { "" };
                write!(f, "the service's Azure AD sync (every {every_hours} h{deletes})")
            }
        }
    }
}

/// Which of the two reads a fact comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRead {
    /// `GET /orgs/{domain}`: licences and the LDAP sync.
    Organisation,
    /// `GET /orgs/{domain}/settings/azure`: the Azure AD sync.
    AzureSettings,
}

impl OrgRead {
    pub fn route(self) -> &'static str {
        match self {
            OrgRead::Organisation => "GET /orgs/{domain}",
            OrgRead::AzureSettings => "GET /orgs/{domain}/settings/azure",
        }
    }

    /// What adsync cannot tell without it.
    fn unknown(self) -> &'static str {
        match self {
            OrgRead::Organisation => "whether the service's LDAP sync is on, nor the licences",
            OrgRead::AzureSettings => "whether the service's Azure AD sync is on",
        }
    }
}

/// A read the service refused (403) or does not have (404): a warning, never a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnreadFact {
    pub read: OrgRead,
    pub status: u16,
    /// What the service said, quoted.
    pub detail: String,
}

impl fmt::Display for UnreadFact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let said = if self.detail.is_empty() { String::new() } else { format!(": {}", self.detail) };
        write!(f, "{} answered {}{said}, so adsync cannot tell {}", self.read.route(), self.status, self.read.unknown())
    }
}

/// Everything read about the organisation. The file target has none of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OrgFacts {
    pub licenses: Option<Licenses>,
    pub vendor_syncs: Vec<VendorSync>,
    pub unread: Vec<UnreadFact>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sync_says_what_it_is_and_how_to_stop_it() {
        let ldap = VendorSync::Ldap { url: "ldaps://dc1".into(), base_dn: None };
        assert_eq!(ldap.to_string(), "the service's LDAP sync (ldap_url ldaps://dc1)");
        assert!(ldap.how_to_turn_off().contains("ldap_url"));
        let azure = VendorSync::Azure { every_hours: 24, removes_deleted_users: true };
        assert_eq!(azure.to_string(), "the service's Azure AD sync (every 24 h, removing deleted users)");
        assert!(azure.how_to_turn_off().contains("sync_frequency 0"));
    }

    #[test]
    fn an_unread_fact_names_the_route_and_what_is_unknown() {
        let gap = UnreadFact { read: OrgRead::AzureSettings, status: 404, detail: "no settings".into() };
        assert_eq!(
            gap.to_string(),
            "GET /orgs/{domain}/settings/azure answered 404: no settings, so adsync cannot tell whether the service's Azure AD sync is on"
        );
    }
}
