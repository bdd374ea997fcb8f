//! The ladder for people (a compact table, coloured on a terminal) and for scripts (JSON).
//!
//! JSON shape (stable; README "adsync check"):
//! `{"ok":bool,"elapsed_ms":n,"source_kind":"ldap"|"graph","steps":[{"id","title","status","elapsed_ms","summary","evidence":{…},"fix"}]}`

use super::{Ladder, Status, Step, StepId};
use serde::ser::{Serialize, Serializer};
use std::io::{self, Write};
use std::time::Duration;

/// "0.4 ms", "12 ms", "1.3 s".
pub fn duration_text(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// How to draw the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// ANSI colours (a terminal, and NO_COLOR unset).
    pub colour: bool,
    /// Evidence for every rung, not only for warnings and failures.
    pub all_evidence: bool,
}

impl TableStyle {
    /// Colour when `is_terminal` and NO_COLOR is unset or empty (no-color.org).
    pub fn for_output(is_terminal: bool, all_evidence: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { colour: is_terminal && !no_color, all_evidence }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

fn status_cell(status: Status, style: &TableStyle) -> String {
    let (label, code) = match status {
        Status::Ok => ("ok", "32"),
        Status::Warn => ("warn", "33"),
        Status::Fail => ("FAIL", "1;31"),
        Status::Skipped => ("skip", "2"),
    };
    style.paint(code, &format!("{label:<5}"))
}

pub fn write_header(out: &mut dyn Write, target: &str) -> io::Result<()> {
    writeln!(out, "adsync check: {target}")
}

/// One rung: status, title, time, summary; then the fix and evidence when they matter.
pub fn write_step(out: &mut dyn Write, step: &Step, style: &TableStyle) -> io::Result<()> {
    let took = if step.status == Status::Skipped { String::new() } else { duration_text(step.elapsed) };
    writeln!(out, "  {} {:<14} {took:>8}  {}", status_cell(step.status, style), step.title, step.summary)?;
    if let Some(fix) = &step.fix {
        writeln!(out, "{:32}{} {fix}", "", style.paint("1", "fix:"))?;
    }
    if style.all_evidence || matches!(step.status, Status::Warn | Status::Fail) {
        for (label, value) in &step.evidence {
            writeln!(out, "{:32}{} {value}", "", style.paint("2", &format!("{label}:")))?;
        }
    }
    Ok(())
}

pub fn write_footer(out: &mut dyn Write, ladder: &Ladder) -> io::Result<()> {
    let count = |status| ladder.count(status);
    let verdict = if ladder.ok() { "OK" } else { "FAILED" };
    writeln!(
        out,
        "{verdict}: {} ok, {} warning(s), {} failed, {} skipped in {}",
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Skipped),
        duration_text(ladder.elapsed)
    )
}

pub fn write_table(out: &mut dyn Write, target: &str, ladder: &Ladder, style: &TableStyle) -> io::Result<()> {
    write_header(out, target)?;
    for step in &ladder.steps {
        write_step(out, step, style)?;
    }
    write_footer(out, ladder)
}

pub fn write_json(out: &mut dyn Write, ladder: &Ladder) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonLadder::from(ladder))?;
    writeln!(out)
}

/// Several sources' ladders: `{"ok":…,"sources":[{"source":name, …one ladder…}]}`.
pub fn write_json_sources(out: &mut dyn Write, ladders: &[(String, Ladder)]) -> io::Result<()> {
    let sources: Vec<NamedLadder<'_>> =
        ladders.iter().map(|(name, ladder)| NamedLadder { source: name, ladder: JsonLadder::from(ladder) }).collect();
    let ok = ladders.iter().all(|(_, l)| l.ok());
    serde_json::to_writer(&mut *out, &serde_json::json!({ "ok": ok, "sources": sources }))?;
    writeln!(out)
}

#[derive(serde::Serialize)]
struct NamedLadder<'a> {
    source: &'a str,
    #[serde(flatten)]
    ladder: JsonLadder<'a>,
}

#[derive(serde::Serialize)]
struct JsonLadder<'a> {
    ok: bool,
    elapsed_ms: f64,
    source_kind: &'static str,
    steps: Vec<JsonStep<'a>>,
}

#[derive(serde::Serialize)]
struct JsonStep<'a> {
    id: StepId,
    title: &'a str,
    status: Status,
    elapsed_ms: f64,
    summary: &'a str,
    evidence: Evidence<'a>,
    fix: Option<&'a str>,
}

/// Label/value pairs as a JSON object, in the order they were gathered.
struct Evidence<'a>(&'a [(String, String)]);

impl Serialize for Evidence<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

impl<'a> From<&'a Ladder> for JsonLadder<'a> {
    fn from(ladder: &'a Ladder) -> Self {
        let steps = ladder
            .steps
            .iter()
            .map(|s| JsonStep {
                id: s.id,
                title: s.title,
                status: s.status,
                elapsed_ms: millis(s.elapsed),
                summary: &s.summary,
                evidence: Evidence(&s.evidence),
                fix: s.fix.as_deref(),
            })
            .collect();
        JsonLadder {
            ok: ladder.ok(),
            elapsed_ms: millis(ladder.elapsed),
            source_kind: ladder.source_kind.name(),
            steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::Outcome;

    fn ladder() -> Ladder {
        let dns = Step::new(StepId::Dns, Outcome::ok("fine").with("A", "127.0.0.1"), Duration::from_micros(420));
        let tcp = Step::new(StepId::Tcp, Outcome::fail("refused", "start it"), Duration::from_millis(12));
        let tls = Step::new(StepId::Tls, Outcome::skipped("not run: TCP connect failed"), Duration::ZERO);
        Ladder {
            source_kind: crate::config::SourceKind::Ldap,
            steps: vec![dns, tcp, tls],
            elapsed: Duration::from_millis(13),
        }
    }

    #[test]
    fn json_has_the_documented_shape() {
        let mut out = Vec::new();
        write_json(&mut out, &ladder()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["ok"], false);
        assert_eq!(value["elapsed_ms"], 13.0);
        assert_eq!(value["source_kind"], "ldap");
        assert_eq!(value["steps"][0]["id"], "dns");
        assert_eq!(value["steps"][0]["elapsed_ms"], 0.4);
        assert_eq!(value["steps"][0]["evidence"]["A"], "127.0.0.1");
        assert_eq!(value["steps"][1]["status"], "fail");
        assert_eq!(value["steps"][1]["fix"], "Start it.");
        assert_eq!(value["steps"][2]["status"], "skipped");
        assert!(value["steps"][0]["fix"].is_null());
    }

    #[test]
    fn plain_table_shows_fixes_and_failure_evidence_only() {
        let mut out = Vec::new();
        write_table(&mut out, "ldap://x", &ladder(), &TableStyle::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\x1b'));
        assert!(text.contains("FAIL  TCP connect"), "{text}");
        assert!(text.contains("fix: Start it."), "{text}");
        assert!(!text.contains("A: 127.0.0.1"), "ok evidence is hidden: {text}");
        assert!(text.ends_with("FAILED: 1 ok, 0 warning(s), 1 failed, 1 skipped in 13 ms\n"), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let mut out = Vec::new();
        let style = TableStyle { colour: true, all_evidence: true };
        write_table(&mut out, "ldap://x", &ladder(), &style).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[1;31mFAIL"), "{text}");
        assert!(text.contains("127.0.0.1"), "all evidence: {text}");
    }
}
