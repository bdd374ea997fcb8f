//! The config file: schema, lookup, validation and secrets.

pub mod csv;
mod error;
pub mod exclusions;
pub mod first_run;
pub mod fleet;
pub mod form;
pub mod graph;
pub mod history;
mod locate;
pub mod notify;
pub mod paths;
pub mod permissions;
mod schema;
pub mod secret;
pub mod several;
mod source;
mod validate;
pub mod value;

pub use csv::CsvConfig;
pub use error::{ConfigError, InvalidConfig};
pub use graph::GraphConfig;
pub use schema::*;
pub use secret::{SecretError, SecretSource};
pub use several::NamedSource;
pub use source::SourceConfig;

use error::SourceText;
use locate::KeyIndex;
use std::path::{Path, PathBuf};

/// A config that parsed and passed every check.
#[derive(Clone, Debug)]
pub struct Config {
    /// The first source: with one, the only one (what browsing, the settings form and the
    /// check ladder of a single source use).
    pub source: SourceConfig,
    /// Every source, in the file's order: one `[source]`, or each `[[source]]` by its name.
    pub sources: Vec<NamedSource>,
    pub sync: SyncConfig,
    pub exclude: ExcludeConfig,
    pub target: Option<TargetConfig>,
    pub state_dir: Option<PathBuf>,
    pub history: history::HistoryConfig,
    pub notify: Option<notify::NotifyConfig>,
    /// The file it came from, if any (the TUI saves back to it).
    pub origin: Option<PathBuf>,
    /// The LDAP bind password (a graph source keeps its client secret in its own config).
    pub bind_password: Option<SecretSource>,
    pub target_password: Option<SecretSource>,
    /// Accepted but risky settings, for the user to see.
    pub warnings: Vec<String>,
    /// The organisation this config is (its file's stem in `orgs.d`); `None` on its own.
    pub org: Option<String>,
    /// `enabled = false`: never scheduled.
    pub enabled: bool,
}

