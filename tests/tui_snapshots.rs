//! Rendered screens (ratatui TestBackend + insta): every pane and overlay at 80×24 and
//! 120×40, and the too-small screen, with a fixed clock so the snapshots never drift.

use adsync::config::Config;
use adsync::engine::tree::TreeData;
use adsync::engine::{Event, Level, Phase, Snapshot};
use adsync::model::{
    ChangeKind, DirObject, EntryDetails, Flavor, NodeKind, ObjectClass, ReadStats, SearchOutcome, TreeNode,
};
use adsync::source::classify::{Policy, classify};
use adsync::tui::app::{App, Input, Overlay, Pane};
use adsync::tui::keymap::Keymap;
use adsync::tui::theme::Theme;
use adsync::tui::view::{ViewCtx, draw};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const CONFIG: &str = r#"
[source]
kind = "ldap"
url = "ldaps://dc1.example.com:636"
bind_dn = "svc-sync@example.com"
password_env = "ADSYNC_BIND_PASSWORD"
base_dn = "DC=example,DC=com"

[sync]
frequency = "3h"

[exclude]
subtrees = ["OU=Test,DC=example,DC=com"]
"#;

fn node(dn: &str, kind: NodeKind) -> TreeNode {
    let label = adsync::source::ldap::browse::label(dn);
    TreeNode { dn: dn.into(), label, kind, ..TreeNode::default() }
}

fn user(dn: &str, mail: &str, disabled: bool, hidden: bool) -> TreeNode {
    TreeNode { mail: Some(mail.into()), disabled, hidden, ..node(dn, NodeKind::User) }
}

fn tree() -> TreeData {
    let mut t = TreeData::default();
    let base = "DC=example,DC=com";
    t.request_children(base, false);
    t.children_arrived(
        base,
        Ok(vec![
            node("OU=People,DC=example,DC=com", NodeKind::Container),
            node("OU=Groups,DC=example,DC=com", NodeKind::Container),
            node("OU=Test,DC=example,DC=com", NodeKind::Container),
        ]),
    );
    let people = "OU=People,DC=example,DC=com";
    t.request_children(people, false);
    t.children_arrived(
        people,
        Ok(vec![
            user("CN=Ann Lee,OU=People,DC=example,DC=com", "ann.lee@example.com", false, false),
            user("CN=Bo Li,OU=People,DC=example,DC=com", "bo.li@example.com", true, false),
            user("CN=Lee\\, Cy,OU=People,DC=example,DC=com", "cy.lee@example.com", false, true),
        ]),
    );
    t.request_details("CN=Ann Lee,OU=People,DC=example,DC=com");
    t.details_arrived(
        "CN=Ann Lee,OU=People,DC=example,DC=com",
        Ok(EntryDetails {
            dn: "CN=Ann Lee,OU=People,DC=example,DC=com".into(),
            attributes: vec![
                ("objectClass".into(), vec!["top".into(), "person".into(), "user".into()]),
                ("mail".into(), vec!["ann.lee@example.com".into()]),
                ("proxyAddresses".into(), vec!["SMTP:ann.lee@example.com".into(), "smtp:ann@example.com".into()]),
                ("userAccountControl".into(), vec!["512".into()]),
            ],
        }),
    );
    t
}

fn outcome() -> SearchOutcome {
    let mut objects = Vec::new();
    for (k, name) in ["ann.lee", "bo.li", "cy.lee", "dee"].iter().enumerate() {
        let mut o = DirObject::new(format!("CN={name},OU=People,DC=example,DC=com"), ObjectClass::User);
        o.mail = Some(format!("{name}@example.com"));
        o.user_account_control = Some(if k == 1 { 514 } else { 512 });
        objects.push(o);
    }
    let stats = ReadStats { entries: 4, pages: 1, elapsed: Duration::from_millis(120), ..Default::default() };
    SearchOutcome {
        flavor: Flavor::ActiveDirectory,
        stats,
        classification: classify(objects, &Policy::default()),
        ignored: 0,
    }
}

fn snapshot(searched: bool) -> Snapshot {
    Snapshot {
        phase: if searched { Phase::Done } else { Phase::Idle },
        flavor: Some(Flavor::ActiveDirectory),
        search: searched.then(|| Arc::new(outcome())),
        tree: Arc::new(tree()),
        ..Snapshot::default()
    }
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000 + secs)
}

fn app() -> App {
    let config = Config::parse(CONFIG, "adsync.toml").unwrap();
    let mut app = App::new(config, "DC=example,DC=com", Keymap::defaults());
    app.tree.open.insert("OU=People,DC=example,DC=com".into());
    app.tree.selected = Some("CN=Ann Lee,OU=People,DC=example,DC=com".into());
    for (k, (level, text)) in [
        (Level::Info, "connecting to ldaps://dc1.example.com:636 DC=example,DC=com"),
        (Level::Info, "bound; server is Active Directory"),
        (Level::Warn, "1 object skipped: address claimed by another object"),
        (Level::Info, "read 4 entries in 0.1 s (33/s): 3 to sync, 1 skipped"),
    ]
    .into_iter()
    .enumerate()
    {
        app.log.push(Event { at: at(k as u64), level, message: text.into() });
    }
    app
}

