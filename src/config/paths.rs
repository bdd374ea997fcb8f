//! Where the config file is looked for, in order, and where state is kept.

use super::ConfigError;
use std::path::{Path, PathBuf};

pub const ENV_CONFIG: &str = "ADSYNC_CONFIG";
/// Where the Debian package installs the config, so `sudo -u adsync adsync …` finds the
/// one the service uses without `--config`.
pub const SYSTEM_CONFIG: &str = "/etc/adsync/config.toml";

/// One place a config may come from, in lookup order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub origin: &'static str,
    pub path: PathBuf,
    /// Named by the user (`--config`, `$ADSYNC_CONFIG`): it must exist, nothing else is tried.
    pub explicit: bool,
}

/// `--config`, then `$ADSYNC_CONFIG`, then `$XDG_CONFIG_HOME/adsync/config.toml`, then
/// `/etc/adsync/config.toml`.
pub fn candidates(explicit: Option<&Path>) -> Vec<Candidate> {
    let mut list = Vec::new();
    if let Some(path) = explicit {
        list.push(Candidate { origin: "--config", path: path.to_path_buf(), explicit: true });
    }
    if let Some(path) = std::env::var_os(ENV_CONFIG).filter(|v| !v.is_empty()) {
        list.push(Candidate { origin: "$ADSYNC_CONFIG", path: PathBuf::from(path), explicit: true });
    }
    if let Some(dir) = dirs::config_dir() {
        let path = dir.join("adsync").join("config.toml");
        list.push(Candidate { origin: "XDG config dir", path, explicit: false });
    }
    list.push(Candidate { origin: "system", path: PathBuf::from(SYSTEM_CONFIG), explicit: false });
    list
}

/// A path given explicitly decides, and a missing one is an error, not a fall-through;
/// otherwise the first of the others that exists.
pub fn find(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    let list = candidates(explicit);
    chosen(&list).ok_or(ConfigError::NotFound { tried: list.into_iter().map(|c| c.path).collect() })
}

/// The config `list` leads to: the explicit one (whether it exists or not), else the first
/// that exists.
pub fn chosen(list: &[Candidate]) -> Option<PathBuf> {
    match list.first() {
        Some(first) if first.explicit => Some(first.path.clone()),
        _ => list.iter().find(|c| c.path.is_file()).map(|c| c.path.clone()),
    }
}

/// `$XDG_STATE_HOME/adsync`, falling back to `~/.local/state/adsync`.
pub fn default_state_dir() -> PathBuf {
    dirs::state_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))
        .unwrap_or_else(std::env::temp_dir)
        .join("adsync")
}
