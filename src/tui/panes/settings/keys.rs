//! The settings pane's keys: move, toggle a flag or a choice, edit a text field in the text
//! box, save to the config file. Testing the connection (the check ladder on the form's
//! settings) is the app's: it opens an overlay.

use super::state::SettingsState;
use crate::config::form::FieldValue;
use crate::tui::effect::{ConfigWrite, Effect};
use crate::tui::keymap::Action;
use crate::tui::panes::Reply;
use crate::tui::text_input::Typing;

impl SettingsState {
    pub fn on_action(&mut self, action: Action) -> Reply {
        let last = self.form.fields.len() - 1;
        match action {
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::Down => self.row = (self.row + 1).min(last),
            Action::Top => self.row = 0,
            Action::Bottom => self.row = last,
            Action::Toggle => self.form.toggle(self.form.fields[self.row].id),
            Action::Edit => return self.edit(),
            Action::Save => return Reply::effect(Effect::Write(ConfigWrite::SaveSettings(self.form.clone()))),
            _ => {}
        }
        Reply::nothing()
    }

    /// The fields of the next of several sources; what was typed into each is kept.
    pub fn next_source(&mut self) -> Reply {
        let Some((_, count)) = self.form.editing_source() else {
            return Reply::nothing().noted("one source: there is no other to edit");
        };
        let at = (self.form.editing() + 1) % count;
        self.show_source(at);
        let name = self.form.editing_source().map(|(name, _)| name.to_string()).unwrap_or_default();
        Reply::nothing().noted(format!("editing source {name} ({} of {count})", at + 1))
    }

    /// A text field opens the text box; Enter on a flag or a choice toggles it, as Space does.
    fn edit(&mut self) -> Reply {
        let field = &self.form.fields[self.row];
        match &field.value {
            FieldValue::Text(text) => Reply::type_in(Typing::Edit(field.id), text),
            _ => {
                self.form.toggle(field.id);
                Reply::nothing()
            }
        }
    }
}
