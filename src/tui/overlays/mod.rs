//! Overlays over the panes: help, the two confirmations, the connectivity check. While one is
//! open it has every key (but Ctrl-C). Each keeps its keys beside its drawing.

pub mod confirm;
pub mod diagnostics;
pub mod help;

use super::app::App;
use super::theme::Theme;
use crate::engine::Snapshot;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// "Quit while a job runs?"
    ConfirmQuit,
    /// "Apply these N changes?", with the totals and the guards' verdict.
    ConfirmApply,
    /// The connectivity check, rung by rung.
    Diagnostics,
}

pub fn render(frame: &mut Frame, area: Rect, overlay: &Overlay, app: &App, snap: &Snapshot, theme: &Theme) {
    match overlay {
        Overlay::Help { scroll } => help::render(frame, area, &app.keymap, *scroll, theme),
        Overlay::ConfirmQuit => confirm::render_quit(frame, area, &snap.phase, theme),
        Overlay::ConfirmApply => confirm::render_apply(frame, area, snap, &app.config.sync.guards, theme),
        Overlay::Diagnostics => app.diagnostics.render(frame, area, theme),
    }
}
