use super::*;
use crate::history::record::{Mode, Outcome, SourceInfo, Trigger};

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000 + secs).unwrap()
}

fn record(id: &str, started: i64, outcome: Outcome) -> RunRecord {
    let source = SourceInfo { kind: "ldap".into(), at: "ldaps://dc1 DC=x".into() };
    let times = (at(started), at(started + 1));
    RunRecord { source, ..RunRecord::new(RunId(id.into()), times, Trigger::Cli, Mode::DryRun, outcome) }
}

const KEEP: Retention = Retention { keep_days: 90, keep_runs: 500 };

#[test]
fn the_last_record_of_a_run_stands_and_runs_come_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    append(dir.path(), &record("a", 0, Outcome::Planned), KEEP, at(10)).unwrap();
    append(dir.path(), &record("b", 5, Outcome::Failed), KEEP, at(10)).unwrap();
    append(dir.path(), &record("a", 0, Outcome::Applied), KEEP, at(10)).unwrap();
    let runs = load(dir.path(), KEEP, at(10));
    let seen: Vec<(&str, Outcome)> = runs.iter().map(|r| (r.run.0.as_str(), r.outcome)).collect();
    assert_eq!(seen, [("b", Outcome::Failed), ("a", Outcome::Applied)]);
    let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
}

#[test]
fn a_torn_last_line_neither_hides_nor_swallows_the_next_record() {
    let dir = tempfile::tempdir().unwrap();
    append(dir.path(), &record("a", 0, Outcome::Planned), KEEP, at(10)).unwrap();
    let mut file = std::fs::OpenOptions::new().append(true).open(dir.path().join(FILE)).unwrap();
    file.write_all(b"{\"run\":\"half").unwrap();
    append(dir.path(), &record("b", 1, Outcome::Planned), KEEP, at(10)).unwrap();
    assert_eq!(load(dir.path(), KEEP, at(10)).len(), 2);
}

#[test]
fn runs_are_found_by_id_by_a_unique_beginning_or_as_last() {
    let dir = tempfile::tempdir().unwrap();
    for (id, t) in [("20261203T0930-1", 0), ("20261203T1230-1", 10), ("20261204T0930-1", 20)] {
        append(dir.path(), &record(id, t, Outcome::Planned), KEEP, at(30)).unwrap();
    }
    let find = |q: &str| find(dir.path(), KEEP, at(30), q).map(|r| r.run.0);
    assert_eq!(find("last").unwrap(), "20261204T0930-1");
    assert_eq!(find("20261203T12").unwrap(), "20261203T1230-1");
    assert!(matches!(find("20261203"), Err(HistoryError::Ambiguous { count: 2, .. })));
    assert!(matches!(find("1999"), Err(HistoryError::NotFound { .. })));
}

fn big(id: &str, started: i64) -> RunRecord {
    RunRecord { error: Some("x".repeat(40 * 1024)), ..record(id, started, Outcome::Failed) }
}

#[test]
fn a_full_file_rotates_and_expired_files_and_journals_go() {
    let dir = tempfile::tempdir().unwrap();
    let keep = Retention { keep_days: 90, keep_runs: 8 };
    let jdir = journal::dir_in(dir.path());
    std::fs::create_dir_all(&jdir).unwrap();
    let end = serde_json::to_string(&journal::Record::new(Step::End)).unwrap();
    let intent = serde_json::to_string(&journal::Record::new(Step::Intent)).unwrap();
    std::fs::write(jdir.join("r0.jsonl"), format!("{intent}\n{end}\n")).unwrap();
    std::fs::write(jdir.join("r1.jsonl"), format!("{intent}\n")).unwrap();
    for k in 0..20 {
        append(dir.path(), &big(&format!("r{k}"), k), keep, at(100)).unwrap();
    }
    assert!(segment(dir.path(), 1).is_file(), "the current file rotated");
    let runs = load(dir.path(), keep, at(100));
    assert_eq!(runs.len(), 8);
    assert_eq!(runs[0].run.0, "r19");
    let on_disk: Vec<String> = segments(dir.path()).iter().flat_map(|p| read_segment(p)).map(|r| r.run.0).collect();
    assert!(!on_disk.contains(&"r0".to_string()), "the file holding only old runs is gone: {on_disk:?}");
    assert!(on_disk.len() < 20);
    assert!(!jdir.join("r0.jsonl").exists(), "a finished journal of a run no longer kept goes");
    assert!(jdir.join("r1.jsonl").exists(), "an unfinished journal stays until reconciled");
}

#[test]
fn old_runs_age_out_even_when_few() {
    let dir = tempfile::tempdir().unwrap();
    let keep = Retention { keep_days: 1, keep_runs: 500 };
    append(dir.path(), &record("old", 0, Outcome::Planned), keep, at(0)).unwrap();
    append(dir.path(), &record("new", 2 * 86_400, Outcome::Planned), keep, at(2 * 86_400)).unwrap();
    let ids: Vec<String> = load(dir.path(), keep, at(2 * 86_400)).into_iter().map(|r| r.run.0).collect();
    assert_eq!(ids, ["new"]);
}

#[test]
fn a_journal_ends_with_its_end_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.jsonl");
    let end = serde_json::to_string(&journal::Record::new(Step::End)).unwrap();
    std::fs::write(&path, format!("{}\n{end}\n", "{}".repeat(3000))).unwrap();
    assert!(finished(&path));
    std::fs::write(&path, "{}\n").unwrap();
    assert!(!finished(&path));
}
