//! Merging the classified reads of several sources by primary address (lower-cased). One
//! source per address is kept as it is; the same address from two sources goes to the one
//! with the larger `priority` (the others are skipped as `outranked`, naming the winner), or,
//! without a strict winner, to none (each is a `conflict` naming the others). An alias of one
//! source that is another source's address is a conflict too. Pure.

use crate::model::{Classification, ClassifiedRead, DirectoryEntry, Presence, ReadStats, SkipReason, Skipped};
use rustc_hash::FxHashMap;

/// `reads` in the config's order: (name, priority, read).
pub fn merge(reads: Vec<(String, Option<i64>, ClassifiedRead)>) -> ClassifiedRead {
    let flavor = reads.first().map(|r| r.2.flavor).unwrap_or(crate::model::Flavor::Csv);
    let stats = total(reads.iter().map(|r| &r.2.stats));
    let mut merged = Merge::default();
    for (name, priority, read) in reads {
        merged.add(name, priority, read.classification);
    }
    ClassifiedRead { flavor, classification: merged.finish(), stats }
}

pub(super) fn total<'a>(stats: impl Iterator<Item = &'a ReadStats>) -> ReadStats {
    stats.fold(ReadStats::default(), |sum, s| ReadStats {
        entries: sum.entries + s.entries,
        pages: sum.pages + s.pages,
        referrals: sum.referrals + s.referrals,
        range_requests: sum.range_requests + s.range_requests,
        // The sources are read at once: the run takes as long as the slowest.
        elapsed: sum.elapsed.max(s.elapsed),
    })
}

#[derive(Default)]
struct Merge {
    /// Every source's entries, with the source's priority.
    candidates: Vec<(DirectoryEntry, Option<i64>)>,
    skipped: Vec<Skipped>,
    present: Presence,
}

impl Merge {
    fn add(&mut self, name: String, priority: Option<i64>, c: Classification) {
        for mut entry in c.entries {
            entry.source = Some(name.clone());
            self.candidates.push((entry, priority));
        }
        for mut skip in c.skipped {
            skip.source = Some(name.clone());
            self.skipped.push(skip);
        }
        self.present.addresses.extend(c.still_present.addresses);
        self.present.ids.extend(c.still_present.ids);
    }

    fn finish(mut self) -> Classification {
        let mut by_primary: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (k, (entry, _)) in self.candidates.iter().enumerate() {
            by_primary.entry(entry.primary_email.to_lowercase()).or_default().push(k);
        }
        let mut verdicts: Vec<Option<Skip>> = vec![None; self.candidates.len()];
        for claimants in by_primary.values().filter(|c| c.len() > 1) {
            self.judge(claimants, &mut verdicts);
        }
        self.alias_clashes(&mut verdicts);
        let mut entries = Vec::with_capacity(self.candidates.len());
        for ((entry, _), verdict) in std::mem::take(&mut self.candidates).into_iter().zip(verdicts) {
            match verdict {
                None => entries.push(entry),
                Some(skip) => self.set_aside(entry, skip),
            }
        }
        entries.sort_by(|a, b| a.primary_email.cmp(&b.primary_email));
        self.skipped.sort_by(|a, b| a.dn.cmp(&b.dn).then_with(|| a.source.cmp(&b.source)));
        Classification { entries, skipped: self.skipped, still_present: self.present }
    }

    /// Several sources give one primary address: a strict winner by priority, or a conflict.
    fn judge(&self, claimants: &[usize], verdicts: &mut [Option<Skip>]) {
        let source = |k: usize| self.candidates[k].0.source.clone().unwrap_or_default();
        let priorities: Option<Vec<i64>> = claimants.iter().map(|&k| self.candidates[k].1).collect();
        let winner = priorities.and_then(|p| {
            let best = *p.iter().max()?;
            let at = p.iter().position(|&x| x == best)?;
            (p.iter().filter(|&&x| x == best).count() == 1).then_some(claimants[at])
        });
        for &k in claimants {
            verdicts[k] = match winner {
                Some(w) if w == k => None,
                Some(w) => Some(Skip { reason: SkipReason::Outranked, against: source(w) }),
                None => Some(Skip { reason: SkipReason::Conflict, against: others(claimants, k, source) }),
            };
        }
    }

    /// An alias of a kept entry that another source's kept entry also claims: both conflict.
    fn alias_clashes(&self, verdicts: &mut [Option<Skip>]) {
        let mut claims: FxHashMap<String, usize> = FxHashMap::default();
        let mut clashes = Vec::new();
        for (k, (entry, _)) in self.candidates.iter().enumerate().filter(|(k, _)| verdicts[*k].is_none()) {
            for address in std::iter::once(&entry.primary_email).chain(&entry.aliases) {
                match claims.insert(address.to_lowercase(), k) {
                    Some(other) if self.candidates[other].0.source != entry.source => clashes.push((other, k)),
                    _ => {}
                }
            }
        }
        let source = |k: usize| self.candidates[k].0.source.clone().unwrap_or_default();
        for (a, b) in clashes {
            verdicts[a] = Some(Skip { reason: SkipReason::Conflict, against: source(b) });
            verdicts[b] = Some(Skip { reason: SkipReason::Conflict, against: source(a) });
        }
    }

