//! What goes into [`super::app::App::update`] and what comes out of it. Update never does I/O:
//! it asks for it with an [`Effect`], and the runner hands the answer back as an [`Input`].

use crate::config::Config;
use crate::config::form::{Form, FormError};
use crate::diagnose::Step;
use crate::engine::{Command, Event};
use crate::history::changes::RunChanges;
use crate::history::heartbeat::ScheduleStatus;
use crate::history::{RunId, RunRecord};
use crossterm::event::KeyEvent;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Input from the outside world.
#[derive(Debug)]
pub enum Input {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The clock moved on (debounces, flash expiry).
    Tick(Instant),
    Log(Event),
    /// A rung of the connectivity check finished.
    CheckStep(Step),
    CheckDone(Duration),
    /// The answer to [`Effect::Write`] or [`Effect::SaveLog`].
    Saved(Result<Saved, SaveError>),
    /// The answer to [`Effect::Reload`]: the engine already runs on the new config.
    Reloaded(Result<Box<Reloaded>, crate::config::ConfigError>),
    /// The answer to [`Effect::Observe`].
    Observed(Box<Observed>),
    /// The answer to [`Effect::LoadChanges`].
    RunChanges {
        run: RunId,
        changes: RunChanges,
    },
    /// Why [`Effect::CheckForm`] could not start: the form is not a config yet.
    Refused(String),
}

/// The history and the schedule's heartbeat, as last read.
#[derive(Debug)]
pub struct Observed {
    /// The runs, newest first; none when the history did not change since the last look.
    pub runs: Option<Vec<RunRecord>>,
    pub schedule: ScheduleStatus,
}

/// What the TUI shell must do for us.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Engine(Command),
    Quit,
    CopyToClipboard(String),
    SaveLog,
    /// Change the config file; the answer comes back as [`Input::Saved`].
    Write(ConfigWrite),
    /// The config file changed: read it again and rebuild the engine with it.
    Reload,
    /// Run the connectivity check of the source at this place in the config (the one the
    /// directory pane browses); its rungs come back as [`Input::CheckStep`].
    RunCheck(usize),
    /// Run the connectivity check on the settings as the form has them, saved or not.
    CheckForm(Form),
    /// Read the history (if it changed) and the schedule's heartbeat: [`Input::Observed`].
    Observe,
    /// Read a run's changes: [`Input::RunChanges`].
    LoadChanges(Box<RunRecord>),
}

/// A change to the config file, made in place with its comments kept.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigWrite {
    /// Add the subtree to `[exclude] subtrees`, or take it out if it is there. With `source`
    /// (an organisation merging several), to that `[[source]]`'s own exclusions.
    ToggleExclusion {
        dn: String,
        source: Option<String>,
    },
    /// Add the address to `[sync] exempt`.
    AddExemption {
        email: String,
    },
    SaveSettings(Form),
}

/// A write that went through.
#[derive(Clone, Debug, PartialEq)]
pub enum Saved {
    Exclusion {
        dn: String,
        source: Option<String>,
        excluded: bool,
    },
    Exemption {
        email: String,
    },
    /// The form as written, so the settings pane knows what is still unsaved.
    Settings(Form),
    Log(PathBuf),
}

impl Saved {
    /// What the user is told.
    pub fn message(&self) -> String {
        match self {
            Saved::Exclusion { dn, source: None, excluded: true } => format!("excluded {dn} (saved)"),
            Saved::Exclusion { dn, source: Some(name), excluded: true } => {
                format!("excluded {dn} from source {name} (saved)")
            }
            Saved::Exclusion { dn, excluded: false, .. } => format!("{dn} is synced again (saved)"),
            Saved::Exemption { email } => {
                format!("{email} is exempt from sync now (saved); plan again to see the rest")
            }
            Saved::Settings(_) => "settings saved; the next search uses them".into(),
            Saved::Log(path) => format!("log saved to {}", path.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Config(#[from] FormError),
    #[error("cannot save the log to {}: {source}", path.display())]
    Log { path: PathBuf, source: std::io::Error },
}

/// The config as read again, and where the new engine's browsing starts in each source.
#[derive(Debug)]
pub struct Reloaded {
    pub config: Config,
    pub roots: Vec<String>,
}
