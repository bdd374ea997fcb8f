//! Rendered screens (ratatui TestBackend + insta): every pane and overlay at 80×24 and
//! 120×40, and the too-small screen, with a fixed clock so the snapshots never drift.

use adsync::config::Config;
use adsync::engine::tree::TreeData;
use adsync::engine::{Event, Level, Phase, Snapshot};
use adsync::history::heartbeat::{Heartbeat, ScheduleStatus};
use adsync::history::{ApplyCounts, Mode, Outcome, PlanCounts, RunId, RunRecord, SourceInfo, Trigger};
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
    let mut app = App::new(config, vec!["DC=example,DC=com".into()], Keymap::defaults());
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

/// The status bar says whether a schedule runs for the config (from its heartbeat) and
/// when the last run ended and how (the fixed clock says 2026-11-18 11:06:40 UTC).
#[test]
fn the_status_bar_tells_the_schedule_and_the_last_run() {
    let snap = snapshot(true);
    let now = 1_795_000_000;
    let mut app = app();
    let first = |app: &mut App| render(app, &snap, 120, 40).lines().next().unwrap().to_string();
    assert!(first(&mut app).ends_with("no schedule running (3 h set)\""), "{}", first(&mut app));
    app.history.set_runs(vec![history_run("r1", Outcome::Blocked, now - 3600)]);
    let beat = Heartbeat {
        pid: 1,
        config: "adsync.toml".into(),
        started: ts(now - 7200),
        beat: ts(now - 10),
        next_run: Some(ts(now + 3 * 3600 - 400)),
        running: false,
    };
    app.schedule = ScheduleStatus::Running(beat);
    let line = first(&mut app);
    assert!(line.ends_with("last run 10:06 BLOCKED · schedule on, next 14:00\""), "{line}");
    app.schedule = ScheduleStatus::NotRunning;
    app.config.sync.frequency = adsync::config::Frequency::Off;
    assert!(first(&mut app).ends_with("· schedule off\""), "{}", first(&mut app));
}

fn ts(secs: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(secs).unwrap()
}

/// A run as the history keeps it, ended at `ended`.
fn history_run(id: &str, outcome: Outcome, ended: i64) -> RunRecord {
    RunRecord {
        source: SourceInfo { kind: "ldap".into(), at: "ldaps://dc1.example.com:636 DC=example,DC=com".into() },
        target: Some("Proofpoint Essentials us1 · example.com".into()),
        plan: Some(PlanCounts { create: 12, update: 3, delete: 1, in_sync: 9000, left_alone: 2 }),
        apply: Some(ApplyCounts { approved: 16, applied: 16, verified: Some(16), ..ApplyCounts::default() }),
        ..RunRecord::new(RunId(id.into()), (ts(ended - 5), ts(ended)), Trigger::Schedule, Mode::Apply, outcome)
    }
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
    for _ in 0..7 {
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

/// The source kind switched in the settings form: Entra ID's fields, then the CSV file's,
/// each in place of the LDAP connection's.
#[test]
fn settings_for_each_source_kind() {
    let snap = snapshot(true);
    let mut app = app();
    app.focus = Pane::Settings;
    key(&mut app, &snap, KeyCode::Down);
    for kind in ["graph", "csv"] {
        key(&mut app, &snap, KeyCode::Char(' '));
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("settings_source_{kind}_{w}x{h}"), render(&mut app, &snap, w, h));
        }
    }
}

