//! A first run: no config file yet. The terminal app opens on a form seeded with the
//! defaults, and saving it writes a new file that starts from the commented example (the
//! example's sample data taken out); `adsync config init` writes the example itself. A new
//! file is owner-only and never replaces one that exists.

use super::Config;
use std::io::Write;
use std::path::{Path, PathBuf};
use toml_edit::{Array, DocumentMut, value};

/// Every key, commented: what `config init` writes and what a new config starts from.
pub const EXAMPLE: &str = include_str!("../../config/adsync.example.toml");

/// The seed's defaults (silent user, LDAPS, what and how to sync, no schedule) around a
/// placeholder connection the form leaves blank.
const SEED: &str = "[source]\nkind = \"ldap\"\nurl = \"ldaps://host.invalid:636\"\nbase_dn = \"DC=example,DC=com\"\n";

impl Config {
    /// The config a first run works on until its form is saved to `origin`.
    pub fn seed(origin: PathBuf) -> Config {
        let mut config = Config::parse(SEED, "the built-in defaults").expect("the built-in defaults are valid");
        config.origin = Some(origin);
        config
    }
}

/// Where a first run saves when no file was named: `$XDG_CONFIG_HOME/adsync/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("adsync").join("config.toml"))
}

/// The example, its sample exemptions and exclusions emptied, for the form to fill in (the
/// form also replaces or removes the sample `[target]`).
pub fn template() -> DocumentMut {
    let mut doc: DocumentMut = EXAMPLE.parse().expect("the example config is valid TOML");
    doc["sync"]["exempt"] = value(Array::new());
    doc["exclude"]["subtrees"] = value(Array::new());
    doc["exclude"]["addresses"] = value(Array::new());
    doc
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} exists already; nothing was written (edit it, or pick another --path)", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Writes `text` as a new owner-only file at `path` (parents created); never replaces a file.
pub fn write_new(path: &Path, text: &str) -> Result<(), InitError> {
    let failed = |source| InitError::Write { path: path.to_path_buf(), source };
    if path.exists() {
        return Err(InitError::Exists { path: path.to_path_buf() });
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(failed)?;
    // A temporary file is created owner-only; it lands only where nothing is yet.
    let mut tmp = tempfile::Builder::new().prefix(".adsync-").tempfile_in(dir).map_err(failed)?;
    tmp.write_all(text.as_bytes()).and_then(|()| tmp.as_file().sync_all()).map_err(failed)?;
    tmp.persist_noclobber(path).map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => InitError::Exists { path: path.to_path_buf() },
        _ => failed(e.error),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_the_defaults_and_the_template_no_sample_data() {
        let seed = Config::seed("/tmp/x.toml".into());
        assert!(seed.target.is_none() && seed.notify.is_none());
        assert_eq!(seed.sync.frequency, super::super::Frequency::Off);
        let text = template().to_string();
        assert!(text.contains("# adsync configuration") && !text.contains("OU=Test,DC=example"), "{text}");
    }

    #[test]
    fn a_new_file_is_owner_only_and_never_replaces_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/adsync.toml");
        write_new(&path, "a = 1\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
        assert!(matches!(write_new(&path, "b = 2\n"), Err(InitError::Exists { .. })));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
    }
}
