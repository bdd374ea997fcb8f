//! `history.jsonl` in the state dir: one JSON record per line, appended under a lock and
//! fsync'd, so the schedule and the terminal app can record at the same time. A file past
//! [`ROTATE_AT`] is rotated to `history.1.jsonl` (older ones move up a number); the
//! retention rule then removes rotated files and journals of runs no longer kept. Readers
//! apply the same rule, so what is shown and what is kept agree.

use super::record::{RunId, RunRecord};
use super::retention::Retention;
use crate::sync::journal::{self, Step};
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const FILE: &str = "history.jsonl";
/// Rotate the current file once it is this big.
pub const ROTATE_AT: u64 = 256 * 1024;
/// More rotated files than this are never looked at (the retention rule keeps far fewer).
const MAX_SEGMENTS: usize = 64;
/// How long an append waits for another process's append to finish.
const LOCK_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("History: cannot use {}: {source}; check the state_dir permissions", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("History: {} stayed locked by another adsync for {}s; this run is not recorded", path.display(), LOCK_WAIT.as_secs())]
    Locked { path: PathBuf },
    #[error("History: no run {query} in the history (`adsync history` lists them)")]
    NotFound { query: String },
    #[error("History: {query} matches {count} runs; give more of the id")]
    Ambiguous { query: String, count: usize },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HistoryError + '_ {
    move |source| HistoryError::Io { path: path.to_path_buf(), source }
}

/// `history.jsonl`, `history.1.jsonl`, …: the file for segment `n` (0 is the current one).
fn segment(dir: &Path, n: usize) -> PathBuf {
    if n == 0 { dir.join(FILE) } else { dir.join(format!("history.{n}.jsonl")) }
}

/// The segments that exist, newest first.
fn segments(dir: &Path) -> Vec<PathBuf> {
    (0..MAX_SEGMENTS).map(|n| segment(dir, n)).take_while(|p| p.is_file()).collect()
}

/// Appends `record`, then rotates and prunes as the retention rule says.
pub fn append(dir: &Path, record: &RunRecord, keep: Retention, now: Timestamp) -> Result<(), HistoryError> {
    crate::private_fs::create_dir(dir).map_err(io(dir))?;
    let _lock = lock(dir)?;
    let current = segment(dir, 0);
    if std::fs::metadata(&current).is_ok_and(|m| m.len() >= ROTATE_AT) {
        rotate(dir)?;
    }
    write_line(&current, record)?;
    prune(dir, keep, now)
}

