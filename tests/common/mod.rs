//! Shared helpers for integration tests: the lab servers started by scripts/test.sh,
//! config files, the adsync binary, and a loopback TCP proxy that can cut a connection.
#![allow(dead_code)]

pub mod connect_proxy;
pub mod contract;
pub mod entries;
pub mod fake_service;
pub mod fault_proxy;
pub mod faults;
pub mod graph;
pub mod proxy;
pub mod receivers;
pub mod sync_setup;
pub mod tls_lab;
pub mod tmux;
pub mod truth;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// One lab directory server, from the environment scripts/test.sh exports.
#[derive(Clone, Debug)]
pub struct Lab {
    pub name: &'static str,
    pub uri: String,
    pub ldaps_uri: String,
    pub base_dn: String,
    pub bind_dn: String,
    pub bind_pw: String,
    pub cacert: String,
    pub truth: Option<String>,
}

impl Lab {
    fn from_env(prefix: &'static str) -> Option<Lab> {
        let var = |name: &str| std::env::var(format!("{prefix}_{name}")).ok();
        Some(Lab {
            name: prefix,
            uri: var("URI")?,
            ldaps_uri: var("LDAPS_URI")?,
            base_dn: var("BASE_DN")?,
            bind_dn: var("BIND_DN")?,
            bind_pw: var("BIND_PW")?,
            cacert: var("CACERT")?,
            truth: var("TRUTH"),
        })
    }

    pub fn var(&self, name: &str) -> String {
        std::env::var(format!("{}_{name}", self.name)).unwrap_or_else(|_| panic!("{}_{name} is not set", self.name))
    }

    /// A `[source]` table for this server. `url` picks ldaps / ldap+StartTLS / plain.
    pub fn source_toml(&self, transport: Transport) -> String {
        let (url, starttls) = match transport {
            Transport::Ldaps => (self.ldaps_uri.as_str(), false),
            Transport::StartTls => (self.uri.as_str(), true),
            Transport::Plain => (self.uri.as_str(), false),
        };
        format!(
            "[source]\nkind = \"ldap\"\nurl = \"{url}\"\nstarttls = {starttls}\nca_file = \"{}\"\n\
             bind_dn = \"{}\"\npassword_env = \"ADSYNC_TEST_BIND_PW\"\nbase_dn = \"{}\"\n",
            self.cacert, self.bind_dn, self.base_dn
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Ldaps,
    StartTls,
    Plain,
}

/// The lab server, or `None` (test skipped) when run outside scripts/test.sh.
/// Under scripts/test.sh (ADSYNC_LAB=1) a missing server is a failure, never a skip.
pub fn lab(prefix: &'static str) -> Option<Lab> {
    let found = Lab::from_env(prefix);
    if found.is_none() {
        assert!(
            std::env::var_os("ADSYNC_LAB").is_none(),
            "ADSYNC_LAB is set but the {prefix} lab server's variables are missing"
        );
        eprintln!("skipped: {prefix} lab server not running (run scripts/test.sh)");
    }
    found
}

pub fn slapd() -> Option<Lab> {
    lab("SLAPD")
}

pub fn samba() -> Option<Lab> {
    lab("SAMBA")
}

/// Writes `text` as a config file in a fresh temp dir (kept alive by the returned guard).
pub fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("adsync.toml");
    std::fs::write(&path, text).expect("write config");
    (dir, path)
}

/// The adsync binary as a plain process, with a clean environment for config lookup and
/// `--config` given; the service password the fake service takes is in `ADSYNC_TEST_API_PW`.
pub fn adsync_process(config: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("adsync"));
    cmd.env_remove("ADSYNC_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
        .env("ADSYNC_TEST_API_PW", fake_service::PASSWORD)
        .arg("--config")
        .arg(config);
    cmd
}

/// The adsync binary with a clean environment for config lookup.
pub fn adsync(config: &Path, password: &str) -> Command {
    let mut cmd = Command::cargo_bin("adsync").expect("binary");
    cmd.env_remove("ADSYNC_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
        .env("ADSYNC_TEST_BIND_PW", password)
        .arg("--config")
        .arg(config);
    cmd
}

/// What a run printed and how it ended.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut cmd: Command) -> Outcome {
    let out = cmd.timeout(std::time::Duration::from_secs(120)).output().expect("run adsync");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A failure must be a clean one-paragraph error: no panic, no backtrace, no secret.
pub fn assert_clean_failure(out: &Outcome, code: i32, layer: &str, secret: &str) {
    assert_eq!(out.code, code, "exit code; stderr: {}", out.stderr);
    assert!(out.stderr.contains(layer), "expected layer {layer:?} in: {}", out.stderr);
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "Location:"] {
        assert!(!out.stderr.contains(bad), "{bad:?} in stderr: {}", out.stderr);
    }
    if !secret.is_empty() {
        assert!(!out.stderr.contains(secret) && !out.stdout.contains(secret), "secret leaked");
    }
}
