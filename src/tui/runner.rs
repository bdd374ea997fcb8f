//! The event loop: keys and engine updates in, frames out, drawn only when something
//! changed and at most every 16 ms. Never awaits I/O on the draw path.

use super::app::App;
use super::effect::{Effect, Input, Reloaded};
use super::keymap::Keymap;
use super::theme::Theme;
use super::view::{ViewCtx, draw};
use crate::config::Config;
use crate::engine::{self, EngineHandle, Event, Level, Snapshot};
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

const FRAME_INTERVAL: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(100);
/// How long a reload waits for the old engine to let go of what it holds (a file target's
/// lock) before starting the new one anyway. Only a browse still in flight makes it wait.
const STOP_WAIT: Duration = Duration::from_secs(2);

pub struct TuiOptions {
    pub config: Config,
    /// A keymap file that patches the defaults, if the user has one.
    pub keymap_file: Option<PathBuf>,
    /// There is no config file yet: open on the settings form, which writes one.
    pub first_run: bool,
    /// The organisation of a fleet the config is (`adsync --org NAME`), read again from there.
    pub org: Option<crate::config::fleet::OrgSource>,
}

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// The engine, the line naming its source, and where browsing starts in each of its sources.
fn start_engine(config: &Config) -> (EngineHandle, String, Vec<String>) {
    let mut parts = engine::EngineParts::for_sync(config);
    parts.runs.trigger = crate::history::Trigger::Tui;
    let describe = parts.source.describe();
    let roots = parts.browse.iter().map(|source| source.root()).collect();
    (engine::spawn(parts), describe, roots)
}

pub(super) fn load_keymap(file: Option<&PathBuf>) -> (Keymap, Vec<String>) {
    match file.map(std::fs::read_to_string) {
        Some(Ok(text)) => Keymap::with_user_file(&text, &file.map(|f| f.display().to_string()).unwrap_or_default()),
        Some(Err(e)) => (Keymap::defaults(), vec![format!("keymap file: {e}")]),
        None => (Keymap::defaults(), Vec::new()),
    }
}

