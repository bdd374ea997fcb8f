//! The one retention rule for the history and the journals: a run is kept while it is among
//! the newest `keep_runs` runs and started less than `keep_days` ago. Pure.

use super::record::RunId;
use crate::config::history::HistoryConfig;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub keep_days: u32,
    pub keep_runs: u32,
}

impl From<&HistoryConfig> for Retention {
    fn from(c: &HistoryConfig) -> Self {
        Self { keep_days: c.keep_days, keep_runs: c.keep_runs }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self::from(&HistoryConfig::default())
    }
}

impl Retention {
    /// Whether something that happened at `at` is young enough to keep at `now`.
    pub fn young(&self, at: Timestamp, now: Timestamp) -> bool {
        now.duration_since(at) < SignedDuration::from_hours(24 * i64::from(self.keep_days))
    }

    /// The runs kept at `now`, out of every run known with its start.
    pub fn kept<'a>(&self, runs: impl IntoIterator<Item = (&'a RunId, Timestamp)>, now: Timestamp) -> HashSet<RunId> {
        let mut young: Vec<(&RunId, Timestamp)> = runs.into_iter().filter(|(_, at)| self.young(*at, now)).collect();
        young.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(a.0)));
        young.into_iter().take(self.keep_runs as usize).map(|(id, _)| id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + n * 86_400).unwrap()
    }

    #[test]
    fn the_newest_runs_within_the_days_are_kept() {
        let ids: Vec<RunId> = (0..6).map(|k| RunId(format!("r{k}"))).collect();
        let runs: Vec<(&RunId, Timestamp)> = ids.iter().enumerate().map(|(k, id)| (id, day(k as i64))).collect();
        let rule = Retention { keep_days: 4, keep_runs: 3 };
        let kept = rule.kept(runs.clone(), day(6));
        let mut kept: Vec<_> = kept.into_iter().map(|r| r.0).collect();
        kept.sort();
        assert_eq!(kept, ["r3", "r4", "r5"]);
        let by_days = Retention { keep_days: 2, keep_runs: 500 }.kept(runs, day(6));
        assert_eq!(by_days.len(), 1, "only r5 started less than two days before day 6");
    }
}
