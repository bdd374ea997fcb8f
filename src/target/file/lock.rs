//! The advisory lock that keeps two adsync processes from interleaving changes to one file.
//!
//! `flock` on a sidecar `<file>.lock`: the kernel drops it when the holder exits, however it
//! exits, so there is never a stale lock to clean up. The holder writes its PID into the lock
//! file so the one that is refused can say who holds it.

use crate::target::TargetError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub struct FileLock {
    _file: File,
}

pub fn lock_path_for(data: &Path) -> PathBuf {
    let mut name = data.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "service.json".into());
    name.push(".lock");
    data.with_file_name(name)
}

impl FileLock {
    pub fn acquire(data: &Path) -> Result<Self, TargetError> {
        let lock = lock_path_for(data);
        let io_error = |action: &'static str| {
            let path = lock.clone();
            move |source| TargetError::Io { action, path, source }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(io_error("create the lock file"))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let holder = read_pid(&mut file);
                return Err(TargetError::Locked { path: data.to_path_buf(), lock, holder });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io_error("lock")(e)),
        }
        record_pid(&mut file).map_err(io_error("write the lock file"))?;
        Ok(Self { _file: file })
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn record_pid(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()
}
