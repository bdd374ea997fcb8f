//! The TUI as a state machine: key events in, engine commands and state out — no terminal.

use adsync::config::Config;
use adsync::engine::tree::TreeData;
use adsync::engine::{Command, Phase, Snapshot};
use adsync::model::{NodeKind, TreeNode};
use adsync::tui::app::{App, Effect, Input, Overlay, Pane, Typing};
use adsync::tui::keymap::Keymap;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONFIG: &str = "[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbind_dn = \"svc@example.com\"\npassword_env = \"PW\"\nbase_dn = \"DC=example,DC=com\"\n";
const ROOT: &str = "DC=example,DC=com";

fn node(dn: &str, kind: NodeKind) -> TreeNode {
    TreeNode { dn: dn.into(), label: adsync::source::ldap::browse::label(dn), kind, ..TreeNode::default() }
}

fn snapshot() -> Snapshot {
    let mut t = TreeData::default();
    t.request_children(ROOT, false);
    t.children_arrived(
        ROOT,
        Ok(vec![
            node("OU=People,DC=example,DC=com", NodeKind::Container),
            node("OU=Groups,DC=example,DC=com", NodeKind::Container),
        ]),
    );
    Snapshot { tree: Arc::new(t), ..Snapshot::default() }
}

struct Harness {
    app: App,
    snap: Snapshot,
    now: Instant,
    _dir: Option<tempfile::TempDir>,
}

impl Harness {
    fn new() -> Self {
        Self::with_config(Config::parse(CONFIG, "adsync.toml").unwrap(), None)
    }

    /// With a real config file, for the keys that save to it.
    fn with_file() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adsync.toml");
        std::fs::write(&path, format!("# mine\n{CONFIG}")).unwrap();
        Self::with_config(Config::load(&path).unwrap(), Some(dir))
    }

    fn with_config(config: Config, dir: Option<tempfile::TempDir>) -> Self {
        Self { app: App::new(config, ROOT, Keymap::defaults()), snap: snapshot(), now: Instant::now(), _dir: dir }
    }

    fn press_with(&mut self, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
        self.app.update(Input::Key(KeyEvent::new(code, modifiers)), &self.snap, self.now)
    }

    fn press(&mut self, code: KeyCode) -> Vec<Effect> {
        self.press_with(code, KeyModifiers::NONE)
    }

    fn chars(&mut self, text: &str) -> Vec<Effect> {
        text.chars().flat_map(|c| self.press(KeyCode::Char(c))).collect()
    }

    fn tick(&mut self, after: Duration) -> Vec<Effect> {
        self.now += after;
        self.app.update(Input::Tick(self.now), &self.snap, self.now)
    }
}

#[test]
fn the_app_starts_by_listing_the_base_dn() {
    let h = Harness::new();
    assert_eq!(h.app.start(), vec![Effect::Engine(Command::Browse { dn: ROOT.into(), refresh: false })]);
}

#[test]
fn s_is_search_now() {
    assert_eq!(Harness::new().press(KeyCode::Char('s')), vec![Effect::Engine(Command::Search)]);
}

#[test]
fn browsing_opens_lists_and_inspects_after_the_cursor_rests() {
    let mut h = Harness::new();
    assert!(h.press(KeyCode::Char('j')).is_empty());
    assert_eq!(h.app.tree.selected.as_deref(), Some("OU=People,DC=example,DC=com"));
    assert!(h.tick(Duration::from_millis(50)).is_empty(), "not yet: the cursor may move on");
    assert_eq!(
        h.tick(Duration::from_millis(200)),
        vec![Effect::Engine(Command::Inspect("OU=People,DC=example,DC=com".into()))]
    );
    assert_eq!(
        h.press(KeyCode::Enter),
        vec![Effect::Engine(Command::Browse { dn: "OU=People,DC=example,DC=com".into(), refresh: false })]
    );
    assert!(h.app.tree.open.contains("OU=People,DC=example,DC=com"));
    h.press(KeyCode::Char('h'));
    assert!(!h.app.tree.open.contains("OU=People,DC=example,DC=com"), "h closes an open node");
    h.press(KeyCode::Char('h'));
    assert_eq!(h.app.tree.selected.as_deref(), Some(ROOT), "h on a closed node goes to the parent");
}

