//! `kind = "file"`: a JSON file standing in for the service, for the demo and for rehearsals.
//!
//! The file is exactly the API's list answer, `{"users":[…]}` with the API's field names, so a
//! real export can be dropped in. A missing file is an empty service. The instance holds a lock
//! for its whole life, so two processes never interleave their changes.
//!
//! Changes apply in memory and reach the disk at most every [`WRITE_INTERVAL`] (and on
//! [`Target::flush`] and drop): rewriting a 10k-user file after every single create would make
//! a rehearsal quadratic. A killed run loses at most that interval, and the next plan, which
//! starts from the file, makes up for it.

mod lock;

pub use lock::lock_path_for;

use super::{CreateOptions, Layer, Target, TargetCheck, TargetError, count_admins, wire};
use crate::atomic;
use crate::config::Config;
use crate::model::Account;
use lock::FileLock;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const WRITE_INTERVAL: Duration = Duration::from_millis(200);

pub struct FileTarget {
    path: PathBuf,
    domain: Option<String>,
    state: Mutex<State>,
    _lock: FileLock,
}

struct State {
    /// Keyed by the lower-cased primary address: the service compares addresses without case.
    accounts: BTreeMap<String, Account>,
    dirty: bool,
    last_write: Option<Instant>,
}

impl FileTarget {
    pub fn from_config(config: &Config) -> Result<Self, TargetError> {
        let target = config.target.as_ref().ok_or(TargetError::NotConfigured)?;
        // Validation guarantees a path for kind = "file".
        let path = target.path.clone().unwrap_or_default();
        let mut opened = Self::open(path)?;
        opened.domain = target.domain.clone();
        Ok(opened)
    }

    /// Locks `path` and reads it (a missing file is an empty service).
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, TargetError> {
        let path = path.into();
        let lock = FileLock::acquire(&path)?;
        let accounts = load(&path)?;
        let state = State { accounts, dirty: false, last_write: None };
        Ok(Self { path, domain: None, state: Mutex::new(state), _lock: lock })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the map half-changed: every change is one insert/remove.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks a change and writes it unless a write happened moments ago.
    fn changed(&self, state: &mut State) -> Result<(), TargetError> {
        state.dirty = true;
        if state.last_write.is_none_or(|at| at.elapsed() >= WRITE_INTERVAL) {
            self.write(state)?;
        }
        Ok(())
    }

    fn write(&self, state: &mut State) -> Result<(), TargetError> {
        let document = wire::users_document(state.accounts.values());
        atomic::write_atomic(&self.path, |out| out.write_all(&document)).map_err(|source| TargetError::Io {
            action: "write",
            path: self.path.clone(),
            source,
        })?;
        state.dirty = false;
        state.last_write = Some(Instant::now());
        Ok(())
    }
}

fn load(path: &Path) -> Result<BTreeMap<String, Account>, TargetError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => return Err(TargetError::Io { action: "read", path: path.to_path_buf(), source }),
    };
    let corrupt = |detail: String| TargetError::Corrupt { path: path.to_path_buf(), detail };
    let mut accounts = BTreeMap::new();
    for account in wire::parse_users(&bytes).map_err(corrupt)? {
        let key = account.primary_email.to_lowercase();
        if accounts.contains_key(&key) {
            return Err(corrupt(format!("two accounts have the primary address {}", account.primary_email)));
        }
        accounts.insert(key, account);
    }
    Ok(accounts)
}

fn not_found(email: &str) -> TargetError {
    TargetError::NotFound { layer: Layer::File, email: email.to_string(), message: String::new() }
}

fn duplicate(email: &str) -> TargetError {
    TargetError::Duplicate { layer: Layer::File, email: email.to_string(), message: String::new() }
}

#[async_trait::async_trait]
impl Target for FileTarget {
    fn describe(&self) -> String {
        format!("file {}", self.path.display())
    }

    async fn check(&self) -> Result<TargetCheck, TargetError> {
        let state = self.state();
        Ok(TargetCheck {
            kind: "file",
            endpoint: self.path.display().to_string(),
            domain: self.domain.clone(),
            signed_in_as: None,
            account_type: None,
            read_only: None,
            users: state.accounts.len(),
            admins: count_admins(state.accounts.values()),
            org: Default::default(),
        })
    }

    async fn list(&self) -> Result<Vec<Account>, TargetError> {
        Ok(self.state().accounts.values().cloned().collect())
    }

    async fn create(&self, account: &Account, _options: CreateOptions) -> Result<(), TargetError> {
        let mut state = self.state();
        let key = account.primary_email.to_lowercase();
        if state.accounts.contains_key(&key) {
            return Err(duplicate(&account.primary_email));
        }
        state.accounts.insert(key, account.clone());
        self.changed(&mut state)
    }

    async fn get(&self, email: &str) -> Result<Option<Account>, TargetError> {
        Ok(self.state().accounts.get(&email.to_lowercase()).cloned())
    }

    async fn put(&self, email: &str, account: &Account) -> Result<(), TargetError> {
        let mut state = self.state();
        let old = email.to_lowercase();
        let new = account.primary_email.to_lowercase();
        if !state.accounts.contains_key(&old) {
            return Err(not_found(email));
        }
        if new != old && state.accounts.contains_key(&new) {
            return Err(duplicate(&account.primary_email));
        }
        state.accounts.remove(&old);
        state.accounts.insert(new, account.clone());
        self.changed(&mut state)
    }

    async fn delete(&self, email: &str) -> Result<(), TargetError> {
        let mut state = self.state();
        if state.accounts.remove(&email.to_lowercase()).is_none() {
            return Err(not_found(email));
        }
        self.changed(&mut state)
    }

    async fn flush(&self) -> Result<(), TargetError> {
        let mut state = self.state();
        if state.dirty { self.write(&mut state) } else { Ok(()) }
    }
}

impl Drop for FileTarget {
    /// The last batch of changes must not be lost because a caller forgot to flush.
    fn drop(&mut self) {
        let mut state = self.state();
        if state.dirty
            && let Err(e) = self.write(&mut state)
        {
            tracing::error!("{e}");
        }
    }
}
