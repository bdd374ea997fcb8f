//! One organisation's state, read from its state dir: the last run (when, how it ended, its
//! counts), the changes its last plan left pending, the guards that blocked it, and when it
//! runs next (from the heartbeat of a running schedule, else from its frequency).

use crate::config::Config;
use crate::config::fleet::Org;
use crate::history::heartbeat::{self, ScheduleStatus};
use crate::history::{Mode, Outcome, PlanCounts, Retention, RunRecord, Trigger, store};
use crate::sync::schedule::next_run_after;
use crate::sync::state::last_good_at;
use jiff::Timestamp;
use serde::Serialize;
use std::path::PathBuf;

/// What an organisation needs, in one word: what the fleet screen colours its row by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgState {
    /// Its file does not load.
    ConfigError,
    /// The last run failed or was cancelled.
    Failed,
    /// The last apply left changes failed or unverified.
    Partial,
    /// A guard blocked the last run.
    Blocked,
    /// The last plan has changes waiting for review.
    Pending,
    /// In step with the directory.
    Ok,
    /// Nothing has run yet.
    NeverRun,
    /// `enabled = false`: a skeleton to fill in.
    Disabled,
}

impl OrgState {
    /// The word the table shows (colour repeats it, never replaces it).
    pub fn label(self) -> &'static str {
        match self {
            OrgState::ConfigError => "CONFIG ERROR",
            OrgState::Failed => "FAILED",
            OrgState::Partial => "PARTIAL",
            OrgState::Blocked => "BLOCKED",
            OrgState::Pending => "pending",
            OrgState::Ok => "ok",
            OrgState::NeverRun => "never run",
            OrgState::Disabled => "disabled",
        }
    }
}

/// Whether and how the organisation is scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleState {
    /// A schedule (`adsync schedule --all`, or one of its own) runs for it now.
    Running,
    /// Runs now.
    Syncing,
    /// It has a frequency, and nothing runs it at present.
    NotRunning,
    /// `sync.frequency = "off"`.
    Off,
    Disabled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastRun {
    pub ended: Timestamp,
    pub outcome: Outcome,
    pub trigger: Trigger,
    pub mode: Mode,
    pub exit_code: u8,
    pub plan: Option<PlanCounts>,
    pub applied: usize,
    pub failed: usize,
    /// What happened, in one line.
    pub summary: String,
}

/// A row of `adsync orgs list` and of the fleet screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrgStatus {
    pub name: String,
    pub file: PathBuf,
    pub enabled: bool,
    pub state: OrgState,
    /// `[source] kind` (kinds joined with "+" for merged sources).
    pub source_kind: Option<String>,
    /// The service's domain, or the file standing in for it.
    pub target: Option<String>,
    pub last_run: Option<LastRun>,
    /// Changes the last plan found that are not made yet.
    pub pending: Option<usize>,
    /// The guards that blocked the last run.
    pub guard_blocks: Vec<String>,
    pub schedule: ScheduleState,
    pub next_run: Option<Timestamp>,
    /// Why the file does not load.
    pub error: Option<String>,
}

impl OrgStatus {
    pub fn of(org: &Org, now: Timestamp) -> OrgStatus {
        match &org.config {
            Ok(config) => of_config(&org.name, config, now),
            Err(e) => OrgStatus {
                name: org.name.clone(),
                file: org.file.clone(),
                enabled: false,
                state: OrgState::ConfigError,
                source_kind: None,
                target: None,
                last_run: None,
                pending: None,
                guard_blocks: Vec::new(),
                schedule: ScheduleState::Disabled,
                next_run: None,
                error: Some(e.to_string()),
            },
        }
    }

    /// The last run's counts: "+12 ~3 -1", and ", 12 applied" after an apply.
    pub fn counts(&self) -> String {
        let Some(last) = &self.last_run else { return String::new() };
        match (last.outcome, last.plan) {
            (Outcome::Applied | Outcome::Partial, Some(p)) => format!("{}, {} applied", p.text(), last.applied),
            (_, Some(p)) => p.text(),
            (_, None) => String::new(),
        }
    }
}

fn of_config(name: &str, config: &Config, now: Timestamp) -> OrgStatus {
    let state_dir = config.state_dir();
    let runs = store::load(&state_dir, Retention::from(&config.history), now);
    let last = runs.first();
    let pending = runs.iter().find(|r| r.plan.is_some()).and_then(pending_after);
    let guard_blocks = last
        .filter(|r| r.outcome == Outcome::Blocked)
        .map(|r| r.guards.iter().map(|g| g.guard.clone()).collect())
        .unwrap_or_default();
    let (schedule, next_run) = schedule(config, now);
    OrgStatus {
        name: name.to_string(),
        file: config.origin.clone().unwrap_or_default(),
        enabled: config.enabled,
        state: state(config, last, pending),
        source_kind: Some(source_kinds(config)),
        target: config
            .target
            .as_ref()
            .and_then(|t| t.domain.clone().or_else(|| t.path.as_ref().map(|p| p.display().to_string()))),
        last_run: last.map(last_run),
        pending,
        guard_blocks,
        schedule,
        next_run,
        error: None,
    }
}

/// Changes of the run's plan not made by it: all of a dry run's, an apply's not applied.
fn pending_after(record: &RunRecord) -> Option<usize> {
    let changes = record.plan?.changes();
    Some(match record.mode {
        Mode::Apply => changes.saturating_sub(record.applied()),
        Mode::DryRun => changes,
    })
}

