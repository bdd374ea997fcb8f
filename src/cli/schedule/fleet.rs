//! `adsync schedule --all`: every organisation on its own frequency, each in a schedule of its
//! own (its heartbeat, its lock, its history), at most `fleet.max_parallel` running at once.
//! One that fails or is blocked holds only its own permit, for as long as its run takes;
//! SIGTERM stops them all. With `--runs N` the exit status is the worst of the organisations'
//! last runs and of those that could not be scheduled; stopped by a signal it is 0, as for
//! one organisation's schedule.

use super::{Ended, Schedule, ScheduleArgs, say, stop_on_signal};
use crate::cli::{Choice, CliError, ExitStatus};
use crate::config::fleet::Org;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub async fn run(choice: &Choice, args: &ScheduleArgs) -> Result<ExitStatus, CliError> {
    if let Some(name) = &choice.org {
        return Err(CliError::Usage(format!(
            "--all schedules every organisation; for {name} alone, leave out --all (adsync --org {name} schedule)"
        )));
    }
    let fleet = choice.fleet("schedule --all")?;
    let max = fleet.shared.fleet.max_parallel;
    let permits = Arc::new(Semaphore::new(max as usize));
    let stop = stop_on_signal();
    let mut worst = ExitStatus::Ok;
    let mut schedules = JoinSet::new();
    let count = fleet.orgs.len();
    for org in fleet.orgs {
        let (name, label) = (org.name.clone(), format!("[{}] ", org.name));
        match schedulable(org) {
            Err(Skip { line, status }) => {
                say(&format!("{label}{line}"));
                worst = worst.worst(status);
            }
            Ok((config, hours)) => {
                let schedule = Schedule { choice: choice.for_org(&name), label, permits: Some(permits.clone()) };
                let (args, stop) = (args.clone(), stop.clone());
                schedules.spawn(async move { schedule.keep(config, hours, &args, &stop).await });
            }
        }
    }
    if schedules.is_empty() {
        return Err(CliError::Usage(format!(
            "none of the {count} organisations can be scheduled (see above): each needs enabled = true and \
             sync.frequency other than \"off\""
        )));
    }
    say(&format!("scheduling {} of {count} organisations, at most {max} at a time", schedules.len()));
    let mut stopped = false;
    while let Some(ended) = schedules.join_next().await {
        match ended {
            Ok(Ended::Ran(status)) => worst = worst.worst(status),
            Ok(Ended::Stopped) => stopped = true,
            Err(e) => {
                say(&format!("an organisation's schedule stopped unexpectedly: {e}"));
                worst = worst.worst(ExitStatus::Error);
            }
        }
    }
    say("schedule stopped");
    Ok(if stopped { ExitStatus::Ok } else { worst })
}

/// Why an organisation is left out, and what that means for the exit status.
struct Skip {
    line: String,
    status: ExitStatus,
}

fn schedulable(org: Org) -> Result<(crate::config::Config, u32), Skip> {
    let config = org.config.map_err(|e| Skip { line: format!("not scheduled: {e}"), status: ExitStatus::Error })?;
    if !config.enabled {
        return Err(Skip { line: "not scheduled: enabled = false".into(), status: ExitStatus::Ok });
    }
    match config.sync.frequency.hours() {
        None => Err(Skip { line: "not scheduled: sync.frequency is \"off\"".into(), status: ExitStatus::Ok }),
        Some(hours) => Ok((config, hours)),
    }
}
