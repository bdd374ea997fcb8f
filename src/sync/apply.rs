//! Applying approved changes through the [`Target`], a bounded number at a time, each one
//! journaled before it is sent and after it is answered. Per-item failures are collected and
//! the run goes on; a fatal error (credentials, access) stops new work at once.

use super::journal::{Journal, Record, Step};
use super::plan::{Change, Managed, Op, Plan};
use crate::model::ChangeKind;
use crate::target::{CreateOptions, Target, TargetError};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApplyProgress {
    pub done: usize,
    pub failed: usize,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub id: usize,
    pub action: ChangeKind,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failed {
    pub id: usize,
    pub action: ChangeKind,
    pub email: String,
    pub error: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ApplyOutcome {
    pub applied: Vec<Applied>,
    pub failed: Vec<Failed>,
    /// Why the run stopped early, when it did (bad credentials, lost access, journal).
    pub fatal: Option<String>,
    pub cancelled: bool,
    /// Approved changes never started because the run stopped early.
    pub not_started: usize,
    #[serde(with = "millis")]
    pub elapsed: Duration,
}

mod millis {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}

impl ApplyOutcome {
    pub fn complete(&self) -> bool {
        self.fatal.is_none() && !self.cancelled && self.failed.is_empty() && self.not_started == 0
    }

    pub fn count_applied(&self, kind: ChangeKind) -> usize {
        self.applied.iter().filter(|a| a.action == kind).count()
    }
}

pub type ProgressFn = Arc<dyn Fn(ApplyProgress) + Send + Sync>;

/// Everything one change's task needs, shared.
struct Shared {
    target: Arc<dyn Target>,
    journal: Journal,
    stop: AtomicBool,
}

enum Result1 {
    Ok(Applied),
    Item(Failed),
    Fatal(Failed, String),
}

/// Applies `changes` in plan order (deletes, then updates, then creates), each phase finished
/// before the next starts so freed addresses are free when they are taken again.
pub async fn apply(
    target: Arc<dyn Target>,
    journal: Journal,
    changes: Vec<Change>,
    max_in_flight: usize,
    progress: ProgressFn,
    cancel: CancellationToken,
) -> ApplyOutcome {
    let started = Instant::now();
    let shared = Arc::new(Shared { target, journal, stop: AtomicBool::new(false) });
    let mut outcome = ApplyOutcome::default();
    let total = changes.len();
    if let Err(e) =
        shared.journal.write(Record { detail: Some(format!("{total} changes")), ..Record::new(Step::Begin) }).await
    {
        outcome.fatal = Some(e.to_string());
        outcome.not_started = total;
        return outcome;
    }
    for phase in phases(changes) {
        run_phase(&shared, phase, max_in_flight.max(1), &progress, &cancel, &mut outcome, total).await;
    }
    if outcome.fatal.is_none()
        && let Err(e) = shared.target.flush().await
    {
        outcome.fatal = Some(e.to_string());
    }
    outcome.cancelled = cancel.is_cancelled();
    let end = Record { detail: Some(summary(&outcome)), ..Record::new(Step::End) };
    let _ = shared.journal.write(end).await;
    outcome.elapsed = started.elapsed();
    outcome
}

fn summary(o: &ApplyOutcome) -> String {
    format!("{} applied, {} failed, {} not started", o.applied.len(), o.failed.len(), o.not_started)
}

fn phases(changes: Vec<Change>) -> Vec<Vec<Change>> {
    let mut by_kind: [Vec<Change>; ChangeKind::ALL.len()] = Default::default();
    for c in changes {
        // Kinds are declared in apply order.
        by_kind[c.kind() as usize].push(c);
    }
    by_kind.into_iter().filter(|p| !p.is_empty()).collect()
}

async fn run_phase(
    shared: &Arc<Shared>,
    phase: Vec<Change>,
    limit: usize,
    progress: &ProgressFn,
    cancel: &CancellationToken,
    outcome: &mut ApplyOutcome,
    total: usize,
) {
    let mut queue = phase.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < limit && !stopped(shared, cancel) {
            let Some(change) = queue.next() else { break };
            let shared = shared.clone();
            running.spawn(async move { one(&shared, change).await });
        }
        let Some(joined) = running.join_next().await else { break };
        record(joined, shared, outcome);
        progress(ApplyProgress { done: outcome.applied.len(), failed: outcome.failed.len(), total });
    }
    outcome.not_started += queue.count();
}

fn stopped(shared: &Shared, cancel: &CancellationToken) -> bool {
    shared.stop.load(Ordering::SeqCst) || cancel.is_cancelled()
}

fn record(joined: Result<Result1, tokio::task::JoinError>, shared: &Shared, outcome: &mut ApplyOutcome) {
    match joined {
        Ok(Result1::Ok(a)) => outcome.applied.push(a),
        Ok(Result1::Item(f)) => outcome.failed.push(f),
        Ok(Result1::Fatal(f, why)) => {
            shared.stop.store(true, Ordering::SeqCst);
            outcome.failed.push(f);
            outcome.fatal.get_or_insert(why);
        }
        Err(e) => {
            shared.stop.store(true, Ordering::SeqCst);
            outcome.fatal.get_or_insert(format!("internal: an apply task failed: {e}"));
        }
    }
}

fn describe(change: &Change) -> Record {
    let new_email = match &change.op {
        Op::Create { account } => Some(account.primary_email.clone()),
        Op::Update { after, .. } => Some(after.primary_email.clone()),
        Op::Delete { .. } => None,
    };
    Record {
        change: Some(change.id),
        action: Some(change.kind()),
        email: Some(change.email().to_string()),
        new_email,
        directory_id: change.directory_id,
        ..Record::new(Step::Intent)
    }
}

/// One change: intent on disk, request, outcome on disk.
async fn one(shared: &Shared, change: Change) -> Result1 {
    let intent = describe(&change);
    let failed =
        |error: String| Failed { id: change.id, action: change.kind(), email: change.email().to_string(), error };
    if let Err(e) = shared.journal.write(intent.clone()).await {
        return Result1::Fatal(failed(e.to_string()), e.to_string());
    }
    let result = send(shared.target.as_ref(), &change).await;
    let step = if result.is_ok() { Step::Done } else { Step::Failed };
    let detail = result.as_ref().err().map(|e| e.to_string());
    let journaled =
        shared.journal.write(Record { at: jiff::Timestamp::now().to_string(), step, detail, ..intent }).await;
    match (result, journaled) {
        (_, Err(e)) => Result1::Fatal(failed(e.to_string()), e.to_string()),
        (Ok(()), Ok(())) => {
            Result1::Ok(Applied { id: change.id, action: change.kind(), email: change.email().to_string() })
        }
        (Err(e), Ok(())) if e.is_fatal() => Result1::Fatal(failed(e.to_string()), e.to_string()),
        (Err(e), Ok(())) => Result1::Item(failed(e.to_string())),
    }
}

async fn send(target: &dyn Target, change: &Change) -> Result<(), TargetError> {
    match &change.op {
        Op::Create { account } => target.create(account, CreateOptions::default()).await,
        Op::Update { email, after, .. } => target.update(email, after).await,
        Op::Delete { account } => target.delete(&account.primary_email).await,
    }
}

/// The managed set after a run: the plan's intended one, corrected for every approved change
/// that did not happen and every change the reviewer left out.
pub fn managed_after(plan: &Plan, applied: &HashSet<usize>) -> Managed {
    let mut managed = plan.managed_after.clone();
    for change in plan.changes.iter().filter(|c| !applied.contains(&c.id)) {
        match &change.op {
            Op::Create { account } => {
                managed.accounts.remove(&account.primary_email.to_lowercase());
            }
            Op::Update { email, after, .. } => {
                managed.accounts.remove(&after.primary_email.to_lowercase());
                managed.accounts.insert(email.to_lowercase(), change.directory_id);
            }
            Op::Delete { account } => {
                managed.accounts.insert(account.primary_email.to_lowercase(), change.directory_id);
            }
        }
    }
    managed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, AccountType};

    fn change(id: usize, op: Op) -> Change {
        Change { id, op, reason: String::new(), directory_id: None }
    }

    #[test]
    fn changes_not_applied_do_not_enter_or_leave_the_managed_set() {
        let mut plan = Plan::default();
        plan.managed_after.accounts.insert("new@x.com".into(), None);
        plan.managed_after.accounts.insert("renamed@x.com".into(), None);
        let mut after = Account::new("renamed@x.com", AccountType::SilentUser);
        after.first_name = None;
        plan.changes = vec![
            change(0, Op::Create { account: Account::new("new@x.com", AccountType::SilentUser) }),
            change(
                1,
                Op::Update {
                    email: "old@x.com".into(),
                    before: Box::new(after.clone()),
                    after: Box::new(after),
                    fields: vec![],
                },
            ),
            change(2, Op::Delete { account: Account::new("gone@x.com", AccountType::SilentUser) }),
        ];
        let none = managed_after(&plan, &HashSet::new());
        let mut keys: Vec<_> = none.accounts.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["gone@x.com", "old@x.com"]);
        let all = managed_after(&plan, &HashSet::from([0, 1, 2]));
        let mut keys: Vec<_> = all.accounts.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["new@x.com", "renamed@x.com"]);
    }
}