fn lock(dir: &Path) -> Result<File, HistoryError> {
    let path = dir.join("history.lock");
    let file = crate::private_fs::open_rw(&path).map_err(io(&path))?;
    let started = std::time::Instant::now();
    loop {
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => return Ok(file),
            Err(fs4::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(fs4::TryLockError::WouldBlock) => return Err(HistoryError::Locked { path }),
            Err(fs4::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
    }
}

fn write_line(path: &Path, record: &RunRecord) -> Result<(), HistoryError> {
    let mut line = serde_json::to_vec(record).map_err(|e| io(path)(e.into()))?;
    line.push(b'\n');
    let mut file = crate::private_fs::append(path, false).map_err(io(path))?;
    // A crash mid-write leaves a torn line; this record starts on a line of its own.
    if !ends_with_newline(&mut file).map_err(io(path))? {
        line.insert(0, b'\n');
    }
    file.write_all(&line).and_then(|()| file.sync_data()).map_err(io(path))
}

fn ends_with_newline(file: &mut File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// `history.jsonl` becomes `history.1.jsonl`; older files move up a number.
fn rotate(dir: &Path) -> Result<(), HistoryError> {
    let count = segments(dir).len();
    for n in (0..count).rev() {
        let (from, to) = (segment(dir, n), segment(dir, n + 1));
        std::fs::rename(&from, &to).map_err(io(&from))?;
    }
    Ok(())
}

/// Every record in one file; a torn or foreign line is skipped.
fn read_segment(path: &Path) -> Vec<RunRecord> {
    let Ok(file) = File::open(path) else { return Vec::new() };
    BufReader::new(file).lines().map_while(Result::ok).filter_map(|l| serde_json::from_str(&l).ok()).collect()
}

/// A history file and the runs it holds records of.
type Segment = (PathBuf, HashSet<RunId>);

/// Each run's last record, and the segments with the runs each holds, oldest first.
fn fold(dir: &Path) -> (HashMap<RunId, RunRecord>, Vec<Segment>) {
    let mut runs = HashMap::new();
    let mut files = Vec::new();
    for path in segments(dir).into_iter().rev() {
        let records = read_segment(&path);
        let ids = records.iter().map(|r| r.run.clone()).collect();
        for r in records {
            runs.insert(r.run.clone(), r);
        }
        files.push((path, ids));
    }
    (runs, files)
}

/// The runs the rule keeps, newest first.
pub fn load(dir: &Path, keep: Retention, now: Timestamp) -> Vec<RunRecord> {
    let (mut runs, _) = fold(dir);
    let kept = keep.kept(runs.values().map(|r| (&r.run, r.started)), now);
    runs.retain(|id, _| kept.contains(id));
    let mut list: Vec<RunRecord> = runs.into_values().collect();
    list.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| b.run.cmp(&a.run)));
    list
}

/// One run by its id, a unique beginning of it, or `last`.
pub fn find(dir: &Path, keep: Retention, now: Timestamp, query: &str) -> Result<RunRecord, HistoryError> {
    let runs = load(dir, keep, now);
    let not_found = || HistoryError::NotFound { query: query.to_string() };
    if query == "last" {
        return runs.into_iter().next().ok_or_else(not_found);
    }
    if let Some(exact) = runs.iter().find(|r| r.run.0 == query) {
        return Ok(exact.clone());
    }
    let mut matching: Vec<RunRecord> = runs.into_iter().filter(|r| r.run.0.starts_with(query)).collect();
    match matching.len() {
        0 => Err(not_found()),
        1 => Ok(matching.remove(0)),
        count => Err(HistoryError::Ambiguous { query: query.to_string(), count }),
    }
}

/// Removes rotated files that hold no kept run, and the finished journals of runs no longer
/// kept. A journal whose run never finished stays until the next plan reconciles it.
fn prune(dir: &Path, keep: Retention, now: Timestamp) -> Result<(), HistoryError> {
    let (runs, files) = fold(dir);
    let kept = keep.kept(runs.values().map(|r| (&r.run, r.started)), now);
    for (path, ids) in files.iter().filter(|(p, _)| *p != segment(dir, 0)) {
        if ids.iter().all(|id| !kept.contains(id)) {
            std::fs::remove_file(path).map_err(io(path))?;
        }
    }
    prune_journals(dir, &kept, &runs, keep, now)
}

fn prune_journals(
    dir: &Path,
    kept: &HashSet<RunId>,
    known: &HashMap<RunId, RunRecord>,
    keep: Retention,
    now: Timestamp,
) -> Result<(), HistoryError> {
    let jdir = journal::dir_in(dir);
    let Ok(listing) = std::fs::read_dir(&jdir) else { return Ok(()) };
    for path in listing.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(|s| RunId(s.to_string())) else { continue };
        if path.extension().is_none_or(|x| x != "jsonl") || kept.contains(&stem) {
            continue;
        }
        // A journal no record names (an older adsync wrote it) goes by its age alone.
        let expired = known.contains_key(&stem) || modified(&path).is_some_and(|at| !keep.young(at, now));
        if expired && finished(&path) {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

fn modified(path: &Path) -> Option<Timestamp> {
    Timestamp::try_from(std::fs::metadata(path).ok()?.modified().ok()?).ok()
}

/// Whether the journal's last line is its `end` record (read from the tail: journals can be big).
pub fn finished(path: &Path) -> bool {
    let Ok(mut file) = File::open(path) else { return false };
    let len = file.metadata().map_or(0, |m| m.len());
    let mut tail = Vec::new();
    if file.seek(SeekFrom::Start(len.saturating_sub(4096))).is_err() || file.read_to_end(&mut tail).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&tail);
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    last.and_then(|l| serde_json::from_str::<journal::Record>(l).ok()).is_some_and(|r| r.step == Step::End)
}

#[cfg(test)]
mod tests;
