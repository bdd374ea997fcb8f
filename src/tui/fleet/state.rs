//! What the fleet screen shows and where its cursor is; keys change it here and nowhere else.

use crate::fleet::OrgStatus;
use crate::fleet::columns::matches;
use crate::tui::keymap::{Action, Context, Key, Keymap};
use crate::tui::panes::step;
use crossterm::event::{KeyCode, KeyEvent};

/// What a key on the fleet screen asks of the runner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FleetAction {
    Open(String),
    Refresh,
    Quit,
}

#[derive(Clone, Debug, Default)]
pub struct FleetState {
    rows: Vec<OrgStatus>,
    /// Indices into `rows` of those the filter lets through, kept so a frame never filters.
    shown: Vec<usize>,
    pub filter: String,
    /// The filter is being typed.
    pub typing: bool,
    /// Index into `shown`.
    pub selected: usize,
    /// Why the organisations, or the one asked for, could not be read.
    pub problem: Option<String>,
}

impl FleetState {
    pub fn new(rows: Vec<OrgStatus>) -> Self {
        let mut state = Self::default();
        state.set_rows(rows);
        state
    }

    /// New rows (a refresh), the cursor kept on the same organisation where it still is.
    pub fn set_rows(&mut self, rows: Vec<OrgStatus>) {
        let current = self.current().map(|r| r.name.clone());
        self.rows = rows;
        self.refilter();
        if let Some(name) = current {
            self.selected = self.shown.iter().position(|&i| self.rows[i].name == name).unwrap_or(self.selected);
        }
        self.clamp();
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// The rows the filter lets through, in order.
    pub fn shown(&self) -> impl ExactSizeIterator<Item = &OrgStatus> + '_ {
        self.shown.iter().map(|&i| &self.rows[i])
    }

    pub fn shown_count(&self) -> usize {
        self.shown.len()
    }

    pub fn current(&self) -> Option<&OrgStatus> {
        self.shown.get(self.selected).map(|&i| &self.rows[i])
    }

    /// A key; `page` is how many rows the table shows.
    pub fn key(&mut self, keymap: &Keymap, key: KeyEvent, page: usize) -> Option<FleetAction> {
        let action = keymap.action(Context::Fleet, Key::from_event(&key));
        if action == Some(Action::ForceQuit) {
            return Some(FleetAction::Quit);
        }
        if self.typing {
            self.type_key(key);
            return None;
        }
        self.on_action(action?, page)
    }

    fn on_action(&mut self, action: Action, page: usize) -> Option<FleetAction> {
        match action {
            Action::Filter => self.typing = true,
            Action::Details => return self.current().map(|r| FleetAction::Open(r.name.clone())),
            Action::Refresh => return Some(FleetAction::Refresh),
            Action::Quit => return Some(FleetAction::Quit),
            other => {
                self.selected = self.selected.saturating_add_signed(step(other, page.max(1))?);
                self.clamp();
            }
        }
        None
    }

    /// Typing the filter: Enter keeps it, Esc clears it; the table follows every key.
    fn type_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.typing = false,
            KeyCode::Esc => {
                self.typing = false;
                self.filter.clear();
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) => self.filter.push(c),
            _ => return,
        }
        self.selected = 0;
        self.refilter();
    }

    fn refilter(&mut self) {
        let filter = self.filter.trim();
        self.shown = (0..self.rows.len()).filter(|&i| filter.is_empty() || matches(&self.rows[i], filter)).collect();
        self.clamp();
    }

    fn clamp(&mut self) {
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{OrgState, ScheduleState};
    use crossterm::event::KeyModifiers;

    fn row(name: &str, state: OrgState) -> OrgStatus {
        OrgStatus {
            name: name.into(),
            file: format!("{name}.toml").into(),
            enabled: true,
            state,
            source_kind: Some("ldap".into()),
            target: Some(format!("{name}.example")),
            last_run: None,
            pending: None,
            guard_blocks: Vec::new(),
            schedule: ScheduleState::Off,
            next_run: None,
            error: None,
        }
    }

    fn press(state: &mut FleetState, code: KeyCode) -> Option<FleetAction> {
        state.key(&Keymap::defaults(), KeyEvent::new(code, KeyModifiers::NONE), 10)
    }

    #[test]
    fn the_filter_narrows_the_table_and_enter_opens_the_one_under_the_cursor() {
        let mut state =
            FleetState::new(vec![row("acme", OrgState::Ok), row("bolt", OrgState::Failed), row("crux", OrgState::Ok)]);
        assert_eq!(press(&mut state, KeyCode::Down), None);
        assert_eq!(press(&mut state, KeyCode::Enter), Some(FleetAction::Open("bolt".into())));
        press(&mut state, KeyCode::Char('/'));
        for c in "FAIL".chars() {
            press(&mut state, KeyCode::Char(c));
        }
        assert_eq!((state.shown_count(), state.current().map(|r| r.name.as_str())), (1, Some("bolt")));
        press(&mut state, KeyCode::Enter);
        assert!(!state.typing, "Enter keeps the filter and ends typing");
        assert_eq!(press(&mut state, KeyCode::Char('q')), Some(FleetAction::Quit));
        press(&mut state, KeyCode::Char('/'));
        press(&mut state, KeyCode::Esc);
        assert_eq!(state.shown_count(), 3, "Esc clears the filter");
    }

    #[test]
    fn a_refresh_keeps_the_cursor_on_the_same_organisation() {
        let mut state = FleetState::new(vec![row("acme", OrgState::Ok), row("bolt", OrgState::Ok)]);
        press(&mut state, KeyCode::Char('G'));
        state.set_rows(vec![row("aaa", OrgState::Ok), row("acme", OrgState::Ok), row("bolt", OrgState::Failed)]);
        assert_eq!(state.current().map(|r| r.name.as_str()), Some("bolt"));
        state.set_rows(Vec::new());
        assert!(state.current().is_none());
        assert_eq!(press(&mut state, KeyCode::Enter), None);
    }
}
