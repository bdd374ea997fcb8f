//! Which config a command works on: the one config found, or one organisation of a fleet
//! (`--org NAME`, or the only one there is).

use super::CliError;
use crate::config::Config;
use crate::config::fleet::{self, Fleet, Loaded, Selector};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub selector: Selector,
    /// `--org NAME`.
    pub org: Option<String>,
}

impl Choice {
    /// The config file `path`, as `--config path` names it.
    pub fn of_file(path: std::path::PathBuf) -> Choice {
        Choice { selector: Selector { config: Some(path), orgs: None }, org: None }
    }

    /// The same files, organisation `name`.
    pub fn for_org(&self, name: &str) -> Choice {
        Choice { selector: self.selector.clone(), org: Some(name.to_string()) }
    }

    /// The config to use, its warnings printed to stderr.
    pub fn load(&self) -> Result<Config, CliError> {
        self.pick_from(fleet::load(&self.selector)?)
    }

    /// [`Choice::load`] from what was loaded already.
    pub fn pick_from(&self, loaded: Loaded) -> Result<Config, CliError> {
        let config = match loaded {
            Loaded::Single(config) => match &self.org {
                None => *config,
                Some(name) => return Err(no_fleet(name, &config)),
            },
            Loaded::Fleet(fleet) => {
                warn(&fleet.shared.warnings);
                self.pick(*fleet)?
            }
        };
        warn(&config.warnings);
        Ok(config)
    }

    /// The fleet, for the commands about every organisation.
    pub fn fleet(&self, command: &str) -> Result<Fleet, CliError> {
        match fleet::load(&self.selector)? {
            Loaded::Fleet(fleet) => {
                warn(&fleet.shared.warnings);
                Ok(*fleet)
            }
            Loaded::Single(config) => Err(CliError::Usage(format!(
                "{command} is about organisations, and {} is one config: put one file per organisation in {} \
                 beside it (the main config then holds only [partner], [fleet] and [notify]), or give --orgs DIR",
                origin(&config),
                fleet::ORGS_DIR
            ))),
        }
    }

    fn pick(&self, fleet: Fleet) -> Result<Config, CliError> {
        let name = match (&self.org, fleet.orgs.as_slice()) {
            (Some(name), _) => name.clone(),
            (None, [only]) => only.name.clone(),
            (None, []) => {
                return Err(CliError::Usage(format!(
                    "no organisation in {} yet: `adsync orgs discover` writes one per child organisation of \
                     [partner], or write one yourself",
                    fleet.dir.display()
                )));
            }
            (None, several) => {
                return Err(CliError::Usage(format!(
                    "{} organisations in {}: name one with --org NAME ({})",
                    several.len(),
                    fleet.dir.display(),
                    list(&fleet.names())
                )));
            }
        };
        let dir = fleet.dir.clone();
        let known = list(&fleet.names());
        let org = fleet
            .take(&name)
            .ok_or_else(|| CliError::Usage(format!("no organisation {name} in {} (there: {known})", dir.display())))?;
        Ok(org.config?)
    }
}

fn warn(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

fn origin(config: &Config) -> String {
    config.origin.as_ref().map_or("the config".into(), |p| p.display().to_string())
}

fn no_fleet(name: &str, config: &Config) -> CliError {
    CliError::Usage(format!(
        "--org {name}: {} is one config, not a fleet: there is no {} beside it (or give --orgs DIR)",
        origin(config),
        fleet::ORGS_DIR
    ))
}

/// "a, b, c" or "a, b, c and 7 more".
fn list(names: &[&str]) -> String {
    const SHOWN: usize = 8;
    let head = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(SHOWN) {
        0 => head,
        more => format!("{head} and {more} more"),
    }
}
