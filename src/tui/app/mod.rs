//! The TUI's state and its one update function: input in, state changed, effects out.
//! The app routes each key: Ctrl-C, then the text box, then an overlay, then the global
//! actions, then the focused pane. Which of them gets it is derived from the state, never
//! kept in a mode flag.

mod actions;
mod answers;
mod overlay_keys;
mod typing;

pub use super::effect::{ConfigWrite, Effect, Input, Reloaded, SaveError, Saved};
pub use super::overlays::Overlay;
pub use super::overlays::diagnostics::DiagnosticsState;
pub use super::panes::Pane;
pub use super::text_input::{TextInput, Typing};

use super::keymap::{Action, Context, Key, Keymap};
use super::panes::diff::DiffState;
use super::panes::log::LogState;
use super::panes::settings::SettingsState;
use super::panes::tree::TreeState;
use crate::config::Config;
use crate::engine::{Command, Event, Level, Snapshot};
use crossterm::event::{KeyEvent, KeyEventKind};
use std::time::{Duration, Instant};

pub struct App {
    pub keymap: Keymap,
    pub focus: Pane,
    pub overlay: Option<Overlay>,
    pub input: Option<TextInput>,
    pub settings: SettingsState,
    pub tree: TreeState,
    pub diff: DiffState,
    pub log: LogState,
    pub diagnostics: DiagnosticsState,
    pub config: Config,
    pub flash: Option<(Level, String, Instant)>,
    /// When the last sync went through, from the state file.
    pub last_sync: Option<jiff::Timestamp>,
    pub size: (u16, u16),
    pub quit: bool,
}

const FLASH_FOR: Duration = Duration::from_secs(6);

impl App {
    pub fn new(config: Config, root: &str, keymap: Keymap) -> Self {
        let mut tree = TreeState::new(root);
        tree.set_excluded(&config.exclude);
        Self {
            keymap,
            focus: Pane::Tree,
            overlay: None,
            input: None,
            settings: SettingsState::new(&config),
            tree,
            diff: DiffState::default(),
            log: LogState::default(),
            diagnostics: DiagnosticsState::default(),
            config,
            flash: None,
            last_sync: None,
            size: (120, 40),
            quit: false,
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

    /// Rows in `pane`'s body at the current size, with the pane focused (for paging).
    fn page_height(&self, pane: Pane) -> usize {
        super::layout::body_height(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1), pane)
    }

    pub fn update(&mut self, input: Input, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        match input {
            Input::Key(key) if key.kind == KeyEventKind::Press => return self.on_key(key, snapshot, now),
            Input::Tick(at) => return self.on_tick(at),
            Input::Saved(result) => return self.on_saved(result, now),
            Input::Reloaded(result) => return self.on_reloaded(result, now),
            Input::Key(_) => {}
            Input::Resize(w, h) => self.size = (w, h),
            Input::Log(event) => self.log.push(event),
            Input::CheckStep(step) => self.diagnostics.steps.push(step),
            Input::CheckDone(elapsed) => self.diagnostics.finished(elapsed),
        }
        Vec::new()
    }

    fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        if self.flash.as_ref().is_some_and(|(_, _, at)| now.duration_since(*at) > FLASH_FOR) {
            self.flash = None;
        }
        self.tree.inspect_due(now).into_iter().collect()
    }

    fn on_key(&mut self, key: KeyEvent, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let k = Key::from_event(&key);
        // Ctrl-C always quits, whatever has the keyboard.
        if self.keymap.action(Context::Global, k) == Some(Action::ForceQuit) {
            return self.quit();
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
}
