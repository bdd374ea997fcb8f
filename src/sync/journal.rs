//! The apply journal: one append-only JSONL file per run in `<state_dir>/journal/`. An intent
//! is durable before its request is sent (the apply submits intents ahead and waits for them
//! only when it sends); an outcome is appended after the answer and rides the next fsync.
//! Records are batched into one fsync when several are queued (group commit), so the
//! journal never becomes the bottleneck.

use crate::model::{ChangeKind, ObjectId};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Begin,
    Intent,
    Done,
    Failed,
    /// Not sent: the account changed in the service since the plan.
    Skipped,
    End,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub at: String,
    pub step: Step,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ChangeKind>,
    /// The address as the service knows it before the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The address after the change (creates and renames).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Record {
    pub fn new(step: Step) -> Self {
        Self {
            at: jiff::Timestamp::now().to_string(),
            step,
            change: None,
            action: None,
            email: None,
            new_email: None,
            directory_id: None,
            detail: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("Journal: cannot write {}: {source}; nothing more is applied without a journal", path.display())]
pub struct JournalError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

type Pending = (Record, oneshot::Sender<Result<(), String>>);

/// A run's journal. Writes happen on a dedicated thread; `write` returns once durable.
pub struct Journal {
    path: PathBuf,
    tx: mpsc::Sender<Pending>,
}

pub fn dir_in(state_dir: &Path) -> PathBuf {
    state_dir.join("journal")
}

impl Journal {
    pub fn create(state_dir: &Path, run: &str) -> Result<Self, JournalError> {
        let dir = dir_in(state_dir);
        let path = dir.join(format!("{run}.jsonl"));
        let open = || -> std::io::Result<File> {
            crate::private_fs::create_dir(&dir)?;
            crate::private_fs::append(&path, true)
        };
        let file = open().map_err(|source| JournalError { path: path.clone(), source })?;
        let (tx, rx) = mpsc::channel::<Pending>();
        std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || writer(file, rx))
            .map_err(|source| JournalError { path: path.clone(), source })?;
        Ok(Self { path, tx })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` without waiting for the disk: it is fsync'd with the next batch, and
    /// any later [`Journal::write`] returns only once it is durable too (one writer, in order).
    /// For outcomes: a lost outcome only makes its change "in doubt", which the next plan
    /// settles from what the service holds.
    pub fn append(&self, record: Record) {
        let (done, _) = oneshot::channel();
        let _ = self.tx.send((record, done));
    }

    /// Appends `record` and waits until it is on disk.
    pub async fn write(&self, record: Record) -> Result<(), JournalError> {
        self.submit(record).durable().await
    }

    /// Appends `record` now; the answer says when it is on disk. Lets a caller have the disk
    /// work while it does something else, and wait only when it must.
    pub fn submit(&self, record: Record) -> Durable {
        let (done, wait) = oneshot::channel();
        let sent = self.tx.send((record, done)).is_ok();
        Durable { path: self.path.clone(), wait: sent.then_some(wait) }
    }
}

/// A record on its way to the disk.
pub struct Durable {
    path: PathBuf,
    wait: Option<oneshot::Receiver<Result<(), String>>>,
}

impl Durable {
    /// Once the record is on disk, or why it never will be.
    pub async fn durable(self) -> Result<(), JournalError> {
        let gone =
            || JournalError { path: self.path.clone(), source: std::io::Error::other("the journal writer stopped") };
        match self.wait {
            Some(wait) => match wait.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(JournalError { path: self.path.clone(), source: std::io::Error::other(e) }),
                Err(_) => Err(gone()),
            },
            None => Err(gone()),
        }
    }
}

/// Group commit: take whatever is queued, write it, one fsync, then acknowledge all of it.
fn writer(mut file: File, rx: mpsc::Receiver<Pending>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let written = write_batch(&mut file, &batch).map_err(|e| e.to_string());
        for (_, done) in batch {
            let _ = done.send(written.clone());
        }
    }
}

fn write_batch(file: &mut File, batch: &[Pending]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(batch.len() * 160);
    for (record, _) in batch {
        serde_json::to_writer(&mut buf, record)?;
        buf.push(b'\n');
    }
    file.write_all(&buf)?;
    file.sync_data()
}

/// A run that stopped without writing `end`: killed, crashed, or the machine went down.
#[derive(Debug, Clone, PartialEq)]
pub struct Interrupted {
    pub path: PathBuf,
    pub records: Vec<Record>,
}

impl Interrupted {
    pub fn completed(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(|r| r.step == Step::Done)
    }

    /// Changes that were sent but whose answer never made it to the journal.
    pub fn in_doubt(&self) -> Vec<&Record> {
        let finished: std::collections::HashSet<usize> = self
            .records
            .iter()
            .filter(|r| matches!(r.step, Step::Done | Step::Failed | Step::Skipped))
            .filter_map(|r| r.change)
            .collect();
        self.records
            .iter()
            .filter(|r| r.step == Step::Intent && r.change.is_some_and(|c| !finished.contains(&c)))
            .collect()
    }
}

/// Journals in `state_dir` with no `end` record, oldest first.
pub fn unfinished(state_dir: &Path) -> std::io::Result<Vec<Interrupted>> {
    let dir = dir_in(state_dir);
    let Ok(listing) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let records = read_records(&path)?;
        if !records.iter().any(|r| r.step == Step::End) {
            out.push(Interrupted { path, records });
        }
    }
    Ok(out)
}

/// A torn last line (the kill came mid-write) is skipped; everything before it counts.
pub fn read_records(path: &Path) -> std::io::Result<Vec<Record>> {
    let file = File::open(path)?;
    Ok(BufReader::new(file).lines().map_while(Result::ok).filter_map(|l| serde_json::from_str(&l).ok()).collect())
}

/// Closes an interrupted journal once its completed changes have been taken into account.
pub fn close_interrupted(interrupted: &Interrupted, by: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().append(true).open(&interrupted.path)?;
    let mut end = Record::new(Step::End);
    end.detail = Some(format!("interrupted; recovered by {by}"));
    serde_json::to_writer(&mut file, &end)?;
    file.write_all(b"\n")?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(change: usize) -> Record {
        Record {
            change: Some(change),
            action: Some(ChangeKind::Create),
            email: Some(format!("u{change}@x.com")),
            ..Record::new(Step::Intent)
        }
    }

    #[tokio::test]
    async fn concurrent_writes_are_all_durable_and_an_unended_run_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let journal = std::sync::Arc::new(Journal::create(dir.path(), "run-1").unwrap());
        let mut tasks = Vec::new();
        for k in 0..50 {
            let j = journal.clone();
            tasks.push(tokio::spawn(async move { j.write(intent(k)).await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        journal.write(Record { change: Some(3), ..Record::new(Step::Done) }).await.unwrap();
        let found = unfinished(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].records.len(), 51);
        assert_eq!(found[0].in_doubt().len(), 49);
        close_interrupted(&found[0], "run-2").unwrap();
        assert!(unfinished(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let jdir = dir_in(dir.path());
        std::fs::create_dir_all(&jdir).unwrap();
        let good = serde_json::to_string(&intent(1)).unwrap();
        std::fs::write(jdir.join("r.jsonl"), format!("{good}\n{{\"at\":\"2026")).unwrap();
        let found = unfinished(dir.path()).unwrap();
        assert_eq!(found[0].records.len(), 1);
        assert_eq!(found[0].records[0].change, Some(1));
    }
}
