//! `adsync export csv`: the entries `search` would sync, in the service's CSV import format.

use super::read::read_classified;
use super::{CliError, ExitStatus, load_config};
use crate::atomic;
use crate::target::csv_export;
use std::path::Path;

pub async fn csv(explicit: Option<&Path>, out: Option<&Path>) -> Result<ExitStatus, CliError> {
    let config = load_config(explicit)?;
    let Some(read) = read_classified(&config).await? else {
        return Ok(ExitStatus::Error);
    };
    let entries = &read.outcome.classification.entries;
    let write = |w: &mut dyn std::io::Write| csv_export::write_csv(w, entries).map_err(std::io::Error::from);
    match out {
        None => super::print(write)?,
        Some(path) => {
            atomic::write_atomic(path, write).map_err(|source| CliError::WriteFile { path: path.into(), source })?;
            eprintln!("exported {} accounts to {}", entries.len(), path.display());
        }
    }
    super::drop_in_background(read);
    Ok(ExitStatus::Ok)
}
