//! Keys while an overlay is open: it has them all, and most of them close it.

use super::{App, Effect, Overlay};
use crate::engine::{Command, Snapshot};
use crate::sync::guard::Overrides;
use crate::tui::keymap::{Action, Context, Key};
use crate::tui::overlays::confirm::{apply_allowed, said_yes};
use crate::tui::overlays::diagnostics::AfterKey;
use crate::tui::overlays::help;
use std::time::Instant;

impl App {
    pub(super) fn on_overlay_key(
        &mut self,
        overlay: Overlay,
        key: Key,
        snapshot: &Snapshot,
        now: Instant,
    ) -> Vec<Effect> {
        let action = self.keymap.action(Context::Global, key);
        match overlay {
            Overlay::Help { scroll } => {
                self.overlay = help::scrolled(scroll, action).map(|scroll| Overlay::Help { scroll });
                Vec::new()
            }
            Overlay::ConfirmQuit if said_yes(key) => self.quit(),
            Overlay::ConfirmApply if said_yes(key) && apply_allowed(snapshot, &self.config.sync.guards) => {
                self.overlay = None;
                vec![Effect::Engine(Command::Apply(Overrides::default()))]
            }
            Overlay::ConfirmQuit | Overlay::ConfirmApply => self.close_overlay(),
            Overlay::Diagnostics => self.on_check_key(action, now),
        }
    }

    fn on_check_key(&mut self, action: Option<Action>, now: Instant) -> Vec<Effect> {
        match self.diagnostics.on_action(action) {
            AfterKey::Stay => Vec::new(),
            AfterKey::RunAgain => self.check_again(now),
            AfterKey::Close => self.close_overlay(),
        }
    }

    fn close_overlay(&mut self) -> Vec<Effect> {
        self.overlay = None;
        Vec::new()
    }
}
