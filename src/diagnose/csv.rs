//! The CSV ladder: the file is there and readable, its text is UTF-8, and every row is good.

use super::{Outcome, Rungs, StepId};
use crate::config::CsvConfig;
use crate::source::csv::error::CsvError;
use crate::source::csv::{BOM, decode, file};
use std::time::Duration;

/// How many bad lines the rows rung shows as evidence (the summary counts them all).
const SHOWN_BAD_LINES: usize = 10;
/// Reading and checking even a large file takes well under this.
const STEP_BOUND: Duration = Duration::from_secs(60);

pub(crate) struct CsvProbe<'a> {
    config: &'a CsvConfig,
    /// The file's bytes, once the file rung has read them.
    bytes: Option<Vec<u8>>,
}

impl<'a> CsvProbe<'a> {
    pub fn new(config: &'a CsvConfig) -> Self {
        Self { config, bytes: None }
    }

    fn file(&mut self) -> Outcome {
        match file::read_stable(&self.config.path) {
            Ok(bytes) => {
                let outcome = Outcome::ok(format!("{} bytes", bytes.len()))
                    .with("path", self.config.path.display().to_string())
                    .with("size", format!("{} bytes", bytes.len()));
                self.bytes = Some(bytes);
                outcome
            }
            Err(e @ CsvError::Changed { .. }) => {
                Outcome::fail(e.to_string(), "run the check again once the export has finished writing the file")
            }
            Err(e) => Outcome::fail(e.to_string(), "give source.path as a file adsync's user may read"),
        }
    }

    fn encoding(&self) -> Outcome {
        let Some(bytes) = &self.bytes else { return Outcome::skipped("the file was not read") };
        let bom = bytes.starts_with(BOM);
        match decode(bytes) {
            Ok(_) => Outcome::ok(if bom { "UTF-8 with a byte-order mark" } else { "UTF-8" }),
            Err(line) => {
                let e = CsvError::NotUtf8 { path: self.config.path.clone(), line };
                Outcome::fail(format!("not UTF-8 from line {line} on"), "save the file as \"CSV UTF-8\"")
                    .with("first bad line", line.to_string())
                    .with("error", e.to_string())
            }
        }
    }

    fn rows(&self) -> Outcome {
        let Some(bytes) = &self.bytes else { return Outcome::skipped("the file was not read") };
        let config = self.config;
        match crate::source::csv::parse(bytes, &config.columns, config.delimiter, &config.path) {
            Ok(rows) => Outcome::ok(format!("{} rows, every one good", rows.len()))
                .with("rows", rows.len().to_string())
                .with("layout", config.layout().name())
                .with("delimiter", config.delimiter.written()),
            Err(CsvError::BadRows { bad, .. }) => {
                let shown =
                    bad.iter().take(SHOWN_BAD_LINES).map(|b| (format!("line {}", b.line), b.reason.to_string()));
                Outcome::fail(
                    format!("{} bad rows; nothing of the file is used until they are fixed", bad.len()),
                    "fix the lines named here and check again",
                )
                .with("bad rows", bad.len().to_string())
                .with_all(shown.collect())
            }
            Err(e) => Outcome::fail(e.to_string(), "fix the line named here, or [source.columns], and check again"),
        }
    }
}

#[async_trait::async_trait]
impl Rungs for CsvProbe<'_> {
    fn step_bound(&self) -> Duration {
        STEP_BOUND
    }

    async fn run(&mut self, id: StepId) -> Outcome {
        match id {
            StepId::CsvFile => self.file(),
            StepId::CsvEncoding => self.encoding(),
            StepId::CsvRows => self.rows(),
            other => Outcome::skipped(format!("{} is not a rung of the CSV ladder", other.title())),
        }
    }

    async fn close(&mut self) {
        self.bytes = None;
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnose::{LadderOptions, Status, StepId, run_ladder};

    async fn ladder(contents: &[u8]) -> Vec<(StepId, Status, String)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.csv");
        std::fs::write(&path, contents).unwrap();
        let text = format!("[source]\nkind = \"csv\"\npath = {:?}\n", path.display().to_string());
        let config = Config::parse(&text, "t.toml").unwrap();
        let ladder = run_ladder(&config, LadderOptions::default(), |_| {}).await;
        ladder.steps.into_iter().map(|s| (s.id, s.status, s.summary)).collect()
    }

    #[tokio::test]
    async fn a_good_file_counts_its_rows() {
        let steps = ladder(b"\xEF\xBB\xBFAnn,Lee,ann@x.com,,\nBo,Li,bo@x.com,,bo2@x.com\n").await;
        let statuses: Vec<Status> = steps.iter().map(|s| s.1).collect();
        assert_eq!(statuses, [Status::Ok; 3]);
        assert_eq!(steps[1].2, "UTF-8 with a byte-order mark");
        assert_eq!(steps[2].2, "2 rows, every one good");
    }

    #[tokio::test]
    async fn bad_bytes_fail_the_encoding_and_skip_the_rows() {
        let steps = ladder(b"Ann,Lee,ann@x.com\nZo\xEB,Li,zoe@x.com\n").await;
        assert_eq!((steps[1].1, steps[1].2.as_str()), (Status::Fail, "not UTF-8 from line 2 on"));
        assert_eq!(steps[2].1, Status::Skipped);
    }

    #[tokio::test]
    async fn bad_rows_are_counted() {
        let steps = ladder(b"Ann,Lee,ann@x.com\nBo,Li,\nCy,Ng,ann@x.com\n").await;
        assert_eq!(
            (steps[2].1, steps[2].2.as_str()),
            (Status::Fail, "2 bad rows; nothing of the file is used until they are fixed")
        );
    }
}
