//! What adsync remembers between runs, in the state dir: the accounts it manages (with the
//! directory id behind each) and the size of the last good read (for the shrink guard).

use super::plan::Managed;
use crate::model::{ObjectId, SourceIdentity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FILE: &str = "managed.json";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastGood {
    /// RFC 3339.
    pub at: String,
    pub directory_objects: usize,
    pub users: usize,
    /// The source that run read; the size above is its baseline only. (Files written
    /// before it was kept have none: their baseline counts for whatever source is read.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceIdentity>,
    /// With several `[[source]]`s: each one's size, by its name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub per_source: BTreeMap<String, SourceBaseline>,
}

/// One named source's size at the last good run, and the directory it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceBaseline {
    pub directory_objects: usize,
    pub users: usize,
    pub source: SourceIdentity,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Lower-cased primary address → directory id (null when unknown).
    #[serde(default)]
    pub accounts: BTreeMap<String, Option<ObjectId>>,
    #[serde(default)]
    pub last_good: Option<LastGood>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("State: cannot read {}: {source}; check the state_dir permissions", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("State: {} is damaged ({detail}); move it aside to start over — the next sync then manages only accounts it creates or matches", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("State: cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// When the last sync that went through finished, if the state dir remembers one.
pub fn last_good_at(dir: &Path) -> Option<jiff::Timestamp> {
    SyncState::load(dir).ok()?.last_good?.at.parse().ok()
}

pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

impl SyncState {
    /// A missing file is a fresh start, not an error.
    pub fn load(dir: &Path) -> Result<Self, StateError> {
        let path = path_in(dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| StateError::Corrupt { path, detail: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(StateError::Read { path, source }),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), StateError> {
        let path = path_in(dir);
        let write = |source| StateError::Write { path: path.clone(), source };
        crate::private_fs::create_dir(dir).map_err(write)?;
        crate::atomic::write_atomic(&path, |out| {
            serde_json::to_writer_pretty(&mut *out, self)?;
            out.write_all(b"\n")
        })
        .map_err(write)
    }

    pub fn managed(&self) -> Managed {
        Managed { accounts: self.accounts.iter().map(|(k, v)| (k.clone(), *v)).collect() }
    }

    pub fn set_managed(&mut self, managed: &Managed) {
        self.accounts = managed.accounts.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(SyncState::load(dir.path()).unwrap(), SyncState::default());
        let mut state = SyncState::default();
        state.accounts.insert("a@x.com".into(), ObjectId::parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
        state.last_good = Some(LastGood {
            at: "2026-11-30T00:00:00Z".into(),
            directory_objects: 10,
            users: 8,
            source: Some(SourceIdentity::Graph { tenant: "contoso.onmicrosoft.com".into() }),
            per_source: BTreeMap::from([(
                "hq".to_string(),
                SourceBaseline { directory_objects: 4, users: 3, source: SourceIdentity::Graph { tenant: "t".into() } },
            )]),
        });
        state.save(dir.path()).unwrap();
        assert_eq!(SyncState::load(dir.path()).unwrap(), state);
    }

    #[test]
    fn a_damaged_file_is_an_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path_in(dir.path()), "{not json").unwrap();
        let e = SyncState::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("move it aside"), "{e}");
    }
}
