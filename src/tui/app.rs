//! The TUI's state and its one update function: key in, state changed, effects out.
//! Which layer gets a key is derived from the state (text input, overlay, pane), never a flag.

use super::command_bar;
use super::diff_view::DiffView;
use super::keymap::{Action, Context, Key, Keymap};
use super::log_view::LogView;
use super::tree_view::{Collapse, Expand, TreeView};
use crate::config::Config;
use crate::config::form::{FieldId, FieldValue, Form};
use crate::diagnose::Step;
use crate::dn::Dn;
use crate::engine::{Command, Event, Level, Snapshot};
use crate::sync::guard::Overrides;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use std::time::{Duration, Instant};
use tui_input::Input as TextBox;
use tui_input::backend::crossterm::EventHandler;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Settings,
    Tree,
    Diff,
    Log,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Settings, Pane::Tree, Pane::Diff, Pane::Log];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Settings => "Settings",
            Pane::Tree => "Directory",
            Pane::Diff => "Pending changes",
            Pane::Log => "Log",
        }
    }

    fn context(self) -> Context {
        match self {
            Pane::Settings => Context::Settings,
            Pane::Tree => Context::Tree,
            Pane::Diff => Context::Diff,
            Pane::Log => Context::Log,
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane whose keymap context this is; none for global bindings.
    fn for_context(context: Context) -> Option<Pane> {
        Pane::ALL.into_iter().find(|p| p.context() == context)
    }
}

/// What a text box is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typing {
    Command,
    Filter,
    Edit(FieldId),
}

#[derive(Clone, Debug)]
pub struct TextInput {
    pub typing: Typing,
    pub text: TextBox,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// "Quit while applying?"
    ConfirmQuit,
    /// "Apply these N changes?", with the totals and the guards' verdict.
    ConfirmApply,
    /// The connectivity check, rung by rung.
    Diagnostics,
}

/// The connectivity check as the TUI shows it while it runs.
#[derive(Clone, Debug, Default)]
pub struct DiagnosticsView {
    pub steps: Vec<Step>,
    pub running: bool,
    pub selected: usize,
    pub expanded: bool,
    pub elapsed: Option<Duration>,
}

pub use super::effect::{ConfigWrite, Effect, Input, Reloaded, SaveError, Saved};

pub struct App {
    pub keymap: Keymap,
    pub focus: Pane,
    pub overlay: Option<Overlay>,
    pub input: Option<TextInput>,
    pub tree: TreeView,
    pub diff: DiffView,
    pub diagnostics: DiagnosticsView,
    pub log: LogView,
    pub form: Form,
    /// The form as the config file has it: what differs is not saved yet.
    saved_form: Form,
    pub settings_row: usize,
    pub config: Config,
    pub excluded: Vec<Dn>,
    pub flash: Option<(Level, String, Instant)>,
    /// When the last sync went through, from the state file.
    pub last_sync: Option<jiff::Timestamp>,
    pub size: (u16, u16),
    pub quit: bool,
    /// Selection waiting to be inspected once the cursor rests.
    pending_inspect: Option<(String, Instant)>,
}

const FLASH_FOR: Duration = Duration::from_secs(6);
const INSPECT_AFTER: Duration = Duration::from_millis(150);

impl App {
    pub fn new(config: Config, root: &str, keymap: Keymap) -> Self {
        let excluded = excluded_dns(&config);
        Self {
            keymap,
            focus: Pane::Tree,
            overlay: None,
            input: None,
            tree: TreeView::new(root),
            diff: DiffView::default(),
            diagnostics: DiagnosticsView::default(),
            log: LogView::default(),
            form: Form::from_config(&config),
            saved_form: Form::from_config(&config),
            settings_row: 0,
            config,
            excluded,
            flash: None,
            last_sync: None,
            size: (120, 40),
            quit: false,
            pending_inspect: None,
        }
    }

    /// The first things to ask the engine for.
    pub fn start(&self) -> Vec<Effect> {
        vec![Effect::Engine(Command::Browse { dn: self.tree.root.clone(), refresh: false })]
    }

    pub fn flash(&mut self, level: Level, text: impl Into<String>, now: Instant) {
        let text = text.into();
        self.log.push(Event::new(level, text.clone()));
        self.flash = Some((level, text, now));
    }

    /// The keymap context in force: the focused pane's.
    pub fn context(&self) -> Context {
        self.focus.context()
    }

