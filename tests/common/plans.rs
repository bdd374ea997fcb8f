//! A small reviewed plan for TUI tests: `deletes` deletes, one update with two fields, two creates.
//! Included by path so the TUI tests need none of the lab helpers.
#![allow(dead_code)]

use adsync::model::{Account, AccountType};
use adsync::sync::guard::{GuardInput, Verdict};
use adsync::sync::plan::{Change, FieldChange, Op, Plan};
use adsync::sync::run::Planned;

fn account(email: &str, role: AccountType) -> Account {
    Account::new(email, role)
}

fn change(id: usize, op: Op, reason: &str) -> Change {
    Change { id, op, reason: reason.into(), directory_id: None }
}

/// Changes in apply order: deletes `gone0..`, then `bo.li` updated, then `ann.lee` and `info`
/// created; the service holds 100 accounts.
pub fn planned(deletes: usize) -> Planned {
    let mut changes: Vec<Change> = (0..deletes)
        .map(|k| {
            let gone = account(&format!("gone{k}@example.com"), AccountType::SilentUser);
            change(k, Op::Delete { account: gone }, "no longer in the directory")
        })
        .collect();
    let before = account("bo.li@example.com", AccountType::SilentUser);
    let mut after = before.clone();
    after.aliases = vec!["bo2@example.com".into()];
    after.is_active = false;
    let fields = vec![
        FieldChange::AliasesAdded { aliases: vec!["bo2@example.com".into()] },
        FieldChange::Active { from: true, to: false },
    ];
    let n = changes.len();
    let update =
        Op::Update { email: "bo.li@example.com".into(), before: Box::new(before), after: Box::new(after), fields };
    changes.push(change(n, update, "changed in the directory: aliases added, disabled in the directory"));
    let ann = account("ann.lee@example.com", AccountType::SilentUser);
    changes.push(change(n + 1, Op::Create { account: ann }, "new in the directory (user)"));
    let info = account("info@example.com", AccountType::FunctionalAccount);
    changes.push(change(n + 2, Op::Create { account: info }, "new in the directory (functional account)"));
    Planned {
        plan: Plan { changes, target_accounts: 100, in_sync: 90, ..Plan::default() },
        guard_input: GuardInput {
            complete: true,
            users: 95,
            directory_objects: 100,
            last_good_objects: None,
            deletes,
            target_accounts: 100,
            ..GuardInput::default()
        },
        verdict: Verdict::default(),
        target: "Proofpoint Essentials us1 · example.com".into(),
        recovered: Vec::new(),
    }
}
