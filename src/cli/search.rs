//! `adsync search`: the seed's "Search Now", driven through the engine like the TUI.

use super::progress::ProgressLine;
use super::{CliError, ExitStatus, load_config};
use crate::config::Config;
use crate::engine::{self, Command, Phase, SearchOutcome, Snapshot};
use crate::report;
use crate::source::Source;
use crate::source::classify::Policy;
use crate::source::ldap::LdapSource;
use std::path::Path;
use std::sync::Arc;

pub async fn run(explicit: Option<&Path>, json: bool) -> Result<ExitStatus, CliError> {
    let config = load_config(explicit)?;
    let (describe, outcome) = read_and_classify(&config).await?;
    write_outcome(&describe, &outcome, json)?;
    Ok(ExitStatus::Ok)
}

/// Reads and classifies the whole directory through the engine; returns the source's
/// one-line description and the result.
pub async fn read_and_classify(config: &Config) -> Result<(String, Arc<SearchOutcome>), CliError> {
    let source = Arc::new(LdapSource::new(config));
    let describe = source.describe();
    let engine = engine::spawn(source, Policy::from_config(config));
    engine.send(Command::Search);
    let done = follow(&engine).await;
    if let Some(err) = &done.error {
        return Err(CliError::Source(err.clone()));
    }
    match (&done.phase, &done.search) {
        (Phase::Done, Some(outcome)) => Ok((describe, outcome.clone())),
        _ => Err(CliError::Cancelled),
    }
}

pub fn write_outcome(describe: &str, outcome: &SearchOutcome, json: bool) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    super::print(|out| {
        if json {
            report::write_search_json(out, outcome)
        } else {
            report::write_search_summary(out, describe, outcome)
        }
    })?;
    tracing::debug!(elapsed = ?started.elapsed(), "result written");
    Ok(())
}

/// Shows progress until the engine leaves the busy phases; Ctrl-C cancels the read.
async fn follow(engine: &engine::EngineHandle) -> Snapshot {
    let mut line = ProgressLine::new();
    let mut state = engine.state();
    loop {
        let snapshot = state.borrow_and_update().clone();
        if !snapshot.phase.is_busy() && snapshot.phase != Phase::Idle {
            line.clear();
            return snapshot;
        }
        line.update(&snapshot);
        tokio::select! {
            changed = state.changed() => if changed.is_err() { line.clear(); return engine.snapshot(); },
            _ = tokio::signal::ctrl_c() => engine.send(Command::Cancel),
        }
    }
}
