//! `adsync search`: the seed's "Search Now", driven through the engine like the TUI.

use super::read::read_classified;
use super::{Choice, CliError, ExitStatus};
use crate::report;

pub async fn run(choice: &Choice, json: bool) -> Result<ExitStatus, CliError> {
    let config = choice.load()?;
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
