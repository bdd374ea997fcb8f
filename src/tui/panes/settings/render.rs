//! The seed's settings form: connection, what to sync, how, how often — edited in place.

use super::state::SettingsState;
use crate::config::form::{Field, FieldValue};
use crate::tui::panes::{Pane, SourceTitle, fit, frame};
use crate::tui::text_input::{TextInput, Typing};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The settings pane: the form by group, the field being edited shown with its text box.
pub struct SettingsPane<'a> {
    pub state: &'a SettingsState,
    /// The text box, when it is open (it may be for another field, or not for a field at all).
    pub input: Option<&'a TextInput>,
    pub theme: &'a Theme,
    pub focused: bool,
    /// Which of several sources the form shows (a title), if it is one of several.
    pub source: Option<SourceTitle>,
}

fn value_text(field: &Field) -> String {
    match &field.value {
        FieldValue::Flag(on) => if *on { "[x]" } else { "[ ]" }.to_string(),
        FieldValue::Choice { options, index } => format!("‹{}›", options[*index]),
        FieldValue::Text(t) if t.is_empty() => "(none)".to_string(),
        FieldValue::Text(t) => t.clone(),
    }
}

impl Widget for SettingsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut block = frame(Pane::Settings, self.focused, self.theme);
        if let Some(source) = &self.source {
            block = source.on(block, Pane::Settings, area.width);
        }
        if self.state.unsaved() {
            block = block.title_bottom(Line::from(" unsaved ").right_aligned());
        }
        let inner = block.inner(area);
        let lines = self.lines(usize::from(inner.width));
        let skip = self.state.selected_line().saturating_sub(usize::from(inner.height).saturating_sub(2));
        let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

impl SettingsPane<'_> {
    /// Every field under its group's heading, with its error below it.
    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let mut group = "";
        for (k, field) in self.state.form.fields.iter().enumerate() {
            if field.group != group {
                group = field.group;
                lines.push(Line::styled(group.to_string(), self.theme.title()));
            }
            lines.push(self.field_line(field, self.focused && k == self.state.row, width));
            if let Some(error) = self.editing(field).and_then(|i| i.error.clone()).or(field.error.clone()) {
                lines.push(Line::styled(fit(&format!("   ! {error}"), width), self.theme.error()));
            }
        }
        lines
    }

    fn field_line(&self, field: &Field, selected: bool, width: usize) -> Line<'static> {
        let label_width = 19.min(width / 2);
        let value = self.editing(field).map(with_cursor).unwrap_or_else(|| value_text(field));
        let cursor = if selected { "›" } else { " " };
        let label = format!("{cursor}{:<w$} ", fit(field.label, label_width), w = label_width);
        let value = fit(&value, width.saturating_sub(label_width + 2));
        let style = if selected { self.theme.selected() } else { ratatui::style::Style::new() };
        Line::from(vec![Span::styled(label, self.theme.dim().patch(style)), Span::styled(value, style)])
    }

    /// The text box, if it is editing `field`.
    fn editing(&self, field: &Field) -> Option<&TextInput> {
        self.input.filter(|i| i.typing == Typing::Edit(field.id))
    }
}

/// The text box's content with a cursor.
fn with_cursor(input: &TextInput) -> String {
    let value = input.text.value();
    let cursor = input.text.visual_cursor().min(value.chars().count());
    let (before, after): (String, String) =
        (value.chars().take(cursor).collect(), value.chars().skip(cursor).collect());
    format!("{before}▏{after}")
}
