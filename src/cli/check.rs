//! `adsync check`: can adsync reach the directory (default: the diagnostics ladder) or the
//! service (`--target`)? `--json` for scripts. Neither ever shows a password.

use super::{Choice, CliError, ExitStatus};
use crate::config::Config;
use crate::diagnose::report::{self, TableStyle};
use crate::diagnose::{Ladder, LadderOptions, run_ladder};
use crate::model::OrgFacts;
use crate::report::{GuardsJson, guards_json, thousands, write_guards};
use crate::sync::guard::{self, GuardInput};
use crate::target::{self, TargetCheck};
use serde::Serialize;
use std::io::{self, IsTerminal, Write};

/// `adsync check` flags.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions {
    pub target: bool,
    pub json: bool,
    pub gc: bool,
    /// Evidence for every rung in the table.
    pub verbose: bool,
}

pub async fn run(choice: &Choice, options: CheckOptions) -> Result<ExitStatus, CliError> {
    let config = choice.load()?;
    if options.target { check_target(&config, options.json).await } else { check_directory(&config, options).await }
}

/// The facts, and the verdict a sync would get from them: exit 3 when the service's own sync
/// would block it, as `sync --apply` would.
async fn check_target(config: &Config, json: bool) -> Result<ExitStatus, CliError> {
    let target = target::from_config(config)?;
    let result = target.check().await?;
    let coexist = config.target.as_ref().is_some_and(|t| t.coexist_with_vendor_sync);
    let verdict = guard::organisation(&GuardInput {
        vendor_syncs: result.org.vendor_syncs.clone(),
        coexist_with_vendor_sync: coexist,
        unread: result.org.unread.clone(),
        ..GuardInput::default()
    });
    let name = target.describe();
    super::print(|out| {
        if json {
            write_json(out, &TargetCheckJson { check: &result, guards: guards_json(&verdict) })
        } else {
            write_target(out, &name, &result)?;
            write_guards(out, &verdict)
        }
    })?;
    Ok(if verdict.ok() { ExitStatus::Ok } else { ExitStatus::Blocked })
}

#[derive(Serialize)]
struct TargetCheckJson<'a> {
    #[serde(flatten)]
    check: &'a TargetCheck,
    guards: GuardsJson<'a>,
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
    writeln!(out, "  {:<10} {org}{}{admins}", "org", counted(check.users, "user"))?;
    if check.kind == "file" {
        return Ok(());
    }
    write_org_facts(out, &check.org)
}

/// Licences and the vendor's own sync, as far as the service told them.
fn write_org_facts(out: &mut dyn Write, org: &OrgFacts) -> io::Result<()> {
    if let Some(l) = &org.licenses {
        let (used, total) = (thousands(l.active_users), thousands(l.user_licenses));
        writeln!(out, "  {:<10} {used} of {total} in use", "licences")?;
    }
    match org.vendor_syncs.as_slice() {
        [] if org.unread.is_empty() => writeln!(out, "  {:<10} off (no LDAP server, Azure AD sync off)", "own sync"),
        [] => writeln!(out, "  {:<10} not known (see the warnings)", "own sync"),
        syncs => {
            let names: Vec<String> = syncs.iter().map(ToString::to_string).collect();
            writeln!(out, "  {:<10} ON: {}", "own sync", names.join("; "))
        }
    }
}

/// "1 user", "12,345 users".
fn counted(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n as u64))
}

/// The connectivity ladder, each rung printed as it ends (the table) or all at once (JSON).
async fn check_directory(config: &Config, options: CheckOptions) -> Result<ExitStatus, CliError> {
    if config.merges_sources() {
        return check_sources(config, options).await;
    }
    let ladder_options = LadderOptions { global_catalog: options.gc };
    let ladder = if options.json {
        let ladder = run_ladder(config, ladder_options, |_| {}).await;
        super::print(|out| report::write_json(out, &ladder))?;
        ladder
    } else {
        live_table(config, ladder_options, options.verbose).await?
    };
    Ok(if ladder.ok() { ExitStatus::Ok } else { ExitStatus::Error })
}

/// Every source's ladder in turn, under its name; the run fails if any one does.
async fn check_sources(config: &Config, options: CheckOptions) -> Result<ExitStatus, CliError> {
    let ladder_options = LadderOptions { global_catalog: options.gc };
    let mut ladders = Vec::with_capacity(config.sources.len());
    for source in &config.sources {
        let one = config.only_source(source);
        let ladder = if options.json {
            run_ladder(&one, ladder_options, |_| {}).await
        } else {
            super::print(|out| writeln!(out, "Source {}", source.name))?;
            let ladder = live_table(&one, ladder_options, options.verbose).await?;
            super::print(|out| writeln!(out))?;
            ladder
        };
        ladders.push((source.name.clone(), ladder));
    }
    if options.json {
        super::print(|out| report::write_json_sources(out, &ladders))?;
    }
    Ok(if ladders.iter().all(|(_, l)| l.ok()) { ExitStatus::Ok } else { ExitStatus::Error })
}

async fn live_table(config: &Config, options: LadderOptions, verbose: bool) -> Result<Ladder, CliError> {
    let style = TableStyle::for_output(io::stdout().is_terminal(), verbose);
    let target = crate::diagnose::target(config);
    super::print(|out| report::write_header(out, &target))?;
    let mut failed = None;
    let ladder = run_ladder(config, options, |step| {
        if let Err(e) = super::print(|out| report::write_step(out, step, &style)) {
            failed.get_or_insert(e);
        }
    })
    .await;
    if let Some(e) = failed {
        return Err(e);
    }
    super::print(|out| report::write_footer(out, &ladder))?;
    Ok(ladder)
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}
