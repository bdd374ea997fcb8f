//! The History pane's state: the runs as last read, the selected one, and the run whose
//! changes are open (with them, once the runner has read them).

use crate::history::RunRecord;
use crate::history::changes::RunChanges;

#[derive(Clone, Debug, Default)]
pub struct HistoryState {
    /// Newest first.
    pub runs: Vec<RunRecord>,
    pub selected: usize,
    /// The run whose changes are shown, and them once read.
    pub open: Option<(RunRecord, Option<RunChanges>)>,
    /// First line shown of the open run's changes.
    pub scroll: usize,
}

impl HistoryState {
    /// New runs read from the history; the selection stays on the run it was on.
    pub fn set_runs(&mut self, runs: Vec<RunRecord>) {
        let was = self.runs.get(self.selected).map(|r| r.run.clone());
        self.runs = runs;
        self.selected = was.and_then(|id| self.runs.iter().position(|r| r.run == id)).unwrap_or(0);
    }

    pub fn current(&self) -> Option<&RunRecord> {
        self.runs.get(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.runs.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize).saturating_add(delta).clamp(0, last) as usize;
    }

    /// The changes of the open run arrived; ignored when another run was opened since.
    pub fn changes_arrived(&mut self, run: &crate::history::RunId, changes: RunChanges) {
        if let Some((record, slot)) = self.open.as_mut()
            && record.run == *run
        {
            *slot = Some(changes);
        }
    }

    /// Lines in the open run's change list (for scrolling).
    pub fn change_lines(&self) -> usize {
        match self.open.as_ref().and_then(|(_, c)| c.as_ref()) {
            Some(RunChanges::Applied(list)) => list.len(),
            Some(RunChanges::Pending(plan)) => 1 + plan.changes.iter().map(|c| 1 + c.fields.len()).sum::<usize>(),
            _ => 0,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::history::{Mode, Outcome, RunId, Trigger};

    pub(crate) fn run(id: &str, outcome: Outcome) -> RunRecord {
        let at = jiff::Timestamp::from_second(1_795_000_000).unwrap();
        RunRecord::new(RunId(id.into()), (at, at), Trigger::Tui, Mode::Apply, outcome)
    }

    #[test]
    fn the_selection_follows_its_run_when_new_ones_arrive() {
        let mut h = HistoryState::default();
        h.set_runs(vec![run("b", Outcome::Applied), run("a", Outcome::Failed)]);
        h.move_by(1);
        assert_eq!(h.current().unwrap().run.0, "a");
        h.set_runs(vec![run("c", Outcome::Planned), run("b", Outcome::Applied), run("a", Outcome::Failed)]);
        assert_eq!(h.current().unwrap().run.0, "a");
        h.move_by(10);
        assert_eq!(h.selected, 2);
    }
}
