//! What a pane asks of the app after a key. The pane changes its own state; effects for the
//! runner, the text box and the flash line are the app's, so the pane asks for them.

use crate::tui::effect::Effect;
use crate::tui::text_input::Typing;

#[derive(Debug, Default)]
pub struct Reply {
    pub effects: Vec<Effect>,
    /// Open the text box for this, holding this text.
    pub type_in: Option<(Typing, String)>,
    /// A line for the flash and the log.
    pub note: Option<String>,
}

impl Reply {
    pub fn nothing() -> Self {
        Self::default()
    }

    pub fn effect(effect: Effect) -> Self {
        Self::effects(vec![effect])
    }

    pub fn effects(effects: Vec<Effect>) -> Self {
        Self { effects, ..Self::default() }
    }

    pub fn type_in(typing: Typing, text: &str) -> Self {
        Self { type_in: Some((typing, text.to_string())), ..Self::default() }
    }

    pub fn noted(self, note: impl Into<String>) -> Self {
        Self { note: Some(note.into()), ..self }
    }
}
