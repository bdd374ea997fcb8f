//! The History pane: the runs of this config's state dir, newest first, coloured (and named)
//! by how they ended; Enter shows a run's changes. Its state, its keys and its widget.

mod keys;
mod render;
mod state;

pub use render::HistoryPane;
pub use state::HistoryState;
