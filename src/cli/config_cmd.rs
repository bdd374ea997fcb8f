//! `adsync config paths` and `adsync config check`.

use super::{CliError, ExitStatus, load_config};
use crate::config::{LdapConfig, SecretSource, SourceConfig, paths};
use std::path::Path;

pub fn paths(explicit: Option<&Path>) -> Result<ExitStatus, CliError> {
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
    Ok(ExitStatus::Ok)
}

pub fn check(explicit: Option<&Path>) -> Result<ExitStatus, CliError> {
    let config = load_config(explicit)?;
    let origin = config.origin.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    println!("{origin}: ok");
    match &config.source {
        SourceConfig::Ldap(ldap) => print_ldap(ldap, config.bind_password.as_ref()),
    }
    Ok(ExitStatus::Ok)
}

fn print_ldap(ldap: &LdapConfig, password: Option<&SecretSource>) {
    let password = password.map_or("none (anonymous bind)".to_string(), |p| p.describe());
    println!("  source    {} base {}", ldap.url, ldap.base_dn.0);
    println!("  bind      {} (password: {password})", ldap.bind_dn.as_deref().unwrap_or("anonymous"));
}
