//! The command line: argument parsing and one module per subcommand.

mod check;
mod choice;
mod config_cmd;
mod demo;
mod demo_graph;
mod docs;
mod errors;
mod export;
mod history;
mod orgs;
mod progress;
mod read;
mod schedule;
mod search;
pub(crate) mod sync;

pub use choice::Choice;
pub use errors::{CliError, ExitStatus};

use crate::config::fleet::OrgSource;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "adsync",
    version = env!("ADSYNC_VERSION"),
    about = "Keep the email-filtering service's user list in step with Active Directory"
)]
pub struct Cli {
    /// Config file (else $ADSYNC_CONFIG, else $XDG_CONFIG_HOME/adsync/config.toml, else
    /// /etc/adsync/config.toml).
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The organisations' configs, one file each (default: orgs.d beside the config).
    #[arg(long, global = true, value_name = "DIR")]
    pub orgs: Option<PathBuf>,
    /// Run the command for one organisation (a file NAME.toml in the organisations' directory).
    #[arg(long, global = true, value_name = "NAME")]
    pub org: Option<String>,
    /// More detail on stderr (-v info, -vv debug).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Option<Commands>,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// The terminal app (the default when no command is given).
    Tui,
    /// Read the directory and show what would be synced and why not (the seed's "Search Now").
    Search {
        /// Print the machine-readable result on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Run adsync on an embedded sample directory: nothing to install, nothing to configure.
    Demo(demo::DemoArgs),
    /// Diagnose the directory connection layer by layer (DNS, TCP, TLS, bind, Base DN,
    /// read rights), or with --target check the service. Exits 1 when a check fails.
    Check {
        /// Check the service instead: credentials, access to the organisation, user count.
        #[arg(long)]
        target: bool,
        /// Print the machine-readable result on stdout.
        #[arg(long)]
        json: bool,
        /// Also check the Global Catalog ports (3268, 3269).
        #[arg(long, conflicts_with = "target")]
        gc: bool,
    },
    /// Write what would be synced in another format.
    Export {
        #[command(subcommand)]
        format: ExportFormat,
    },
    /// Plan a sync against the service and show it; never changes anything.
    Plan {
        #[command(flatten)]
        args: sync::SyncArgs,
        /// Exit with 10 when changes are pending (0 when in sync).
        #[arg(long)]
        exit_code: bool,
    },
    /// Plan, and with --apply make the changes (the guards decide first).
    Sync {
        #[command(flatten)]
        args: sync::SyncArgs,
        /// Apply the plan. Without it, sync is a dry run like `plan`.
        #[arg(long)]
        apply: bool,
    },
    /// Run on the configured schedule (sync.frequency, on the service's half hour) until
    /// Ctrl-C or SIGTERM: each run plans, and applies only with sync.auto_apply and only
    /// when the guards allow. For systemd or a container.
    Schedule(schedule::ScheduleArgs),
    /// What ran: every plan and apply, newest first (`history show RUN` for one run's changes).
    History(history::HistoryArgs),
    /// The organisations of a service provider's fleet: their state, or the partner's
    /// organisations that have no config yet.
    Orgs {
        #[command(subcommand)]
        action: orgs::OrgsAction,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print the completion script for a shell (the Debian package installs bash, zsh and fish ones).
    Completions {
        #[arg(value_enum)]
        shell: docs::Shell,
    },
    /// Write the man pages (adsync.1 and one per command) into DIR, e.g. ~/.local/share/man/man1.
    Man {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// The service's CSV import format (no header; first, last, email, mobile, aliases).
    /// Users only: the import makes every row a user.
    Csv {
        /// Write to FILE (replaced atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also write functional accounts and groups (imported as users; convert them after).
        #[arg(long)]
        include_functional: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config file is looked for, in order, and which one is used.
    Paths,
    /// Read and validate the config; print warnings.
    Check,
    /// Write the commented example config to start from (never over an existing file).
    Init {
        /// Where to write it (default: $XDG_CONFIG_HOME/adsync/config.toml).
        #[arg(long, value_name = "FILE")]
        path: Option<PathBuf>,
    },
}

pub async fn run(cli: Cli) -> Result<ExitStatus, CliError> {
    let choice = Choice {
        selector: crate::config::fleet::Selector { config: cli.config.clone(), orgs: cli.orgs.clone() },
        org: cli.org.clone(),
    };
    let c = &choice;
    match cli.command.unwrap_or(Commands::Tui) {
        Commands::Tui => tui(c).await,
        Commands::Search { json } => search::run(c, json).await,
        Commands::Demo(args) => demo::run(&args).await,
        Commands::Check { target, json, gc } => {
            let options = check::CheckOptions { target, json, gc, verbose: cli.verbose > 0 };
            check::run(c, options).await
        }
        Commands::Export { format: ExportFormat::Csv { out, include_functional } } => {
            export::csv(c, out.as_deref(), include_functional).await
        }
        Commands::Plan { args, exit_code } => sync::plan(c, &args, exit_code).await,
        Commands::Sync { args, apply } => sync::sync(c, &args, apply).await,
        Commands::Schedule(args) => schedule::run(c, &args).await,
        Commands::History(args) => history::run(c, &args),
        Commands::Orgs { action } => orgs::run(c, &action).await,
        Commands::Config { action: ConfigAction::Paths } => config_cmd::paths(c),
        Commands::Config { action: ConfigAction::Check } => config_cmd::check(c),
        Commands::Config { action: ConfigAction::Init { path } } => config_cmd::init(path.as_deref()),
        Commands::Completions { shell } => docs::completions(shell),
        Commands::Man { dir } => docs::man_pages(&dir),
    }
}

/// The TUI on the configured directory (or the organisation `--org` names; with several and
/// no `--org`, the fleet screen); it needs a real terminal. With no config file yet (none anywhere, or the one named does not exist) it opens
/// on the settings form, which saves a new one.
async fn tui(choice: &Choice) -> Result<ExitStatus, CliError> {
    use crate::config::fleet::{Loaded, load};
    let loaded = load(&choice.selector);
    // More than one organisation: the app opens on the fleet screen (which reads them itself).
    if choice.org.is_none() && matches!(&loaded, Ok(Loaded::Fleet(fleet)) if fleet.orgs.len() > 1) {
        if !interactive() {
            return Err(CliError::NotATerminal);
        }
        let options = crate::tui::FleetOptions { selector: choice.selector.clone(), keymap_file: keymap_file() };
        crate::tui::run_fleet(options).await?;
        return Ok(ExitStatus::Ok);
    }
    match loaded.map_err(CliError::from).and_then(|loaded| choice.pick_from(loaded)) {
        Ok(config) => {
            let org = config.org.clone().map(|name| OrgSource { selector: choice.selector.clone(), name });
            run_tui(config, false, org).await
        }
        // Without a terminal there is no form to fill in: the error says what is missing.
        Err(CliError::Config(err)) => match first_run_path(&err).filter(|_| interactive() && choice.org.is_none()) {
            Some(path) => run_tui(crate::config::Config::seed(path), true, None).await,
            None => Err(CliError::Config(err)),
        },
        Err(err) => Err(err),
    }
}

/// Where a first run saves: the file named that does not exist, or the XDG path when no
/// config was found anywhere.
fn first_run_path(err: &crate::config::ConfigError) -> Option<std::path::PathBuf> {
    use crate::config::ConfigError;
    match err {
        ConfigError::NotFound { .. } => crate::config::first_run::default_path(),
        ConfigError::Read { path, source } if source.kind() == std::io::ErrorKind::NotFound => Some(path.clone()),
        _ => None,
    }
}

fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

async fn run_tui(
    config: crate::config::Config,
    first_run: bool,
    org: Option<OrgSource>,
) -> Result<ExitStatus, CliError> {
    if !interactive() {
        return Err(CliError::NotATerminal);
    }
    let keymap_file = keymap_file();
    crate::tui::run(crate::tui::TuiOptions { config, keymap_file, first_run, org }).await?;
    Ok(ExitStatus::Ok)
}

fn keymap_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("adsync").join("keymap.toml")).filter(|p| p.is_file())
}

/// Ctrl-C or SIGTERM (what a service manager sends).
async fn wait_for_stop() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated => {}
    }
}

/// Frees `value` on a thread of its own that the process does not wait for. A command's
/// last act is often to drop a large read, a million small allocations, and freeing them
/// is time an admin would wait for after the output was complete.
fn drop_in_background<T: Send + 'static>(value: T) {
    // Without a thread to be had, the failed spawn drops the value itself, here.
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
