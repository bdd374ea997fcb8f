//! `[history]`: how long the run history and the apply journals are kept. One rule for both:
//! a run is kept while it is among the newest `keep_runs` and younger than `keep_days`.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HistoryConfig {
    pub keep_days: u32,
    pub keep_runs: u32,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self { keep_days: 90, keep_runs: 500 }
    }
}
