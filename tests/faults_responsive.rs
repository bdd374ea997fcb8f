//! A stalled read never holds adsync hostage: `adsync schedule` stops within a second of
//! SIGTERM, and the terminal app's Esc and q act within a second, while the directory
//! (the read-write slapd behind a proxy) has stopped answering in the middle of a page.

mod common;

use common::fault_proxy::{Fault, SEARCH_DONE, Step};
use common::faults::Rig;
use common::tmux::Tmux;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

const PROMPT: Duration = Duration::from_secs(1);
/// How long the proxy waits before the fault has surely struck.
const WAIT: Duration = Duration::from_secs(20);

/// The rig, its read's answers awaited until something stops it.
fn waiting(lab: &common::Lab, sync: &str) -> Rig {
    Rig::ldap(lab).waiting("5m", sync)
}

/// Stalls the next read at the end of its first page, counting from now: a read's rootDSE
/// read is one search done, its first page the next.
fn stall_first_page(rig: &Rig) {
    rig.directory.as_ref().unwrap().arm(Some((Step::Ldap { tag: SEARCH_DONE, nth: 2 }, Fault::Stall)));
}

fn wait_for(what: &str, check: impl Fn() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < WAIT, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_stops_a_schedule_whose_read_is_stalled_within_a_second() {
    let Some(lab) = common::lab("RW") else { return };
    let rig = waiting(&lab, "frequency = \"1h\"\nauto_apply = true\n");
    stall_first_page(&rig);
    let mut child = rig.command(&["schedule", "--now"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reader = std::thread::spawn(move || stdout.lines().map_while(Result::ok).collect::<Vec<_>>());
    wait_for("the read to stall", || rig.directory.as_ref().unwrap().fired());
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the schedule waits on the stalled read");
    let term = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < WAIT, "SIGTERM did not stop the schedule");
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = signalled.elapsed();
    assert!(took < PROMPT, "the schedule took {took:?} to stop");
    assert_eq!(status.code(), Some(0), "a stop by SIGTERM is not a failure");
    let lines = reader.join().unwrap();
    assert!(lines.last().is_some_and(|l| l.ends_with("schedule stopped")), "{lines:?}");
    assert!(rig.writes().is_empty(), "{:?}", rig.writes());
}

#[test]
fn esc_and_q_act_within_a_second_while_the_read_is_stalled() {
    let Some(lab) = common::lab("RW") else { return };
    let rig = waiting(&lab, "");
    let (command, env) = rig.command_line();
    let home = rig.dir.path().display().to_string();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.extend([("HOME", home.as_str()), ("XDG_CONFIG_HOME", home.as_str())]);
    let Some(t) = Tmux::start(&command, 120, 40, &env) else { return };
    t.wait_for("4 Log", WAIT);
    // The app browses the root when it starts, a search of its own: once the tree has drawn
    // the root's rows, the count starts for the read that `s` starts.
    t.wait_until("the tree to show the root's rows", WAIT, |s| s.contains("People") && s.contains("Service Accounts"));
    stall_first_page(&rig);
    t.keys(&["s"]);
    wait_for("the read to stall", || rig.directory.as_ref().unwrap().fired());
    // Past the bind and the rootDSE read: stalled in the search's first page.
    t.wait_for("Reading", WAIT);
    let pressed = Instant::now();
    t.keys(&["Escape"]);
    t.wait_for("cancelled; the partial read was discarded", PROMPT);
    assert!(pressed.elapsed() < PROMPT, "Esc took {:?}", pressed.elapsed());
    let pressed = Instant::now();
    t.keys(&["q"]);
    t.wait_until("the app to exit", PROMPT, |_| t.exited());
    assert!(pressed.elapsed() < PROMPT, "q took {:?}", pressed.elapsed());
    assert!(rig.writes().is_empty(), "{:?}", rig.writes());
}
