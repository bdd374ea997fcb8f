//! The Graph look-alike (src/demo/graph) for tests: started on its own runtime on 127.0.0.1,
//! a config pointing adsync at it (its CA as ca_file), an independent oracle of what a read
//! must give, and reads through the library on a runtime of their own.
#![allow(dead_code)]

use adsync::config::Config;
use adsync::demo::graph::{CLIENT_ID, CLIENT_SECRET, GraphLookalike, LookalikeOptions, Tenant};
use adsync::model::Classification;
use adsync::model::DirectoryEntry;
use adsync::source::classify::{Policy, classify};
use adsync::source::graph::GraphSource;
use adsync::source::{DirectoryRead, Source, SourceError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, MutexGuard};
use tokio_util::sync::CancellationToken;

/// The environment variable the binary tests give the client secret in.
pub const SECRET_ENV: &str = "ADSYNC_TEST_CLIENT_SECRET";

pub struct GraphLab {
    pub lookalike: GraphLookalike,
    pub dir: tempfile::TempDir,
    /// The look-alike's; dropping it stops the server.
    _runtime: tokio::runtime::Runtime,
}

impl GraphLab {
    pub fn company(users: u32) -> Self {
        Self::serve(Tenant::company(users), LookalikeOptions { users, ..LookalikeOptions::default() })
    }

    pub fn serve(tenant: Tenant, options: LookalikeOptions) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let lookalike = runtime.block_on(GraphLookalike::serve(tenant, &options)).expect("the look-alike starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), &lookalike.ca_pem).unwrap();
        Self { lookalike, dir, _runtime: runtime }
    }

    pub fn tenant(&self) -> MutexGuard<'_, Tenant> {
        self.lookalike.state.tenant.lock().unwrap()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// A `[source]` table for the look-alike; `secret` is given with `secret_line`.
    pub fn source_toml(&self, secret_line: &str, extra: &str) -> String {
        format!(
            "state_dir = \"{}\"\n\n[source]\nkind = \"graph\"\ntenant = \"{}\"\nclient_id = \"{CLIENT_ID}\"\n{secret_line}\n\
             authority_url = \"{url}\"\ngraph_url = \"{url}\"\nca_file = \"{}\"\nop_timeout = \"10s\"\n{extra}",
            self.state_dir().display(),
            self.lookalike.tenant_name(),
            self.dir.path().join("ca.pem").display(),
            url = self.lookalike.url(),
        )
    }

    /// The config a library test reads with (the secret from a command, not the environment).
    pub fn config(&self, extra: &str) -> Config {
        let secret = format!("client_secret_command = \"printf %s '{CLIENT_SECRET}'\"");
        Config::parse(&self.source_toml(&secret, extra), "graph-test.toml").expect("a valid config")
    }

    /// A config file for the binary; the secret comes from [`SECRET_ENV`].
    pub fn config_file(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("adsync.toml");
        std::fs::write(&path, self.source_toml(&format!("client_secret_env = \"{SECRET_ENV}\""), extra)).unwrap();
        path
    }

    pub fn source(&self, config: &Config) -> GraphSource {
        GraphSource::new(config.source.graph().expect("a graph source"), config.state_dir())
    }

    /// One read, as a command makes it (on a runtime of its own).
    pub fn read(&self, source: &GraphSource) -> Result<DirectoryRead, SourceError> {
        self.block_on(source.read_all(Arc::new(|_| {}), CancellationToken::new()))
    }

    /// Runs `future` on a runtime of its own, as a command would.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(future)
    }

    pub fn classify(&self, config: &Config, read: DirectoryRead) -> Classification {
        classify(read.objects, &Policy::from_config(config))
    }

    /// Requests to `path` so far.
    pub fn requests_to(&self, path: &str) -> usize {
        self.lookalike.requests().iter().filter(|r| r.path == path).count()
    }
}

/// What a read must give for one object: synced (kind, primary, aliases, enabled, members)
/// or skipped (reason), keyed by dn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Synced { kind: String, primary: String, aliases: Vec<String>, enabled: bool, members: Option<u32> },
    Skipped(String),
}

/// adsync's answer in the oracle's terms.
pub fn outcome(c: &Classification) -> BTreeMap<String, Expect> {
    let mut out: BTreeMap<String, Expect> = c.entries.iter().map(|e| (e.dn.clone(), synced(e))).collect();
    out.extend(c.skipped.iter().map(|s| (s.dn.clone(), Expect::Skipped(s.reason.as_str().into()))));
    out
}

