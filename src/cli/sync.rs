//! `adsync plan` and `adsync sync`: the seed's "review the results, then Sync". Dry run unless
//! `--apply`; the guards decide before anything is sent.

use super::read::{follow, follow_or_stop};
use super::{Choice, CliError, ExitStatus};
use crate::engine::{self, Command, EngineParts, Phase, Review, Snapshot};
use crate::history::{Mode, Trigger};
use crate::report;
use crate::sync::apply::ApplyOutcome;
use crate::sync::guard::Overrides;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct SyncArgs {
    /// Print the machine-readable plan (and report) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Let up to N deletes through the max_deletes / max_delete_percent guards, this run only.
    #[arg(long, value_name = "N")]
    pub allow_deletes: Option<usize>,
    /// Let the run through the max_shrink_percent guard, this run only.
    #[arg(long)]
    pub allow_shrink: bool,
}

impl SyncArgs {
    pub(super) fn overrides(&self) -> Overrides {
        Overrides { allow_deletes: self.allow_deletes, allow_shrink: self.allow_shrink }
    }
}

/// A planned run: the engine (still up, for an apply), the plan under review, the source's
/// description and the config it was made with.
pub(super) type PlannedRun = (engine::EngineHandle, Arc<Review>, String, crate::config::Config);

/// Reads the directory, lists the service and plans; the engine stays up for an apply.
async fn planned(choice: &Choice, args: &SyncArgs) -> Result<PlannedRun, CliError> {
    planned_or_stop(choice.load()?, None, Trigger::Cli, args.overrides()).await
}

/// [`planned`] for `trigger`, judged with `overrides`, cancelled when `stop` is. A failed
/// plan is recorded (and told about) before the error comes back.
pub(super) async fn planned_or_stop(
    config: crate::config::Config,
    stop: Option<&CancellationToken>,
    trigger: Trigger,
    overrides: Overrides,
) -> Result<PlannedRun, CliError> {
    let mut parts = EngineParts::for_sync(&config);
    parts.runs.trigger = trigger;
    parts.runs.overrides = overrides;
    let source = parts.source.describe();
    let handle = engine::spawn(parts);
    handle.send(Command::Plan);
    let snap = follow_or_stop(&handle, |p| matches!(p, Phase::Planned | Phase::Failed | Phase::Cancelled), stop).await;
    match reviewed(&snap) {
        Ok(review) => Ok((handle, review, source, config)),
        Err(err) => {
            settle(&handle).await;
            Err(err)
        }
    }
}

/// Waits for notifications under way and says what went wrong with recording or telling.
pub(super) async fn settle(engine: &engine::EngineHandle) {
    for warning in engine.settle().await {
        eprintln!("warning: {warning}");
    }
}

fn reviewed(snap: &Snapshot) -> Result<Arc<Review>, CliError> {
    if let Some(err) = &snap.error {
        return Err(CliError::Engine(err.clone()));
    }
    snap.review.clone().filter(|_| snap.phase == Phase::Planned).ok_or(CliError::Cancelled)
}

fn print_plan(
    source: &str,
    review: &Review,
    verdict: &crate::sync::guard::Verdict,
    json: bool,
) -> Result<(), CliError> {
    let (plan, target) = (&review.planned.plan, &review.planned.target);
    super::print(|out| {
        if json {
            report::write_plan_json(out, target, plan, verdict)
        } else {
            report::write_plan_summary(out, source, target, plan, verdict)
        }
    })
}

/// `adsync plan [--json] [--exit-code]`: nothing is ever changed.
pub async fn plan(choice: &Choice, args: &SyncArgs, exit_code: bool) -> Result<ExitStatus, CliError> {
    let (engine, review, source, config) = planned(choice, args).await?;
    let verdict = review.verdict(args.overrides(), &config.sync.guards);
    print_plan(&source, &review, &verdict, args.json)?;
    if !args.json {
        eprintln!("Dry run: nothing was changed. `adsync sync --apply` applies this plan.");
    }
    settle(&engine).await;
    Ok(match (verdict.ok(), exit_code && !review.planned.plan.changes.is_empty()) {
        (false, _) => ExitStatus::Blocked,
        (true, true) => ExitStatus::Pending,
        (true, false) => ExitStatus::Ok,
    })
}

/// `adsync sync [--apply]`: plan, and with `--apply` apply it when the guards allow.
pub async fn sync(choice: &Choice, args: &SyncArgs, apply: bool) -> Result<ExitStatus, CliError> {
    if !apply {
        return plan(choice, args, false).await;
    }
    let (engine, review, source, config) = planned(choice, args).await?;
    let verdict = review.verdict(args.overrides(), &config.sync.guards);
    if !verdict.ok() {
        print_plan(&source, &review, &verdict, args.json)?;
        refused(&engine, args.overrides()).await;
        return Ok(ExitStatus::Blocked);
    }
    if !args.json {
        print_plan(&source, &review, &verdict, false)?;
    }
    let applied = apply_plan(&engine, args).await;
    settle(&engine).await;
    applied
}

async fn apply_plan(engine: &engine::EngineHandle, args: &SyncArgs) -> Result<ExitStatus, CliError> {
    engine.send(Command::Apply(args.overrides()));
    let done = follow(engine, |p| matches!(p, Phase::Done | Phase::Failed)).await;
    if let Some(err) = &done.error {
        return Err(CliError::Engine(err.clone()));
    }
    let outcome = done.report.clone().ok_or(CliError::Cancelled)?;
    super::print(|out| {
        if args.json { report::write_apply_json(out, &outcome) } else { report::write_apply_summary(out, &outcome) }
    })?;
    Ok(status(&outcome))
}

/// Asks the engine to apply a plan the guards block: it refuses, and records the refusal
/// with the guards this run was judged by.
async fn refused(engine: &engine::EngineHandle, overrides: Overrides) {
    engine.send(Command::Apply(overrides));
    let recorded = engine.wait_for(|s| s.last_run.as_ref().is_some_and(|r| r.mode == Mode::Apply));
    // The refusal is one message away; the bound only guards against a plan that went stale.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), recorded).await;
    settle(engine).await;
}

/// 4 when a change failed or did not show in the service afterwards; a change skipped
/// because the account changed since the plan is neither (the next plan shows it again).
pub(super) fn status(outcome: &ApplyOutcome) -> ExitStatus {
    let unverified = outcome.verification.as_ref().is_some_and(|v| !v.all_taken());
    if outcome.fatal.is_some() || outcome.cancelled {
        ExitStatus::Error
    } else if !outcome.failed.is_empty() || unverified {
        ExitStatus::ItemsFailed
    } else {
        ExitStatus::Ok
    }
}
