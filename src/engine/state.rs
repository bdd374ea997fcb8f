//! What the engine knows, as one cheap-to-clone snapshot, and the messages that change it.

use super::command::Command;
use super::event::Event;
use super::record::RunStart;
use super::tree::TreeData;
use crate::history::{RunId, RunRecord};
use crate::model::{ClassifiedRead, EntryDetails, Flavor, SearchOutcome, TreeNode};
use crate::source::{ReadProgress, SourceError};
use crate::sync::apply::{ApplyOutcome, ApplyProgress};
use crate::sync::guard::{Overrides, Selection};
use crate::sync::run::{Planned, SyncError, selection};
use crate::target::TargetError;
use std::sync::Arc;

/// Where the engine is. Data that outlives a phase lives in [`Snapshot`] fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    Connecting,
    Reading {
        entries: u64,
        pages: u32,
    },
    /// Listing the service's accounts and computing the plan.
    Planning,
    /// A plan is waiting for review and approval.
    Planned,
    Applying(ApplyProgress),
    Done,
    Failed,
    Cancelled,
}

impl Phase {
    pub fn is_busy(&self) -> bool {
        matches!(self, Phase::Connecting | Phase::Reading { .. } | Phase::Planning | Phase::Applying(_))
    }

    pub fn label(&self) -> &'static str {
        match self {
            Phase::Idle => "Idle",
            Phase::Connecting => "Connecting",
            Phase::Reading { .. } => "Reading",
            Phase::Planning => "Planning",
            Phase::Planned => "Planned",
            Phase::Applying(_) => "Applying",
            Phase::Done => "Done",
            Phase::Failed => "Failed",
            Phase::Cancelled => "Cancelled",
        }
    }
}

/// A plan under review: which changes the reviewer approved (all, to begin with).
/// The counts are kept as the selection changes: the review screen reads them every frame.
#[derive(Debug, Clone)]
pub struct Review {
    pub planned: Planned,
    pub selected: Vec<bool>,
    approved: usize,
    /// What the guards count among the approved changes.
    counted: Selection,
}

impl Review {
    pub fn new(planned: Planned) -> Self {
        let n = planned.plan.changes.len();
        let counted = selection(&planned.plan.changes);
        Self { planned, selected: vec![true; n], approved: n, counted }
    }

    pub fn approved(&self) -> usize {
        self.approved
    }

    pub fn approved_deletes(&self) -> usize {
        self.counted.deletes
    }

    pub fn set(&mut self, id: usize, on: bool) {
        let Some(slot) = self.selected.get_mut(id) else { return };
        if *slot == on {
            return;
        }
        *slot = on;
        let delta: isize = if on { 1 } else { -1 };
        self.approved = self.approved.saturating_add_signed(delta);
        let change = &self.planned.plan.changes[id];
        if change.is_delete() {
            self.counted.deletes = self.counted.deletes.saturating_add_signed(delta);
        }
        self.counted.active_delta += delta as i64 * change.active_delta();
    }

    pub fn set_all(&mut self, on: bool) {
        self.selected.iter_mut().for_each(|s| *s = on);
        self.approved = if on { self.selected.len() } else { 0 };
        self.counted = if on { selection(&self.planned.plan.changes) } else { Selection::default() };
    }

    /// The guards' verdict for the current selection.
    pub fn verdict(
        &self,
        overrides: crate::sync::guard::Overrides,
        limits: &crate::config::GuardConfig,
    ) -> crate::sync::guard::Verdict {
        self.planned.verdict_with(self.counted, overrides, limits)
    }
}

/// Why the last job failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    TargetUnavailable(TargetProblem),
}

/// Why there is no target to plan against.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TargetProblem {
    /// Reading commands never open the service (a file target would take its lock).
    #[error("this command only reads the directory")]
    SearchOnly,
    #[error("Plan: no [target] in the config: add the service (or kind = \"file\") to plan and sync")]
    NotConfigured,
    #[error(transparent)]
    Unavailable(Arc<TargetError>),
}

/// Everything a front-end needs to draw; cloning it is cheap.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub phase: Phase,
    pub flavor: Option<Flavor>,
    pub search: Option<Arc<SearchOutcome>>,
    pub error: Option<Arc<EngineError>>,
    pub tree: Arc<TreeData>,
    pub review: Option<Arc<Review>>,
    pub report: Option<Arc<ApplyOutcome>>,
    /// A plan was asked for before there was a search: plan as soon as the read is done.
    pub plan_after_read: bool,
    /// The run a plan started (its apply belongs to it too).
    pub run: Option<RunStart>,
    /// The record of the last run that ended here.
    pub last_run: Option<Arc<RunRecord>>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            flavor: None,
            search: None,
            error: None,
            tree: Arc::default(),
            review: None,
            report: None,
            plan_after_read: false,
            run: None,
            last_run: None,
        }
    }
}

/// Everything that can change the state: front-end commands and the jobs' reports.
#[derive(Debug)]
pub enum Msg {
    Command(Command),
    Progress(ReadProgress),
    ReadFinished(Result<ClassifiedRead, SourceError>),
    PlanFinished(Result<Planned, SyncError>),
    ApplyProgress(ApplyProgress),
    ApplyFinished(Result<ApplyOutcome, SyncError>),
    /// `source`: the one browsed when it was asked for (a late answer from another is dropped).
    Children {
        source: usize,
        dn: String,
        result: Result<Vec<TreeNode>, Arc<SourceError>>,
    },
    Details {
        source: usize,
        dn: String,
        result: Result<EntryDetails, Arc<SourceError>>,
    },
}

impl Msg {
    /// A short name for logs (the payload can be a whole directory).
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Command(_) => "command",
            Msg::Progress(_) => "progress",
            Msg::ReadFinished(_) => "read finished",
            Msg::PlanFinished(_) => "plan finished",
            Msg::ApplyProgress(_) => "apply progress",
            Msg::ApplyFinished(_) => "apply finished",
            Msg::Children { .. } => "children",
            Msg::Details { .. } => "details",
        }
    }
}

/// I/O the engine loop performs on behalf of [`super::update::update`].
#[derive(Debug)]
pub enum Effect {
    StartRead,
    StartPlan(Arc<SearchOutcome>),
    StartApply {
        review: Arc<Review>,
        overrides: Overrides,
        run: RunId,
    },
    /// Browsing: `source` is the place of the browsed source in the config.
    FetchChildren {
        source: usize,
        dn: String,
    },
    FetchDetails {
        source: usize,
        dn: String,
    },
    CancelJob,
    Log(Event),
    /// Write a run's record to the history (before the state it ends in is published).
    Record(Box<Recorded>),
}

impl Effect {
    /// Effects performed before the new state is published, so a front-end that stops on
    /// that state finds them done.
    pub fn is_durable(&self) -> bool {
        matches!(self, Effect::Record(_))
    }
}

/// A run's record, and for a plan the review whose changes wait (kept as the last plan).
#[derive(Debug)]
pub struct Recorded {
    pub record: Arc<RunRecord>,
    pub pending: Option<Arc<Review>>,
}
