//! `adsync schedule`: the seed's "how often". Runs on `sync.frequency`, on the service's
//! half hour, for a service manager (systemd, a container) to keep running. Each run reads
//! the config afresh and plans; it applies only with `sync.auto_apply`, and only when the
//! guards allow. A run that fails is reported and the schedule goes on; Ctrl-C or SIGTERM
//! stop it (a run in progress is cancelled between changes, as in the terminal app).

mod fleet;
mod pulse;

use super::sync::{planned_or_stop, settle, status};
use super::{Choice, CliError, ExitStatus, read::follow_or_stop};
use crate::config::Config;
use crate::engine::{Command, EngineHandle, Phase, Review};
use crate::history::Trigger;
use crate::model::ChangeKind;
use crate::sync::guard::Overrides;
use crate::sync::schedule::next_run_after;
use crate::sync::state::last_good_at;
use jiff::{SignedDuration, Timestamp, Unit};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScheduleArgs {
    /// Start with a run now instead of waiting for the next slot.
    #[arg(long)]
    pub now: bool,
    /// Stop after N runs (default: until Ctrl-C or SIGTERM); with --all, N runs of each
    /// organisation.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: Option<u32>,
    /// Every organisation of the fleet, each on its own frequency, at most fleet.max_parallel
    /// at a time.
    #[arg(long)]
    pub all: bool,
}

/// Waits for each slot, runs, and says what the run did, a line each. Exit status: that of
/// the last run after `--runs N`; 0 when stopped by a signal (a service manager's stop is
/// not a failure; each run's outcome is in its line).
pub async fn run(choice: &Choice, args: &ScheduleArgs) -> Result<ExitStatus, CliError> {
    if args.all {
        return fleet::run(choice, args).await;
    }
    let config = choice.load()?;
    let hours = scheduled_hours(&config)?;
    let stop = stop_on_signal();
    let schedule = Schedule { choice: choice.clone(), label: String::new(), permits: None };
    let ended = schedule.keep(config, hours, args, &stop).await;
    say("schedule stopped");
    Ok(match ended {
        Ended::Ran(status) => status,
        Ended::Stopped => ExitStatus::Ok,
    })
}

/// A token cancelled by Ctrl-C or SIGTERM.
fn stop_on_signal() -> CancellationToken {
    let stop = CancellationToken::new();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        super::wait_for_stop().await;
        on_signal.cancel();
    });
    stop
}

/// How a schedule of one config ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    /// It made its `--runs`; the status of the last one.
    Ran(ExitStatus),
    /// Ctrl-C or SIGTERM: not a failure.
    Stopped,
}

/// The schedule of one config (of one organisation, in a fleet).
struct Schedule {
    choice: Choice,
    /// "[acme] " before every line of an organisation's schedule.
    label: String,
    /// Runs of a fleet wait for one of these; a config on its own needs none.
    permits: Option<Arc<Semaphore>>,
}

impl Schedule {
    fn say(&self, line: &str) {
        say(&format!("{}{line}", self.label));
    }

    /// Waits for each slot, takes a permit, runs; `--runs` times, or until stopped.
    async fn keep(&self, config: Config, mut hours: u32, args: &ScheduleArgs, stop: &CancellationToken) -> Ended {
        let mut last_run = last_good_at(&config.state_dir());
        let mut last_status = ExitStatus::Ok;
        let pulse = pulse::Pulse::start(&config, config.origin.clone().unwrap_or_default(), &self.label);
        for done in 0..args.runs.unwrap_or(u32::MAX) {
            let now = Timestamp::now();
            let due = if done == 0 && args.now { now } else { next_run_after(now, hours, last_run) };
            self.say(&format!("next run at {} (every {hours} h, on the service's half hour)", to_second(due)));
            pulse.set(Some(due), false);
            if !sleep_until(due, stop).await {
                return Ended::Stopped;
            }
            let Some(permit) = self.permit(stop).await else { return Ended::Stopped };
            // Read once per run: what it runs with, and whether it was disabled meanwhile (a
            // config that does not load is left to the run, which says why).
            let loaded = self.choice.load();
            if disabled(&loaded) {
                self.say("enabled = false now: no more runs until it is true and the schedule starts again");
                return Ended::Ran(last_status);
            }
            last_run = Some(Timestamp::now());
            pulse.set(None, true);
            let run = one_run(loaded, stop).await;
            drop(permit);
            self.say(&format!("run {}: {}", done + 1, run.line));
            if stop.is_cancelled() {
                return Ended::Stopped;
            }
            last_status = run.status;
            // The frequency of the config the run was made with; a run that could not read it
            // reads it again, to say why.
            hours = run.hours.or_else(|| self.reloaded_hours()).unwrap_or(hours);
        }
        Ended::Ran(last_status)
    }

    /// A fleet's permit to run (`None` when stopped while waiting); a config on its own runs
    /// without one.
    async fn permit(&self, stop: &CancellationToken) -> Option<Option<OwnedSemaphorePermit>> {
        let Some(permits) = self.permits.clone() else { return Some(None) };
        tokio::select! {
            permit = permits.acquire_owned() => permit.ok().map(Some),
            _ = stop.cancelled() => None,
        }
    }

    /// The frequency after an edit to the config; a broken or schedule-less config keeps the
    /// old one (and says so) rather than ending the schedule.
    fn reloaded_hours(&self) -> Option<u32> {
        match self.choice.load().and_then(|c| scheduled_hours(&c)) {
            Ok(hours) => Some(hours),
            Err(err) => {
                self.say(&format!("keeping the current frequency: {err}"));
                None
            }
        }
    }
}

