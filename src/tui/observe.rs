//! The runner's reads for the History pane and the status bar: the history (read again only
//! when its file changed), the schedule's heartbeat, and one run's changes. Each answers
//! with an input, read off the event loop's thread.

use super::effect::{Input, Observed};
use crate::config::Config;
use crate::history::heartbeat::{self, ScheduleStatus};
use crate::history::{Retention, RunRecord, changes, store};
use std::path::PathBuf;
use std::time::SystemTime;

/// What the history file looked like when it was last read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen(Option<(u64, SystemTime)>);

/// Where the reads look, from the config the app runs on.
#[derive(Clone, Debug)]
pub struct Places {
    state_dir: PathBuf,
    retention: Retention,
    heartbeat: Option<PathBuf>,
}

impl Places {
    pub fn of(config: &Config) -> Self {
        let state_dir = config.state_dir();
        let heartbeat = config.origin.as_ref().map(|file| heartbeat::path_for(&state_dir, file));
        Self { state_dir, retention: Retention::from(&config.history), heartbeat }
    }

    /// The history's file as it is now; compared with `seen` it says whether to read it.
    fn look(&self) -> Seen {
        let meta = std::fs::metadata(self.state_dir.join(store::FILE)).ok();
        Seen(meta.map(|m| (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH))))
    }

    /// Reads what changed since `seen`, which is brought up to date.
    pub fn observe(&self, seen: &mut Seen) -> impl FnOnce() -> Input + Send + 'static {
        let now = self.look();
        let changed = now != *seen || seen.0.is_none();
        *seen = now;
        let places = self.clone();
        move || {
            let at = jiff::Timestamp::now();
            let runs = changed.then(|| store::load(&places.state_dir, places.retention, at));
            let schedule = places.heartbeat.as_ref().map_or(ScheduleStatus::NotRunning, |p| heartbeat::read(p, at));
            Input::Observed(Box::new(Observed { runs, schedule }))
        }
    }

    pub fn changes(&self, record: RunRecord) -> impl FnOnce() -> Input + Send + 'static {
        let dir = self.state_dir.clone();
        move || Input::RunChanges { changes: changes::of(&dir, &record), run: record.run }
    }
}
