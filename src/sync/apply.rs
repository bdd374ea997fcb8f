//! Applying approved changes through the [`Target`], a bounded number at a time, each one
//! journaled before it is sent and after it is answered. Per-item failures are collected and
//! the run goes on; a fatal error (credentials, access) stops new work at once. An update is
//! made onto the account as it is now ([`super::fresh`]); a rename is read back before it
//! counts ([`super::rename`]).

use super::fresh::{self, Fresh};
use super::journal::{Durable, Journal, Record, Step};
use super::plan::{Change, Managed, Op, Plan};
use super::rename::{self, RenameFailure};
use super::verify::Verification;
use crate::model::{Account, ChangeKind};
use crate::target::{CreateOptions, Target, TargetError};
use serde::Serialize;
use std::collections::{HashSet, VecDeque};
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

/// An approved change left out at the last moment: not failed, not applied, planned again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub id: usize,
    pub action: ChangeKind,
    pub email: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ApplyOutcome {
    pub applied: Vec<Applied>,
    pub failed: Vec<Failed>,
    pub skipped: Vec<Skipped>,
    /// Why the run stopped early, when it did (bad credentials, lost access, journal).
    pub fatal: Option<String>,
    pub cancelled: bool,
    /// Approved changes never started because the run stopped early.
    pub not_started: usize,
    #[serde(with = "millis")]
    pub elapsed: Duration,
    /// The service re-listed after the apply (none when the run stopped on a fatal error).
    pub verification: Option<Verification>,
}

mod millis {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}

impl ApplyOutcome {
    pub fn complete(&self) -> bool {
        self.fatal.is_none()
            && !self.cancelled
            && self.failed.is_empty()
            && self.not_started == 0
            && self.verification.as_ref().is_none_or(Verification::all_taken)
    }

