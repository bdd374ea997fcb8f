//! What a planned change does to an account.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declared in apply order (deletes free addresses that creates may take), which is also the
/// order of a plan's changes. The spelling is the journal's and the JSON reports': a journal
/// left by an earlier version reads back the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Delete,
    Update,
    Create,
}

impl ChangeKind {
    /// In apply order.
    pub const ALL: [ChangeKind; 3] = [ChangeKind::Delete, ChangeKind::Update, ChangeKind::Create];
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeKind::Delete => "delete",
            ChangeKind::Update => "update",
            ChangeKind::Create => "create",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spelling_is_the_journals() {
        for kind in ChangeKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(serde_json::from_str::<ChangeKind>(&json).unwrap(), kind);
        }
        assert!(ChangeKind::ALL.is_sorted(), "declared in apply order");
    }
}
