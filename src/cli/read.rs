//! Reading and classifying the directory through the engine, as the TUI does: shared by
//! `search` and `export csv`, so both see exactly the same entries.

use super::CliError;
use super::progress::ProgressLine;
use crate::config::Config;
use crate::engine::{self, Command, Phase, SearchOutcome, Snapshot};
use crate::source::Source;
use crate::source::classify::Policy;
use crate::source::ldap::LdapSource;
use std::sync::Arc;

/// A finished read, and the line naming the source it came from.
pub struct Classified {
    pub source: String,
    pub outcome: Arc<SearchOutcome>,
}

/// `Ok(None)` when the read was cancelled (Ctrl-C).
pub async fn read_classified(config: &Config) -> Result<Option<Classified>, CliError> {
    let source = Arc::new(LdapSource::new(config));
    let describe = source.describe();
    let engine = engine::spawn(source, Policy::from_config(config));
    engine.send(Command::Search);
    let done = follow(&engine).await;
    if let Some(err) = &done.error {
        return Err(CliError::Source(err.clone()));
    }
    let outcome = done.search.filter(|_| done.phase == Phase::Done);
    Ok(outcome.map(|outcome| Classified { source: describe, outcome }))
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
