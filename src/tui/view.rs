//! Drawing: a pure function of the app state and the engine snapshot.

use super::app::App;
use super::keymap::Action;
use super::layout::{MIN_HEIGHT, MIN_WIDTH, Screen, screen_for};
use super::panes::diff::DiffPane;
use super::panes::history::HistoryPane;
use super::panes::log::LogPane;
use super::panes::settings::SettingsPane;
use super::panes::tree::{Attributes, TreePane};
use super::panes::{Pane, SourceTitle, fit};
use super::theme::Theme;
use crate::engine::{Level, Phase, Snapshot};
use crate::history::heartbeat::ScheduleStatus;
use crate::model::ChangeKind;
use crate::report::thousands;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Tabs};

/// Everything drawing needs besides the state: fixed in tests, live in the app.
#[derive(Clone, Debug)]
pub struct ViewCtx {
    pub theme: Theme,
    pub now: jiff::Timestamp,
    pub tz: jiff::tz::TimeZone,
    pub source: String,
    /// How long the current job has been running (for rates).
    pub busy_for: Option<std::time::Duration>,
}

pub fn draw(frame: &mut Frame, app: &App, snap: &Snapshot, view: &ViewCtx) {
    let area = frame.area();
    match screen_for(area, app.focus, app.zoomed) {
        Screen::TooSmall => too_small(frame, area, &view.theme),
        Screen::Full { title, panes, attributes, hints } => {
            title_bar(frame, title, app, snap, view);
            for (pane, rect) in panes {
                draw_pane(frame, pane, rect, app, snap, view);
            }
            frame.render_widget(Attributes { data: &snap.tree, theme: &view.theme }, attributes);
            bottom_line(frame, hints, app, &view.theme);
        }
        Screen::Tabs { title, tabs, body, hints } => {
            title_bar(frame, title, app, snap, view);
            tab_bar(frame, tabs, app, &view.theme);
            draw_pane(frame, app.focus, body, app, snap, view);
            bottom_line(frame, hints, app, &view.theme);
        }
    }
    if let Some(overlay) = &app.overlay {
        super::overlays::render(frame, area, overlay, app, snap, &view.theme);
    }
}

/// The title of a pane showing one of several sources.
fn source_title(app: &App, pane: Pane, name: &str, at: usize, of: usize) -> SourceTitle {
    let key = app.keymap.key_for(pane.context(), Action::NextSource).map(|k| k.to_string());
    SourceTitle { name: name.to_string(), at, of, key }
}

fn draw_pane(frame: &mut Frame, pane: Pane, area: Rect, app: &App, snap: &Snapshot, view: &ViewCtx) {
    let (focused, theme) = (app.focus == pane, &view.theme);
    match pane {
        Pane::Settings => {
            let input = app.input.as_ref();
            let form = &app.settings.form;
            let source = form.editing_source().map(|(name, of)| source_title(app, pane, name, form.editing(), of));
            frame.render_widget(SettingsPane { state: &app.settings, input, theme, focused, source }, area)
        }
        Pane::Tree => {
            let source = app.tree.source.as_ref().map(|b| source_title(app, pane, &b.name, b.at, b.of));
            frame.render_widget(TreePane { state: &app.tree, data: &snap.tree, theme, focused, source }, area)
        }
        Pane::Diff => {
            let (guards, keymap) = (&app.config.sync.guards, &app.keymap);
            let zoomed = app.zoomed;
            frame.render_widget(DiffPane { state: &app.diff, snap, guards, keymap, theme, focused, zoomed }, area)
        }
        Pane::Log => frame.render_widget(LogPane { state: &app.log, snap, view, focused }, area),
        Pane::History => frame.render_widget(HistoryPane { state: &app.history, view, focused }, area),
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::styled("terminal too small", theme.title()),
        Line::from(format!("{}×{} now, adsync needs at least {MIN_WIDTH}×{MIN_HEIGHT}", area.width, area.height)),
        Line::styled("enlarge the window, or press q to quit", theme.dim()),
    ];
    let [_, middle, _] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(3), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(text).alignment(Alignment::Center), middle);
}

