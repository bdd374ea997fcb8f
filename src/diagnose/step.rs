//! One rung of the ladder: what was checked, how it went, the evidence and the fix.

use crate::source::SourceError;
use crate::source::ldap::error::LdapFailure;
use serde::Serialize;
use std::time::Duration;

/// The rungs of each kind of source, in the order they run. Each needs the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepId {
    Dns,
    Tcp,
    Starttls,
    Tls,
    Rootdse,
    Bind,
    BaseDn,
    Sample,
    Rights,
    AuthorityDns,
    AuthorityTcp,
    AuthorityTls,
    Token,
    GraphDns,
    GraphTcp,
    GraphTls,
    Permissions,
    FirstPage,
    #[serde(rename = "file")]
    CsvFile,
    #[serde(rename = "encoding")]
    CsvEncoding,
    #[serde(rename = "rows")]
    CsvRows,
}

impl StepId {
    /// The LDAP ladder.
    pub const ALL: [StepId; 9] = [
        StepId::Dns,
        StepId::Tcp,
        StepId::Starttls,
        StepId::Tls,
        StepId::Rootdse,
        StepId::Bind,
        StepId::BaseDn,
        StepId::Sample,
        StepId::Rights,
    ];

    /// The Entra ID ladder: the sign-in host, the token, then the Graph host and what the
    /// app may read there.
    pub const GRAPH: [StepId; 9] = [
        StepId::AuthorityDns,
        StepId::AuthorityTcp,
        StepId::AuthorityTls,
        StepId::Token,
        StepId::GraphDns,
        StepId::GraphTcp,
        StepId::GraphTls,
        StepId::Permissions,
        StepId::FirstPage,
    ];

    /// The CSV ladder: the file, its encoding, then its rows.
    pub const CSV: [StepId; 3] = [StepId::CsvFile, StepId::CsvEncoding, StepId::CsvRows];

    /// The rungs of a kind of source's ladder.
    pub fn ladder(kind: crate::config::SourceKind) -> &'static [StepId] {
        match kind {
            crate::config::SourceKind::Ldap => &StepId::ALL,
            crate::config::SourceKind::Graph => &StepId::GRAPH,
            crate::config::SourceKind::Csv => &StepId::CSV,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            StepId::Dns => "DNS",
            StepId::Tcp => "TCP connect",
            StepId::Starttls => "StartTLS",
            StepId::Tls => "TLS handshake",
            StepId::Rootdse => "rootDSE",
            StepId::Bind => "Bind",
            StepId::BaseDn => "Base DN",
            StepId::Sample => "Sample search",
            StepId::Rights => "Read rights",
            StepId::AuthorityDns => "Sign-in DNS",
            StepId::AuthorityTcp => "Sign-in TCP",
            StepId::AuthorityTls => "Sign-in TLS",
            StepId::Token => "Token",
            StepId::GraphDns => "Graph DNS",
            StepId::GraphTcp => "Graph TCP",
            StepId::GraphTls => "Graph TLS",
            StepId::Permissions => "Permissions",
            StepId::FirstPage => "First page",
            StepId::CsvFile => "File",
            StepId::CsvEncoding => "Encoding",
            StepId::CsvRows => "Rows",
        }
    }

    /// The stable name used in `check --json`.
    pub fn name(self) -> &'static str {
        match self {
            StepId::Dns => "dns",
            StepId::Tcp => "tcp",
            StepId::Starttls => "starttls",
            StepId::Tls => "tls",
            StepId::Rootdse => "rootdse",
            StepId::Bind => "bind",
            StepId::BaseDn => "base_dn",
            StepId::Sample => "sample",
            StepId::Rights => "rights",
            StepId::AuthorityDns => "authority_dns",
            StepId::AuthorityTcp => "authority_tcp",
            StepId::AuthorityTls => "authority_tls",
            StepId::Token => "token",
            StepId::GraphDns => "graph_dns",
            StepId::GraphTcp => "graph_tcp",
            StepId::GraphTls => "graph_tls",
            StepId::Permissions => "permissions",
            StepId::FirstPage => "first_page",
            StepId::CsvFile => "file",
            StepId::CsvEncoding => "encoding",
            StepId::CsvRows => "rows",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// Works, but something deserves attention; the ladder goes on.
    Warn,
    /// Broken; every later rung is skipped.
    Fail,
    /// Not run: not applicable, or an earlier rung failed (the summary says which).
    Skipped,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skipped => "skipped",
        }
    }
}

/// A finished rung.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub id: StepId,
    pub title: &'static str,
    pub status: Status,
    pub elapsed: Duration,
    /// One line.
    pub summary: String,
    /// What was seen, in order, as label/value pairs (labels are unique within a step).
    pub evidence: Vec<(String, String)>,
    pub fix: Option<String>,
}

impl Step {
    pub fn new(id: StepId, outcome: Outcome, elapsed: Duration) -> Self {
        Self {
            id,
            title: id.title(),
            status: outcome.status,
            elapsed,
            summary: outcome.summary,
            evidence: outcome.evidence,
            fix: outcome.fix,
        }
    }
}

