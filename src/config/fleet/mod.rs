//! Organisations as files, for a service provider: every `*.toml` in `orgs.d/` beside the main
//! config (or in `--orgs DIR`) is one organisation's config, named by its file stem. The main
//! config is then optional and holds only what the organisations share: `[partner]` (the
//! provider's admin), `[fleet]` (how many run at once), `[notify]` and `state_dir`.

mod load;

pub use load::{Loaded, Selector, load};

use super::Config;
use super::notify::{NotifyConfig, RawNotify};
use super::schema::Stack;
use super::secret::{SecretKeys, SecretSource};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The directory of organisation files beside the main config.
pub const ORGS_DIR: &str = "orgs.d";

/// The main config beside `orgs.d`, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFleetMain {
    pub state_dir: Option<PathBuf>,
    pub partner: Option<RawPartner>,
    #[serde(default)]
    pub fleet: FleetSettings,
    pub notify: Option<RawNotify>,
}

/// `[partner]` as written: the service provider's admin, who may act on every child organisation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartner {
    pub domain: String,
    pub stack: Option<Stack>,
    pub api_url: Option<String>,
    pub user: String,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub password_command: Option<String>,
}

/// The partner admin's password: a reference like every other secret, never the password itself.
pub const PARTNER_PASSWORD: SecretKeys = SecretKeys {
    what: "partner admin's password",
    env: "password_env",
    file: "password_file",
    command: "password_command",
    plain: None,
};

/// `[partner]` once checked.
#[derive(Clone, Debug)]
pub struct PartnerConfig {
    /// The partner's own organisation, whose child organisations `orgs discover` lists.
    pub domain: String,
    pub stack: Option<Stack>,
    pub api_url: Option<String>,
    pub user: String,
    pub password: SecretSource,
}

/// `[fleet]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FleetSettings {
    /// Organisations `adsync schedule --all` syncs at the same time.
    pub max_parallel: u32,
}

impl Default for FleetSettings {
    fn default() -> Self {
        Self { max_parallel: 2 }
    }
}

/// The main config once checked.
#[derive(Clone, Debug, Default)]
pub struct FleetMain {
    pub state_dir: Option<PathBuf>,
    pub partner: Option<PartnerConfig>,
    pub fleet: FleetSettings,
    pub notify: Option<NotifyConfig>,
    pub warnings: Vec<String>,
}

/// One organisation: its name (the file stem), its file, and its config or why it does not load.
#[derive(Debug)]
pub struct Org {
    pub name: String,
    pub file: PathBuf,
    pub config: Result<Config, super::ConfigError>,
}

/// Every organisation and what they share.
#[derive(Debug)]
pub struct Fleet {
    /// The main config file, when there is one.
    pub main: Option<PathBuf>,
    /// Where the organisation files are (or would be: `orgs discover` writes there).
    pub dir: PathBuf,
    pub shared: FleetMain,
    /// Sorted by name.
    pub orgs: Vec<Org>,
}

impl Fleet {
    /// The state dir the organisations' own ones default under (`<state_dir>/orgs/<name>`).
    pub fn state_dir(&self) -> PathBuf {
        self.shared.state_dir.clone().unwrap_or_else(super::paths::default_state_dir)
    }

    pub fn names(&self) -> Vec<&str> {
        self.orgs.iter().map(|o| o.name.as_str()).collect()
    }

    /// Takes the organisation called `name` out of the fleet.
    pub fn take(self, name: &str) -> Option<Org> {
        self.orgs.into_iter().find(|o| o.name == name)
    }
}

/// Which organisation of which fleet a config is, to read it again as it was read first (the
/// terminal app's reload keeps the partner's credentials and the state dir under the fleet's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgSource {
    pub selector: Selector,
    pub name: String,
}

impl OrgSource {
    pub fn load(&self) -> Result<Config, super::ConfigError> {
        let gone = |dir: PathBuf| super::ConfigError::NoOrg { name: self.name.clone(), dir };
        match load(&self.selector)? {
            Loaded::Fleet(fleet) => {
                let dir = fleet.dir.clone();
                fleet.take(&self.name).ok_or_else(|| gone(dir))?.config
            }
            Loaded::Single(config) => Err(gone(config.origin.unwrap_or_default())),
        }
    }
}

/// An organisation's default state dir.
pub fn org_state_dir(shared: &Path, name: &str) -> PathBuf {
    shared.join("orgs").join(name)
}
