//! The file's bytes, read whole, and only if the file held still while it was read: an export
//! still being written would otherwise give a mixed or shorter read.

use super::error::CsvError;
use std::path::Path;
use std::time::SystemTime;

/// The file's size and modification time: while they stay the same, so does the file, as far
/// as a reader can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

pub fn stamp(path: &Path) -> Result<Stamp, CsvError> {
    let meta = std::fs::metadata(path).map_err(|source| CsvError::Read { path: path.into(), source })?;
    Ok(Stamp { len: meta.len(), modified: meta.modified().ok() })
}

pub fn read_stable(path: &Path) -> Result<Vec<u8>, CsvError> {
    read_stamped(path).map(|(_, bytes)| bytes)
}

/// The bytes and the stamp the file held while they were read.
pub fn read_stamped(path: &Path) -> Result<(Stamp, Vec<u8>), CsvError> {
    read_stable_with(path, |p| std::fs::read(p))
}

/// `read` reads the bytes; tests pass one that changes the file on the way.
fn read_stable_with(
    path: &Path,
    read: impl FnOnce(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<(Stamp, Vec<u8>), CsvError> {
    let before = stamp(path)?;
    let bytes = read(path).map_err(|source| CsvError::Read { path: path.into(), source })?;
    let after = stamp(path)?;
    if before != after || bytes.len() as u64 != after.len {
        return Err(CsvError::Changed { path: path.into() });
    }
    Ok((after, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_that_grows_while_it_is_read_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, "A,B,a@x.com\n").unwrap();
        let growing = |p: &Path| {
            let bytes = std::fs::read(p)?;
            std::fs::OpenOptions::new().append(true).open(p)?.write_all(b"C,D,c@x.com\n")?;
            Ok(bytes)
        };
        let err = read_stable_with(&path, growing).unwrap_err();
        assert!(matches!(err, CsvError::Changed { .. }), "{err}");
        assert!(err.to_string().contains("changed while it was read"), "{err}");
        assert_eq!(read_stable(&path).unwrap().len(), 24);
    }

    #[test]
    fn a_missing_file_names_itself() {
        let err = read_stable(Path::new("/nonexistent/people.csv")).unwrap_err().to_string();
        assert!(err.starts_with("CSV: cannot read /nonexistent/people.csv"), "{err}");
    }
}