fn render(app: &mut App, snap: &Snapshot, width: u16, height: u16) -> String {
    render_busy(app, snap, width, height, None)
}

/// Renders as if the current phase had been running for `busy_for` (for rates and ETAs).
fn render_busy(app: &mut App, snap: &Snapshot, width: u16, height: u16, busy_for: Option<Duration>) -> String {
    app.size = (width, height);
    let view = ViewCtx {
        theme: Theme::plain(),
        now: jiff::Timestamp::from_second(1_795_000_000).unwrap(),
        tz: jiff::tz::TimeZone::UTC,
        source: "ldaps://dc1.example.com:636 DC=example,DC=com".into(),
        busy_for,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, snap, &view)).unwrap();
    terminal.backend().to_string()
}

fn key(app: &mut App, snap: &Snapshot, code: KeyCode) {
    app.update(Input::Key(KeyEvent::new(code, KeyModifiers::NONE)), snap, Instant::now());
}

#[test]
fn full_screen_120x40() {
    let snap = snapshot(true);
    insta::assert_snapshot!(render(&mut app(), &snap, 120, 40));
}

#[test]
fn every_pane_as_a_tab_at_80x24() {
    let snap = snapshot(true);
    for pane in Pane::ALL {
        let mut app = app();
        app.focus = pane;
        insta::assert_snapshot!(format!("tab_80x24_{pane:?}").to_lowercase(), render(&mut app, &snap, 80, 24));
    }
}

#[test]
fn before_any_search_120x40() {
    let snap = snapshot(false);
    let mut app = app();
    app.focus = Pane::Diff;
    insta::assert_snapshot!(render(&mut app, &snap, 120, 40));
}

/// The status bar reckons the next sync as `adsync schedule` does: from the last sync that
/// went through (frequency 3h; the fixed clock says 2026-11-18 11:06:40 UTC).
#[test]
fn the_next_sync_counts_from_the_last_one() {
    let snap = snapshot(true);
    let now = 1_795_000_000;
    let mut app = app();
    app.last_sync = Some(jiff::Timestamp::from_second(now - 3600).unwrap());
    let screen = render(&mut app, &snap, 120, 40);
    assert!(screen.lines().next().unwrap().contains("last sync 10:06 · next sync 13:30"), "{screen}");
    app.last_sync = Some(jiff::Timestamp::from_second(now - 25 * 3600).unwrap());
    let screen = render(&mut app, &snap, 120, 40);
    assert!(screen.lines().next().unwrap().contains("last sync 2026-11-17 10:06 · next sync 11:30"), "{screen}");
}

#[test]
fn help_overlay_at_both_sizes() {
    let snap = snapshot(true);
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = app();
        app.overlay = Some(Overlay::Help { scroll: 0 });
        insta::assert_snapshot!(format!("help_{w}x{h}"), render(&mut app, &snap, w, h));
    }
}

#[test]
fn quit_confirmation_overlay() {
    let mut snap = snapshot(true);
    snap.phase = Phase::Reading { entries: 1200, pages: 2 };
    let mut app = app();
    key(&mut app, &snap, KeyCode::Char('q'));
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("quit_confirmation_{w}x{h}"), render(&mut app, &snap, w, h));
    }
}

/// The quit question names the job that quitting would stop.
#[test]
fn quitting_while_applying_says_changes_are_being_applied() {
    let mut snap = snapshot(true);
    snap.phase = Phase::Applying(adsync::sync::apply::ApplyProgress { done: 1, failed: 0, total: 9 });
    let mut app = app();
    key(&mut app, &snap, KeyCode::Char('q'));
    let screen = render(&mut app, &snap, 120, 40);
    assert!(screen.contains("Changes are still being applied. Quit anyway?"), "{screen}");
}

/// Settings changed in the form but not saved say so on the pane's border.
#[test]
fn unsaved_settings_are_marked() {
    let snap = snapshot(true);
    let mut app = app();
    app.focus = Pane::Settings;
    assert!(!render(&mut app, &snap, 120, 40).contains(" unsaved "));
    key(&mut app, &snap, KeyCode::Char(' '));
    let screen = render(&mut app, &snap, 120, 40);
    assert!(screen.contains("━ unsaved ┛"), "{screen}");
}

#[test]
fn too_small_screen() {
    let snap = snapshot(true);
    insta::assert_snapshot!(render(&mut app(), &snap, 50, 12));
}

#[test]
fn settings_edit_with_a_validation_error() {
    let snap = snapshot(true);
    let mut app = app();
    app.focus = Pane::Settings;
    for _ in 0..6 {
        key(&mut app, &snap, KeyCode::Down);
    }
    key(&mut app, &snap, KeyCode::Enter);
    for _ in 0..20 {
        key(&mut app, &snap, KeyCode::Backspace);
    }
    for c in "example.com".chars() {
        key(&mut app, &snap, KeyCode::Char(c));
    }
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("settings_edit_{w}x{h}"), render(&mut app, &snap, w, h));
    }
}

