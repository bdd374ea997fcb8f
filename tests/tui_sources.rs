//! An organisation with several `[[source]]`s in the TUI, as a state machine: the directory
//! pane browses one source at a time and `]` moves on to the next; `x` excludes within the
//! browsed source (its own `[source.exclude]`); `c` checks it; the settings pane edits one
//! source at a time and saves each into its own table.

use adsync::config::Config;
use adsync::engine::tree::TreeData;
use adsync::engine::{Command, Snapshot};
use adsync::model::{NodeKind, TreeNode};
use adsync::tui::app::{App, ConfigWrite, Effect, Input, Pane, Reloaded};
use adsync::tui::keymap::Keymap;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

const TWO: &str = "# two forests\n[[source]]\nname = \"hq\"\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\n\
                   bind_dn = \"svc@example.com\"\npassword_env = \"PW\"\nbase_dn = \"DC=example,DC=com\"\n\n\
                   [[source]]\nname = \"branch\"\nkind = \"ldap\"\nurl = \"ldaps://dc9.branch.example\"\n\
                   bind_dn = \"svc@branch.example\"\npassword_env = \"PW\"\nbase_dn = \"DC=branch,DC=example\"\n\n\
                   [exclude]\nsubtrees = [\"OU=Old,DC=example,DC=com\"]\n";
const HQ: &str = "DC=example,DC=com";
const BRANCH: &str = "DC=branch,DC=example";
const SALES: &str = "OU=Sales,DC=branch,DC=example";

fn roots() -> Vec<String> {
    vec![HQ.into(), BRANCH.into()]
}

/// The engine's tree after it browsed the branch's root.
fn branch_listed() -> Snapshot {
    let mut tree = TreeData::browsing(1);
    tree.request_children(BRANCH, false);
    let sales = TreeNode { dn: SALES.into(), label: "Sales".into(), kind: NodeKind::Container, ..TreeNode::default() };
    tree.children_arrived(BRANCH, Ok(vec![sales]));
    Snapshot { tree: Arc::new(tree), ..Snapshot::default() }
}

struct Harness {
    app: App,
    snap: Snapshot,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adsync.toml");
        std::fs::write(&path, TWO).unwrap();
        let app = App::new(Config::load(&path).unwrap(), roots(), Keymap::defaults());
        Self { app, snap: Snapshot::default(), path, _dir: dir }
    }

    fn press(&mut self, code: KeyCode) -> Vec<Effect> {
        let key = Input::Key(KeyEvent::new(code, KeyModifiers::NONE));
        self.app.update(key, &self.snap, Instant::now())
    }

    fn key(&mut self, c: char) -> Vec<Effect> {
        self.press(KeyCode::Char(c))
    }

    fn flash(&self) -> &str {
        self.app.flash.as_ref().map_or("", |(_, text, _)| text)
    }

    /// The runner's part: the config writes performed, their answers fed back.
    fn perform_writes(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let answers: Vec<Input> = effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Write(write) => Some(write.perform(Some(&self.path))),
                _ => None,
            })
            .collect();
        answers.into_iter().flat_map(|input| self.app.update(input, &self.snap, Instant::now())).collect()
    }

    fn reload(&mut self) -> Vec<Effect> {
        let reloaded = Reloaded { config: Config::load(&self.path).unwrap(), roots: roots() };
        self.app.update(Input::Reloaded(Ok(Box::new(reloaded))), &self.snap, Instant::now())
    }

    fn config(&self) -> Config {
        Config::load(&self.path).unwrap()
    }
}

fn browse(dn: &str) -> Effect {
    Effect::Engine(Command::Browse { dn: dn.into(), refresh: false })
}

#[test]
fn the_directory_pane_browses_one_source_and_the_key_moves_to_the_next() {
    let mut h = Harness::new();
    assert_eq!(h.app.start(), vec![browse(HQ), Effect::Observe], "the first source first");
    assert_eq!(h.app.tree.source.as_ref().map(|b| (b.name.as_str(), b.at, b.of)), Some(("hq", 0, 2)));
    assert_eq!(h.app.tree.excluded.len(), 1, "the shared exclusions are marked in every source");

    assert_eq!(h.key(']'), vec![Effect::Engine(Command::BrowseSource(1)), browse(BRANCH)]);
    assert_eq!((h.app.tree.root.as_str(), h.app.tree.selected.as_deref()), (BRANCH, Some(BRANCH)));
    assert_eq!(h.flash(), format!("browsing source branch from {BRANCH}"));
    assert_eq!(h.key(']'), vec![Effect::Engine(Command::BrowseSource(0)), browse(HQ)], "round to the first");
    assert_eq!(h.app.tree.root, HQ);
}

