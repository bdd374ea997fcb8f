//! Finding and reading a fleet: which main config, which organisations directory, and whether
//! they make one config (as before organisations existed) or a fleet.

use super::{Fleet, FleetMain, ORGS_DIR, Org, RawFleetMain, org_state_dir};
use crate::config::error::SourceText;
use crate::config::locate::KeyIndex;
use crate::config::validate::{Context, fleet::validate_main};
use crate::config::{Config, ConfigError, paths, permissions, serde_error};
use std::path::{Component, Path, PathBuf};

/// What the command line named: `--config FILE`, `--orgs DIR`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub config: Option<PathBuf>,
    pub orgs: Option<PathBuf>,
}

/// One config, or a fleet of organisations.
#[derive(Debug)]
pub enum Loaded {
    Single(Box<Config>),
    Fleet(Box<Fleet>),
}

/// Where things were found.
struct Found {
    /// The main config, if it exists (or was named).
    main: Option<PathBuf>,
    /// The organisations directory, if it exists (or was named).
    orgs: Option<PathBuf>,
    tried: Vec<PathBuf>,
}

/// The main config is looked for as always (`paths::candidates`); `orgs.d` is beside it, or
/// beside the first place one could be when there is none.
fn find(selector: &Selector) -> Found {
    let list = paths::candidates(selector.config.as_deref());
    let main = paths::chosen(&list);
    let beside = |p: &Path| p.parent().map(|d| d.join(ORGS_DIR)).filter(|d| d.is_dir());
    let orgs = match (&selector.orgs, &main) {
        (Some(dir), _) => Some(dir.clone()),
        (None, Some(main)) => beside(main),
        (None, None) => list.iter().find_map(|c| beside(&c.path)),
    };
    Found { main, orgs, tried: list.into_iter().map(|c| c.path).collect() }
}

pub fn load(selector: &Selector) -> Result<Loaded, ConfigError> {
    let found = find(selector);
    let orgs = match &found.orgs {
        Some(dir) => org_files(dir)?,
        None => Vec::new(),
    };
    let main = found.main.filter(|m| m.is_file() || orgs.is_empty());
    let shared = match &main {
        Some(path) => match read_main(path, !orgs.is_empty())? {
            MainFile::Own(text) => {
                return Config::loaded_from(path, &text, Context::default()).map(|c| Loaded::Single(Box::new(c)));
            }
            MainFile::Fleet(shared) => *shared,
        },
        None if orgs.is_empty() => return Err(ConfigError::NotFound { tried: found.tried }),
        None => FleetMain::default(),
    };
    let dir = found.orgs.or_else(|| main.as_deref().and_then(Path::parent).map(|d| d.join(ORGS_DIR)));
    let mut fleet = Fleet { main, dir: dir.unwrap_or_else(|| PathBuf::from(ORGS_DIR)), shared, orgs: Vec::new() };
    fleet.orgs = orgs.into_iter().map(|(name, file)| load_org(&fleet, name, file)).collect();
    check_state_dirs(&fleet)?;
    Ok(Loaded::Fleet(Box::new(fleet)))
}

/// `*.toml` in `dir` (hidden files left out), as (name, path) sorted by name.
fn org_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, ConfigError> {
    let io = |source| ConfigError::OrgsDir { path: dir.to_path_buf(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_stem().and_then(|s| s.to_str()).map(str::to_string);
        match name {
            Some(name) if path.extension().is_some_and(|e| e == "toml") && !name.starts_with('.') => {
                files.push((name, path))
            }
            _ => {}
        }
    }
    files.sort();
    Ok(files)
}

/// The main config file: a config of its own, or a fleet's shared settings.
enum MainFile {
    /// It has a `[source]` and no organisations are around: its text, to load as a config.
    Own(String),
    Fleet(Box<FleetMain>),
}

fn read_main(path: &Path, orgs_present: bool) -> Result<MainFile, ConfigError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    let file = path.display().to_string();
    let (source, index) = (SourceText { file: &file, text: &text }, KeyIndex::build(&text));
    let tables: toml::Table = toml::from_str(&text).map_err(|e| serde_error(&source, &index, &e))?;
    let fleet_keys = tables.contains_key("partner") || tables.contains_key("fleet");
    match (tables.contains_key("source"), orgs_present) {
        (true, false) => return Ok(MainFile::Own(text)),
        (false, false) if !fleet_keys => return Ok(MainFile::Own(text)),
        (true, true) => {
            return Err(source.invalid(
                index.span_of("source"),
                Some("source".into()),
                "with organisations in orgs.d, the main config holds only [partner], [fleet], [notify] and \
                 state_dir: move [source], [sync] and [target] into an organisation's file"
                    .into(),
                false,
            ));
        }
        _ => {}
    }
    let raw: RawFleetMain = toml::from_str(&text).map_err(|e| serde_error(&source, &index, &e))?;
    let mut main = validate_main(raw, &source, &index)?;
    main.warnings.extend(permissions::file_warnings(main.partner.iter().map(|p| ("partner.password", &p.password))));
    Ok(MainFile::Fleet(Box::new(main)))
}

fn load_org(fleet: &Fleet, name: String, file: PathBuf) -> Org {
    let config = read_org(fleet, &name, &file);
    Org { name, file, config }
}

fn read_org(fleet: &Fleet, name: &str, file: &Path) -> Result<Config, ConfigError> {
    let context = Context { organisation: true, partner: fleet.shared.partner.as_ref() };
    let mut config = Config::load_in(file, context)?;
    config.org = Some(name.to_string());
    if config.state_dir.is_none() {
        config.state_dir = Some(org_state_dir(&fleet.state_dir(), name));
    }
    if config.notify.is_none() {
        config.notify = fleet.shared.notify.clone();
    }
    Ok(config)
}

/// Two organisations on one state dir would share journals, history and the run lock.
fn check_state_dirs(fleet: &Fleet) -> Result<(), ConfigError> {
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for org in &fleet.orgs {
        let Ok(config) = &org.config else { continue };
        let dir = normal(&config.state_dir());
        if let Some((_, first)) = seen.iter().find(|(d, _)| *d == dir) {
            return Err(ConfigError::SharedStateDir { first: first.to_string(), second: org.name.clone(), dir });
        }
        seen.push((dir, &org.name));
    }
    Ok(())
}

/// The path with `.` and `..` worked out, so two spellings of one directory compare equal.
fn normal(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
