use super::*;
use crate::history::{Mode, RunId, Trigger};

fn record(outcome: Outcome, applied: usize) -> RunRecord {
    let at = jiff::Timestamp::from_second(1_795_000_000).unwrap();
    let apply = Some(crate::history::ApplyCounts { applied, ..Default::default() });
    RunRecord { apply, ..RunRecord::new(RunId("r".into()), (at, at), Trigger::Schedule, Mode::Apply, outcome) }
}

fn notifier(on: Vec<NotifyOn>) -> Notifier {
    Notifier::new(NotifyConfig { on, webhook: None, email: None })
}

#[test]
fn runs_are_told_by_their_class() {
    let default = notifier(vec![NotifyOn::Failed, NotifyOn::Blocked]);
    assert!(default.wants(&record(Outcome::Failed, 0)));
    assert!(default.wants(&record(Outcome::Partial, 3)), "some changes failed: exit 4");
    assert!(default.wants(&record(Outcome::Blocked, 0)));
    assert!(!default.wants(&record(Outcome::Applied, 5)));
    assert!(!default.wants(&record(Outcome::Cancelled, 0)), "the operator stopped it");
    let applied = notifier(vec![NotifyOn::Applied]);
    assert!(applied.wants(&record(Outcome::Applied, 1)));
    assert!(!applied.wants(&record(Outcome::Applied, 0)), "nothing was applied");
    assert!(!applied.wants(&record(Outcome::Planned, 0)));
}

#[tokio::test(start_paused = true)]
async fn a_try_is_repeated_only_while_it_could_help() {
    let mut calls = 0;
    let result = with_tries(|| {
        calls += 1;
        async { Err::<(), _>(Failure { message: "refused".into(), retry: true }) }
    })
    .await;
    assert_eq!((calls, result.unwrap_err().as_str()), (3, "refused (3 tries)"));
    let mut calls = 0;
    let result = with_tries(|| {
        calls += 1;
        async { Err::<(), _>(Failure { message: "401".into(), retry: false }) }
    })
    .await;
    assert_eq!((calls, result.unwrap_err().as_str()), (1, "401"));
}

#[test]
fn secrets_are_cut_out_of_messages() {
    let token = SecretString::from("t0ken-123".to_string());
    assert_eq!(redact("bad url https://x/t0ken-123/y", &[&token]), "bad url https://x/[redacted]/y");
}
