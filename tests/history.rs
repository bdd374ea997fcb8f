//! The run history end to end, against the real slapd and the loopback fake of the service:
//! every run is recorded with its counts, a blocked and a failed run with the guard and the
//! error, and `history show` prints an apply's journal and a dry run's pending changes.

mod common;

use common::sync_setup::{Setup, json, planned_creates};
use common::{Outcome, run};
use serde_json::Value;

/// 9598 as the reports write it: 9,598.
fn grouped(n: usize) -> String {
    adsync::report::thousands(n as u64)
}

fn history(setup: &Setup) -> Vec<Value> {
    let out = setup.adsync(&["history", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out).as_array().cloned().unwrap_or_default()
}

#[test]
fn a_sync_is_one_run_with_its_creates_and_show_prints_its_journal() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    let creates = planned_creates(&setup);
    let out = setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let runs = history(&setup);
    assert_eq!(runs.len(), 2, "the dry run of planned_creates and the sync: {runs:#?}");
    let last = &runs[0];
    assert_eq!((last["mode"].as_str(), last["outcome"].as_str()), (Some("apply"), Some("applied")));
    assert_eq!(last["plan"]["create"].as_u64(), Some(creates as u64));
    assert_eq!(last["apply"]["applied"].as_u64(), Some(creates as u64));
    assert_eq!((last["trigger"].as_str(), last["exit_code"].as_u64()), (Some("cli"), Some(0)));
    assert!(last["read"]["entries"].as_u64().unwrap() > creates as u64, "{last}");
    assert_eq!(runs[1]["outcome"].as_str(), Some("planned"));

    let out = setup.adsync(&["history", "show", "last"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(&format!("Changes ({}):", grouped(creates))), "{}", out.stdout);
    let done = out.stdout.lines().filter(|l| l.trim_start().starts_with("+ done")).count();
    assert_eq!(done, creates, "{}", out.stdout);
    let table = setup.adsync(&["history"]);
    assert!(
        table.stdout.contains(last["run"].as_str().unwrap()) && table.stdout.contains("applied"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_dry_run_keeps_its_pending_changes_for_show() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    let creates = planned_creates(&setup);
    let out = setup.adsync(&["history", "show", "last"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(&format!("Pending changes ({}), none applied:", grouped(creates))), "{}", out.stdout);
    assert!(out.stdout.contains("new in the directory"), "{}", out.stdout);
    let out = setup.adsync(&["history", "show", "last", "--json"]);
    let doc = json(&out);
    assert_eq!(doc["changes"]["kind"].as_str(), Some("pending"));
    assert_eq!(doc["changes"]["total"].as_u64(), Some(creates as u64));
}

#[test]
fn a_blocked_run_is_recorded_with_its_guard() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    setup.adsync(&["sync", "--apply"]);
    setup.seed_stale_managed(30);
    let out = setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let last = history(&setup)[0].clone();
    assert_eq!((last["mode"].as_str(), last["outcome"].as_str()), (Some("apply"), Some("blocked")));
    assert_eq!(last["exit_code"].as_u64(), Some(3));
    assert_eq!(last["guards"][0]["guard"].as_str(), Some("max_deletes"));
    assert!(last["guards"][0]["message"].as_str().unwrap().contains("30 deletes planned"), "{last}");
    assert!(last["journal"].is_null(), "nothing was applied: {last}");
}

#[test]
fn a_failed_run_is_recorded_with_its_error_and_never_a_password() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    let mut command = setup.command(&["sync", "--apply"]);
    command.env("ADSYNC_TEST_API_PW", "not-the-password");
    let out: Outcome = run(assert_cmd::Command::from_std(command));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let last = history(&setup)[0].clone();
    assert_eq!((last["outcome"].as_str(), last["exit_code"].as_u64()), (Some("failed"), Some(1)));
    let error = last["error"].as_str().unwrap();
    assert!(error.contains("401") || error.to_lowercase().contains("password"), "{error}");
    let file = std::fs::read_to_string(setup.dir.path().join("state").join("history.jsonl")).unwrap();
    for secret in ["not-the-password", common::fake_service::PASSWORD, setup.lab.bind_pw.as_str()] {
        assert!(!file.contains(secret), "a password in the history");
    }
}

#[test]
fn history_show_names_an_unknown_run() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    let out = setup.adsync(&["history", "show", "19990101"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no run 19990101"), "{}", out.stderr);
    let out = setup.adsync(&["history"]);
    assert!(out.stdout.contains("No runs recorded yet"), "{}", out.stdout);
}
