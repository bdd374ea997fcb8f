//! The fleet's table: a title with the counts and the filter, the organisations' columns
//! (those that fit), each row in its state's colour, and the keys on the bottom line. Only
//! the rows in view are laid out, so a long fleet draws as fast as a short one.

use super::state::FleetState;
use crate::fleet::OrgState;
use crate::fleet::columns::{HEADERS, cells};
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::panes::window_start;
use crate::tui::theme::Theme;
use jiff::tz::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Widget};

pub struct FleetScreen<'a> {
    pub state: &'a FleetState,
    pub keymap: &'a Keymap,
    pub theme: Theme,
    pub tz: &'a TimeZone,
}

/// Column widths by [`HEADERS`] index (0: what is left), every column from 150 wide.
const WIDE: [(usize, u16); 9] = [(0, 20), (1, 12), (2, 6), (3, 16), (4, 9), (5, 28), (6, 7), (7, 16), (8, 0)];
/// From 110 wide: all but the counts (the state and the pending changes say what waits).
const MEDIUM: [(usize, u16); 8] = [(0, 18), (1, 12), (2, 6), (3, 16), (4, 9), (6, 7), (7, 14), (8, 0)];
/// Narrower: the organisation, its state, its last run, pending changes and next run.
const NARROW: [(usize, u16); 5] = [(0, 18), (1, 12), (3, 16), (6, 7), (8, 0)];

impl Widget for FleetScreen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [title, body, hints] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        Paragraph::new(self.title()).render(title, buf);
        self.table(body, buf);
        Paragraph::new(self.bottom()).render(hints, buf);
    }
}

impl FleetScreen<'_> {
    fn title(&self) -> Line<'static> {
        let s = self.state;
        let mut spans =
            vec![Span::styled(format!(" adsync · fleet of {} organisations", s.total()), self.theme.title())];
        if !s.filter.is_empty() || s.typing {
            spans.push(Span::raw(format!("  ({} shown)  filter: {}", s.shown_count(), s.filter)));
            if s.typing {
                spans.push(Span::styled("▏", self.theme.key()));
            }
        }
        Line::from(spans)
    }

    fn table(&self, area: Rect, buf: &mut Buffer) {
        let block = Block::new().borders(Borders::ALL).border_style(self.theme.border(true)).title(" Fleet ");
        let columns: &[(usize, u16)] = match area.width {
            150.. => &WIDE,
            110.. => &MEDIUM,
            _ => &NARROW,
        };
        let height = usize::from(block.inner(area).height.saturating_sub(1));
        let start = window_start(self.state.selected, height, self.state.shown_count());
        let rows = self.state.shown().enumerate().skip(start).take(height).map(|(k, row)| {
            let style = state_style(row.state, &self.theme);
            let style = if k == self.state.selected { style.patch(self.theme.selected()) } else { style };
            Row::new(pick(columns, cells(row, self.tz))).style(style)
        });
        let widths = columns.iter().map(|&(_, w)| if w == 0 { Constraint::Fill(1) } else { Constraint::Length(w) });
        let header = Row::new(pick(columns, HEADERS.map(str::to_string))).style(self.theme.title());
        Table::new(rows, widths).header(header).block(block).render(area, buf);
        if self.state.shown_count() == 0 {
            let inner = Rect { y: area.y + 2, height: 1, ..area.inner(ratatui::layout::Margin::new(2, 0)) };
            Paragraph::new(Line::styled(self.empty_text(), self.theme.dim())).render(inner, buf);
        }
    }

    fn empty_text(&self) -> String {
        if self.state.total() == 0 {
            "No organisations: one file each in orgs.d (adsync orgs discover writes skeletons).".into()
        } else {
            "No organisation matches the filter.".into()
        }
    }

    /// The fleet's keys, or what went wrong.
    fn bottom(&self) -> Line<'static> {
        if let Some(problem) = &self.state.problem {
            return Line::styled(format!(" {problem}"), self.theme.error());
        }
        let own = self
            .keymap
            .bindings(Context::Fleet)
            .iter()
            .filter_map(|b| Some((b.keys.first()?.to_string(), b.hint.clone()?)));
        let quit = self.keymap.key_for(Context::Fleet, Action::Quit).map(|k| (k.to_string(), "quit".to_string()));
        let mut spans = Vec::new();
        for (key, word) in own.chain(quit) {
            spans.push(Span::styled(format!(" {key}"), self.theme.key()));
            spans.push(Span::raw(format!(" {word} ")));
        }
        Line::from(spans)
    }
}

fn pick(columns: &[(usize, u16)], cells: [String; 9]) -> Vec<String> {
    columns.iter().map(|&(i, _)| cells[i].clone()).collect()
}

/// The state's colour; the STATE column says it in words too.
fn state_style(state: OrgState, theme: &Theme) -> Style {
    match state {
        OrgState::ConfigError | OrgState::Failed => theme.error(),
        OrgState::Partial | OrgState::Blocked => theme.warn(),
        OrgState::Pending => theme.change(),
        OrgState::Ok => theme.ok(),
        OrgState::NeverRun | OrgState::Disabled => theme.dim(),
    }
}
