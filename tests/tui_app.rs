//! The TUI as a state machine: key events in, engine commands and state out — no terminal.

use adsync::config::Config;
use adsync::engine::tree::TreeData;
use adsync::engine::{Command, Phase, Snapshot};
use adsync::model::{NodeKind, TreeNode};
use adsync::tui::app::{App, ConfigWrite, Effect, Input, Overlay, Pane, Reloaded, Typing};
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
        Self {
            app: App::new(config, vec![ROOT.into()], Keymap::defaults()),
            snap: snapshot(),
            now: Instant::now(),
            _dir: dir,
        }
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

    /// Performs the config writes among `effects` as the runner does and feeds the answers back.
    fn perform_writes(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let origin = self.app.config.origin.clone();
        let answers: Vec<Input> = effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Write(write) => Some(write.perform(origin.as_deref())),
                _ => None,
            })
            .collect();
        answers.into_iter().flat_map(|input| self.app.update(input, &self.snap, self.now)).collect()
    }

    /// Reads the config file again as the runner's reload does and tells the app.
    fn reload(&mut self) -> Vec<Effect> {
        let config = Config::load(self.app.config.origin.as_ref().unwrap()).unwrap();
        let reloaded = Reloaded { config, roots: vec![ROOT.into()] };
        self.app.update(Input::Reloaded(Ok(Box::new(reloaded))), &self.snap, self.now)
    }

    fn flash_text(&self) -> &str {
        self.app.flash.as_ref().map_or("", |(_, text, _)| text)
    }

    fn tick(&mut self, after: Duration) -> Vec<Effect> {
        self.now += after;
        self.app.update(Input::Tick(self.now), &self.snap, self.now)
    }
}

#[test]
fn the_app_starts_by_listing_the_base_dn() {
    let h = Harness::new();
    let browse = Effect::Engine(Command::Browse { dn: ROOT.into(), refresh: false });
    assert_eq!(h.app.start(), vec![browse, Effect::Observe], "and a first look at the history");
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
    assert_eq!(h.app.input.as_ref().map(|i| i.typing), Some(Typing::Command));
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
    for _ in 0..7 {
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
        h.app.settings.form.text(adsync::config::form::FieldId::BaseDn),
        "DC=example,DC=com",
        "Esc leaves the field as it was"
    );
    h.press(KeyCode::Enter);
    for _ in 0..30 {
        h.press(KeyCode::Backspace);
    }
    h.chars("OU=People,DC=example,DC=com");
    h.press(KeyCode::Enter);
    h.chars("jjj"); // past the CA file and Active users
    h.press(KeyCode::Char(' ')); // Disabled accounts on
    assert!(h.app.settings.unsaved());
    let save = h.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(save, vec![Effect::Write(ConfigWrite::SaveSettings(h.app.settings.form.clone()))]);
    assert_eq!(h.perform_writes(save), vec![Effect::Reload]);
    assert_eq!(h.flash_text(), "settings saved; the next search uses them");
    assert!(!h.app.settings.unsaved());
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
    let people = "OU=People,DC=example,DC=com";
    let x = h.press(KeyCode::Char('x'));
    assert_eq!(x, vec![Effect::Write(ConfigWrite::ToggleExclusion { dn: people.into(), source: None })]);
    assert_eq!(h.perform_writes(x), vec![Effect::Reload]);
    assert_eq!(h.flash_text(), format!("excluded {people} (saved)"));
    let path = h.app.config.origin.clone().unwrap();
    assert_eq!(Config::load(&path).unwrap().exclude.subtrees[0].0, people);
    assert_eq!(h.reload(), vec![Effect::Engine(Command::Browse { dn: ROOT.into(), refresh: false }), Effect::Observe]);
    assert_eq!(h.app.tree.excluded.len(), 1, "the tree marks it");
    let x = h.press(KeyCode::Char('x'));
    assert_eq!(h.perform_writes(x), vec![Effect::Reload]);
    assert_eq!(h.flash_text(), format!("{people} is synced again (saved)"));
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
                update(&mut h.snap, Msg::Command(command.clone()), &Rules::default(), jiff::Timestamp::now());
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
        let e = h.press(KeyCode::Char('e'));
        assert_eq!(e, vec![Effect::Write(ConfigWrite::AddExemption { email: "gone0@example.com".into() })]);
        assert_eq!(h.perform_writes(e), vec![Effect::Reload]);
        assert!(h.flash_text().starts_with("gone0@example.com is exempt from sync now (saved)"));
        let saved = Config::load(h.app.config.origin.as_ref().unwrap()).unwrap();
        let exempt: Vec<String> = saved.sync.exempt.iter().map(|g| g.pattern.clone()).collect();
        assert_eq!(exempt, vec!["gone0@example.com"]);
        let text = std::fs::read_to_string(h.app.config.origin.as_ref().unwrap()).unwrap();
        assert!(text.starts_with("# mine\n"), "comments are kept: {text}");
        h.reload();
        let e = h.press(KeyCode::Char('e'));
        h.perform_writes(e);
        let again = Config::load(h.app.config.origin.as_ref().unwrap()).unwrap();
        assert_eq!(again.sync.exempt.len(), 1, "an address is exempted once");
    }
}

