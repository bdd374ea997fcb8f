//! The five panes. Each owns its state and its keys, beside the widget that draws it from that
//! state and the engine's snapshot (`TreeState` and `TreePane`, …). The app only routes.

pub mod diff;
pub mod history;
pub mod log;
mod reply;
pub mod settings;
pub mod tree;

pub use reply::Reply;

use super::keymap::{Action, Context};
use super::theme::Theme;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Settings,
    Tree,
    Diff,
    Log,
    History,
}

impl Pane {
    pub const ALL: [Pane; 5] = [Pane::Settings, Pane::Tree, Pane::Diff, Pane::Log, Pane::History];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Settings => "Settings",
            Pane::Tree => "Directory",
            Pane::Diff => "Pending changes",
            Pane::Log => "Log",
            Pane::History => "History",
        }
    }

    /// The keymap context of the pane's own bindings.
    pub fn context(self) -> Context {
        match self {
            Pane::Settings => Context::Settings,
            Pane::Tree => Context::Tree,
            Pane::Diff => Context::Diff,
            Pane::Log => Context::Log,
            Pane::History => Context::History,
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane whose keymap context this is; none for global bindings.
    pub fn for_context(context: Context) -> Option<Pane> {
        Pane::ALL.into_iter().find(|p| p.context() == context)
    }
}

/// A pane's frame: "2 Directory" on the border, highlighted when focused.
pub fn frame(pane: Pane, focused: bool, theme: &Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(theme.border(focused))
        .title(Line::from(title_text(pane)).style(theme.title()))
}

/// " 2 Directory ": a pane's own title.
fn title_text(pane: Pane) -> String {
    format!(" {} {} ", pane.index() + 1, pane.title())
}

/// Which of an organisation's several sources a pane shows, for its title.
#[derive(Clone, Debug)]
pub struct SourceTitle {
    pub name: String,
    /// Its place among the sources (from 0), and how many there are.
    pub at: usize,
    pub of: usize,
    /// The key to the next source.
    pub key: Option<String>,
}

impl SourceTitle {
    /// " source hq · 1 of 2 · ] next ", or shorter on a narrow pane: the pane's own title
    /// (`pane`) stays whole.
    pub fn on(&self, block: Block<'static>, pane: Pane, width: u16) -> Block<'static> {
        let own = title_text(pane).chars().count() + 4;
        let room = usize::from(width).saturating_sub(own);
        let key = self.key.as_ref().map(|k| format!(" · {k} next")).unwrap_or_default();
        let (at, of) = (self.at + 1, self.of);
        let titles = [format!(" source {} · {at} of {of}{key} ", self.name), format!(" {} {at}/{of} ", self.name)];
        match titles.into_iter().find(|t| t.chars().count() <= room) {
            Some(title) => block.title(Line::from(title).right_aligned()),
            None => block,
        }
    }
}

/// How far a movement key moves, in rows. The ends are half the range away, so adding them
/// to a position cannot overflow.
pub fn step(action: Action, page: usize) -> Option<isize> {
    let page = page as isize;
    Some(match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}

/// Cuts `text` to `width` columns, marking the cut with "…".
/// The first row to draw in a window of `height` so that `selected` is visible,
/// in its middle once the list is longer than the window..
pub fn window_start(selected: usize, height: usize, rows: usize) -> usize {
    if height == 0 || selected < height / 2 {
        return 0;
    }
    (selected + 1 - height / 2).min(rows.saturating_sub(height))
}

pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push('…');
    out
}

/// Breaks `text` into lines of at most `width` columns at spaces (long words are cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = if line.is_empty() { word.width() } else { line.width() + 1 + word.width() };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.into_iter().map(|l| fit(&l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_selection_centred() {
        assert_eq!(window_start(3, 10, 100), 0);
        assert_eq!(window_start(50, 10, 100), 46);
        assert_eq!(window_start(99, 10, 100), 90);
    }

    #[test]
    fn fitting_text() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 8), "hello w…");
        assert_eq!(fit("hello", 5), "hello");
    }

    #[test]
    fn wrapping_at_spaces() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 5), vec!["abcd…"]);
    }
}
