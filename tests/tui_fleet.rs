//! The fleet screen: rendered with TestBackend at 80×24 and 120×40 (insta), a fleet of 200
//! drawn and filtered in a bounded time, and in a real terminal (tmux): the table lists the
//! organisations, Enter opens one, F comes back, q quits.

mod common;

use adsync::fleet::{OrgState, OrgStatus, ScheduleState};
use adsync::history::{Mode, Outcome, PlanCounts, Trigger};
use adsync::tui::fleet::{FleetScreen, FleetState};
use adsync::tui::keymap::Keymap;
use adsync::tui::theme::Theme;
use common::tmux::Tmux;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Widget;
use std::time::{Duration, Instant};

const STATES: [OrgState; 8] = [
    OrgState::Ok,
    OrgState::Pending,
    OrgState::Blocked,
    OrgState::Failed,
    OrgState::Partial,
    OrgState::NeverRun,
    OrgState::Disabled,
    OrgState::ConfigError,
];

/// Organisation `i` of a fleet: every state in turn, a last run for those that had one.
fn org(i: usize) -> OrgStatus {
    let state = STATES[i % STATES.len()];
    let at = jiff::Timestamp::from_second(1_795_000_000 + 600 * i as i64).unwrap();
    let ran = !matches!(state, OrgState::NeverRun | OrgState::Disabled | OrgState::ConfigError);
    let outcome = match state {
        OrgState::Failed => Outcome::Failed,
        OrgState::Blocked => Outcome::Blocked,
        OrgState::Partial => Outcome::Partial,
        OrgState::Pending => Outcome::Planned,
        _ => Outcome::Applied,
    };
    let plan = PlanCounts {
        create: i % 7,
        update: i % 3,
        delete: usize::from(state == OrgState::Blocked) * 40,
        ..PlanCounts::default()
    };
    OrgStatus {
        name: format!("customer-{i:03}"),
        file: format!("orgs.d/customer-{i:03}.toml").into(),
        enabled: state != OrgState::Disabled,
        state,
        source_kind: Some(if i.is_multiple_of(2) { "ldap" } else { "graph" }.into()),
        target: Some(format!("customer-{i:03}.example")),
        last_run: ran.then(|| adsync::fleet::status::LastRun {
            ended: at,
            outcome,
            trigger: Trigger::Schedule,
            mode: if outcome == Outcome::Planned { Mode::DryRun } else { Mode::Apply },
            exit_code: 0,
            plan: Some(plan),
            applied: plan.changes(),
            failed: 0,
            summary: String::new(),
        }),
        pending: ran.then_some(if state == OrgState::Pending { plan.changes() } else { 0 }),
        guard_blocks: if state == OrgState::Blocked { vec!["sync.guards.max_deletes".into()] } else { Vec::new() },
        schedule: if state == OrgState::Disabled { ScheduleState::Disabled } else { ScheduleState::Running },
        next_run: Some(at.checked_add(jiff::SignedDuration::from_hours(3)).unwrap()),
        error: (state == OrgState::ConfigError).then(|| "bad".into()),
    }
}

fn render(state: &FleetState, width: u16, height: u16) -> String {
    let keymap = Keymap::defaults();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let tz = jiff::tz::TimeZone::UTC;
    terminal
        .draw(|f| {
            FleetScreen { state, keymap: &keymap, theme: Theme::plain(), tz: &tz }.render(f.area(), f.buffer_mut())
        })
        .unwrap();
    terminal.backend().to_string()
}

fn press(state: &mut FleetState, code: KeyCode) {
    state.key(&Keymap::defaults(), KeyEvent::new(code, KeyModifiers::NONE), 10);
}

