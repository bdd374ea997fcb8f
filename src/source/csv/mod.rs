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
use file::Stamp;
use layout::{Places, RawRow};
use rules::Row;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

pub use any::parse_any;
pub(crate) use text::BOM;
pub use text::decode;

/// Reads and checks the file: every row, or an error.
pub fn read(config: &CsvConfig) -> Result<Vec<Row>, CsvError> {
    read_stamped(config).map(|(_, rows)| rows)
}

/// The rows and the stamp the file held while it was read.
fn read_stamped(config: &CsvConfig) -> Result<(Stamp, Vec<Row>), CsvError> {
    let (stamp, bytes) = file::read_stamped(&config.path)?;
    Ok((stamp, parse(&bytes, &config.columns, config.delimiter, &config.path)?))
}

/// The rows of `bytes`, checked; `path` names the file in errors. Any bytes at all give rows
/// or an error, never a panic (fuzzed: `fuzz/fuzz_targets/csv_reader.rs`).
pub fn parse(bytes: &[u8], columns: &Columns, delimiter: Delimiter, path: &Path) -> Result<Vec<Row>, CsvError> {
    let text = text::decode(bytes).map_err(|line| CsvError::NotUtf8 { path: path.into(), line })?;
    let raw = raw_rows(text, columns, delimiter, path)?;
    rules::check(raw).map_err(|bad| CsvError::BadRows { path: path.into(), bad })
}

/// The records as rows; in the header layout the first record, whatever it holds, is the header.
fn raw_rows(text: &str, columns: &Columns, delimiter: Delimiter, path: &Path) -> Result<Vec<RawRow>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let places = match columns {
        Columns::Service => Places::Service,
        Columns::Header(named) => {
            let Some(line) = next_record(&mut reader, &mut record, path)? else { return Ok(Vec::new()) };
            Places::from_header(named, &record).map_err(|problem| CsvError::AtLine {
                path: path.into(),
                line,
                problem,
            })?
        }
    };
    let mut rows = Vec::new();
    while let Some(line) = next_record(&mut reader, &mut record, path)? {
        if !layout::is_blank(&record) {
            rows.push(places.row(&record, line));
        }
    }
    Ok(rows)
}

/// Reads the next record into `record` and gives the line it starts on, or `None` at the end.
fn next_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    path: &Path,
) -> Result<Option<u64>, CsvError> {
    let line = reader.position().line();
    let more =
        reader.read_record(record).map_err(|e| CsvError::AtLine { path: path.into(), line, problem: e.to_string() })?;
    Ok(more.then(|| record.position().map_or(line, |p| p.line())))
}

/// The rows of the last read and the stamp the file held then.
type Kept = Mutex<Option<(Stamp, Arc<Vec<Row>>)>>;

pub struct CsvSource {
    config: CsvConfig,
    /// For `children` and `details`: the TUI asks for them again and again (whenever the
    /// cursor rests), and a file whose stamp has not moved since the last read is not read again.
    kept: Arc<Kept>,
}

impl CsvSource {
    pub fn new(config: &CsvConfig) -> Self {
        Self { config: config.clone(), kept: Arc::default() }
    }

    /// The file's rows, read off the async threads (a large file takes a moment).
    async fn rows(&self) -> Result<Vec<Row>, SourceError> {
        let config = self.config.clone();
        off_thread(move || read(&config)).await
    }

    /// The rows of the last read while the file's stamp is unchanged, else the file's rows read
    /// again (and kept).
    async fn kept_rows(&self) -> Result<Arc<Vec<Row>>, SourceError> {
        let config = self.config.clone();
        let kept = Arc::clone(&self.kept);
        off_thread(move || read_unless_kept(&config, &kept)).await
    }
}

/// Runs `read` off the async threads.
async fn off_thread<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, CsvError> + Send + 'static,
) -> Result<T, SourceError> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(|e| SourceError::ReaderDied(e.to_string()))?
        .map_err(SourceError::from)
}

fn read_unless_kept(config: &CsvConfig, kept: &Kept) -> Result<Arc<Vec<Row>>, CsvError> {
    let lock = || kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let now = file::stamp(&config.path)?;
    if let Some((stamp, rows)) = &*lock()
        && *stamp == now
    {
        return Ok(Arc::clone(rows));
    }
    let (stamp, rows) = read_stamped(config)?;
    let rows = Arc::new(rows);
    *lock() = Some((stamp, Arc::clone(&rows)));
    Ok(rows)
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
        Ok(self.kept_rows().await?.iter().map(object::tree_node).collect())
    }

    async fn details(&self, dn: &str) -> Result<EntryDetails, SourceError> {
        let rows = self.kept_rows().await?;
        let row = object::line(dn).and_then(|line| rows.iter().find(|r| r.line == line));
        Ok(row.map_or_else(|| EntryDetails { dn: dn.into(), attributes: Vec::new() }, object::details))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn source(path: &Path) -> CsvSource {
        let text = format!("[source]\nkind = \"csv\"\npath = {:?}\n", path.display().to_string());
        CsvSource::new(Config::parse(&text, "t.toml").unwrap().source.csv().unwrap())
    }

    /// The rows kept now; a read keeps new ones, so the same `Arc` means no read in between.
    fn kept(source: &CsvSource) -> Arc<Vec<Row>> {
        Arc::clone(&source.kept.lock().unwrap().as_ref().expect("rows kept").1)
    }

    fn email(details: &EntryDetails) -> &str {
        &details.attributes.iter().find(|(name, _)| name == "email").expect("an email").1[0]
    }

    #[tokio::test]
    async fn details_read_the_file_again_only_once_it_has_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.csv");
        std::fs::write(&path, "Ann,Lee,ann@x.com\nBo,Li,bo@x.com\n").unwrap();
        let source = source(&path);

        assert_eq!(email(&source.details("line 2").await.unwrap()), "bo@x.com");
        let first = kept(&source);
        assert_eq!(email(&source.details("line 1").await.unwrap()), "ann@x.com");
        assert!(Arc::ptr_eq(&first, &kept(&source)), "an unchanged file was read again");
        assert_eq!(source.children(&source.root()).await.unwrap().len(), 2);
        assert!(Arc::ptr_eq(&first, &kept(&source)), "an unchanged file was read again");
        let none = source.details("line 02").await.unwrap();
        assert!(none.dn == "line 02" && none.attributes.is_empty(), "{none:?}");

        std::fs::write(&path, "Ann,Lee,ann@x.com\nCy,Ng,cy@x.com\nDi,Oh,di@x.com\n").unwrap();
        assert_eq!(email(&source.details("line 2").await.unwrap()), "cy@x.com");
        assert!(!Arc::ptr_eq(&first, &kept(&source)), "a changed file was not read again");
        assert_eq!(kept(&source).len(), 3);
    }
}
