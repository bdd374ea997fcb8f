//! The directory tree, browsed live from the Base DN, and the selected entry's attributes.

use super::state::{Row, TreeState, is_excluded};
use crate::dn::Dn;
use crate::engine::tree::TreeData;
use crate::model::NodeKind;
use crate::report::thousands;
use crate::tui::panes::{Pane, SourceTitle, fit, frame, window_start};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The tree pane: the open part of the directory, one row per entry, the selection kept in view.
pub struct TreePane<'a> {
    pub state: &'a TreeState,
    pub data: &'a TreeData,
    pub theme: &'a Theme,
    pub focused: bool,
    /// Which of several sources the tree is of (a title), if it is one of several.
    pub source: Option<SourceTitle>,
}

/// The attributes of the selected entry, below the tree.
pub struct Attributes<'a> {
    pub data: &'a TreeData,
    pub theme: &'a Theme,
}

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
    match row.node.can_open() {
        true if row.open => "▾",
        true => "▸",
        false => " ",
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
    if row.node.guest {
        notes.push("guest");
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

fn row_line<'a>(row: &Row<'a>, width: usize, selected: bool, excluded: &[Dn], theme: &Theme) -> Line<'a> {
    let excluded = is_excluded(&row.node.dn, excluded);
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

impl Widget for TreePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let rows = self.state.rows(self.data);
        let mut block = frame(Pane::Tree, self.focused, self.theme);
        if let Some(source) = &self.source {
            block = source.on(block, Pane::Tree, area.width);
        }
        let lines = self.lines(&rows, block.inner(area));
        let filter = &self.state.filter;
        let block = if filter.is_empty() {
            block
        } else {
            block.title_bottom(Line::from(format!(" filter: {filter} · {} shown ", rows.len())))
        };
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

impl<'a> TreePane<'a> {
    /// The rows in view, and under them the selected entry's listing error.
    fn lines(&self, rows: &[Row<'a>], inner: Rect) -> Vec<Line<'a>> {
        let (height, width) = (usize::from(inner.height), usize::from(inner.width));
        let selected = self.state.selected_index(rows);
        let start = window_start(selected, height, rows.len());
        let visible = rows.iter().enumerate().skip(start).take(height);
        let line = |(k, row): (usize, &Row<'a>)| row_line(row, width, k == selected, &self.state.excluded, self.theme);
        let mut lines: Vec<Line> = visible.map(line).collect();
        if let Some(error) = rows.get(selected).and_then(|r| r.error()) {
            lines.push(Line::styled(fit(&error.to_string(), width), self.theme.error()));
        }
        lines
    }
}

impl Widget for Attributes<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let block = ratatui::widgets::Block::bordered().border_style(theme.border(false)).title(" Attributes ");
        let lines = attribute_panel(self.data, usize::from(area.width.saturating_sub(2)), theme);
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
    }
}

fn attribute_panel<'a>(data: &TreeData, inner_width: usize, theme: &Theme) -> Vec<Line<'a>> {
    match data.details.as_ref() {
        None => vec![Line::styled("select an entry", theme.dim())],
        Some(d) if d.loading => vec![Line::styled(format!("reading {}…", d.dn), theme.dim())],
        Some(d) => match (&d.entry, &d.error) {
            (_, Some(e)) => vec![Line::styled(e.to_string(), theme.error())],
            (Some(entry), None) => attribute_lines(entry, inner_width, theme),
            (None, None) => Vec::new(),
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TreeNode;

    fn row(node: &TreeNode) -> Row<'_> {
        Row { node, depth: 1, open: false, listing: None }
    }

    #[test]
    fn guests_say_so_and_member_lists_open() {
        let guest = TreeNode { guest: true, mail: Some("g@partner.example".into()), ..TreeNode::default() };
        assert_eq!(right_text(&row(&guest), false), "guest");
        let group = TreeNode { kind: NodeKind::Group, lists_members: true, ..TreeNode::default() };
        assert_eq!(
            (arrow(&row(&group)), arrow(&row(&TreeNode { kind: NodeKind::Group, ..TreeNode::default() }))),
            ("▸", " ")
        );
    }
}
