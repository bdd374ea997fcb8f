//! The shrink guard's baselines, one per named source when an organisation merges several:
//! each source's size now (counted from the merged read, whose entries and skips name their
//! source), against what the last good run read from the source of that name. Pure.

use super::state::{LastGood, SourceBaseline};
use crate::model::{Classification, EntryKind, SourceIdentity};
use serde::Serialize;
use std::collections::BTreeMap;

/// One named source's size now and at the last good run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceSize {
    pub name: String,
    pub identity: SourceIdentity,
    /// Directory objects considered (synced + skipped), as the whole read counts them.
    pub objects: usize,
    pub users: usize,
    /// The last good run's size for this name, when it read the same directory.
    pub before: Option<usize>,
    /// The directory the last good run read under this name, when it was another one.
    pub changed_from: Option<SourceIdentity>,
}

/// Each source's size; `sources` is empty for an organisation with one source.
pub fn sizes(c: &Classification, sources: &[(String, SourceIdentity)], last: Option<&LastGood>) -> Vec<SourceSize> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for e in &c.entries {
        let count = counts.entry(e.source.as_deref().unwrap_or_default()).or_default();
        count.0 += 1;
        count.1 += usize::from(e.kind == EntryKind::User);
    }
    for s in &c.skipped {
        counts.entry(s.source.as_deref().unwrap_or_default()).or_default().0 += 1;
    }
    sources
        .iter()
        .map(|(name, identity)| {
            let (objects, users) = counts.get(name.as_str()).copied().unwrap_or_default();
            let baseline = last.and_then(|l| l.per_source.get(name));
            let same = baseline.filter(|b| b.source == *identity);
            SourceSize {
                name: name.clone(),
                identity: identity.clone(),
                objects,
                users,
                before: same.map(|b| b.directory_objects),
                changed_from: baseline.filter(|b| b.source != *identity).map(|b| b.source.clone()),
            }
        })
        .collect()
}

/// What the state keeps after a good run.
pub fn baselines(sizes: &[SourceSize]) -> BTreeMap<String, SourceBaseline> {
    sizes
        .iter()
        .map(|s| {
            let baseline = SourceBaseline { directory_objects: s.objects, users: s.users, source: s.identity.clone() };
            (s.name.clone(), baseline)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DirectoryEntry, SkipReason, Skipped};

    fn csv() -> SourceIdentity {
        SourceIdentity::Csv { layout: crate::model::CsvLayout::Header }
    }

    fn ldap() -> SourceIdentity {
        SourceIdentity::Ldap { url: "ldap://127.0.0.1:3893".into(), base_dn: "dc=x".into() }
    }

    #[test]
    fn each_source_is_counted_against_its_own_baseline() {
        let entry = |p: &str, s: &str| DirectoryEntry { source: Some(s.into()), ..DirectoryEntry::test_user(p, &[]) };
        let c = Classification {
            entries: vec![entry("a@x.com", "hq"), entry("b@x.com", "hq"), entry("c@x.com", "staff")],
            skipped: vec![Skipped {
                source: Some("staff".into()),
                ..Skipped::new("line 3".into(), SkipReason::NoEmail)
            }],
            ..Classification::default()
        };
        let mut last = LastGood::default();
        last.per_source.insert("hq".into(), SourceBaseline { directory_objects: 9, users: 9, source: ldap() });
        last.per_source.insert("staff".into(), SourceBaseline { directory_objects: 2, users: 2, source: ldap() });
        let sources = [("hq".to_string(), ldap()), ("staff".to_string(), csv())];
        let sizes = sizes(&c, &sources, Some(&last));
        assert_eq!(
            (sizes[0].objects, sizes[0].users, sizes[0].before, sizes[0].changed_from.clone()),
            (2, 2, Some(9), None)
        );
        assert_eq!(
            (sizes[1].objects, sizes[1].users, sizes[1].before, sizes[1].changed_from.clone()),
            (2, 1, None, Some(ldap()))
        );
        let kept = baselines(&sizes);
        assert_eq!(kept["staff"], SourceBaseline { directory_objects: 2, users: 1, source: csv() });
    }
}