#[test]
fn tree_filter() {
    let snap = snapshot(true);
    let mut app = app();
    key(&mut app, &snap, KeyCode::Char('/'));
    for c in "lee".chars() {
        key(&mut app, &snap, KeyCode::Char(c));
    }
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("tree_filter_{w}x{h}"), render(&mut app, &snap, w, h));
    }
}

#[path = "common/plans.rs"]
mod plans;

mod review {
    use super::*;
    use adsync::diagnose::{Status, Step, StepId};
    use adsync::engine::Review;
    use adsync::sync::apply::{Applied, ApplyOutcome, ApplyProgress, Failed};
    use adsync::tui::app::DiagnosticsState;
    use plans::planned;

    fn planned_snapshot(deletes: usize) -> Snapshot {
        let planned = planned(deletes);
        let last = planned.plan.changes.len() - 1;
        let mut review = Review::new(planned);
        review.set(last, false);
        Snapshot { phase: Phase::Planned, review: Some(Arc::new(review)), ..snapshot(true) }
    }

    fn reviewing() -> App {
        let mut app = app();
        app.focus = Pane::Diff;
        app.diff.selected = Some(1);
        app.diff.expanded.insert(1);
        app
    }

    #[test]
    fn the_review_at_both_sizes() {
        let snap = planned_snapshot(1);
        insta::assert_snapshot!("review_120x40", render(&mut reviewing(), &snap, 120, 40));
        insta::assert_snapshot!("review_80x24", render(&mut reviewing(), &snap, 80, 24));
    }

    #[test]
    fn guard_warnings_show_in_the_review() {
        let snap = planned_snapshot(8); // 8 of 100 accounts: over 5%
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("guard_warnings_{w}x{h}"), render(&mut reviewing(), &snap, w, h));
        }
    }

    #[test]
    fn confirmation_shows_the_totals() {
        let snap = planned_snapshot(1);
        let mut app = reviewing();
        key(&mut app, &snap, KeyCode::Char('a'));
        assert_eq!(app.overlay, Some(Overlay::ConfirmApply));
        insta::assert_snapshot!("confirm_120x40", render(&mut app, &snap, 120, 40));
        insta::assert_snapshot!("confirm_80x24", render(&mut app, &snap, 80, 24));
    }

    #[test]
    fn the_report_after_applying() {
        let outcome = ApplyOutcome {
            applied: vec![Applied { id: 0, action: ChangeKind::Create, email: "ann.lee@example.com".into() }],
            failed: vec![Failed {
                id: 1,
                action: ChangeKind::Update,
                email: "bo.li@example.com".into(),
                error: "Service API: the service refused the change (400)".into(),
            }],
            elapsed: Duration::from_millis(1500),
            ..ApplyOutcome::default()
        };
        let snap = Snapshot { phase: Phase::Done, report: Some(Arc::new(outcome)), ..snapshot(true) };
        let mut app = app();
        app.focus = Pane::Diff;
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("report_{w}x{h}"), render(&mut app, &snap, w, h));
        }
    }

    #[test]
    fn progress_while_applying() {
        let progress = ApplyProgress { done: 420, failed: 3, total: 1000 };
        let snap = Snapshot { phase: Phase::Applying(progress), ..planned_snapshot(1) };
        let mut app = app();
        app.focus = Pane::Log;
        let busy = Some(Duration::from_secs(6));
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("applying_{w}x{h}"), render_busy(&mut app, &snap, w, h, busy));
        }
    }

    fn step(id: StepId, status: Status, ms: u64, summary: &str) -> Step {
        Step {
            id,
            title: id.title(),
            status,
            elapsed: Duration::from_millis(ms),
            summary: summary.into(),
            evidence: vec![("address".into(), "127.0.0.1:636".into())],
            fix: (status == Status::Fail).then(|| "enable the service account".into()),
        }
    }

    #[test]
    fn the_connectivity_check_overlay() {
        let snap = snapshot(true);
        let mut app = app();
        app.overlay = Some(Overlay::Diagnostics);
        app.diagnostics = DiagnosticsState {
            steps: vec![
                step(StepId::Dns, Status::Ok, 1, "dc1.example.com: 127.0.0.1"),
                step(StepId::Tcp, Status::Ok, 2, "127.0.0.1:636 open"),
                step(StepId::Bind, Status::Fail, 12, "the account is disabled (data 533)"),
            ],
            running: false,
            selected: 2,
            expanded: true,
            elapsed: Some(Duration::from_millis(40)),
        };
        insta::assert_snapshot!("check_120x40", render(&mut app, &snap, 120, 40));
        insta::assert_snapshot!("check_80x24", render(&mut app, &snap, 80, 24));
    }
}
