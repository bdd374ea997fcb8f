//! Pending changes: the seed's review screen. The plan grouped as Deleting / Updating /
//! Adding with a check box per change, field-level before → after for updates, reasons, and
//! the guards' verdict for the current selection in red. Before a plan, the search result;
//! after an apply, its report. Nothing is lost to a narrow pane: headings and hints wrap,
//! the selected change's reason is shown whole below it, and zoomed every reason is.

use super::state::{DiffRow, DiffState, group_title};
use crate::config::GuardConfig;
use crate::engine::{Review, Snapshot};
use crate::model::ChangeKind;
use crate::report::{SearchCounts, field_line, marker, thousands, verification_line};
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
use unicode_width::UnicodeWidthStr;

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
    /// The pane has the whole body: every reason is shown in full.
    pub zoomed: bool,
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
            hint(&self, Action::Search, "to Search Now: read and review the directory", usize::from(inner.width), theme)
        };
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

/// "press p to plan again", wrapped to the pane, the key in the user's keymap.
fn hint<'a>(pane: &DiffPane, action: Action, text: &str, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let key = pane.keymap.key_for(Context::Diff, action).map(|k| k.to_string()).unwrap_or_default();
    let mut lines = wrap(&format!("press {key} {text}"), width).into_iter();
    let first = lines.next().unwrap_or_default();
    let rest = first.strip_prefix(&format!("press {key}")).unwrap_or(&first).to_string();
    let mut out = vec![Line::from(vec![
        Span::styled("press ", theme.dim()),
        Span::styled(key, theme.key()),
        Span::styled(rest, theme.dim()),
    ])];
    out.extend(lines.map(|l| Line::styled(l, theme.dim())));
    out
}

fn styled_wrap<'a>(text: &str, width: usize, style: Style) -> impl Iterator<Item = Line<'a>> {
    wrap(text, width).into_iter().map(move |l| Line::styled(l, style))
}

fn review_lines<'a>(pane: &DiffPane, review: &Review, width: usize, height: usize, theme: &Theme) -> Vec<Line<'a>> {
    let plan = &review.planned.plan;
    let heading = format!(
        "Adding {} · Updating {} · Deleting {} · approved {} of {}",
        thousands(plan.count(ChangeKind::Create) as u64),
        thousands(plan.count(ChangeKind::Update) as u64),
        thousands(plan.count(ChangeKind::Delete) as u64),
        thousands(review.approved() as u64),
        thousands(plan.changes.len() as u64)
    );
    let mut lines: Vec<Line> = styled_wrap(&heading, width, theme.title()).collect();
    let verdict = review.verdict(Overrides::default(), pane.guards);
    for warning in &verdict.warnings {
        lines.extend(wrap(&format!("warning: {warning}"), width).into_iter().map(|l| Line::styled(l, theme.warn())));
    }
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
    let rows = pane.state.window(review, start, room);
    let layout = RowLayout::for_rows(&rows, review, width, pane.zoomed);
    let mut body = Vec::new();
    let mut selected_end = 0;
    for row in rows {
        body.extend(row_lines(row, review, row == DiffRow::Change(current), &layout, theme));
        if row == DiffRow::Change(current) {
            selected_end = body.len();
        }
    }
    // Reasons shown whole take more than a row: the selected change must still show.
    body.drain(..selected_end.saturating_sub(room));
    body.truncate(room);
    lines.extend(body);
    lines
}

/// Where a change's columns go: the address column as wide as the widest address in view
/// (so the reason gets the rest), and whether reasons are shown whole.
struct RowLayout {
    width: usize,
    left: usize,
    zoomed: bool,
}

