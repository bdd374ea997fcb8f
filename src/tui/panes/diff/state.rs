//! The pending-changes pane's UI state: the selected change and which ones show their fields.
//! Rows are flattened from the plan on demand as small descriptors, so a plan of 100k changes
//! costs a few hundred kilobytes per frame, and only visible rows are ever drawn.

use crate::engine::Review;
use crate::model::ChangeKind;
use crate::sync::plan::Op;
use std::collections::BTreeSet;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffRow {
    /// "Deleting (3)": a group heading.
    Header { action: ChangeKind, count: usize },
    /// A change, by its index in the plan.
    Change(usize),
    /// One field of an expanded update.
    Field { change: usize, field: usize },
}

#[derive(Clone, Debug, Default)]
pub struct DiffState {
    /// The selected change's id (ids are plan positions, in apply order).
    pub selected: Option<usize>,
    /// Changes that show their fields, in order.
    pub expanded: BTreeSet<usize>,
}

const GROUPS: [(ChangeKind, &str); 3] =
    [(ChangeKind::Delete, "Deleting"), (ChangeKind::Update, "Updating"), (ChangeKind::Create, "Adding")];

pub fn group_title(action: ChangeKind) -> &'static str {
    GROUPS.iter().find(|(a, _)| *a == action).map_or("", |(_, t)| t)
}

fn field_count(review: &Review, change: usize) -> usize {
    match &review.planned.plan.changes[change].op {
        Op::Update { fields, .. } => fields.len(),
        _ => 0,
    }
}

/// One group of the review: its heading row and its changes' range.
struct Group {
    action: ChangeKind,
    changes: Range<usize>,
}

impl DiffState {
    fn groups(review: &Review) -> Vec<Group> {
        let plan = &review.planned.plan;
        GROUPS
            .iter()
            .map(|&(a, _)| Group { action: a, changes: plan.range(a) })
            .filter(|g| !g.changes.is_empty())
            .collect()
    }

    /// Field rows shown for the changes in `range`.
    fn fields_in(&self, review: &Review, range: Range<usize>) -> usize {
        self.expanded.range(range).map(|k| field_count(review, *k)).sum()
    }

    fn group_rows(&self, review: &Review, g: &Group) -> usize {
        1 + g.changes.len() + self.fields_in(review, g.changes.clone())
    }

    /// Rows in the whole review, computed without building them.
    pub fn row_count(&self, review: &Review) -> usize {
        Self::groups(review).iter().map(|g| self.group_rows(review, g)).sum()
    }

    /// The row a change is on.
    pub fn row_of(&self, review: &Review, change: usize) -> usize {
        let mut row = 0;
        for g in Self::groups(review) {
            if g.changes.contains(&change) {
                return row + 1 + (change - g.changes.start) + self.fields_in(review, g.changes.start..change);
            }
            row += self.group_rows(review, &g);
        }
        0
    }

    /// Rows `start..start + len`, built one by one: a plan of 100k changes costs only what is seen.
    pub fn window(&self, review: &Review, start: usize, len: usize) -> Vec<DiffRow> {
        let mut out = Vec::with_capacity(len);
        let mut row = 0;
        for g in Self::groups(review) {
            let size = self.group_rows(review, &g);
            if row + size <= start {
                row += size;
                continue;
            }
            self.group_window(review, &g, row, start, len, &mut out);
            row += size;
            if out.len() >= len {
                break;
            }
        }
        out
    }

    fn group_window(
        &self,
        review: &Review,
        g: &Group,
        mut row: usize,
        start: usize,
        len: usize,
        out: &mut Vec<DiffRow>,
    ) {
        let push = |out: &mut Vec<DiffRow>, r: DiffRow, row: usize| {
            if row >= start && out.len() < len {
                out.push(r);
            }
        };
        push(out, DiffRow::Header { action: g.action, count: g.changes.len() }, row);
        row += 1;
        // Skip straight to the first visible change when nothing above it is expanded.
        let mut k = g.changes.start;
        if self.fields_in(review, g.changes.start..g.changes.end) == 0 && start > row {
            k = (g.changes.start + (start - row)).min(g.changes.end);
            row += k - g.changes.start;
        }
        while k < g.changes.end && out.len() < len {
            push(out, DiffRow::Change(k), row);
            row += 1;
            if self.expanded.contains(&k) {
                for field in 0..field_count(review, k) {
                    push(out, DiffRow::Field { change: k, field }, row);
                    row += 1;
                }
            }
            k += 1;
        }
    }

