use super::*;
use crate::model::ReadStats;
use crate::model::{DirObject, Flavor, ObjectClass};
use crate::source::ldap::error::{LdapFailure, Stage};
use crate::sync::apply::ApplyProgress;
use crate::sync::guard::{GuardInput, Verdict};
use crate::sync::plan::{Change, Op, Plan};

fn rules() -> Rules {
    Rules::default()
}

fn read_with(objects: Vec<DirObject>) -> ClassifiedRead {
    let stats = ReadStats { entries: objects.len() as u64 + 1, pages: 1, ..Default::default() };
    let classification = crate::source::classify::classify(objects, &rules().policy);
    ClassifiedRead { flavor: Flavor::Openldap, classification, stats }
}

fn person() -> DirObject {
    let mut u = DirObject::new("cn=a,dc=x", ObjectClass::User);
    u.mail = Some("a@x.com".into());
    u
}

fn planned(deletes: usize) -> Planned {
    let account = crate::model::Account::new("gone@x.com", crate::model::AccountType::SilentUser);
    let changes = (0..deletes)
        .map(|id| Change { id, op: Op::Delete { account: account.clone() }, reason: String::new(), directory_id: None })
        .collect();
    Planned {
        plan: Plan { changes, target_accounts: 1000, ..Plan::default() },
        guard_input: GuardInput {
            complete: true,
            users: 5,
            directory_objects: 5,
            deletes,
            target_accounts: 1000,
            last_good_objects: None,
            ..GuardInput::default()
        },
        verdict: Verdict::default(),
        target: "file".into(),
        recovered: Vec::new(),
    }
}

fn now() -> Timestamp {
    Timestamp::from_second(1_795_000_000).unwrap()
}

fn send(s: &mut Snapshot, msg: Msg) -> Vec<Effect> {
    update(s, msg, &rules(), now())
}

#[test]
fn search_runs_through_the_phases() {
    let mut s = Snapshot::default();
    assert!(matches!(send(&mut s, Msg::Command(Command::Search)).as_slice(), [Effect::StartRead]));
    assert_eq!(s.phase, Phase::Connecting);
    send(&mut s, Msg::Progress(ReadProgress::Connected { flavor: Flavor::Openldap }));
    send(&mut s, Msg::Progress(ReadProgress::Page { entries: 10, pages: 1 }));
    assert_eq!(s.phase, Phase::Reading { entries: 10, pages: 1 });
    send(&mut s, Msg::ReadFinished(Ok(read_with(vec![person()]))));
    assert_eq!(s.phase, Phase::Done);
    let outcome = s.search.as_ref().unwrap();
    assert_eq!((outcome.classification.entries.len(), outcome.ignored), (1, 1));
}

#[test]
fn a_second_request_while_busy_is_merged() {
    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Search));
    let effects = send(&mut s, Msg::Command(Command::Search));
    assert!(!effects.iter().any(|e| matches!(e, Effect::StartRead)));
    let effects = send(&mut s, Msg::Command(Command::Plan));
    assert!(!effects.iter().any(|e| matches!(e, Effect::StartPlan(_) | Effect::StartRead)));
}

#[test]
fn cancel_discards_and_late_results_are_ignored() {
    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Search));
    assert!(send(&mut s, Msg::Command(Command::Cancel)).iter().any(|e| matches!(e, Effect::CancelJob)));
    send(&mut s, Msg::ReadFinished(Ok(read_with(vec![]))));
    assert_eq!(s.phase, Phase::Cancelled);
    assert!(s.search.is_none());
}

#[test]
fn a_failed_read_is_kept_for_the_front_end() {
    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Search));
    let err = SourceError::Ldap(LdapFailure::ConnectionLost { at: Stage::Page(1), entries: 5, detail: "reset".into() });
    send(&mut s, Msg::ReadFinished(Err(err)));
    assert_eq!(s.phase, Phase::Failed);
    assert!(s.error.as_ref().unwrap().to_string().contains("after 5 entries"));
}

#[test]
fn plan_without_a_search_reads_first_then_plans() {
    let mut s = Snapshot::default();
    assert!(matches!(send(&mut s, Msg::Command(Command::Plan)).as_slice(), [Effect::StartRead]));
    let effects = send(&mut s, Msg::ReadFinished(Ok(read_with(vec![person()]))));
    assert!(effects.iter().any(|e| matches!(e, Effect::StartPlan(_))));
    assert_eq!(s.phase, Phase::Planning);
    send(&mut s, Msg::PlanFinished(Ok(planned(2))));
    assert_eq!(s.phase, Phase::Planned);
    assert_eq!(s.review.as_ref().unwrap().selected, vec![true, true]);
}

