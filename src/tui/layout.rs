//! Where everything goes for a given terminal size: all five panes from 100×30 up, one pane
//! with tabs below that (or zoomed, at any size), and a "too small" notice below 60×16.

use super::panes::Pane;
use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
const FULL_WIDTH: u16 = 100;
const FULL_HEIGHT: u16 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    TooSmall,
    /// Every pane on screen.
    Full {
        title: Rect,
        panes: [(Pane, Rect); 5],
        attributes: Rect,
        hints: Rect,
    },
    /// One pane at a time, chosen from a tab bar: below the full size, or zoomed.
    Tabs {
        title: Rect,
        tabs: Rect,
        body: Rect,
        hints: Rect,
    },
}

/// The review gets the room when it has the keyboard; the tree otherwise.
pub fn screen(area: Rect) -> Screen {
    screen_for(area, Pane::Tree, false)
}

pub fn screen_for(area: Rect, focus: Pane, zoomed: bool) -> Screen {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Screen::TooSmall;
    }
    let [title, middle, hints] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    if zoomed || area.width < FULL_WIDTH || area.height < FULL_HEIGHT {
        let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(middle);
        return Screen::Tabs { title, tabs, body, hints };
    }
    let log_height = (area.height / 4).clamp(6, 12);
    let [top, log] = Layout::vertical([Constraint::Fill(1), Constraint::Length(log_height)]).areas(middle);
    let (tree_share, diff_share) = if focus == Pane::Diff { (1, 2) } else { (3, 2) };
    let [settings, tree_column, diff] =
        Layout::horizontal([Constraint::Length(38), Constraint::Fill(tree_share), Constraint::Fill(diff_share)])
            .areas(top);
    let [tree, attributes] = Layout::vertical([Constraint::Percentage(62), Constraint::Fill(1)]).areas(tree_column);
    let [log, history] = Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(log);
    Screen::Full {
        title,
        panes: [
            (Pane::Settings, settings),
            (Pane::Tree, tree),
            (Pane::Diff, diff),
            (Pane::Log, log),
            (Pane::History, history),
        ],
        attributes,
        hints,
    }
}

/// Rows available inside a bordered pane of `pane` for the focused pane (for paging keys).
pub fn body_height(area: Rect, pane: Pane, zoomed: bool) -> usize {
    match screen_for(area, pane, zoomed) {
        Screen::TooSmall => 1,
        Screen::Tabs { body, .. } => usize::from(body.height.saturating_sub(2)).max(1),
        Screen::Full { panes, .. } => {
            panes.iter().find(|(p, _)| *p == pane).map_or(1, |(_, r)| usize::from(r.height.saturating_sub(2)).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_by_size() {
        assert_eq!(screen(Rect::new(0, 0, 59, 40)), Screen::TooSmall);
        assert!(matches!(screen(Rect::new(0, 0, 80, 24)), Screen::Tabs { .. }));
        assert!(matches!(screen(Rect::new(0, 0, 120, 40)), Screen::Full { .. }));
        assert!(matches!(screen_for(Rect::new(0, 0, 120, 40), Pane::Diff, true), Screen::Tabs { .. }));
    }
}
