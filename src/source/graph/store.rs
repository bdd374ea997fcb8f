//! What a delta read starts from: the users and groups delta links and the last complete
//! snapshot, together in one file in the state dir, replaced atomically after each read
//! that completed. A snapshot made under other settings is not used.

use super::error::GraphError;
use super::objects::{Group, User};
use crate::config::GraphConfig;
use serde::{Deserialize, Serialize};
use std::io::BufReader;
use std::path::{Path, PathBuf};

const FILE: &str = "graph-snapshot.json";
/// Raised whenever the file's meaning changes, so an older file is read as "no snapshot".
const VERSION: u32 = 1;

/// The settings a snapshot depends on: other ones see (or classify) other objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub tenant: String,
    pub graph_url: String,
    pub include_guests: bool,
    pub detect_shared_mailboxes: bool,
}

impl Key {
    pub fn of(config: &GraphConfig) -> Self {
        Self {
            tenant: config.tenant.clone(),
            graph_url: config.graph_url.to_string(),
            include_guests: config.include_guests,
            detect_shared_mailboxes: config.detect_shared_mailboxes,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub key: Key,
    /// `None` when Graph gave no delta link: the next read is then a full one.
    pub users_link: Option<String>,
    pub groups_link: Option<String>,
    /// Delta reads since the last full one.
    pub delta_reads: u32,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
}

impl Snapshot {
    pub fn new(
        key: Key,
        users_link: Option<String>,
        groups_link: Option<String>,
        users: Vec<User>,
        groups: Vec<Group>,
    ) -> Self {
        Self { version: VERSION, key, users_link, groups_link, delta_reads: 0, users, groups }
    }
}

pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// The stored snapshot when it was made under `key`; a missing, older, foreign or damaged
/// file means a full read, which then replaces it.
pub fn load(dir: &Path, key: &Key) -> Option<Snapshot> {
    let path = path_in(dir);
    let file = std::fs::File::open(&path).ok()?;
    match serde_json::from_reader::<_, Snapshot>(BufReader::new(file)) {
        Ok(snapshot) if snapshot.version == VERSION && snapshot.key == *key => Some(snapshot),
        Ok(_) => {
            tracing::info!(path = %path.display(), "the Graph snapshot was made with other settings: reading in full");
            None
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "the Graph snapshot is damaged: reading in full");
            None
        }
    }
}

pub fn save(dir: &Path, snapshot: &Snapshot) -> Result<(), GraphError> {
    let path = path_in(dir);
    let failed = |e: std::io::Error| GraphError::State(format!("cannot write {}: {e}", path.display()));
    crate::private_fs::create_dir(dir).map_err(failed)?;
    crate::atomic::write_atomic(&path, |out| {
        serde_json::to_writer(&mut *out, snapshot)?;
        out.write_all(b"\n")
    })
    .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tenant: &str) -> Key {
        Key {
            tenant: tenant.into(),
            graph_url: "https://g/".into(),
            include_guests: false,
            detect_shared_mailboxes: false,
        }
    }

    #[test]
    fn a_snapshot_is_used_only_under_the_settings_it_was_made_with() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path(), &key("a")), None);
        let users = vec![User { id: "1".into(), ..User::default() }];
        let snapshot = Snapshot::new(key("a"), Some("u".into()), Some("g".into()), users, Vec::new());
        save(dir.path(), &snapshot).unwrap();
        assert_eq!(load(dir.path(), &key("a")), Some(snapshot));
        assert_eq!(load(dir.path(), &key("b")), None);
        let guests = Key { include_guests: true, ..key("a") };
        assert_eq!(load(dir.path(), &guests), None);
        let mailboxes = Key { detect_shared_mailboxes: true, ..key("a") };
        assert_eq!(load(dir.path(), &mailboxes), None);
    }

    #[test]
    fn a_damaged_file_means_a_full_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path_in(dir.path()), "{\"version\":1,").unwrap();
        assert_eq!(load(dir.path(), &key("a")), None);
    }
}