/// The command bar runs each verb as its key, against the real snapshot, in every engine phase.
mod command_bar {
    use super::*;
    use adsync::engine::{Level, Review};
    use adsync::sync::apply::ApplyProgress;
    use adsync::tui::command_bar::VERBS;

    /// What typing a verb, any of its names, or pressing its key should lead to.
    #[derive(Clone, Copy, Debug)]
    enum Expect {
        Search,
        Plan,
        ConfirmApply,
        NothingToApply,
        Check,
        Quit,
        AskToQuit,
        Help,
        Save,
        SaveHeld,
    }
    use Expect::*;

    const APPLYING: Phase = Phase::Applying(ApplyProgress { done: 1, failed: 0, total: 4 });
    const PHASES: [Phase; 9] = [
        Phase::Idle,
        Phase::Connecting,
        Phase::Reading { entries: 10, pages: 1 },
        Phase::Planning,
        Phase::Planned,
        APPLYING,
        Phase::Done,
        Phase::Failed,
        Phase::Cancelled,
    ];

    #[rustfmt::skip]
    const TABLE: &[(&str, [Expect; 9])] = &[
        //           Idle            Connecting      Reading         Planning        Planned       Applying        Done            Failed          Cancelled
        ("search", [Search,         Search,         Search,         Search,         Search,       Search,         Search,         Search,         Search]),
        ("plan",   [Plan,           Plan,           Plan,           Plan,           Plan,         Plan,           Plan,           Plan,           Plan]),
        ("sync",   [NothingToApply, NothingToApply, NothingToApply, NothingToApply, ConfirmApply, NothingToApply, NothingToApply, NothingToApply, NothingToApply]),
        ("check",  [Check,          Check,          Check,          Check,          Check,        Check,          Check,          Check,          Check]),
        ("quit",   [Quit,           AskToQuit,      AskToQuit,      AskToQuit,      Quit,         AskToQuit,      Quit,           Quit,           Quit]),
        ("help",   [Help,           Help,           Help,           Help,           Help,         Help,           Help,           Help,           Help]),
        ("save",   [Save,           SaveHeld,       SaveHeld,       SaveHeld,       Save,         SaveHeld,       Save,           Save,           Save]),
    ];

    /// A harness in `phase`, with a plan from earlier in the snapshot whatever the phase.
    fn in_phase(phase: &Phase) -> Harness {
        let mut h = Harness::with_file();
        h.snap.review = Some(Arc::new(Review::new(super::plans::planned(1))));
        h.snap.phase = phase.clone();
        h
    }

    fn typed(h: &mut Harness, verb: &str) -> Vec<Effect> {
        h.press(KeyCode::Char(':'));
        h.chars(verb);
        h.press(KeyCode::Enter)
    }

    fn flash_level(h: &Harness) -> Option<Level> {
        h.app.flash.as_ref().map(|(level, _, _)| *level)
    }

    fn check(expect: Expect, h: &Harness, effects: &[Effect], case: &str) {
        let overlay = h.app.overlay.clone();
        match expect {
            Search => assert_eq!(effects, [Effect::Engine(Command::Search)], "{case}"),
            Plan => {
                assert_eq!(effects, [Effect::Engine(Command::Plan)], "{case}");
                assert_eq!(h.app.focus, Pane::Diff, "{case}");
            }
            ConfirmApply => assert_eq!((effects, overlay), (&[][..], Some(Overlay::ConfirmApply)), "{case}"),
            NothingToApply => {
                assert_eq!((effects, overlay), (&[][..], None), "{case}");
                assert_eq!(flash_level(h), Some(Level::Warn), "{case}");
            }
            Check => assert_eq!((effects, overlay), (&[Effect::RunCheck(0)][..], Some(Overlay::Diagnostics)), "{case}"),
            Quit => assert_eq!((effects, h.app.quit), (&[Effect::Quit][..], true), "{case}"),
            AskToQuit => {
                assert_eq!((effects, overlay), (&[][..], Some(Overlay::ConfirmQuit)), "{case}");
                assert!(!h.app.quit, "{case}");
            }
            Help => assert_eq!((effects, overlay), (&[][..], Some(Overlay::Help { scroll: 0 })), "{case}"),
            Save => assert!(matches!(effects, [Effect::Write(ConfigWrite::SaveSettings(_))]), "{case}: {effects:?}"),
            SaveHeld => {
                assert_eq!((effects, overlay), (&[][..], None), "{case}");
                assert!(h.flash_text().starts_with("not saved:"), "{case}: {}", h.flash_text());
            }
        }
    }

