//! The demo server's in-memory directory: entries indexed by DN, scopes, and binds.

use super::entry::Entry;
use crate::dn::Dn;
use std::collections::HashMap;

/// Search scope, independent of any wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Base,
    OneLevel,
    Subtree,
}

pub struct Directory {
    entries: Vec<Entry>,
    dns: Vec<Dn>,
    by_dn: HashMap<Dn, usize>,
    base: String,
}

/// Why a simple bind failed, in Active Directory's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindRefusal {
    /// `data 52e`: unknown account or wrong password (AD does not say which).
    BadCredentials,
    /// `data 533`.
    Disabled,
}

impl Directory {
    pub fn new(entries: Vec<Entry>, base: &str) -> Self {
        let dns: Vec<Dn> = entries.iter().map(Entry::parsed_dn).collect();
        let by_dn = dns.iter().enumerate().map(|(k, dn)| (dn.clone(), k)).collect();
        Self { entries, dns, by_dn, base: base.to_string() }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, index: usize) -> &Entry {
        &self.entries[index]
    }

    pub fn find(&self, dn: &Dn) -> Option<usize> {
        self.by_dn.get(dn).copied()
    }

    /// The deepest existing entry at or above `dn` (AD's "best match" in NO_OBJECT errors).
    pub fn best_match(&self, dn: &Dn) -> Option<&str> {
        let mut current = Some(dn.clone());
        while let Some(d) = current {
            if let Some(k) = self.find(&d) {
                return Some(&self.entries[k].dn);
            }
            current = d.parent();
        }
        None
    }

    /// Entries in scope, in directory order; `None` when the base does not exist.
    pub fn in_scope(&self, base: &Dn, scope: Scope) -> Option<Vec<usize>> {
        let root = self.find(base)?;
        Some(match scope {
            Scope::Base => vec![root],
            Scope::OneLevel => (0..self.dns.len()).filter(|&k| self.dns[k].parent().as_ref() == Some(base)).collect(),
            Scope::Subtree => (0..self.dns.len()).filter(|&k| self.dns[k].is_within(base)).collect(),
        })
    }

    /// Simple bind by DN or userPrincipalName, the two forms AD accepts.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<usize, BindRefusal> {
        let index = self.account(name).ok_or(BindRefusal::BadCredentials)?;
        let entry = &self.entries[index];
        let stored = entry.get("userPassword").and_then(|a| a.values.first());
        if stored.map(Vec::as_slice) != Some(password.as_bytes()) {
            return Err(BindRefusal::BadCredentials);
        }
        let uac: u32 = entry.first_text("userAccountControl").and_then(|v| v.parse().ok()).unwrap_or(0);
        if uac & 0x2 != 0 {
            return Err(BindRefusal::Disabled);
        }
        Ok(index)
    }

    fn account(&self, name: &str) -> Option<usize> {
        if name.contains('=') {
            return Dn::parse(name).ok().and_then(|dn| self.find(&dn));
        }
        self.entries
            .iter()
            .position(|e| e.first_text("userPrincipalName").is_some_and(|u| u.eq_ignore_ascii_case(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::company::{CompanySpec, generate};

    fn dir() -> Directory {
        Directory::new(generate(&CompanySpec::new(50)), "dc=example,dc=com")
    }

    #[test]
    fn scopes() {
        let d = dir();
        let people = Dn::parse("ou=People,dc=example,dc=com").unwrap();
        assert_eq!(d.in_scope(&people, Scope::Base).unwrap().len(), 1);
        assert_eq!(d.in_scope(&people, Scope::OneLevel).unwrap().len(), 5);
        assert_eq!(d.in_scope(&people, Scope::Subtree).unwrap().len(), 1 + 5 + 50);
        assert!(d.in_scope(&Dn::parse("ou=Nope,dc=example,dc=com").unwrap(), Scope::Base).is_none());
    }

    #[test]
    fn best_match_walks_up() {
        let d = dir();
        let missing = Dn::parse("cn=x,ou=Nope,ou=People,dc=example,dc=com").unwrap();
        assert_eq!(d.best_match(&missing), Some("ou=People,dc=example,dc=com"));
    }

    #[test]
    fn binds_by_dn_or_upn() {
        let d = dir();
        assert!(d.authenticate("cn=svc-sync,ou=Service Accounts,dc=example,dc=com", "SyncPassw0rd!").is_ok());
        assert!(d.authenticate("SVC-SYNC@example.com", "SyncPassw0rd!").is_ok());
        assert_eq!(d.authenticate("svc-sync@example.com", "nope"), Err(BindRefusal::BadCredentials));
        assert_eq!(d.authenticate("nobody@example.com", "x"), Err(BindRefusal::BadCredentials));
    }
}
