//! adsync: keeps a hosted email-filtering service's user list in step with the directory.
//!
//! The library holds all logic; `main.rs` is a thin shell. Nothing outside `tui/`
//! touches the terminal.

pub mod atomic;
pub mod cli;
pub mod config;
pub mod demo;
pub mod diagnose;
pub mod dn;
pub mod engine;
pub mod fleet;
pub mod history;
pub mod http;
pub mod lockfile;
pub mod model;
pub mod notify;
pub mod private_fs;
pub mod report;
pub mod source;
pub mod sync;
pub mod target;
pub mod tui;
