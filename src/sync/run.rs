//! One sync, end to end, around the pure parts: load what we remember, recover from an
//! interrupted run, list the service and read the organisation's facts, plan, check the
//! guards, then (when approved) take the run lock, apply with a journal, list the service
//! again to verify, and remember what took.

use super::apply::{self, ApplyOutcome, ProgressFn};
use super::baseline;
use super::guard::{self, GuardInput, Overrides, Selection, SourceChange, Verdict};
use super::journal::{self, Interrupted, Journal};
use super::plan::{self, Change, Managed, Plan, PlanPolicy};
use super::state::{LastGood, StateError, SyncState};
use super::verify::{self, VerifyPolicy};
use crate::config::{Config, GuardConfig};
use crate::lockfile::{LockError, LockFile};
use crate::model::{ChangeKind, EntryKind, OrgFacts, SearchOutcome, SourceIdentity};
use crate::target::{Target, TargetError};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug)]
pub struct SyncSettings {
    pub plan: PlanPolicy,
    pub guards: GuardConfig,
    pub state_dir: PathBuf,
    pub max_in_flight: usize,
    /// `[target] coexist_with_vendor_sync`.
    pub coexist_with_vendor_sync: bool,
    /// The listings after an apply (tests make the waits short).
    pub verify: VerifyPolicy,
    /// The run's id, which names its journal; without one it is made from the clock.
    pub run_id: Option<String>,
    /// The source the run reads: the shrink guard's baseline belongs to it. (`None` when it
    /// merges several: each has its baseline in `sources`.)
    pub source: Option<SourceIdentity>,
    /// With several `[[source]]`s: each one's name and directory, for its own baseline.
    pub sources: Vec<(String, SourceIdentity)>,
}