    pub fn update(&mut self, input: Input, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match input {
            Input::Key(key) if key.kind == KeyEventKind::Press => self.on_key(key, snapshot, now),
            Input::Key(_) => Vec::new(),
            Input::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Input::Tick(at) => self.on_tick(at),
            Input::Log(event) => {
                self.log.push(event);
                Vec::new()
            }
            Input::CheckStep(step) => {
                self.diagnostics.steps.push(step);
                Vec::new()
            }
            Input::CheckDone(elapsed) => {
                self.diagnostics.running = false;
                self.diagnostics.elapsed = Some(elapsed);
                Vec::new()
            }
            Input::Saved(result) => self.on_saved(result, now),
            Input::Reloaded(result) => self.on_reloaded(result, now),
        }
    }

    /// Whether the settings form has edits the config file does not have yet.
    pub fn unsaved_settings(&self) -> bool {
        self.form != self.saved_form
    }

    /// Writing the config restarts the engine: a running job would go on unseen, and `q`
    /// would no longer ask. So nothing is written while one runs.
    fn write_config(&mut self, write: ConfigWrite, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        if snapshot.phase.is_busy() {
            let job = snapshot.phase.label().to_lowercase();
            self.flash(
                Level::Warn,
                format!("not saved: {job} is running and saving restarts the engine; save when it is done"),
                now,
            );
            return Vec::new();
        }
        vec![Effect::Write(write)]
    }

    fn on_saved(&mut self, result: Result<Saved, SaveError>, now: Instant) -> Vec<Effect> {
        let saved = match result {
            Ok(saved) => saved,
            Err(e) => {
                self.flash(Level::Error, e.to_string(), now);
                return Vec::new();
            }
        };
        self.flash(Level::Info, saved.message(), now);
        match saved {
            Saved::Log(_) => Vec::new(),
            Saved::Settings(form) => {
                self.saved_form = form;
                vec![Effect::Reload]
            }
            Saved::Exclusion { .. } | Saved::Exemption { .. } => vec![Effect::Reload],
        }
    }

    fn on_reloaded(&mut self, result: Result<Box<Reloaded>, crate::config::ConfigError>, now: Instant) -> Vec<Effect> {
        match result {
            Ok(reloaded) => {
                if reloaded.root != self.tree.root {
                    self.tree = TreeView::new(&reloaded.root);
                }
                self.reloaded(reloaded.config);
                self.start()
            }
            Err(e) => {
                self.flash(Level::Error, e.to_string(), now);
                Vec::new()
            }
        }
    }

    fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        if self.flash.as_ref().is_some_and(|(_, _, at)| now.duration_since(*at) > FLASH_FOR) {
            self.flash = None;
        }
        match self.pending_inspect.take() {
            Some((dn, at)) if now.duration_since(at) >= INSPECT_AFTER => vec![Effect::Engine(Command::Inspect(dn))],
            other => {
                self.pending_inspect = other;
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let k = Key::from_event(&key);
        // Ctrl-C always quits, whatever has the keyboard.
        if self.keymap.action(Context::Global, k) == Some(Action::ForceQuit) {
            self.quit = true;
            return vec![Effect::Quit];
        }
        if self.input.is_some() {
            return self.on_text_key(key, snapshot, now);
        }
        if let Some(overlay) = self.overlay.clone() {
            return self.on_overlay_key(overlay, k, snapshot);
        }
        match self.keymap.action(self.context(), k) {
            Some(action) => self.on_action(action, snapshot, now),
            None => Vec::new(),
        }
    }

    fn on_overlay_key(&mut self, overlay: Overlay, key: Key, snapshot: &Snapshot) -> Vec<Effect> {
        let action = self.keymap.action(Context::Global, key);
        match (overlay, action) {
            (Overlay::ConfirmQuit, _) if key.code == KeyCode::Char('y') => {
                self.quit = true;
                vec![Effect::Quit]
            }
            (Overlay::ConfirmQuit, _) => {
                self.overlay = None;
                Vec::new()
            }
            (Overlay::ConfirmApply, _) => {
                self.overlay = None;
                let confirmed = key.code == KeyCode::Char('y') && self.apply_allowed(snapshot);
                if confirmed { vec![Effect::Engine(Command::Apply(Overrides::default()))] } else { Vec::new() }
            }
            (Overlay::Diagnostics, action) => self.on_diagnostics_key(action),
            (Overlay::Help { scroll }, Some(Action::Down | Action::PageDown)) => {
                self.overlay =
                    Some(Overlay::Help { scroll: scroll + if action == Some(Action::Down) { 1 } else { 10 } });
                Vec::new()
            }
            (Overlay::Help { scroll }, Some(Action::Up | Action::PageUp)) => {
                self.overlay = Some(Overlay::Help {
                    scroll: scroll.saturating_sub(if action == Some(Action::Up) { 1 } else { 10 }),
                });
                Vec::new()
            }
            (Overlay::Help { .. }, Some(Action::Quit)) if snapshot.phase.is_busy() => {
                self.overlay = None;
                Vec::new()
            }
            (Overlay::Help { .. }, _) => {
                self.overlay = None;
                Vec::new()
            }
        }
    }

    fn on_action(&mut self, action: Action, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match action {
            Action::Quit if snapshot.phase.is_busy() => {
                self.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            }
            Action::Quit | Action::ForceQuit => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Action::NextPane => self.focus_at(self.focus.index() + 1),
            Action::PrevPane => self.focus_at(self.focus.index() + Pane::ALL.len() - 1),
            Action::FocusSettings => self.focus_on(Pane::Settings),
            Action::FocusTree => self.focus_on(Pane::Tree),
            Action::FocusDiff => self.focus_on(Pane::Diff),
            Action::FocusLog => self.focus_on(Pane::Log),
            Action::CommandBar => self.open_input(Typing::Command, ""),
            Action::Search => vec![Effect::Engine(Command::Search)],
            Action::Cancel if snapshot.phase.is_busy() => vec![Effect::Engine(Command::Cancel)],
            Action::Plan => {
                self.diff.reset();
                self.focus = Pane::Diff;
                vec![Effect::Engine(Command::Plan)]
            }
            Action::Apply => self.ask_to_apply(snapshot, now),
            Action::Check => self.start_check(),
            _ => self.on_pane_action(self.focus, action, snapshot, now),
        }
    }

    fn focus_on(&mut self, pane: Pane) -> Vec<Effect> {
        self.focus = pane;
        Vec::new()
    }

    fn focus_at(&mut self, index: usize) -> Vec<Effect> {
        self.focus_on(Pane::ALL[index % Pane::ALL.len()])
    }

    fn open_input(&mut self, typing: Typing, initial: &str) -> Vec<Effect> {
        self.input = Some(TextInput { typing, text: TextBox::new(initial.to_string()), error: None });
        Vec::new()
    }

    fn on_pane_action(&mut self, pane: Pane, action: Action, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match pane {
            Pane::Tree => self.on_tree_action(action, snapshot, now),
            Pane::Log => self.on_log_action(action, now),
            Pane::Settings => self.on_settings_action(action, snapshot, now),
            Pane::Diff => self.on_diff_action(action, snapshot, now),
        }
    }

    /// Rows in the focused pane's body at the current size (for paging).
    pub fn page_height(&self) -> usize {
        super::layout::body_height(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1), self.focus)
    }