    #[test]
    fn every_verb_in_every_phase() {
        for (verb, row) in TABLE {
            let names = adsync::tui::command_bar::verb(verb).unwrap().names;
            for (phase, expect) in PHASES.iter().zip(row) {
                for name in names {
                    let mut h = in_phase(phase);
                    let effects = typed(&mut h, name);
                    check(*expect, &h, &effects, &format!(":{name} while {}", phase.label()));
                }
            }
        }
    }

    #[test]
    fn the_table_names_every_verb() {
        let mut tested: Vec<&str> = TABLE.iter().map(|(verb, _)| *verb).collect();
        let mut known: Vec<&str> = VERBS.iter().map(|v| v.names[0]).collect();
        tested.sort();
        known.sort();
        assert_eq!(tested, known);
    }

    /// The key bound to the verb's action in the verb's context, pressed where it works.
    fn press_key_of(h: &mut Harness, verb: &str) -> Vec<Effect> {
        let verb = adsync::tui::command_bar::verb(verb).unwrap();
        let key = h.app.keymap.key_for(verb.context, verb.action).unwrap();
        let modifiers = if key.ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE };
        h.press_with(key.code, modifiers)
    }

    /// Everything a key or a verb can change that the user sees.
    fn seen(h: &Harness, effects: Vec<Effect>) -> (Vec<Effect>, Option<Overlay>, Option<String>, bool, Pane) {
        let flash = h.app.flash.as_ref().map(|(_, text, _)| text.clone());
        (effects, h.app.overlay.clone(), flash, h.app.quit, h.app.focus)
    }

    #[test]
    fn a_typed_verb_does_what_its_key_does_in_every_phase() {
        for phase in &PHASES {
            for verb in VERBS {
                let name = verb.names[0];
                let (mut by_key, mut by_verb) = (in_phase(phase), in_phase(phase));
                if verb.context == adsync::tui::keymap::Context::Settings {
                    by_key.app.focus = Pane::Settings;
                    by_verb.app.focus = Pane::Settings;
                }
                let pressed = press_key_of(&mut by_key, name);
                let typed = typed(&mut by_verb, name);
                assert_eq!(seen(&by_verb, typed), seen(&by_key, pressed), ":{name} while {}", phase.label());
            }
        }
    }

    #[test]
    fn typed_sync_with_a_plan_ready_opens_the_confirmation() {
        let mut h = in_phase(&Phase::Planned);
        assert!(typed(&mut h, "sync").is_empty());
        assert_eq!(h.app.overlay, Some(Overlay::ConfirmApply));
        assert_eq!(h.press(KeyCode::Char('y')), vec![Effect::Engine(Command::Apply(Default::default()))]);
    }

    #[test]
    fn typed_quit_while_applying_asks_first() {
        let mut h = in_phase(&APPLYING);
        assert!(typed(&mut h, "q").is_empty());
        assert_eq!((h.app.overlay.clone(), h.app.quit), (Some(Overlay::ConfirmQuit), false));
        h.press(KeyCode::Char('n'));
        assert_eq!((h.app.overlay.clone(), h.app.quit), (None, false), "anything but y stays");
    }
}

/// Writes are effects: update asks, the runner writes, the answer comes back as an input.
mod saving {
    use super::*;
    use adsync::config::form::FieldId;
    use adsync::engine::Level;
    use adsync::tui::app::{SaveError, Saved};
    use adsync::tui::writes::save_log;

    fn last_log_line(h: &Harness) -> (Level, String) {
        let event = h.app.log.lines.back().unwrap();
        (event.level, event.message.clone())
    }

    fn edit_and_save(h: &mut Harness) -> Vec<Effect> {
        h.press(KeyCode::Char('1'));
        h.app.settings.row = h.app.settings.form.fields.iter().position(|f| f.id == FieldId::Delete).unwrap();
        h.press(KeyCode::Char(' '));
        h.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
    }

