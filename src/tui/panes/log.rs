//! The progress log: phases, results, warnings and errors, with a progress line while busy.

use super::{fit, frame};
use crate::engine::{Level, Phase, Snapshot};
use crate::report::thousands;
use crate::tui::app::App;
use crate::tui::log_view::level_name;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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

pub fn render(
    frame_: &mut Frame,
    area: Rect,
    app: &App,
    snap: &Snapshot,
    view: &crate::tui::view::ViewCtx,
    focused: bool,
) {
    let theme = &view.theme;
    let mut title =
        format!("{}{}", if app.log.follow { "follow" } else { "scroll" }, if app.log.wrap { " · wrap" } else { "" });
    let warnings = app.log.count(Level::Warn) + app.log.count(Level::Error);
    if warnings > 0 {
        title.push_str(&format!(" · warnings: {warnings}"));
    }
    let block = frame(4, "Log", focused, theme).title_bottom(Line::from(format!(" {title} ")).right_aligned());
    let inner = block.inner(area);
    let mut height = usize::from(inner.height);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    if let Some(progress) = progress_text(snap, view.busy_for) {
        let bar = gauge_bar(snap, width / 4);
        lines.push(Line::styled(fit(&format!("▶ {progress}{bar}"), width), theme.key()));
        height = height.saturating_sub(1);
    }
    let first = app.log.first_visible(height);
    for event in app.log.lines.iter().skip(first).take(height) {
        let style = match event.level {
            Level::Info => ratatui::style::Style::new(),
            Level::Warn => theme.warn(),
            Level::Error => theme.error(),
        };
        let tag = if event.level == Level::Info {
            String::new()
        } else {
            format!("{} ", level_name(event.level).to_uppercase())
        };
        let text = format!("{}{}", tag, event.message);
        let text = if app.log.wrap { text } else { fit(&text, width.saturating_sub(9)) };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", clock(event.at, view.tz.clone())), theme.dim()),
            Span::styled(text, style),
        ]));
    }
    let paragraph = Paragraph::new(lines).block(block);
    let paragraph = if app.log.wrap { paragraph.wrap(Wrap { trim: false }) } else { paragraph };
    frame_.render_widget(paragraph, area);
}