    fn on_tree_action(&mut self, action: Action, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let page = self.page_height();
        let (target, expand, collapse) = {
            let rows = self.tree.rows(&snapshot.tree);
            let at = self.tree.selected_index(&rows);
            let target = match action {
                Action::Up => TreeView::dn_at(&rows, at.saturating_sub(1)),
                Action::Down => TreeView::dn_at(&rows, at + 1),
                Action::PageUp => TreeView::dn_at(&rows, at.saturating_sub(page)),
                Action::PageDown => TreeView::dn_at(&rows, at + page),
                Action::Top => TreeView::dn_at(&rows, 0),
                Action::Bottom => TreeView::dn_at(&rows, usize::MAX),
                _ => None,
            };
            (target, self.tree.expand_target(&rows), self.tree.collapse_target(&rows))
        };
        if let Some(dn) = target {
            self.select(dn, now);
            return Vec::new();
        }
        match action {
            Action::Expand => return self.expand(expand, now),
            Action::Collapse => match collapse {
                Collapse::Close(dn) => {
                    self.tree.open.remove(&dn);
                }
                Collapse::StepOut(dn) => self.select(dn, now),
                Collapse::Nothing => {}
            },
            Action::Filter => return self.open_input(Typing::Filter, &self.tree.filter.clone()),
            Action::Refresh => {
                return self
                    .tree
                    .open_dns()
                    .into_iter()
                    .map(|dn| Effect::Engine(Command::Browse { dn, refresh: true }))
                    .collect();
            }
            Action::CopyDn => {
                if let Some(dn) = self.tree.selected.clone() {
                    self.flash(Level::Info, format!("copied {dn}"), now);
                    return vec![Effect::CopyToClipboard(dn)];
                }
            }
            Action::Exclude => {
                if let Some(dn) = self.tree.selected.clone() {
                    return self.write_config(ConfigWrite::ToggleExclusion { dn }, snapshot, now);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn expand(&mut self, expand: Expand, now: Instant) -> Vec<Effect> {
        match expand {
            Expand::Open { dn, fetch } => {
                self.tree.open.insert(dn.clone());
                if fetch {
                    return vec![Effect::Engine(Command::Browse { dn, refresh: false })];
                }
            }
            Expand::StepInto(dn) => self.select(dn, now),
            Expand::Nothing => {}
        }
        Vec::new()
    }

    fn select(&mut self, dn: String, now: Instant) {
        self.tree.selected = Some(dn.clone());
        self.pending_inspect = Some((dn, now));
    }

    fn ask_to_apply(&mut self, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match (&snapshot.phase, &snapshot.review) {
            (crate::engine::Phase::Planned, Some(_)) => self.overlay = Some(Overlay::ConfirmApply),
            _ => self.flash(Level::Warn, "nothing to apply yet: press p to plan first", now),
        }
        Vec::new()
    }

    /// Whether the guards let the current selection through (the overlay shows why not).
    pub fn apply_allowed(&self, snapshot: &Snapshot) -> bool {
        snapshot
            .review
            .as_ref()
            .is_some_and(|r| r.approved() > 0 && r.verdict(Overrides::default(), &self.config.sync.guards).ok())
    }

    fn start_check(&mut self) -> Vec<Effect> {
        if self.diagnostics.running {
            self.overlay = Some(Overlay::Diagnostics);
            return Vec::new();
        }
        self.diagnostics = DiagnosticsView { running: true, ..DiagnosticsView::default() };
        self.overlay = Some(Overlay::Diagnostics);
        vec![Effect::RunCheck]
    }

    fn on_diagnostics_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        let last = self.diagnostics.steps.len().saturating_sub(1);
        match action {
            Some(Action::Down) => self.diagnostics.selected = (self.diagnostics.selected + 1).min(last),
            Some(Action::Up) => self.diagnostics.selected = self.diagnostics.selected.saturating_sub(1),
            Some(Action::Expand | Action::Edit | Action::Details) => {
                self.diagnostics.expanded = !self.diagnostics.expanded
            }
            Some(Action::Check) if !self.diagnostics.running => return self.start_check(),
            _ => self.overlay = None,
        }
        Vec::new()
    }

    fn on_diff_action(&mut self, action: Action, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let Some(review) = snapshot.review.as_deref().filter(|_| snapshot.phase == crate::engine::Phase::Planned)
        else {
            return Vec::new();
        };
        let page = self.page_height() as isize;
        let current = self.diff.current(review);
        match action {
            Action::Up => self.diff.move_by(review, -1),
            Action::Down => self.diff.move_by(review, 1),
            Action::PageUp => self.diff.move_by(review, -page),
            Action::PageDown => self.diff.move_by(review, page),
            Action::Top => self.diff.move_by(review, isize::MIN / 2),
            Action::Bottom => self.diff.move_by(review, isize::MAX / 2),
            Action::Toggle => {
                if let Some(k) = current {
                    self.diff.selected = Some(k);
                    let approved = !review.selected.get(k).copied().unwrap_or(false);
                    return vec![Effect::Engine(Command::Select { id: k, approved })];
                }
            }
            Action::SelectAll => return vec![Effect::Engine(Command::SelectAll(true))],
            Action::SelectNone => return vec![Effect::Engine(Command::SelectAll(false))],
            Action::Details => {
                if let Some(k) = current {
                    self.diff.selected = Some(k);
                    self.diff.toggle_expanded(k);
                }
            }
            Action::Exempt => {
                if let Some(k) = current {
                    let email = review.planned.plan.changes[k].email().to_string();
                    return self.write_config(ConfigWrite::AddExemption { email }, snapshot, now);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_log_action(&mut self, action: Action, now: Instant) -> Vec<Effect> {
        let page = self.page_height();
        match action {
            Action::Up => self.log.scroll(-1, page),
            Action::Down => self.log.scroll(1, page),
            Action::PageUp => self.log.scroll(-(page as isize), page),
            Action::PageDown => self.log.scroll(page as isize, page),
            Action::Top => self.log.scroll(isize::MIN / 2, page),
            Action::Bottom => self.log.scroll(isize::MAX / 2, page),
            Action::Follow => {
                self.log.follow = !self.log.follow;
                self.log.offset = self.log.first_visible(page);
            }
            Action::Wrap => self.log.wrap = !self.log.wrap,
            Action::SaveLog => return vec![Effect::SaveLog],
            _ => {}
        }
        let _ = now;
        Vec::new()
    }

    fn on_settings_action(&mut self, action: Action, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let count = self.form.fields.len();
        match action {
            Action::Up => self.settings_row = self.settings_row.saturating_sub(1),
            Action::Down => self.settings_row = (self.settings_row + 1).min(count - 1),
            Action::Top => self.settings_row = 0,
            Action::Bottom => self.settings_row = count - 1,
            Action::Toggle => {
                let id = self.form.fields[self.settings_row].id;
                self.form.toggle(id);
            }
            Action::Edit => {
                let field = &self.form.fields[self.settings_row];
                match &field.value {
                    FieldValue::Text(t) => return self.open_input(Typing::Edit(field.id), &t.clone()),
                    _ => self.form.toggle(field.id),
                }
            }
            Action::Save => return self.save_settings(snapshot, now),
            Action::TestConnection => {
                return vec![Effect::Engine(Command::Browse { dn: self.tree.root.clone(), refresh: true })];
            }
            _ => {}
        }
        Vec::new()
    }

    fn save_settings(&mut self, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        self.write_config(ConfigWrite::SaveSettings(self.form.clone()), snapshot, now)
    }

    fn on_text_key(&mut self, key: KeyEvent, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let Some(mut input) = self.input.take() else { return Vec::new() };
        match key.code {
            KeyCode::Esc => {
                if input.typing == Typing::Filter {
                    self.tree.filter.clear();
                }
                Vec::new()
            }
            KeyCode::Enter => self.submit(input, snapshot, now),
            _ => {
                input.text.handle_event(&crossterm::event::Event::Key(key));
                input.error = self.live_check(&input);
                if input.typing == Typing::Filter {
                    self.tree.filter = input.text.value().to_string();
                }
                self.input = Some(input);
                Vec::new()
            }
        }
    }

    /// Validation as you type, for settings fields.
    fn live_check(&self, input: &TextInput) -> Option<String> {
        let Typing::Edit(id) = input.typing else { return None };
        let mut probe = self.form.clone();
        probe.set_text(id, input.text.value()).err()
    }

    fn submit(&mut self, input: TextInput, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let text = input.text.value().trim().to_string();
        match input.typing {
            Typing::Filter => {
                self.tree.filter = text;
                Vec::new()
            }
            Typing::Edit(id) => {
                if let Err(e) = self.form.set_text(id, &text) {
                    self.input = Some(TextInput { error: Some(e), ..input });
                }
                Vec::new()
            }
            Typing::Command => self.run_command(&text, snapshot, now),
        }
    }

    /// A typed verb goes where its key would: the same action, context and snapshot.
    fn run_command(&mut self, text: &str, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        if text.is_empty() {
            return Vec::new();
        }
        let Some(verb) = command_bar::verb(text) else {
            let known = command_bar::verb_list();
            self.flash(Level::Warn, format!("unknown command \"{text}\": try {known}"), now);
            return Vec::new();
        };
        match Pane::for_context(verb.context) {
            Some(pane) => self.on_pane_action(pane, verb.action, snapshot, now),
            None => self.on_action(verb.action, snapshot, now),
        }
    }
}

fn excluded_dns(config: &Config) -> Vec<Dn> {
    config.exclude.subtrees.iter().filter_map(|d| Dn::parse(&d.0).ok()).collect()
}

impl App {
    /// After the config file changed on disk (settings saved, subtree excluded).
    fn reloaded(&mut self, config: Config) {
        self.diff.reset();
        self.excluded = excluded_dns(&config);
        self.form = Form::from_config(&config);
        self.saved_form = self.form.clone();
        self.config = config;
    }
}
