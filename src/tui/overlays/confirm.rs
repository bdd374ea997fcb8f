//! The two confirmations: quitting while a job runs, and applying, with the totals and the
//! guards' verdict for exactly the approved selection. Only `y` says yes.

use crate::config::GuardConfig;
use crate::engine::{Phase, Review, Snapshot};
use crate::model::ChangeKind;
use crate::report::thousands;
use crate::sync::guard::{Overrides, Verdict};
use crate::tui::keymap::Key;
use crate::tui::theme::Theme;
use crate::tui::view::centered;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// Any other key answers no: a stray key must never quit or apply.
pub fn said_yes(key: Key) -> bool {
    key.code == KeyCode::Char('y')
}

/// Whether the guards let the current selection through (the overlay shows why not).
pub fn apply_allowed(snapshot: &Snapshot, guards: &GuardConfig) -> bool {
    snapshot.review.as_ref().is_some_and(|r| r.approved() > 0 && r.verdict(Overrides::default(), guards).ok())
}

/// The overlay's width, before a narrow terminal shrinks it.
const WIDTH: u16 = 78;

/// Rows the lines take once wrapped inside the overlay's borders: a guard's message or a
/// warning is often longer than one row.
fn wrapped_height(lines: &[Line<'_>], area: Rect) -> u16 {
    let inner = usize::from(WIDTH.min(area.width.saturating_sub(2)).saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// The totals before anything is applied, and the guards' verdict for exactly this selection.
pub fn render_apply(frame: &mut Frame, area: Rect, snap: &Snapshot, guards: &GuardConfig, theme: &Theme) {
    let Some(review) = snap.review.as_deref() else { return };
    let verdict = review.verdict(Overrides::default(), guards);
    let mut lines = totals(review, theme);
    for w in &verdict.warnings {
        lines.push(Line::styled(format!("warning: {w}"), theme.change()));
    }
    for b in &verdict.blocks {
        lines.push(Line::styled(format!("BLOCKED: {b}"), theme.error()));
    }
    lines.push(answer(review, &verdict, theme));
    let rect = centered(frame, area, WIDTH, wrapped_height(&lines, area) + 4);
    let block = Block::bordered().title(" Apply? ").border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }), rect);
}

fn totals(review: &Review, theme: &Theme) -> Vec<Line<'static>> {
    let plan = &review.planned.plan;
    let approved = |kind| plan.range(kind).filter(|k| review.selected[*k]).count();
    let left_out = plan.changes.len() - review.approved();
    vec![
        Line::from(format!("Apply {} changes to {}?", thousands(review.approved() as u64), review.planned.target)),
        Line::from(vec![
            Span::styled(format!("  + {} create", thousands(approved(ChangeKind::Create) as u64)), theme.add()),
            Span::styled(format!("  ~ {} update", thousands(approved(ChangeKind::Update) as u64)), theme.change()),
            Span::styled(format!("  - {} delete", thousands(approved(ChangeKind::Delete) as u64)), theme.remove()),
        ]),
        Line::styled(format!("  {} left out by you", thousands(left_out as u64)), theme.dim()),
    ]
}

/// What the keys do now: apply, or only close when nothing could be applied.
fn answer(review: &Review, verdict: &Verdict, theme: &Theme) -> Line<'static> {
    if verdict.blocks.iter().any(|b| !b.has_override()) {
        Line::from("Nothing can be applied like this: see why above. Any key closes.")
    } else if !verdict.ok() {
        Line::from(
            "Nothing can be applied like this: leave changes out, or run `adsync sync --apply` with the override. Any key closes.",
        )
    } else if review.approved() == 0 {
        Line::from("No change is approved. Any key closes.")
    } else {
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" apply   "),
            Span::styled("any other key", theme.key()),
            Span::raw(" go back"),
        ])
    }
}

pub fn render_quit(frame: &mut Frame, area: Rect, phase: &Phase, theme: &Theme) {
    let rect = centered(frame, area, 52, 5);
    let lines = vec![
        Line::from(format!("{} Quit anyway?", still_running(phase))),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" quit   "),
            Span::styled("any other key", theme.key()),
            Span::raw(" stay"),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Quit? ").border_style(theme.border(true))),
        rect,
    );
}

/// The job that quitting would stop, by name.
fn still_running(phase: &Phase) -> &'static str {
    match phase {
        Phase::Planning => "A plan is still being made.",
        Phase::Applying(_) => "Changes are still being applied.",
        _ => "A search is still running.",
    }
}