impl Config {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::load_in(path, validate::Context::default())
    }

    /// [`Config::load`] for a config in `context` (an organisation's file, say).
    pub(crate) fn load_in(path: &Path, context: validate::Context<'_>) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Self::loaded_from(path, &text, context)
    }

    /// The config `text` read from `path`.
    pub(crate) fn loaded_from(path: &Path, text: &str, context: validate::Context<'_>) -> Result<Self, ConfigError> {
        let mut config = Self::parse_in(text, &path.display().to_string(), context)?;
        config.warnings.extend(permissions::warnings(&config, path));
        config.origin = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses and validates `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        Self::parse_in(text, file, validate::Context::default())
    }

    /// [`Config::parse`] for a config in `context` (an organisation's file, say).
    fn parse_in(text: &str, file: &str, context: validate::Context<'_>) -> Result<Self, ConfigError> {
        let Some(parts) = several::split(text, &SourceText { file, text })? else {
            return Self::parse_one(text, file, context, several::DEFAULT_NAME, None);
        };
        let source = SourceText { file, text };
        let own: several::Exclusions =
            toml::from_str(text).map_err(|e| serde_error(&source, &KeyIndex::build(text), &e))?;
        let mut configs = Vec::with_capacity(parts.len());
        for (part, own) in parts.into_iter().zip(own.source) {
            let mut config = Self::parse_one(&part.text, file, context, &part.name, part.priority)?;
            config.sources[0].exclude = own.exclude;
            configs.push(config);
        }
        let mut iter = configs.into_iter();
        let mut config =
            iter.next().ok_or_else(|| SourceText { file, text }.invalid(None, None, "no [[source]]".into(), false))?;
        for other in iter {
            for warning in other.warnings {
                if !config.warnings.contains(&warning) {
                    config.warnings.push(warning);
                }
            }
            config.sources.extend(other.sources);
        }
        Ok(config)
    }

    /// One source's view of the file (the whole file when it has one `[source]`).
    fn parse_one(
        text: &str,
        file: &str,
        context: validate::Context<'_>,
        name: &str,
        priority: Option<i64>,
    ) -> Result<Self, ConfigError> {
        let mut config = Self::parse_kind(text, file, context)?;
        config.sources = vec![NamedSource {
            name: name.to_string(),
            priority,
            source: config.source.clone(),
            bind_password: config.bind_password.clone(),
            exclude: ExcludeConfig::default(),
        }];
        Ok(config)
    }

    fn parse_kind(text: &str, file: &str, context: validate::Context<'_>) -> Result<Self, ConfigError> {
        let source = SourceText { file, text };
        let index = KeyIndex::build(text);
        let parse_error = |e: toml::de::Error| serde_error(&source, &index, &e);
        // Each kind has its own keys, so the kind is read first; serde then checks the table
        // against that kind's schema and keeps the line and column of every bad value.
        let probe: KindProbe = toml::from_str(text).map_err(parse_error)?;
        match probe.source.and_then(|s| s.kind).unwrap_or(SourceKind::Ldap) {
            SourceKind::Ldap => {
                validate::validate_ldap(toml::from_str(text).map_err(parse_error)?, &source, &index, context)
            }
            SourceKind::Graph => {
                validate::validate_graph(toml::from_str(text).map_err(parse_error)?, &source, &index, context)
            }
            SourceKind::Csv => {
                validate::validate_csv(toml::from_str(text).map_err(parse_error)?, &source, &index, context)
            }
        }
    }

    /// This config as if `source` were its only one (one source's check ladder).
    pub fn only_source(&self, source: &NamedSource) -> Config {
        Config {
            source: source.source.clone(),
            sources: vec![source.clone()],
            bind_password: source.bind_password.clone(),
            ..self.clone()
        }
    }

    /// The config with the source at `at` as its only one, when it merges several (a check of
    /// that source); otherwise the config as it is.
    pub fn narrowed_to(&self, at: usize) -> Config {
        match self.sources.get(at) {
            Some(source) if self.merges_sources() => self.only_source(source),
            _ => self.clone(),
        }
    }

    /// Whether the organisation merges more than one source.
    pub fn merges_sources(&self) -> bool {
        self.sources.len() > 1
    }

    pub fn state_dir(&self) -> PathBuf {
        self.state_dir.clone().unwrap_or_else(paths::default_state_dir)
    }
}

/// Only `[source] kind`; everything else is checked once the kind is known.
#[derive(serde::Deserialize)]
struct KindProbe {
    source: Option<KindOnly>,
}

#[derive(serde::Deserialize)]
struct KindOnly {
    kind: Option<SourceKind>,
}

fn serde_error(source: &SourceText<'_>, index: &KeyIndex, err: &toml::de::Error) -> ConfigError {
    let span = err.span();
    let place = span.as_ref().and_then(|s| index.key_at(s.start));
    let secret = span.as_ref().is_some_and(|s| index.inside_secret(s.start));
    let webhook = place.is_some_and(|p| p.path == "notify.webhook_url");
    let problem = if secret && webhook {
        "the webhook URL must be a quoted string (better: use webhook_url_env or webhook_url_file)".to_string()
    } else if secret {
        "the password must be a quoted string (better: use password_env, password_file or password_command)".to_string()
    } else {
        tidy_message(err.message())
    };
    source.invalid(span, place.map(|p| p.path.clone()), problem, !secret)
}

/// For "`pasword_env`, expected one of `kind`, `password_env`, …": the closest allowed key.
fn did_you_mean(rest: &str) -> String {
    let names: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let Some((typo, allowed)) = names.split_first() else {
        return String::new();
    };
    allowed
        .iter()
        .map(|name| (strsim::jaro_winkler(typo, name), name))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

/// serde's messages are written for programmers; say the same thing for admins.
fn tidy_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    if let Some(rest) = first.strip_prefix("unknown field ") {
        return format!("unknown key {rest}{}", did_you_mean(rest));
    }
    if let Some(rest) = first.strip_prefix("unknown variant ") {
        return format!("unknown value {rest}");
    }
    if let Some(rest) = first.strip_prefix("missing field ") {
        return format!("required key {rest} is missing");
    }
    first
        .replace("expected u32", "expected a whole number of 0 or more")
        .replace("expected a boolean", "expected true or false")
}