    /// A skipped entry's addresses are still in the directory: no plan deletes their accounts.
    fn set_aside(&mut self, entry: DirectoryEntry, skip: Skip) {
        if skip.reason == SkipReason::Conflict {
            for address in std::iter::once(&entry.primary_email).chain(&entry.aliases) {
                self.present.addresses.insert(address.to_lowercase(), SkipReason::Conflict);
            }
            if let Some(id) = entry.id {
                self.present.ids.insert(id, SkipReason::Conflict);
            }
        }
        self.skipped.push(Skipped {
            dn: entry.dn,
            reason: skip.reason,
            source: entry.source,
            against: Some(skip.against),
        });
    }
}

#[derive(Clone)]
struct Skip {
    reason: SkipReason,
    /// The other source(s), comma-separated.
    against: String,
}

fn others(claimants: &[usize], me: usize, source: impl Fn(usize) -> String) -> String {
    let mine = source(me);
    let mut names: Vec<String> = claimants.iter().map(|&k| source(k)).filter(|n| *n != mine).collect();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flavor, ObjectId};

    fn read(entries: Vec<DirectoryEntry>) -> ClassifiedRead {
        let classification = Classification { entries, ..Classification::default() };
        ClassifiedRead { flavor: Flavor::Openldap, classification, stats: ReadStats::default() }
    }

    fn user(primary: &str, aliases: &[&str], id: u8) -> DirectoryEntry {
        DirectoryEntry {
            id: ObjectId::parse(&format!("00000000-0000-4000-8000-0000000000{id:02x}")),
            ..DirectoryEntry::test_user(primary, aliases)
        }
    }

    fn reasons(c: &Classification) -> Vec<(String, SkipReason, Option<String>, Option<String>)> {
        c.skipped.iter().map(|s| (s.dn.clone(), s.reason, s.source.clone(), s.against.clone())).collect()
    }

    #[test]
    fn one_address_in_two_sources_is_a_conflict_named_on_both() {
        let merged = merge(vec![
            ("hq".into(), None, read(vec![user("Ann@x.com", &[], 1), user("bo@x.com", &[], 2)])),
            ("staff".into(), None, read(vec![user("ann@X.com", &[], 3), user("cy@x.com", &[], 4)])),
        ]);
        let c = merged.classification;
        let kept: Vec<_> = c.entries.iter().map(|e| (e.primary_email.as_str(), e.source.as_deref())).collect();
        assert_eq!(kept, [("bo@x.com", Some("hq")), ("cy@x.com", Some("staff"))]);
        assert_eq!(
            reasons(&c),
            [
                ("cn=Ann@x.com".into(), SkipReason::Conflict, Some("hq".into()), Some("staff".into())),
                ("cn=ann@X.com".into(), SkipReason::Conflict, Some("staff".into()), Some("hq".into())),
            ]
        );
        assert_eq!(c.still_present.reason("ANN@x.com", None), Some(SkipReason::Conflict));
    }

    #[test]
    fn the_larger_priority_wins_and_a_tie_is_a_conflict() {
        let merged = |a, b| {
            merge(vec![
                ("hq".into(), a, read(vec![user("ann@x.com", &[], 1)])),
                ("staff".into(), b, read(vec![user("ann@x.com", &[], 2)])),
            ])
            .classification
        };
        let won = merged(Some(1), Some(5));
        assert_eq!(won.entries[0].source.as_deref(), Some("staff"));
        assert_eq!(
            reasons(&won),
            [("cn=ann@x.com".into(), SkipReason::Outranked, Some("hq".into()), Some("staff".into()))]
        );
        for (a, b) in [(Some(3), Some(3)), (Some(3), None), (None, None)] {
            let c = merged(a, b);
            assert!(c.entries.is_empty(), "{a:?} {b:?}");
            assert!(c.skipped.iter().all(|s| s.reason == SkipReason::Conflict), "{a:?} {b:?}");
        }
    }

    #[test]
    fn an_alias_that_is_another_sources_address_is_a_conflict() {
        let c = merge(vec![
            ("hq".into(), None, read(vec![user("ann@x.com", &["sales@x.com"], 1)])),
            ("staff".into(), None, read(vec![user("sales@x.com", &[], 2), user("dee@x.com", &[], 3)])),
        ])
        .classification;
        assert_eq!(c.entries.iter().map(|e| e.primary_email.as_str()).collect::<Vec<_>>(), ["dee@x.com"]);
        assert_eq!(c.skipped.len(), 2);
        assert!(c.skipped.iter().all(|s| s.reason == SkipReason::Conflict));
    }
}