#[test]
fn refresh_relists_every_open_node() {
    let mut h = Harness::new();
    h.app.tree.open.insert("OU=People,DC=example,DC=com".into());
    let effects = h.press(KeyCode::Char('r'));
    assert_eq!(effects.len(), 2);
    assert!(effects.iter().all(|e| matches!(e, Effect::Engine(Command::Browse { refresh: true, .. }))));
}

#[test]
fn panes_by_tab_shift_tab_and_number() {
    let mut h = Harness::new();
    assert_eq!(h.app.focus, Pane::Tree);
    h.press(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Diff);
    h.press(KeyCode::BackTab);
    h.press(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Settings);
    h.press(KeyCode::Char('4'));
    assert_eq!(h.app.focus, Pane::Log);
}

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut h = Harness::new();
    h.press(KeyCode::Char('?'));
    assert_eq!(h.app.overlay, Some(Overlay::Help { scroll: 0 }));
    h.press(KeyCode::Down);
    assert_eq!(h.app.overlay, Some(Overlay::Help { scroll: 1 }));
    assert!(h.press(KeyCode::Char('s')).is_empty(), "keys go to the overlay, not the app");
    assert_eq!(h.app.overlay, None);
}

#[test]
fn the_command_bar_runs_commands_and_reports_unknown_ones() {
    let mut h = Harness::new();
    h.press(KeyCode::Char(':'));
    assert_eq!(h.app.input.as_ref().map(|i| i.typing.clone()), Some(Typing::Command));
    h.chars("search");
    assert_eq!(h.press(KeyCode::Enter), vec![Effect::Engine(Command::Search)]);
    h.press(KeyCode::Char(':'));
    h.chars("frobnicate");
    h.press(KeyCode::Enter);
    assert!(h.app.flash.as_ref().unwrap().1.contains("unknown command \"frobnicate\""));
    h.press(KeyCode::Char(':'));
    h.chars("quit");
    assert_eq!(h.press(KeyCode::Enter), vec![Effect::Quit]);
}

#[test]
fn ctrl_c_always_quits_even_while_typing() {
    let mut h = Harness::new();
    h.press(KeyCode::Char('/'));
    h.chars("ann");
    assert_eq!(h.press_with(KeyCode::Char('c'), KeyModifiers::CONTROL), vec![Effect::Quit]);
    assert!(h.app.quit);
}

#[test]
fn quitting_during_a_read_asks_first_and_esc_cancels_the_read() {
    let mut h = Harness::new();
    h.snap.phase = Phase::Reading { entries: 10, pages: 1 };
    assert!(h.press(KeyCode::Char('q')).is_empty());
    assert_eq!(h.app.overlay, Some(Overlay::ConfirmQuit));
    h.press(KeyCode::Char('n'));
    assert_eq!((h.app.overlay.clone(), h.app.quit), (None, false));
    assert_eq!(h.press(KeyCode::Esc), vec![Effect::Engine(Command::Cancel)]);
    h.press(KeyCode::Char('q'));
    assert_eq!(h.press(KeyCode::Char('y')), vec![Effect::Quit]);
}

#[test]
fn key_releases_are_ignored() {
    let mut h = Harness::new();
    let mut release = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(h.app.update(Input::Key(release), &h.snap, h.now).is_empty());
}

#[test]
fn the_filter_narrows_live_and_esc_clears_it() {
    let mut h = Harness::new();
    h.press(KeyCode::Char('/'));
    h.chars("peo");
    assert_eq!(h.app.tree.filter, "peo");
    h.press(KeyCode::Esc);
    assert_eq!((h.app.tree.filter.as_str(), h.app.input.is_none()), ("", true));
}

