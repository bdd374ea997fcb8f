//! The settings pane: connection, what to sync, how, how often — edited in place and saved
//! into the config file. Its state, its keys and its widget.

mod keys;
mod render;
mod state;

pub use render::SettingsPane;
pub use state::SettingsState;
