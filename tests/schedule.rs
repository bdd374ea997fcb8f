//! `adsync schedule` end to end, against the real slapd and the loopback fake of the
//! service: a run applies only with auto_apply and only past the guards, says what it did in
//! one line, and the schedule waits for its slot until SIGTERM stops it.

mod common;

use common::sync_setup::{Setup, planned_creates};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn scheduled(lab: common::Lab, auto_apply: bool) -> Setup {
    let mut setup = Setup::new(lab);
    setup.sync_extra = format!("frequency = \"1h\"\nauto_apply = {auto_apply}\n");
    setup
}

/// The line a run printed about itself.
fn run_line(stdout: &str) -> &str {
    stdout.lines().find(|l| l.contains(" run 1: ")).unwrap_or_else(|| panic!("no run line in:\n{stdout}"))
}

#[test]
fn a_run_with_auto_apply_creates_everyone_and_the_next_finds_nothing_to_do() {
    let Some(lab) = common::slapd() else { return };
    let setup = scheduled(lab, true);
    let creates = planned_creates(&setup);
    let out = setup.adsync(&["schedule", "--now", "--runs", "1"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let expected = format!("{creates} to create, 0 to update, 0 to delete; applied {creates}, failed 0");
    assert!(run_line(&out.stdout).ends_with(&expected), "{}", out.stdout);
    assert_eq!(setup.emails().len(), creates);
    assert!(out.stdout.lines().last().unwrap().ends_with("schedule stopped"), "{}", out.stdout);

    setup.fake.clear_requests();
    let out = setup.adsync(&["schedule", "--now", "--runs", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(run_line(&out.stdout).ends_with("in sync, nothing to change"), "{}", out.stdout);
    assert!(setup.writes().is_empty(), "{:?}", setup.writes());
}

#[test]
fn without_auto_apply_a_run_only_says_what_waits_for_review() {
    let Some(lab) = common::slapd() else { return };
    let setup = scheduled(lab, false);
    let creates = planned_creates(&setup);
    setup.fake.clear_requests();
    let out = setup.adsync(&["schedule", "--now", "--runs", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = run_line(&out.stdout);
    assert!(line.contains(&format!("{creates} to create")) && line.contains("sync.auto_apply is off"), "{line}");
    assert!(setup.writes().is_empty(), "{:?}", setup.writes());
}

#[test]
fn a_run_the_guards_block_applies_nothing_and_says_which_guard() {
    let Some(lab) = common::slapd() else { return };
    let setup = scheduled(lab, true);
    setup.adsync(&["sync", "--apply"]);
    setup.seed_stale_managed(30);
    setup.fake.clear_requests();
    let out = setup.adsync(&["schedule", "--now", "--runs", "1"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let line = run_line(&out.stdout);
    assert!(
        line.contains("30 to delete; blocked, nothing applied: sync.guards.max_deletes: 30 deletes planned"),
        "{line}"
    );
    assert!(setup.writes().is_empty(), "{:?}", setup.writes());
}

#[test]
fn a_schedule_that_is_off_is_a_config_error_naming_the_key_and_the_file() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    let out = setup.adsync(&["schedule"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let config = setup.config();
    assert!(
        out.stderr.contains(&format!("{}: sync.frequency is \"off\"", config.display()))
            && out.stderr.contains("\"1h\""),
        "{}",
        out.stderr
    );
    assert!(setup.fake.requests().is_empty());
}

#[test]
fn the_schedule_waits_for_its_slot_and_sigterm_stops_it_cleanly() {
    let Some(lab) = common::slapd() else { return };
    let setup = scheduled(lab, true);
    let mut child = setup.command(&["schedule"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let (lines, received) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let first = received.recv_timeout(Duration::from_secs(20)).expect("the schedule says when it runs");
    assert!(first.contains("next run at ") && first.contains("every 1 h"), "{first}");
    let due: jiff::Timestamp = first.split("next run at ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(due > jiff::Timestamp::now(), "the first run waits for its slot: {first}");
    assert_eq!(due.as_second() % 1800, 0, "slots are on the service's half hour: {first}");

    let term = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "SIGTERM did not stop the schedule");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let last = received.recv_timeout(Duration::from_secs(5)).expect("a last line");
    assert!(last.ends_with("schedule stopped"), "{last}");
    assert!(setup.fake.requests().is_empty(), "nothing ran before the slot");
}