    /// Every row (tests and small plans).
    pub fn rows(&self, review: &Review) -> Vec<DiffRow> {
        self.window(review, 0, self.row_count(review))
    }

    /// The selected change, defaulting to the first.
    pub fn current(&self, review: &Review) -> Option<usize> {
        let n = review.planned.plan.changes.len();
        (n > 0).then(|| self.selected.unwrap_or(0).min(n - 1))
    }

    /// Moves the selection by `delta` changes (headings and fields are stepped over).
    pub fn move_by(&mut self, review: &Review, delta: isize) {
        let n = review.planned.plan.changes.len();
        if n == 0 {
            return;
        }
        let at = self.current(review).unwrap_or(0) as isize;
        self.selected = Some((at + delta).clamp(0, n as isize - 1) as usize);
    }

    pub fn toggle_expanded(&mut self, change: usize) {
        if !self.expanded.remove(&change) {
            self.expanded.insert(change);
        }
    }

    /// A new plan: selections and expansions by index no longer mean anything.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{Account, AccountType};
    use crate::sync::guard::{GuardInput, Verdict};
    use crate::sync::plan::{Change, FieldChange, Plan};
    use crate::sync::run::Planned;

    /// One delete, one update with two fields, two creates.
    pub(crate) fn review() -> Review {
        let a = |e: &str| Account::new(e, AccountType::SilentUser);
        let change = |id, op| Change { id, op, reason: String::new(), directory_id: None };
        let fields = vec![
            FieldChange::Active { from: true, to: false },
            FieldChange::AliasesAdded { aliases: vec!["x@y.com".into()] },
        ];
        let changes = vec![
            change(0, Op::Delete { account: a("gone@x.com") }),
            change(
                1,
                Op::Update {
                    email: "bo@x.com".into(),
                    before: Box::new(a("bo@x.com")),
                    after: Box::new(a("bo@x.com")),
                    fields,
                },
            ),
            change(2, Op::Create { account: a("new1@x.com") }),
            change(3, Op::Create { account: a("new2@x.com") }),
        ];
        let planned = Planned {
            plan: Plan { changes, ..Plan::default() },
            guard_input: GuardInput::default(),
            verdict: Verdict::default(),
            target: "t".into(),
            recovered: vec![],
        };
        Review::new(planned)
    }

    #[test]
    fn rows_group_changes_and_expand_updates() {
        let r = review();
        let mut v = DiffState::default();
        assert_eq!(
            v.rows(&r),
            vec![
                DiffRow::Header { action: ChangeKind::Delete, count: 1 },
                DiffRow::Change(0),
                DiffRow::Header { action: ChangeKind::Update, count: 1 },
                DiffRow::Change(1),
                DiffRow::Header { action: ChangeKind::Create, count: 2 },
                DiffRow::Change(2),
                DiffRow::Change(3),
            ]
        );
        v.toggle_expanded(1);
        assert_eq!(v.rows(&r)[4], DiffRow::Field { change: 1, field: 0 });
        assert_eq!(v.rows(&r).len(), 9);
    }

    #[test]
    fn moving_steps_over_headings() {
        let r = review();
        let mut v = DiffState::default();
        assert_eq!(v.current(&r), Some(0));
        v.move_by(&r, 1);
        assert_eq!(v.selected, Some(1));
        v.move_by(&r, 10);
        assert_eq!(v.selected, Some(3));
        v.move_by(&r, -100);
        assert_eq!(v.selected, Some(0));
    }

    #[test]
    fn windows_and_row_positions_agree_with_the_full_list() {
        let r = review();
        let mut v = DiffState::default();
        v.toggle_expanded(1);
        let all = v.rows(&r);
        assert_eq!(all.len(), v.row_count(&r));
        for start in 0..all.len() {
            assert_eq!(v.window(&r, start, 3), all[start..(start + 3).min(all.len())].to_vec(), "start {start}");
        }
        for (row, item) in all.iter().enumerate() {
            if let DiffRow::Change(k) = item {
                assert_eq!(v.row_of(&r, *k), row);
            }
        }
    }
}