/// Runs the TUI until the user quits. The terminal is restored on every way out.
pub async fn run(opts: TuiOptions) -> Result<(), TuiError> {
    let mut terminal = super::terminal::enter();
    let result = session(&mut terminal, opts, false).await;
    super::terminal::leave();
    // What went wrong with notifications (or the history) is said on the restored terminal.
    for warning in result?.1 {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

/// How the app on one config ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Quit,
    /// The fleet key, in an organisation opened from the fleet screen.
    BackToFleet,
}

/// The app on one config, in a terminal already entered; `in_fleet` when opened from the fleet
/// screen. Notifications still under way are sent before it returns, with the warnings.
pub(super) async fn session(
    terminal: &mut ratatui::DefaultTerminal,
    opts: TuiOptions,
    in_fleet: bool,
) -> Result<(Ended, Vec<String>), TuiError> {
    let (keymap, problems) = load_keymap(opts.keymap_file.as_ref());
    let (engine, describe, roots) = start_engine(&opts.config);
    let mut app = App::new(opts.config, roots, keymap);
    app.in_fleet = in_fleet;
    if opts.first_run {
        app.begin_first_run(Instant::now());
    }
    for p in problems {
        app.flash(Level::Warn, p, Instant::now());
    }
    for w in app.config.warnings.clone() {
        app.log.push(Event::warn(w));
    }
    let engine = event_loop(terminal, &mut app, engine, describe, opts.org).await?;
    let warnings = match engine {
        Some(engine) => engine.settle().await,
        None => Vec::new(),
    };
    Ok((if app.back_to_fleet { Ended::BackToFleet } else { Ended::Quit }, warnings))
}

struct Loop {
    /// None only while a reload swaps engines.
    engine: Option<EngineHandle>,
    config: Config,
    /// Answers to the effects performed for the app (file writes, the connectivity check).
    answers: (tokio::sync::mpsc::UnboundedSender<Input>, tokio::sync::mpsc::UnboundedReceiver<Input>),
    state: tokio::sync::watch::Receiver<Snapshot>,
    events: tokio::sync::broadcast::Receiver<Event>,
    view: ViewCtx,
    busy_since: Option<Instant>,
    /// Where the history and the heartbeat are, and how the history looked when last read.
    places: super::observe::Places,
    seen: super::observe::Seen,
    /// The engine's last recorded run, as last seen.
    last_run: Option<Arc<crate::history::RunRecord>>,
    org: Option<crate::config::fleet::OrgSource>,
}

impl Loop {
    fn new(engine: EngineHandle, source: String, config: Config, org: Option<crate::config::fleet::OrgSource>) -> Self {
        Self {
            org,
            places: super::observe::Places::of(&config),
            seen: Default::default(),
            last_run: None,
            config,
            answers: tokio::sync::mpsc::unbounded_channel(),
            state: engine.state(),
            events: engine.events(),
            engine: Some(engine),
            view: ViewCtx {
                theme: Theme::from_env(),
                now: jiff::Timestamp::now(),
                tz: jiff::tz::TimeZone::system(),
                source,
                busy_for: None,
            },
            busy_since: None,
        }
    }

    /// Puts a new engine in place of the old one; answers still on their way are kept.
    fn attach(&mut self, engine: EngineHandle, source: String, config: Config) {
        self.state = engine.state();
        self.events = engine.events();
        self.engine = Some(engine);
        self.view.source = source;
        self.places = super::observe::Places::of(&config);
        self.seen = Default::default();
        self.config = config;
        self.busy_since = None;
    }

    fn answer(&self, input: Input) {
        // The receiver lives in `self`: this send cannot fail.
        let _ = self.answers.0.send(input);
    }

    /// A run that just ended here shows in the History pane and the status bar at once.
    fn observe_new_run(&mut self) {
        let last = self.state.borrow().last_run.clone();
        let new = match (&last, &self.last_run) {
            (Some(now), Some(before)) => !Arc::ptr_eq(now, before),
            (now, _) => now.is_some(),
        };
        if new {
            self.last_run = last;
            let read = self.places.observe(&mut self.seen);
            self.answer_later(read);
        }
    }

    /// Reads off the event loop's thread; the answer comes back as an input.
    fn answer_later(&self, read: impl FnOnce() -> Input + Send + 'static) {
        let tx = self.answers.0.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(read());
        });
    }

    /// Reads the config file again and restarts the engine on it; a config that no longer
    /// loads leaves the running engine as it is.
    async fn reload(&mut self) -> Option<Input> {
        let loaded = match &self.org {
            Some(org) => org.load(),
            None => Config::load(self.config.origin.as_deref()?),
        };
        let config = match loaded {
            Ok(config) => config,
            Err(e) => return Some(Input::Reloaded(Err(e))),
        };
        self.stop_engine().await;
        let (engine, describe, roots) = start_engine(&config);
        self.attach(engine, describe, config.clone());
        Some(Input::Reloaded(Ok(Box::new(Reloaded { config, roots }))))
    }

    /// Drops our handle and waits until the engine is gone: its state channel closes with it.
    async fn stop_engine(&mut self) {
        let mut state = self.state.clone();
        self.engine = None;
        let gone = async { while state.changed().await.is_ok() {} };
        if tokio::time::timeout(STOP_WAIT, gone).await.is_err() {
            // The new engine starts anyway and reports what it could not open.
            tracing::debug!("the old engine is still finishing a browse");
        }
    }

    fn snapshot(&mut self) -> Snapshot {
        let snap = self.state.borrow_and_update().clone();
        match (snap.phase.is_busy(), self.busy_since) {
            (true, None) => self.busy_since = Some(Instant::now()),
            (false, Some(_)) => self.busy_since = None,
            _ => {}
        }
        snap
    }
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    engine: EngineHandle,
    source: String,
    org: Option<crate::config::fleet::OrgSource>,
) -> Result<Option<EngineHandle>, TuiError> {
    let mut lp = Loop::new(engine, source, app.config.clone(), org);
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    perform(app, app.start(), &mut lp).await;
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    while !app.quit {
        // Taking the snapshot marks it seen: a change that came in since the last frame must
        // still make this iteration dirty, or it would never be drawn.
        dirty |= lp.state.has_changed().unwrap_or(false);
        let snap = lp.snapshot();
        if dirty && last_draw.elapsed() >= FRAME_INTERVAL {
            lp.view.now = jiff::Timestamp::now();
            lp.view.busy_for = lp.busy_since.map(|t| t.elapsed());
            terminal.draw(|f| draw(f, app, &snap, &lp.view))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let wait = if dirty { FRAME_INTERVAL.saturating_sub(last_draw.elapsed()) } else { Duration::from_secs(3600) };
        let input = tokio::select! {
            key = keys.next() => match key {
                Some(Ok(TermEvent::Key(k))) => Some(Input::Key(k)),
                Some(Ok(TermEvent::Resize(w, h))) => Some(Input::Resize(w, h)),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            changed = lp.state.changed() => {
                if changed.is_err() { break; }
                dirty = true;
                lp.observe_new_run();
                None
            }
            event = lp.events.recv() => match event {
                Ok(e) => Some(Input::Log(e)),
                Err(RecvError::Lagged(n)) => Some(Input::Log(Event::warn(format!("{n} log lines skipped (too many too fast)")))),
                Err(RecvError::Closed) => None,
            },
            _ = tick.tick() => Some(Input::Tick(Instant::now())),
            answer = lp.answers.1.recv() => answer,
            _ = tokio::time::sleep(wait) => None,
        };
        if let Some(input) = input {
            let is_tick = matches!(input, Input::Tick(_));
            let before = (app.flash.is_some(), lp.busy_since.is_some());
            let effects = app.update(input, &snap, Instant::now());
            dirty |= !is_tick || !effects.is_empty() || before.0 != app.flash.is_some() || before.1;
            perform(app, effects, &mut lp).await;
        }
    }
    Ok(lp.engine.take())
}

async fn perform(app: &mut App, effects: Vec<Effect>, lp: &mut Loop) {
    for effect in effects {
        match effect {
            Effect::Engine(command) => {
                if let Some(engine) = &lp.engine {
                    engine.send(command);
                }
            }
            Effect::Quit => app.quit = true,
            Effect::CopyToClipboard(text) => super::terminal::copy_to_clipboard(&text),
            Effect::SaveLog => {
                lp.answer(super::writes::save_log(&app.log.to_text(), &lp.config.state_dir(), jiff::Timestamp::now()))
            }
            Effect::Write(write) => lp.answer(write.perform(lp.config.origin.as_deref())),
            Effect::Reload => {
                if let Some(input) = lp.reload().await {
                    lp.answer(input);
                }
            }
            Effect::RunCheck(at) => run_check(lp, lp.config.narrowed_to(at)),
            Effect::CheckForm(form) => match form.to_config(lp.config.origin.as_deref()) {
                Ok(config) => run_check(lp, config.narrowed_to(form.editing())),
                Err(problem) => lp.answer(Input::Refused(problem)),
            },
            Effect::Observe => {
                let read = lp.places.observe(&mut lp.seen);
                lp.answer_later(read);
            }
            Effect::LoadChanges(record) => lp.answer_later(lp.places.changes(*record)),
        }
    }
}

/// Runs the connectivity ladder on `config` beside everything else; each rung comes back as
/// an input.
fn run_check(lp: &Loop, config: Config) {
    let tx = lp.answers.0.clone();
    tokio::spawn(async move {
        let steps = tx.clone();
        let ladder = crate::diagnose::run_ladder(&config, Default::default(), move |step| {
            let _ = steps.send(Input::CheckStep(step.clone()));
        })
        .await;
        let _ = tx.send(Input::CheckDone(ladder.elapsed));
    });
}
