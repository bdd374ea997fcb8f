//! A sync set-up for end-to-end tests: a lab directory, the loopback fake of the service,
//! and a config in a temp dir that points adsync at both.

use super::fake_service::{ADMIN, DOMAIN, FakeService, Mode};
use super::{Lab, Outcome, Transport, run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

pub struct Setup {
    pub lab: Lab,
    pub fake: FakeService,
    pub dir: tempfile::TempDir,
    /// Extra `[source]` / `[sync]` lines.
    pub source_extra: String,
    pub sync_extra: String,
    /// Tables after `[target]`, e.g. `[notify]`.
    pub tables_extra: String,
}

impl Setup {
    /// Against the lenient fake.
    pub fn new(lab: Lab) -> Self {
        Self::in_mode(lab, Mode::Lenient)
    }

    /// Against the fake in `mode` (strict: PUT replaces the whole user).
    pub fn in_mode(lab: Lab, mode: Mode) -> Self {
        Self {
            lab,
            fake: FakeService::start_in(mode),
            dir: tempfile::tempdir().unwrap(),
            source_extra: String::new(),
            sync_extra: String::new(),
            tables_extra: String::new(),
        }
    }

    pub fn config(&self) -> PathBuf {
        let text = format!(
            "state_dir = \"{}\"\n{}{}\n[sync]\ndelete = true\ndisabled_users = true\n{}\n\
             [target]\nkind = \"essentials\"\napi_url = \"{}\"\ndomain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\n\
             password_env = \"ADSYNC_TEST_API_PW\"\nmax_in_flight = 4\nrequest_timeout = \"5s\"\n{}",
            self.dir.path().join("state").display(),
            self.lab.source_toml(Transport::Ldaps),
            self.source_extra,
            self.sync_extra,
            self.fake.base_url(),
            self.tables_extra,
        );
        let path = self.dir.path().join("adsync.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = super::adsync_process(&self.config());
        cmd.env("ADSYNC_TEST_BIND_PW", &self.lab.bind_pw).args(args);
        cmd
    }

    pub fn adsync(&self, args: &[&str]) -> Outcome {
        run(assert_cmd::Command::from_std(self.command(args)))
    }

    pub fn writes(&self) -> Vec<String> {
        self.fake.requests().into_iter().filter(|r| r.method != "GET").map(|r| r.line()).collect()
    }

    /// `n` accounts in the service that the directory no longer has, remembered as managed
    /// (so `delete_scope = "managed"` covers them): a sync plans `n` deletes. Needs a state
    /// file, i.e. a sync before.
    pub fn seed_stale_managed(&self, n: usize) {
        let stale: Vec<Value> = (0..n)
            .map(|k| serde_json::json!({"primary_email": format!("stale{k}@example.com"), "type": "silent_user"}))
            .collect();
        self.fake.seed(DOMAIN, stale);
        let state_file = self.dir.path().join("state").join("managed.json");
        let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
        for k in 0..n {
            state["accounts"][format!("stale{k}@example.com")] = Value::Null;
        }
        std::fs::write(&state_file, state.to_string()).unwrap();
    }

    pub fn emails(&self) -> BTreeSet<String> {
        self.fake.users(DOMAIN).iter().map(|u| u["primary_email"].as_str().unwrap().to_lowercase()).collect()
    }
}

pub fn json(out: &Outcome) -> Value {
    serde_json::from_str(out.stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr))
}

/// Users the directory will sync now: enabled, mail-enabled, not hidden, not conflicted.
pub fn planned_creates(setup: &Setup) -> usize {
    let out = setup.adsync(&["plan", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out)["counts"]["create"].as_u64().unwrap() as usize
}
