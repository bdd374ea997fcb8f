//! Overlays: help generated from the keymap, and the quit confirmation.

use super::app::{App, Overlay};
use super::keymap::Context;
use super::theme::Theme;
use super::view::centered;
use crate::diagnose::Status;
use crate::engine::Snapshot;
use crate::model::ChangeKind;
use crate::report::thousands;
use crate::sync::guard::Overrides;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, overlay: &Overlay, app: &App, snap: &Snapshot, theme: &Theme) {
    match overlay {
        Overlay::Help { scroll } => help(frame, area, app, *scroll, theme),
        Overlay::ConfirmQuit => confirm_quit(frame, area, theme),
        Overlay::ConfirmApply => confirm_apply(frame, area, app, snap, theme),
        Overlay::Diagnostics => diagnostics(frame, area, app, theme),
    }
}

/// The totals before anything is applied, and the guards' verdict for exactly this selection.
fn confirm_apply(frame: &mut Frame, area: Rect, app: &App, snap: &Snapshot, theme: &Theme) {
    let Some(review) = snap.review.as_deref() else { return };
    let plan = &review.planned.plan;
    let approved = |kind| plan.range(kind).filter(|k| review.selected[*k]).count();
    let left_out = plan.changes.len() - review.approved();
    let verdict = review.verdict(Overrides::default(), &app.config.sync.guards);
    let mut lines = vec![
        Line::from(format!("Apply {} changes to {}?", thousands(review.approved() as u64), review.planned.target)),
        Line::from(vec![
            Span::styled(format!("  + {} create", thousands(approved(ChangeKind::Create) as u64)), theme.add()),
            Span::styled(format!("  ~ {} update", thousands(approved(ChangeKind::Update) as u64)), theme.change()),
            Span::styled(format!("  - {} delete", thousands(approved(ChangeKind::Delete) as u64)), theme.remove()),
        ]),
        Line::styled(format!("  {} left out by you", thousands(left_out as u64)), theme.dim()),
    ];
    for b in &verdict.blocks {
        lines.push(Line::styled(format!("BLOCKED: {b}"), theme.error()));
    }
    let answer = if !verdict.ok() {
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
    };
    lines.push(answer);
    let rect = centered(frame, area, 78, lines.len() as u16 + 4);
    let block = Block::bordered().title(" Apply? ").border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }), rect);
}

fn status_word(status: Status, theme: &Theme) -> Span<'static> {
    match status {
        Status::Ok => Span::styled(" ok  ", theme.ok()),
        Status::Warn => Span::styled("warn ", theme.warn()),
        Status::Fail => Span::styled("FAIL ", theme.error()),
        Status::Skipped => Span::styled("skip ", theme.dim()),
    }
}

/// The connectivity check, live: one line per rung, the selected rung's evidence on Enter.
fn diagnostics(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let d = &app.diagnostics;
    let rect = centered(frame, area, 100, area.height.saturating_sub(4));
    let width = usize::from(rect.width.saturating_sub(2));
    let mut lines = Vec::new();
    for (k, step) in d.steps.iter().enumerate() {
        let cursor = if k == d.selected { "›" } else { " " };
        let head = format!("{cursor}{:<18} {:>6} ms  ", step.title, step.elapsed.as_millis());
        let summary = crate::tui::panes::fit(&step.summary, width.saturating_sub(head.chars().count() + 5));
        lines.push(Line::from(vec![Span::raw(head), status_word(step.status, theme), Span::raw(summary)]));
        if k == d.selected && (d.expanded || step.status == Status::Fail) {
            for (label, value) in &step.evidence {
                lines
                    .push(Line::styled(crate::tui::panes::fit(&format!("      {label}: {value}"), width), theme.dim()));
            }
            if let Some(fix) = &step.fix {
                lines.push(Line::styled(format!("      fix: {fix}"), theme.warn()));
            }
        }
    }
    let footer = match (d.running, d.elapsed) {
        (true, _) => format!("checking… {} of {} rungs", d.steps.len(), crate::diagnose::StepId::ALL.len()),
        (false, Some(e)) => {
            format!("done in {} ms · ↑↓ select · Enter evidence · c again · any other key closes", e.as_millis())
        }
        (false, None) => String::new(),
    };
    lines.push(Line::styled(footer, theme.dim()));
    let block = Block::bordered().title(" Connectivity check ").border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }), rect);
}

/// Every binding, by context, straight from the keymap table.
pub fn help_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for context in Context::ALL {
        let bindings = app.keymap.bindings(context);
        if bindings.is_empty() {
            continue;
        }
        lines.push(Line::styled(context.title().to_string(), theme.title()));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<18}", keys.join(" ")), theme.key()),
                Span::raw(b.desc.clone()),
            ]));
        }
    }
    lines
}

fn help(frame: &mut Frame, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let rect = centered(frame, area, 76, area.height.saturating_sub(4));
    let lines: Vec<Line> = help_lines(app, theme).into_iter().skip(scroll).collect();
    let block = Block::bordered().title(" Help · ↑↓ scroll · any other key closes ").border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn confirm_quit(frame: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(frame, area, 52, 5);
    let lines = vec![
        Line::from("A search is still running. Quit anyway?"),
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