fn synced(e: &DirectoryEntry) -> Expect {
    let kind = serde_json::to_value(e.kind).unwrap().as_str().unwrap().to_string();
    Expect::Synced {
        kind,
        primary: e.primary_email.clone(),
        aliases: e.aliases.clone(),
        enabled: e.enabled,
        members: e.member_count,
    }
}

/// The tenant's data mapped by DESIGN.md's rules, written apart from adsync's own mapping:
/// primary = the `SMTP:` proxy else `mail`, aliases = the other `smtp:` proxies (and `mail`
/// when it differs), guests skipped unless included, disabled users skipped, groups that are
/// not mail-enabled have no address, mail-enabled security groups are security groups,
/// other mail-enabled groups and shared/room/equipment mailboxes (when detected) are
/// functional; an address claimed twice is a conflict on both.
pub fn expected(tenant: &Tenant, include_guests: bool, detect_shared: bool) -> BTreeMap<String, Expect> {
    let mut out = BTreeMap::new();
    let mut candidates: Vec<(String, Expect)> = Vec::new();
    for u in tenant.users.values() {
        let functional = detect_shared && matches!(u.purpose.as_deref(), Some("shared" | "room" | "equipment"));
        let addresses = addresses(u.mail.as_deref(), &u.proxy_addresses);
        let verdict = if u.user_type == "Guest" && !include_guests {
            Err("guest")
        } else if let Some((primary, aliases)) = addresses {
            if !functional && !u.account_enabled {
                Err("disabled")
            } else {
                let kind = if functional { "functional" } else { "user" };
                Ok(Expect::Synced { kind: kind.into(), primary, aliases, enabled: u.account_enabled, members: None })
            }
        } else {
            Err("no_email")
        };
        place(&mut out, &mut candidates, u.user_principal_name.clone(), verdict);
    }
    for g in tenant.groups.values() {
        let dn = format!("groups/{}", g.display_name);
        let addresses = if g.mail_enabled { addresses(g.mail.as_deref(), &g.proxy_addresses) } else { None };
        let unified = g.group_types.iter().any(|t| t == "Unified");
        let kind = if g.security_enabled && !unified { "security_group" } else { "functional" };
        let members = Some(g.members.len() as u32);
        let verdict = match addresses {
            Some((primary, aliases)) => {
                Ok(Expect::Synced { kind: kind.into(), primary, aliases, enabled: true, members })
            }
            None => Err("no_email"),
        };
        place(&mut out, &mut candidates, dn, verdict);
    }
    resolve_conflicts(&mut out, candidates);
    out
}

fn place(
    out: &mut BTreeMap<String, Expect>,
    candidates: &mut Vec<(String, Expect)>,
    dn: String,
    verdict: Result<Expect, &str>,
) {
    match verdict {
        Ok(synced) => candidates.push((dn, synced)),
        Err(reason) => {
            out.insert(dn, Expect::Skipped(reason.into()));
        }
    }
}

fn resolve_conflicts(out: &mut BTreeMap<String, Expect>, candidates: Vec<(String, Expect)>) {
    let claims = |e: &Expect| match e {
        Expect::Synced { primary, aliases, .. } => std::iter::once(primary.clone()).chain(aliases.clone()).collect(),
        Expect::Skipped(_) => Vec::new(),
    };
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (_, e) in &candidates {
        for a in claims(e) {
            *count.entry(a).or_default() += 1;
        }
    }
    for (dn, e) in candidates {
        let clash = claims(&e).iter().any(|a| count[a] > 1);
        out.insert(dn, if clash { Expect::Skipped("conflict".into()) } else { e });
    }
}

fn addresses(mail: Option<&str>, proxies: &[String]) -> Option<(String, Vec<String>)> {
    let primary = proxies.iter().find_map(|p| p.strip_prefix("SMTP:")).map(str::to_lowercase);
    let mut aliases: Vec<String> = proxies
        .iter()
        .filter_map(|p| p.strip_prefix("smtp:").or_else(|| p.strip_prefix("SMTP:")))
        .map(str::to_lowercase)
        .collect();
    let mail = mail.map(str::to_lowercase);
    let primary = primary.or(mail.clone())?;
    aliases.extend(mail);
    aliases.retain(|a| *a != primary);
    aliases.sort();
    aliases.dedup();
    Some((primary, aliases))
}
