//! Passwords and other secrets: where they come from, and fetching them without ever
//! printing them.

use super::schema::PasswordKeys;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a `password_command` may take before we give up on it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(15);

/// One validated place a password comes from.
#[derive(Clone)]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
    Command(String),
    Inline(SecretString),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The config keys one secret can be given with, and what messages call it.
#[derive(Debug, PartialEq, Eq)]
pub struct SecretKeys {
    pub what: &'static str,
    pub env: &'static str,
    pub file: &'static str,
    pub command: &'static str,
    /// The secret written into the config itself (accepted with a warning), if allowed.
    pub plain: Option<&'static str>,
}

/// The bind and service passwords: `password_env`, `password_file`, `password_command`, `password`.
pub const PASSWORD: SecretKeys = SecretKeys {
    what: "password",
    env: "password_env",
    file: "password_file",
    command: "password_command",
    plain: Some("password"),
};

/// An Entra ID app's client secret; never written into the config itself.
pub const CLIENT_SECRET: SecretKeys = SecretKeys {
    what: "client secret",
    env: "client_secret_env",
    file: "client_secret_file",
    command: "client_secret_command",
    plain: None,
};

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the {what} comes from environment variable {var} ({key}), which is not set; \
         export it before running adsync, or point {key} at another variable"
    )]
    EnvMissing { what: &'static str, var: String, key: String },
    #[error("environment variable {var} ({key}) is empty; put the {what} in it")]
    EnvEmpty { what: &'static str, var: String, key: String },
    #[error("cannot read {what} file {} ({key}): {source}; check the path and that adsync may read it", path.display())]
    FileRead { what: &'static str, path: PathBuf, key: String, source: std::io::Error },
    #[error("{what} file {} ({key}) is empty; write the {what} on its first line", path.display())]
    FileEmpty { what: &'static str, path: PathBuf, key: String },
    #[error("{what} command `{command}` ({key}) {problem}")]
    Command { what: &'static str, command: String, key: String, problem: String },
}

/// Which of the four keys is set, or a message saying what is wrong with the combination.
pub enum SecretChoice {
    None,
    One { source: SecretSource, key: &'static str },
    Several(&'static str, &'static str),
}

impl SecretSource {
    pub fn choose(keys: PasswordKeys<'_>) -> SecretChoice {
        let names = keys.names;
        let mut found: Vec<(SecretSource, &'static str)> = Vec::new();
        if let Some(var) = keys.env {
            found.push((SecretSource::Env(var.to_string()), names.env));
        }
        if let Some(path) = keys.file {
            found.push((SecretSource::File(path.to_path_buf()), names.file));
        }
        if let Some(cmd) = keys.command {
            found.push((SecretSource::Command(cmd.to_string()), names.command));
        }
        if let (Some(plain), Some(key)) = (keys.plain, names.plain) {
            found.push((SecretSource::Inline(plain.clone()), key));
        }
        match found.len() {
            0 => SecretChoice::None,
            1 => {
                let (source, key) = found.remove(0);
                SecretChoice::One { source, key }
            }
            _ => SecretChoice::Several(found[0].1, found[1].1),
        }
    }

    /// How the settings pane and `check` show it: the origin, never the value.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(var) => format!("env {var}"),
            SecretSource::File(path) => format!("file {}", path.display()),
            SecretSource::Command(cmd) => format!("command `{cmd}`"),
            SecretSource::Inline(_) => "inline in the config file (not recommended)".to_string(),
        }
    }

    /// Fetches the password. `section` names the config table for error messages.
    pub fn resolve(&self, section: &str) -> Result<SecretString, SecretError> {
        self.resolve_as(section, &PASSWORD)
    }

    /// Fetches a secret that was given with `names`' keys.
    pub fn resolve_as(&self, section: &str, names: &'static SecretKeys) -> Result<SecretString, SecretError> {
        let what = names.what;
        match self {
            SecretSource::Env(var) => from_env(var, what, &format!("{section}.{}", names.env)),
            SecretSource::File(path) => from_file(path, what, &format!("{section}.{}", names.file)),
            SecretSource::Command(cmd) => from_command(cmd, what, &format!("{section}.{}", names.command)),
            SecretSource::Inline(secret) => Ok(secret.clone()),
        }
    }
}

fn from_env(var: &str, what: &'static str, key: &str) -> Result<SecretString, SecretError> {
    let value =
        std::env::var_os(var).ok_or_else(|| SecretError::EnvMissing { what, var: var.into(), key: key.into() })?;
    let value = value.to_string_lossy().into_owned();
    if value.is_empty() {
        return Err(SecretError::EnvEmpty { what, var: var.into(), key: key.into() });
    }
    Ok(SecretString::from(value))
}

fn from_file(path: &Path, what: &'static str, key: &str) -> Result<SecretString, SecretError> {
    let text = std::fs::read_to_string(path).map_err(|source| SecretError::FileRead {
        what,
        path: path.into(),
        key: key.into(),
        source,
    })?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r').to_string();
    if first.is_empty() {
        return Err(SecretError::FileEmpty { what, path: path.into(), key: key.into() });
    }
    Ok(SecretString::from(first))
}

fn from_command(cmd: &str, what: &'static str, key: &str) -> Result<SecretString, SecretError> {
    let fail = |problem: String| SecretError::Command { what, command: cmd.into(), key: key.into(), problem };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    let status = wait_bounded(&mut child).map_err(fail)?;
    let mut stdout = String::new();
    let mut stderr = String::new();
    child.stdout.take().map(|mut s| s.read_to_string(&mut stdout));
    child.stderr.take().map(|mut s| s.read_to_string(&mut stderr));
    if !status.success() {
        let why = stderr.lines().next().unwrap_or("").chars().take(200).collect::<String>();
        return Err(fail(format!("failed ({status}): {why}")));
    }
    let first = stdout.lines().next().unwrap_or("").to_string();
    if first.is_empty() {
        return Err(fail(format!("printed nothing; it must print the {what} on its first line")));
    }
    Ok(SecretString::from(first))
}

/// Waits for the command, killing it after [`COMMAND_TIMEOUT`] so a hung vault never hangs us.
fn wait_bounded(child: &mut std::process::Child) -> Result<std::process::ExitStatus, String> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("did not finish within {}s", COMMAND_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("could not be waited for: {e}")),
        }
    }
}

/// True when a password is really an empty string, which LDAP treats as an anonymous bind.
pub fn is_blank(secret: &SecretString) -> bool {
    secret.expose_secret().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a>(env: Option<&'a str>, command: Option<&'a str>) -> PasswordKeys<'a> {
        PasswordKeys { names: &PASSWORD, env, file: None, command, plain: None }
    }

    #[test]
    fn one_source_is_chosen_and_several_are_refused() {
        assert!(matches!(SecretSource::choose(keys(None, None)), SecretChoice::None));
        assert!(matches!(SecretSource::choose(keys(Some("X"), None)), SecretChoice::One { key: "password_env", .. }));
        assert!(matches!(
            SecretSource::choose(keys(Some("X"), Some("echo"))),
            SecretChoice::Several("password_env", "password_command")
        ));
    }

    #[test]
    fn command_output_first_line_is_the_password() {
        let s = from_command("printf 'hunter2\\nrest'", "password", "k").unwrap();
        assert_eq!(s.expose_secret(), "hunter2");
    }

    #[test]
    fn failing_command_reports_without_the_secret() {
        let e =
            from_command("echo $((6*7))xyz; echo oops >&2; exit 3", "password", "source.password_command").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("oops") && text.contains("source.password_command"), "{text}");
        assert!(!text.contains("42xyz"), "{text}");
    }

    #[test]
    fn missing_env_names_the_variable_and_key() {
        let e = from_env("ADSYNC_TEST_SURELY_UNSET_VAR", "password", "source.password_env").unwrap_err();
        assert!(e.to_string().contains("ADSYNC_TEST_SURELY_UNSET_VAR"));
    }

    #[test]
    fn a_client_secret_is_named_by_its_own_keys() {
        let keys = PasswordKeys {
            names: &CLIENT_SECRET,
            env: None,
            file: Some(Path::new("/x")),
            command: Some("c"),
            plain: None,
        };
        assert!(matches!(
            SecretSource::choose(keys),
            SecretChoice::Several("client_secret_file", "client_secret_command")
        ));
        let e =
            SecretSource::Env("ADSYNC_TEST_SURELY_UNSET_VAR".into()).resolve_as("source", &CLIENT_SECRET).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("the client secret comes from") && text.contains("(source.client_secret_env)"),
            "{text}"
        );
    }

    #[test]
    fn debug_never_shows_an_inline_secret() {
        let s = SecretSource::Inline(SecretString::from("hunter2".to_string()));
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
