//! A run's changes, for `history show` and the terminal app's History view: what an apply did
//! (from its journal: each change and its outcome), or what the last plan would do (from
//! `last-plan.json`, rewritten by every plan so its pending changes can be shown later).

use super::record::{RunId, RunRecord};
use crate::model::ChangeKind;
use crate::report::field_line;
use crate::sync::journal::{self, Step};
use crate::sync::plan::{Op, Plan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const PENDING_FILE: &str = "last-plan.json";
/// Changes kept of the last plan; a bigger plan says how many more it had.
pub const PENDING_MAX: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Done,
    Failed(String),
    /// Sent, but the answer never reached the journal; the next plan settles it.
    InDoubt,
}

/// One change of an apply, as its journal tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedChange {
    pub action: ChangeKind,
    pub email: String,
    /// The address after a rename.
    pub new_email: Option<String>,
    pub outcome: ChangeOutcome,
}

/// One change a plan would make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub action: ChangeKind,
    pub email: String,
    pub reason: String,
    /// An update's fields, as `plan` prints them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPlan {
    pub run: RunId,
    /// Changes in the plan; `changes` holds the first [`PENDING_MAX`].
    pub total: usize,
    pub changes: Vec<PendingChange>,
}

impl PendingPlan {
    pub fn of(run: RunId, plan: &Plan) -> Self {
        let changes = plan.changes.iter().take(PENDING_MAX).map(|c| PendingChange {
            action: c.kind(),
            email: c.email().to_string(),
            reason: c.reason.clone(),
            fields: match &c.op {
                Op::Update { fields, .. } => fields.iter().map(field_line).collect(),
                _ => Vec::new(),
            },
        });
        Self { run, total: plan.changes.len(), changes: changes.collect() }
    }

    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        crate::private_fs::create_dir(state_dir)?;
        crate::atomic::write_atomic(&state_dir.join(PENDING_FILE), |out| {
            serde_json::to_writer(&mut *out, self)?;
            out.write_all(b"\n")
        })
    }

    pub fn load(state_dir: &Path) -> Option<Self> {
        serde_json::from_str(&std::fs::read_to_string(state_dir.join(PENDING_FILE)).ok()?).ok()
    }
}

/// What can be said about a run's changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunChanges {
    Applied(Vec<AppliedChange>),
    Pending(PendingPlan),
    /// Why there is no list.
    Unavailable(&'static str),
}

pub fn of(state_dir: &Path, record: &RunRecord) -> RunChanges {
    if let Some(journal) = &record.journal {
        return match journal::read_records(&state_dir.join(journal)) {
            Ok(records) => RunChanges::Applied(from_journal(&records)),
            Err(_) => RunChanges::Unavailable("its journal is gone"),
        };
    }
    match PendingPlan::load(state_dir) {
        Some(pending) if pending.run == record.run => RunChanges::Pending(pending),
        _ if record.plan.is_some_and(|p| p.changes() == 0) => RunChanges::Unavailable("nothing to change"),
        _ if record.plan.is_none() => RunChanges::Unavailable("the run made no plan"),
        _ => RunChanges::Unavailable("the pending changes are kept for the last plan only"),
    }
}

/// Each change's intent, with the outcome recorded after it.
fn from_journal(records: &[journal::Record]) -> Vec<AppliedChange> {
    let mut changes: BTreeMap<usize, AppliedChange> = BTreeMap::new();
    for r in records {
        let (Some(id), Some(action), Some(email)) = (r.change, r.action, r.email.as_ref()) else { continue };
        let outcome = match r.step {
            Step::Done => ChangeOutcome::Done,
            Step::Failed => ChangeOutcome::Failed(r.detail.clone().unwrap_or_default()),
            _ => ChangeOutcome::InDoubt,
        };
        let new_email = r.new_email.clone().filter(|n| n != email);
        changes.insert(id, AppliedChange { action, email: email.clone(), new_email, outcome });
    }
    changes.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::journal::Record;

    fn step(step: Step, change: usize, email: &str) -> Record {
        Record {
            change: Some(change),
            action: Some(ChangeKind::Create),
            email: Some(email.into()),
            ..Record::new(step)
        }
    }

    #[test]
    fn each_change_ends_with_its_last_journal_line() {
        let failed = Record { detail: Some("409 exists".into()), ..step(Step::Failed, 1, "b@x.com") };
        let records = vec![
            Record::new(Step::Begin),
            step(Step::Intent, 0, "a@x.com"),
            step(Step::Intent, 1, "b@x.com"),
            step(Step::Intent, 2, "c@x.com"),
            step(Step::Done, 0, "a@x.com"),
            failed,
        ];
        let outcomes: Vec<ChangeOutcome> = from_journal(&records).into_iter().map(|c| c.outcome).collect();
        assert_eq!(outcomes, [ChangeOutcome::Done, ChangeOutcome::Failed("409 exists".into()), ChangeOutcome::InDoubt]);
    }
}
