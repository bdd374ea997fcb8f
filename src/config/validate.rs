//! Checks that span several keys, made after serde has checked each key on its own.

mod csv;
pub(super) mod fleet;
mod graph;
mod runs;

use super::Config;
use super::csv::RawCsvConfig;
use super::error::{ConfigError, SourceText};
use super::fleet::PartnerConfig;
use super::graph::RawGraphConfig;
use super::locate::KeyIndex;
use super::schema::{
    LdapConfig, PasswordKeys, RawConfig, RenameMode, SyncConfig, TargetConfig, TargetCredentials, TargetKind,
};
use super::secret::{SecretChoice, SecretSource};
use super::source::SourceConfig;
use super::value::LdapScheme;

struct Checker<'a> {
    source: &'a SourceText<'a>,
    index: &'a KeyIndex,
    warnings: Vec<String>,
    context: Context<'a>,
}

/// Where a config file sits: on its own, or as an organisation's file beside a main config
/// (which may lend it the partner's credentials).
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    pub organisation: bool,
    pub partner: Option<&'a PartnerConfig>,
}

impl Checker<'_> {
    fn fail(&self, path: &str, problem: impl Into<String>) -> ConfigError {
        let quote = !path.ends_with(".password");
        self.source.invalid(self.index.span_of(path), Some(path.to_string()), problem.into(), quote)
    }

    /// For a key that is missing: point at its table instead.
    fn fail_missing(&self, table: &str, key: &str, problem: impl Into<String>) -> ConfigError {
        let span = self.index.span_of(table);
        self.source.invalid(span, Some(format!("{table}.{key}")), problem.into(), false)
    }

    fn warn(&mut self, path: &str, message: impl Into<String>) {
        let (line, _) = self.index.span_of(path).map_or((1, 1), |s| self.source.line_col(s.start));
        self.warnings.push(format!("{}:{line}: {path}: {}", self.source.file, message.into()));
    }

    fn password(&mut self, table: &str, keys: PasswordKeys<'_>) -> Result<Option<SecretSource>, ConfigError> {
        match SecretSource::choose(keys) {
            SecretChoice::None => Ok(None),
            SecretChoice::Several(first, second) => Err(self.fail(
                &format!("{table}.{second}"),
                format!("both {first} and {second} are set; keep exactly one way to give the {}", keys.names.what),
            )),
            SecretChoice::One { source, key } => {
                if key == "password" {
                    self.warn(
                        &format!("{table}.password"),
                        "a plain password in the config file ends up in backups and screenshots; \
                         move it to password_env, password_file or password_command",
                    );
                }
                Ok(Some(source))
            }
        }
    }
}

pub fn validate_ldap(
    raw: RawConfig<LdapConfig>,
    source: &SourceText<'_>,
    index: &KeyIndex,
    context: Context<'_>,
) -> Result<Config, ConfigError> {
    let mut check = Checker { source, index, warnings: Vec::new(), context };
    let bind_password = check_source(&mut check, &raw.source)?;
    let (ldap, rest) = raw.split();
    finish(check, rest, SourceConfig::Ldap(ldap), bind_password)
}

pub fn validate_graph(
    raw: RawConfig<RawGraphConfig>,
    source: &SourceText<'_>,
    index: &KeyIndex,
    context: Context<'_>,
) -> Result<Config, ConfigError> {
    let mut check = Checker { source, index, warnings: Vec::new(), context };
    let (graph, rest) = raw.split();
    let graph = graph::check(&mut check, graph, &rest)?;
    finish(check, rest, SourceConfig::Graph(graph), None)
}

pub fn validate_csv(
    raw: RawConfig<RawCsvConfig>,
    source: &SourceText<'_>,
    index: &KeyIndex,
    context: Context<'_>,
) -> Result<Config, ConfigError> {
    let mut check = Checker { source, index, warnings: Vec::new(), context };
    let (csv, rest) = raw.split();
    let csv = csv::check(&mut check, csv, &rest)?;
    finish(check, rest, SourceConfig::Csv(csv), None)
}

