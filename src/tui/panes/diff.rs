//! Pending changes. Until a plan exists it shows the search result under review: what would
//! be synced, by kind, and every skipped object with its reason.

use super::{fit, frame};
use crate::engine::Snapshot;
use crate::report::{SearchCounts, thousands};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame_: &mut Frame, area: Rect, app: &App, snap: &Snapshot, theme: &Theme, focused: bool) {
    let block = frame(3, "Pending changes", focused, theme);
    let width = usize::from(block.inner(area).width);
    let key = app.keymap.key_for(crate::tui::keymap::Context::Global, crate::tui::keymap::Action::Search);
    let Some(outcome) = snap.search.as_ref() else {
        let hint = key.map(|k| format!("press {k} to Search Now: read and review the directory")).unwrap_or_default();
        let paragraph =
            Paragraph::new(vec![Line::styled(hint, theme.dim())]).wrap(ratatui::widgets::Wrap { trim: true });
        frame_.render_widget(paragraph.block(block), area);
        return;
    };
    let counts = SearchCounts::of(outcome);
    let mut lines = vec![Line::styled(
        format!(
            "Search results · {} to sync · {} skipped",
            thousands(outcome.classification.entries.len() as u64),
            thousands(outcome.classification.skipped.len() as u64)
        ),
        theme.title(),
    )];
    for (kind, n) in &counts.by_kind {
        lines.push(Line::from(vec![
            Span::styled(format!("  + {:<22}", kind.label()), theme.add()),
            Span::raw(thousands(*n as u64)),
        ]));
    }
    for (reason, n) in &counts.by_reason {
        lines.push(Line::from(vec![
            Span::styled(format!("  - {:<22}", reason.as_str()), theme.dim()),
            Span::raw(fit(&format!("{} {}", thousands(*n as u64), reason.explain()), width.saturating_sub(26))),
        ]));
    }
    lines.push(Line::styled(fit("review these, then plan against the service", width), theme.dim()));
    frame_.render_widget(Paragraph::new(lines).block(block), area);
}
