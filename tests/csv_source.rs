//! The CSV reader on the fixtures in tests/fixtures/csv: quoting, embedded newlines, a BOM,
//! `;`, and every kind of bad file, each bad case naming the right line.

use adsync::config::{Config, CsvConfig};
use adsync::source::csv::error::CsvError;
use adsync::source::csv::read;
use adsync::source::csv::rules::Row;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csv").join(name)
}

/// A csv source on `name`, with `extra` config lines after `path`.
fn config(name: &str, extra: &str) -> CsvConfig {
    let text = format!("[source]\nkind = \"csv\"\npath = {:?}\n{extra}", fixture(name).display().to_string());
    Config::parse(&text, "t.toml").unwrap().source.csv().unwrap().clone()
}

fn rows(name: &str, extra: &str) -> Vec<Row> {
    read(&config(name, extra)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn error(name: &str, extra: &str) -> CsvError {
    read(&config(name, extra)).map(|r| r.len()).unwrap_err()
}

fn summary(row: &Row) -> (u64, String, String, String, Vec<String>) {
    (row.line, row.first_name.clone(), row.last_name.clone(), row.primary.clone(), row.aliases.clone())
}

const HEADER: &str =
    "layout = \"header\"\n[source.columns]\nfirst_name = \"First\"\nlast_name = \"Last\"\nemail = \"Mail\"\n";

#[test]
fn quoted_fields_keep_their_commas_and_quotes() {
    let got: Vec<_> = rows("quoting.csv", "").iter().map(summary).collect();
    let s = |v: &str| v.to_string();
    assert_eq!(
        got,
        [
            (1, s("Ann"), s("Lee"), s("ann.lee@example.com"), vec![s("al@example.com"), s("ann@example.com")]),
            (2, s("Smith, Jr."), s("O\"Brien"), s("bo@example.com"), vec![]),
            (3, s("Cy"), s("Ng"), s("cy@example.com"), vec![]),
        ]
    );
}

#[test]
fn embedded_newlines_keep_the_line_numbers_of_the_file() {
    let err = error("newlines.csv", HEADER);
    assert_eq!(err.lines(), [6], "{err}");
    assert!(err.to_string().contains("line 6: primary address \"not-an-address\" is not an e-mail address"), "{err}");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_name() {
    let got = rows("bom.csv", "");
    assert_eq!((got[0].first_name.as_str(), got[0].last_name.as_str()), ("Zoë", "Müller"));
    assert_eq!(got.len(), 2);
}

#[test]
fn a_semicolon_file_with_a_header_reads_kind_and_enabled() {
    let extra = "layout = \"header\"\ndelimiter = \";\"\n[source.columns]\nfirst_name = \"Vorname\"\n\
                 last_name = \"Nachname\"\nemail = \"E-Mail\"\naliases = \"Weitere Adressen\"\nkind = \"Typ\"\nenabled = \"Aktiv\"\n";
    let got = rows("semicolon.csv", extra);
    let facts: Vec<_> =
        got.iter().map(|r| (r.line, r.primary.as_str(), r.aliases.len(), r.functional, r.enabled)).collect();
    assert_eq!(
        facts,
        [
            (2, "juergen@example.de", 2, false, true),
            (3, "empfang@example.de", 0, true, true),
            (4, "alt@example.de", 0, false, false)
        ]
    );
    assert_eq!(got[0].last_name, "Groß");
}

#[test]
fn a_missing_column_names_the_header_line_and_the_key() {
    let err = error("missing_column.csv", &format!("{HEADER}aliases = \"Other addresses\"\n"));
    assert_eq!(err.lines(), [1]);
    let text = err.to_string();
    assert!(
        text.contains(
            "line 1: the header has no column \"Other addresses\" (source.columns.aliases); it has: First, Last, Mail"
        ),
        "{text}"
    );
}

#[test]
fn every_bad_address_is_listed_by_line() {
    let err = error("bad_addresses.csv", "");
    assert_eq!(err.lines(), [2, 3, 4], "{err}");
    let text = err.to_string();
    assert!(text.starts_with("CSV: ") && text.contains("has 3 bad rows, so none of it is used"), "{text}");
    assert!(text.contains("line 2: primary address \"bo(at)example.com\" is not an e-mail address"), "{text}");
    assert!(text.contains("line 3: no primary address"), "{text}");
    assert!(text.contains("line 4: alias \"di@@example.com\" is not an e-mail address"), "{text}");
}

#[test]
fn a_primary_address_given_twice_names_both_lines() {
    let err = error("duplicate.csv", "");
    assert_eq!(err.lines(), [3]);
    assert!(
        err.to_string().contains("line 3: primary address ann@example.com is given twice (first on line 1)"),
        "{err}"
    );
}

#[test]
fn an_alias_that_is_another_rows_primary_is_refused() {
    let err = error("alias_collision.csv", "");
    assert_eq!(err.lines(), [2]);
    assert!(err.to_string().contains("line 2: alias ann@example.com is the primary address of line 1"), "{err}");
}

#[test]
fn bytes_that_are_not_utf8_name_the_line_and_the_fix() {
    let err = error("non_utf8.csv", "");
    assert!(matches!(err, CsvError::NotUtf8 { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("save it as \"CSV UTF-8\""), "{err}");
}
