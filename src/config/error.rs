//! Config errors that say where (file, line, column, key), what was found and what is allowed.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Invalid(Box<InvalidConfig>),
    #[error(
        "no config file found (looked at: {}); run `adsync` on a terminal to fill in the settings, \
         `adsync config init` for the commented example, or pass --config FILE / set ADSYNC_CONFIG",
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NotFound { tried: Vec<PathBuf> },
    #[error("cannot read the organisations directory {}: {source}", path.display())]
    OrgsDir { path: PathBuf, source: std::io::Error },
    #[error(
        "organisations {first} and {second} share the state dir {} (their journals, history and run lock \
         would mix): give one of them a state_dir of its own",
        dir.display()
    )]
    SharedStateDir { first: String, second: String, dir: PathBuf },
    #[error("there is no organisation {name} in {} any more", dir.display())]
    NoOrg { name: String, dir: PathBuf },
}

/// One problem in a config file, located precisely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidConfig {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `source.url`, when the problem belongs to one key.
    pub key: Option<String>,
    /// The offending text as written (never for password keys).
    pub found: Option<String>,
    pub problem: String,
}

impl fmt::Display for InvalidConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.problem)?;
        if let Some(found) = &self.found {
            write!(f, "\n  found: {found}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets into 1-based line and column numbers.
pub struct SourceText<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl SourceText<'_> {
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The text at `span`, cut to one line and a readable length.
    pub fn quote(&self, span: &Range<usize>) -> Option<String> {
        let raw = self.text.get(span.clone())?.trim();
        let first = raw.lines().next()?.trim();
        if first.is_empty() || first.starts_with('[') && first.ends_with(']') && first.len() > 60 {
            return None;
        }
        let mut quoted: String = first.chars().take(80).collect();
        if first.chars().count() > 80 {
            quoted.push('…');
        }
        Some(quoted)
    }

    pub fn invalid(
        &self,
        span: Option<Range<usize>>,
        key: Option<String>,
        problem: String,
        quote: bool,
    ) -> ConfigError {
        let (line, column) = span.as_ref().map_or((1, 1), |s| self.line_col(s.start));
        let found = if quote { span.as_ref().and_then(|s| self.quote(s)) } else { None };
        ConfigError::Invalid(Box::new(InvalidConfig { file: self.file.to_string(), line, column, key, found, problem }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let s = SourceText { file: "f", text: "a = 1\nbé = 2\n" };
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(6), (2, 1));
        assert_eq!(s.line_col(10), (2, 4));
    }
}
