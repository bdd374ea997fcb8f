//! Keys while the text box is open: Esc drops it, Enter submits it, anything else edits it.
//! A filter narrows the tree as it is typed; a settings field is checked as it is typed.

use super::{App, Effect, Pane};
use crate::engine::{Level, Snapshot};
use crate::tui::command_bar;
use crate::tui::text_input::{TextInput, Typing};
use crossterm::event::{KeyCode, KeyEvent};
use std::time::Instant;

impl App {
    pub(super) fn on_text_key(&mut self, key: KeyEvent, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let Some(mut input) = self.input.take() else { return Vec::new() };
        match key.code {
            KeyCode::Esc => self.dropped(&input),
            KeyCode::Enter => return self.submit(input, snapshot, now),
            _ => {
                input.edit(key);
                self.typed(&mut input);
                self.input = Some(input);
            }
        }
        Vec::new()
    }

    /// Esc on a filter shows the whole tree again; an edited field keeps its old value.
    fn dropped(&mut self, input: &TextInput) {
        if input.typing == Typing::Filter {
            self.tree.filter.clear();
        }
    }

    fn typed(&mut self, input: &mut TextInput) {
        match input.typing {
            Typing::Filter => self.tree.filter = input.value().to_string(),
            Typing::Edit(id) => input.error = self.settings.check(id, input.value()),
            Typing::Command => {}
        }
    }

    fn submit(&mut self, input: TextInput, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        let text = input.value().trim().to_string();
        match input.typing {
            Typing::Filter => self.tree.filter = text,
            Typing::Command => return self.run_command(&text, snapshot, now),
            Typing::Edit(id) => {
                // An invalid value is kept in the box, with what is wrong, to be corrected.
                if let Err(e) = self.settings.form.set_text(id, &text) {
                    self.input = Some(TextInput { error: Some(e), ..input });
                }
            }
        }
        Vec::new()
    }

    /// A typed verb goes where its key would: the same action, context and snapshot.
    fn run_command(&mut self, text: &str, snapshot: &Snapshot, now: Instant) -> Vec<Effect> {
        if text.is_empty() {
            return Vec::new();
        }
        let Some(verb) = command_bar::verb(text) else {
            let known = command_bar::verb_list();
            self.flash(Level::Warn, format!("unknown command \"{text}\": try {known}"), now);
            return Vec::new();
        };
        match Pane::for_context(verb.context) {
            Some(pane) => self.on_pane_action(pane, verb.action, snapshot, now),
            None => self.on_action(verb.action, snapshot, now),
        }
    }
}
