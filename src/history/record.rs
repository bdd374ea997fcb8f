//! One run as the history keeps it: when, who started it, what was read and planned, what was
//! applied, what the guards said, the error. A run is recorded when it ends; a plan that is
//! applied later is recorded again under the same id, and the later record stands.

use crate::report::thousands;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A run's id: when it started (UTC, to the millisecond) and the process. Its journal is
/// `journal/<id>.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub String);

impl RunId {
    pub fn new(started: Timestamp, pid: u32) -> Self {
        Self(format!("{}-{pid}", started.strftime("%Y%m%dT%H%M%S%.3fZ")))
    }

    /// The journal's file name, relative to the state dir.
    pub fn journal(&self) -> String {
        format!("journal/{}.jsonl", self.0)
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who started the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    #[default]
    Cli,
    Schedule,
    Tui,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Cli => "cli",
            Trigger::Schedule => "schedule",
            Trigger::Tui => "tui",
        }
    }
}

/// Whether the run was to change anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    DryRun,
    Apply,
}

/// How the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A plan was made and nothing applied (a dry run, or a plan waiting for review).
    Planned,
    /// Every approved change went through.
    Applied,
    /// The apply finished, but some changes failed.
    Partial,
    /// A safety guard blocked the run; nothing was applied.
    Blocked,
    /// The run stopped on an error.
    Failed,
    /// Stopped by the operator (Esc, Ctrl-C, SIGTERM).
    Cancelled,
}

impl Outcome {
    /// The exit code the command line gives a run that ends like this (README, "Exit codes").
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Planned | Outcome::Applied => 0,
            Outcome::Failed | Outcome::Cancelled => 1,
            Outcome::Blocked => 3,
            Outcome::Partial => 4,
        }
    }

    /// The word tables and messages use; upper case for what needs someone.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Planned => "planned",
            Outcome::Applied => "applied",
            Outcome::Partial => "PARTIAL",
            Outcome::Blocked => "BLOCKED",
            Outcome::Failed => "FAILED",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// Where the run read from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// `[source] kind`: ldap, …
    pub kind: String,
    /// The server and base, as `adsync search` names them.
    #[serde(rename = "where")]
    pub at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadCounts {
    /// Entries the server returned.
    pub entries: u64,
    pub to_sync: usize,
    pub skipped: usize,
    /// Skip reason (as in `search --json`) → how many.
    pub skipped_by_reason: BTreeMap<String, usize>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub in_sync: usize,
    pub left_alone: usize,
}

impl PlanCounts {
    pub fn changes(&self) -> usize {
        self.create + self.update + self.delete
    }

    /// "+12 ~3 -1".
    pub fn text(&self) -> String {
        format!("+{} ~{} -{}", self.create, self.update, self.delete)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyCounts {
    /// Changes the reviewer (or the schedule) let through.
    pub approved: usize,
    pub applied: usize,
    pub failed: usize,
    /// Approved changes never started because the run stopped early.
    pub not_started: usize,
    /// Updates skipped because the account changed in the service since the plan.
    #[serde(default)]
    pub skipped: usize,
    /// Applied changes the service showed afterwards; `None` when it was not re-listed.
    #[serde(default)]
    pub verified: Option<usize>,
}

/// One guard that blocked the run: its key and what it said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardNote {
    pub guard: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run: RunId,
    /// The organisation of a fleet the run was for (its file's name in `orgs.d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub started: Timestamp,
    pub ended: Timestamp,
    pub trigger: Trigger,
    pub mode: Mode,
    pub outcome: Outcome,
    /// What the command line exits with for such a run.
    pub exit_code: u8,
    pub source: SourceInfo,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub read: Option<ReadCounts>,
    #[serde(default)]
    pub plan: Option<PlanCounts>,
    #[serde(default)]
    pub apply: Option<ApplyCounts>,
    #[serde(default)]
    pub guards: Vec<GuardNote>,
    #[serde(default)]
    pub error: Option<String>,
    /// The apply journal, relative to the state dir.
    #[serde(default)]
    pub journal: Option<String>,
}

impl RunRecord {
    /// A run that ended with `outcome`, before its details (counts, guards, error) are added.
    pub fn new(
        run: RunId,
        (started, ended): (Timestamp, Timestamp),
        trigger: Trigger,
        mode: Mode,
        outcome: Outcome,
    ) -> Self {
        Self {
            run,
            org: None,
            started,
            ended,
            trigger,
            mode,
            outcome,
            exit_code: outcome.exit_code(),
            source: SourceInfo::default(),
            target: None,
            read: None,
            plan: None,
            apply: None,
            guards: Vec::new(),
            error: None,
            journal: None,
        }
    }

    /// Changes applied (none for a dry run).
    pub fn applied(&self) -> usize {
        self.apply.map_or(0, |a| a.applied)
    }

    /// "+12 ~3 -1", or "" before there was a plan.
    pub fn plan_text(&self) -> String {
        self.plan.map(|p| p.text()).unwrap_or_default()
    }

    /// What happened, in one line: the outcome with its reason or its counts.
    pub fn summary(&self) -> String {
        let n = |v: usize| thousands(v as u64);
        match self.outcome {
            Outcome::Planned => match self.plan {
                Some(p) if p.changes() == 0 => "in sync, nothing to change".into(),
                Some(p) => format!("{} changes waiting for review ({})", n(p.changes()), self.plan_text()),
                None => "planned".into(),
            },
            Outcome::Applied => format!("applied {} changes ({})", n(self.applied()), self.plan_text()),
            Outcome::Partial => {
                let failed = self.apply.map_or(0, |a| a.failed);
                format!("applied {}, {} failed", n(self.applied()), n(failed))
            }
            Outcome::Blocked => {
                let first = self.guards.first().map_or("a safety guard", |g| g.guard.as_str());
                format!("blocked by {first}, nothing applied")
            }
            Outcome::Failed => format!("failed: {}", self.error.as_deref().unwrap_or("unknown error")),
            Outcome::Cancelled => "cancelled".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_says_when_and_which_process_and_names_the_journal() {
        let at: Timestamp = "2026-12-03T09:30:03.25Z".parse().unwrap();
        let id = RunId::new(at, 4821);
        assert_eq!(id.0, "20261203T093003.250Z-4821");
        assert_eq!(id.journal(), "journal/20261203T093003.250Z-4821.jsonl");
    }

    #[test]
    fn exit_codes_follow_the_command_line() {
        let codes: Vec<u8> = [
            Outcome::Planned,
            Outcome::Applied,
            Outcome::Partial,
            Outcome::Blocked,
            Outcome::Failed,
            Outcome::Cancelled,
        ]
        .iter()
        .map(|o| o.exit_code())
        .collect();
        assert_eq!(codes, [0, 0, 4, 3, 1, 1]);
    }
}