fn say(line: &str) {
    println!("{} {line}", to_second(Timestamp::now()));
}

fn to_second(at: Timestamp) -> Timestamp {
    at.round(Unit::Second).unwrap_or(at)
}

/// The frequency in hours; a schedule that is off (or a config that is not enabled) is a
/// configuration error.
fn scheduled_hours(config: &Config) -> Result<u32, CliError> {
    let file = config.origin.as_ref().map_or("the config".to_string(), |p| p.display().to_string());
    if !config.enabled {
        return Err(CliError::Usage(format!(
            "{file}: enabled = false, so there is nothing to schedule; fill the config in and set enabled = true"
        )));
    }
    config.sync.frequency.hours().ok_or_else(|| {
        CliError::Usage(format!(
            "{file}: sync.frequency is \"off\", so there is nothing to schedule; set it to \"1h\", \"3h\", \"6h\", \
             \"12h\" or \"24h\" in [sync] (or run `adsync sync --apply` from cron)"
        ))
    })
}

/// Sleeps until `due` by the wall clock, a minute at most at a time, so a suspended machine
/// or a changed clock is noticed; false when told to stop first.
async fn sleep_until(due: Timestamp, stop: &CancellationToken) -> bool {
    loop {
        let left = Timestamp::now().duration_until(due);
        if left <= SignedDuration::ZERO {
            return true;
        }
        let step = Duration::try_from(left.min(SignedDuration::from_mins(1))).unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = stop.cancelled() => return false,
            _ = tokio::time::sleep(step) => {}
        }
    }
}

/// What a scheduled run did.
struct Run {
    status: ExitStatus,
    /// One line about it, for the log.
    line: String,
    /// The frequency in the config the run was made with, if it got that far.
    hours: Option<u32>,
}

/// One scheduled run: plan, and apply when allowed.
/// The config was set to `enabled = false` while scheduled (a config that does not load is
/// left to the run, which says why).
fn disabled(loaded: &Result<Config, CliError>) -> bool {
    loaded.as_ref().is_ok_and(|c| !c.enabled)
}

async fn one_run(loaded: Result<Config, CliError>, stop: &CancellationToken) -> Run {
    let planned = match loaded {
        Ok(config) => planned_or_stop(config, Some(stop), Trigger::Schedule, Overrides::default()).await,
        Err(err) => Err(err),
    };
    match planned {
        Ok((engine, review, _source, config)) => {
            let (status, line) = plan_and_apply(&engine, &review, &config, stop).await;
            settle(&engine).await;
            Run { status, line, hours: config.sync.frequency.hours() }
        }
        Err(err) => Run { status: err.status(), line: format!("failed: {err}"), hours: None },
    }
}

/// Applies a planned run when the guards and `auto_apply` allow; its status and line.
async fn plan_and_apply(
    engine: &EngineHandle,
    review: &Review,
    config: &Config,
    stop: &CancellationToken,
) -> (ExitStatus, String) {
    let plan = &review.planned.plan;
    let counts = format!(
        "{} to create, {} to update, {} to delete",
        plan.count(ChangeKind::Create),
        plan.count(ChangeKind::Update),
        plan.count(ChangeKind::Delete)
    );
    let verdict = review.verdict(Overrides::default(), &config.sync.guards);
    if !verdict.ok() {
        let why: Vec<String> = verdict.blocks.iter().map(ToString::to_string).collect();
        return (ExitStatus::Blocked, format!("{counts}; blocked, nothing applied: {}", why.join("; ")));
    }
    if plan.changes.is_empty() {
        return (ExitStatus::Ok, "in sync, nothing to change".into());
    }
    if !config.sync.auto_apply {
        let line = format!(
            "{counts}; waiting for review (sync.auto_apply is off): `adsync sync --apply` or the terminal app applies them"
        );
        return (ExitStatus::Ok, line);
    }
    engine.send(Command::Apply(Overrides::default()));
    let done = follow_or_stop(engine, |p| matches!(p, Phase::Done | Phase::Failed), Some(stop)).await;
    match (&done.error, &done.report) {
        (Some(err), _) => (ExitStatus::Error, format!("{counts}; apply failed: {err}")),
        (None, None) => (ExitStatus::Error, format!("{counts}; the apply ended without a report")),
        (None, Some(outcome)) => {
            let mut line = format!("{counts}; applied {}, failed {}", outcome.applied.len(), outcome.failed.len());
            if !outcome.skipped.is_empty() {
                line.push_str(&format!(", skipped {} (changed in the service since the plan)", outcome.skipped.len()));
            }
            if let Some(v) = &outcome.verification {
                line.push_str(&format!("; {}", crate::report::verified_counts(v)));
            }
            if let Some(fatal) = &outcome.fatal {
                line.push_str(&format!("; stopped: {fatal}"));
            } else if outcome.cancelled {
                line.push_str(&format!("; cancelled, {} not started", outcome.not_started));
            }
            (status(outcome), line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_set_to_enabled_false_while_scheduled_ends_its_schedule() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acme.toml");
        let config = "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"DC=x\"\n";
        let schedule = Schedule { choice: Choice::of_file(path.clone()), label: String::new(), permits: None };
        std::fs::write(&path, config).unwrap();
        assert!(!disabled(&schedule.choice.load()));
        std::fs::write(&path, format!("enabled = false\n{config}")).unwrap();
        assert!(disabled(&schedule.choice.load()));
        std::fs::write(&path, "not toml [").unwrap();
        assert!(!disabled(&schedule.choice.load()), "a broken file is the run's to report");
    }
}
