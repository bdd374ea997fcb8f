//! Safety guards: the run is blocked as a whole — nothing at all applied — when the read is
//! not trustworthy or the deletes are out of proportion. Each block names the guard, the
//! numbers, and the one-run override. Pure.

use crate::config::GuardConfig;
use serde::Serialize;
use std::fmt;

/// The facts a verdict is made from.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GuardInput {
    /// Whether the directory read was complete (a partial read never reaches a plan, but the
    /// guard holds the line anyway).
    pub complete: bool,
    /// Users (people, not groups) the directory offers to sync.
    pub users: usize,
    /// Directory objects considered (synced + skipped), compared with the last good run.
    pub directory_objects: usize,
    pub last_good_objects: Option<usize>,
    /// Deletes among the approved changes.
    pub deletes: usize,
    /// Accounts in the service.
    pub target_accounts: usize,
}

/// One-run overrides from the command line (or the TUI's confirmation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--allow-deletes N`: up to N deletes pass the count and percent guards.
    pub allow_deletes: Option<usize>,
    /// `--allow-shrink`: the directory may have shrunk beyond the limit.
    pub allow_shrink: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "guard", rename_all = "snake_case")]
pub enum Block {
    IncompleteRead,
    ZeroUsers,
    MaxDeletes { deletes: usize, limit: u32 },
    MaxDeletePercent { deletes: usize, accounts: usize, percent: f64, limit: f64 },
    MaxShrinkPercent { before: usize, now: usize, percent: f64, limit: f64 },
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::IncompleteRead => {
                write!(f, "the directory read was incomplete; nothing is applied from a partial read")
            }
            Block::ZeroUsers => write!(
                f,
                "the directory returned zero users; check base_dn and the bind account's rights (this guard has no override)"
            ),
            Block::MaxDeletes { deletes, limit } => write!(
                f,
                "sync.guards.max_deletes: {deletes} deletes planned, the limit is {limit}; if they are right, run once with --allow-deletes {deletes}"
            ),
            Block::MaxDeletePercent { deletes, accounts, percent, limit } => write!(
                f,
                "sync.guards.max_delete_percent: {deletes} of {accounts} accounts ({percent:.1}%) would be deleted, the limit is {limit}%; if they are right, run once with --allow-deletes {deletes}"
            ),
            Block::MaxShrinkPercent { before, now, percent, limit } => write!(
                f,
                "sync.guards.max_shrink_percent: the directory shrank from {before} to {now} objects ({percent:.1}%) since the last good run, the limit is {limit}%; if that is right, run once with --allow-shrink"
            ),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub blocks: Vec<Block>,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.blocks.is_empty()
    }
}

