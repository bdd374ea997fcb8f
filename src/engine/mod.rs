//! The shared async state machine that the TUI and the CLI both drive.
//!
//! `Idle → Connecting → Reading → Planning → Planned → Applying → Done`, or `Failed` / `Cancelled`.
//! Commands go in over a channel; a cheap [`Snapshot`] comes out through a `watch`.

pub mod command;
pub mod event;
pub mod record;
mod recorder;
pub mod run;
pub mod state;
pub mod tree;
pub mod update;

pub use command::Command;
pub use event::{Event, Level};
pub use record::RunLog;
pub use run::{EngineHandle, EngineParts, spawn};
pub use state::{EngineError, Phase, Review, Snapshot, TargetProblem};
pub use update::Rules;
