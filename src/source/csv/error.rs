//! What can go wrong reading a CSV source, each with the line to look at and the fix.

use std::fmt;
use std::path::PathBuf;

/// At most this many lines of output for the bad rows (a heading, the lines, a count of the rest).
const MAX_OUTPUT_LINES: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("CSV: cannot read {}: {source}; check the path and that adsync's user may read the file", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("CSV: {} changed while it was read (its size or modification time moved), so nothing of it was used; run again once the export has finished writing it", path.display())]
    Changed { path: PathBuf },
    #[error("CSV: {} is not UTF-8: line {line} is the first with bytes that are not; a spreadsheet saved as \"CSV\" is often Windows-1252: save it as \"CSV UTF-8\" instead (Excel: File → Save As → CSV UTF-8)", path.display())]
    NotUtf8 { path: PathBuf, line: u64 },
    /// A header without a named column, or a record the CSV reader cannot read.
    #[error("CSV: {} line {line}: {problem}", path.display())]
    AtLine { path: PathBuf, line: u64, problem: String },
    #[error("{}", BadRowsText { path, bad })]
    BadRows { path: PathBuf, bad: Vec<BadLine> },
}

impl CsvError {
    /// The line numbers the error names, in order (the tests check them).
    pub fn lines(&self) -> Vec<u64> {
        match self {
            CsvError::NotUtf8 { line, .. } | CsvError::AtLine { line, .. } => vec![*line],
            CsvError::BadRows { bad, .. } => bad.iter().map(|b| b.line).collect(),
            CsvError::Read { .. } | CsvError::Changed { .. } => Vec::new(),
        }
    }
}

/// One row that keeps the file from being used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    pub line: u64,
    pub reason: BadReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadReason {
    NoPrimary,
    /// A malformed address; `what` says which field it was in.
    Malformed {
        what: Field,
        address: String,
    },
    DuplicatePrimary {
        address: String,
        first_line: u64,
    },
    AliasIsPrimary {
        address: String,
        primary_line: u64,
    },
    BadKind {
        value: String,
    },
    BadEnabled {
        value: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Primary,
    Alias,
}

impl fmt::Display for BadReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadReason::NoPrimary => f.write_str("no primary address"),
            BadReason::Malformed { what: Field::Primary, address } => {
                write!(f, "primary address {address:?} is not an e-mail address")
            }
            BadReason::Malformed { what: Field::Alias, address } => {
                write!(f, "alias {address:?} is not an e-mail address")
            }
            BadReason::DuplicatePrimary { address, first_line } => {
                write!(f, "primary address {address} is given twice (first on line {first_line})")
            }
            BadReason::AliasIsPrimary { address, primary_line } => {
                write!(f, "alias {address} is the primary address of line {primary_line}")
            }
            BadReason::BadKind { value } => write!(f, "kind {value:?} is neither user nor functional"),
            BadReason::BadEnabled { value } => write!(f, "enabled {value:?} is neither true nor false"),
        }
    }
}

struct BadRowsText<'a> {
    path: &'a PathBuf,
    bad: &'a [BadLine],
}

impl fmt::Display for BadRowsText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.bad.len();
        let rows = if n == 1 { "row" } else { "rows" };
        write!(
            f,
            "CSV: {} has {n} bad {rows}, so none of it is used (a CSV source is complete or it is an error); fix them and run again:",
            self.path.display()
        )?;
        let listed = if n < MAX_OUTPUT_LINES { n } else { MAX_OUTPUT_LINES - 2 };
        for bad in &self.bad[..listed] {
            write!(f, "\n  line {}: {}", bad.line, bad.reason)?;
        }
        if listed < n {
            write!(f, "\n  … and {} more bad rows", n - listed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(n: u64) -> CsvError {
        let bad = (1..=n).map(|line| BadLine { line, reason: BadReason::NoPrimary }).collect();
        CsvError::BadRows { path: "p.csv".into(), bad }
    }

    #[test]
    fn every_bad_row_is_listed_up_to_fifty_lines_of_output() {
        assert_eq!(bad(49).to_string().lines().count(), 50);
        let many = bad(120).to_string();
        assert_eq!(many.lines().count(), 50, "{many}");
        assert!(many.lines().nth(48).unwrap().ends_with("line 48: no primary address"), "{many}");
        assert!(many.ends_with("… and 72 more bad rows"), "{many}");
    }
}
