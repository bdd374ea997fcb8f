//! SECURITY.md names a test beside every claim: each name it gives must be a test that exists,
//! so the page cannot drift from the suite that proves it.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// `a::b::c` written in backticks, whose last part is snake_case: a test's path.
fn named_tests(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| t.contains("::") && !t.contains(' ') && !t.contains('('))
        .filter(|t| {
            t.rsplit("::").next().is_some_and(|f| {
                f.contains('_') && f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_test_the_security_page_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("SECURITY.md")).unwrap();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("tests"), &mut files);
    let names = named_tests(&page);
    assert!(names.len() > 20, "the page names its tests: {names:?}");
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| {
            let (module, function) = name.rsplit_once("::").unwrap();
            let first = module.split("::").next().unwrap();
            !files.iter().any(|(path, text)| path.contains(first) && text.contains(&format!("fn {function}(")))
        })
        .collect();
    assert!(missing.is_empty(), "SECURITY.md names tests that do not exist: {missing:?}");
}

#[test]
fn a_name_that_is_no_test_is_caught() {
    assert_eq!(named_tests("see `sync_e2e::no_such_test` and `a b::c`"), ["sync_e2e::no_such_test"]);
}
