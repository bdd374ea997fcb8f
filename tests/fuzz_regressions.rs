//! Every fuzz seed and every input fuzzing ever found (fuzz/seeds, fuzz/regressions), replayed
//! through the same entry points as the fuzz targets on each test run: an error is fine, a
//! panic fails. The fuzzer itself runs from scripts/fuzz.sh.

use adsync::demo::company::{CompanySpec, generate};
use adsync::demo::directory::Directory;
use adsync::source::classify::{Policy, classify};
use adsync::source::graph::answer::{AnswerKind, read_answer};
use adsync::source::ldap::entry::read_message;
use adsync::source::ldap::paged::parse_cookie;
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    ["seeds", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(root.join(kind).join(target)).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn ldap_entries() {
    let found = inputs("ldap_entry");
    assert!(found.len() >= 3, "the seeds are there");
    let mut decoded = 0;
    for (path, bytes) in found {
        let _ = parse_cookie(&bytes);
        if let Ok(read) = read_message(&bytes) {
            decoded += 1;
            let c = classify(vec![read.object], &Policy::default());
            assert!(c.entries.len() + c.skipped.len() <= 1, "{}", path.display());
        }
    }
    assert!(decoded >= 2, "the seed entries decode");
}

#[test]
fn configs() {
    for (_, bytes) in inputs("config") {
        let _ = adsync::config::Config::parse(&String::from_utf8_lossy(&bytes), "fuzz.toml");
    }
}

#[test]
fn demo_requests() {
    let dir = Directory::new(generate(&CompanySpec::new(40)), "dc=example,dc=com");
    let mut answered = 0;
    for (_, bytes) in inputs("demo_request") {
        answered += adsync::demo::answer_bytes(&dir, &bytes, 8);
    }
    assert!(answered >= 3, "the seed requests are answered");
}

#[test]
fn graph_pages() {
    let found = inputs("graph_page");
    assert!(found.len() >= 9, "a seed for each kind of answer");
    let mut read = 0;
    for (_, bytes) in found {
        if let Some((&kind, body)) = bytes.split_first() {
            read += usize::from(read_answer(AnswerKind::from_byte(kind), body).is_ok());
        }
    }
    assert!(read >= 6, "the seed pages, batch and token are read");
}

#[test]
fn csv_files() {
    let found = inputs("csv_reader");
    assert!(found.len() >= 5, "the seeds are there");
    let read = found.iter().filter(|(_, bytes)| adsync::source::csv::parse_any(bytes).is_ok()).count();
    assert!(read >= 2, "the good seed files read");
}