/// `[sync] hidden_from_gal` and `[exclude] subtrees` speak of LDAP attributes and DNs. (The
/// settings form writes `hidden_from_gal = false` into every file it saves: only `true`, which
/// asks for something these sources cannot give, is worth a word.)
fn warn_ldap_only_keys(check: &mut Checker<'_>, rest: &RawConfig<()>, source: &str, why_not_hidden: &str) {
    if rest.sync.hidden_from_gal {
        check.warn("sync.hidden_from_gal", format!("has no effect on {source}: {why_not_hidden}"));
    }
    if !rest.exclude.subtrees.is_empty() {
        check.warn(
            "exclude.subtrees",
            format!("has no effect on {source} (it has no DN subtrees); exclude by address with exclude.addresses"),
        );
    }
}

/// The checks every kind of source shares, and the config they make.
fn finish(
    mut check: Checker<'_>,
    rest: RawConfig<()>,
    source: SourceConfig,
    bind_password: Option<SecretSource>,
) -> Result<Config, ConfigError> {
    check_sync(&check, &rest.sync)?;
    let mut target = rest.target;
    let target_password = match target.as_mut() {
        Some(target) => check_target(&mut check, target)?,
        None => None,
    };
    runs::check_history(&check, &rest.history)?;
    let notify = runs::check_notify(&check, rest.notify.clone())?;
    Ok(Config {
        source,
        sources: Vec::new(),
        sync: rest.sync,
        exclude: rest.exclude,
        target,
        state_dir: rest.state_dir,
        history: rest.history,
        notify,
        origin: None,
        bind_password,
        target_password,
        warnings: check.warnings,
        org: None,
        enabled: rest.enabled,
    })
}

fn check_source(check: &mut Checker<'_>, src: &LdapConfig) -> Result<Option<SecretSource>, ConfigError> {
    if src.url.scheme == LdapScheme::Ldaps && src.starttls {
        return Err(check.fail(
            "source.starttls",
            "starttls applies to ldap:// URLs; ldaps:// is TLS already. Remove starttls, or use ldap://host:389",
        ));
    }
    if !(1..=100_000).contains(&src.page_size) {
        return Err(check.fail(
            "source.page_size",
            "page_size must be between 1 and 100000 (Active Directory serves at most 1000 per page)",
        ));
    }
    check_ca_file(check, src.ca_file.as_deref(), "the DC's certificate")?;
    let password = check.password("source", src.password_keys())?;
    check_bind(check, src.bind_dn.as_deref(), password.is_some())?;
    warn_transport(check, src);
    Ok(password)
}

fn check_ca_file(check: &Checker<'_>, ca: Option<&std::path::Path>, issued: &str) -> Result<(), ConfigError> {
    match ca {
        Some(ca) if !ca.is_file() => Err(check.fail(
            "source.ca_file",
            format!("CA file {} does not exist; give the PEM file of the CA that issued {issued}", ca.display()),
        )),
        _ => Ok(()),
    }
}

fn check_bind(check: &Checker<'_>, bind_dn: Option<&str>, has_password: bool) -> Result<(), ConfigError> {
    match (bind_dn.map(str::trim), has_password) {
        (Some(""), _) => Err(check.fail(
            "source.bind_dn",
            "bind_dn is empty; give the service account as a DN (CN=svc-sync,OU=…) or UPN (svc-sync@example.com), or remove it for an anonymous bind",
        )),
        (Some(_), false) => Err(check.fail_missing(
            "source",
            "password_env",
            "bind_dn is set but no password is: add password_env, password_file or password_command",
        )),
        (None, true) => Err(check.fail_missing(
            "source",
            "bind_dn",
            "a password is set but bind_dn is not: add the service account's DN or UPN",
        )),
        _ => Ok(()),
    }
}

fn warn_transport(check: &mut Checker<'_>, src: &LdapConfig) {
    if src.tls_insecure {
        check.warn(
            "source.tls_insecure",
            "TLS certificate checks are OFF: anyone on the path can read the bind password. \
             Set ca_file to the issuing CA instead",
        );
    }
    if src.url.scheme == LdapScheme::Ldap && !src.starttls && src.bind_dn.is_some() {
        check.warn(
            "source.url",
            "ldap:// without starttls sends the bind password in clear text; use ldaps:// or starttls = true",
        );
    }
}