/// An organisation merging two sources: the directory pane and the settings pane each say
/// which source they show and the key to the next.
#[test]
fn several_sources_name_the_one_shown() {
    let two = format!(
        "[[source]]\nname = \"hq\"\n{}\n[[source]]\nname = \"staff\"\nkind = \"csv\"\npath = \"/srv/staff.csv\"\n",
        CONFIG.replace("[source]\n", "")
    );
    let config = Config::parse(&two, "adsync.toml").unwrap();
    let roots = vec!["DC=example,DC=com".into(), "/srv/staff.csv".into()];
    let mut app = App::new(config, roots, Keymap::defaults());
    let snap = snapshot(false);
    insta::assert_snapshot!("several_sources_first_120x40", render(&mut app, &snap, 120, 40));
    key(&mut app, &snap, KeyCode::Char(']'));
    key(&mut app, &snap, KeyCode::Char('1'));
    key(&mut app, &snap, KeyCode::Char(']'));
    // The keys' notes are logged at the wall clock's time; the flash line keeps the last.
    app.log = adsync::tui::panes::log::LogState::default();
    // The engine has just started the second source's tree.
    let snap = Snapshot { tree: Arc::new(TreeData::browsing(1)), ..snap };
    insta::assert_snapshot!("several_sources_second_120x40", render(&mut app, &snap, 120, 40));
    insta::assert_snapshot!("several_sources_second_80x24", render(&mut app, &snap, 80, 24));
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
    use adsync::model::{Licenses, VendorSync};
    use adsync::sync::apply::{Applied, ApplyOutcome, ApplyProgress, Failed, Skipped};
    use adsync::sync::verify::{NotTaken, Verification};
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
        report_snapshots("report", outcome);
    }

    /// The review pane after an apply, at both sizes.
    fn report_snapshots(name: &str, outcome: ApplyOutcome) {
        let snap = Snapshot { phase: Phase::Done, report: Some(Arc::new(outcome)), ..snapshot(true) };
        let mut app = app();
        app.focus = Pane::Diff;
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&mut app, &snap, w, h));
        }
    }

    #[test]
    fn the_confirmation_names_the_vendors_sync_and_the_licences() {
        let mut planned = planned(0);
        planned.guard_input.vendor_syncs = vec![VendorSync::Azure { every_hours: 24, removes_deleted_users: true }];
        planned.guard_input.licenses = Some(Licenses { user_licenses: 100, active_users: 100 });
        let snap = Snapshot { phase: Phase::Planned, review: Some(Arc::new(Review::new(planned))), ..snapshot(true) };
        let mut app = reviewing();
        key(&mut app, &snap, KeyCode::Char('a'));
        assert_eq!(app.overlay, Some(Overlay::ConfirmApply));
        for (w, h) in [(120, 40), (80, 24)] {
            let screen = render(&mut app, &snap, w, h);
            assert!(screen.contains("vendor_sync_active") && screen.contains("warning: licences"), "{screen}");
            insta::assert_snapshot!(format!("confirm_vendor_sync_{w}x{h}"), screen);
        }
    }

    #[test]
    fn the_report_says_what_was_skipped_and_verified() {
        let outcome = ApplyOutcome {
            applied: vec![
                Applied { id: 0, action: ChangeKind::Create, email: "ann.lee@example.com".into() },
                Applied { id: 2, action: ChangeKind::Create, email: "info@example.com".into() },
            ],
            skipped: vec![Skipped {
                id: 1,
                action: ChangeKind::Update,
                email: "bo.li@example.com".into(),
                reason: "changed in the service since the plan (last name); the next plan shows it again".into(),
            }],
            verification: Some(Verification {
                checked: 2,
                verified: 1,
                not_taken: vec![NotTaken {
                    id: 2,
                    action: ChangeKind::Create,
                    email: "info@example.com".into(),
                    problem: "info@example.com is not in the service".into(),
                }],
                listings: 6,
                error: None,
            }),
            elapsed: Duration::from_millis(1500),
            ..ApplyOutcome::default()
        };
        report_snapshots("report_verified", outcome);
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
            rungs: 9,
            selected: 2,
            expanded: true,
            elapsed: Some(Duration::from_millis(40)),
        };
        insta::assert_snapshot!("check_120x40", render(&mut app, &snap, 120, 40));
        insta::assert_snapshot!("check_80x24", render(&mut app, &snap, 80, 24));
    }
}

mod history {
    use super::*;
    use adsync::history::GuardNote;
    use adsync::history::changes::{AppliedChange, ChangeOutcome, RunChanges};

