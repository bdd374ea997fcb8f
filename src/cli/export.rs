//! `adsync export csv`: the users `search` would sync, in the service's CSV import format.
//! The import creates every row as a user with the default role, so functional accounts and
//! groups are left out unless asked for, and then come with a warning.

use super::read::read_classified;
use super::{Choice, CliError, ExitStatus};
use crate::atomic;
use crate::model::{DirectoryEntry, EntryKind};
use crate::report::thousands;
use crate::target::csv_export;
use std::path::Path;

pub async fn csv(choice: &Choice, out: Option<&Path>, include_functional: bool) -> Result<ExitStatus, CliError> {
    let config = choice.load()?;
    let Some(read) = read_classified(&config).await? else {
        return Ok(ExitStatus::Error);
    };
    let all = &read.outcome.classification.entries;
    let entries: Vec<&DirectoryEntry> =
        all.iter().filter(|e| include_functional || e.kind == EntryKind::User).collect();
    say_what_is_functional(all.len() - all.iter().filter(|e| e.kind == EntryKind::User).count(), include_functional);
    let write =
        |w: &mut dyn std::io::Write| csv_export::write_csv(w, entries.iter().copied()).map_err(std::io::Error::from);
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

/// Functional accounts imported from CSV arrive as users: say so either way.
fn say_what_is_functional(functional: usize, included: bool) {
    let n = thousands(functional as u64);
    match (functional, included) {
        (0, _) => {}
        (_, true) => eprintln!(
            "warning: {n} functional accounts and groups are included; the service's CSV import creates every row as a user with the default role, so convert them to functional accounts in the service afterwards"
        ),
        (_, false) => eprintln!(
            "left out {n} functional accounts and groups (the CSV import would create them as users); --include-functional adds them"
        ),
    }
}