#[test]
fn settings_edit_in_place_validate_and_save_back() {
    let mut h = Harness::with_file();
    h.press(KeyCode::Char('1'));
    for _ in 0..6 {
        h.press(KeyCode::Char('j'));
    }
    h.press(KeyCode::Enter);
    for _ in 0..30 {
        h.press(KeyCode::Backspace);
    }
    h.chars("not a dn");
    assert!(h.app.input.as_ref().unwrap().error.is_some(), "validated as typed");
    h.press(KeyCode::Esc);
    assert_eq!(
        h.app.form.text(adsync::config::form::FieldId::BaseDn),
        "DC=example,DC=com",
        "Esc leaves the field as it was"
    );
    h.press(KeyCode::Enter);
    for _ in 0..30 {
        h.press(KeyCode::Backspace);
    }
    h.chars("OU=People,DC=example,DC=com");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('j'));
    h.press(KeyCode::Char('j'));
    h.press(KeyCode::Char(' ')); // Disabled accounts on
    assert_eq!(h.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL), vec![Effect::Reload]);
    let path = h.app.config.origin.clone().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# mine"), "comments survive: {text}");
    let saved = Config::load(&path).unwrap();
    assert_eq!(saved.source.ldap().unwrap().base_dn.0, "OU=People,DC=example,DC=com");
    assert!(saved.sync.disabled_users);
}

#[test]
fn x_excludes_the_selected_subtree_in_the_config_file() {
    let mut h = Harness::with_file();
    h.press(KeyCode::Char('j'));
    assert_eq!(h.press(KeyCode::Char('x')), vec![Effect::Reload]);
    let path = h.app.config.origin.clone().unwrap();
    let saved = Config::load(&path).unwrap();
    assert_eq!(saved.exclude.subtrees[0].0, "OU=People,DC=example,DC=com");
    h.app.reloaded(saved);
    assert_eq!(h.press(KeyCode::Char('x')), vec![Effect::Reload]);
    assert!(Config::load(&path).unwrap().exclude.subtrees.is_empty(), "x again includes it again");
}

#[test]
fn the_log_pane_toggles_and_saves() {
    let mut h = Harness::new();
    h.press(KeyCode::Char('4'));
    h.press(KeyCode::Char('f'));
    assert!(!h.app.log.follow);
    h.press(KeyCode::Char('w'));
    assert!(h.app.log.wrap);
    assert_eq!(h.press(KeyCode::Char('S')), vec![Effect::SaveLog]);
}

#[test]
fn y_copies_the_selected_dn() {
    let mut h = Harness::new();
    h.press(KeyCode::Char('j'));
    assert_eq!(h.press(KeyCode::Char('y')), vec![Effect::CopyToClipboard("OU=People,DC=example,DC=com".into())]);
}

#[path = "common/plans.rs"]
mod plans;

/// The review: the app's keys become engine commands, and the engine's own transition
/// function carries them out on the snapshot the app draws from.
mod review {
    use super::*;
    use adsync::engine::state::Msg;
    use adsync::engine::update::update;
    use adsync::engine::{Review, Rules};
    use adsync::sync::guard::Overrides;

    fn reviewing(deletes: usize, h: Harness) -> Harness {
        let mut h = h;
        h.snap.review = Some(Arc::new(Review::new(super::plans::planned(deletes))));
        h.snap.phase = Phase::Planned;
        h.press(KeyCode::Char('3'));
        assert_eq!(h.app.focus, Pane::Diff);
        h
    }

    /// Presses a key and hands every engine command it produced to the engine.
    fn press_through(h: &mut Harness, code: KeyCode) -> Vec<Effect> {
        let effects = h.press(code);
        for effect in &effects {
            if let Effect::Engine(command) = effect {
                update(&mut h.snap, Msg::Command(command.clone()), &Rules::default());
            }
        }
        effects
    }

    fn approved(h: &Harness) -> Vec<bool> {
        h.snap.review.as_ref().unwrap().selected.clone()
    }

