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
    let verified = adsync::report::thousands(creates as u64);
    let expected = format!(
        "{creates} to create, 0 to update, 0 to delete; applied {creates}, failed 0; verified {verified} of {verified}"
    );
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

/// A running `adsync schedule` and its stdout, a line at a time.
struct Running {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(mut command: std::process::Command) -> Self {
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let (sender, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Self { child, lines }
    }

    fn next_line(&self, within: Duration) -> String {
        self.lines.recv_timeout(within).expect("the schedule says what it does")
    }

    /// SIGTERM, as a service manager stops it; the exit code, within a bound.
    fn terminate(mut self) -> (Option<i32>, Vec<String>) {
        let term = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(term.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "SIGTERM did not stop the schedule");
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest = std::iter::from_fn(|| self.lines.recv_timeout(Duration::from_secs(5)).ok()).collect();
        (status.code(), rest)
    }
}

/// The slot a "next run at …" line names.
fn slot(line: &str) -> jiff::Timestamp {
    assert!(line.contains("next run at "), "{line}");
    line.split("next run at ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_schedule_waits_for_its_slot_and_sigterm_stops_it_cleanly() {
    let Some(lab) = common::slapd() else { return };
    let setup = scheduled(lab, true);
    let running = Running::start(setup.command(&["schedule"]));
    let first = running.next_line(Duration::from_secs(20));
    assert!(first.contains("every 1 h"), "{first}");
    let due = slot(&first);
    assert!(due > jiff::Timestamp::now(), "the first run waits for its slot: {first}");
    assert_eq!(due.as_second() % 1800, 0, "slots are on the service's half hour: {first}");
    let (code, rest) = running.terminate();
    assert_eq!(code, Some(0));
    assert!(rest.last().is_some_and(|l| l.ends_with("schedule stopped")), "{rest:?}");
    assert!(setup.fake.requests().is_empty(), "nothing ran before the slot");
}

#[test]
fn a_failed_run_is_reported_and_the_schedule_goes_on() {
    let Some(lab) = common::slapd() else { return };
    let setup = scheduled(lab, true);
    let mut command = setup.command(&["schedule", "--now"]);
    command.env("ADSYNC_TEST_API_PW", "not-the-password");
    let running = Running::start(command);
    running.next_line(Duration::from_secs(20)); // the first run: now
    let failed = running.next_line(Duration::from_secs(60));
    assert!(failed.contains(" run 1: failed: "), "{failed}");
    assert!(!failed.contains("not-the-password"), "no secret in the log: {failed}");
    let next = slot(&running.next_line(Duration::from_secs(20)));
    assert!(next > jiff::Timestamp::now(), "the next slot is still to come");
    let (code, _) = running.terminate();
    assert_eq!(code, Some(0), "a stop by SIGTERM is not a failure");
    assert!(setup.writes().is_empty(), "{:?}", setup.writes());
}