impl SyncSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            plan: PlanPolicy::from_config(config),
            guards: config.sync.guards.clone(),
            state_dir: config.state_dir(),
            max_in_flight: config.target.as_ref().map_or(4, |t| t.max_in_flight as usize),
            coexist_with_vendor_sync: config.target.as_ref().is_some_and(|t| t.coexist_with_vendor_sync),
            verify: VerifyPolicy::default(),
            run_id: None,
            source: (!config.merges_sources()).then(|| config.source.identity()),
            sources: match config.merges_sources() {
                true => config.sources.iter().map(|s| (s.name.clone(), s.source.identity())).collect(),
                false => Vec::new(),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Journal(#[from] journal::JournalError),
    #[error("Journal: cannot read the journals in {}: {source}", dir.display())]
    Recovery { dir: PathBuf, source: std::io::Error },
    #[error("Lock: another adsync run is applying changes ({holder}); wait for it to finish. The lock is {}", path.display())]
    Locked { path: PathBuf, holder: String },
    #[error("Lock: cannot take {}: {source}", path.display())]
    Lock { path: PathBuf, source: std::io::Error },
    #[error("Blocked by a safety guard, nothing was applied:\n{}", blocks(.0))]
    Blocked(Verdict),
}

fn blocks(v: &Verdict) -> String {
    v.blocks.iter().map(|b| format!("  - {b}")).collect::<Vec<_>>().join("\n")
}

impl SyncError {
    pub fn is_blocked(&self) -> bool {
        matches!(self, SyncError::Blocked(_))
    }
}

/// A plan with everything needed to judge and apply it.
#[derive(Clone, Debug)]
pub struct Planned {
    pub plan: Plan,
    pub guard_input: GuardInput,
    /// The guards' verdict with every change approved and no override.
    pub verdict: Verdict,
    pub target: String,
    /// What was recovered from an interrupted earlier run, for the log.
    pub recovered: Vec<String>,
}

impl Planned {
    /// The verdict for the changes a reviewer approved, with one-run overrides.
    pub fn verdict_for(&self, selected: &[bool], overrides: Overrides, limits: &GuardConfig) -> Verdict {
        let approved = self.plan.changes.iter().filter(|c| selected.get(c.id).copied().unwrap_or(false));
        self.verdict_with(selection(approved), overrides, limits)
    }

    pub fn verdict_with(&self, selection: Selection, overrides: Overrides, limits: &GuardConfig) -> Verdict {
        let input =
            GuardInput { deletes: selection.deletes, active_delta: selection.active_delta, ..self.guard_input.clone() };
        guard::check(&input, limits, overrides)
    }
}

/// What the guards count among `changes`.
pub fn selection<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Selection {
    changes.into_iter().fold(Selection::default(), |s, c| Selection {
        deletes: s.deletes + usize::from(c.is_delete()),
        active_delta: s.active_delta + c.active_delta(),
    })
}

/// Folds the completed changes of interrupted runs into the managed set, then closes them.
fn recover(state_dir: &std::path::Path, state: &mut SyncState) -> Result<Vec<String>, SyncError> {
    let found = journal::unfinished(state_dir)
        .map_err(|source| SyncError::Recovery { dir: journal::dir_in(state_dir), source })?;
    let mut notes = Vec::new();
    let mut managed = state.managed();
    for run in &found {
        fold(run, &mut managed);
        let doubt = run.in_doubt().len();
        notes.push(format!(
            "an earlier run stopped before it finished ({}): {} changes were done, {doubt} were sent without an answer; this plan starts from what the service holds now",
            run.path.display(),
            run.completed().count()
        ));
    }
    if !found.is_empty() {
        state.set_managed(&managed);
        state.save(state_dir)?;
        for run in &found {
            journal::close_interrupted(run, "the next plan")
                .map_err(|source| SyncError::Recovery { dir: run.path.clone(), source })?;
        }
    }
    Ok(notes)
}

fn fold(run: &Interrupted, managed: &mut Managed) {
    for r in run.completed() {
        let Some(email) = r.email.as_deref() else { continue };
        managed.accounts.remove(&email.to_lowercase());
        if r.action != Some(ChangeKind::Delete) {
            let new = r.new_email.as_deref().unwrap_or(email);
            managed.accounts.insert(new.to_lowercase(), r.directory_id);
        }
    }
}

fn guard_input(
    outcome: &SearchOutcome,
    plan: &Plan,
    last: Option<&LastGood>,
    org: OrgFacts,
    settings: &SyncSettings,
) -> GuardInput {
    let c = &outcome.classification;
    GuardInput {
        complete: true,
        users: c.entries.iter().filter(|e| e.kind == EntryKind::User).count(),
        directory_objects: c.entries.len() + c.skipped.len(),
        last_good_objects: last.map(|l| l.directory_objects),
        source_change: source_change(last, settings.source.as_ref()),
        per_source: baseline::sizes(c, &settings.sources, last),
        deletes: plan.count(ChangeKind::Delete),
        target_accounts: plan.target_accounts,
        licenses: org.licenses,
        active_delta: selection(&plan.changes).active_delta,
        vendor_syncs: org.vendor_syncs,
        coexist_with_vendor_sync: settings.coexist_with_vendor_sync,
        unread: org.unread,
    }
}

/// Another source than the last good run's; a run that remembers none changes nothing.
fn source_change(last: Option<&LastGood>, now: Option<&SourceIdentity>) -> Option<Box<SourceChange>> {
    let (before, now) = (last?.source.as_ref()?, now?);
    (before != now).then(|| Box::new(SourceChange { before: before.clone(), now: now.clone() }))
}

pub async fn make_plan(
    target: &dyn Target,
    outcome: &SearchOutcome,
    settings: &SyncSettings,
) -> Result<Planned, SyncError> {
    let mut state = SyncState::load(&settings.state_dir)?;
    let recovered = recover(&settings.state_dir, &mut state)?;
    let accounts = target.list().await?;
    let org = target.org_facts().await?;
    let c = &outcome.classification;
    let plan = plan::plan(&c.entries, &c.still_present, &accounts, &state.managed(), &settings.plan);
    let guard_input = guard_input(outcome, &plan, state.last_good.as_ref(), org, settings);
    let verdict = guard::check(&guard_input, &settings.guards, Overrides::default());
    Ok(Planned { plan, guard_input, verdict, target: target.describe(), recovered })
}

fn take_lock(settings: &SyncSettings) -> Result<LockFile, SyncError> {
    let path = settings.state_dir.join("adsync.lock");
    crate::private_fs::create_dir(&settings.state_dir)
        .map_err(|source| SyncError::Lock { path: path.clone(), source })?;
    let me = format!("pid {} (adsync, since {})", std::process::id(), jiff::Timestamp::now());
    LockFile::acquire(&path, &me).map_err(|e| match e {
        LockError::Held { holder } => {
            SyncError::Locked { path: path.clone(), holder: holder.unwrap_or_else(|| "unknown process".into()) }
        }
        LockError::Io(source) => SyncError::Lock { path: path.clone(), source },
    })
}

/// A journal's name: when, which process, and which apply of that process (a terminal app
/// or a test may apply twice within a second).
fn run_id() -> String {
    static APPLIES: AtomicU32 = AtomicU32::new(0);
    let n = APPLIES.fetch_add(1, Ordering::Relaxed);
    format!("{}-{}-{n:03}", jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ"), std::process::id())
}

/// Applies the approved changes, then verifies them; nothing at all when a guard blocks them.
pub async fn run_apply(
    target: Arc<dyn Target>,
    planned: &Planned,
    selected: &[bool],
    overrides: Overrides,
    settings: &SyncSettings,
    progress: ProgressFn,
    cancel: CancellationToken,
) -> Result<ApplyOutcome, SyncError> {
    let verdict = planned.verdict_for(selected, overrides, &settings.guards);
    if !verdict.ok() {
        return Err(SyncError::Blocked(verdict));
    }
    let _lock = take_lock(settings)?;
    let run_id = settings.run_id.clone().unwrap_or_else(run_id);
    let journal = Journal::create(&settings.state_dir, &run_id)?;
    let approved: Vec<_> =
        planned.plan.changes.iter().filter(|c| selected.get(c.id).copied().unwrap_or(false)).cloned().collect();
    let mut outcome =
        apply::apply(target.clone(), journal, approved, settings.max_in_flight, progress, cancel.clone()).await;
    if outcome.fatal.is_none() {
        let applied: Vec<&Change> = outcome.applied.iter().filter_map(|a| planned.plan.changes.get(a.id)).collect();
        outcome.verification = Some(verify::verify(target.as_ref(), &applied, settings.verify, &cancel).await);
    }
    remember(planned, &outcome, settings)?;
    Ok(outcome)
}

/// Writes the managed set (changes that did not show in the service count as not made), and
/// the read's size when the run went through.
fn remember(planned: &Planned, outcome: &ApplyOutcome, settings: &SyncSettings) -> Result<(), SyncError> {
    let mut state = SyncState::load(&settings.state_dir)?;
    let taken: HashSet<usize> = outcome.taken();
    state.set_managed(&apply::managed_after(&planned.plan, &taken));
    if outcome.fatal.is_none() && !outcome.cancelled {
        state.last_good = Some(LastGood {
            at: jiff::Timestamp::now().to_string(),
            directory_objects: planned.guard_input.directory_objects,
            users: planned.guard_input.users,
            source: settings.source.clone(),
            per_source: baseline::baselines(&planned.guard_input.per_source),
        });
    }
    state.save(&settings.state_dir)?;
    Ok(())
}
