//! A journal left by an interrupted apply of the previous version still reconciles.
//!
//! tests/fixtures/interrupted-run is what that version left behind when its apply was stopped
//! mid-run (recorded by running it, not written by hand): the state dir with its managed set
//! and a journal without an `end` record, and the service file as the run left it. Two deletes,
//! a rename and a create were done, one update failed, and one create was sent without an answer.

#[path = "common/entries.rs"]
mod entries;

use adsync::model::{ChangeKind, Classification, DirectoryEntry, Flavor, ObjectId, SearchOutcome};
use adsync::sync::journal::{self, Record, Step};
use adsync::sync::plan::PlanPolicy;
use adsync::sync::run::{SyncSettings, make_plan};
use adsync::sync::state::SyncState;
use adsync::target::file::FileTarget;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RUN: &str = "20261204T050337Z-1125.jsonl";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interrupted-run")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_dir(&path, &dest) } else { std::fs::copy(&path, &dest).map(drop).unwrap() }
    }
}

fn id(n: u128) -> ObjectId {
    ObjectId::parse(&format!("5e1f0000-0000-4000-8000-{n:012x}")).unwrap()
}

fn person(email: &str, first: &str, last: &str, n: u128) -> DirectoryEntry {
    entries::person(id(n), email, first, last)
}

/// The directory the interrupted run was planned from.
fn search() -> SearchOutcome {
    let entries = vec![
        person("ann.smith@example.com", "Ann", "Smith", 1),
        person("bo.li@example.com", "Bo", "Li", 2),
        person("cy.new@example.com", "Cy", "New", 3),
        person("dee.new@example.com", "Dee", "New", 4),
    ];
    let classification = Classification { entries, ..Classification::default() };
    SearchOutcome { flavor: Flavor::ActiveDirectory, stats: Default::default(), classification, ignored: 0 }
}

/// A copy of the fixture to work in: (temp dir, state dir, settings).
fn workspace() -> (tempfile::TempDir, PathBuf, SyncSettings) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let state_dir = dir.path().join("state");
    let plan = PlanPolicy { delete: true, ..PlanPolicy::default() };
    let settings = SyncSettings {
        plan,
        guards: Default::default(),
        state_dir: state_dir.clone(),
        max_in_flight: 1,
        coexist_with_vendor_sync: false,
        verify: Default::default(),
        run_id: None,
        source: None,
        sources: Vec::new(),
    };
    (dir, state_dir, settings)
}

#[test]
fn every_record_of_the_old_journal_reads_with_its_action() {
    let (_dir, state_dir, _) = workspace();
    let lines = std::fs::read_to_string(fixture().join("state/journal").join(RUN)).unwrap().lines().count();
    let found = journal::unfinished(&state_dir).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].records.len(), lines, "no record is dropped");
    let done: Vec<_> = found[0].completed().map(|r| (r.action, r.email.as_deref().unwrap())).collect();
    let kinds = [ChangeKind::Delete, ChangeKind::Delete, ChangeKind::Update, ChangeKind::Create];
    let emails = ["gone1@example.com", "gone2@example.com", "ann.lee@example.com", "cy.new@example.com"];
    assert_eq!(done, kinds.into_iter().map(Some).zip(emails).collect::<Vec<_>>());
    let failed = found[0].records.iter().filter(|r| r.step == Step::Failed).map(|r| r.action);
    assert_eq!(failed.collect::<Vec<_>>(), [Some(ChangeKind::Update)]);
    let doubt: Vec<_> = found[0].in_doubt().iter().map(|r| (r.action, r.email.clone().unwrap())).collect();
    assert_eq!(doubt, [(Some(ChangeKind::Create), "dee.new@example.com".to_string())]);
}

#[tokio::test]
async fn the_next_plan_reconciles_it_and_closes_it() {
    let (dir, state_dir, settings) = workspace();
    let target = FileTarget::open(dir.path().join("service.json")).unwrap();
    let planned = make_plan(&target, &search(), &settings).await.unwrap();

    let journal_path = journal::dir_in(&state_dir).join(RUN);
    let note = format!(
        "an earlier run stopped before it finished ({}): 4 changes were done, 1 were sent without an answer; this plan starts from what the service holds now",
        journal_path.display()
    );
    assert_eq!(planned.recovered, [note]);

    let managed = SyncState::load(&state_dir).unwrap().accounts;
    let expected: BTreeMap<String, Option<ObjectId>> = [
        ("ann.smith@example.com", Some(id(1))),
        ("bo.li@example.com", Some(id(2))),
        ("cy.new@example.com", Some(id(3))),
    ]
    .into_iter()
    .map(|(e, i)| (e.to_string(), i))
    .collect();
    assert_eq!(managed, expected, "deletes left the managed set, the rename and the create entered it");

    let changes: Vec<_> = planned.plan.changes.iter().map(|c| (c.kind(), c.email())).collect();
    let redo = [(ChangeKind::Update, "bo.li@example.com"), (ChangeKind::Create, "dee.new@example.com")];
    assert_eq!(changes, redo, "the failed update and the unanswered create are planned again");

    let text = std::fs::read_to_string(&journal_path).unwrap();
    let end: Record = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!((end.step, end.detail.as_deref()), (Step::End, Some("interrupted; recovered by the next plan")));
    assert!(journal::unfinished(&state_dir).unwrap().is_empty());
    let again = make_plan(&target, &search(), &settings).await.unwrap();
    assert!(again.recovered.is_empty(), "a closed journal is not recovered twice");
}
