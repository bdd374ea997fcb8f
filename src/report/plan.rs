//! `plan` and `sync`: the review (what would change, what is left alone, what the guards say)
//! and the report of what was done.

use super::search::thousands;
use crate::model::{Account, ChangeKind};
use crate::sync::apply::{ApplyOutcome, Failed, Skipped};
use crate::sync::guard::{Block, Verdict, Warning};
use crate::sync::plan::{Change, FieldChange, Left, Op, Plan};
use crate::sync::verify::Verification;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Changes listed per action in the human review; `--json` has all of them.
const LISTED: usize = 50;

#[derive(Serialize)]
struct ChangeJson<'a> {
    id: usize,
    action: ChangeKind,
    email: &'a str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    directory_id: Option<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldChange],
    /// The account as it will be (create, update) or as it was (delete).
    account: &'a Account,
}

fn change_json(c: &Change) -> ChangeJson<'_> {
    let (fields, account): (&[FieldChange], &Account) = match &c.op {
        Op::Create { account } | Op::Delete { account } => (&[], account),
        Op::Update { after, fields, .. } => (fields, after),
    };
    ChangeJson {
        id: c.id,
        action: c.kind(),
        email: c.email(),
        reason: &c.reason,
        directory_id: c.directory_id.map(|i| i.to_string()),
        fields,
        account,
    }
}

#[derive(Serialize)]
struct Counts {
    create: usize,
    update: usize,
    delete: usize,
    in_sync: usize,
    untouched: usize,
}

#[derive(Serialize)]
pub struct GuardsJson<'a> {
    ok: bool,
    blocks: Vec<Explained<'a, Block>>,
    warnings: Vec<Explained<'a, Warning>>,
}

/// A block or warning with its message, for scripts that show it.
#[derive(Serialize)]
struct Explained<'a, T: Serialize> {
    #[serde(flatten)]
    item: &'a T,
    message: String,
}

fn explained<T: Serialize + std::fmt::Display>(items: &[T]) -> Vec<Explained<'_, T>> {
    items.iter().map(|item| Explained { item, message: item.to_string() }).collect()
}

pub fn guards_json(verdict: &Verdict) -> GuardsJson<'_> {
    GuardsJson { ok: verdict.ok(), blocks: explained(&verdict.blocks), warnings: explained(&verdict.warnings) }
}

/// `adsync plan --json`.
#[derive(Serialize)]
pub struct PlanJson<'a> {
    complete: bool,
    target: &'a str,
    counts: Counts,
    changes: Vec<ChangeJson<'a>>,
    untouched: &'a [Left],
    guards: GuardsJson<'a>,
}

fn counts(plan: &Plan) -> Counts {
    Counts {
        create: plan.count(ChangeKind::Create),
        update: plan.count(ChangeKind::Update),
        delete: plan.count(ChangeKind::Delete),
        in_sync: plan.in_sync,
        untouched: plan.untouched.len(),
    }
}

pub fn write_plan_json(out: &mut dyn Write, target: &str, plan: &Plan, verdict: &Verdict) -> io::Result<()> {
    let doc = PlanJson {
        complete: true,
        target,
        counts: counts(plan),
        changes: plan.changes.iter().map(change_json).collect(),
        untouched: &plan.untouched,
        guards: guards_json(verdict),
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

/// One line per field, e.g. `aliases + bo2@example.com` or `active yes → no`.
pub fn field_line(field: &FieldChange) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    let yes = |b: bool| if b { "yes" } else { "no" };
    match field {
        FieldChange::PrimaryEmail { from, to } => format!("primary {from} → {to}"),
        FieldChange::FirstName { from, to } => format!("first name {} → {}", opt(from), opt(to)),
        FieldChange::LastName { from, to } => format!("last name {} → {}", opt(from), opt(to)),
        FieldChange::Active { from, to } => format!("active {} → {}", yes(*from), yes(*to)),
        FieldChange::Role { from, to } => format!("role {} → {to}", opt(from)),
        FieldChange::AliasesAdded { aliases } => format!("aliases + {}", aliases.join(", ")),
        FieldChange::AliasesRemoved { aliases } => format!("aliases - {}", aliases.join(", ")),
    }
}

pub fn marker(change: &Change) -> char {
    match change.op {
        Op::Create { .. } => '+',
        Op::Update { .. } => '~',
        Op::Delete { .. } => '-',
    }
}

fn heading(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Delete => "Deleting",
        ChangeKind::Update => "Updating",
        ChangeKind::Create => "Adding",
    }
}

fn write_changes(out: &mut dyn Write, plan: &Plan, kind: ChangeKind) -> io::Result<()> {
    let list = &plan.changes[plan.range(kind)];
    if list.is_empty() {
        return Ok(());
    }
    writeln!(out, "{} ({}):", heading(kind), thousands(list.len() as u64))?;
    for c in list.iter().take(LISTED) {
        writeln!(out, "  {} {:<38} {}", marker(c), c.email(), c.reason)?;
        if let Op::Update { fields, .. } = &c.op {
            for f in fields {
                writeln!(out, "      {}", field_line(f))?;
            }
        }
    }
    if list.len() > LISTED {
        writeln!(out, "  … and {} more (adsync plan --json lists all)", thousands((list.len() - LISTED) as u64))?;
    }
    Ok(())
}

