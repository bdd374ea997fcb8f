//! The pending-changes pane's keys: move, leave a change out or put it back, approve all or
//! none, show an update's fields, exempt an address. Only while a plan waits for review.

use super::state::DiffState;
use crate::engine::{Command, Phase, Review, Snapshot};
use crate::tui::effect::{ConfigWrite, Effect};
use crate::tui::keymap::Action;
use crate::tui::panes::{Reply, step};

impl DiffState {
    pub fn on_action(&mut self, action: Action, snapshot: &Snapshot, page: usize) -> Reply {
        match snapshot.review.as_deref() {
            Some(review) if snapshot.phase == Phase::Planned => self.on_review_action(action, review, page),
            _ => Reply::nothing(),
        }
    }

    fn on_review_action(&mut self, action: Action, review: &Review, page: usize) -> Reply {
        if let Some(delta) = step(action, page) {
            self.move_by(review, delta);
            return Reply::nothing();
        }
        match (action, self.current(review)) {
            (Action::SelectAll, _) => Reply::effect(Effect::Engine(Command::SelectAll(true))),
            (Action::SelectNone, _) => Reply::effect(Effect::Engine(Command::SelectAll(false))),
            (Action::Toggle, Some(k)) => self.toggle(review, k),
            (Action::Details, Some(k)) => {
                self.selected = Some(k);
                self.toggle_expanded(k);
                Reply::nothing()
            }
            (Action::Exempt, Some(k)) => exempt(review, k),
            _ => Reply::nothing(),
        }
    }

    /// Leaves change `k` out, or puts it back: the engine keeps the approvals.
    fn toggle(&mut self, review: &Review, k: usize) -> Reply {
        self.selected = Some(k);
        let approved = !review.selected.get(k).copied().unwrap_or(false);
        Reply::effect(Effect::Engine(Command::Select { id: k, approved }))
    }
}

fn exempt(review: &Review, k: usize) -> Reply {
    let email = review.planned.plan.changes[k].email().to_string();
    Reply::effect(Effect::Write(ConfigWrite::AddExemption { email }))
}

#[cfg(test)]
mod tests {
    use super::super::state::tests::review;
    use super::*;
    use std::sync::Arc;

    fn snapshot(phase: Phase) -> Snapshot {
        Snapshot { phase, review: Some(Arc::new(review())), ..Snapshot::default() }
    }

    #[test]
    fn keys_act_only_while_a_plan_waits_for_review() {
        let mut d = DiffState::default();
        let applying = snapshot(Phase::Applying(Default::default()));
        assert!(d.on_action(Action::SelectAll, &applying, 10).effects.is_empty());
        assert!(d.on_action(Action::Down, &applying, 10).effects.is_empty());
        assert_eq!(d.selected, None, "the selection did not move");
        let planned = snapshot(Phase::Planned);
        assert_eq!(d.on_action(Action::SelectAll, &planned, 10).effects, [Effect::Engine(Command::SelectAll(true))]);
    }

    #[test]
    fn e_asks_for_the_exemption_it_does_not_write_it() {
        let mut d = DiffState::default();
        let reply = d.on_action(Action::Exempt, &snapshot(Phase::Planned), 10);
        let exempt = ConfigWrite::AddExemption { email: "gone@x.com".into() };
        assert_eq!(reply.effects, [Effect::Write(exempt)]);
    }
}