    #[test]
    fn a_failed_save_is_an_error_in_the_log_and_the_form_stays_dirty() {
        let mut h = Harness::with_file();
        let save = edit_and_save(&mut h);
        // A directory where the config file was: it can be neither read nor replaced.
        let path = h.app.config.origin.clone().unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert!(h.perform_writes(save).is_empty(), "no reload after a failed save");
        let (level, message) = last_log_line(&h);
        assert_eq!(level, Level::Error);
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert_eq!(h.app.flash.as_ref().map(|f| f.0), Some(Level::Error));
        assert!(h.app.settings.unsaved(), "the edit is still there to save again");
    }

    #[test]
    fn without_a_config_file_the_save_says_so() {
        let mut h = Harness::new();
        let save = edit_and_save(&mut h);
        assert!(h.perform_writes(save).is_empty());
        assert!(h.flash_text().contains("no config file to save to"), "{}", h.flash_text());
        assert!(h.app.settings.unsaved());
    }

    #[test]
    fn nothing_is_written_while_a_job_runs() {
        let mut h = Harness::with_file();
        h.snap.phase = Phase::Reading { entries: 10, pages: 1 };
        h.press(KeyCode::Char('j'));
        assert!(h.press(KeyCode::Char('x')).is_empty());
        assert_eq!(last_log_line(&h).0, Level::Warn);
        assert!(h.flash_text().contains("reading is running"), "{}", h.flash_text());
        assert!(edit_and_save(&mut h).is_empty());
        assert!(h.app.settings.unsaved());
    }

    #[test]
    fn the_log_is_saved_by_the_runner_and_reported_by_update() {
        let mut h = Harness::new();
        h.app.log.push(adsync::engine::Event::info("one line"));
        let dir = tempfile::tempdir().unwrap();
        let at = jiff::Timestamp::from_second(1_795_000_000).unwrap();
        let answer = save_log(&h.app.log.to_text(), &dir.path().join("state"), at);
        let path = dir.path().join("state/adsync-20261118-110640.log");
        assert!(matches!(&answer, Input::Saved(Ok(Saved::Log(p))) if *p == path), "{answer:?}");
        assert!(h.app.update(answer, &h.snap, h.now).is_empty());
        assert_eq!(h.flash_text(), format!("log saved to {}", path.display()));
        assert!(std::fs::read_to_string(&path).unwrap().contains("one line"));
    }

    #[test]
    fn a_log_that_cannot_be_saved_is_an_error() {
        let mut h = Harness::new();
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("state");
        std::fs::write(&blocker, "a file, not a directory").unwrap();
        let answer = save_log("text", &blocker, jiff::Timestamp::UNIX_EPOCH);
        assert!(matches!(answer, Input::Saved(Err(SaveError::Log { .. }))), "{answer:?}");
        h.app.update(answer, &h.snap, h.now);
        assert_eq!(last_log_line(&h).0, Level::Error);
        assert!(h.flash_text().starts_with("cannot save the log to"), "{}", h.flash_text());
    }

    #[test]
    fn a_reload_on_another_base_dn_starts_the_tree_there() {
        let mut h = Harness::new();
        h.press(KeyCode::Char('j'));
        let root = "OU=People,DC=example,DC=com";
        let config = Config::parse(&CONFIG.replace("DC=example,DC=com\"", &format!("{root}\"")), "a.toml").unwrap();
        let reloaded = Box::new(Reloaded { config, roots: vec![root.into()] });
        let effects = h.app.update(Input::Reloaded(Ok(reloaded)), &h.snap, h.now);
        assert_eq!(effects, vec![Effect::Engine(Command::Browse { dn: root.into(), refresh: false }), Effect::Observe]);
        assert_eq!(h.app.tree.selected.as_deref(), Some(root));
        assert_eq!(h.app.config.source.ldap().unwrap().base_dn.0, root);
    }

    #[test]
    fn a_config_that_no_longer_loads_is_an_error() {
        let mut h = Harness::new();
        let error = Config::parse("[source]\nkind = 3\n", "adsync.toml").unwrap_err();
        assert!(h.app.update(Input::Reloaded(Err(error)), &h.snap, h.now).is_empty());
        assert_eq!(last_log_line(&h).0, Level::Error);
    }
}

/// The History pane, the zoom key and the looks at the history and the schedule's heartbeat.
mod history {
    use super::*;
    use adsync::history::heartbeat::ScheduleStatus;
    use adsync::history::{Mode, Outcome, RunId, RunRecord, Trigger};
    use adsync::tui::app::Observed;

    fn run(id: &str) -> RunRecord {
        let at = jiff::Timestamp::from_second(1_795_000_000).unwrap();
        RunRecord::new(RunId(id.into()), (at, at), Trigger::Schedule, Mode::DryRun, Outcome::Planned)
    }

