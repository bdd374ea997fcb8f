//! `search`: the summary table and the JSON contract.

use super::entry_json::{prefetch_strings, write_entry};
use crate::model::{DirectoryEntry, EntryKind, SearchOutcome, SkipReason};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// `adsync search --json`, the contract scripts rely on:
/// `{"complete":true,"flavor":…,"entries":[…],"skipped":[…]}`.
pub fn write_search_json(out: &mut dyn Write, outcome: &SearchOutcome) -> io::Result<()> {
    let classification = &outcome.classification;
    // A concrete buffer in front of `dyn Write`: otherwise every token is a virtual call,
    // which made writing 100,000 entries take as long as classifying them.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    write!(out, "{{\"complete\":true,\"flavor\":{},\"entries\":", serde_json::to_string(&outcome.flavor)?)?;
    write_array_on_two_cores(&mut out, &classification.entries)?;
    out.write_all(b",\"skipped\":")?;
    serde_json::to_writer(&mut out, &classification.skipped)?;
    out.write_all(b"}\n")?;
    out.flush()
}

/// A JSON array whose second half is serialised on another core while the first half is
/// written: once the read is over the machine has nothing else to do. (Measured against
/// interleaved chunks through a channel, which hold less memory: the halves were faster,
/// and the buffered half is not the peak of a run.)
fn write_array_on_two_cores(out: &mut impl Write, items: &[DirectoryEntry]) -> io::Result<()> {
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| {
            // Sized for a typical entry, so the buffer is not copied as it grows.
            let mut buf = Vec::with_capacity(second.len() * 320);
            write_elements(&mut buf, second).map(|_| buf)
        });
        out.write_all(b"[")?;
        write_elements(out, first)?;
        let later = later.join().map_err(|_| io::Error::other("the JSON writer thread panicked"))??;
        if !first.is_empty() && !second.is_empty() {
            out.write_all(b",")?;
        }
        out.write_all(&later)?;
        out.write_all(b"]")
    })
}

/// Comma-separated elements, without the brackets.
///
/// The entries are in address order and their strings in the order the server sent them,
/// so nearly every string is a cache miss; loading those of a few entries ahead while this
/// one is written hides most of those misses (benches/classify.rs measures it).
fn write_elements(out: &mut impl Write, items: &[DirectoryEntry]) -> io::Result<()> {
    const AHEAD: usize = 8;
    for (k, item) in items.iter().enumerate() {
        if let Some(ahead) = items.get(k + AHEAD) {
            prefetch_strings(ahead);
        }
        if k > 0 {
            out.write_all(b",")?;
        }
        write_entry(out, item)?;
    }
    Ok(())
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

    fn outcome(entries: usize) -> SearchOutcome {
        use crate::model::{DirObject, Flavor, ObjectClass};
        use crate::source::classify::{Policy, classify};
        let mut objects: Vec<DirObject> = (0..entries)
            .map(|k| {
                let mut o = DirObject::new(format!("cn=Lee\\, Ann {k},dc=x"), ObjectClass::User);
                o.mail = Some(format!("u{k}@x.com"));
                o.given_name = Some("Ann \"Q\"".into());
                o
            })
            .collect();
        objects.push(DirObject::new("cn=nomail,dc=x", ObjectClass::User));
        SearchOutcome {
            flavor: Flavor::ActiveDirectory,
            stats: Default::default(),
            classification: classify(objects, &Policy::default()),
            ignored: 0,
        }
    }

    #[test]
    fn the_json_is_the_contract_for_any_number_of_entries() {
        for n in [0, 1, 2, 3, 2049, 5000] {
            let outcome = outcome(n);
            let mut out = Vec::new();
            write_search_json(&mut out, &outcome).unwrap();
            assert!(out.ends_with(b"}\n"));
            let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let expected = serde_json::json!({
                "complete": true,
                "flavor": "active-directory",
                "entries": outcome.classification.entries,
                "skipped": outcome.classification.skipped,
            });
            assert_eq!(doc, expected, "{n} entries");
            assert_eq!(doc["entries"].as_array().unwrap().len(), n);
        }
    }
}
