//! The advisory lock that keeps two adsync processes from interleaving changes to one file.
//!
//! `flock` on a sidecar `<file>.lock`: the kernel drops it when the holder exits, however it
//! exits, so there is never a stale lock to clean up. The holder writes its PID into the lock
//! file so the one that is refused can say who holds it.

use crate::lockfile::{LockError, LockFile};
use crate::target::TargetError;
use std::path::{Path, PathBuf};

pub struct FileLock {
    _lock: LockFile,
}

pub fn lock_path_for(data: &Path) -> PathBuf {
    let mut name = data.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "service.json".into());
    name.push(".lock");
    data.with_file_name(name)
}

impl FileLock {
    pub fn acquire(data: &Path) -> Result<Self, TargetError> {
        let lock = lock_path_for(data);
        match LockFile::acquire(&lock, &std::process::id().to_string()) {
            Ok(l) => Ok(Self { _lock: l }),
            Err(LockError::Held { holder }) => {
                let holder = holder.and_then(|h| h.parse().ok());
                Err(TargetError::Locked { path: data.to_path_buf(), lock, holder })
            }
            Err(LockError::Io(source)) => Err(TargetError::Io { action: "lock", path: lock, source }),
        }
    }
}
