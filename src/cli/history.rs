//! `adsync history` and `adsync history show RUN`: what ran, newest first, and one run's
//! report with its changes (from its journal, or the last plan's pending list).

use super::{Choice, CliError, ExitStatus};
use crate::history::changes::{self, AppliedChange, ChangeOutcome, PendingPlan, RunChanges};
use crate::history::{Retention, RunRecord, store, text};
use crate::report::thousands;
use serde_json::json;
use std::io::Write;

#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Option<HistoryAction>,
    /// Print the records as JSON (an array, newest first).
    #[arg(long)]
    pub json: bool,
    /// Show at most N runs.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum HistoryAction {
    /// One run's report and its changes, each with its outcome.
    Show {
        /// The run's id, a unique beginning of it, or `last`.
        run: String,
        /// Print the record and the changes as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(choice: &Choice, args: &HistoryArgs) -> Result<ExitStatus, CliError> {
    let config = choice.load()?;
    let (dir, keep, now) = (config.state_dir(), Retention::from(&config.history), jiff::Timestamp::now());
    match &args.action {
        Some(HistoryAction::Show { run, json }) => {
            let record = store::find(&dir, keep, now, run).map_err(|e| CliError::Usage(e.to_string()))?;
            let changes = changes::of(&dir, &record);
            super::print(|out| if *json { show_json(out, &record, &changes) } else { show(out, &record, &changes) })?;
        }
        None => {
            let runs: Vec<RunRecord> = store::load(&dir, keep, now).into_iter().take(args.limit).collect();
            super::print(|out| if args.json { list_json(out, &runs) } else { table(out, &runs) })?;
        }
    }
    Ok(ExitStatus::Ok)
}

fn list_json(out: &mut dyn Write, runs: &[RunRecord]) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, runs)?;
    writeln!(out)
}

/// "2026-12-03 09:30" in the local time zone.
fn local(at: jiff::Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// What needs reading for a run that did not go well: the guard or the error.
fn note(r: &RunRecord) -> String {
    let text = r.guards.first().map(|g| g.message.as_str()).or(r.error.as_deref()).unwrap_or("");
    let line = text.lines().next().unwrap_or("");
    let cut: String = line.chars().take(70).collect();
    if cut.len() < line.len() { format!("{cut}…") } else { cut }
}

fn table(out: &mut dyn Write, runs: &[RunRecord]) -> std::io::Result<()> {
    if runs.is_empty() {
        return writeln!(out, "No runs recorded yet: `adsync plan`, `adsync sync` and the terminal app record theirs.");
    }
    writeln!(
        out,
        "{:<16}  {:<26}  {:<8}  {:<7}  {:<9}  {:<16}  {:>7}  NOTE",
        "ENDED", "RUN", "BY", "MODE", "OUTCOME", "PLAN", "APPLIED"
    )?;
    for r in runs {
        let mode = if r.mode == crate::history::Mode::Apply { "apply" } else { "dry run" };
        let applied = r.apply.map(|a| thousands(a.applied as u64)).unwrap_or_else(|| "-".into());
        let row = format!(
            "{:<16}  {:<26}  {:<8}  {:<7}  {:<9}  {:<16}  {:>7}  {}",
            local(r.ended),
            r.run.0,
            r.trigger.as_str(),
            mode,
            r.outcome.label(),
            r.plan_text(),
            applied,
            note(r)
        );
        writeln!(out, "{}", row.trim_end())?;
    }
    Ok(())
}

fn show(out: &mut dyn Write, record: &RunRecord, changes: &RunChanges) -> std::io::Result<()> {
    for line in text::report(record) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    match changes {
        RunChanges::Applied(list) => {
            writeln!(out, "Changes ({}):", thousands(list.len() as u64))?;
            list.iter().try_for_each(|c| writeln!(out, "  {}", text::applied_line(c)))
        }
        RunChanges::Pending(plan) => pending(out, plan),
        RunChanges::Unavailable(why) => writeln!(out, "Changes: none listed ({why})"),
    }
}

fn pending(out: &mut dyn Write, plan: &PendingPlan) -> std::io::Result<()> {
    writeln!(out, "Pending changes ({}), none applied:", thousands(plan.total as u64))?;
    for c in &plan.changes {
        writeln!(out, "  {}", text::pending_line(c))?;
        for f in &c.fields {
            writeln!(out, "      {f}")?;
        }
    }
    if plan.total > plan.changes.len() {
        writeln!(out, "  … and {} more", thousands((plan.total - plan.changes.len()) as u64))?;
    }
    Ok(())
}

fn show_json(out: &mut dyn Write, record: &RunRecord, changes: &RunChanges) -> std::io::Result<()> {
    let listed = match changes {
        RunChanges::Applied(list) => {
            json!({"kind": "applied", "changes": list.iter().map(applied_json).collect::<Vec<_>>()})
        }
        RunChanges::Pending(plan) => json!({"kind": "pending", "total": plan.total, "changes": plan.changes}),
        RunChanges::Unavailable(why) => json!({"kind": "none", "why": why}),
    };
    serde_json::to_writer(&mut *out, &json!({"run": record, "changes": listed}))?;
    writeln!(out)
}

fn applied_json(c: &AppliedChange) -> serde_json::Value {
    let (outcome, error) = match &c.outcome {
        ChangeOutcome::Done => ("done", None),
        ChangeOutcome::Failed(e) => ("failed", Some(e.as_str())),
        ChangeOutcome::InDoubt => ("in_doubt", None),
    };
    json!({"action": c.action, "email": c.email, "new_email": c.new_email, "outcome": outcome, "error": error})
}