fn check_sync(check: &Checker<'_>, sync: &SyncConfig) -> Result<(), ConfigError> {
    if sync.rename == RenameMode::Recreate && !(sync.delete && sync.create) {
        return Err(check.fail(
            "sync.rename",
            "rename = \"recreate\" creates the new address and deletes the old account, so it needs \
             create = true and delete = true in [sync]; or keep rename = \"update\"",
        ));
    }
    let guards = &sync.guards;
    for (key, value) in [
        ("sync.guards.max_delete_percent", guards.max_delete_percent),
        ("sync.guards.max_shrink_percent", guards.max_shrink_percent),
    ] {
        if !(0.0..=100.0).contains(&value) || value.is_nan() {
            return Err(check.fail(key, "a percentage must be between 0 and 100"));
        }
    }
    Ok(())
}

fn check_target(check: &mut Checker<'_>, target: &mut TargetConfig) -> Result<Option<SecretSource>, ConfigError> {
    if !(1..=64).contains(&target.max_in_flight) {
        return Err(check.fail("target.max_in_flight", "max_in_flight must be between 1 and 64"));
    }
    if target.max_requests_per_second.is_some_and(|r| r.is_nan() || r <= 0.0) {
        return Err(check
            .fail("target.max_requests_per_second", "the rate cap must be a positive number of requests per second"));
    }
    match (target.kind, target.credentials) {
        (TargetKind::File, Some(_)) => Err(check.fail(
            "target.credentials",
            "credentials = \"partner\" is for kind = \"essentials\": a file target signs in nowhere",
        )),
        (TargetKind::File, None) => check_file_target(check, target).map(|_| None),
        (TargetKind::Essentials, Some(TargetCredentials::Partner)) => fleet::partner_target(check, target).map(Some),
        (TargetKind::Essentials, None) => check_service_target(check, target),
    }
}

fn check_file_target(check: &mut Checker<'_>, target: &TargetConfig) -> Result<(), ConfigError> {
    if target.path.is_none() {
        return Err(check.fail_missing("target", "path", "kind = \"file\" needs path = \"/where/service.json\""));
    }
    if target.coexist_with_vendor_sync {
        check.warn(
            "target.coexist_with_vendor_sync",
            "a file target has no vendor sync to coexist with; the key only matters for kind = \"essentials\"",
        );
    }
    Ok(())
}

/// Where the service is: a stack or an API URL (not both), and the URLs given well formed.
fn check_service_address(check: &mut Checker<'_>, target: &TargetConfig) -> Result<(), ConfigError> {
    if target.stack.is_some() && target.api_url.is_some() {
        return Err(check.fail("target.api_url", "set either stack or api_url, not both"));
    }
    for (key, url) in [("api_url", &target.api_url), ("discovery_url", &target.discovery_url)] {
        if let Some(url) = url {
            check_api_url(check, &format!("target.{key}"), url)?;
        }
    }
    Ok(())
}

fn check_service_target(check: &mut Checker<'_>, target: &TargetConfig) -> Result<Option<SecretSource>, ConfigError> {
    check_service_address(check, target)?;
    for key in ["domain", "user"] {
        let present = if key == "domain" { &target.domain } else { &target.user };
        if present.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(check.fail_missing("target", key, format!("kind = \"essentials\" needs {key}")));
        }
    }
    let password = check.password("target", target.password_keys())?;
    if password.is_none() {
        return Err(check.fail_missing(
            "target",
            "password_env",
            "kind = \"essentials\" needs the admin password: add password_env, password_file or password_command",
        ));
    }
    Ok(password)
}

/// An http(s) URL with a host. Plain http to anything but this machine sends the admin
/// password in clear text, so it is allowed (for a local fake or proxy) with a warning.
fn check_api_url(check: &mut Checker<'_>, path: &str, text: &str) -> Result<(), ConfigError> {
    let key = path.rsplit('.').next().unwrap_or(path);
    let parsed = url::Url::parse(text.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    let Some(url) = parsed.filter(|u| u.host_str().is_some_and(|h| !h.is_empty())) else {
        return Err(check
            .fail(path, format!("{key} must be an http(s) URL such as https://us1.proofpointessentials.com/api/v1")));
    };
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() == "http" && !local {
        check.warn(path, "http:// sends the admin password in clear text; use https://");
    }
    Ok(())
}
