//! The one-line text box on the bottom line: the command bar, the tree filter, a settings field.

use super::theme::Theme;
use crate::config::form::FieldId;
use crossterm::event::KeyEvent;
use ratatui::text::{Line, Span};
use tui_input::Input as TextBox;
use tui_input::backend::crossterm::EventHandler;

/// What a text box is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typing {
    Command,
    Filter,
    Edit(FieldId),
}

impl Typing {
    fn prompt(self) -> &'static str {
        match self {
            Typing::Command => ":",
            Typing::Filter => "/",
            Typing::Edit(_) => "edit: ",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TextInput {
    pub typing: Typing,
    pub text: TextBox,
    /// What is wrong with the text so far (settings fields are checked as they are typed).
    pub error: Option<String>,
}

impl TextInput {
    pub fn new(typing: Typing, text: &str) -> Self {
        Self { typing, text: TextBox::new(text.to_string()), error: None }
    }

    pub fn value(&self) -> &str {
        self.text.value()
    }

    /// An editing key (Enter and Esc are the app's to handle).
    pub fn edit(&mut self, key: KeyEvent) {
        self.text.handle_event(&crossterm::event::Event::Key(key));
    }

    /// The prompt, the text and a cursor, and what is wrong with the text.
    pub fn line(&self, theme: &Theme) -> Line<'static> {
        let mut spans = vec![
            Span::styled(self.typing.prompt(), theme.key()),
            Span::raw(self.value().to_string()),
            Span::styled("▏", theme.key()),
        ];
        if let Some(error) = &self.error {
            spans.push(Span::styled(format!("  ! {error}"), theme.error()));
        }
        Line::from(spans)
    }
}