    const NOW: i64 = 1_795_000_000;

    fn runs() -> Vec<RunRecord> {
        let mut blocked = history_run("20261118T100000.000Z-41", Outcome::Blocked, NOW - 3600);
        blocked.apply = None;
        blocked.guards = vec![GuardNote {
            guard: "max_deletes".into(),
            message: "sync.guards.max_deletes: 30 deletes planned, the limit is 25".into(),
        }];
        let mut failed = history_run("20261118T070000.000Z-40", Outcome::Failed, NOW - 4 * 3600);
        failed.plan = None;
        failed.apply = None;
        failed.error = Some("Bind: the account is disabled (AD code data 533)".into());
        let mut planned = history_run("20261117T090000.000Z-39", Outcome::Planned, NOW - 26 * 3600);
        planned.trigger = Trigger::Tui;
        planned.mode = Mode::DryRun;
        planned.apply = None;
        vec![history_run("20261118T103000.000Z-42", Outcome::Applied, NOW - 600), blocked, failed, planned]
    }

    fn with_runs() -> App {
        let mut app = app();
        app.focus = Pane::History;
        app.history.set_runs(runs());
        app
    }

    #[test]
    fn the_runs_newest_first_at_both_sizes() {
        let snap = snapshot(true);
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("history_{w}x{h}"), render(&mut with_runs(), &snap, w, h));
        }
    }

    #[test]
    fn enter_shows_a_runs_changes() {
        let snap = snapshot(true);
        let mut app = with_runs();
        key(&mut app, &snap, KeyCode::Enter);
        let run = app.history.current().unwrap().run.clone();
        let change = |email: &str, outcome| AppliedChange {
            action: ChangeKind::Create,
            email: email.into(),
            new_email: None,
            outcome,
        };
        let changes = RunChanges::Applied(vec![
            change("ann.lee@example.com", ChangeOutcome::Done),
            change("bo.li@example.com", ChangeOutcome::Failed("Service API: 422 invalid".into())),
            change("cy.lee@example.com", ChangeOutcome::InDoubt),
        ]);
        app.update(Input::RunChanges { run, changes }, &snap, Instant::now());
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("history_changes_{w}x{h}"), render(&mut app, &snap, w, h));
        }
    }
}

/// `z`: the focused pane takes the whole body, and the zoomed review shows every reason whole.
#[test]
fn the_zoomed_review_shows_every_reason_whole() {
    let planned = plans::planned(2);
    let snap = Snapshot {
        phase: Phase::Planned,
        review: Some(Arc::new(adsync::engine::Review::new(planned))),
        ..snapshot(true)
    };
    let mut app = app();
    app.focus = Pane::Diff;
    key(&mut app, &snap, KeyCode::Char('z'));
    assert!(app.zoomed);
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = render(&mut app, &snap, w, h);
        let body: Vec<&str> = screen.lines().skip(2).collect();
        assert!(!body.concat().contains('…'), "nothing is cut when zoomed:\n{screen}");
        insta::assert_snapshot!(format!("zoomed_review_{w}x{h}"), screen);
    }
    key(&mut app, &snap, KeyCode::Char('z'));
    assert!(render(&mut app, &snap, 120, 40).contains("1 Settings ─"), "z gives the body back");
}

/// A first run: the settings form with the seed's defaults, the connection and the service
/// to be filled in, and where Ctrl-S will write.
#[test]
fn the_first_run_form_at_both_sizes() {
    let snap = Snapshot::default();
    for (w, h) in [(120, 40), (80, 24)] {
        let config = Config::seed("/home/admin/.config/adsync/config.toml".into());
        let mut app = App::new(config, vec!["DC=example,DC=com".into()], Keymap::defaults());
        app.begin_first_run(Instant::now());
        app.log = Default::default(); // its line carries the wall clock
        insta::assert_snapshot!(format!("first_run_{w}x{h}"), render(&mut app, &snap, w, h));
    }
}
