//! `adsync demo`: an embedded Active Directory look-alike with a generated sample company,
//! so the whole app runs with nothing installed — and the fastest hermetic test fixture.

pub mod certs;
pub mod company;
pub mod directory;
pub mod entry;
pub mod filter;
pub mod graph;
pub mod ldif;
mod ops;
mod paging;
mod render;
pub mod rootdse;
pub mod seed;
pub mod server;

pub use ops::answer_bytes;
pub use server::{DemoError, DemoOptions, DemoServer};