    /// Applied changes the service really shows (all applied ones before verification).
    pub fn taken(&self) -> HashSet<usize> {
        let not_taken: HashSet<usize> =
            self.verification.iter().flat_map(|v| v.not_taken.iter().map(|n| n.id)).collect();
        self.applied.iter().map(|a| a.id).filter(|id| !not_taken.contains(id)).collect()
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
    Skipped(Skipped),
    Item(Failed),
    Fatal(Failed, String),
}

/// How one change ended when it did not fail.
enum Sent {
    Done,
    /// Left out: the account changed in the service since the plan.
    Skipped(String),
}

/// How one change failed: as the target said, or a rename that did not happen.
#[derive(Debug, thiserror::Error)]
enum ItemError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Rename(#[from] RenameFailure),
}

impl ItemError {
    fn is_fatal(&self) -> bool {
        matches!(self, ItemError::Target(e) if e.is_fatal())
    }
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

/// Runs one phase at most `limit` changes at a time. Intents are journaled up to `limit`
/// changes ahead of their requests, so the disk's fsync overlaps the requests in flight
/// instead of delaying each one; a change is still sent only once its intent is durable.
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
    let mut staged: VecDeque<(Change, Durable)> = VecDeque::with_capacity(limit);
    let mut running = JoinSet::new();
    loop {
        while running.len() < limit && !stopped(shared, cancel) {
            stage(shared, &mut queue, &mut staged, limit);
            let Some((change, durable)) = staged.pop_front() else { break };
            let task = shared.clone();
            running.spawn(async move { one(&task, change, durable).await });
        }
        if !stopped(shared, cancel) {
            stage(shared, &mut queue, &mut staged, limit);
        }
        let Some(joined) = running.join_next().await else { break };
        record(joined, shared, outcome);
        let done = outcome.applied.len() + outcome.skipped.len();
        progress(ApplyProgress { done, failed: outcome.failed.len(), total });
    }
    outcome.not_started += unstarted(shared, staged) + queue.count();
}

/// Journals the intents of the next changes until `limit` wait ahead.
fn stage(
    shared: &Shared,
    queue: &mut impl Iterator<Item = Change>,
    staged: &mut VecDeque<(Change, Durable)>,
    limit: usize,
) {
    while staged.len() < limit {
        let Some(change) = queue.next() else { return };
        let durable = shared.journal.submit(describe(&change));
        staged.push_back((change, durable));
    }
}

/// Closes the journaled intents of changes the run stopped before sending.
fn unstarted(shared: &Shared, staged: VecDeque<(Change, Durable)>) -> usize {
    let n = staged.len();
    for (change, _) in staged {
        let detail = Some("not started: the run stopped first".to_string());
        shared.journal.append(Record { step: Step::Skipped, detail, ..describe(&change) });
    }
    n
}

fn stopped(shared: &Shared, cancel: &CancellationToken) -> bool {
    shared.stop.load(Ordering::SeqCst) || cancel.is_cancelled()
}

fn record(joined: Result<Result1, tokio::task::JoinError>, shared: &Shared, outcome: &mut ApplyOutcome) {
    match joined {
        Ok(Result1::Ok(a)) => outcome.applied.push(a),
        Ok(Result1::Skipped(s)) => outcome.skipped.push(s),
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

/// One change: wait for its intent to be on disk, send it, append the outcome.
async fn one(shared: &Shared, change: Change, intent_durable: Durable) -> Result1 {
    let intent = describe(&change);
    let failed =
        |error: String| Failed { id: change.id, action: change.kind(), email: change.email().to_string(), error };
    if let Err(e) = intent_durable.durable().await {
        return Result1::Fatal(failed(e.to_string()), e.to_string());
    }
    let result = send(shared.target.as_ref(), &change).await;
    let (step, detail) = match &result {
        Ok(Sent::Done) => (Step::Done, None),
        Ok(Sent::Skipped(why)) => (Step::Skipped, Some(why.clone())),
        Err(e) => (Step::Failed, Some(e.to_string())),
    };
    // The outcome rides the next fsync (the next intent's, or the end's): a lost outcome only
    // leaves its change in doubt, which the next plan settles from what the service holds.
    shared.journal.append(Record { at: jiff::Timestamp::now().to_string(), step, detail, ..intent });
    let (id, action, email) = (change.id, change.kind(), change.email().to_string());
    match result {
        Ok(Sent::Done) => Result1::Ok(Applied { id, action, email }),
        Ok(Sent::Skipped(reason)) => Result1::Skipped(Skipped { id, action, email, reason }),
        Err(e) if e.is_fatal() => Result1::Fatal(failed(e.to_string()), e.to_string()),
        Err(e) => Result1::Item(failed(e.to_string())),
    }
}

async fn send(target: &dyn Target, change: &Change) -> Result<Sent, ItemError> {
    match &change.op {
        Op::Create { account } => target.create(account, CreateOptions::default()).await?,
        Op::Update { email, before, after, .. } => return update(target, email, before, after).await,
        Op::Delete { account } => target.delete(&account.primary_email).await?,
    }
    Ok(Sent::Done)
}

/// Read the account as it is now, send it back with only adsync's fields changed, and read a
/// rename back: a 2xx alone does not prove the address changed.
async fn update(target: &dyn Target, email: &str, before: &Account, after: &Account) -> Result<Sent, ItemError> {
    let now = target.get(email).await?;
    let body = match fresh::onto(before, after, now) {
        Fresh::Send(body) => body,
        left => return Ok(Sent::Skipped(left.skip_reason().unwrap_or_default())),
    };
    let renaming = !before.has_email(&after.primary_email);
    match target.put(email, &body).await {
        Ok(()) if renaming => rename::read_back(target, email, &after.primary_email).await??,
        Ok(()) => {}
        Err(e) if renaming && rename::refuses(&e) => {
            return Err(RenameFailure::Refused {
                old: email.into(),
                new: after.primary_email.clone(),
                cause: e.to_string(),
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Sent::Done)
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
    use crate::target::TargetCheck;

    /// A service that refuses the credentials on the third create, after two went through.
    struct RefusesThird(std::sync::atomic::AtomicUsize);

    #[async_trait::async_trait]
    impl Target for RefusesThird {
        fn describe(&self) -> String {
            "refuses the third create".into()
        }
        async fn check(&self) -> Result<TargetCheck, TargetError> {
            Err(TargetError::NotConfigured)
        }
        async fn list(&self) -> Result<Vec<Account>, TargetError> {
            Ok(Vec::new())
        }
        async fn get(&self, _: &str) -> Result<Option<Account>, TargetError> {
            Ok(None)
        }
        async fn create(&self, _: &Account, _: CreateOptions) -> Result<(), TargetError> {
            match self.0.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Ok(()),
                _ => Err(TargetError::Unauthorized { user: "admin@x.com".into(), server: String::new() }),
            }
        }
        async fn put(&self, _: &str, _: &Account) -> Result<(), TargetError> {
            Ok(())
        }
        async fn delete(&self, _: &str) -> Result<(), TargetError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_intent_journaled_ahead_ends_with_an_outcome_when_the_run_stops() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::create(dir.path(), "run").unwrap();
        let path = journal.path().to_path_buf();
        let creates: Vec<Change> = (0..20)
            .map(|k| change(k, Op::Create { account: Account::new(format!("u{k}@x.com"), AccountType::SilentUser) }))
            .collect();
        let target = Arc::new(RefusesThird(Default::default()));
        let outcome = apply(target, journal, creates, 1, Arc::new(|_| {}), CancellationToken::new()).await;
        assert!(outcome.fatal.is_some());
        assert_eq!((outcome.applied.len(), outcome.failed.len()), (2, 1));
        let records: Vec<Record> =
            std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let intents: Vec<usize> = records.iter().filter(|r| r.step == Step::Intent).filter_map(|r| r.change).collect();
        let ended: HashSet<usize> = records
            .iter()
            .filter(|r| matches!(r.step, Step::Done | Step::Failed | Step::Skipped))
            .filter_map(|r| r.change)
            .collect();
        assert_eq!(intents, [0, 1, 2, 3], "journaled one ahead of the one in flight");
        assert!(intents.iter().all(|c| ended.contains(c)), "an outcome for each: {records:?}");
        assert_eq!(outcome.not_started, 17, "the one journaled ahead and the rest");
    }

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
