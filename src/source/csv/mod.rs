//! The CSV source: a file read whole, checked whole, and used only when every row is good.

mod any;
pub mod error;
pub mod file;
pub mod layout;
pub mod object;
pub mod rules;
mod text;

use super::{DirectoryRead, ProgressFn, ReadProgress, ReadStats, Source, SourceError};
use crate::config::CsvConfig;
use crate::config::csv::{Columns, Delimiter};
use crate::model::{EntryDetails, Flavor, TreeNode};
use error::CsvError;
use layout::{Places, RawRow};
use rules::Row;
use std::path::Path;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

pub use any::parse_any;
pub use text::decode;

/// Reads and checks the file: every row, or an error.
pub fn read(config: &CsvConfig) -> Result<Vec<Row>, CsvError> {
    let bytes = file::read_stable(&config.path)?;
    parse(&bytes, &config.columns, config.delimiter, &config.path)
}

/// The rows of `bytes`, checked; `path` names the file in errors. Any bytes at all give rows
/// or an error, never a panic (fuzzed: `fuzz/fuzz_targets/csv_reader.rs`).
pub fn parse(bytes: &[u8], columns: &Columns, delimiter: Delimiter, path: &Path) -> Result<Vec<Row>, CsvError> {
    let text = text::decode(bytes).map_err(|line| CsvError::NotUtf8 { path: path.into(), line })?;
    let raw = raw_rows(text, columns, delimiter, path)?;
    rules::check(raw).map_err(|bad| CsvError::BadRows { path: path.into(), bad })
}

fn raw_rows(text: &str, columns: &Columns, delimiter: Delimiter, path: &Path) -> Result<Vec<RawRow>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut places = Places::needs_header(columns).is_none().then_some(Places::Service);
    let mut rows = Vec::new();
    loop {
        let line = reader.position().line();
        let more = reader.read_record(&mut record).map_err(|e| CsvError::Parse {
            path: path.into(),
            line,
            detail: e.to_string(),
        })?;
        if !more {
            return Ok(rows);
        }
        let line = record.position().map_or(line, |p| p.line());
        match (&places, Places::needs_header(columns)) {
            (Some(places), _) if !layout::is_blank(&record) => rows.push(places.row(&record, line)),
            (None, Some(named)) => {
                let found = Places::from_header(named, &record).map_err(|problem| CsvError::Header {
                    path: path.into(),
                    line,
                    problem,
                })?;
                places = Some(found);
            }
            _ => {}
        }
    }
}

pub struct CsvSource {
    config: CsvConfig,
}

impl CsvSource {
    pub fn new(config: &CsvConfig) -> Self {
        Self { config: config.clone() }
    }

    /// The file's rows, read off the async threads (a large file takes a moment).
    async fn rows(&self) -> Result<Vec<Row>, SourceError> {
        let config = self.config.clone();
        tokio::task::spawn_blocking(move || read(&config))
            .await
            .map_err(|e| SourceError::ReaderDied(e.to_string()))?
            .map_err(SourceError::from)
    }
}

#[async_trait::async_trait]
impl Source for CsvSource {
    fn describe(&self) -> String {
        format!("CSV file {} ({} layout)", self.config.path.display(), self.config.layout().name())
    }

    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        let started = Instant::now();
        progress(ReadProgress::Connecting { target: self.describe() });
        let rows = tokio::select! {
            rows = self.rows() => rows?,
            () = cancel.cancelled() => return Err(SourceError::Cancelled),
        };
        progress(ReadProgress::Connected { flavor: Flavor::Csv });
        let objects: Vec<_> = rows.into_iter().map(object::dir_object).collect();
        progress(ReadProgress::Page { entries: objects.len() as u64, pages: 1 });
        let stats = ReadStats {
            entries: objects.len() as u64,
            pages: 1,
            referrals: 0,
            range_requests: 0,
            elapsed: started.elapsed(),
        };
        Ok(DirectoryRead { flavor: Flavor::Csv, objects, stats })
    }

    fn root(&self) -> String {
        self.config.path.display().to_string()
    }

    /// The file lists its rows; a row has nothing below it.
    async fn children(&self, dn: &str) -> Result<Vec<TreeNode>, SourceError> {
        if dn != self.root() {
            return Ok(Vec::new());
        }
        Ok(self.rows().await?.iter().map(object::tree_node).collect())
    }

    async fn details(&self, dn: &str) -> Result<EntryDetails, SourceError> {
        let rows = self.rows().await?;
        let row = rows.iter().find(|r| object::dn(r.line) == dn);
        Ok(row.map_or_else(|| EntryDetails { dn: dn.into(), attributes: Vec::new() }, object::details))
    }
}
