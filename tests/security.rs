//! The file-mode claims of SECURITY.md: what adsync writes about people is its owner's only,
//! whatever the umask; a config that others can read while it holds a secret, or a secret
//! file others can read, is warned about.

mod common;

use common::sync_setup::Setup;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// `adsync ARGS` under a permissive umask, as a careless shell would run it.
fn under_umask_022(setup: &Setup, args: &[&str]) -> std::process::Output {
    let inner = setup.command(args);
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg("umask 022 && exec \"$0\" \"$@\"").arg(inner.get_program()).args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd.output().unwrap()
}

#[test]
fn state_journals_history_and_exports_are_the_owners_only() {
    let Some(lab) = common::lab("RW") else { return };
    let setup = Setup::new(lab);
    let out = under_umask_022(&setup, &["sync", "--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let export = setup.dir.path().join("people.csv");
    let out = under_umask_022(&setup, &["export", "csv", "--out", export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let state = setup.dir.path().join("state");
    assert_eq!(mode(&state), 0o700, "the state dir");
    let journals = state.join("journal");
    assert_eq!(mode(&journals), 0o700, "the journal dir");
    let mut files = vec![state.join("managed.json"), state.join("history.jsonl"), state.join("adsync.lock"), export];
    files.extend(std::fs::read_dir(&journals).unwrap().map(|e| e.unwrap().path()));
    assert!(files.len() > 4, "a journal was written");
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

fn config_check(config: &Path) -> String {
    let out = Command::new(assert_cmd::cargo::cargo_bin("adsync"))
        .env_remove("ADSYNC_CONFIG")
        .arg("--config")
        .arg(config)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_config_others_can_read_may_not_hold_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adsync.toml");
    std::fs::write(
        &path,
        "[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbind_dn = \"svc@example.com\"\n\
         password = \"CanaryInline-7c1e\"\nbase_dn = \"DC=example,DC=com\"\n",
    )
    .unwrap();
    chmod(&path, 0o644);
    let said = config_check(&path);
    assert!(said.contains("every user of this machine can read it") && said.contains("source.password"), "{said}");
    assert!(!said.contains("CanaryInline-7c1e"), "the warning never quotes the secret");
    chmod(&path, 0o600);
    assert!(!config_check(&path).contains("every user of this machine"));
}

#[test]
fn a_secret_file_others_can_read_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("bind-password");
    std::fs::write(&secret, "CanaryFile-51d2\n").unwrap();
    let path = dir.path().join("adsync.toml");
    std::fs::write(
        &path,
        format!(
            "[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbind_dn = \"svc@example.com\"\n\
             password_file = \"{}\"\nbase_dn = \"DC=example,DC=com\"\n",
            secret.display()
        ),
    )
    .unwrap();
    chmod(&path, 0o644);
    chmod(&secret, 0o644);
    let said = config_check(&path);
    assert!(said.contains("the secret file") && said.contains("source.password"), "{said}");
    assert!(!said.contains("CanaryFile-51d2"));
    chmod(&secret, 0o640);
    let said = config_check(&path);
    assert!(!said.contains("the secret file"), "a config naming a private file may be readable: {said}");
}