/// "adsync · ldaps://… base" on the left; connection, phase, counts and next sync on the right.
fn title_bar(frame: &mut Frame, area: Rect, app: &App, snap: &Snapshot, view: &ViewCtx) {
    let theme = &view.theme;
    let right = status_text(app, snap, view);
    let room = usize::from(area.width).saturating_sub(right.chars().count() + 1);
    let left = match app.config.origin.as_ref().filter(|_| app.first_run) {
        Some(path) => fit(&format!("adsync · new config {}", path.display()), room),
        None => fit(&format!("adsync · {}", view.source), room),
    };
    let pad = usize::from(area.width)
        .saturating_sub(unicode_width::UnicodeWidthStr::width(left.as_str()) + right.chars().count());
    let state_style = match snap.phase {
        Phase::Failed => theme.error(),
        Phase::Done => theme.ok(),
        _ => theme.title(),
    };
    let line = Line::from(vec![
        Span::styled(left, theme.title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, state_style),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn status_text(app: &App, snap: &Snapshot, view: &ViewCtx) -> String {
    let connection = match (&snap.phase, snap.tree.listing(&app.tree.root)) {
        _ if app.first_run => "○ not set up yet",
        (Phase::Failed, _) => "✕ failed",
        (_, Some(l)) if l.error.is_some() => "✕ unreachable",
        (Phase::Done, _) => "● read ok",
        (_, Some(l)) if l.nodes.is_some() => "● bound",
        _ => "○ connecting",
    };
    let mut parts = vec![connection.to_string(), snap.phase.label().to_string()];
    if let Some(review) = &snap.review {
        let p = &review.planned.plan;
        parts.push(format!(
            "+{} ~{} -{}",
            thousands(p.count(ChangeKind::Create) as u64),
            thousands(p.count(ChangeKind::Update) as u64),
            thousands(p.count(ChangeKind::Delete) as u64)
        ));
    } else if let Some(outcome) = &snap.search {
        parts.push(format!("{} to sync", thousands(outcome.classification.entries.len() as u64)));
    }
    if let Some(last) = app.history.runs.iter().max_by_key(|r| r.ended) {
        parts.push(format!("last run {} {}", clock_time(last.ended, view), last.outcome.label()));
    }
    parts.push(schedule_text(app, view));
    parts.join(" · ")
}

/// Whether `adsync schedule` runs for this config, from its heartbeat ("schedule on, next
/// 14:30"), and a word when the config asks for a schedule that nothing runs.
fn schedule_text(app: &App, view: &ViewCtx) -> String {
    match (&app.schedule, app.config.sync.frequency.hours()) {
        (ScheduleStatus::Running(beat), _) if beat.running => "schedule on, syncing now".into(),
        (ScheduleStatus::Running(beat), _) => match beat.next_run {
            Some(next) => format!("schedule on, next {}", clock_time(next, view)),
            None => "schedule on".into(),
        },
        (_, None) => "schedule off".into(),
        (_, Some(h)) => format!("no schedule running ({h} h set)"),
    }
}

/// "14:02" today, "2026-11-30 14:02" on another day.
fn clock_time(at: jiff::Timestamp, view: &ViewCtx) -> String {
    let local = at.to_zoned_datetime(view.tz.clone());
    let today = view.now.to_zoned_datetime(view.tz.clone()).date();
    local.strftime(if local.date() == today { "%H:%M" } else { "%Y-%m-%d %H:%M" }).to_string()
}

fn tab_bar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let titles: Vec<String> = Pane::ALL.iter().enumerate().map(|(k, p)| format!("{} {}", k + 1, p.title())).collect();
    let selected = Pane::ALL.iter().position(|p| *p == app.focus).unwrap_or(0);
    frame.render_widget(Tabs::new(titles).select(selected).highlight_style(theme.selected()).divider("│"), area);
}

/// The text box when typing, else a flash message, else key hints from the keymap.
fn bottom_line(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let width = usize::from(area.width);
    let line = if let Some(input) = &app.input {
        input.line(theme)
    } else if let Some((level, text, _)) = &app.flash {
        let style = match level {
            Level::Info => theme.ok(),
            Level::Warn => theme.warn(),
            Level::Error => theme.error(),
        };
        Line::styled(fit(text, width), style)
    } else {
        hints_line(app, width, theme)
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn hints_line(app: &App, width: usize, theme: &Theme) -> Line<'static> {
    let context = app.context();
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, desc) in app.keymap.hints(context) {
        let piece = key.chars().count() + desc.chars().count() + 4;
        if used + piece > width {
            break;
        }
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {desc}")));
        used += piece;
    }
    Line::from(spans)
}

/// A centred box of `width`×`height` (clamped to the screen), cleared for an overlay.
pub fn centered(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, rect);
    frame.render_widget(Block::default(), rect);
    rect
}
