//! The log pane's state: a bounded list of lines, follow and wrap toggles, scrolling.

use crate::engine::{Event, Level};
use std::collections::VecDeque;

/// Older lines are dropped beyond this; the saved log says so.
pub const MAX_LINES: usize = 10_000;

#[derive(Debug, Clone)]
pub struct LogState {
    pub lines: VecDeque<Event>,
    pub follow: bool,
    pub wrap: bool,
    /// First visible line when not following.
    pub offset: usize,
    pub dropped: usize,
}

impl Default for LogState {
    fn default() -> Self {
        Self { lines: VecDeque::new(), follow: true, wrap: false, offset: 0, dropped: 0 }
    }
}

impl LogState {
    pub fn push(&mut self, event: Event) {
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
            self.dropped += 1;
            self.offset = self.offset.saturating_sub(1);
        }
        self.lines.push_back(event);
    }

    /// The first line to show in a window of `height` lines.
    pub fn first_visible(&self, height: usize) -> usize {
        if self.follow {
            self.lines.len().saturating_sub(height)
        } else {
            self.offset.min(self.lines.len().saturating_sub(1))
        }
    }

    /// Scrolling by hand stops following; reaching the end starts it again.
    pub fn scroll(&mut self, delta: isize, height: usize) {
        let start = self.first_visible(height) as isize;
        let last_start = self.lines.len().saturating_sub(height) as isize;
        let next = (start + delta).clamp(0, last_start.max(0));
        self.offset = next as usize;
        self.follow = next >= last_start;
    }

    pub fn count(&self, level: Level) -> usize {
        self.lines.iter().filter(|e| e.level == level).count()
    }

    /// Plain text for saving: one line per event, UTC timestamps.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.dropped > 0 {
            out.push_str(&format!("({} older lines were dropped)\n", self.dropped));
        }
        for e in &self.lines {
            let at = jiff::Timestamp::try_from(e.at)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            out.push_str(&format!("{at} {:<5} {}\n", level_name(e.level), e.message));
        }
        out
    }
}

pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_following() {
        let mut log = LogState::default();
        for k in 0..MAX_LINES + 5 {
            log.push(Event::info(format!("line {k}")));
        }
        assert_eq!((log.lines.len(), log.dropped), (MAX_LINES, 5));
        assert_eq!(log.first_visible(10), MAX_LINES - 10);
        log.scroll(-3, 10);
        assert!(!log.follow);
        log.scroll(100, 10);
        assert!(log.follow, "scrolling to the end follows again");
        assert!(log.to_text().starts_with("(5 older lines were dropped)"));
    }
}