#[test]
fn without_a_target_planning_fails_with_a_reason() {
    let unopened = crate::target::TargetError::NotConfigured;
    let said = unopened.to_string();
    for (problem, text) in [
        (
            TargetProblem::NotConfigured,
            "Plan: no [target] in the config: add the service (or kind = \"file\") to plan and sync",
        ),
        (TargetProblem::Unavailable(Arc::new(unopened)), said.as_str()),
    ] {
        let mut s = Snapshot::default();
        let no_target = Rules { target_problem: Some(problem), ..Rules::default() };
        update(&mut s, Msg::Command(Command::Plan), &no_target, now());
        assert_eq!(s.phase, Phase::Failed);
        assert_eq!(s.error.as_ref().unwrap().to_string(), text);
    }
}

fn reviewed(deletes: usize) -> Snapshot {
    let mut s = Snapshot { phase: Phase::Planning, ..Snapshot::default() };
    send(&mut s, Msg::PlanFinished(Ok(planned(deletes))));
    s
}

#[test]
fn the_reviewer_leaves_changes_out_and_apply_sends_only_the_approved() {
    let mut s = reviewed(3);
    send(&mut s, Msg::Command(Command::Select { id: 1, approved: false }));
    assert_eq!(s.review.as_ref().unwrap().approved(), 2);
    let effects = send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    let Some(Effect::StartApply { review, .. }) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(review.selected, vec![true, false, true]);
    assert_eq!(s.phase, Phase::Applying(ApplyProgress { done: 0, failed: 0, total: 2 }));
    send(&mut s, Msg::Command(Command::Select { id: 1, approved: true }));
    assert_eq!(review.selected, vec![true, false, true], "selection is frozen once applying");
}

#[test]
fn a_guard_block_applies_nothing_and_says_why() {
    let mut s = reviewed(60); // 60 deletes of 1000 accounts: over 25 and over 5%
    let effects = send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    assert!(!effects.iter().any(|e| matches!(e, Effect::StartApply { .. })));
    assert_eq!(s.phase, Phase::Planned);
    assert!(effects.iter().any(|e| matches!(e, Effect::Log(ev) if ev.message.contains("--allow-deletes 60"))));
    send(&mut s, Msg::Command(Command::SelectAll(false)));
    let effects = send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    assert!(effects.iter().any(|e| matches!(e, Effect::StartApply { .. })), "with the deletes left out it may go");
}

#[test]
fn apply_reports_and_ends_done() {
    let mut s = reviewed(1);
    send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    send(&mut s, Msg::ApplyProgress(ApplyProgress { done: 1, failed: 0, total: 1 }));
    assert_eq!(s.phase, Phase::Applying(ApplyProgress { done: 1, failed: 0, total: 1 }));
    send(&mut s, Msg::ApplyFinished(Ok(ApplyOutcome::default())));
    assert_eq!(s.phase, Phase::Done);
    assert!(s.report.is_some() && s.review.is_none());
}

#[test]
fn the_log_says_what_was_skipped_and_what_did_not_take() {
    use crate::sync::apply::Skipped;
    use crate::sync::verify::{NotTaken, Verification};
    let mut s = reviewed(1);
    send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    let skipped = Skipped { id: 0, action: ChangeKind::Update, email: "a@x.com".into(), reason: "changed".into() };
    let missing = NotTaken { id: 1, action: ChangeKind::Create, email: "b@x.com".into(), problem: "gone".into() };
    let verification = Verification { checked: 2, verified: 1, not_taken: vec![missing], listings: 6, error: None };
    let outcome = ApplyOutcome { skipped: vec![skipped], verification: Some(verification), ..ApplyOutcome::default() };
    let effects = send(&mut s, Msg::ApplyFinished(Ok(outcome)));
    let lines: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Log(ev) => Some(ev.message.clone()),
            _ => None,
        })
        .collect();
    assert!(lines[0].ends_with(", 1 skipped"), "{lines:?}");
    assert!(lines.contains(&"skipped update a@x.com: changed".to_string()), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("verified 1 of 2; 1 did not take after 6 listings")), "{lines:?}");
    assert!(lines.contains(&"did not take: create b@x.com: gone".to_string()), "{lines:?}");
}

#[test]
fn cancelling_an_apply_lets_it_finish_its_in_flight_changes() {
    let mut s = reviewed(1);
    send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    let effects = send(&mut s, Msg::Command(Command::Cancel));
    assert!(effects.iter().any(|e| matches!(e, Effect::CancelJob)));
    assert!(matches!(s.phase, Phase::Applying(_)), "stays applying until the report comes");
}

/// The records a batch of effects writes.
fn records(effects: &[Effect]) -> Vec<Arc<crate::history::RunRecord>> {
    effects.iter().filter_map(|e| if let Effect::Record(r) = e { Some(r.record.clone()) } else { None }).collect()
}

