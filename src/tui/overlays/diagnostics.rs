//! The connectivity check, live: one line per rung as it finishes, the selected rung's
//! evidence on Enter. Its state, its keys and its drawing.

use crate::diagnose::{Status, Step};
use crate::tui::keymap::Action;
use crate::tui::panes::fit;
use crate::tui::theme::Theme;
use crate::tui::view::centered;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use std::time::Duration;

/// The connectivity check as the TUI shows it while it runs.
#[derive(Clone, Debug, Default)]
pub struct DiagnosticsState {
    pub steps: Vec<Step>,
    pub running: bool,
    pub selected: usize,
    pub expanded: bool,
    pub elapsed: Option<Duration>,
    /// How many rungs the ladder being climbed has (they depend on the kind of source).
    pub rungs: usize,
}

/// What a key does to the open check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterKey {
    Stay,
    RunAgain,
    Close,
}

impl DiagnosticsState {
    pub fn started(kind: crate::config::SourceKind) -> Self {
        Self { running: true, rungs: crate::diagnose::StepId::ladder(kind).len(), ..Self::default() }
    }

    pub fn finished(&mut self, elapsed: Duration) {
        self.running = false;
        self.elapsed = Some(elapsed);
    }

    pub fn on_action(&mut self, action: Option<Action>) -> AfterKey {
        let last = self.steps.len().saturating_sub(1);
        match action {
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Expand | Action::Edit | Action::Details) => self.expanded = !self.expanded,
            Some(Action::Check) if !self.running => return AfterKey::RunAgain,
            _ => return AfterKey::Close,
        }
        AfterKey::Stay
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let rect = centered(frame, area, 100, area.height.saturating_sub(4));
        let width = usize::from(rect.width.saturating_sub(2));
        let mut lines = Vec::new();
        for (k, step) in self.steps.iter().enumerate() {
            lines.extend(self.step_lines(k, step, width, theme));
        }
        lines.push(Line::styled(self.footer(), theme.dim()));
        let block = Block::bordered().title(" Connectivity check ").border_style(theme.border(true));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }), rect);
    }

    /// A rung's line; the selected rung shows its evidence when asked to, or when it failed.
    fn step_lines(&self, k: usize, step: &Step, width: usize, theme: &Theme) -> Vec<Line<'static>> {
        let cursor = if k == self.selected { "›" } else { " " };
        let head = format!("{cursor}{:<18} {:>6} ms  ", step.title, step.elapsed.as_millis());
        let summary = fit(&step.summary, width.saturating_sub(head.chars().count() + 5));
        let mut lines = vec![Line::from(vec![Span::raw(head), status_word(step.status, theme), Span::raw(summary)])];
        if k == self.selected && (self.expanded || step.status == Status::Fail) {
            for (label, value) in &step.evidence {
                lines.push(Line::styled(fit(&format!("      {label}: {value}"), width), theme.dim()));
            }
            if let Some(fix) = &step.fix {
                lines.push(Line::styled(format!("      fix: {fix}"), theme.warn()));
            }
        }
        lines
    }

    fn footer(&self) -> String {
        match (self.running, self.elapsed) {
            (true, _) => format!("checking… {} of {} rungs", self.steps.len(), self.rungs),
            (false, Some(e)) => {
                let failed = self.steps.iter().any(|s| s.status == Status::Fail);
                let verdict = if failed { "FAILED" } else { "passed" };
                format!(
                    "{verdict} in {} ms · ↑↓ select · Enter evidence · c again · any other key closes",
                    e.as_millis()
                )
            }
            (false, None) => String::new(),
        }
    }
}

fn status_word(status: Status, theme: &Theme) -> Span<'static> {
    match status {
        Status::Ok => Span::styled(" ok  ", theme.ok()),
        Status::Warn => Span::styled("warn ", theme.warn()),
        Status::Fail => Span::styled("FAIL ", theme.error()),
        Status::Skipped => Span::styled("skip ", theme.dim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::StepId;

    fn finished(steps: usize) -> DiagnosticsState {
        let step = |id: StepId| Step {
            id,
            title: id.title(),
            status: Status::Ok,
            elapsed: Duration::ZERO,
            summary: String::new(),
            evidence: Vec::new(),
            fix: None,
        };
        let mut d = DiagnosticsState::started(crate::config::SourceKind::Ldap);
        d.steps = StepId::ALL.into_iter().take(steps).map(step).collect();
        d.finished(Duration::from_millis(40));
        d
    }

    #[test]
    fn arrows_select_enter_unfolds_c_runs_again_and_other_keys_close() {
        let mut d = finished(2);
        assert_eq!(d.on_action(Some(Action::Down)), AfterKey::Stay);
        assert_eq!(d.on_action(Some(Action::Down)), AfterKey::Stay);
        assert_eq!(d.selected, 1, "the last rung is as far as it goes");
        assert_eq!(d.on_action(Some(Action::Details)), AfterKey::Stay);
        assert!(d.expanded);
        assert_eq!(d.on_action(Some(Action::Check)), AfterKey::RunAgain);
        assert_eq!(d.on_action(Some(Action::Quit)), AfterKey::Close);
        assert_eq!(d.on_action(None), AfterKey::Close);
    }

    #[test]
    fn the_count_of_rungs_is_the_kinds_ladders() {
        assert_eq!(DiagnosticsState::started(crate::config::SourceKind::Csv).rungs, 3);
        assert_eq!(DiagnosticsState::started(crate::config::SourceKind::Graph).rungs, 9);
    }

    #[test]
    fn c_while_the_check_runs_closes_it_and_starts_no_second() {
        let mut d = DiagnosticsState::started(crate::config::SourceKind::Ldap);
        assert_eq!(d.on_action(Some(Action::Check)), AfterKey::Close);
    }
}
