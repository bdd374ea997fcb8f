//! Planning and applying a sync: the pure plan and guards, the journaled apply, the state
//! kept between runs, and when scheduled runs happen.

pub mod apply;
pub mod guard;
pub mod journal;
pub mod plan;
pub mod run;
pub mod schedule;
pub mod state;
