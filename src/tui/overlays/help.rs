//! Help: every binding, by context, straight from the keymap table. Arrows scroll it; any
//! other key closes it.

use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::theme::Theme;
use crate::tui::view::centered;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// The scroll position after `action`; none when the key closes help.
pub fn scrolled(scroll: usize, action: Option<Action>) -> Option<usize> {
    match action? {
        Action::Down => Some(scroll + 1),
        Action::PageDown => Some(scroll + 10),
        Action::Up => Some(scroll.saturating_sub(1)),
        Action::PageUp => Some(scroll.saturating_sub(10)),
        _ => None,
    }
}

/// Every binding, by context, straight from the keymap table.
pub fn help_lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for context in Context::ALL {
        let bindings = keymap.bindings(context);
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

pub fn render(frame: &mut Frame, area: Rect, keymap: &Keymap, scroll: usize, theme: &Theme) {
    let rect = centered(frame, area, 76, area.height.saturating_sub(4));
    let lines: Vec<Line> = help_lines(keymap, theme).into_iter().skip(scroll).collect();
    let block = Block::bordered().title(" Help · ↑↓ scroll · any other key closes ").border_style(theme.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_scroll_and_other_keys_close() {
        assert_eq!(scrolled(0, Some(Action::Down)), Some(1));
        assert_eq!(scrolled(3, Some(Action::PageUp)), Some(0));
        assert_eq!(scrolled(3, Some(Action::Quit)), None);
        assert_eq!(scrolled(3, None), None);
    }
}
