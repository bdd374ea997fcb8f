//! The fleet screen: with several organisations the app opens on their table (the columns of
//! `adsync orgs list`, coloured by state, filterable); Enter opens one organisation's panes
//! and the fleet key comes back.

mod render;
mod run;
mod state;

pub use render::FleetScreen;
pub use run::{FleetOptions, run_fleet};
pub use state::{FleetAction, FleetState};
