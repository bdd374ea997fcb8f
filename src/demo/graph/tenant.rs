//! The look-alike's tenant: the demo's generated company as Entra ID users and groups, a
//! few guests, and a change log from which delta rounds are answered.

use crate::demo::company::{CompanySpec, generate};
use crate::demo::entry::Entry;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A user of the tenant, with the properties the look-alike serves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantUser {
    pub id: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    pub proxy_addresses: Vec<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub display_name: Option<String>,
    pub account_enabled: bool,
    /// `Member` or `Guest`.
    pub user_type: String,
    pub department: Option<String>,
    pub job_title: Option<String>,
    /// `mailboxSettings.userPurpose`: `user`, `shared`, `room`, `equipment`; `None`: no mailbox.
    pub purpose: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantGroup {
    pub id: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub mail_enabled: bool,
    pub security_enabled: bool,
    pub group_types: Vec<String>,
    pub proxy_addresses: Vec<String>,
    pub description: Option<String>,
    /// Direct members' ids (users and groups), in the order they were added.
    pub members: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    Users,
    Groups,
}

/// One object's change, for delta rounds.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Changed {
    seq: u64,
    collection: Collection,
    id: String,
}

#[derive(Debug, Default)]
pub struct Tenant {
    pub domain: String,
    pub users: BTreeMap<String, TenantUser>,
    pub groups: BTreeMap<String, TenantGroup>,
    seq: u64,
    log: Vec<Changed>,
    /// Delta tokens from before this change number are answered 410 Gone.
    pub oldest_valid_token: u64,
}

/// What a delta round says about one object.
pub enum DeltaItem<'a> {
    User(&'a TenantUser),
    Group(&'a TenantGroup),
    Removed(String),
}

impl Tenant {
    pub fn empty(domain: &str) -> Self {
        Self { domain: domain.into(), ..Self::default() }
    }

    /// The demo company of `users` people, as Entra ID holds it, plus a few guests.
    pub fn company(users: u32) -> Self {
        let spec = CompanySpec::new(users);
        let entries = generate(&spec);
        let mut tenant =
            Self::empty(&format!("{}.onmicrosoft.com", spec.domain.split('.').next().unwrap_or("example")));
        let ids: HashMap<String, String> =
            entries.iter().filter_map(|e| Some((e.dn.to_lowercase(), guid(e)?))).collect();
        for entry in &entries {
            if entry.has_value("objectClass", "group") {
                tenant.put_group(group_of(entry, &ids));
            } else if entry.has_value("objectClass", "user") {
                tenant.put_user(user_of(entry));
            }
        }
        for k in 0..(users / 500).max(2) {
            tenant.put_user(guest(k, &tenant.domain.clone()));
        }
        tenant.forget_history();
        tenant
    }

    /// The current change number: a delta token for "now".
    pub fn seq(&self) -> u64 {
        self.seq
    }

    fn note(&mut self, collection: Collection, id: &str) {
        self.seq += 1;
        self.log.push(Changed { seq: self.seq, collection, id: id.to_string() });
    }

    /// Starts the change log afresh: what exists now is the initial state.
    fn forget_history(&mut self) {
        self.log.clear();
    }

    pub fn put_user(&mut self, user: TenantUser) {
        self.note(Collection::Users, &user.id);
        self.users.insert(user.id.clone(), user);
    }

    pub fn put_group(&mut self, group: TenantGroup) {
        self.note(Collection::Groups, &group.id);
        self.groups.insert(group.id.clone(), group);
    }

    /// Changes a user; `false` when there is none with that id.
    pub fn edit_user(&mut self, id: &str, edit: impl FnOnce(&mut TenantUser)) -> bool {
        let Some(user) = self.users.get_mut(id) else { return false };
        edit(user);
        self.note(Collection::Users, id);
        true
    }

    /// Deletes a user, and takes it out of every group (those groups change too).
    pub fn delete_user(&mut self, id: &str) -> bool {
        if self.users.remove(id).is_none() {
            return false;
        }
        self.note(Collection::Users, id);
        let holding: Vec<String> =
            self.groups.values().filter(|g| g.members.iter().any(|m| m == id)).map(|g| g.id.clone()).collect();
        for group in holding {
            self.edit_group(&group, |g| g.members.retain(|m| m != id));
        }
        true
    }

    pub fn edit_group(&mut self, id: &str, edit: impl FnOnce(&mut TenantGroup)) -> bool {
        let Some(group) = self.groups.get_mut(id) else { return false };
        edit(group);
        self.note(Collection::Groups, id);
        true
    }

    /// Every object of `collection` changed after `since`, in the state it is in now.
    pub fn changed_since(&self, collection: Collection, since: u64) -> Vec<DeltaItem<'_>> {
        let mut seen = HashSet::new();
        let ids: Vec<&str> = self
            .log
            .iter()
            .filter(|c| c.seq > since && c.collection == collection)
            .filter(|c| seen.insert(c.id.as_str()))
            .map(|c| c.id.as_str())
            .collect();
        ids.into_iter()
            .map(|id| match collection {
                Collection::Users => self.users.get(id).map_or_else(|| DeltaItem::Removed(id.into()), DeltaItem::User),
                Collection::Groups => {
                    self.groups.get(id).map_or_else(|| DeltaItem::Removed(id.into()), DeltaItem::Group)
                }
            })
            .collect()
    }

    /// A user by id, or by userPrincipalName as Graph also accepts.
    pub fn user(&self, key: &str) -> Option<&TenantUser> {
        self.users.get(key).or_else(|| self.users.values().find(|u| u.user_principal_name.eq_ignore_ascii_case(key)))
    }

    /// A member id as Graph lists it: `(is a group, the object)`.
    pub fn member(&self, id: &str) -> Option<Member<'_>> {
        self.users.get(id).map(Member::User).or_else(|| self.groups.get(id).map(Member::Group))
    }
}

