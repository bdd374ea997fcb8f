//! A run in words: the one-line subject of a notification, and the report that the e-mail
//! and `adsync history show` print (when, who, where, what was read, planned and applied,
//! the guards, the error).

use super::changes::{AppliedChange, ChangeOutcome, PendingChange};
use super::record::{Mode, RunRecord};
use crate::model::ChangeKind;
use crate::report::thousands;

/// "adsync schedule: BLOCKED by sync.guards.max_deletes, nothing applied, example.com"; an
/// organisation of a fleet is named first ("adsync schedule [acme]: …").
pub fn subject(record: &RunRecord) -> String {
    let whom = record.target.as_deref().map(|t| format!(", {t}")).unwrap_or_default();
    let org = record.org.as_deref().map(|o| format!(" [{o}]")).unwrap_or_default();
    let line = format!("adsync {}{org}: {}{whom}", record.trigger.as_str(), record.summary());
    one_line(&line, 160)
}

/// Squeezes whitespace (an error can span lines) and cuts at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if squeezed.chars().count() <= max {
        return squeezed;
    }
    let mut cut: String = squeezed.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn n(value: usize) -> String {
    thousands(value as u64)
}

/// "Outcome:  applied (exit 0): applied 16 changes (+12 ~3 -1)"; a failure's error has a
/// line of its own.
fn outcome_line(record: &RunRecord) -> String {
    let head = format!("Outcome:  {} (exit {})", record.outcome.label(), record.exit_code);
    if record.outcome == super::Outcome::Failed { head } else { format!("{head}: {}", record.summary()) }
}

/// The report, a line each.
pub fn report(record: &RunRecord) -> Vec<String> {
    let mode = if record.mode == Mode::Apply { "apply" } else { "dry run" };
    let mut lines = vec![format!("Run:      {} ({}, {mode})", record.run, record.trigger.as_str())];
    lines.extend(record.org.as_ref().map(|o| format!("Org:      {o}")));
    lines.extend([
        format!(
            "When:     {} – {}",
            record.started.round(jiff::Unit::Second).unwrap_or(record.started),
            record.ended.round(jiff::Unit::Second).unwrap_or(record.ended)
        ),
        outcome_line(record),
        format!("Source:   {} {}", record.source.kind, record.source.at),
    ]);
    lines.extend(record.target.as_ref().map(|t| format!("Target:   {t}")));
    lines.extend(record.read.as_ref().map(|r| {
        let reasons: Vec<String> = r.skipped_by_reason.iter().map(|(k, v)| format!("{k} {}", n(*v))).collect();
        let why = if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join(", ")) };
        format!("Read:     {} entries, {} to sync, {} skipped{why}", thousands(r.entries), n(r.to_sync), n(r.skipped))
    }));
    lines.extend(record.plan.map(|p| {
        format!(
            "Plan:     create {} · update {} · delete {} · in sync {} · left alone {}",
            n(p.create),
            n(p.update),
            n(p.delete),
            n(p.in_sync),
            n(p.left_alone)
        )
    }));
    lines.extend(record.apply.map(|a| {
        format!(
            "Applied:  {} of {} approved, {} failed, {} not started, {} changed in the service since the plan",
            n(a.applied),
            n(a.approved),
            n(a.failed),
            n(a.not_started),
            n(a.skipped)
        )
    }));
    lines.extend(record.apply.and_then(|a| a.verified.map(|v| format!("Verified: {} of {}", n(v), n(a.applied)))));
    lines.extend(record.guards.iter().map(|g| format!("Guard:    {}", g.message)));
    lines.extend(record.error.iter().map(|e| format!("Error:    {e}")));
    lines.extend(record.journal.iter().map(|j| format!("Journal:  {j}")));
    lines
}

pub fn marker(action: ChangeKind) -> char {
    match action {
        ChangeKind::Create => '+',
        ChangeKind::Update => '~',
        ChangeKind::Delete => '-',
    }
}

/// "+ done     ann@example.com", "~ FAILED   bo@example.com → bo2@example.com: 422 …".
pub fn applied_line(c: &AppliedChange) -> String {
    let (word, why) = match &c.outcome {
        ChangeOutcome::Done => ("done", String::new()),
        ChangeOutcome::Failed(e) => ("FAILED", format!(": {e}")),
        ChangeOutcome::InDoubt => ("in doubt", ": sent, no answer recorded; the next plan settles it".to_string()),
    };
    let renamed = c.new_email.as_ref().map(|n| format!(" → {n}")).unwrap_or_default();
    format!("{} {word:<8} {}{renamed}{why}", marker(c.action), c.email)
}

/// "+ ann@example.com  new in the directory (user)".
pub fn pending_line(c: &PendingChange) -> String {
    format!("{} {:<38} {}", marker(c.action), c.email, c.reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_one_line_and_bounded() {
        assert_eq!(one_line("a\n  b\tc", 10), "a b c");
        assert_eq!(one_line(&"x".repeat(20), 10), format!("{}…", "x".repeat(9)));
    }

    #[test]
    fn a_fleet_s_run_names_its_organisation_in_the_subject_and_the_report() {
        use crate::history::{Outcome, RunId, Trigger};
        let at: jiff::Timestamp = "2026-12-03T09:30:00Z".parse().unwrap();
        let mut record = RunRecord::new(RunId("r".into()), (at, at), Trigger::Schedule, Mode::DryRun, Outcome::Failed);
        record.target = Some("acme.example".into());
        assert!(!subject(&record).contains('['), "{}", subject(&record));
        record.org = Some("acme".into());
        assert!(subject(&record).starts_with("adsync schedule [acme]: "), "{}", subject(&record));
        assert_eq!(report(&record)[1], "Org:      acme");
    }
}
