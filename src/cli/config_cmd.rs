//! `adsync config paths`, `adsync config check` and `adsync config init`.

use super::{Choice, CliError, ExitStatus};
use crate::config::fleet::{self, Fleet, Loaded};
use crate::config::{CsvConfig, GraphConfig, LdapConfig, SecretSource, SourceConfig, paths};
use std::path::Path;

pub fn paths(choice: &Choice) -> Result<ExitStatus, CliError> {
    let explicit = choice.selector.config.as_deref();
    let chosen = paths::find(explicit).ok();
    println!("config lookup order (first match wins):");
    for (i, c) in paths::candidates(explicit).iter().enumerate() {
        let mark = match (&chosen, c.path.is_file()) {
            (Some(p), _) if *p == c.path => "used",
            (_, true) => "exists",
            _ => "missing",
        };
        println!("  {}. {:<15} {}  [{mark}]", i + 1, c.origin, c.path.display());
    }
    println!("state dir: {}", paths::default_state_dir().display());
    if let Ok(Loaded::Fleet(fleet)) = fleet::load(&choice.selector) {
        println!("organisations: {} ({} files)", fleet.dir.display(), fleet.orgs.len());
    }
    Ok(ExitStatus::Ok)
}

/// One config, or with organisations and no --org, every organisation's (exit 2 when any
/// does not load).
pub fn check(choice: &Choice) -> Result<ExitStatus, CliError> {
    match fleet::load(&choice.selector)? {
        Loaded::Fleet(fleet) if choice.org.is_none() && fleet.orgs.len() != 1 => Ok(check_fleet(&fleet)),
        _ => check_one(choice),
    }
}

fn check_fleet(fleet: &Fleet) -> ExitStatus {
    let main = fleet.main.as_ref().map_or("no main config".to_string(), |p| p.display().to_string());
    println!("{main}: ok, {} organisations in {}", fleet.orgs.len(), fleet.dir.display());
    fleet.shared.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    let mut status = ExitStatus::Ok;
    for org in &fleet.orgs {
        match &org.config {
            Ok(config) => {
                let off = if config.enabled { "" } else { " (enabled = false: not scheduled)" };
                println!("  {:<24} ok{off}", org.name);
                config.warnings.iter().for_each(|w| eprintln!("warning: {w}"));
            }
            Err(err) => {
                println!("  {:<24} ERROR", org.name);
                eprintln!("error: {err}");
                status = ExitStatus::Usage;
            }
        }
    }
    status
}

fn check_one(choice: &Choice) -> Result<ExitStatus, CliError> {
    let config = choice.load()?;
    let origin = config.origin.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    println!("{origin}: ok");
    for named in &config.sources {
        if config.merges_sources() {
            let priority = named.priority.map(|p| format!(", priority {p}")).unwrap_or_default();
            println!("  [[source]] {}{priority}", named.name);
        }
        match &named.source {
            SourceConfig::Ldap(ldap) => print_ldap(ldap, named.bind_password.as_ref()),
            SourceConfig::Graph(graph) => print_graph(graph),
            SourceConfig::Csv(csv) => print_csv(csv),
        }
    }
    if let Some(notify) = &config.notify {
        let on: Vec<String> = notify.on.iter().map(|o| format!("{o:?}").to_lowercase()).collect();
        let channels = crate::notify::Notifier::new(notify.clone()).channels().join(", ");
        println!("  notify    {channels} (on {})", on.join(", "));
    }
    Ok(ExitStatus::Ok)
}

fn print_ldap(ldap: &LdapConfig, password: Option<&SecretSource>) {
    let password = password.map_or("none (anonymous bind)".to_string(), |p| p.describe());
    println!("  source    {} base {}", ldap.url, ldap.base_dn.0);
    println!("  bind      {} (password: {password})", ldap.bind_dn.as_deref().unwrap_or("anonymous"));
}

fn print_graph(graph: &GraphConfig) {
    let extras = [(graph.include_guests, "guests"), (graph.detect_shared_mailboxes, "shared mailbox detection")];
    let on: Vec<&str> = extras.iter().filter(|(on, _)| *on).map(|(_, what)| *what).collect();
    println!("  source    Entra ID tenant {} via {}", graph.tenant, graph.graph_url);
    println!("  app       {} (client secret: {})", graph.client_id, graph.secret.describe());
    println!("  sign-in   {}", graph.token_url());
    println!("  reads     changes only, a full read every {} reads", graph.full_read_every);
    if !on.is_empty() {
        println!("  also      {}", on.join(", "));
    }
    println!("  hidden    Graph does not say which entries are hidden from the address list: none counts as hidden");
}

fn print_csv(csv: &CsvConfig) {
    println!(
        "  source    CSV file {} ({} layout, delimiter {:?})",
        csv.path.display(),
        csv.layout().name(),
        csv.delimiter.written()
    );
}

/// `adsync config init [--path FILE]`: the commented example, where the config is looked for.
pub fn init(path: Option<&Path>) -> Result<ExitStatus, CliError> {
    use crate::config::first_run::{self, InitError};
    let path = path
        .map(Path::to_path_buf)
        .or_else(first_run::default_path)
        .ok_or_else(|| CliError::Usage("no XDG config directory is known here; give the file with --path".into()))?;
    match first_run::write_new(&path, first_run::EXAMPLE) {
        Ok(()) => {
            println!(
                "wrote {} (owner-only): fill in [source] and [target], then `adsync config check`",
                path.display()
            );
            Ok(ExitStatus::Ok)
        }
        Err(e @ InitError::Exists { .. }) => Err(CliError::Usage(e.to_string())),
        Err(InitError::Write { path, source }) => Err(CliError::WriteFile { path, source }),
    }
}
