//! Config errors: one test per fixture under tests/fixtures/configs/invalid/. Each fixture
//! states what the error must say (`# expect:` lines) and what it must never show (`# forbid:`).

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn adsync() -> Command {
    let mut cmd = Command::cargo_bin("adsync").unwrap();
    cmd.env_remove("ADSYNC_CONFIG").env("XDG_CONFIG_HOME", "/nonexistent-adsync-test");
    cmd
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs/invalid");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn directives<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    text.lines().filter_map(|l| l.strip_prefix(tag)).map(str::trim).collect()
}

fn check_fixture(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let expects = directives(&text, "# expect:");
    if expects.is_empty() {
        return Err("fixture has no `# expect:` line".into());
    }
    let out = adsync().arg("--config").arg(path).args(["config", "check"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) {
        return Err(format!("exit {:?}, want 2; stderr: {stderr}", out.status.code()));
    }
    for want in expects {
        if !stderr.contains(want) {
            return Err(format!("missing {want:?} in: {stderr}"));
        }
    }
    for bad in directives(&text, "# forbid:").into_iter().chain(["panicked", "backtrace"]) {
        if stderr.contains(bad) {
            return Err(format!("must not show {bad:?}: {stderr}"));
        }
    }
    Ok(())
}

#[test]
fn every_invalid_fixture_fails_with_its_message() {
    let files = fixtures();
    assert!(files.len() >= 20, "fixtures: {}", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| check_fixture(f).err().map(|e| format!("{}: {e}", f.file_name().unwrap().to_string_lossy())))
        .collect();
    assert!(failures.is_empty(), "{} fixtures failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn the_example_config_documents_a_valid_config() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/adsync.example.toml");
    let out = adsync().arg("--config").arg(&example).args(["config", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn lookup_order_is_flag_then_env_then_xdg_then_system() {
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("adsync")).unwrap();
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/adsync.example.toml")).unwrap();
    std::fs::write(xdg.join("adsync/config.toml"), &example).unwrap();
    let env_file = dir.path().join("from-env.toml");
    std::fs::write(&env_file, &example).unwrap();

    let paths = |cmd: &mut Command| String::from_utf8(cmd.args(["config", "paths"]).output().unwrap().stdout).unwrap();
    let only_xdg = paths(adsync().env("XDG_CONFIG_HOME", &xdg));
    assert!(only_xdg.contains("1. XDG config dir") && only_xdg.contains("[used]"), "{only_xdg}");
    assert!(only_xdg.contains("2. system") && only_xdg.contains("/etc/adsync/config.toml"), "{only_xdg}");
    let with_env = paths(adsync().env("XDG_CONFIG_HOME", &xdg).env("ADSYNC_CONFIG", &env_file));
    assert!(with_env.contains("1. $ADSYNC_CONFIG") && with_env.contains("from-env.toml  [used]"), "{with_env}");
    let with_flag = paths(adsync().env("ADSYNC_CONFIG", &env_file).arg("--config").arg("/nope.toml"));
    assert!(with_flag.contains("1. --config") && with_flag.contains("2. $ADSYNC_CONFIG"), "{with_flag}");
}

#[test]
fn a_missing_explicit_config_is_an_error_not_a_fallback() {
    let out = adsync().args(["--config", "/nonexistent/adsync.toml", "config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read config file /nonexistent/adsync.toml"));
}

#[test]
fn no_config_anywhere_lists_where_it_looked() {
    let out = adsync().args(["config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no config file found") && stderr.contains("/nonexistent-adsync-test/adsync/config.toml"),
        "{stderr}"
    );
}

#[test]
fn a_plain_password_is_accepted_with_a_warning() {
    let (_dir, path) = common::write_config(
        "[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbase_dn = \"DC=x\"\nbind_dn = \"svc@x\"\npassword = \"Hunter2-secret\"\n",
    );
    let out = adsync().arg("--config").arg(&path).args(["config", "check"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning:") && stderr.contains("source.password"), "{stderr}");
    assert!(!stderr.contains("Hunter2-secret") && !String::from_utf8_lossy(&out.stdout).contains("Hunter2-secret"));
}

#[test]
fn usage_errors_exit_2() {
    let out = adsync().args(["search", "--bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The example's Entra ID block, uncommented (one secret key kept, its CA file left out):
/// every key of a graph source is there, and together they are a valid config.
#[test]
fn the_example_config_documents_every_graph_key() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/adsync.example.toml")).unwrap();
    let block: Vec<&str> = example
        .lines()
        .skip_while(|l| *l != "# [source]")
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            *l == "[source]"
                || l.split_once(" = ").is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .collect();
    let keys: Vec<&str> = block.iter().filter_map(|l| l.split_once(" = ").map(|(k, _)| k)).collect();
    for key in adsync::config::graph::KEYS {
        assert!(keys.contains(key), "{key} is not documented in the example's graph block");
    }
    let usable: Vec<&str> = block
        .into_iter()
        .filter(|l| {
            !l.starts_with("client_secret_file") && !l.starts_with("client_secret_command") && !l.starts_with("ca_file")
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.toml");
    std::fs::write(&path, usable.join("\n")).unwrap();
    let out = adsync().arg("--config").arg(&path).args(["config", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Entra ID tenant contoso.onmicrosoft.com"));
}

/// The example's CSV block, uncommented (in the header layout, which takes the columns):
/// every key of a csv source is there, and together they are a valid config.
#[test]
fn the_example_config_documents_every_csv_key() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/adsync.example.toml")).unwrap();
    let block: Vec<String> = example
        .lines()
        .skip_while(|l| !l.starts_with("# --- kind = \"csv\""))
        .skip_while(|l| *l != "# [source]")
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            l.starts_with('[')
                || l.split_once(" = ").is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .map(|l| l.replace("layout = \"service\"", "layout = \"header\""))
        .collect();
    let keys: Vec<&str> = block.iter().filter_map(|l| l.split_once(" = ").map(|(k, _)| k)).collect();
    for key in ["kind", "path", "layout", "delimiter", "first_name", "last_name", "email", "aliases", "enabled"] {
        assert!(keys.contains(&key), "{key} is not documented in the example's csv block");
    }
    assert_eq!(keys.iter().filter(|k| **k == "kind").count(), 2, "[source] kind and the columns' kind");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("csv.toml");
    std::fs::write(&path, block.join("\n")).unwrap();
    let out = adsync().arg("--config").arg(&path).args(["config", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CSV file /var/lib/adsync/people.csv (header layout"));
}

#[test]
fn config_init_writes_the_commented_example_once() {
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().join("xdg");
    let out = adsync().env("XDG_CONFIG_HOME", &xdg).args(["config", "init"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = xdg.join("adsync/config.toml");
    let example = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/adsync.example.toml"));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), example.unwrap());
    let mode = std::fs::metadata(&written).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    let again = adsync().env("XDG_CONFIG_HOME", &xdg).args(["config", "init"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already; nothing was written"));
    let elsewhere = dir.path().join("etc/adsync.toml");
    let out = adsync().args(["config", "init", "--path"]).arg(&elsewhere).output().unwrap();
    assert!(out.status.success() && elsewhere.is_file());
    let check = adsync().env("XDG_CONFIG_HOME", &xdg).args(["config", "check"]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn the_system_config_is_looked_for_last() {
    let out = adsync().args(["config", "paths"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with(char::is_numeric)).collect();
    assert!(
        lines.last().unwrap().contains("system") && lines.last().unwrap().contains("/etc/adsync/config.toml"),
        "{text}"
    );
}

#[test]
fn without_a_terminal_a_missing_config_is_still_an_error() {
    let out = adsync().args(["--config", "/nonexistent/new.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read config file /nonexistent/new.toml"));
    let out = adsync().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no config file found"));
}