#[test]
fn the_fleet_table_at_both_sizes() {
    let mut state = FleetState::new((0..10).map(org).collect());
    press(&mut state, KeyCode::Down);
    for (w, h) in [(80, 24), (120, 40), (160, 40)] {
        insta::assert_snapshot!(format!("fleet_{w}x{h}"), render(&state, w, h));
    }
    press(&mut state, KeyCode::Char('/'));
    for c in "fail".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    insta::assert_snapshot!("fleet_filtered_80x24", render(&state, 80, 24));
}

#[test]
fn a_fleet_of_200_draws_and_filters_in_a_bounded_time() {
    let mut state = FleetState::new((0..200).map(org).collect());
    let started = Instant::now();
    for _ in 0..50 {
        press(&mut state, KeyCode::PageDown);
        render(&state, 120, 40);
    }
    let per_frame = started.elapsed() / 50;
    press(&mut state, KeyCode::Char('/'));
    let started = Instant::now();
    for c in "customer-19".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    let per_key = started.elapsed() / 11;
    println!("200 organisations: {per_frame:?} a frame (move and draw at 120x40), {per_key:?} a filter key");
    assert_eq!(state.shown_count(), 10, "customer-190 … customer-199");
    // A frame within the app's own frame interval (16 ms), even in a debug build.
    assert!(per_frame < Duration::from_millis(16) && per_key < Duration::from_millis(16), "{per_frame:?} {per_key:?}");
}

fn offline_org(dir: &std::path::Path, name: &str) -> String {
    format!(
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"dc={name},dc=example\"\n\n\
         [target]\nkind = \"file\"\npath = \"{}\"\n",
        dir.join(format!("{name}.json")).display()
    )
}

#[test]
fn the_app_opens_on_the_fleet_enter_opens_one_and_f_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let orgs = dir.path().join("orgs.d");
    std::fs::create_dir(&orgs).unwrap();
    for name in ["acme", "bolt"] {
        std::fs::write(orgs.join(format!("{name}.toml")), offline_org(dir.path(), name)).unwrap();
    }
    let main = dir.path().join("adsync.toml");
    std::fs::write(&main, format!("state_dir = \"{}\"\n", dir.path().join("state").display())).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let home = dir.path().display().to_string();
    let env = [("HOME", home.as_str()), ("XDG_CONFIG_HOME", home.as_str())];
    let command = format!("{} --config {}", bin.display(), main.display());
    let Some(t) = Tmux::start(&command, 120, 40, &env) else { return };
    let wait = Duration::from_secs(20);
    let screen = t.wait_for("fleet of 2 organisations", wait);
    assert!(screen.contains("acme") && screen.contains("bolt") && screen.contains("never run"), "{screen}");
    t.keys(&["j", "Enter"]);
    let screen = t.wait_for("dc=bolt,dc=example", wait);
    assert!(!screen.contains("fleet of 2"), "the organisation's panes replace the fleet:\n{screen}");
    t.keys(&["F"]);
    t.wait_for("fleet of 2 organisations", wait);
    t.keys(&["/"]);
    t.type_text("acm");
    let screen = t.wait_for("(1 shown)", wait);
    assert!(!screen.contains("bolt"), "{screen}");
    t.keys(&["Enter", "q"]);
    t.wait_until("the app to exit", wait, |_| t.exited());
}

#[test]
fn each_row_has_its_state_s_colour() {
    use ratatui::style::Color;
    let state = FleetState::new((0..8).map(org).collect());
    let keymap = Keymap::defaults();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let tz = jiff::tz::TimeZone::UTC;
    terminal
        .draw(|f| {
            FleetScreen { state: &state, keymap: &keymap, theme: Theme::colored(), tz: &tz }
                .render(f.area(), f.buffer_mut())
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    // The title, the border and the header come first: organisation i is on line 3 + i.
    let colour = |i: u16| buffer[(2, 3 + i)].fg;
    assert_eq!((colour(1), colour(2), colour(3), colour(7)), (Color::Yellow, Color::Yellow, Color::Red, Color::Red));
    assert_eq!(colour(5), Color::DarkGray, "never run is dim");
}
