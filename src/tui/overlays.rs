//! Overlays: help generated from the keymap, and the quit confirmation.

use super::app::{App, Overlay};
use super::keymap::Context;
use super::theme::Theme;
use super::view::centered;
use crate::engine::Snapshot;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, overlay: &Overlay, app: &App, _snap: &Snapshot, theme: &Theme) {
    match overlay {
        Overlay::Help { scroll } => help(frame, area, app, *scroll, theme),
        Overlay::ConfirmQuit => confirm_quit(frame, area, theme),
    }
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