    #[test]
    fn five_shows_the_runs_and_enter_asks_the_runner_for_one_runs_changes() {
        let mut h = Harness::new();
        let observed = Observed { runs: Some(vec![run("b"), run("a")]), schedule: ScheduleStatus::NotRunning };
        h.app.update(Input::Observed(Box::new(observed)), &h.snap, h.now);
        h.press(KeyCode::Char('5'));
        assert_eq!(h.app.focus, Pane::History);
        h.press(KeyCode::Char('j'));
        assert_eq!(h.press(KeyCode::Enter), vec![Effect::LoadChanges(Box::new(run("a")))]);
        h.press(KeyCode::Esc);
        assert!(h.app.history.open.is_none(), "Esc goes back to the runs");
        let unchanged = Observed { runs: None, schedule: ScheduleStatus::NotRunning };
        h.app.update(Input::Observed(Box::new(unchanged)), &h.snap, h.now);
        assert_eq!(h.app.history.runs.len(), 2, "an unchanged history keeps the runs shown");
    }

    #[test]
    fn the_history_and_heartbeat_are_looked_at_every_two_seconds() {
        let mut h = Harness::new();
        let looks = |effects: Vec<Effect>| effects.iter().filter(|e| **e == Effect::Observe).count();
        assert_eq!(looks(h.tick(Duration::from_millis(100))), 0, "start looked already");
        assert_eq!(looks(h.tick(Duration::from_millis(1500))), 0);
        assert_eq!(looks(h.tick(Duration::from_millis(600))), 1);
        assert_eq!(looks(h.tick(Duration::from_millis(100))), 0);
    }

    #[test]
    fn z_zooms_the_focused_pane_and_gives_the_body_back() {
        let mut h = Harness::new();
        h.press(KeyCode::Char('3'));
        h.press(KeyCode::Char('z'));
        assert!(h.app.zoomed && h.app.focus == Pane::Diff);
        h.press(KeyCode::Char('z'));
        assert!(!h.app.zoomed);
    }
}

/// No config file yet: the settings form with the seed's defaults, nothing read before it is
/// saved, `t` checks the form's settings, and the first save starts the app proper.
mod first_run {
    use super::*;
    use adsync::config::form::FieldId;

    fn first_run() -> (Harness, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("xdg/adsync/config.toml");
        let mut h = Harness::with_config(Config::seed(path), None);
        h.app.begin_first_run(h.now);
        (h, dir)
    }

    #[test]
    fn the_form_opens_blank_with_the_defaults_and_nothing_is_read_before_saving() {
        let (mut h, _dir) = first_run();
        assert_eq!(h.app.focus, Pane::Settings);
        let form = &h.app.settings.form;
        for id in [FieldId::Host, FieldId::BindDn, FieldId::Password, FieldId::BaseDn, FieldId::Domain] {
            assert_eq!(form.text(id), "", "{id:?}");
        }
        assert_eq!(
            form.get(FieldId::Port).value,
            adsync::config::form::FieldValue::Choice { options: &["389 LDAP", "636 LDAPS"], index: 1 }
        );
        assert_eq!(h.app.start(), vec![Effect::Observe], "no browse of a directory not given yet");
        assert!(h.press(KeyCode::Char('s')).is_empty());
        assert!(h.flash_text().starts_with("save the settings first: Ctrl-S writes "), "{}", h.flash_text());
    }

    #[test]
    fn t_checks_the_forms_settings_and_the_first_save_starts_the_app() {
        let (mut h, _dir) = first_run();
        h.chars("jj");
        h.press(KeyCode::Enter);
        h.chars("dc1.example.com");
        h.press(KeyCode::Enter);
        h.chars("jjjjj");
        h.press(KeyCode::Enter);
        h.chars("DC=example,DC=com");
        h.press(KeyCode::Enter);
        let effects = h.press(KeyCode::Char('t'));
        assert_eq!(effects, vec![Effect::CheckForm(h.app.settings.form.clone())]);
        assert_eq!(h.app.overlay, Some(Overlay::Diagnostics));
        h.app.update(Input::CheckDone(Duration::from_millis(5)), &h.snap, h.now);
        h.press(KeyCode::Char('x')); // closes the check
        let save = h.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(h.perform_writes(save), vec![Effect::Reload]);
        let path = h.app.config.origin.clone().unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("# adsync configuration"));
        let effects = h.reload();
        assert!(!h.app.first_run);
        assert_eq!(effects[0], Effect::Engine(Command::Browse { dn: ROOT.into(), refresh: false }));
    }
}
