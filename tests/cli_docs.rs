//! `adsync completions`, `adsync man` and `--version`: what the Debian package ships is
//! rendered from the command-line definitions themselves.

use assert_cmd::Command;
use std::collections::BTreeSet;

fn adsync() -> Command {
    Command::cargo_bin("adsync").unwrap()
}

#[test]
fn version_names_the_crate_version_and_the_commit_when_built_from_git() {
    let out = adsync().arg("--version").output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let expected = format!("adsync {}", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&expected), "{line}");
    let from_git = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(commit) = from_git {
        assert!(line.contains(&format!("(commit {commit})")), "{line} lacks {commit}");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_subcommand() {
    for (shell, marker) in [("bash", "_adsync()"), ("zsh", "#compdef adsync"), ("fish", "complete -c adsync")] {
        let out = adsync().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker}");
        for sub in ["search", "plan", "sync", "schedule", "check", "export", "config", "completions", "man"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let out = adsync().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_writes_one_page_for_adsync_and_one_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = adsync().args(["man", "--dir"]).arg(dir.path().join("man1")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pages: BTreeSet<String> = std::fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = [
        "adsync",
        "adsync-tui",
        "adsync-search",
        "adsync-demo",
        "adsync-check",
        "adsync-export",
        "adsync-export-csv",
        "adsync-plan",
        "adsync-sync",
        "adsync-schedule",
        "adsync-config",
        "adsync-config-paths",
        "adsync-config-check",
        "adsync-config-init",
        "adsync-history",
        "adsync-history-show",
        "adsync-orgs",
        "adsync-orgs-list",
        "adsync-orgs-discover",
        "adsync-completions",
        "adsync-man",
    ]
    .iter()
    .map(|p| format!("{p}.1"))
    .collect();
    assert_eq!(pages, expected);
    let schedule = std::fs::read_to_string(dir.path().join("man1/adsync-schedule.1")).unwrap();
    assert!(schedule.contains(".TH adsync-schedule 1"), "{schedule}");
    assert!(schedule.contains("runs"), "the page lacks --runs");
    assert!(schedule.contains("max_parallel"), "the page lacks --all");
}