#[test]
fn x_excludes_within_the_browsed_source_and_the_reload_stays_on_it() {
    let mut h = Harness::new();
    h.key(']');
    h.snap = branch_listed();
    h.key('j');
    let x = h.key('x');
    let write = ConfigWrite::ToggleExclusion { dn: SALES.into(), source: Some("branch".into()) };
    assert_eq!(x, vec![Effect::Write(write)]);
    assert_eq!(h.perform_writes(x), vec![Effect::Reload]);
    assert_eq!(h.flash(), format!("excluded {SALES} from source branch (saved)"));
    let config = h.config();
    let own: Vec<&str> = config.sources[1].exclude.subtrees.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(own, [SALES]);
    assert!(config.sources[0].exclude.subtrees.is_empty() && config.exclude.subtrees.len() == 1);
    assert!(std::fs::read_to_string(&h.path).unwrap().starts_with("# two forests"), "comments are kept");

    let again = h.reload();
    assert_eq!(again, vec![Effect::Engine(Command::BrowseSource(1)), browse(BRANCH), Effect::Observe]);
    assert_eq!(h.app.tree.selected.as_deref(), Some(SALES), "the tree keeps its place");
    assert_eq!(h.app.tree.excluded.len(), 2, "its own exclusion and the shared one");
    let x = h.key('x');
    h.perform_writes(x);
    assert_eq!(h.flash(), format!("{SALES} is synced again (saved)"));
    assert!(h.config().sources[1].exclude.subtrees.is_empty());
}

#[test]
fn c_checks_the_source_the_directory_pane_browses() {
    let mut h = Harness::new();
    h.key(']');
    assert_eq!(h.key('c'), vec![Effect::RunCheck(1)]);
}

#[test]
fn the_settings_pane_edits_one_source_at_a_time_and_saves_each_into_its_table() {
    let mut h = Harness::new();
    h.key('1');
    assert_eq!(h.app.focus, Pane::Settings);
    assert_eq!(h.app.settings.form.editing_source(), Some(("hq", 2)));
    assert_eq!(h.key(']'), vec![]);
    assert_eq!(h.app.settings.form.editing_source(), Some(("branch", 2)));
    assert_eq!(h.flash(), "editing source branch (2 of 2)");
    assert!(!h.app.settings.unsaved(), "looking at another source changes nothing");
    h.app.settings.form.set_text(adsync::config::form::FieldId::Host, "dc10.branch.example").unwrap();
    let save = h.press_ctrl('s');
    assert!(matches!(save.as_slice(), [Effect::Write(ConfigWrite::SaveSettings(_))]), "{save:?}");
    assert_eq!(h.perform_writes(save), vec![Effect::Reload]);
    let config = h.config();
    assert_eq!(config.sources[1].source.ldap().unwrap().url.host, "dc10.branch.example");
    assert_eq!(config.sources[0].source.ldap().unwrap().url.host, "dc1.example.com");
    h.reload();
    assert_eq!(h.app.settings.form.editing_source(), Some(("branch", 2)), "the reload keeps the source shown");
    assert!(!h.app.settings.unsaved());
}

#[test]
fn with_one_source_the_key_says_there_is_no_other() {
    let one = "[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbase_dn = \"DC=example,DC=com\"\n";
    let mut app = App::new(Config::parse(one, "adsync.toml").unwrap(), vec![HQ.into()], Keymap::defaults());
    let key = || Input::Key(KeyEvent::new(KeyCode::Char(']'), KeyModifiers::NONE));
    assert_eq!(app.update(key(), &Snapshot::default(), Instant::now()), vec![]);
    assert_eq!(app.flash.as_ref().map(|f| f.1.as_str()), Some("one source: there is no other to browse"));
    assert!(app.tree.source.is_none());
    app.update(Input::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE)), &Snapshot::default(), Instant::now());
    app.update(key(), &Snapshot::default(), Instant::now());
    assert_eq!(app.flash.as_ref().map(|f| f.1.as_str()), Some("one source: there is no other to edit"));
}

impl Harness {
    fn press_ctrl(&mut self, c: char) -> Vec<Effect> {
        let key = Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        self.app.update(key, &self.snap, Instant::now())
    }
}
