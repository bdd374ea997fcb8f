//! The TUI in a real terminal: tmux runs `adsync demo`, keys go in, the screen is read back.

mod common;

use common::tmux::Tmux;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn demo(width: u16, height: u16) -> Option<(Tmux, tempfile::TempDir)> {
    let home = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} demo --users 300", bin.display());
    let home_str = home.path().display().to_string();
    let tmux = Tmux::start(
        &command,
        width,
        height,
        &[("HOME", &home_str), ("XDG_CONFIG_HOME", &home_str), ("TERM", "xterm-256color")],
    )?;
    Some((tmux, home))
}

#[test]
fn browse_search_filter_and_quit_in_a_real_terminal() {
    let Some((t, _home)) = demo(120, 40) else { return };
    t.wait_for("● bound", WAIT);
    t.keys(&["s"]);
    t.wait_for("to sync", WAIT);
    t.wait_for("read 314 entries", WAIT);
    // dc=example,dc=com → Groups → People; open People and its Sales OU.
    t.keys(&["j", "j", "l"]);
    let screen = t.wait_for("o Sales", WAIT);
    assert!(screen.lines().any(|l| l.contains("›  ▾ o People")), "the cursor is on People:\n{screen}");
    t.keys(&["j", "l"]);
    t.wait_for("u ", WAIT);
    t.keys(&["/"]);
    t.type_text("Sales");
    t.keys(&["Enter"]);
    let screen = t.wait_for("filter: Sales", WAIT);
    assert!(!screen.contains("o Marketing"), "the filter hides other OUs:\n{screen}");
    t.keys(&["Tab"]);
    t.wait_for("Search results", WAIT);
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
    let screen = t.screen();
    assert!(!screen.contains("panicked"), "{screen}");
}

#[test]
fn small_terminals_get_tabs_and_tiny_ones_a_notice() {
    let Some((t, _home)) = demo(80, 24) else { return };
    t.wait_for("1 Settings │ 2 Directory", WAIT);
    t.resize(50, 12);
    t.wait_for("terminal too small", WAIT);
    t.resize(120, 40);
    t.wait_for("4 Log", WAIT);
    t.keys(&["C-c"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
}