pub fn check(input: &GuardInput, limits: &GuardConfig, overrides: Overrides) -> Verdict {
    let mut blocks = Vec::new();
    if !input.complete {
        blocks.push(Block::IncompleteRead);
    }
    if input.users == 0 {
        blocks.push(Block::ZeroUsers);
    }
    let allowed = overrides.allow_deletes.is_some_and(|n| input.deletes <= n);
    if !allowed {
        blocks.extend(delete_blocks(input, limits));
    }
    if !overrides.allow_shrink {
        blocks.extend(shrink_block(input, limits));
    }
    Verdict { blocks }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

fn delete_blocks(input: &GuardInput, limits: &GuardConfig) -> Vec<Block> {
    let mut blocks = Vec::new();
    if input.deletes > limits.max_deletes as usize {
        blocks.push(Block::MaxDeletes { deletes: input.deletes, limit: limits.max_deletes });
    }
    let share = percent(input.deletes, input.target_accounts);
    if input.deletes > 0 && share > limits.max_delete_percent {
        blocks.push(Block::MaxDeletePercent {
            deletes: input.deletes,
            accounts: input.target_accounts,
            percent: share,
            limit: limits.max_delete_percent,
        });
    }
    blocks
}

fn shrink_block(input: &GuardInput, limits: &GuardConfig) -> Option<Block> {
    let before = input.last_good_objects?;
    let shrunk = before.saturating_sub(input.directory_objects);
    let share = percent(shrunk, before);
    (share > limits.max_shrink_percent).then_some(Block::MaxShrinkPercent {
        before,
        now: input.directory_objects,
        percent: share,
        limit: limits.max_shrink_percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> GuardInput {
        GuardInput {
            complete: true,
            users: 1000,
            directory_objects: 1200,
            last_good_objects: Some(1200),
            deletes: 0,
            target_accounts: 1000,
        }
    }

    fn names(v: &Verdict) -> Vec<&'static str> {
        v.blocks
            .iter()
            .map(|b| match b {
                Block::IncompleteRead => "incomplete",
                Block::ZeroUsers => "zero_users",
                Block::MaxDeletes { .. } => "max_deletes",
                Block::MaxDeletePercent { .. } => "max_delete_percent",
                Block::MaxShrinkPercent { .. } => "max_shrink_percent",
            })
            .collect()
    }

    #[test]
    fn guard_table() {
        let limits = GuardConfig::default(); // 25 deletes, 5%, 10% shrink
        let cases: Vec<(&str, GuardInput, Overrides, Vec<&str>)> = vec![
            ("healthy", healthy(), Overrides::default(), vec![]),
            ("incomplete read", GuardInput { complete: false, ..healthy() }, Overrides::default(), vec!["incomplete"]),
            (
                "zero users",
                GuardInput { users: 0, ..healthy() },
                Overrides { allow_deletes: Some(9999), allow_shrink: true },
                vec!["zero_users"],
            ),
            (
                "25 deletes is the limit",
                GuardInput { deletes: 25, target_accounts: 10_000, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            (
                "26 deletes",
                GuardInput { deletes: 26, target_accounts: 10_000, ..healthy() },
                Overrides::default(),
                vec!["max_deletes"],
            ),
            (
                "6% of 100",
                GuardInput { deletes: 6, target_accounts: 100, ..healthy() },
                Overrides::default(),
                vec!["max_delete_percent"],
            ),
            (
                "5% of 100 is allowed",
                GuardInput { deletes: 5, target_accounts: 100, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            (
                "both delete guards",
                GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
                Overrides::default(),
                vec!["max_deletes", "max_delete_percent"],
            ),
            (
                "override covers",
                GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
                Overrides { allow_deletes: Some(40), ..Overrides::default() },
                vec![],
            ),
            (
                "override too small",
                GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
                Overrides { allow_deletes: Some(39), ..Overrides::default() },
                vec!["max_deletes", "max_delete_percent"],
            ),
            (
                "shrank 20%",
                GuardInput { directory_objects: 960, ..healthy() },
                Overrides::default(),
                vec!["max_shrink_percent"],
            ),
            (
                "shrank 10% is allowed",
                GuardInput { directory_objects: 1080, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            (
                "shrink override",
                GuardInput { directory_objects: 10, ..healthy() },
                Overrides { allow_shrink: true, ..Overrides::default() },
                vec![],
            ),
            (
                "no last run: no shrink guard",
                GuardInput { directory_objects: 10, last_good_objects: None, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            ("grew", GuardInput { directory_objects: 5000, ..healthy() }, Overrides::default(), vec![]),
            ("empty service", GuardInput { target_accounts: 0, ..healthy() }, Overrides::default(), vec![]),
        ];
        for (name, input, overrides, want) in cases {
            assert_eq!(names(&check(&input, &limits, overrides)), want, "{name}");
        }
    }

    #[test]
    fn blocks_say_the_numbers_and_the_override() {
        let v = check(
            &GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
            &GuardConfig::default(),
            Overrides::default(),
        );
        let text = v.blocks[1].to_string();
        assert!(text.contains("40 of 100 accounts (40.0%)") && text.contains("--allow-deletes 40"), "{text}");
        let v =
            check(&GuardInput { directory_objects: 600, ..healthy() }, &GuardConfig::default(), Overrides::default());
        assert!(v.blocks[0].to_string().contains("from 1200 to 600 objects (50.0%)"));
    }
}
