//! The settings pane's state: the form, the selected field, and the form as last saved.

use crate::config::Config;
use crate::config::form::{FieldId, Form};

#[derive(Clone, Debug)]
pub struct SettingsState {
    pub form: Form,
    /// The selected field.
    pub row: usize,
    /// The form as the config file has it: what differs is not saved yet.
    saved: Form,
}

impl SettingsState {
    pub fn new(config: &Config) -> Self {
        let form = Form::from_config(config);
        Self { saved: form.clone(), form, row: 0 }
    }

    /// A first run's form: the seed's defaults, the connection to be filled in.
    pub fn blank(seed: &Config) -> Self {
        let form = Form::blank(seed);
        Self { saved: form.clone(), form, row: 0 }
    }

    /// Whether the form has edits the config file does not have yet.
    pub fn unsaved(&self) -> bool {
        self.form != self.saved
    }

    /// The config file now holds `form`.
    pub fn saved_as(&mut self, form: Form) {
        self.saved = form;
    }

    /// After the config file was read again; the source shown and the selected field stay.
    pub fn reloaded(&mut self, config: &Config) {
        let at = self.form.editing();
        *self = Self { row: self.row, ..Self::new(config) };
        self.show_source(at);
    }

    /// The form (and the form as saved, to compare with) shows the source at `at`.
    pub(super) fn show_source(&mut self, at: usize) {
        self.form.edit_source(at);
        self.saved.edit_source(at);
        self.row = self.row.min(self.form.fields.len() - 1);
    }

    /// What is wrong with `text` for field `id`, as it is typed (the form is not changed).
    pub fn check(&self, id: FieldId, text: &str) -> Option<String> {
        self.form.clone().set_text(id, text).err()
    }

    /// The line of the selected field, counting group headings, to keep it on screen.
    pub fn selected_line(&self) -> usize {
        let mut line = 0;
        let mut group = "";
        for (k, field) in self.form.fields.iter().enumerate() {
            if field.group != group {
                group = field.group;
                line += 1;
            }
            if k == self.row {
                return line;
            }
            line += 1;
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SettingsState {
        let text = "[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbase_dn = \"DC=example,DC=com\"\n";
        SettingsState::new(&Config::parse(text, "adsync.toml").unwrap())
    }

    #[test]
    fn an_edit_is_unsaved_until_the_file_holds_it() {
        let mut s = state();
        assert!(!s.unsaved());
        s.form.toggle(FieldId::Delete);
        assert!(s.unsaved());
        s.saved_as(s.form.clone());
        assert!(!s.unsaved());
    }

    #[test]
    fn checking_as_typed_leaves_the_form_alone() {
        let s = state();
        assert!(s.check(FieldId::BaseDn, "not a dn").is_some());
        assert_eq!(s.check(FieldId::BaseDn, "DC=example,DC=org"), None);
        assert_eq!(s.form.text(FieldId::BaseDn), "DC=example,DC=com");
    }
}
