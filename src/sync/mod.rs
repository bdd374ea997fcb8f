//! Planning and applying a sync, and when it runs.

pub mod schedule;