fn state(config: &Config, last: Option<&RunRecord>, pending: Option<usize>) -> OrgState {
    if !config.enabled {
        return OrgState::Disabled;
    }
    match last.map(|r| r.outcome) {
        None => OrgState::NeverRun,
        Some(Outcome::Failed | Outcome::Cancelled) => OrgState::Failed,
        Some(Outcome::Partial) => OrgState::Partial,
        Some(Outcome::Blocked) => OrgState::Blocked,
        Some(Outcome::Planned | Outcome::Applied) if pending.unwrap_or(0) > 0 => OrgState::Pending,
        Some(Outcome::Planned | Outcome::Applied) => OrgState::Ok,
    }
}

fn last_run(r: &RunRecord) -> LastRun {
    LastRun {
        ended: r.ended,
        outcome: r.outcome,
        trigger: r.trigger,
        mode: r.mode,
        exit_code: r.exit_code,
        plan: r.plan,
        applied: r.applied(),
        failed: r.apply.map_or(0, |a| a.failed),
        summary: r.summary(),
    }
}

/// From the heartbeat of a schedule that runs for it; else when its frequency says it would.
fn schedule(config: &Config, now: Timestamp) -> (ScheduleState, Option<Timestamp>) {
    let state_dir = config.state_dir();
    let beat = config.origin.as_ref().map(|file| heartbeat::read(&heartbeat::path_for(&state_dir, file), now));
    match (beat, config.sync.frequency.hours()) {
        (Some(ScheduleStatus::Running(b)), _) if b.running => (ScheduleState::Syncing, None),
        (Some(ScheduleStatus::Running(b)), _) => (ScheduleState::Running, b.next_run),
        _ if !config.enabled => (ScheduleState::Disabled, None),
        (_, None) => (ScheduleState::Off, None),
        (_, Some(hours)) => (ScheduleState::NotRunning, Some(next_run_after(now, hours, last_good_at(&state_dir)))),
    }
}

/// The kind of each source, joined with "+" for an organisation with several (`ldap+csv`).
fn source_kinds(config: &Config) -> String {
    let kinds: Vec<&str> = config.sources.iter().map(|s| s.source.kind().name()).collect();
    if kinds.is_empty() { config.source.kind().name().to_string() } else { kinds.join("+") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{ApplyCounts, GuardNote, RunId};

    fn record(outcome: Outcome, mode: Mode, plan: (usize, usize, usize), applied: usize) -> RunRecord {
        let at: Timestamp = "2026-12-03T09:30:00Z".parse().unwrap();
        let mut r = RunRecord::new(RunId("r".into()), (at, at), Trigger::Schedule, mode, outcome);
        r.plan = Some(PlanCounts { create: plan.0, update: plan.1, delete: plan.2, ..PlanCounts::default() });
        r.apply = (mode == Mode::Apply).then(|| ApplyCounts { applied, ..ApplyCounts::default() });
        r
    }

    fn config(enabled: bool) -> Config {
        let mut c =
            Config::parse("[source]\nkind = \"ldap\"\nurl = \"ldap://x\"\nbase_dn = \"DC=x\"\n", "t.toml").unwrap();
        c.enabled = enabled;
        c
    }

    #[test]
    fn pending_changes_are_those_the_last_plan_did_not_make() {
        assert_eq!(pending_after(&record(Outcome::Planned, Mode::DryRun, (3, 2, 1), 0)), Some(6));
        assert_eq!(pending_after(&record(Outcome::Partial, Mode::Apply, (3, 2, 1), 4)), Some(2));
        assert_eq!(pending_after(&record(Outcome::Applied, Mode::Apply, (3, 0, 0), 3)), Some(0));
    }

    #[test]
    fn the_state_says_what_the_organisation_needs() {
        let c = config(true);
        let planned = record(Outcome::Planned, Mode::DryRun, (1, 0, 0), 0);
        let mut blocked = record(Outcome::Blocked, Mode::DryRun, (0, 0, 30), 0);
        blocked.guards = vec![GuardNote { guard: "sync.guards.max_deletes".into(), message: "…".into() }];
        assert_eq!(state(&c, None, None), OrgState::NeverRun);
        assert_eq!(state(&c, Some(&planned), Some(1)), OrgState::Pending);
        assert_eq!(state(&c, Some(&planned), Some(0)), OrgState::Ok);
        assert_eq!(state(&c, Some(&blocked), Some(30)), OrgState::Blocked);
        assert_eq!(state(&config(false), Some(&blocked), Some(30)), OrgState::Disabled);
        let failed = RunRecord { plan: None, ..record(Outcome::Failed, Mode::DryRun, (0, 0, 0), 0) };
        assert_eq!(state(&c, Some(&failed), Some(4)), OrgState::Failed);
    }

    #[test]
    fn without_a_running_schedule_the_next_run_comes_from_the_frequency() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(true);
        c.state_dir = Some(dir.path().to_path_buf());
        let now: Timestamp = "2026-12-03T09:08:00Z".parse().unwrap();
        assert_eq!(schedule(&c, now), (ScheduleState::Off, None));
        c.sync.frequency = crate::config::Frequency::Hours3;
        assert_eq!(schedule(&c, now), (ScheduleState::NotRunning, Some("2026-12-03T09:30:00Z".parse().unwrap())));
        c.enabled = false;
        assert_eq!(schedule(&c, now).0, ScheduleState::Disabled);
    }

    #[test]
    fn an_organisation_with_several_sources_shows_each_kind() {
        let text = "[[source]]\nname = \"hq\"\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\n\
                    base_dn = \"DC=example,DC=com\"\n\n[[source]]\nname = \"contractors\"\nkind = \"csv\"\n\
                    path = \"/srv/contractors.csv\"\n";
        let config = Config::parse(text, "t.toml").unwrap();
        assert_eq!(source_kinds(&config), "ldap+csv");
        let single = Config::parse("[source]\nkind = \"csv\"\npath = \"/p.csv\"\n", "t.toml").unwrap();
        assert_eq!(source_kinds(&single), "csv");
    }
}