pub enum Member<'a> {
    User(&'a TenantUser),
    Group(&'a TenantGroup),
}

/// The entry's objectGUID as Graph shows an object id.
fn guid(entry: &Entry) -> Option<String> {
    let bytes = entry.get("objectGUID")?.values.first()?;
    crate::model::ObjectId::from_guid_bytes(bytes).map(|id| id.to_string())
}

fn text(entry: &Entry, name: &str) -> Option<String> {
    entry.first_text(name).map(str::to_string)
}

fn texts(entry: &Entry, name: &str) -> Vec<String> {
    entry
        .get(name)
        .map_or_else(Vec::new, |a| a.values.iter().map(|v| String::from_utf8_lossy(v).into_owned()).collect())
}

fn user_of(entry: &Entry) -> TenantUser {
    let uac: u32 = entry.first_text("userAccountControl").and_then(|v| v.parse().ok()).unwrap_or(0x200);
    let purpose = match entry.first_text("msExchRecipientTypeDetails") {
        Some("4") => Some("shared"),
        Some("16") => Some("room"),
        Some("32") => Some("equipment"),
        _ if entry.get("mail").is_some() => Some("user"),
        _ => None,
    };
    TenantUser {
        id: guid(entry).unwrap_or_default(),
        user_principal_name: text(entry, "userPrincipalName").unwrap_or_else(|| entry.dn.clone()),
        mail: text(entry, "mail"),
        proxy_addresses: texts(entry, "proxyAddresses"),
        given_name: text(entry, "givenName"),
        surname: text(entry, "sn"),
        display_name: text(entry, "displayName").or_else(|| text(entry, "cn")),
        account_enabled: uac & 0x2 == 0,
        user_type: "Member".into(),
        department: text(entry, "department"),
        job_title: text(entry, "title"),
        purpose: purpose.map(str::to_string),
    }
}

/// Security groups stay security groups, distribution lists stay distribution groups; every
/// fifth project list is a Microsoft 365 group (security-enabled, to show that Unified wins).
fn group_of(entry: &Entry, ids: &HashMap<String, String>) -> TenantGroup {
    let name = text(entry, "cn").unwrap_or_default();
    let security = entry.first_text("groupType").and_then(|v| v.parse::<i64>().ok()).is_some_and(|t| t < 0);
    let project = name.strip_prefix("DL-Project-").and_then(|n| n.parse::<u32>().ok());
    let unified = project.is_some_and(|n| n % 5 == 4);
    TenantGroup {
        id: guid(entry).unwrap_or_default(),
        mail: text(entry, "mail"),
        mail_enabled: entry.get("mail").is_some(),
        security_enabled: security || unified,
        group_types: if unified { vec!["Unified".into()] } else { Vec::new() },
        proxy_addresses: texts(entry, "proxyAddresses"),
        description: text(entry, "description"),
        members: texts(entry, "member").iter().filter_map(|dn| ids.get(&dn.to_lowercase()).cloned()).collect(),
        display_name: name,
    }
}

fn guest(k: u32, domain: &str) -> TenantUser {
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("adsync-demo-guest-{k}").as_bytes());
    TenantUser {
        id: id.to_string(),
        user_principal_name: format!("partner{k}_partner.example#EXT#@{domain}"),
        mail: Some(format!("partner{k}@partner.example")),
        proxy_addresses: vec![format!("SMTP:partner{k}@partner.example")],
        given_name: Some("Partner".into()),
        surname: Some(format!("{k:03}")),
        display_name: Some(format!("Partner {k:03} (guest)")),
        account_enabled: true,
        user_type: "Guest".into(),
        ..TenantUser::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_company_becomes_users_groups_and_guests() {
        let t = Tenant::company(1000);
        assert_eq!(t.domain, "example.onmicrosoft.com");
        assert_eq!(t.users.values().filter(|u| u.user_type == "Guest").count(), 2);
        assert!(t.users.values().any(|u| u.purpose.as_deref() == Some("shared") && !u.account_enabled));
        assert!(t.users.values().any(|u| u.purpose.is_none() && u.user_type == "Member"));
        let unified = t.groups.values().filter(|g| g.group_types == ["Unified"]).count();
        assert!(unified >= 1, "{unified}");
        let managers = t.groups.values().find(|g| g.display_name == "SG-Managers").unwrap();
        assert_eq!(managers.members.len(), 100);
        assert!(managers.mail_enabled && managers.security_enabled);
        assert_eq!(t.changed_since(Collection::Users, 0).len(), 0, "the generated state is the initial one");
    }

    #[test]
    fn delta_lists_each_changed_object_once_in_its_state_now() {
        let mut t = Tenant::company(50);
        let start = t.seq();
        let (a, b) = {
            let mut ids = t.users.keys().cloned();
            (ids.next().unwrap(), ids.next().unwrap())
        };
        t.edit_user(&a, |u| u.account_enabled = false);
        t.edit_user(&a, |u| u.surname = Some("Changed".into()));
        t.delete_user(&b);
        let items = t.changed_since(Collection::Users, start);
        assert_eq!(items.len(), 2);
        assert!(
            matches!(items[0], DeltaItem::User(u) if !u.account_enabled && u.surname.as_deref() == Some("Changed"))
        );
        assert!(matches!(&items[1], DeltaItem::Removed(id) if *id == b));
        assert!(!t.changed_since(Collection::Groups, start).is_empty(), "b's groups changed too");
    }
}
