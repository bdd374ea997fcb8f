//! `adsync orgs list [--json]` and `adsync orgs discover`: a service provider's fleet at a
//! glance, and skeleton configs for the partner's organisations that have none.

use super::{Choice, CliError, ExitStatus};
use crate::config::first_run::InitError;
use crate::config::fleet::Fleet;
use crate::fleet::OrgStatus;
use crate::fleet::columns::{HEADERS, cells};
use crate::fleet::discover::{Found, write_skeletons};
use crate::target::essentials::EssentialsTarget;
use jiff::Timestamp;
use std::io::Write;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum OrgsAction {
    /// Every organisation: source kind, last run (when, outcome, counts), changes its last plan
    /// left pending, the guards that blocked it, its next scheduled run.
    List {
        /// Print the organisations as JSON (an array, by name).
        #[arg(long)]
        json: bool,
    },
    /// Ask the service for the partner's organisations ([partner] in the main config) and write
    /// a commented skeleton config, not yet enabled, for each that has none (never over a file).
    Discover,
}

pub async fn run(choice: &Choice, action: &OrgsAction) -> Result<ExitStatus, CliError> {
    let fleet = choice.fleet("adsync orgs")?;
    match action {
        OrgsAction::List { json } => list(&fleet, *json),
        OrgsAction::Discover => discover(&fleet).await,
    }
}

fn list(fleet: &Fleet, json: bool) -> Result<ExitStatus, CliError> {
    let now = Timestamp::now();
    let rows: Vec<OrgStatus> = fleet.orgs.iter().map(|o| OrgStatus::of(o, now)).collect();
    super::print(|out| {
        if json {
            serde_json::to_writer(&mut *out, &rows)?;
            writeln!(out)
        } else {
            table(out, &rows)
        }
    })?;
    Ok(ExitStatus::Ok)
}

fn table(out: &mut dyn Write, rows: &[OrgStatus]) -> std::io::Result<()> {
    let tz = jiff::tz::TimeZone::system();
    line(out, HEADERS.map(str::to_string))?;
    for row in rows {
        line(out, cells(row, &tz))?;
        if let Some(error) = &row.error {
            writeln!(out, "    {}", error.lines().next().unwrap_or_default())?;
        }
    }
    Ok(())
}

fn line(out: &mut dyn Write, c: [String; 9]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<20} {:<13} {:<7} {:<16} {:<10} {:<24} {:>7}  {:<24} {}",
        c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]
    )
}

async fn discover(fleet: &Fleet) -> Result<ExitStatus, CliError> {
    let Some(partner) = &fleet.shared.partner else {
        let main = fleet.main.as_ref().map_or("the main config".into(), |p| p.display().to_string());
        return Err(CliError::Usage(format!(
            "orgs discover asks the service for the partner's organisations: add [partner] (domain, user, \
             password_env) to {main}"
        )));
    };
    let children = EssentialsTarget::for_partner(partner)?.child_orgs().await?;
    let found = write_skeletons(fleet, &children).map_err(|e| match e {
        InitError::Write { path, source } => CliError::WriteFile { path, source },
        exists @ InitError::Exists { .. } => CliError::Usage(exists.to_string()),
    })?;
    let written = found.iter().filter(|(_, f)| matches!(f, Found::Written(_))).count();
    super::print(|out| {
        for (child, what) in &found {
            match what {
                Found::Written(path) => writeln!(out, "wrote    {} (enabled = false)", path.display())?,
                Found::Configured(path) => writeln!(out, "has one  {} ({})", child.primary_domain, path.display())?,
                Found::Unusable(domain) => writeln!(out, "skipped  {domain:?}: not a domain name a file can carry")?,
            }
        }
        writeln!(
            out,
            "{} organisations of {}: {written} new skeletons in {}, {} had a config already",
            found.len(),
            partner.domain,
            fleet.dir.display(),
            found.iter().filter(|(_, f)| matches!(f, Found::Configured(_))).count()
        )
    })?;
    Ok(ExitStatus::Ok)
}