#[test]
fn a_plan_is_recorded_once_it_is_made_and_its_apply_under_the_same_id() {
    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Plan));
    let effects = send(&mut s, Msg::ReadFinished(Ok(read_with(vec![person()]))));
    assert!(records(&effects).is_empty(), "a read alone is no run's end");
    let effects = send(&mut s, Msg::PlanFinished(Ok(planned(1))));
    let plan = &records(&effects)[0];
    assert_eq!((plan.outcome, plan.mode), (crate::history::Outcome::Planned, crate::history::Mode::DryRun));
    assert_eq!((plan.read.as_ref().unwrap().to_sync, plan.plan.unwrap().delete), (1, 1));
    assert!(matches!(&effects.last(), Some(Effect::Record(r)) if r.pending.is_some()), "its changes are kept");
    send(&mut s, Msg::Command(Command::Apply(Overrides::default())));
    let done = ApplyOutcome {
        applied: vec![crate::sync::apply::Applied { id: 0, action: ChangeKind::Delete, email: "gone@x.com".into() }],
        ..ApplyOutcome::default()
    };
    let apply = records(&send(&mut s, Msg::ApplyFinished(Ok(done))))[0].clone();
    assert_eq!(apply.run, plan.run);
    assert_eq!((apply.outcome, apply.applied()), (crate::history::Outcome::Applied, 1));
    assert_eq!(apply.journal.as_deref(), Some(plan.run.journal().as_str()));
    assert_eq!(s.last_run.as_ref(), Some(&apply));
}

#[test]
fn blocked_failed_and_cancelled_runs_are_recorded_with_their_reason() {
    let mut s = reviewed(60);
    let blocked = records(&send(&mut s, Msg::Command(Command::Apply(Overrides::default()))));
    assert_eq!(blocked[0].outcome, crate::history::Outcome::Blocked);
    assert_eq!(blocked[0].guards[0].guard, "max_deletes");

    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Plan));
    let err = SourceError::Ldap(LdapFailure::ConnectionLost { at: Stage::Page(1), entries: 5, detail: "reset".into() });
    let failed = records(&send(&mut s, Msg::ReadFinished(Err(err))));
    assert_eq!(failed[0].outcome, crate::history::Outcome::Failed);
    assert!(failed[0].error.as_ref().unwrap().contains("after 5 entries"));
    assert!(failed[0].read.is_none());

    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Plan));
    let cancelled = records(&send(&mut s, Msg::Command(Command::Cancel)));
    assert_eq!(cancelled[0].outcome, crate::history::Outcome::Cancelled);

    let mut s = Snapshot::default();
    send(&mut s, Msg::Command(Command::Search));
    assert!(records(&send(&mut s, Msg::Command(Command::Cancel))).is_empty(), "a search is no run");
}

#[test]
fn browsing_another_source_drops_the_listings_and_late_answers_of_the_first() {
    let mut s = Snapshot::default();
    let node = crate::model::TreeNode { dn: "cn=a,dc=x".into(), ..Default::default() };
    let browse = |dn: &str| Msg::Command(Command::Browse { dn: dn.into(), refresh: false });
    assert!(matches!(send(&mut s, browse("dc=x")).as_slice(), [Effect::FetchChildren { source: 0, .. }]));
    send(&mut s, Msg::Children { source: 0, dn: "dc=x".into(), result: Ok(vec![node.clone()]) });
    assert!(s.tree.listing("dc=x").is_some_and(|l| l.nodes.is_some()));

    send(&mut s, Msg::Command(Command::BrowseSource(1)));
    assert_eq!((s.tree.source, s.tree.listings.len()), (1, 0), "the first source's listings are gone");
    let fetch = send(&mut s, browse("/srv/staff.csv"));
    assert!(matches!(fetch.as_slice(), [Effect::FetchChildren { source: 1, dn }] if dn == "/srv/staff.csv"));
    let inspect = send(&mut s, Msg::Command(Command::Inspect("line 1".into())));
    assert!(matches!(inspect.as_slice(), [Effect::FetchDetails { source: 1, .. }]));

    send(&mut s, Msg::Children { source: 0, dn: "dc=x".into(), result: Ok(vec![node.clone()]) });
    assert!(s.tree.listing("dc=x").is_none(), "a late answer of the source browsed before is dropped");
    send(&mut s, Msg::Children { source: 1, dn: "/srv/staff.csv".into(), result: Ok(vec![node]) });
    assert!(s.tree.listing("/srv/staff.csv").is_some_and(|l| !l.loading && l.nodes.is_some()));
    send(&mut s, Msg::Command(Command::BrowseSource(1)));
    assert_eq!(s.tree.listings.len(), 1, "the source browsed already keeps its listings");
}
