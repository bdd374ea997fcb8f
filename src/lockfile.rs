//! Advisory `flock` locks on sidecar files, shared by the file target and the sync run lock.
//!
//! The kernel drops the lock when the holder exits, however it exits, so there is never a
//! stale lock to clean up. The holder writes a line about itself into the file so whoever is
//! refused can say who holds it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

pub struct LockFile {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("held by {}", holder.as_deref().unwrap_or("another process"))]
    Held { holder: Option<String> },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl LockFile {
    /// Takes the lock at `path` without waiting; `holder` describes us to whoever comes next.
    pub fn acquire(path: &Path, holder: &str) -> Result<Self, LockError> {
        let mut file = crate::private_fs::open_rw(path)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => return Err(LockError::Held { holder: read_holder(&mut file) }),
            Err(fs4::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        writeln!(file, "{holder}")?;
        file.flush()?;
        Ok(Self { _file: file })
    }
}

fn read_holder(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_told_who_holds_it_and_it_frees_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = LockFile::acquire(&path, "pid 1 (first)").unwrap();
        match LockFile::acquire(&path, "pid 2") {
            Err(LockError::Held { holder }) => assert_eq!(holder.as_deref(), Some("pid 1 (first)")),
            other => panic!("{:?}", other.err()),
        }
        drop(held);
        assert!(LockFile::acquire(&path, "pid 2").is_ok());
    }
}
