//! A service provider's fleet of organisations, seen from above: each organisation's state
//! for `adsync orgs list` and the terminal app's fleet screen (from its history, its last plan
//! and its schedule's heartbeat), and the skeleton configs `adsync orgs discover` writes for
//! the partner's organisations that have none.

pub mod columns;
pub mod discover;
pub mod status;

pub use status::{OrgState, OrgStatus, ScheduleState};
