//! The TUI's state and its one update function: input in, state changed, effects out.
//! The app routes each key: Ctrl-C, then the text box, then an overlay, then the global
//! actions, then the focused pane. Which of them gets it is derived from the state, never
//! kept in a mode flag.

mod actions;
mod answers;
mod overlay_keys;
mod typing;

pub use super::effect::{ConfigWrite, Effect, Input, Observed, Reloaded, SaveError, Saved};
pub use super::overlays::Overlay;
pub use super::overlays::diagnostics::DiagnosticsState;
pub use super::panes::Pane;
pub use super::text_input::{TextInput, Typing};

use super::keymap::{Action, Context, Key, Keymap};
use super::panes::diff::DiffState;
use super::panes::history::HistoryState;
use super::panes::log::LogState;
use super::panes::settings::SettingsState;
use super::panes::tree::TreeState;
use crate::config::Config;
use crate::engine::{Command, Event, Level, Snapshot};
use crate::history::heartbeat::ScheduleStatus;
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
    pub history: HistoryState,
    pub diagnostics: DiagnosticsState,
    pub config: Config,
    /// Where browsing starts in each of the config's sources (one for a lone source).
    pub roots: Vec<String>,
    pub flash: Option<(Level, String, Instant)>,
    /// Whether `adsync schedule` runs for this config, from its heartbeat.
    pub schedule: ScheduleStatus,
    /// The focused pane has the whole body.
    pub zoomed: bool,
    /// When the history and the heartbeat were last asked for.
    observed: Option<Instant>,
    /// No config file yet: the form writes one, and nothing reads before it does.
    pub first_run: bool,
    /// The open check is of the form's settings (not the config in use).
    checking_form: bool,
    pub size: (u16, u16),
    pub quit: bool,
    /// Opened from the fleet screen: the fleet key goes back to it.
    pub in_fleet: bool,
    /// The app ended to show the fleet again (not to quit).
    pub back_to_fleet: bool,
}

const FLASH_FOR: Duration = Duration::from_secs(6);
/// How often the history and the schedule's heartbeat are looked at again: runs of other
/// processes (the schedule, a cron job) show up within this.
const OBSERVE_EVERY: Duration = Duration::from_secs(2);

impl App {
    pub fn new(config: Config, roots: Vec<String>, keymap: Keymap) -> Self {
        let tree = TreeState::of_source(&config, &roots, 0);
        Self {
            keymap,
            focus: Pane::Tree,
            overlay: None,
            input: None,
            settings: SettingsState::new(&config),
            tree,
            diff: DiffState::default(),
            log: LogState::default(),
            history: HistoryState::default(),
            diagnostics: DiagnosticsState::default(),
            config,
            roots,
            flash: None,
            schedule: ScheduleStatus::NotRunning,
            zoomed: false,
            observed: None,
            first_run: false,
            checking_form: false,
            size: (120, 40),
            quit: false,
            in_fleet: false,
            back_to_fleet: false,
        }
    }

    /// The first things to ask the engine for.
    pub fn start(&self) -> Vec<Effect> {
        if self.first_run {
            return vec![Effect::Observe];
        }
        let browse = Effect::Engine(Command::Browse { dn: self.tree.root.clone(), refresh: false });
        match self.tree.source_index() {
            // A new engine browses the first source.
            0 => vec![browse, Effect::Observe],
            at => vec![Effect::Engine(Command::BrowseSource(at)), browse, Effect::Observe],
        }
    }

    /// No config file yet: the settings form, seeded with the defaults, writes one.
    pub fn begin_first_run(&mut self, now: Instant) {
        self.first_run = true;
        self.settings = SettingsState::blank(&self.config);
        self.focus = Pane::Settings;
        let path = self.config.origin.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        let text = format!("No config yet: fill in, t tests, Ctrl-S saves to {path}");
        self.flash(Level::Info, text, now);
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
        super::layout::body_height(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1), pane, self.zoomed)
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
            Input::Observed(observed) => self.observed(*observed),
            Input::RunChanges { run, changes } => self.history.changes_arrived(&run, changes),
            Input::Refused(problem) => {
                self.overlay = None;
                self.diagnostics.finished(Duration::ZERO);
                self.flash(Level::Error, problem, now);
            }
        }
        Vec::new()
    }

    fn observed(&mut self, Observed { runs, schedule }: Observed) {
        if let Some(runs) = runs {
            self.history.set_runs(runs);
        }
        self.schedule = schedule;
    }

    fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        if self.flash.as_ref().is_some_and(|(_, _, at)| now.duration_since(*at) > FLASH_FOR) {
            self.flash = None;
        }
        let mut effects: Vec<Effect> = self.tree.inspect_due(now).into_iter().collect();
        // `start` asked for the first look; the clock counts from the first tick.
        match self.observed {
            Some(at) if now.duration_since(at) < OBSERVE_EVERY => {}
            Some(_) => {
                self.observed = Some(now);
                effects.push(Effect::Observe);
            }
            None => self.observed = Some(now),
        }
        effects
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
            return self.on_overlay_key(overlay, k, snapshot, now);
        }
        match self.keymap.action(self.context(), k) {
            Some(action) => self.on_action(action, snapshot, now),
            None => Vec::new(),
        }
    }
}
