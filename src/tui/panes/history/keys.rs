//! The History pane's keys: move through the runs, Enter opens a run's changes (the runner
//! reads them) and closes them again, Esc closes, r reads the history again.

use super::state::HistoryState;
use crate::tui::effect::Effect;
use crate::tui::keymap::Action;
use crate::tui::panes::{Reply, step};

impl HistoryState {
    pub fn on_action(&mut self, action: Action, page: usize) -> Reply {
        if let Some(delta) = step(action, page) {
            self.step(delta, page);
            return Reply::nothing();
        }
        match action {
            Action::Details if self.open.is_some() => self.close(),
            Action::Details => self.open_current(),
            Action::Cancel => self.close(),
            Action::Refresh => Reply::effect(Effect::Observe),
            _ => Reply::nothing(),
        }
    }

    /// Moves the selection, or scrolls the open run's changes.
    fn step(&mut self, delta: isize, page: usize) {
        if self.open.is_none() {
            return self.move_by(delta);
        }
        let last = self.change_lines().saturating_sub(page.saturating_sub(2)) as isize;
        self.scroll = (self.scroll as isize).saturating_add(delta).clamp(0, last.max(0)) as usize;
    }

    fn open_current(&mut self) -> Reply {
        let Some(record) = self.current().cloned() else { return Reply::nothing() };
        self.open = Some((record.clone(), None));
        self.scroll = 0;
        Reply::effect(Effect::LoadChanges(Box::new(record)))
    }

    fn close(&mut self) -> Reply {
        self.open = None;
        Reply::nothing()
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::tests::run;
    use super::*;
    use crate::history::Outcome;
    use crate::history::changes::RunChanges;

    #[test]
    fn enter_asks_for_the_changes_and_enter_again_goes_back() {
        let mut h = HistoryState::default();
        h.set_runs(vec![run("b", Outcome::Applied), run("a", Outcome::Blocked)]);
        h.on_action(Action::Down, 10);
        let reply = h.on_action(Action::Details, 10);
        assert_eq!(reply.effects, [Effect::LoadChanges(Box::new(run("a", Outcome::Blocked)))]);
        h.changes_arrived(&run("b", Outcome::Applied).run, RunChanges::Unavailable("x"));
        assert!(h.open.as_ref().unwrap().1.is_none(), "changes of another run are not taken");
        h.changes_arrived(&run("a", Outcome::Blocked).run, RunChanges::Unavailable("nothing to change"));
        assert!(h.open.as_ref().unwrap().1.is_some());
        h.on_action(Action::Details, 10);
        assert!(h.open.is_none());
        assert_eq!(h.on_action(Action::Refresh, 10).effects, [Effect::Observe]);
    }
}
