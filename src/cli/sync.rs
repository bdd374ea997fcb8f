//! `adsync plan` and `adsync sync`: the seed's "review the results, then Sync". Dry run unless
//! `--apply`; the guards decide before anything is sent.

use super::read::{follow, follow_or_stop};
use super::{CliError, ExitStatus, load_config};
use crate::engine::{self, Command, EngineParts, Phase, Review, Snapshot};
use crate::report;
use crate::sync::apply::ApplyOutcome;
use crate::sync::guard::Overrides;
use std::path::Path;
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
    fn overrides(&self) -> Overrides {
        Overrides { allow_deletes: self.allow_deletes, allow_shrink: self.allow_shrink }
    }
}

/// A planned run: the engine (still up, for an apply), the plan under review, the source's
/// description and the config it was made with.
pub(super) type PlannedRun = (engine::EngineHandle, Arc<Review>, String, crate::config::Config);

/// Reads the directory, lists the service and plans; the engine stays up for an apply.
async fn planned(explicit: Option<&Path>) -> Result<PlannedRun, CliError> {
    planned_or_stop(explicit, None).await
}

/// [`planned`], cancelled when `stop` is.
pub(super) async fn planned_or_stop(
    explicit: Option<&Path>,
    stop: Option<&CancellationToken>,
) -> Result<PlannedRun, CliError> {
    let config = load_config(explicit)?;
    let parts = EngineParts::for_sync(&config);
    if let Err(problem) = &parts.target {
        return Err(CliError::Engine(Arc::new(engine::EngineError::TargetUnavailable(problem.clone()))));
    }
    let source = parts.source.describe();
    let handle = engine::spawn(parts);
    handle.send(Command::Plan);
    let snap = follow_or_stop(&handle, |p| matches!(p, Phase::Planned | Phase::Failed | Phase::Cancelled), stop).await;
    let review = reviewed(&snap)?;
    Ok((handle, review, source, config))
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
pub async fn plan(explicit: Option<&Path>, args: &SyncArgs, exit_code: bool) -> Result<ExitStatus, CliError> {
    let (_engine, review, source, config) = planned(explicit).await?;
    let verdict = review.verdict(args.overrides(), &config.sync.guards);
    print_plan(&source, &review, &verdict, args.json)?;
    if !args.json {
        eprintln!("Dry run: nothing was changed. `adsync sync --apply` applies this plan.");
    }
    Ok(match (verdict.ok(), exit_code && !review.planned.plan.changes.is_empty()) {
        (false, _) => ExitStatus::Blocked,
        (true, true) => ExitStatus::Pending,
        (true, false) => ExitStatus::Ok,
    })
}

/// `adsync sync [--apply]`: plan, and with `--apply` apply it when the guards allow.
pub async fn sync(explicit: Option<&Path>, args: &SyncArgs, apply: bool) -> Result<ExitStatus, CliError> {
    if !apply {
        return plan(explicit, args, false).await;
    }
    let (engine, review, source, config) = planned(explicit).await?;
    let verdict = review.verdict(args.overrides(), &config.sync.guards);
    if !verdict.ok() {
        print_plan(&source, &review, &verdict, args.json)?;
        return Ok(ExitStatus::Blocked);
    }
    if !args.json {
        print_plan(&source, &review, &verdict, false)?;
    }
    engine.send(Command::Apply(args.overrides()));
    let done = follow(&engine, |p| matches!(p, Phase::Done | Phase::Failed)).await;
    if let Some(err) = &done.error {
        return Err(CliError::Engine(err.clone()));
    }
    let outcome = done.report.clone().ok_or(CliError::Cancelled)?;
    super::print(|out| {
        if args.json { report::write_apply_json(out, &outcome) } else { report::write_apply_summary(out, &outcome) }
    })?;
    Ok(status(&outcome))
}

pub(super) fn status(outcome: &ApplyOutcome) -> ExitStatus {
    if outcome.fatal.is_some() || outcome.cancelled {
        ExitStatus::Error
    } else if !outcome.failed.is_empty() {
        ExitStatus::ItemsFailed
    } else {
        ExitStatus::Ok
    }
}
