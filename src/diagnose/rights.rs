//! Read rights: which attributes the classification needs came back on the sample page.
//! An attribute that no entry of a whole page shows is, in practice, one the account
//! cannot read (directories hide unreadable attributes instead of refusing the search).

use super::probe::Probe;
use super::sample::Sample;
use super::step::Outcome;
use crate::model::{Flavor, ObjectClass};

/// An attribute adsync reads, on which objects, on which directories, and why.
struct Need {
    attr: &'static str,
    of: ObjectClass,
    /// `None`: every flavor.
    only: Option<Flavor>,
    why: &'static str,
}

const NEEDS: [Need; 6] = [
    Need { attr: "mail", of: ObjectClass::User, only: None, why: "the address to sync" },
    Need {
        attr: "proxyAddresses",
        of: ObjectClass::User,
        only: Some(Flavor::ActiveDirectory),
        why: "the primary address and aliases",
    },
    Need {
        attr: "userAccountControl",
        of: ObjectClass::User,
        only: Some(Flavor::ActiveDirectory),
        why: "which accounts are disabled",
    },
    Need {
        attr: "objectGUID",
        of: ObjectClass::User,
        only: Some(Flavor::ActiveDirectory),
        why: "the id that survives renames",
    },
    Need {
        attr: "entryUUID",
        of: ObjectClass::User,
        only: Some(Flavor::Openldap),
        why: "the id that survives renames",
    },
    Need { attr: "member", of: ObjectClass::Group, only: None, why: "group members" },
];

pub(super) fn check(probe: &mut Probe<'_>) -> Outcome {
    let Some(sample) = probe.sample.as_ref() else {
        return Outcome::skipped("no sample to look at");
    };
    judge(sample)
}

fn judge(sample: &Sample) -> Outcome {
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for need in NEEDS.iter().filter(|n| n.only.is_none_or(|f| f == sample.flavor)) {
        let Some((with, of)) = seen(sample, need) else { continue };
        evidence.push((need.attr.to_string(), format!("on {with} of {of} {} ({})", noun(need.of), need.why)));
        if with == 0 {
            missing.push(need.attr);
        }
    }
    let outcome = if missing.is_empty() {
        Outcome::ok("the sample shows every attribute adsync reads")
    } else {
        let list = missing.join(", ");
        Outcome::warn(
            format!("the account cannot read {list}: no entry of the first page shows it"),
            format!(
                "grant the bind account read access to {list} (AD: delegate \"Read\" on these properties; OpenLDAP: an access rule giving it read)"
            ),
        )
    };
    outcome.with_all(evidence)
}

/// How many of the sampled objects of the need's kind carry the attribute; `None` when
/// the page has none of that kind (nothing to judge).
fn seen(sample: &Sample, need: &Need) -> Option<(usize, usize)> {
    let of = sample.of(need.of).count();
    if of == 0 {
        return None;
    }
    let with = sample.of(need.of).filter(|e| e.attrs.iter().any(|a| carries(&a.name, need.attr))).count();
    Some((with, of))
}

/// `member;range=0-1499` counts as `member`.
fn carries(name: &str, attr: &str) -> bool {
    let base = name.split(';').next().unwrap_or(name);
    base.eq_ignore_ascii_case(attr)
}

fn noun(class: ObjectClass) -> &'static str {
    match class {
        ObjectClass::User => "users",
        ObjectClass::Group => "groups",
        ObjectClass::Other => "entries",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::step::Status;
    use crate::source::ldap::entry::{RawAttr, RawEntry};

    fn entry(class: &str, attrs: &[&str]) -> RawEntry {
        let mut all = vec![RawAttr { name: "objectClass".into(), values: vec![class.as_bytes().to_vec()] }];
        all.extend(attrs.iter().map(|a| RawAttr { name: a.to_string(), values: vec![b"x".to_vec()] }));
        RawEntry { dn: "cn=x".into(), attrs: all }
    }

    #[test]
    fn a_page_without_an_attribute_is_a_warning_naming_it() {
        let entries = vec![
            entry("user", &["mail", "objectGUID", "proxyAddresses"]),
            entry("user", &["objectGUID", "proxyAddresses"]),
            entry("group", &["member;range=0-1499"]),
        ];
        let outcome = judge(&Sample { flavor: Flavor::ActiveDirectory, entries });
        assert_eq!(outcome.status, Status::Warn);
        assert!(outcome.summary.contains("cannot read userAccountControl:"), "{}", outcome.summary);
        assert!(outcome.fix.unwrap().contains("read access to userAccountControl"));
    }

    #[test]
    fn openldap_is_not_asked_for_ad_attributes() {
        let entries = vec![entry("inetOrgPerson", &["mail", "entryUUID"]), entry("groupOfNames", &["member"])];
        assert_eq!(judge(&Sample { flavor: Flavor::Openldap, entries }).status, Status::Ok);
    }
}