impl RowLayout {
    fn for_rows(rows: &[DiffRow], review: &Review, width: usize, zoomed: bool) -> Self {
        let widest = rows
            .iter()
            .filter_map(|r| match r {
                DiffRow::Change(k) => Some(UnicodeWidthStr::width(review.planned.plan.changes[*k].email())),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        // "›[x] + " before the address.
        let left = (widest + 7).min(width * 3 / 5).min(width);
        Self { width, left, zoomed }
    }

    fn right(&self) -> usize {
        self.width.saturating_sub(self.left + 1)
    }
}

fn row_lines<'a>(row: DiffRow, review: &Review, selected: bool, layout: &RowLayout, theme: &Theme) -> Vec<Line<'a>> {
    let changes = &review.planned.plan.changes;
    match row {
        DiffRow::Header { action, count } => {
            vec![Line::styled(format!("{} ({})", group_title(action), thousands(count as u64)), theme.title())]
        }
        DiffRow::Field { change, field } => {
            let Op::Update { fields, .. } = &changes[change].op else { return Vec::new() };
            vec![Line::styled(fit(&format!("        {}", field_line(&fields[field])), layout.width), theme.change())]
        }
        DiffRow::Change(k) => change_lines(review, k, selected, layout, theme),
    }
}

/// What the right column says: a create's account type, else the reason; zoomed, both.
fn detail(change: &crate::sync::plan::Change, zoomed: bool) -> String {
    match &change.op {
        Op::Create { account } => {
            let role = account.account_type.as_ref().map(|t| t.to_string()).unwrap_or_default();
            if zoomed { format!("{role} · {}", change.reason) } else { role }
        }
        _ => change.reason.clone(),
    }
}

fn change_lines<'a>(review: &Review, k: usize, selected: bool, layout: &RowLayout, theme: &Theme) -> Vec<Line<'a>> {
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
    let left = fit(&format!("{cursor}{check} {} {}", marker(change), change.email()), layout.left);
    let pad = layout.left.saturating_sub(UnicodeWidthStr::width(left.as_str()));
    let detail = detail(change, layout.zoomed);
    let whole = layout.zoomed || (selected && UnicodeWidthStr::width(detail.as_str()) > layout.right());
    let highlight = if selected { theme.selected() } else { Style::new() };
    let first =
        if whole && layout.zoomed { wrap(&detail, layout.right()).remove(0) } else { fit(&detail, layout.right()) };
    let mut lines = vec![Line::from(vec![
        Span::styled(left, style.patch(highlight)),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(first, theme.dim()),
    ])];
    if whole {
        lines.extend(continuation(&detail, layout, theme));
    }
    lines
}

/// The rest of a reason: zoomed, under its column; otherwise the whole of it, indented.
fn continuation<'a>(detail: &str, layout: &RowLayout, theme: &Theme) -> Vec<Line<'a>> {
    let (indent, width) =
        if layout.zoomed { (layout.left + 1, layout.right()) } else { (6, layout.width.saturating_sub(6)) };
    let skip = usize::from(layout.zoomed);
    let pad = " ".repeat(indent);
    wrap(detail, width.max(1)).into_iter().skip(skip).map(|l| Line::styled(format!("{pad}{l}"), theme.dim())).collect()
}

fn report_lines<'a>(pane: &DiffPane, o: &ApplyOutcome, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let count = |kind| thousands(o.count_applied(kind) as u64);
    let heading = format!(
        "Applied in {:.1} s: {} created · {} updated · {} deleted",
        o.elapsed.as_secs_f64(),
        count(ChangeKind::Create),
        count(ChangeKind::Update),
        count(ChangeKind::Delete)
    );
    let mut lines: Vec<Line> = styled_wrap(&heading, width, theme.ok()).collect();
    for f in &o.failed {
        lines.extend(styled_wrap(&format!("! {} {}: {}", f.action, f.email, f.error), width, theme.error()));
    }
    for s in &o.skipped {
        lines.push(Line::styled(fit(&format!("skipped {} {}: {}", s.action, s.email, s.reason), width), theme.warn()));
    }
    if let Some(v) = &o.verification {
        let style = if v.all_taken() { theme.ok() } else { theme.error() };
        lines.push(Line::styled(fit(&verification_line(v), width), style));
        for n in &v.not_taken {
            let text = format!("! did not take: {} {}: {}", n.action, n.email, n.problem);
            lines.push(Line::styled(fit(&text, width), theme.error()));
        }
    }
    if let Some(fatal) = &o.fatal {
        lines.extend(styled_wrap(&format!("stopped: {fatal}"), width, theme.error()));
    }
    if o.not_started > 0 {
        lines.push(Line::styled(
            format!("{} approved changes were not started", thousands(o.not_started as u64)),
            theme.warn(),
        ));
    }
    lines.extend(hint(pane, Action::Plan, "to plan again", width, theme));
    lines
}

/// "  - disabled   1 disabled accounts (…)": the explanation beside its label when there is
/// room, else on lines of its own below it.
fn reason_lines<'a>(label: &str, text: &str, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    const LABEL: usize = 26;
    let beside = width >= LABEL + 20;
    let (indent, room) = if beside { (LABEL, width - LABEL) } else { (4, width.saturating_sub(4).max(1)) };
    let mut lines = Vec::new();
    let label = format!("  - {label:<22}");
    if !beside {
        lines.push(Line::styled(label.clone(), theme.dim()));
    }
    for (k, part) in wrap(text, room).into_iter().enumerate() {
        let lead = if beside && k == 0 { label.clone() } else { " ".repeat(indent) };
        lines.push(Line::from(vec![Span::styled(lead, theme.dim()), Span::raw(part)]));
    }
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
    let heading = format!(
        "Search results · {} to sync · {} skipped",
        thousands(c.entries.len() as u64),
        thousands(c.skipped.len() as u64)
    );
    let mut lines: Vec<Line> = styled_wrap(&heading, width, theme.title()).collect();
    for (kind, n) in &counts.by_kind {
        lines.push(Line::from(vec![
            Span::styled(format!("  + {:<22}", kind.label()), theme.add()),
            Span::raw(thousands(*n as u64)),
        ]));
    }
    for (reason, n) in &counts.by_reason {
        lines.extend(reason_lines(
            reason.as_str(),
            &format!("{} {}", thousands(*n as u64), reason.explain()),
            width,
            theme,
        ));
    }
    lines.extend(hint(pane, Action::Plan, "to plan against the service", width, theme));
    lines
}
