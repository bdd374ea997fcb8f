//! The directory pane's keys: move, open and close by DN, filter, refresh, exclude, copy.

use super::state::{Collapse, Expand, TreeState};
use crate::engine::Command;
use crate::engine::tree::TreeData;
use crate::tui::effect::{ConfigWrite, Effect};
use crate::tui::keymap::Action;
use crate::tui::panes::{Reply, step};
use crate::tui::text_input::Typing;
use std::time::{Duration, Instant};

/// How long the cursor rests on an entry before its attributes are fetched: moving through
/// the tree must not fire a search per row passed.
const INSPECT_AFTER: Duration = Duration::from_millis(150);

impl TreeState {
    pub fn on_action(&mut self, action: Action, data: &TreeData, page: usize, now: Instant) -> Reply {
        if let Some(dn) = self.moved(action, data, page) {
            self.select(dn, now);
            return Reply::nothing();
        }
        match action {
            Action::Expand => self.expand(data, now),
            Action::Collapse => self.collapse(data, now),
            Action::Filter => Reply::type_in(Typing::Filter, &self.filter),
            Action::Refresh => Reply::effects(self.refresh()),
            Action::CopyDn => self.copy_dn(),
            Action::Exclude => self.exclude(),
            _ => Reply::nothing(),
        }
    }

    /// The DN a movement key lands on.
    fn moved(&self, action: Action, data: &TreeData, page: usize) -> Option<String> {
        let delta = step(action, page)?;
        let rows = self.rows(data);
        let at = self.selected_index(&rows).saturating_add_signed(delta);
        Self::dn_at(&rows, at)
    }

    fn select(&mut self, dn: String, now: Instant) {
        self.selected = Some(dn.clone());
        self.pending_inspect = Some((dn, now));
    }

    /// The inspection of the selection, once the cursor has rested long enough.
    pub fn inspect_due(&mut self, now: Instant) -> Option<Effect> {
        let (dn, at) = self.pending_inspect.take()?;
        if now.duration_since(at) < INSPECT_AFTER {
            self.pending_inspect = Some((dn, at));
            return None;
        }
        Some(Effect::Engine(Command::Inspect(dn)))
    }

    fn expand(&mut self, data: &TreeData, now: Instant) -> Reply {
        let target = self.expand_target(&self.rows(data));
        match target {
            Expand::Open { dn, fetch } => {
                self.open.insert(dn.clone());
                let browse = fetch.then_some(Effect::Engine(Command::Browse { dn, refresh: false }));
                Reply::effects(browse.into_iter().collect())
            }
            Expand::StepInto(dn) => {
                self.select(dn, now);
                Reply::nothing()
            }
            Expand::Nothing => Reply::nothing(),
        }
    }

    fn collapse(&mut self, data: &TreeData, now: Instant) -> Reply {
        let target = self.collapse_target(&self.rows(data));
        match target {
            Collapse::Close(dn) => {
                self.open.remove(&dn);
            }
            Collapse::StepOut(dn) => self.select(dn, now),
            Collapse::Nothing => {}
        }
        Reply::nothing()
    }

    fn refresh(&self) -> Vec<Effect> {
        let browse = |dn| Effect::Engine(Command::Browse { dn, refresh: true });
        self.open_dns().into_iter().map(browse).collect()
    }

    fn copy_dn(&self) -> Reply {
        let Some(dn) = self.selected.clone() else { return Reply::nothing() };
        Reply::effect(Effect::CopyToClipboard(dn.clone())).noted(format!("copied {dn}"))
    }

    fn exclude(&self) -> Reply {
        let Some(dn) = self.selected.clone() else { return Reply::nothing() };
        if crate::dn::Dn::parse(&dn).is_err() {
            // Entra ID and a CSV file have no subtrees of DNs to leave out.
            return Reply::nothing().noted(format!(
                "{dn} is not a directory subtree; leave people out by address instead ([exclude] addresses)"
            ));
        }
        let source = self.source.as_ref().map(|b| b.name.clone());
        Reply::effect(Effect::Write(ConfigWrite::ToggleExclusion { dn, source }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeKind, TreeNode};

    const ROOT: &str = "dc=x";
    const PEOPLE: &str = "ou=People,dc=x";

    fn data() -> TreeData {
        let mut d = TreeData::default();
        d.request_children(ROOT, false);
        let people =
            TreeNode { dn: PEOPLE.into(), label: "People".into(), kind: NodeKind::Container, ..TreeNode::default() };
        d.children_arrived(ROOT, Ok(vec![people]));
        d
    }

    #[test]
    fn moving_selects_and_inspects_only_once_the_cursor_rests() {
        let (mut t, now) = (TreeState::new(ROOT), Instant::now());
        t.on_action(Action::Bottom, &data(), 10, now);
        assert_eq!(t.selected.as_deref(), Some(PEOPLE));
        assert_eq!(t.inspect_due(now + INSPECT_AFTER / 2), None);
        assert_eq!(t.inspect_due(now + INSPECT_AFTER), Some(Effect::Engine(Command::Inspect(PEOPLE.into()))));
        assert_eq!(t.inspect_due(now + INSPECT_AFTER * 2), None, "inspected once");
    }

    #[test]
    fn x_asks_for_the_write_and_y_copies_with_a_note() {
        let mut t = TreeState::new(ROOT);
        let x = t.on_action(Action::Exclude, &data(), 10, Instant::now());
        assert_eq!(x.effects, [Effect::Write(ConfigWrite::ToggleExclusion { dn: ROOT.into(), source: None })]);
        let y = t.on_action(Action::CopyDn, &data(), 10, Instant::now());
        assert_eq!((y.effects, y.note), (vec![Effect::CopyToClipboard(ROOT.into())], Some(format!("copied {ROOT}"))));
    }

    #[test]
    fn x_on_what_is_not_a_dn_writes_nothing_and_says_what_to_do() {
        let mut t = TreeState::new("/srv/staff.csv");
        let x = t.on_action(Action::Exclude, &TreeData::default(), 10, Instant::now());
        assert!(x.effects.is_empty());
        assert!(x.note.is_some_and(|n| n.contains("[exclude] addresses")));
    }

    #[test]
    fn slash_opens_the_text_box_with_the_filter_in_it() {
        let mut t = TreeState::new(ROOT);
        t.filter = "peo".into();
        let reply = t.on_action(Action::Filter, &data(), 10, Instant::now());
        assert_eq!(reply.type_in, Some((Typing::Filter, "peo".to_string())));
    }
}
