//! Pending changes: the seed's review screen. The plan grouped as Deleting / Updating /
//! Adding with a check box per change, field-level before → after for updates, reasons, and
//! the guards' verdict for the current selection in red. Before a plan, the search result;
//! after an apply, its report.

use super::state::{DiffRow, DiffState, group_title};
use crate::config::GuardConfig;
use crate::engine::{Review, Snapshot};
use crate::model::ChangeKind;
use crate::report::{SearchCounts, field_line, marker, thousands};
use crate::sync::apply::ApplyOutcome;
use crate::sync::guard::Overrides;
use crate::sync::plan::Op;
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::panes::window_start;
use crate::tui::panes::{Pane, fit, frame, wrap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The pending-changes pane: the review while a plan waits, else the last apply's report,
/// else the last search's counts, else how to start.
pub struct DiffPane<'a> {
    pub state: &'a DiffState,
    pub snap: &'a Snapshot,
    /// The guards the selection is judged by.
    pub guards: &'a GuardConfig,
    /// For "press p to plan" in the key the user has.
    pub keymap: &'a Keymap,
    pub theme: &'a Theme,
    pub focused: bool,
}

impl Widget for DiffPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (snap, theme) = (self.snap, self.theme);
        let block = frame(Pane::Diff, self.focused, theme);
        let inner = block.inner(area);
        let lines = if let Some(review) = snap.review.as_deref() {
            review_lines(&self, review, usize::from(inner.width), usize::from(inner.height), theme)
        } else if let Some(report) = snap.report.as_deref() {
            report_lines(&self, report, usize::from(inner.width), theme)
        } else if let Some(outcome) = snap.search.as_deref() {
            search_lines(&self, outcome, usize::from(inner.width), theme)
        } else {
            vec![hint(&self, Action::Search, "to Search Now: read and review the directory", theme)]
        };
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

fn hint<'a>(pane: &DiffPane, action: Action, text: &str, theme: &Theme) -> Line<'a> {
    let key = pane.keymap.key_for(Context::Diff, action).map(|k| k.to_string()).unwrap_or_default();
    Line::from(vec![
        Span::styled("press ", theme.dim()),
        Span::styled(key, theme.key()),
        Span::styled(format!(" {text}"), theme.dim()),
    ])
}

fn review_lines<'a>(pane: &DiffPane, review: &Review, width: usize, height: usize, theme: &Theme) -> Vec<Line<'a>> {
    let plan = &review.planned.plan;
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "Adding {} · Updating {} · Deleting {} · approved {} of {}",
                thousands(plan.count(ChangeKind::Create) as u64),
                thousands(plan.count(ChangeKind::Update) as u64),
                thousands(plan.count(ChangeKind::Delete) as u64),
                thousands(review.approved() as u64),
                thousands(plan.changes.len() as u64)
            ),
            width,
        ),
        theme.title(),
    )];
    let verdict = review.verdict(Overrides::default(), pane.guards);
    for block in &verdict.blocks {
        lines.extend(wrap(&format!("! {block}"), width).into_iter().map(|l| Line::styled(l, theme.error())));
    }
    if plan.changes.is_empty() {
        lines.push(Line::styled(
            format!("nothing to change: {} accounts already agree", thousands(plan.in_sync as u64)),
            theme.ok(),
        ));
        return lines;
    }
    let room = height.saturating_sub(lines.len());
    let current = pane.state.current(review).unwrap_or(0);
    let start = window_start(pane.state.row_of(review, current), room, pane.state.row_count(review));
    for row in pane.state.window(review, start, room) {
        let selected = row == DiffRow::Change(current);
        lines.push(row_line(row, review, selected, width, theme));
    }
    lines
}

fn row_line<'a>(row: DiffRow, review: &Review, selected: bool, width: usize, theme: &Theme) -> Line<'a> {
    let changes = &review.planned.plan.changes;
    match row {
        DiffRow::Header { action, count } => {
            Line::styled(format!("{} ({})", group_title(action), thousands(count as u64)), theme.title())
        }
        DiffRow::Field { change, field } => {
            let Op::Update { fields, .. } = &changes[change].op else { return Line::default() };
            Line::styled(fit(&format!("        {}", field_line(&fields[field])), width), theme.change())
        }
        DiffRow::Change(k) => change_line(review, k, selected, width, theme),
    }
}

fn change_line<'a>(review: &Review, k: usize, selected: bool, width: usize, theme: &Theme) -> Line<'a> {
    let change = &review.planned.plan.changes[k];
    let approved = review.selected.get(k).copied().unwrap_or(false);
    let cursor = if selected { "›" } else { " " };
    let check = if approved { "[x]" } else { "[ ]" };
    let style = match change.op {
        Op::Create { .. } => theme.add(),
        Op::Update { .. } => theme.change(),
        Op::Delete { .. } => theme.remove(),
    };
    let style = if approved { style } else { theme.dim() };
    let detail = match &change.op {
        Op::Create { account } => account.account_type.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        _ => change.reason.clone(),
    };
    let left = format!("{cursor}{check} {} {}", marker(change), change.email());
    let left_width = (width * 3 / 5).max(38).min(width);
    let left = fit(&left, left_width);
    let pad = left_width.saturating_sub(unicode_width::UnicodeWidthStr::width(left.as_str()));
    let right = fit(&detail, width.saturating_sub(left_width + 1));
    let highlight = if selected { theme.selected() } else { Style::new() };
    Line::from(vec![
        Span::styled(left, style.patch(highlight)),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(right, theme.dim()),
    ])
}

fn report_lines<'a>(pane: &DiffPane, o: &ApplyOutcome, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let count = |kind| thousands(o.count_applied(kind) as u64);
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "Applied in {:.1} s: {} created · {} updated · {} deleted",
                o.elapsed.as_secs_f64(),
                count(ChangeKind::Create),
                count(ChangeKind::Update),
                count(ChangeKind::Delete)
            ),
            width,
        ),
        theme.ok(),
    )];
    for f in &o.failed {
        lines.push(Line::styled(fit(&format!("! {} {}: {}", f.action, f.email, f.error), width), theme.error()));
    }
    if let Some(fatal) = &o.fatal {
        lines.push(Line::styled(fit(&format!("stopped: {fatal}"), width), theme.error()));
    }
    if o.not_started > 0 {
        lines.push(Line::styled(
            format!("{} approved changes were not started", thousands(o.not_started as u64)),
            theme.warn(),
        ));
    }
    lines.push(hint(pane, Action::Plan, "to plan again", theme));
    lines
}

fn search_lines<'a>(
    pane: &DiffPane,
    outcome: &crate::model::SearchOutcome,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let counts = SearchCounts::of(outcome);
    let c = &outcome.classification;
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "Search results · {} to sync · {} skipped",
                thousands(c.entries.len() as u64),
                thousands(c.skipped.len() as u64)
            ),
            width,
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
        let text = fit(&format!("{} {}", thousands(*n as u64), reason.explain()), width.saturating_sub(26));
        lines
            .push(Line::from(vec![Span::styled(format!("  - {:<22}", reason.as_str()), theme.dim()), Span::raw(text)]));
    }
    lines.push(hint(pane, Action::Plan, "to plan against the service", theme));
    lines
}
