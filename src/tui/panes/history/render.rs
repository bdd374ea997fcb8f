//! The runs, a line each: when it ended, who started it, how it ended (in words, and in
//! colour), the plan's counts, and the guard or error. With a run open: its summary and
//! its changes, each with its outcome.

use super::state::HistoryState;
use crate::history::changes::RunChanges;
use crate::history::{Outcome, RunRecord, text};
use crate::tui::panes::{Pane, fit, frame, window_start, wrap};
use crate::tui::theme::Theme;
use crate::tui::view::ViewCtx;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub struct HistoryPane<'a> {
    pub state: &'a HistoryState,
    pub view: &'a ViewCtx,
    pub focused: bool,
}

impl Widget for HistoryPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = frame(Pane::History, self.focused, &self.view.theme);
        let inner = block.inner(area);
        let (width, height) = (usize::from(inner.width), usize::from(inner.height));
        let lines = match &self.state.open {
            Some((record, changes)) => self.changes(record, changes.as_ref(), width, height),
            None => self.runs(width, height),
        };
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

/// The outcome's colour; the word says it too.
pub fn outcome_style(outcome: Outcome, theme: &Theme) -> Style {
    match outcome {
        Outcome::Applied => theme.ok(),
        Outcome::Planned => Style::new(),
        Outcome::Partial | Outcome::Cancelled => theme.warn(),
        Outcome::Blocked | Outcome::Failed => theme.error(),
    }
}

impl HistoryPane<'_> {
    fn runs(&self, width: usize, height: usize) -> Vec<Line<'static>> {
        let theme = &self.view.theme;
        if self.state.runs.is_empty() {
            let hint =
                "No runs yet. Every plan and apply, here and by `adsync schedule` or `adsync sync`, is listed here.";
            return wrap(hint, width).into_iter().map(|l| Line::styled(l, theme.dim())).collect();
        }
        let start = window_start(self.state.selected, height, self.state.runs.len());
        let rows = self.state.runs.iter().enumerate().skip(start).take(height);
        rows.map(|(k, r)| self.run_line(r, k == self.state.selected, width)).collect()
    }

    /// "›12-04 14:02 tui      applied   +12 ~3 -1  …".
    fn run_line(&self, r: &RunRecord, selected: bool, width: usize) -> Line<'static> {
        let theme = &self.view.theme;
        let when = r.ended.to_zoned_datetime(self.view.tz.clone()).strftime("%m-%d %H:%M").to_string();
        let cursor = if selected { "›" } else { " " };
        let left = format!("{cursor}{when} {:<8} ", r.trigger.as_str());
        let outcome = format!("{:<9} ", r.outcome.label());
        let rest = fit(&format!("{} {}", r.plan_text(), note(r)), width.saturating_sub(left.len() + outcome.len()));
        let highlight = if selected && self.focused { theme.selected() } else { Style::new() };
        Line::from(vec![
            Span::styled(left, theme.dim().patch(highlight)),
            Span::styled(outcome, outcome_style(r.outcome, theme).patch(highlight)),
            Span::styled(rest, highlight),
        ])
    }

    fn changes(&self, r: &RunRecord, changes: Option<&RunChanges>, width: usize, height: usize) -> Vec<Line<'static>> {
        let theme = &self.view.theme;
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{} ", r.outcome.label()), outcome_style(r.outcome, theme)),
            Span::styled(fit(&r.run.0, width.saturating_sub(10)), theme.title()),
        ])];
        lines.extend(wrap(&r.summary(), width).into_iter().map(Line::from));
        let list: Vec<String> = match changes {
            None => vec!["reading…".into()],
            Some(RunChanges::Applied(list)) => list.iter().map(text::applied_line).collect(),
            Some(RunChanges::Pending(plan)) => pending_lines(plan),
            Some(RunChanges::Unavailable(why)) => vec![format!("no changes listed: {why}")],
        };
        let room = height.saturating_sub(lines.len());
        let wrapped = list.iter().skip(self.state.scroll).flat_map(|l| hanging(l, width));
        lines.extend(wrapped.take(room).map(Line::raw));
        lines
    }
}

fn pending_lines(plan: &crate::history::changes::PendingPlan) -> Vec<String> {
    let mut out = vec![format!("{} pending, none applied:", plan.total)];
    for c in &plan.changes {
        out.push(text::pending_line(c));
        out.extend(c.fields.iter().map(|f| format!("    {f}")));
    }
    out
}

/// `text` wrapped to `width`, the lines after the first indented under its address.
fn hanging(text: &str, width: usize) -> Vec<String> {
    const INDENT: usize = 11;
    let mut lines = wrap(text, width).into_iter();
    let first = lines.next().unwrap_or_default();
    let rest: String = lines.collect::<Vec<_>>().join(" ");
    let mut out = vec![first];
    if !rest.is_empty() {
        let pad = " ".repeat(INDENT);
        out.extend(wrap(&rest, width.saturating_sub(INDENT).max(1)).into_iter().map(|l| format!("{pad}{l}")));
    }
    out
}

/// The guard or error of a run that needs reading, else nothing.
fn note(r: &RunRecord) -> String {
    r.guards.first().map(|g| g.guard.clone()).or_else(|| r.error.clone()).unwrap_or_default()
}
