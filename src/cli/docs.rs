//! `adsync completions SHELL` and `adsync man --dir DIR`: both are rendered from the same
//! clap definitions that parse the command line, so help, completions and man pages cannot
//! disagree with the code (scripts/package.sh puts their output into the package).

use super::{Cli, CliError, ExitStatus, print};
use clap::CommandFactory;
use std::path::Path;

pub use clap_complete::Shell;

pub fn completions(shell: Shell) -> Result<ExitStatus, CliError> {
    let mut cmd = Cli::command();
    let name = cmd.get_name().to_string();
    print(|out| {
        clap_complete::generate(shell, &mut cmd, name, out);
        Ok(())
    })?;
    Ok(ExitStatus::Ok)
}

/// adsync.1 and one page per visible subcommand, nested ones included (adsync-export-csv.1).
pub fn man_pages(dir: &Path) -> Result<ExitStatus, CliError> {
    let written = |source| CliError::WriteFile { path: dir.to_path_buf(), source };
    std::fs::create_dir_all(dir).map_err(written)?;
    clap_mangen::generate_to(Cli::command(), dir).map_err(written)?;
    Ok(ExitStatus::Ok)
}
