//! The log pane: phases, results, warnings and errors, with a progress line while busy.
//! Its state, its keys and its widget.

mod keys;
mod render;
mod state;

pub use render::{LogPane, progress_text};
pub use state::{LogState, MAX_LINES, level_name};