/// What a rung reports; the ladder adds the id, the title and the timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<(String, String)>,
    pub fix: Option<String>,
}

impl Outcome {
    fn with_status(status: Status, summary: impl Into<String>, fix: Option<String>) -> Self {
        Self { status, summary: summary.into(), evidence: Vec::new(), fix }
    }

    pub fn ok(summary: impl Into<String>) -> Self {
        Self::with_status(Status::Ok, summary, None)
    }

    pub fn warn(summary: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::with_status(Status::Warn, summary, Some(sentence(fix.into())))
    }

    pub fn fail(summary: impl Into<String>, fix: impl Into<String>) -> Self {
        let fix = fix.into();
        let fix = if fix.is_empty() { None } else { Some(sentence(fix)) };
        Self::with_status(Status::Fail, summary, fix)
    }

    pub fn skipped(reason: impl Into<String>) -> Self {
        Self::with_status(Status::Skipped, reason, None)
    }

    /// A failure explained the way the rest of adsync explains it: layer and what, then the fix.
    pub fn failed(err: &SourceError) -> Self {
        match err {
            SourceError::Ldap(failure) => Self::from_failure(failure, Status::Fail),
            other => Self::fail(other.to_string(), ""),
        }
    }

    pub fn from_failure(failure: &LdapFailure, status: Status) -> Self {
        let fix = failure.fix();
        let fix = if fix.is_empty() { None } else { Some(sentence(fix)) };
        Self::with_status(status, without_layer(&failure.what()), fix)
    }

    pub fn with(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push((label.into(), value.into()));
        self
    }

    pub fn with_all(mut self, evidence: Vec<(String, String)>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// Raises the status to `warn` (never lowers a failure) and adds a fix line.
    pub fn warned(mut self, summary: &str, fix: &str) -> Self {
        if self.status == Status::Ok {
            self.status = Status::Warn;
            self.summary = summary.to_string();
        } else {
            self.summary = format!("{}; {summary}", self.summary);
        }
        let fix = sentence(fix.to_string());
        self.fix = Some(match self.fix.take() {
            Some(before) => format!("{before} {fix}"),
            None => fix,
        });
        self
    }
}

/// The layers [`LdapFailure`] messages start with.
const LAYERS: [&str; 9] = ["DNS", "TCP", "TLS", "StartTLS", "Bind", "Search", "Base DN", "Connection", "Protocol"];

/// The step's title names the layer already: "TCP: x refused" → "x refused".
fn without_layer(what: &str) -> String {
    match what.split_once(": ") {
        Some((layer, rest)) if LAYERS.contains(&layer) => rest.to_string(),
        _ => what.to_string(),
    }
}

/// Capitalised, with a full stop.
fn sentence(text: String) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return text,
    };
    if !out.ends_with(['.', '?', '!', ')']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_lose_their_layer_prefix_and_keep_the_fix() {
        let failure = LdapFailure::Refused { addr: "10.0.0.5:636".into(), port: 636 };
        let outcome = Outcome::from_failure(&failure, Status::Fail);
        assert_eq!(outcome.summary, "10.0.0.5:636 refused the connection.");
        assert!(outcome.fix.unwrap().starts_with("Nothing listens on port 636"));
        let base = LdapFailure::NoSuchBase { base: "ou=x".into(), text: "t".into(), hint: "dc=y".into() };
        assert!(Outcome::from_failure(&base, Status::Fail).summary.starts_with("\"ou=x\" does not exist"));
    }

    #[test]
    fn warned_keeps_a_failure_and_joins_fixes() {
        let outcome = Outcome::ok("fine").warned("expires soon", "renew it");
        assert_eq!((outcome.status, outcome.fix.as_deref()), (Status::Warn, Some("Renew it.")));
        let outcome = Outcome::fail("broken", "repair it").warned("and expires soon", "renew it");
        assert_eq!(outcome.status, Status::Fail);
        assert_eq!(outcome.fix.as_deref(), Some("Repair it. Renew it."));
    }

    #[test]
    fn ids_have_stable_names() {
        let names: Vec<&str> = StepId::ALL.iter().map(|id| id.name()).collect();
        assert_eq!(names, ["dns", "tcp", "starttls", "tls", "rootdse", "bind", "base_dn", "sample", "rights"]);
        assert_eq!(serde_json::to_string(&StepId::BaseDn).unwrap(), "\"base_dn\"");
        let graph: Vec<&str> = StepId::GRAPH.iter().map(|id| id.name()).collect();
        assert_eq!(
            graph,
            [
                "authority_dns",
                "authority_tcp",
                "authority_tls",
                "token",
                "graph_dns",
                "graph_tcp",
                "graph_tls",
                "permissions",
                "first_page"
            ]
        );
        for id in StepId::GRAPH {
            assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{}\"", id.name()));
        }
    }
}
