//! The demo's stand-in for the service: a file target seeded so the first plan shows every
//! kind of change — most people already there, some edited since, some new, a few gone —
//! plus accounts a sync must leave alone (admins, addresses the service found by itself).

use crate::model::{Account, AccountType, DefaultRole, DirectoryEntry};
use crate::sync::plan::{Managed, desired_account};

/// The service's accounts, and which of them an earlier adsync run created.
pub fn seed(entries: &[DirectoryEntry], domain: &str) -> (Vec<Account>, Managed) {
    let mut accounts = Vec::new();
    let mut managed = Managed::default();
    for (k, entry) in entries.iter().enumerate() {
        if k % 3 == 0 {
            continue; // new in the directory: the plan creates it
        }
        let mut account = desired_account(entry, DefaultRole::SilentUser);
        if k % 17 == 1 {
            account.last_name = Some(format!("{} (old name)", account.last_name.unwrap_or_default()));
        }
        if k % 29 == 2 {
            account.aliases.push(format!("old-alias{k}@{domain}"));
        }
        managed.accounts.insert(account.primary_email.clone(), entry.id);
        accounts.push(account);
    }
    for n in 1..=8 {
        let gone = Account::new(format!("former.employee{n}@{domain}"), AccountType::SilentUser);
        managed.accounts.insert(gone.primary_email.clone(), None);
        accounts.push(gone);
    }
    for n in 1..=3 {
        accounts.push(Account::new(format!("smtp-discovered{n}@{domain}"), AccountType::SilentUser));
    }
    accounts.push(Account::new(format!("admin@{domain}"), AccountType::OrganizationAdmin));
    accounts.push(Account::new(format!("it-helpdesk@{domain}"), AccountType::ChannelAdmin));
    (accounts, managed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChangeKind, EntryKind, Presence};
    use crate::sync::plan::{PlanPolicy, Untouched, plan};

    fn entry(k: usize) -> DirectoryEntry {
        DirectoryEntry {
            id: Some(crate::model::ObjectId(uuid::Uuid::from_u128(k as u128))),
            dn: format!("cn=u{k},dc=x"),
            kind: EntryKind::User,
            primary_email: format!("u{k}@example.com"),
            aliases: vec![],
            first_name: Some("U".into()),
            last_name: Some(format!("L{k}")),
            display_name: None,
            enabled: true,
            hidden: false,
            member_count: None,
            source: None,
        }
    }

    #[test]
    fn the_first_demo_plan_shows_every_kind_of_change() {
        let entries: Vec<_> = (0..300).map(entry).collect();
        let (accounts, managed) = seed(&entries, "example.com");
        let p = plan(
            &entries,
            &Presence::default(),
            &accounts,
            &managed,
            &PlanPolicy { delete: true, ..PlanPolicy::default() },
        );
        assert_eq!(p.count(ChangeKind::Create), 100);
        let edited = (0..300).filter(|k| k % 3 != 0 && (k % 17 == 1 || k % 29 == 2)).count();
        assert_eq!(p.count(ChangeKind::Update), edited);
        assert_eq!(p.count(ChangeKind::Delete), 8);
        let admins = p.untouched.iter().filter(|l| l.reason == Untouched::Admin).count();
        let unmanaged = p.untouched.iter().filter(|l| l.reason == Untouched::Unmanaged).count();
        assert_eq!((admins, unmanaged), (2, 3));
    }
}