    #[test]
    fn space_leaves_a_change_out_and_a_and_n_approve_all_or_none() {
        let mut h = reviewing(1, Harness::new());
        assert_eq!(approved(&h), vec![true; 4]);
        h.press(KeyCode::Char('G'));
        let effects = press_through(&mut h, KeyCode::Char(' '));
        assert_eq!(effects, vec![Effect::Engine(Command::Select { id: 3, approved: false })]);
        assert_eq!(approved(&h), vec![true, true, true, false]);
        assert_eq!(h.snap.review.as_ref().unwrap().approved(), 3);
        press_through(&mut h, KeyCode::Char(' '));
        assert_eq!(approved(&h), vec![true; 4], "Space again puts it back");
        press_through(&mut h, KeyCode::Char('N'));
        assert_eq!(approved(&h), vec![false; 4]);
        press_through(&mut h, KeyCode::Char('A'));
        assert_eq!(approved(&h), vec![true; 4]);
    }

    #[test]
    fn enter_shows_the_fields_of_an_update() {
        let mut h = reviewing(1, Harness::new());
        h.press(KeyCode::Char('g'));
        h.press(KeyCode::Char('j'));
        assert_eq!(h.app.diff.current(h.snap.review.as_ref().unwrap()), Some(1), "on the update");
        h.press(KeyCode::Enter);
        assert!(h.app.diff.expanded.contains(&1));
        h.press(KeyCode::Enter);
        assert!(!h.app.diff.expanded.contains(&1), "Enter again folds it");
    }

    #[test]
    fn apply_asks_with_totals_first_and_only_y_applies() {
        let mut h = reviewing(1, Harness::new());
        assert!(h.press(KeyCode::Char('a')).is_empty());
        assert_eq!(h.app.overlay, Some(Overlay::ConfirmApply));
        assert!(h.press(KeyCode::Char('n')).is_empty(), "anything but y declines");
        assert_eq!(h.app.overlay, None);
        h.press(KeyCode::Char('a'));
        let effects = press_through(&mut h, KeyCode::Char('y'));
        assert_eq!(effects, vec![Effect::Engine(Command::Apply(Overrides::default()))]);
        assert!(matches!(h.snap.phase, Phase::Applying(_)), "{:?}", h.snap.phase);
    }

    #[test]
    fn a_blocked_plan_cannot_be_confirmed_from_the_tui() {
        let mut h = reviewing(8, Harness::new()); // 8 of 100 accounts: over the 5% limit
        h.press(KeyCode::Char('a'));
        assert!(h.press(KeyCode::Char('y')).is_empty());
        assert_eq!(h.snap.phase, Phase::Planned, "nothing was applied");
    }

    #[test]
    fn nothing_approved_means_nothing_to_apply() {
        let mut h = reviewing(1, Harness::new());
        press_through(&mut h, KeyCode::Char('N'));
        h.press(KeyCode::Char('a'));
        assert!(h.press(KeyCode::Char('y')).is_empty());
        assert_eq!(h.snap.phase, Phase::Planned);
    }

    #[test]
    fn e_exempts_the_address_in_the_config_file() {
        let mut h = reviewing(1, Harness::with_file());
        h.press(KeyCode::Char('g'));
        assert_eq!(h.press(KeyCode::Char('e')), vec![Effect::Reload]);
        let saved = Config::load(h.app.config.origin.as_ref().unwrap()).unwrap();
        let exempt: Vec<String> = saved.sync.exempt.iter().map(|g| g.pattern.clone()).collect();
        assert_eq!(exempt, vec!["gone0@example.com"]);
        let text = std::fs::read_to_string(h.app.config.origin.as_ref().unwrap()).unwrap();
        assert!(text.starts_with("# mine\n"), "comments are kept: {text}");
        h.app.reloaded(saved);
        h.press(KeyCode::Char('e'));
        let again = Config::load(h.app.config.origin.as_ref().unwrap()).unwrap();
        assert_eq!(again.sync.exempt.len(), 1, "an address is exempted once");
    }
}
