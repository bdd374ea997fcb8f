//! Errors that reach the command line, and the exit codes documented in README.

use crate::config::ConfigError;
use crate::source::SourceError;
use crate::target::TargetError;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes: 0 ok, 1 error, 2 usage or config, 3 blocked by a guard, 4 per-item failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Ok,
    Error,
    Usage,
    /// A safety guard blocked the run; nothing was applied.
    Blocked,
    /// The run finished, but some changes failed.
    ItemsFailed,
    /// `plan --exit-code`: changes are pending.
    Pending,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Error => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Blocked => 3,
            ExitStatus::ItemsFailed => 4,
            ExitStatus::Pending => 10,
        }
    }
}

impl ExitStatus {
    /// The worse of two runs' statuses, for a command that made several (a fleet's schedule):
    /// an error over failed items over a block over success. A config error counts as an error.
    pub fn worst(self, other: ExitStatus) -> ExitStatus {
        let rank = |s: ExitStatus| match s {
            ExitStatus::Error | ExitStatus::Usage => 3,
            ExitStatus::ItemsFailed => 2,
            ExitStatus::Blocked => 1,
            ExitStatus::Ok | ExitStatus::Pending => 0,
        };
        let pick = if rank(other) > rank(self) { other } else { self };
        if pick == ExitStatus::Usage { ExitStatus::Error } else { pick }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("config: {0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Source(Arc<SourceError>),
    #[error("{0}")]
    Target(Arc<TargetError>),
    #[error("{0}")]
    Engine(Arc<crate::engine::EngineError>),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cancelled; nothing was used")]
    Cancelled,
    #[error("{0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error(
        "the adsync app needs a terminal (stdin and stdout); in scripts use `adsync search`, `adsync plan` or `adsync sync`"
    )]
    NotATerminal,
    #[error("{0}")]
    Tui(#[from] crate::tui::runner::TuiError),
    #[error("cannot write {}: {source}; check the path and that the directory is writable", path.display())]
    WriteFile { path: PathBuf, source: std::io::Error },
    /// A command that the configuration does not allow, with what to change.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    pub fn status(&self) -> ExitStatus {
        match self {
            CliError::Config(_) => ExitStatus::Usage,
            CliError::NotATerminal | CliError::Usage(_) => ExitStatus::Usage,
            CliError::Engine(err) => engine_status(err),
            CliError::Target(err) if matches!(**err, TargetError::NotConfigured) => ExitStatus::Usage,
            CliError::Source(_)
            | CliError::Target(_)
            | CliError::Output(_)
            | CliError::WriteFile { .. }
            | CliError::Cancelled
            | CliError::Demo(_)
            | CliError::Tui(_) => ExitStatus::Error,
        }
    }
}

impl From<SourceError> for CliError {
    fn from(err: SourceError) -> Self {
        CliError::Source(Arc::new(err))
    }
}

impl From<TargetError> for CliError {
    fn from(err: TargetError) -> Self {
        CliError::Target(Arc::new(err))
    }
}

fn engine_status(err: &crate::engine::EngineError) -> ExitStatus {
    use crate::engine::{EngineError, TargetProblem};
    match err {
        EngineError::Sync(e) if e.is_blocked() => ExitStatus::Blocked,
        EngineError::TargetUnavailable(TargetProblem::NotConfigured) => ExitStatus::Usage,
        _ => ExitStatus::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus::*;

    #[test]
    fn the_worst_status_is_an_error_then_failed_items_then_a_block() {
        assert_eq!([Ok, Blocked, ItemsFailed, Blocked].into_iter().fold(Ok, |a, b| a.worst(b)), ItemsFailed);
        assert_eq!(Blocked.worst(Error).worst(ItemsFailed), Error);
        assert_eq!(Ok.worst(Usage).code(), 1, "a fleet counts an organisation's config error as an error");
        assert_eq!(Ok.worst(Blocked), Blocked);
    }
}
