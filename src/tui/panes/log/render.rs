//! The progress log: phases, results, warnings and errors, with a progress line while busy.

use super::state::{LogState, level_name};
use crate::engine::{Event, Level, Phase, Snapshot};
use crate::report::thousands;
use crate::tui::panes::{Pane, fit, frame};
use crate::tui::theme::Theme;
use crate::tui::view::ViewCtx;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The log pane: a progress line while the engine is busy, then the latest lines (or where
/// the user scrolled to).
pub struct LogPane<'a> {
    pub state: &'a LogState,
    pub snap: &'a Snapshot,
    pub view: &'a ViewCtx,
    pub focused: bool,
}

fn clock(at: std::time::SystemTime, offset: jiff::tz::TimeZone) -> String {
    jiff::Timestamp::try_from(at)
        .map(|t| t.to_zoned_datetime(offset).strftime("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// What the engine is doing right now, with a rate while reading.
pub fn progress_text(snap: &Snapshot, busy_for: Option<std::time::Duration>) -> Option<String> {
    match &snap.phase {
        Phase::Connecting => Some("connecting…".into()),
        Phase::Reading { entries, pages } => {
            let rate = busy_for.map(|d| d.as_secs_f64()).filter(|s| *s > 0.2).map(|s| (*entries as f64 / s) as u64);
            let rate = rate.map(|r| format!(" · {}/s", thousands(r))).unwrap_or_default();
            Some(format!("reading {} entries · {pages} pages{rate}", thousands(*entries)))
        }
        Phase::Planning => Some("planning: listing the service's accounts…".into()),
        Phase::Applying(p) => {
            let finished = p.done + p.failed;
            let secs = busy_for.map(|d| d.as_secs_f64()).filter(|s| *s > 0.2);
            let rate = secs.map(|s| finished as f64 / s).filter(|r| *r > 0.0);
            let eta = rate
                .map(|r| format!(" · ETA {:.0} s", (p.total.saturating_sub(finished)) as f64 / r))
                .unwrap_or_default();
            let rate = rate.map(|r| format!(" · {}/s", thousands(r as u64))).unwrap_or_default();
            Some(format!(
                "applying {} of {} · {} failed{rate}{eta}",
                thousands(finished as u64),
                thousands(p.total as u64),
                p.failed
            ))
        }
        _ => None,
    }
}

/// "  ██████░░░░ 60%" while applying (the total is known then; for reads it is not).
fn gauge_bar(snap: &Snapshot, cells: usize) -> String {
    let Phase::Applying(p) = &snap.phase else { return String::new() };
    if p.total == 0 || cells < 4 {
        return String::new();
    }
    let ratio = (p.done + p.failed) as f64 / p.total as f64;
    let full = (ratio * cells as f64).round() as usize;
    format!("  {}{} {:.0}%", "█".repeat(full), "░".repeat(cells.saturating_sub(full)), ratio * 100.0)
}

impl Widget for LogPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.view.theme;
        let title = Line::from(format!(" {} ", self.title())).right_aligned();
        let block = frame(Pane::Log, self.focused, theme).title_bottom(title);
        let lines = self.lines(block.inner(area));
        let paragraph = Paragraph::new(lines).block(block);
        let paragraph = if self.state.wrap { paragraph.wrap(Wrap { trim: false }) } else { paragraph };
        paragraph.render(area, buf);
    }
}

impl<'a> LogPane<'a> {
    /// "follow · wrap · warnings: 2": the toggles in force, and whether anything went wrong.
    fn title(&self) -> String {
        let log = self.state;
        let mut title =
            format!("{}{}", if log.follow { "follow" } else { "scroll" }, if log.wrap { " · wrap" } else { "" });
        let warnings = log.count(Level::Warn) + log.count(Level::Error);
        if warnings > 0 {
            title.push_str(&format!(" · warnings: {warnings}"));
        }
        title
    }

    fn lines(&self, inner: Rect) -> Vec<Line<'a>> {
        let (mut height, width) = (usize::from(inner.height), usize::from(inner.width));
        let mut lines = Vec::new();
        if let Some(progress) = progress_text(self.snap, self.view.busy_for) {
            let bar = gauge_bar(self.snap, width / 4);
            lines.push(Line::styled(fit(&format!("▶ {progress}{bar}"), width), self.view.theme.key()));
            height = height.saturating_sub(1);
        }
        let first = self.state.first_visible(height);
        lines.extend(self.state.lines.iter().skip(first).take(height).map(|e| self.event_line(e, width)));
        lines
    }

    /// "14:02:11 WARN text": errors and warnings say so in words, not only in colour.
    fn event_line(&self, event: &Event, width: usize) -> Line<'a> {
        let theme = &self.view.theme;
        let tag = if event.level == Level::Info {
            String::new()
        } else {
            format!("{} ", level_name(event.level).to_uppercase())
        };
        let text = format!("{}{}", tag, event.message);
        let text = if self.state.wrap { text } else { fit(&text, width.saturating_sub(9)) };
        Line::from(vec![
            Span::styled(format!("{} ", clock(event.at, self.view.tz.clone())), theme.dim()),
            Span::styled(text, level_style(event.level, theme)),
        ])
    }
}

fn level_style(level: Level, theme: &Theme) -> ratatui::style::Style {
    match level {
        Level::Info => ratatui::style::Style::new(),
        Level::Warn => theme.warn(),
        Level::Error => theme.error(),
    }
}
