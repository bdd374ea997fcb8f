//! `adsync demo`: the embedded sample directory, served or searched, with nothing installed.

use super::read::read_classified;
use super::{CliError, ExitStatus};
use crate::config::Config;
use crate::demo::company::{CompanySpec, generate};
use crate::demo::{DemoOptions, DemoServer, ldif};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Size of the generated company.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub users: u32,
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
    /// Keep the demo's files (config, CA, the stand-in service, state) in DIR instead of a
    /// temporary directory removed on exit.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Where the demo's files live: a temp dir removed on exit, or one the user chose.
enum Workspace {
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

    fn path(&self) -> &Path {
        match self {
            Self::Temp(t) => t.path(),
            Self::Kept(p) => p,
        }
    }

    fn write(&self, name: &str, text: &str) -> Result<PathBuf, CliError> {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path().join(name);
        std::fs::write(&path, text)?;
        // Owner only: one of these files holds the demo's bind password.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        Ok(path)
    }
}

pub async fn run(args: &DemoArgs) -> Result<ExitStatus, CliError> {
    if args.ldif {
        return print_ldif(args.users);
    }
    let opts = DemoOptions { users: args.users, ldap_port: args.ldap_port, ldaps_port: args.ldaps_port };
    let server = DemoServer::start(&opts).await?;
    let workspace = Workspace::new(args.dir.as_deref())?;
    let ca = workspace.write("ca.pem", &server.ca_pem)?;
    let password = workspace.write("bind.pw", &server.spec.svc_password)?;
    let config_text = config_text(&server, &ca, &password, workspace.path());
    let config_path = workspace.write("adsync.toml", &config_text)?;
    if args.print_config {
        super::print(|out| std::io::Write::write_all(out, config_text.as_bytes()))?;
    }
    if args.serve {
        print_exports(&server, &ca)?;
        super::wait_for_stop().await;
        return Ok(ExitStatus::Ok);
    }
    if args.print_config {
        return Ok(ExitStatus::Ok);
    }
    let config = Config::load(&config_path)?;
    seed_service(&config, &server).await?;
    if super::interactive() {
        return super::run_tui(config, false).await;
    }
    // Not a terminal (a pipe, CI): show what the app would show, as text.
    super::sync::plan(Some(&config_path), &super::sync::SyncArgs::default(), false).await
}

/// Fills the stand-in service (once per workspace) so the first plan shows creates, updates
/// and deletes, and accounts a sync must leave alone.
async fn seed_service(config: &Config, server: &DemoServer) -> Result<(), CliError> {
    let Some(path) = config.target.as_ref().and_then(|t| t.path.clone()) else { return Ok(()) };
    if path.exists() {
        return Ok(());
    }
    let read = read_classified(config).await?.ok_or(CliError::Cancelled)?;
    let (accounts, managed) = crate::demo::seed::seed(&read.outcome.classification.entries, &server.spec.domain);
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

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

fn print_exports(server: &DemoServer, ca: &Path) -> Result<(), CliError> {
    let lines = [
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
    ];
    super::print(|out| writeln!(out, "{}", lines.join("\n")))
}
