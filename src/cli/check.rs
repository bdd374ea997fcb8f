//! `adsync check`: can adsync reach the directory (default) or the service (`--target`)?
//! A few lines each; `--json` for scripts. Neither ever shows a password.

use super::{CliError, ExitStatus, load_config};
use crate::config::Config;
use crate::model::Flavor;
use crate::report::thousands;
use crate::source::ldap::{LdapSource, rootdse};
use crate::target::{self, TargetCheck};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

pub async fn run(explicit: Option<&Path>, target: bool, json: bool) -> Result<ExitStatus, CliError> {
    let config = load_config(explicit)?;
    if target { check_target(&config, json).await } else { check_directory(&config, json).await }
}

async fn check_target(config: &Config, json: bool) -> Result<ExitStatus, CliError> {
    let target = target::from_config(config)?;
    let result = target.check().await?;
    let name = target.describe();
    super::print(|out| if json { write_json(out, &result) } else { write_target(out, &name, &result) })?;
    Ok(ExitStatus::Ok)
}

fn write_target(out: &mut dyn Write, name: &str, check: &TargetCheck) -> io::Result<()> {
    writeln!(out, "Service: {name}")?;
    let place = if check.kind == "file" { "file" } else { "API" };
    writeln!(out, "  {place:<10} {}", check.endpoint)?;
    if let Some(who) = &check.signed_in_as {
        let kind = check.account_type.as_deref().unwrap_or("type not given");
        let access = if check.read_only == Some(true) { "read-only" } else { "read-write" };
        writeln!(out, "  {:<10} {who} ({kind}, {access})", "signed in")?;
    }
    let org = check.domain.as_deref().map(|d| format!("{d}: accessible, ")).unwrap_or_default();
    let admins = match check.admins {
        0 => String::new(),
        n => format!(" ({}, never touched by a sync)", counted(n, "admin")),
    };
    writeln!(out, "  {:<10} {org}{}{admins}", "org", counted(check.users, "user"))
}

/// "1 user", "12,345 users".
fn counted(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n as u64))
}

/// `check --json` without `--target`.
#[derive(Serialize)]
struct DirectoryCheck {
    url: String,
    address: String,
    bound_as: Option<String>,
    flavor: Flavor,
    vendor: Option<String>,
    naming_contexts: Vec<String>,
    default_naming_context: Option<String>,
}

/// Connect, bind and read the rootDSE: the short version of the connectivity ladder.
async fn check_directory(config: &Config, json: bool) -> Result<ExitStatus, CliError> {
    let mut session = LdapSource::new(config).open_session().await?;
    let dse = rootdse::read(&mut session).await?;
    let address = session.addr.to_string();
    session.close().await;
    let check = DirectoryCheck {
        url: config.source.url.to_string(),
        address,
        bound_as: config.source.bind_dn.clone(),
        flavor: dse.flavor(),
        vendor: dse.vendor.clone(),
        naming_contexts: dse.naming_contexts.clone(),
        default_naming_context: dse.default_naming_context.clone(),
    };
    super::print(|out| if json { write_json(out, &check) } else { write_directory(out, &check) })?;
    Ok(ExitStatus::Ok)
}

fn write_directory(out: &mut dyn Write, check: &DirectoryCheck) -> io::Result<()> {
    writeln!(out, "Directory: {}", check.url)?;
    writeln!(out, "  {:<10} {}", "connected", check.address)?;
    writeln!(out, "  {:<10} {}", "bound as", check.bound_as.as_deref().unwrap_or("anonymous"))?;
    let vendor = check.vendor.as_deref().map(|v| format!(" ({v})")).unwrap_or_default();
    writeln!(out, "  {:<10} {}{vendor}", "server", check.flavor)?;
    writeln!(out, "  {:<10} {}", "naming", check.naming_contexts.join("; "))
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}
