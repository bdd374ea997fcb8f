//! The shared async state machine that the TUI and the CLI both drive.
//!
//! `Idle → Connecting → Reading → Done | Failed | Cancelled` (planning and applying join later).
//! Commands go in over a channel; a cheap [`Snapshot`] comes out through a `watch`.

pub mod command;
pub mod event;
pub mod run;
pub mod state;
pub mod tree;

pub use command::Command;
pub use event::{Event, Level};
pub use run::{EngineHandle, spawn};
pub use state::{Phase, SearchOutcome, Snapshot};
