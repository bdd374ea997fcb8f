//! The terminal front-end: panes for settings, the live directory tree, pending changes and
//! the log, all drawn from the engine's snapshot. The only module that touches the terminal.

pub mod app;
pub mod command_bar;
pub mod effect;
pub mod fleet;
pub mod keymap;
pub mod layout;
pub mod observe;
pub mod overlays;
pub mod panes;
pub mod runner;
pub mod terminal;
pub mod text_input;
pub mod theme;
pub mod view;
pub mod writes;

pub use fleet::{FleetOptions, run_fleet};
pub use runner::{TuiOptions, run};
