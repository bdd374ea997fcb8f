//! The directory pane: the tree browsed live from the Base DN, and the selected entry's
//! attributes. Its state, its keys and its widget.

mod keys;
mod render;
mod state;

pub use render::{Attributes, TreePane};
pub use state::{Collapse, Expand, Row, TreeState, is_excluded};
