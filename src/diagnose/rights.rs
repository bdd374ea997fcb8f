//! Read rights: which attributes the classification needs came back on the sample page.
//! Directories hide unreadable attributes instead of refusing the search, so: an attribute
//! every such object has (userAccountControl, the ids) that some entries lack is one the
//! account cannot read on them, and an optional one (mail) that no entry of a whole page
//! shows is, in practice, one it cannot read at all. (On Active Directory an account can
//! usually read its own entry in full: one entry showing an attribute proves little.)

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
    /// Every object of the kind has it: missing anywhere means unreadable there.
    always: bool,
    why: &'static str,
}

const NEEDS: [Need; 6] = [
    Need { attr: "mail", of: ObjectClass::User, only: None, always: false, why: "the address to sync" },
    Need {
        attr: "proxyAddresses",
        of: ObjectClass::User,
        only: Some(Flavor::ActiveDirectory),
        always: false,
        why: "the primary address and aliases",
    },
    Need {
        attr: "userAccountControl",
        of: ObjectClass::User,
        only: Some(Flavor::ActiveDirectory),
        always: true,
        why: "which accounts are disabled",
    },
    Need {
        attr: "objectGUID",
        of: ObjectClass::User,
        only: Some(Flavor::ActiveDirectory),
        always: true,
        why: "the id that survives renames",
    },
    Need {
        attr: "entryUUID",
        of: ObjectClass::User,
        only: Some(Flavor::Openldap),
        always: true,
        why: "the id that survives renames",
    },
    Need { attr: "member", of: ObjectClass::Group, only: None, always: false, why: "group members" },
];

pub(super) fn check(probe: &mut Probe<'_>) -> Outcome {
    let Some(sample) = probe.sample.as_ref() else {
        return Outcome::skipped("no sample to look at");
    };
    judge(sample)
}

fn judge(sample: &Sample) -> Outcome {
    let mut evidence = Vec::new();
    let mut unreadable = Vec::new();
    for need in NEEDS.iter().filter(|n| n.only.is_none_or(|f| f == sample.flavor)) {
        let Some((with, of)) = seen(sample, need) else { continue };
        evidence.push((need.attr.to_string(), format!("on {with} of {of} {} ({})", noun(need.of), need.why)));
        if with == 0 {
            unreadable.push((need.attr, format!("no entry of the first page shows {}", need.attr)));
        } else if need.always && with < of {
            let detail = format!("{} of {of} {} lack {}, which they all have", of - with, noun(need.of), need.attr);
            unreadable.push((need.attr, detail));
        }
    }
    let outcome = if unreadable.is_empty() {
        Outcome::ok("the sample shows every attribute adsync reads")
    } else {
        let names: Vec<&str> = unreadable.iter().map(|(attr, _)| *attr).collect();
        let details: Vec<&str> = unreadable.iter().map(|(_, detail)| detail.as_str()).collect();
        let list = names.join(", ");
        Outcome::warn(
            format!("the account cannot read {list}: {}", details.join("; ")),
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
    fn an_attribute_every_user_has_but_some_lack_is_unreadable_on_those() {
        // The bind account reads its own userAccountControl, and nobody else's.
        let mut entries = vec![entry("user", &["mail", "objectGUID", "proxyAddresses", "userAccountControl"])];
        entries.extend((0..9).map(|_| entry("user", &["mail", "objectGUID", "proxyAddresses"])));
        let outcome = judge(&Sample { flavor: Flavor::ActiveDirectory, entries });
        assert_eq!(outcome.status, Status::Warn);
        assert!(
            outcome.summary.contains("cannot read userAccountControl: 9 of 10 users lack userAccountControl"),
            "{}",
            outcome.summary
        );
    }

    #[test]
    fn an_optional_attribute_some_lack_is_no_warning() {
        let entries = vec![
            entry("user", &["mail", "objectGUID", "proxyAddresses", "userAccountControl"]),
            entry("user", &["objectGUID", "userAccountControl"]),
        ];
        assert_eq!(judge(&Sample { flavor: Flavor::ActiveDirectory, entries }).status, Status::Ok);
    }

    #[test]
    fn openldap_is_not_asked_for_ad_attributes() {
        let entries = vec![entry("inetOrgPerson", &["mail", "entryUUID"]), entry("groupOfNames", &["member"])];
        assert_eq!(judge(&Sample { flavor: Flavor::Openldap, entries }).status, Status::Ok);
    }
}
