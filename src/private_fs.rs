//! What adsync keeps about people — the state dir, journals, the run history, snapshots of a
//! tenant — is created for its owner only, whatever the umask: directories 0700, files 0600.
//! A directory that exists already keeps its mode (a package may have made it 0750 for a
//! group on purpose).

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::Path;

/// `mkdir -p` with every directory it makes owner-only.
pub fn create_dir(path: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Opens `path` for reading and appending, creating it owner-only if it is not there; `new`
/// insists that it is not there yet.
pub fn append(path: &Path, new: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true);
    if new {
        options.create_new(true)
    } else {
        options.create(true)
    };
    owner_only(&mut options).open(path)
}

/// Opens (creating if needed) `path` for reading and writing without truncating it.
pub fn open_rw(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    owner_only(&mut options).open(path)
}

fn owner_only(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn made_for_the_owner_only_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_dir(&nested).unwrap();
        assert_eq!((mode(&dir.path().join("a")), mode(&nested)), (0o700, 0o700));
        append(&nested.join("j.jsonl"), true).unwrap();
        assert_eq!(mode(&nested.join("j.jsonl")), 0o600);
        assert!(append(&nested.join("j.jsonl"), true).is_err(), "new means new");
        open_rw(&nested.join("lock")).unwrap();
        assert_eq!(mode(&nested.join("lock")), 0o600);
    }
}
