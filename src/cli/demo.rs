//! `adsync demo`: the embedded sample directory, served or searched, with nothing installed.

use super::read::read_classified;
use super::{CliError, ExitStatus};
use crate::config::Config;
use crate::demo::company::{CompanySpec, generate};
use crate::demo::{DemoOptions, DemoServer, ldif};
use std::path::{Path, PathBuf};

/// Which kind of directory the demo serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoSource {
    /// An Active Directory look-alike over LDAP and LDAPS.
    #[default]
    Ldap,
    /// A Microsoft Graph look-alike: the company as an Entra ID tenant, over HTTPS.
    Graph,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Size of the generated company.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub users: u32,
    /// The directory to serve the company from.
    #[arg(long, value_enum, default_value_t = DemoSource::Ldap)]
    pub source: DemoSource,
    /// Only serve the directory (until Ctrl-C or SIGTERM) and print shell `export` lines for it.
    #[arg(long)]
    pub serve: bool,
    /// Print the adsync config the demo uses.
    #[arg(long)]
    pub print_config: bool,
    /// Print the sample company as LDIF (for loading into another directory) and exit.
    #[arg(long, conflicts_with_all = ["serve", "print_config"])]
    pub ldif: bool,
    /// Fixed port for ldap:// (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub ldap_port: u16,
    /// Fixed port for ldaps:// (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub ldaps_port: u16,
    /// Fixed port for the Graph look-alike's https:// (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub graph_port: u16,
    /// Keep the demo's files (config, CA, the stand-in service, state) in DIR instead of a
    /// temporary directory removed on exit.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Where the demo's files live: a temp dir removed on exit, or one the user chose.
pub(super) enum Workspace {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl Workspace {
    fn new(dir: Option<&Path>) -> Result<Self, CliError> {
        match dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                Ok(Self::Kept(d.to_path_buf()))
            }
            None => Ok(Self::Temp(tempfile::Builder::new().prefix("adsync-demo-").tempdir()?)),
        }
    }

    pub(super) fn path(&self) -> &Path {
        match self {
            Self::Temp(t) => t.path(),
            Self::Kept(p) => p,
        }
    }

    pub(super) fn write(&self, name: &str, text: &str) -> Result<PathBuf, CliError> {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path().join(name);
        std::fs::write(&path, text)?;
        // Owner only: one of these files holds the demo's bind password.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        Ok(path)
    }
}

/// A running demo directory, the config that reads it, and the shell lines that reach it.
pub(super) struct Demo {
    /// Kept while the demo runs: dropping the server stops it.
    pub _server: Box<dyn Send>,
    pub config_text: String,
    pub exports: Vec<String>,
}

pub async fn run(args: &DemoArgs) -> Result<ExitStatus, CliError> {
    if args.ldif {
        return print_ldif(args.users);
    }
    let workspace = Workspace::new(args.dir.as_deref())?;
    let demo = match args.source {
        DemoSource::Ldap => ldap_demo(args, &workspace).await?,
        DemoSource::Graph => super::demo_graph::start(args, &workspace).await?,
    };
    let config_path = workspace.write("adsync.toml", &demo.config_text)?;
    if args.print_config {
        super::print(|out| std::io::Write::write_all(out, demo.config_text.as_bytes()))?;
    }
    if args.serve {
        super::print(|out| writeln!(out, "{}", demo.exports.join("\n")))?;
        super::wait_for_stop().await;
        return Ok(ExitStatus::Ok);
    }
    if args.print_config {
        return Ok(ExitStatus::Ok);
    }
    let config = Config::load(&config_path)?;
    seed_service(&config, &CompanySpec::new(args.users).domain).await?;
    if super::interactive() {
        return super::run_tui(config, false, None).await;
    }
    // Not a terminal (a pipe, CI): show what the app would show, as text.
    let choice = super::Choice::of_file(config_path);
    super::sync::plan(&choice, &super::sync::SyncArgs::default(), false).await
}

async fn ldap_demo(args: &DemoArgs, workspace: &Workspace) -> Result<Demo, CliError> {
    let opts = DemoOptions { users: args.users, ldap_port: args.ldap_port, ldaps_port: args.ldaps_port };
    let server = DemoServer::start(&opts).await?;
    let ca = workspace.write("ca.pem", &server.ca_pem)?;
    let password = workspace.write("bind.pw", &server.spec.svc_password)?;
    let config_text = config_text(&server, &ca, &password, workspace.path());
    let exports = exports(&server, &ca);
    Ok(Demo { _server: Box::new(server), config_text, exports })
}

/// Fills the stand-in service (once per workspace) so the first plan shows creates, updates
/// and deletes, and accounts a sync must leave alone.
async fn seed_service(config: &Config, domain: &str) -> Result<(), CliError> {
    let Some(path) = config.target.as_ref().and_then(|t| t.path.clone()) else { return Ok(()) };
    if path.exists() {
        return Ok(());
    }
    let read = read_classified(config).await?.ok_or(CliError::Cancelled)?;
    let (accounts, managed) = crate::demo::seed::seed(&read.outcome.classification.entries, domain);
    let users = serde_json::json!({ "users": accounts });
    crate::atomic::write_atomic(&path, |out| serde_json::to_writer_pretty(out, &users).map_err(std::io::Error::other))?;
    let mut state = crate::sync::state::SyncState::default();
    state.set_managed(&managed);
    state.save(&config.state_dir()).map_err(|e| CliError::Output(std::io::Error::other(e.to_string())))?;
    Ok(())
}

fn print_ldif(users: u32) -> Result<ExitStatus, CliError> {
    let entries = generate(&CompanySpec::new(users));
    super::print(|out| ldif::write_all(out, &entries))?;
    Ok(ExitStatus::Ok)
}

/// The config a user would write for this directory; every file it names lives in the
/// demo's temp workspace, so it is valid while the demo runs.
fn config_text(server: &DemoServer, ca: &Path, password: &Path, workspace: &Path) -> String {
    format!(
        "# adsync demo: the embedded sample directory (valid while the demo runs)\n\
         state_dir = \"{}\"\n\n\
         [source]\nkind = \"ldap\"\nurl = \"{}\"\nca_file = \"{}\"\nbind_dn = \"{}\"\n\
         password_file = \"{}\"\nbase_dn = \"{}\"\n\n[sync]\ndefault_role = \"silent_user\"\ndelete = true\n\n\
         # the service: a JSON file standing in for it, seeded with sample accounts\n\
         [target]\nkind = \"file\"\npath = \"{}\"\n",
        workspace.join("state").display(),
        server.ldaps_url(),
        ca.display(),
        server.spec.svc_dn(),
        password.display(),
        server.spec.base,
        workspace.join("service.json").display()
    )
}

pub(super) fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

fn exports(server: &DemoServer, ca: &Path) -> Vec<String> {
    vec![
        format!(
            "# adsync demo directory: {} entries, an Active Directory look-alike. Ctrl-C stops it.",
            server.entries
        ),
        format!("export LDAP_URI={}", shell_quote(&server.ldap_url())),
        format!("export LDAPS_URI={}", shell_quote(&server.ldaps_url())),
        format!("export LDAP_BASE_DN={}", shell_quote(&server.spec.base)),
        format!("export LDAP_BIND_DN={}", shell_quote(&server.spec.svc_dn())),
        format!("export LDAP_BIND_PW={}", shell_quote(&server.spec.svc_password)),
        format!("export LDAPTLS_CACERT={}", shell_quote(&ca.display().to_string())),
    ]
}
