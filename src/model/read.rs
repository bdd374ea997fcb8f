//! A read of the directory once classified: what the engine hands to the plan and the reports.
//! The types live here, below every layer; the rules that fill them are in `source::classify`.

use super::{DirectoryEntry, Flavor, ObjectId, SkipReason, Skipped};
use rustc_hash::FxHashMap;
use std::time::Duration;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReadStats {
    /// Entries the server returned (users, groups and anything else the filter matched).
    pub entries: u64,
    pub pages: u32,
    /// Continuation references the server sent and we did not follow.
    pub referrals: u32,
    /// Extra requests made to fetch the members of large groups.
    pub range_requests: u32,
    pub elapsed: Duration,
}

impl ReadStats {
    pub fn entries_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 { self.entries as f64 / secs } else { 0.0 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classification {
    /// Sorted by primary address.
    pub entries: Vec<DirectoryEntry>,
    /// Sorted by DN.
    pub skipped: Vec<Skipped>,
    /// Skipped objects are still *in* the directory: a plan must not delete their accounts.
    pub still_present: Presence,
}

/// Addresses and ids of directory objects that exist but are not synced, with the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presence {
    /// Lower-cased.
    pub addresses: FxHashMap<String, SkipReason>,
    pub ids: FxHashMap<ObjectId, SkipReason>,
}

impl Presence {
    /// Why an address or id that is not synced is still in the directory.
    pub fn reason(&self, address: &str, id: Option<ObjectId>) -> Option<SkipReason> {
        self.addresses.get(&address.to_lowercase()).copied().or_else(|| id.and_then(|i| self.ids.get(&i).copied()))
    }
}

/// A complete read, classified as it arrived.
#[derive(Debug, Clone)]
pub struct ClassifiedRead {
    pub flavor: Flavor,
    pub classification: Classification,
    pub stats: ReadStats,
}

/// A finished search: the seed's "review the search results".
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub flavor: Flavor,
    pub stats: ReadStats,
    pub classification: Classification,
    /// Entries the server returned that are neither users nor groups (e.g. computers).
    pub ignored: u64,
}

impl From<ClassifiedRead> for SearchOutcome {
    fn from(read: ClassifiedRead) -> Self {
        let classification = read.classification;
        let considered = (classification.entries.len() + classification.skipped.len()) as u64;
        SearchOutcome {
            flavor: read.flavor,
            stats: read.stats,
            ignored: read.stats.entries.saturating_sub(considered),
            classification,
        }
    }
}
