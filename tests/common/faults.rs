//! The fault matrix's set-up (tests/faults_*.rs): a directory (the read-write slapd on plain
//! `ldap://`, or the Graph look-alike) and the service's fake, each behind a [`FaultProxy`],
//! with short timeouts so that a stalled or trickling step fails in about a second; and the
//! checks every case makes: the run failed cleanly and said where, nothing was written, and
//! a run after it converges with each write made once.

use super::fake_service::{ADMIN, DOMAIN, FakeService, PASSWORD};
use super::fault_proxy::{Fault, FaultProxy, Step};
use super::graph::{GraphLab, SECRET_ENV};
use super::proxy::socket_of;
use super::{Lab, Outcome, run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The directory's pages: the read-write slapd's users are read in three of them.
pub const PAGE_SIZE: usize = 120;
/// A case's run, failure included, stays under this.
pub const CASE_LIMIT: Duration = Duration::from_secs(8);

pub struct Rig {
    pub fake: FakeService,
    pub service: FaultProxy,
    /// The proxy in front of the directory (none for the Graph look-alike, which breaks its
    /// own answers).
    pub directory: Option<FaultProxy>,
    pub dir: tempfile::TempDir,
    /// The `[source]` table, pointing through `directory`.
    source: String,
    /// Extra environment for the runs (the directory's password).
    env: Vec<(String, String)>,
    /// Extra `[sync]` lines.
    sync: String,
}

impl Rig {
    /// The read-write slapd on plain `ldap://` behind a proxy.
    pub fn ldap(lab: &Lab) -> Self {
        let directory = FaultProxy::start(socket_of(&lab.uri));
        let source = format!(
            "[source]\nkind = \"ldap\"\nurl = \"ldap://{}\"\nstarttls = false\nbind_dn = \"{}\"\n\
             password_env = \"ADSYNC_TEST_BIND_PW\"\nbase_dn = \"{}\"\npage_size = {PAGE_SIZE}\n\
             connect_timeout = \"1s\"\nop_timeout = \"1s\"\n",
            directory.addr, lab.bind_dn, lab.base_dn
        );
        Self::around(Some(directory), source, vec![("ADSYNC_TEST_BIND_PW".into(), lab.bind_pw.clone())])
    }

    /// Any directory: `source` is its `[source]` table, `env` what its secret needs.
    pub fn around(directory: Option<FaultProxy>, source: String, env: Vec<(String, String)>) -> Self {
        let fake = FakeService::start();
        let service = FaultProxy::start(fake.addr);
        Self { fake, service, directory, dir: tempfile::tempdir().unwrap(), source, env, sync: String::new() }
    }

    /// The Graph look-alike (its users in pages of a hundred), read with one-second timeouts.
    pub fn graph(lab: &GraphLab) -> Self {
        let toml = lab.source_toml(&format!("client_secret_env = \"{SECRET_ENV}\""), "connect_timeout = \"1s\"\n");
        let source = toml
            .split_once("\n\n")
            .expect("state_dir, then [source]")
            .1
            .replace("op_timeout = \"10s\"", "op_timeout = \"1s\"");
        let secret = adsync::demo::graph::CLIENT_SECRET.to_string();
        Self::around(None, source, vec![(SECRET_ENV.into(), secret)])
    }

    /// The same rig with `[sync]` lines added and the directory's answers awaited for
    /// `op_timeout`: a stalled read that only a stop ends.
    pub fn waiting(mut self, op_timeout: &str, sync: &str) -> Self {
        self.source = self.source.replace("op_timeout = \"1s\"", &format!("op_timeout = \"{op_timeout}\""));
        self.sync = sync.into();
        self
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn config(&self) -> PathBuf {
        let api_url = self.fake.base_url().replace(&self.fake.addr.to_string(), &self.service.addr.to_string());
        let text = format!(
            "state_dir = \"{}\"\n{}\n[sync]\ndelete = true\n{}\n[target]\nkind = \"essentials\"\napi_url = \"{api_url}\"\n\
             domain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\npassword_env = \"ADSYNC_TEST_API_PW\"\nmax_in_flight = 4\n\
             request_timeout = \"1s\"\n",
            self.state_dir().display(),
            self.source,
            self.sync,
        );
        let path = self.dir.path().join("adsync.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = super::adsync_process(&self.config());
        cmd.envs(self.env.iter().map(|(k, v)| (k, v))).args(args);
        cmd
    }

    /// `adsync` as a terminal command line (for tmux), with the rig's environment.
    pub fn command_line(&self) -> (String, Vec<(String, String)>) {
        let bin = assert_cmd::cargo::cargo_bin("adsync");
        let mut env = self.env.clone();
        env.push(("ADSYNC_TEST_API_PW".into(), PASSWORD.into()));
        (format!("{} --config {}", bin.display(), self.config().display()), env)
    }

    pub fn adsync(&self, args: &[&str]) -> Outcome {
        run(assert_cmd::Command::from_std(self.command(args)))
    }

    /// The writes the fake received, as `METHOD path` lines, a create with its address.
    pub fn writes(&self) -> Vec<String> {
        self.writes_where(|_| true)
    }

    /// The writes the fake made (answered 2xx).
    pub fn made(&self) -> Vec<String> {
        self.writes_where(|status| (200..300).contains(&status))
    }

    fn writes_where(&self, status: impl Fn(u16) -> bool) -> Vec<String> {
        let requests = self.fake.requests().into_iter().filter(|r| r.method != "GET" && status(r.status));
        requests
            .map(|r| match r.body.as_ref().and_then(|b| b["primary_email"].as_str()).filter(|_| r.method == "POST") {
                Some(email) => format!("{} {}", r.line(), email.to_lowercase()),
                None => r.line(),
            })
            .collect()
    }

    /// `sync --apply` with `fault` armed at `step` on the directory's proxy: see
    /// [`Rig::fails_cleanly`].
    pub fn fails_at(&self, step: Step, fault: Fault, place: &str) -> Outcome {
        let proxy = self.directory.as_ref().expect("a proxy in front of the directory");
        proxy.arm(Some((step.clone(), fault)));
        let out = self.fails_cleanly(&format!("{fault:?} at {step:?}"), place);
        assert!(proxy.fired(), "{fault:?} at {step:?}: the fault never struck");
        proxy.arm(None);
        out
    }

    /// `sync --apply`, a fault armed: it fails within [`CASE_LIMIT`] with exit 1 and an
    /// error holding `place`, and nothing was written.
    pub fn fails_cleanly(&self, case: &str, place: &str) -> Outcome {
        let started = Instant::now();
        let out = self.adsync(&["sync", "--apply"]);
        let took = started.elapsed();
        assert_eq!(out.code, 1, "{case}: exit code; stdout {}\nstderr {}", out.stdout, out.stderr);
        assert!(out.stderr.contains(place), "{case}: the error does not say {place:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{case}: {}", out.stderr);
        assert!(took < CASE_LIMIT, "{case}: took {took:?}");
        assert!(self.writes().is_empty(), "{case}: a partial read was planned: {:?}", self.writes());
        out
    }
}

/// A clean run after a fault: every write made once, one journaled outcome each, and a run
/// after that writes nothing.
pub fn converges(rig: &Rig, case: &str, at_least: usize) {
    let out = rig.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 0, "{case}: {}", out.stderr);
    let made = rig.made();
    assert!(made.len() >= at_least, "{case}: everyone is created: {}", made.len());
    each_write_once(&made);
    assert_eq!(journaled(&rig.state_dir(), "done").len(), made.len(), "{case}: one journaled outcome per write");
    let again = rig.adsync(&["sync", "--apply"]);
    assert_eq!(again.code, 0, "{case}: {}", again.stderr);
    assert_eq!(rig.writes().len(), made.len(), "{case}: a converged run writes nothing");
}

/// Every write in the fake's log made once: no address created, updated or deleted twice.
pub fn each_write_once(writes: &[String]) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for w in writes {
        *counts.entry(w.as_str()).or_default() += 1;
    }
    let doubled: Vec<_> = counts.into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(doubled.is_empty(), "writes made twice: {doubled:?}");
}

/// The journals' records of `step` (`done`, `failed`, …), as `(action, email)`.
pub fn journaled(state_dir: &std::path::Path, step: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(state_dir.join("journal")) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let record: Value = serde_json::from_str(line).unwrap();
            if record["step"] == step {
                let email = record["new_email"].as_str().or(record["email"].as_str()).unwrap_or_default();
                found.push((record["action"].as_str().unwrap_or_default().to_string(), email.to_lowercase()));
            }
        }
    }
    found
}
