//! `search`: the summary table and the JSON contract.

use crate::engine::SearchOutcome;
use crate::model::{DirectoryEntry, EntryKind, Flavor, SkipReason, Skipped};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// `adsync search --json`: the contract scripts rely on.
#[derive(Serialize)]
pub struct SearchJson<'a> {
    pub complete: bool,
    pub flavor: Flavor,
    pub entries: &'a [DirectoryEntry],
    pub skipped: &'a [Skipped],
}

pub fn write_search_json(out: &mut dyn Write, outcome: &SearchOutcome) -> io::Result<()> {
    let doc = SearchJson {
        complete: true,
        flavor: outcome.flavor,
        entries: &outcome.classification.entries,
        skipped: &outcome.classification.skipped,
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

/// Counts per kind and per skip reason, in a fixed order.
pub struct SearchCounts {
    pub by_kind: Vec<(EntryKind, usize)>,
    pub by_reason: Vec<(SkipReason, usize)>,
}

impl SearchCounts {
    pub fn of(outcome: &SearchOutcome) -> Self {
        let mut kinds: BTreeMap<u8, usize> = BTreeMap::new();
        for e in &outcome.classification.entries {
            *kinds.entry(kind_order(e.kind)).or_default() += 1;
        }
        let by_kind = [EntryKind::User, EntryKind::Functional, EntryKind::SecurityGroup]
            .into_iter()
            .map(|k| (k, kinds.get(&kind_order(k)).copied().unwrap_or(0)))
            .collect();
        let mut reasons: BTreeMap<SkipReason, usize> = BTreeMap::new();
        for s in &outcome.classification.skipped {
            *reasons.entry(s.reason).or_default() += 1;
        }
        Self { by_kind, by_reason: reasons.into_iter().collect() }
    }
}

fn kind_order(kind: EntryKind) -> u8 {
    match kind {
        EntryKind::User => 0,
        EntryKind::Functional => 1,
        EntryKind::SecurityGroup => 2,
    }
}

/// 12345 → "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub fn write_search_summary(out: &mut dyn Write, source: &str, outcome: &SearchOutcome) -> io::Result<()> {
    let s = &outcome.stats;
    let counts = SearchCounts::of(outcome);
    let to_sync = outcome.classification.entries.len() as u64;
    let skipped = outcome.classification.skipped.len() as u64;
    writeln!(out, "Search of {source} ({})", outcome.flavor)?;
    writeln!(
        out,
        "  read        {:>9} entries in {:.2} s ({}/s), {} pages",
        thousands(s.entries),
        s.elapsed.as_secs_f64(),
        thousands(s.entries_per_second() as u64),
        s.pages
    )?;
    writeln!(out, "  to sync     {:>9}", thousands(to_sync))?;
    for (kind, n) in &counts.by_kind {
        writeln!(out, "    {:<22}{:>9}", kind.label(), thousands(*n as u64))?;
    }
    writeln!(out, "  skipped     {:>9}", thousands(skipped))?;
    for (reason, n) in &counts.by_reason {
        writeln!(out, "    {:<22}{:>9}  {}", reason.as_str(), thousands(*n as u64), reason.explain())?;
    }
    if outcome.ignored > 0 {
        writeln!(out, "  not users or groups {:>6}  (e.g. computers; never synced)", thousands(outcome.ignored))?;
    }
    if s.referrals > 0 {
        writeln!(out, "  referrals   {:>9}  (not followed)", thousands(s.referrals as u64))?;
    }
    if to_sync == 0 {
        writeln!(
            out,
            "  note: nothing to sync. If the directory does have mail users, check base_dn and that the bind account may read them."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
