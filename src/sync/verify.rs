//! After an apply, the service is listed again and compared with what the applied changes
//! should have produced, so a run proves what it did. A service may show a change a little
//! later than it acknowledged it, so the listing is repeated a bounded number of times before
//! a change is called missing.

use super::fresh::managed_differences;
use super::plan::{Change, Op};
use crate::model::{Account, ChangeKind};
use crate::target::Target;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often to list before calling a change missing, and how long to wait in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyPolicy {
    pub attempts: u32,
    pub interval: Duration,
}

impl Default for VerifyPolicy {
    /// Five waits of two seconds: about ten seconds for the service to catch up.
    fn default() -> Self {
        Self { attempts: 6, interval: Duration::from_secs(2) }
    }
}

/// An applied change the service does not show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotTaken {
    pub id: usize,
    pub action: ChangeKind,
    pub email: String,
    pub problem: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Applied changes compared with the service.
    pub checked: usize,
    pub verified: usize,
    pub not_taken: Vec<NotTaken>,
    /// Times the service was listed.
    pub listings: u32,
    /// Why the service could not be listed, when the last listing failed.
    pub error: Option<String>,
}

impl Verification {
    pub fn all_taken(&self) -> bool {
        self.error.is_none() && self.verified == self.checked
    }
}

/// Lists the service until every applied change shows, or the attempts run out.
pub async fn verify(
    target: &dyn Target,
    applied: &[&Change],
    policy: VerifyPolicy,
    cancel: &CancellationToken,
) -> Verification {
    let mut result = Verification { checked: applied.len(), ..Verification::default() };
    for attempt in 1..=policy.attempts.max(1) {
        if applied.is_empty() || (attempt > 1 && !wait(policy.interval, cancel).await) {
            break;
        }
        result.listings = attempt;
        match target.list().await {
            Ok(accounts) => (result.not_taken, result.error) = (compare(applied, &accounts), None),
            Err(e) => result.error = Some(e.to_string()),
        }
        if result.error.is_none() && result.not_taken.is_empty() {
            break;
        }
    }
    result.verified = if result.error.is_some() { 0 } else { applied.len() - result.not_taken.len() };
    result
}

/// False when cancelled first: what was seen so far stands.
async fn wait(interval: Duration, cancel: &CancellationToken) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(interval) => true,
        _ = cancel.cancelled() => false,
    }
}

/// The applied changes the listing does not reflect.
pub fn compare(applied: &[&Change], accounts: &[Account]) -> Vec<NotTaken> {
    let listed: FxHashMap<String, &Account> = accounts.iter().map(|a| (a.primary_email.to_lowercase(), a)).collect();
    applied
        .iter()
        .filter_map(|change| {
            let problem = problem(change, &listed)?;
            Some(NotTaken { id: change.id, action: change.kind(), email: change.email().to_string(), problem })
        })
        .collect()
}

fn problem(change: &Change, listed: &FxHashMap<String, &Account>) -> Option<String> {
    let (expected, gone) = match &change.op {
        Op::Create { account } => (Some(account), None),
        Op::Update { after, .. } => (Some(after.as_ref()), None),
        Op::Delete { account } => (None, Some(&account.primary_email)),
    };
    if let Some(email) = gone {
        return listed.contains_key(&email.to_lowercase()).then(|| "still in the service".to_string());
    }
    let expected = expected?;
    let Some(found) = listed.get(&expected.primary_email.to_lowercase()) else {
        return Some(format!("{} is not in the service", expected.primary_email));
    };
    let differs = managed_differences(&as_sent(expected, found), found);
    (!differs.is_empty()).then(|| format!("in the service with another {}", differs.join(", ")))
}

/// What was sent, with the fields adsync left unset taken as the service filled them in (a
/// create without a first name may come back with an empty one).
fn as_sent(expected: &Account, found: &Account) -> Account {
    let mut sent = expected.clone();
    sent.first_name = sent.first_name.or_else(|| found.first_name.clone());
    sent.last_name = sent.last_name.or_else(|| found.last_name.clone());
    sent.account_type = sent.account_type.or_else(|| found.account_type.clone());
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountType;

    fn change(id: usize, op: Op) -> Change {
        Change { id, op, reason: String::new(), directory_id: None }
    }

    fn named(email: &str, first: &str) -> Account {
        let mut a = Account::new(email, AccountType::SilentUser);
        a.first_name = Some(first.into());
        a
    }

    #[test]
    fn each_kind_of_change_is_checked_against_the_listing() {
        let create = change(0, Op::Create { account: named("new@x.com", "Ann") });
        let update = change(
            1,
            Op::Update {
                email: "old@x.com".into(),
                before: Box::new(named("old@x.com", "Bo")),
                after: Box::new(named("renamed@x.com", "Bob")),
                fields: vec![],
            },
        );
        let delete = change(2, Op::Delete { account: named("gone@x.com", "Cy") });
        let applied = [&create, &update, &delete];
        let all_taken = [named("NEW@x.com", "Ann"), named("renamed@x.com", "Bob")];
        assert!(compare(&applied, &all_taken).is_empty());
        let none_taken = [named("new@x.com", "Anne"), named("old@x.com", "Bob"), named("gone@x.com", "Cy")];
        let problems: Vec<(usize, String)> =
            compare(&applied, &none_taken).into_iter().map(|n| (n.id, n.problem)).collect();
        assert_eq!(
            problems,
            [
                (0, "in the service with another first name".to_string()),
                (1, "renamed@x.com is not in the service".to_string()),
                (2, "still in the service".to_string()),
            ]
        );
    }

    #[test]
    fn a_name_adsync_did_not_send_is_not_held_against_the_service() {
        let mut sent = Account::new("a@x.com", AccountType::SilentUser);
        sent.first_name = None;
        let create = change(0, Op::Create { account: sent });
        assert!(compare(&[&create], &[named("a@x.com", "")]).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn the_listing_is_repeated_a_bounded_number_of_times() {
        let dir = tempfile::tempdir().unwrap();
        let target = crate::target::file::FileTarget::open(dir.path().join("s.json")).unwrap();
        let create = change(0, Op::Create { account: named("new@x.com", "Ann") });
        let policy = VerifyPolicy { attempts: 3, interval: Duration::from_secs(2) };
        let started = tokio::time::Instant::now();
        let v = verify(&target, &[&create], policy, &CancellationToken::new()).await;
        assert_eq!((v.checked, v.verified, v.listings, v.all_taken()), (1, 0, 3, false));
        assert_eq!(started.elapsed(), Duration::from_secs(4));
        let none = verify(&target, &[], policy, &CancellationToken::new()).await;
        assert!(none.all_taken() && none.listings == 0);
    }
}
