//! Who else can read the config and the secret files it names. A config that anyone on the
//! machine can read must hold no secret itself, and a `*_file` secret must not be readable
//! by everyone: either is a warning (`config check`, the start of every command, the TUI's
//! log), because it works but leaks.

use super::Config;
use super::secret::SecretSource;
use std::path::Path;

/// Every secret reference of the config, with the key that names it.
pub fn secrets(config: &Config) -> Vec<(&'static str, &SecretSource)> {
    let mut all = Vec::new();
    for named in &config.sources {
        all.extend(named.bind_password.as_ref().map(|s| ("source.password", s)));
        all.extend(named.source.graph().map(|g| ("source.client_secret", &g.secret)));
    }
    all.extend(config.target_password.as_ref().map(|s| ("target.password", s)));
    if let Some(notify) = &config.notify {
        if let Some(hook) = &notify.webhook {
            all.push(("notify.webhook_url", &hook.url));
            all.extend(hook.headers.iter().map(|h| ("notify.webhook_headers", &h.value)));
        }
        all.extend(notify.email.iter().filter_map(|e| e.login.as_ref()).map(|(_, s)| ("notify.smtp_password", s)));
    }
    all
}

/// The warnings for the config loaded from `path`.
pub fn warnings(config: &Config, path: &Path) -> Vec<String> {
    let secrets = secrets(config);
    let mut found = Vec::new();
    let inline: Vec<&str> =
        secrets.iter().filter(|(_, s)| matches!(s, SecretSource::Inline(_))).map(|(k, _)| *k).collect();
    if !inline.is_empty() && world_readable(path) {
        found.push(format!(
            "{} holds a secret ({}) and every user of this machine can read it: chmod 600 {0}, or move the secret to a *_file or *_env reference",
            path.display(),
            inline.join(", ")
        ));
    }
    found.extend(file_warnings(secrets));
    found
}

/// A warning for each `*_file` secret that every user of this machine can read.
pub fn file_warnings<'a>(secrets: impl IntoIterator<Item = (&'static str, &'a SecretSource)>) -> Vec<String> {
    let mut found = Vec::new();
    for (key, source) in secrets {
        if let SecretSource::File(file) = source
            && world_readable(file)
        {
            found.push(format!(
                "{key}: the secret file {} can be read by every user of this machine: chmod 600 (or 640 with the group of the account adsync runs as) {0}",
                file.display()
            ));
        }
    }
    found
}

#[cfg(unix)]
fn world_readable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o004 != 0)
}

#[cfg(not(unix))]
fn world_readable(_path: &Path) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn every_source_s_secret_file_is_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("branch.pw");
        std::fs::write(&secret, "x").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        let text = format!(
            "[[source]]\nname = \"hq\"\nkind = \"csv\"\npath = \"/srv/hq.csv\"\n\n\
             [[source]]\nname = \"branch\"\nkind = \"ldap\"\nurl = \"ldaps://dc9.example\"\n\
             base_dn = \"DC=x\"\nbind_dn = \"svc@x\"\npassword_file = {:?}\n",
            secret.display().to_string()
        );
        let path = dir.path().join("adsync.toml");
        std::fs::write(&path, &text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let config = Config::load(&path).unwrap();
        let warned: Vec<&String> = config.warnings.iter().filter(|w| w.contains("branch.pw")).collect();
        assert_eq!(warned.len(), 1, "{:?}", config.warnings);
        assert!(warned[0].starts_with("source.password: the secret file"), "{}", warned[0]);
    }
}
