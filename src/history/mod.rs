//! What ran, and what runs: one record per run in `history.jsonl` in the state dir (every
//! plan and apply, from every front-end), the retention rule it shares with the journals,
//! a run's changes for `history show`, and the heartbeat of a running `adsync schedule`.

pub mod changes;
pub mod heartbeat;
pub mod record;
pub mod retention;
pub mod store;
pub mod text;

pub use record::{
    ApplyCounts, GuardNote, Mode, Outcome, PlanCounts, ReadCounts, RunId, RunRecord, SourceInfo, Trigger,
};
pub use retention::Retention;
pub use store::HistoryError;
