//! The runner's answers to the effects that write files or restart the engine, and the rule
//! that keeps writes away from a running job.

use super::{App, Effect, Reloaded, SaveError, Saved};
use crate::config::ConfigError;
use crate::engine::{Level, Snapshot};
use crate::tui::panes::tree::TreeState;
use std::time::Instant;

impl App {
    /// Writing the config restarts the engine: a running job would go on unseen, and `q` would
    /// no longer ask. So nothing is written while one runs.
    pub(super) fn unless_busy(&mut self, effects: Vec<Effect>, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let writes = |e: &Effect| matches!(e, Effect::Write(_));
        if !snapshot.phase.is_busy() || !effects.iter().any(writes) {
            return effects;
        }
        let job = snapshot.phase.label().to_lowercase();
        let text = format!("not saved: {job} is running and saving restarts the engine; save when it is done");
        self.flash(Level::Warn, text, now);
        effects.into_iter().filter(|e| !writes(e)).collect()
    }

    pub(super) fn on_saved(&mut self, result: Result<Saved, SaveError>, now: Instant) -> Vec<Effect> {
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
                self.settings.saved_as(form);
                vec![Effect::Reload]
            }
            Saved::Exclusion { .. } | Saved::Exemption { .. } => vec![Effect::Reload],
        }
    }

    pub(super) fn on_reloaded(&mut self, result: Result<Box<Reloaded>, ConfigError>, now: Instant) -> Vec<Effect> {
        match result {
            Ok(reloaded) => {
                self.reloaded(*reloaded);
                self.start()
            }
            Err(e) => {
                self.flash(Level::Error, e.to_string(), now);
                Vec::new()
            }
        }
    }

    /// The tree keeps its source, open nodes and selection unless the source or its root
    /// moved; the review starts over, since the new engine has no plan.
    fn reloaded(&mut self, Reloaded { config, roots }: Reloaded) {
        let fresh = TreeState::of_source(&config, &roots, self.tree.source_index());
        if fresh.root != self.tree.root || fresh.source != self.tree.source {
            self.tree = fresh;
        } else {
            self.tree.set_excluded(&config);
        }
        self.roots = roots;
        self.diff.reset();
        self.settings.reloaded(&config);
        self.config = config;
        self.first_run = false;
    }
}
