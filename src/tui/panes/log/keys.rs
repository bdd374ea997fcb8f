//! The log pane's keys: scroll (which stops following), follow, wrap, save to a file.

use super::state::LogState;
use crate::tui::effect::Effect;
use crate::tui::keymap::Action;
use crate::tui::panes::{Reply, step};

impl LogState {
    pub fn on_action(&mut self, action: Action, page: usize) -> Reply {
        if let Some(delta) = step(action, page) {
            self.scroll(delta, page);
            return Reply::nothing();
        }
        match action {
            Action::Follow => {
                self.follow = !self.follow;
                self.offset = self.first_visible(page);
            }
            Action::Wrap => self.wrap = !self.wrap,
            Action::SaveLog => return Reply::effect(Effect::SaveLog),
            _ => {}
        }
        Reply::nothing()
    }
}
