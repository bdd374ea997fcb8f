//! Where the config file is looked for, in order, and where state is kept.

use super::{Config, ConfigError};
use std::path::{Path, PathBuf};

pub const ENV_CONFIG: &str = "ADSYNC_CONFIG";

/// One place a config may come from, in lookup order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub origin: &'static str,
    pub path: PathBuf,
}

/// The system-wide config, looked at last: a packaged install and an admin's shell find the
/// same file.
pub const SYSTEM: &str = "/etc/adsync/config.toml";

/// `--config`, then `$ADSYNC_CONFIG`, then `$XDG_CONFIG_HOME/adsync/config.toml`, then
/// [`SYSTEM`].
pub fn candidates(explicit: Option<&Path>) -> Vec<Candidate> {
    let mut list = Vec::new();
    if let Some(path) = explicit {
        list.push(Candidate { origin: "--config", path: path.to_path_buf() });
    }
    if let Some(path) = std::env::var_os(ENV_CONFIG).filter(|v| !v.is_empty()) {
        list.push(Candidate { origin: "$ADSYNC_CONFIG", path: PathBuf::from(path) });
    }
    if let Some(dir) = dirs::config_dir() {
        list.push(Candidate { origin: "XDG config dir", path: dir.join("adsync").join("config.toml") });
    }
    list.push(Candidate { origin: "system", path: PathBuf::from(SYSTEM) });
    list
}

/// The first candidate decides: an explicit path that is missing is an error, not a fall-through.
pub fn find(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    let list = candidates(explicit);
    let chosen = match list.first() {
        Some(first) if !matches!(first.origin, "XDG config dir" | "system") => Some(first.path.clone()),
        _ => list.iter().find(|c| c.path.is_file()).map(|c| c.path.clone()),
    };
    chosen.ok_or(ConfigError::NotFound { tried: list.into_iter().map(|c| c.path).collect() })
}

pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    Config::load(&find(explicit)?)
}

/// `$XDG_STATE_HOME/adsync`, falling back to `~/.local/state/adsync`.
pub fn default_state_dir() -> PathBuf {
    dirs::state_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))
        .unwrap_or_else(std::env::temp_dir)
        .join("adsync")
}
