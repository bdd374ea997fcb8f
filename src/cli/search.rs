//! `adsync search`: the seed's "Search Now", driven through the engine like the TUI.

use super::read::read_classified;
use super::{CliError, ExitStatus, load_config};
use crate::report;
use std::path::Path;

pub async fn run(explicit: Option<&Path>, json: bool) -> Result<ExitStatus, CliError> {
    let config = load_config(explicit)?;
    let Some(read) = read_classified(&config).await? else {
        return Ok(ExitStatus::Error);
    };
    let started = std::time::Instant::now();
    super::print(|out| {
        if json {
            report::write_search_json(out, &read.outcome)
        } else {
            report::write_search_summary(out, &read.source, &read.outcome)
        }
    })?;
    tracing::debug!(elapsed = ?started.elapsed(), "result written");
    super::drop_in_background(read);
    Ok(ExitStatus::Ok)
}
