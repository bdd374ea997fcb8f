//! Runs as the engine sees them: a plan starts one, and it is recorded when it ends — planned,
//! blocked, failed, cancelled, or after its apply. Building the record is pure; the engine
//! loop writes it (before the state it belongs to is published) and sends notifications.

use super::state::{Effect, Recorded, Snapshot};
use super::update::Rules;
use crate::config::Config;
use crate::config::notify::NotifyConfig;
use crate::history::{
    ApplyCounts, GuardNote, Mode, Outcome, PlanCounts, ReadCounts, Retention, RunId, RunRecord, SourceInfo, Trigger,
};
use crate::model::{ChangeKind, SearchOutcome};
use crate::report::SearchCounts;
use crate::sync::apply::ApplyOutcome;
use crate::sync::guard::{Overrides, Verdict};
use crate::sync::plan::Plan;
use jiff::Timestamp;
use std::sync::Arc;

/// How the engine records its runs, and whom it tells.
#[derive(Clone, Debug, Default)]
pub struct RunLog {
    pub trigger: Trigger,
    /// One-run overrides the front-end was given (`--allow-deletes`): the plan is judged with them.
    pub overrides: Overrides,
    pub source: SourceInfo,
    pub retention: Retention,
    pub notify: Option<NotifyConfig>,
    /// The organisation of a fleet, named in every record.
    pub org: Option<String>,
}

impl RunLog {
    pub fn from_config(config: &Config, source: String) -> Self {
        let kind = config.source.kind().name();
        Self {
            trigger: Trigger::Cli,
            overrides: Overrides::default(),
            source: SourceInfo { kind: kind.into(), at: source },
            retention: Retention::from(&config.history),
            notify: config.notify.clone(),
            org: config.org.clone(),
        }
    }
}

/// What the transitions need to know to record a run.
#[derive(Clone, Debug, Default)]
pub struct RunRules {
    pub trigger: Trigger,
    pub overrides: Overrides,
    pub source: SourceInfo,
    pub org: Option<String>,
    /// This process, for run ids.
    pub pid: u32,
}

/// The run under way: its id and start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunStart {
    pub id: RunId,
    pub started: Timestamp,
}

/// Starts a run at `now`.
pub fn open(state: &mut Snapshot, rules: &Rules, now: Timestamp) {
    state.run = Some(RunStart { id: RunId::new(now, rules.runs.pid), started: now });
}

/// The run under way, started at `now` if there is none.
pub fn current(state: &mut Snapshot, rules: &Rules, now: Timestamp) -> RunId {
    if state.run.is_none() {
        open(state, rules, now);
    }
    state.run.as_ref().map(|r| r.id.clone()).unwrap_or_else(|| RunId::new(now, rules.runs.pid))
}

/// How a run ended, and what of the state belongs to it.
pub struct Ending {
    pub outcome: Outcome,
    pub mode: Mode,
    pub error: Option<String>,
    pub verdict: Option<Verdict>,
    pub apply: Option<ApplyCounts>,
    /// The run got as far as a read of its own (or used the last search).
    pub read: bool,
    /// The run got as far as a plan: the review in the state is its own.
    pub planned: bool,
}

impl Ending {
    pub fn new(outcome: Outcome, mode: Mode) -> Self {
        Self { outcome, mode, error: None, verdict: None, apply: None, read: false, planned: false }
    }

    /// A run that got as far as its plan and the guards' verdict on it.
    pub fn judged(outcome: Outcome, mode: Mode, verdict: Verdict) -> Self {
        Self { verdict: Some(verdict), read: true, planned: true, ..Self::new(outcome, mode) }
    }

    pub fn failed(error: String, read: bool) -> Self {
        Self { error: Some(error), read, ..Self::new(Outcome::Failed, Mode::DryRun) }
    }
}

/// Records the run in the state and returns the effect that writes it.
pub fn close(state: &mut Snapshot, rules: &Rules, now: Timestamp, end: Ending) -> Effect {
    let start = state.run.clone().unwrap_or_else(|| RunStart { id: RunId::new(now, rules.runs.pid), started: now });
    let review = state.review.clone().filter(|_| end.planned);
    let journal = (end.mode == Mode::Apply && end.apply.is_some()).then(|| start.id.journal());
    let record = RunRecord {
        org: rules.runs.org.clone(),
        source: rules.runs.source.clone(),
        target: review.as_ref().map(|r| r.planned.target.clone()),
        read: state.search.as_deref().filter(|_| end.read).map(read_counts),
        plan: review.as_ref().map(|r| plan_counts(&r.planned.plan)),
        apply: end.apply,
        guards: end.verdict.as_ref().map(guard_notes).unwrap_or_default(),
        error: end.error,
        journal,
        ..RunRecord::new(start.id, (start.started, now), rules.runs.trigger, end.mode, end.outcome)
    };
    let record = Arc::new(record);
    state.last_run = Some(record.clone());
    let pending = review.filter(|_| end.mode == Mode::DryRun);
    Effect::Record(Box::new(Recorded { record, pending }))
}

fn read_counts(outcome: &SearchOutcome) -> ReadCounts {
    let c = &outcome.classification;
    let by_reason = SearchCounts::of(outcome).by_reason;
    ReadCounts {
        entries: outcome.stats.entries,
        to_sync: c.entries.len(),
        skipped: c.skipped.len(),
        skipped_by_reason: by_reason.into_iter().map(|(r, n)| (r.as_str().to_string(), n)).collect(),
    }
}

fn plan_counts(plan: &Plan) -> PlanCounts {
    PlanCounts {
        create: plan.count(ChangeKind::Create),
        update: plan.count(ChangeKind::Update),
        delete: plan.count(ChangeKind::Delete),
        in_sync: plan.in_sync,
        left_alone: plan.untouched.len(),
    }
}

pub fn apply_counts(approved: usize, o: &ApplyOutcome) -> ApplyCounts {
    ApplyCounts {
        approved,
        applied: o.applied.len(),
        failed: o.failed.len(),
        not_started: o.not_started,
        skipped: o.skipped.len(),
        verified: o.verification.as_ref().map(|v| v.verified),
    }
}

/// How an apply that finished ended.
pub fn apply_outcome(o: &ApplyOutcome) -> Outcome {
    if o.fatal.is_some() {
        Outcome::Failed
    } else if o.cancelled {
        Outcome::Cancelled
    } else if !o.failed.is_empty() || o.verification.as_ref().is_some_and(|v| !v.all_taken()) {
        Outcome::Partial
    } else {
        Outcome::Applied
    }
}

fn guard_notes(verdict: &Verdict) -> Vec<GuardNote> {
    verdict
        .blocks
        .iter()
        .map(|b| {
            let key = serde_json::to_value(b).ok().and_then(|v| v["guard"].as_str().map(str::to_string));
            GuardNote { guard: key.unwrap_or_default(), message: b.to_string() }
        })
        .collect()
}
