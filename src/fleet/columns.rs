//! The columns of the fleet's table as text: `adsync orgs list` prints them and the terminal
//! app's fleet screen shows them, so both say the same of an organisation.

use super::{OrgStatus, ScheduleState};
use jiff::Timestamp;
use jiff::tz::TimeZone;

pub const HEADERS: [&str; 9] =
    ["ORG", "STATE", "SOURCE", "LAST RUN", "OUTCOME", "COUNTS", "PENDING", "GUARDS", "NEXT RUN"];

/// A row's cells, in the order of [`HEADERS`]; times in `tz`.
pub fn cells(row: &OrgStatus, tz: &TimeZone) -> [String; 9] {
    let (when, outcome) = row
        .last_run
        .as_ref()
        .map_or(("never".into(), String::new()), |l| (local(l.ended, tz), l.outcome.label().to_string()));
    [
        row.name.clone(),
        row.state.label().to_string(),
        row.source_kind.clone().unwrap_or_else(|| "-".into()),
        when,
        outcome,
        row.counts(),
        row.pending.map_or("-".into(), |p| p.to_string()),
        if row.guard_blocks.is_empty() { "-".into() } else { row.guard_blocks.join(",") },
        next_run(row, tz),
    ]
}

/// Whether a filter's text is in the row: its name, state, source kind or service domain.
pub fn matches(row: &OrgStatus, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    [Some(row.name.as_str()), Some(row.state.label()), row.source_kind.as_deref(), row.target.as_deref()]
        .into_iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(&needle))
}

/// "2026-12-03 09:30" in `tz`.
fn local(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

fn next_run(row: &OrgStatus, tz: &TimeZone) -> String {
    match (row.schedule, row.next_run) {
        (ScheduleState::Syncing, _) => "syncing now".into(),
        (ScheduleState::Running, Some(at)) => local(at, tz),
        (ScheduleState::NotRunning, Some(at)) => format!("{} (no schedule running)", local(at, tz)),
        (ScheduleState::Off, _) => "off".into(),
        (ScheduleState::Disabled, _) => "-".into(),
        (_, None) => "running".into(),
    }
}