fn write_untouched(out: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for left in &plan.untouched {
        *by_reason.entry(left.reason.explain()).or_default() += 1;
    }
    if by_reason.is_empty() {
        return Ok(());
    }
    writeln!(out, "Left alone:")?;
    for (reason, n) in by_reason {
        writeln!(out, "  {:>7}  {reason}", thousands(n as u64))?;
    }
    Ok(())
}

pub fn write_guards(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    for w in &verdict.warnings {
        writeln!(out, "Warning: {w}")?;
    }
    if verdict.ok() {
        return writeln!(out, "Guards: ok");
    }
    writeln!(out, "Guards: BLOCKED — nothing would be applied:")?;
    for b in &verdict.blocks {
        writeln!(out, "  ! {b}")?;
    }
    Ok(())
}

pub fn write_plan_summary(
    out: &mut dyn Write,
    source: &str,
    target: &str,
    plan: &Plan,
    verdict: &Verdict,
) -> io::Result<()> {
    writeln!(out, "Plan: {source} → {target}")?;
    let c = counts(plan);
    writeln!(
        out,
        "  create {} · update {} · delete {} · in sync {} · left alone {}",
        thousands(c.create as u64),
        thousands(c.update as u64),
        thousands(c.delete as u64),
        thousands(c.in_sync as u64),
        thousands(c.untouched as u64)
    )?;
    for kind in ChangeKind::ALL {
        write_changes(out, plan, kind)?;
    }
    write_untouched(out, plan)?;
    write_guards(out, verdict)
}

#[derive(Serialize)]
struct ApplyJson<'a> {
    applied: Counts,
    failed: &'a [Failed],
    skipped: &'a [Skipped],
    fatal: Option<&'a str>,
    cancelled: bool,
    not_started: usize,
    elapsed_ms: u64,
    verification: Option<&'a Verification>,
}

pub fn write_apply_json(out: &mut dyn Write, outcome: &ApplyOutcome) -> io::Result<()> {
    let doc = ApplyJson {
        applied: Counts {
            create: outcome.count_applied(ChangeKind::Create),
            update: outcome.count_applied(ChangeKind::Update),
            delete: outcome.count_applied(ChangeKind::Delete),
            in_sync: 0,
            untouched: 0,
        },
        failed: &outcome.failed,
        skipped: &outcome.skipped,
        fatal: outcome.fatal.as_deref(),
        cancelled: outcome.cancelled,
        not_started: outcome.not_started,
        elapsed_ms: outcome.elapsed.as_millis() as u64,
        verification: outcome.verification.as_ref(),
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

pub fn write_apply_summary(out: &mut dyn Write, outcome: &ApplyOutcome) -> io::Result<()> {
    let count = |kind| thousands(outcome.count_applied(kind) as u64);
    writeln!(
        out,
        "Applied in {:.1} s: {} created · {} updated · {} deleted",
        outcome.elapsed.as_secs_f64(),
        count(ChangeKind::Create),
        count(ChangeKind::Update),
        count(ChangeKind::Delete)
    )?;
    for f in &outcome.failed {
        writeln!(out, "  failed: {} {}: {}", f.action, f.email, f.error)?;
    }
    for s in &outcome.skipped {
        writeln!(out, "  skipped: {} {}: {}", s.action, s.email, s.reason)?;
    }
    if let Some(fatal) = &outcome.fatal {
        writeln!(out, "Stopped early: {fatal}")?;
    }
    if outcome.not_started > 0 {
        writeln!(
            out,
            "  {} approved changes were not started; the next sync plans them again",
            thousands(outcome.not_started as u64)
        )?;
    }
    match &outcome.verification {
        Some(v) => write_verification(out, v),
        None => Ok(()),
    }
}

/// "verified N of M".
pub fn verified_counts(v: &Verification) -> String {
    format!("verified {} of {}", thousands(v.verified as u64), thousands(v.checked as u64))
}

/// "Verified N of N", or what did not take.
pub fn write_verification(out: &mut dyn Write, v: &Verification) -> io::Result<()> {
    writeln!(out, "{}", verification_line(v))?;
    for n in &v.not_taken {
        writeln!(out, "  did not take: {} {}: {}", n.action, n.email, n.problem)?;
    }
    Ok(())
}

/// One line: how many applied changes the service shows.
pub fn verification_line(v: &Verification) -> String {
    let counts = verified_counts(v);
    match (&v.error, v.all_taken()) {
        (Some(e), _) => format!("Verification: {counts}; the service could not be listed: {e}"),
        (None, true) => format!("Verification: {counts} in the service"),
        (None, false) => format!(
            "Verification: {counts}; {} did not take after {} listings",
            thousands(v.not_taken.len() as u64),
            v.listings
        ),
    }
}
