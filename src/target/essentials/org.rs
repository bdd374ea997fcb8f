//! The organisation's own facts from `GET /orgs/{domain}` and
//! `GET /orgs/{domain}/settings/azure`: licences, and whether the service's LDAP or Azure AD
//! sync is on. Numbers are read whether the service sends them as numbers or as strings.

use crate::model::{Licenses, OrgFacts, UnreadFact, VendorSync};
use serde_json::Value;

/// What the two reads say; a read the service would not give leaves its facts unknown.
pub fn facts(org: Result<Value, UnreadFact>, azure: Result<Value, UnreadFact>) -> OrgFacts {
    let mut facts = OrgFacts::default();
    match org {
        Ok(doc) => {
            facts.licenses = licenses(&doc);
            facts.vendor_syncs.extend(ldap_sync(&doc));
        }
        Err(gap) => facts.unread.push(gap),
    }
    match azure {
        Ok(doc) => facts.vendor_syncs.extend(azure_sync(&doc)),
        Err(gap) => facts.unread.push(gap),
    }
    facts
}

fn licenses(org: &Value) -> Option<Licenses> {
    Some(Licenses { user_licenses: number(&org["user_licenses"])?, active_users: number(&org["active_users"])? })
}

/// An organisation with an LDAP server configured is synced from it by the service.
fn ldap_sync(org: &Value) -> Option<VendorSync> {
    let url = text(&org["ldap_url"])?;
    Some(VendorSync::Ldap { url, base_dn: text(&org["ldap_basedn"]) })
}

/// `sync_frequency` 0 is the documented "off".
fn azure_sync(settings: &Value) -> Option<VendorSync> {
    let every_hours = number(&settings["sync_frequency"]).filter(|h| *h > 0)?;
    let removes_deleted_users = settings["remove_deleted_users"].as_bool().unwrap_or(false);
    Some(VendorSync::Azure { every_hours, removes_deleted_users })
}

/// A count the API gives as a number or as a string.
fn number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str()?.trim().parse().ok())
}

/// A text value, trimmed; empty counts as none.
pub(super) fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrgRead;
    use serde_json::json;

    #[test]
    fn licences_and_both_syncs_are_read() {
        let org = json!({"user_licenses": 100, "active_users": "75", "ldap_url": "ldaps://dc1", "ldap_basedn": ""});
        let azure = json!({"sync_frequency": 24, "remove_deleted_users": true});
        let f = facts(Ok(org), Ok(azure));
        assert_eq!(f.licenses, Some(Licenses { user_licenses: 100, active_users: 75 }));
        assert_eq!(
            f.vendor_syncs,
            [
                VendorSync::Ldap { url: "ldaps://dc1".into(), base_dn: None },
                VendorSync::Azure { every_hours: 24, removes_deleted_users: true }
            ]
        );
    }

    #[test]
    fn syncs_that_are_off_and_reads_that_were_refused() {
        let org = json!({"user_licenses": 100, "ldap_url": "  "});
        let gap = UnreadFact { read: OrgRead::AzureSettings, status: 404, detail: String::new() };
        let f = facts(Ok(org), Err(gap.clone()));
        assert_eq!((f.licenses, f.vendor_syncs.is_empty(), f.unread), (None, true, vec![gap]));
        let off = facts(Ok(json!({})), Ok(json!({"sync_frequency": 0})));
        assert!(off.vendor_syncs.is_empty() && off.unread.is_empty());
    }
}
