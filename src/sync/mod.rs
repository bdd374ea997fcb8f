//! Planning and applying a sync: the pure plan and guards, the journaled apply (updates onto
//! the account as it is now, renames read back), the verification that follows it, the state
//! kept between runs, and when scheduled runs happen.

pub mod apply;
pub mod baseline;
pub mod fresh;
pub mod guard;
pub mod journal;
pub mod plan;
pub mod rename;
pub mod run;
pub mod schedule;
pub mod state;
pub mod verify;
