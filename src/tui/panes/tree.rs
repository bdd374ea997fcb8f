//! The directory tree, browsed live from the Base DN, and the selected entry's attributes.

use super::{fit, frame};
use crate::engine::Snapshot;
use crate::model::NodeKind;
use crate::report::thousands;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::tree_view::{Row, is_excluded};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Plain-character markers (emoji widths differ between terminals).
fn marker(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Domain => "d",
        NodeKind::Container => "o",
        NodeKind::User => "u",
        NodeKind::Group => "g",
        NodeKind::Contact => "c",
        NodeKind::Computer => "m",
        NodeKind::Other => "·",
    }
}

fn arrow(row: &Row<'_>) -> &'static str {
    match row.node.kind {
        NodeKind::Domain | NodeKind::Container | NodeKind::Other if row.open => "▾",
        NodeKind::Domain | NodeKind::Container | NodeKind::Other => "▸",
        _ => " ",
    }
}

/// The words on the right of a row: what the row *is*, in text, not only in colour.
fn notes(row: &Row<'_>, excluded: bool) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if excluded {
        notes.push("excluded");
    }
    if row.node.disabled {
        notes.push("disabled");
    }
    if row.node.hidden {
        notes.push("hidden");
    }
    if row.loading() {
        notes.push("loading…");
    }
    if row.error().is_some() {
        notes.push("error");
    }
    notes
}

fn right_text(row: &Row<'_>, excluded: bool) -> String {
    let notes = notes(row, excluded);
    let count = row.children().filter(|_| row.open).map(|n| thousands(n as u64));
    let mail = row.node.mail.as_deref().filter(|_| notes.is_empty());
    let mut parts: Vec<String> = notes.iter().map(|n| n.to_string()).collect();
    parts.extend(count);
    parts.extend(mail.map(str::to_string));
    parts.join(" ")
}

fn row_line<'a>(row: &Row<'a>, width: usize, selected: bool, app: &App, theme: &Theme) -> Line<'a> {
    let excluded = is_excluded(&row.node.dn, &app.excluded);
    // "›" marks the selection in text too, for terminals (and readers) without reverse video.
    let cursor = if selected { "›" } else { " " };
    let left = format!("{cursor}{}{} {} {}", "  ".repeat(row.depth), arrow(row), marker(row.node.kind), row.node.label);
    // The name matters more than the address beside it: the address gives way first.
    let left_width = unicode_width::UnicodeWidthStr::width(left.as_str());
    let right = fit(&right_text(row, excluded), width.saturating_sub(left_width.min(width * 2 / 3) + 1));
    let room = width.saturating_sub(right.chars().count() + 1);
    let left = fit(&left, room);
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(left.as_str()) + right.chars().count());
    let style = if selected {
        theme.selected()
    } else if excluded || row.node.disabled {
        theme.dim()
    } else {
        ratatui::style::Style::new()
    };
    let right_style = if row.error().is_some() { theme.error() } else { theme.dim() };
    Line::from(vec![
        Span::styled(left, style),
        Span::styled(" ".repeat(pad), style),
        Span::styled(right, right_style.patch(style)),
    ])
}

pub fn render(frame_: &mut Frame, area: Rect, app: &App, snap: &Snapshot, theme: &Theme, focused: bool) {
    let rows = app.tree.rows(&snap.tree);
    let block = frame(2, "Directory", focused, theme);
    let inner = block.inner(area);
    let height = usize::from(inner.height);
    let selected = app.tree.selected_index(&rows);
    let start = app.tree.window_start_at(selected, rows.len(), height);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(k, r)| row_line(r, width, k == selected, app, theme))
        .collect();
    if let Some(error) = rows.get(selected).and_then(|r| r.error()) {
        lines.push(Line::styled(fit(&error.to_string(), width), theme.error()));
    }
    if !app.tree.filter.is_empty() {
        let shown = format!(" filter: {} · {} shown ", app.tree.filter, rows.len());
        frame_.render_widget(Paragraph::new(lines).block(block.title_bottom(Line::from(shown))), area);
    } else {
        frame_.render_widget(Paragraph::new(lines).block(block), area);
    }
}

/// The attribute panel for the selected entry.
pub fn render_attributes(frame_: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let block = ratatui::widgets::Block::bordered().border_style(theme.border(false)).title(" Attributes ");
    let inner_width = usize::from(area.width.saturating_sub(2));
    let lines = match snap.tree.details.as_ref() {
        None => vec![Line::styled("select an entry", theme.dim())],
        Some(d) if d.loading => vec![Line::styled(format!("reading {}…", d.dn), theme.dim())],
        Some(d) => match (&d.entry, &d.error) {
            (_, Some(e)) => vec![Line::styled(e.to_string(), theme.error())],
            (Some(entry), None) => attribute_lines(entry, inner_width, theme),
            (None, None) => Vec::new(),
        },
    };
    frame_.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}

fn attribute_lines<'a>(entry: &crate::model::EntryDetails, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let name_width = entry.attributes.iter().map(|(n, _)| n.len()).max().unwrap_or(0).min(26);
    let mut lines = Vec::new();
    for (name, values) in &entry.attributes {
        for (k, value) in values.iter().enumerate() {
            let label = if k == 0 {
                format!("{:<w$} ", fit(name, name_width), w = name_width)
            } else {
                " ".repeat(name_width + 1)
            };
            let value = fit(value, width.saturating_sub(name_width + 1));
            lines.push(Line::from(vec![Span::styled(label, theme.dim()), Span::raw(value)]));
        }
    }
    lines
}
