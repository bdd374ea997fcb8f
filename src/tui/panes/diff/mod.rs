//! The pending-changes pane: the plan under review, grouped as Deleting / Updating / Adding,
//! one check box per change. Its state, its keys and its widget.

mod keys;
mod render;
mod state;

pub use render::DiffPane;
pub use state::{DiffRow, DiffState, group_title};
