//! The seed's settings form: connection, what to sync, how, how often — edited in place.

use super::{fit, frame};
use crate::config::form::{Field, FieldValue};
use crate::tui::app::{App, Typing};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn value_text(field: &Field) -> String {
    match &field.value {
        FieldValue::Flag(on) => if *on { "[x]" } else { "[ ]" }.to_string(),
        FieldValue::Choice { options, index } => format!("‹{}›", options[*index]),
        FieldValue::Text(t) if t.is_empty() => "(none)".to_string(),
        FieldValue::Text(t) => t.clone(),
    }
}

/// The text box's content with a cursor, while a field is being edited.
fn editing(app: &App, field: &Field) -> Option<String> {
    let input = app.input.as_ref().filter(|i| i.typing == Typing::Edit(field.id))?;
    let value = input.text.value();
    let cursor = input.text.visual_cursor().min(value.chars().count());
    let (before, after): (String, String) =
        (value.chars().take(cursor).collect(), value.chars().skip(cursor).collect());
    Some(format!("{before}▏{after}"))
}

pub fn render(frame_: &mut Frame, area: Rect, app: &App, theme: &Theme, focused: bool) {
    let block = frame(1, "Settings", focused, theme);
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let label_width = 19.min(width / 2);
    let mut lines = Vec::new();
    let mut group = "";
    for (k, field) in app.form.fields.iter().enumerate() {
        if field.group != group {
            group = field.group;
            lines.push(Line::styled(group.to_string(), theme.title()));
        }
        let selected = focused && k == app.settings_row;
        let value = editing(app, field).unwrap_or_else(|| value_text(field));
        let cursor = if selected { "›" } else { " " };
        let label = format!("{cursor}{:<w$} ", fit(field.label, label_width), w = label_width);
        let value = fit(&value, width.saturating_sub(label_width + 2));
        let style = if selected { theme.selected() } else { ratatui::style::Style::new() };
        lines.push(Line::from(vec![Span::styled(label, theme.dim().patch(style)), Span::styled(value, style)]));
        if let Some(error) = app
            .input
            .as_ref()
            .filter(|i| i.typing == Typing::Edit(field.id))
            .and_then(|i| i.error.clone())
            .or(field.error.clone())
        {
            lines.push(Line::styled(fit(&format!("   ! {error}"), width), theme.error()));
        }
    }
    let height = usize::from(inner.height);
    let skip = selected_line(app).saturating_sub(height.saturating_sub(2));
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame_.render_widget(Paragraph::new(lines).block(block), area);
}

/// The line of the selected field, counting group headings, to keep it on screen.
fn selected_line(app: &App) -> usize {
    let mut line = 0;
    let mut group = "";
    for (k, field) in app.form.fields.iter().enumerate() {
        if field.group != group {
            group = field.group;
            line += 1;
        }
        if k == app.settings_row {
            return line;
        }
        line += 1;
    }
    line
}
