//! Reading and classifying the directory through the engine, as the TUI does: shared by
//! `search` and `export csv`, so both see exactly the same entries.

use super::CliError;
use super::progress::ProgressLine;
use crate::config::Config;
use crate::engine::{self, Command, EngineParts, Phase, Snapshot};
use crate::model::SearchOutcome;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A finished read, and the line naming the source it came from.
pub struct Classified {
    pub source: String,
    pub outcome: Arc<SearchOutcome>,
}

/// `Ok(None)` when the read was cancelled (Ctrl-C).
pub async fn read_classified(config: &Config) -> Result<Option<Classified>, CliError> {
    let parts = EngineParts::for_search(config);
    let describe = parts.source.describe();
    let engine = engine::spawn(parts);
    engine.send(Command::Search);
    let done = follow(&engine, |p| matches!(p, Phase::Done | Phase::Failed | Phase::Cancelled)).await;
    if let Some(err) = &done.error {
        return Err(CliError::Engine(err.clone()));
    }
    let outcome = done.search.filter(|_| done.phase == Phase::Done);
    Ok(outcome.map(|outcome| Classified { source: describe, outcome }))
}

/// Shows progress until the engine reaches a phase `until` accepts; Ctrl-C cancels the job.
pub async fn follow(engine: &engine::EngineHandle, until: impl Fn(&Phase) -> bool) -> Snapshot {
    follow_or_stop(engine, until, None).await
}

/// [`follow`], and `stop` (a scheduler told to stop) cancels the job too.
pub async fn follow_or_stop(
    engine: &engine::EngineHandle,
    until: impl Fn(&Phase) -> bool,
    stop: Option<&CancellationToken>,
) -> Snapshot {
    let mut line = ProgressLine::new();
    let mut state = engine.state();
    // Once the job is told to cancel, the stop token (which stays cancelled) is not
    // listened to again: the loop would spin on it.
    let mut stop = stop;
    loop {
        let snapshot = state.borrow_and_update().clone();
        if until(&snapshot.phase) {
            line.clear();
            return snapshot;
        }
        line.update(&snapshot);
        let stopped = async {
            match stop {
                Some(token) => token.cancelled().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = state.changed() => if changed.is_err() { line.clear(); return engine.snapshot(); },
            _ = tokio::signal::ctrl_c() => engine.send(Command::Cancel),
            _ = stopped => {
                stop = None;
                engine.send(Command::Cancel);
            }
        }
    }
}
