//! DNS, TCP and TLS of one HTTPS host (the sign-in host or the Graph host), judged the way
//! the LDAP ladder judges a domain controller, with the same evidence. A host reached
//! through a proxy (HTTPS_PROXY) is not connected to directly: the later rungs go through
//! the proxy as a read does.

use super::super::cert::{self, CertFacts, EXPIRY_WARNING_DAYS};
use super::super::dns::{record, resolved, unique};
use super::super::step::{Outcome, Status};
use super::super::tcp::knock_text;
use super::super::tls::{Handshake, handshake_with};
use crate::source::ldap::session;
use crate::source::ldap::tls::client_config;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};
use url::Url;

pub(super) struct Host {
    name: String,
    port: u16,
    /// The proxy the environment sends this host's requests through, if any.
    proxy: Option<String>,
    addrs: Vec<SocketAddr>,
    /// The first address that accepted a connection.
    reachable: Option<SocketAddr>,
}

impl Host {
    pub fn of(url: &Url) -> Self {
        let name = url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let matcher = hyper_util::client::proxy::matcher::Matcher::from_env();
        let proxy = url
            .as_str()
            .parse::<http::Uri>()
            .ok()
            .and_then(|uri| matcher.intercept(&uri))
            .map(|i| i.uri().host().unwrap_or_default().to_string());
        Self { name, port, proxy, addrs: Vec::new(), reachable: None }
    }

    fn proxied(&self) -> Option<Outcome> {
        self.proxy.as_ref().map(|p| {
            Outcome::skipped(format!(
                "{} is reached through the proxy {p} (HTTPS_PROXY); the token and permission rungs go through it",
                self.name
            ))
        })
    }
}

pub(super) async fn dns(host: &mut Host, timeout: Duration) -> Outcome {
    if let Some(skipped) = host.proxied() {
        return skipped;
    }
    if let Ok(ip) = host.name.parse::<IpAddr>() {
        host.addrs = vec![SocketAddr::new(ip, host.port)];
        return Outcome::ok(format!("{ip} is an address: nothing to resolve")).with(record(ip), ip.to_string());
    }
    let lookup = tokio::net::lookup_host((host.name.as_str(), host.port));
    match tokio::time::timeout(timeout, lookup).await {
        Ok(Ok(found)) => {
            host.addrs = unique(found.collect());
            if host.addrs.is_empty() {
                return not_found(&host.name, "no addresses");
            }
            resolved(&host.name, &host.addrs)
        }
        Ok(Err(e)) => not_found(&host.name, &e.to_string()),
        Err(_) => not_found(&host.name, &format!("no answer within {}", humantime::format_duration(timeout))),
    }
}

fn not_found(name: &str, detail: &str) -> Outcome {
    Outcome::fail(
        format!("{name} does not resolve ({detail})"),
        "check the name in source.authority_url / source.graph_url and this machine's DNS; \
         behind a proxy, set HTTPS_PROXY",
    )
}

pub(super) async fn tcp(host: &mut Host, timeout: Duration) -> Outcome {
    if let Some(skipped) = host.proxied() {
        return skipped;
    }
    let knocks = futures::future::join_all(host.addrs.iter().map(|&addr| async move {
        let started = Instant::now();
        (addr, session::connect(addr, timeout).await.map(|_| started.elapsed()))
    }))
    .await;
    host.reachable = knocks.iter().find(|(_, r)| r.is_ok()).map(|(a, _)| *a);
    let evidence: Vec<(String, String)> = knocks.iter().map(|(a, r)| (a.to_string(), knock_text(r))).collect();
    let open = knocks.iter().filter(|(_, r)| r.is_ok()).count();
    let outcome = match (open, knocks.len()) {
        (0, _) => Outcome::fail(
            format!("port {} answers on none of {}'s addresses", host.port, host.name),
            "open outbound HTTPS (443) from this machine to the host, or set HTTPS_PROXY to the proxy that may",
        ),
        (n, all) if n < all => Outcome::warn(
            format!("port {} open on {n} of {all} addresses", host.port),
            "connections to the other addresses fail; check the firewall for them",
        ),
        _ => Outcome::ok(format!("port {} open on {}", host.port, ips(&knocks))),
    };
    outcome.with_all(evidence)
}

fn ips<T, E>(knocks: &[(SocketAddr, Result<T, E>)]) -> String {
    knocks.iter().filter(|(_, r)| r.is_ok()).map(|(a, _)| a.ip().to_string()).collect::<Vec<_>>().join(", ")
}

/// The handshake, accepting any certificate so the chain can be shown; then the chain is
/// judged as the HTTP client judges it (system roots, plus `ca_file`).
pub(super) async fn tls(host: &Host, ca_file: Option<&Path>, timeout: Duration) -> Outcome {
    if let Some(skipped) = host.proxied() {
        return skipped;
    }
    let Some(addr) = host.reachable else { return Outcome::skipped("no address to talk to") };
    let permissive = match client_config(None, true) {
        Ok(config) => config,
        Err(e) => return Outcome::fail(e.to_string(), ""),
    };
    let seen = match session::connect(addr, timeout).await {
        Ok(stream) => handshake_with(stream, permissive, &host.name, timeout, true).await,
        Err(failure) => Err(failure),
    };
    match seen {
        Ok(seen) => judge(host, &seen, ca_file),
        Err(failure) => Outcome::from_failure(&failure, Status::Fail),
    }
}

fn judge(host: &Host, seen: &Handshake, ca_file: Option<&Path>) -> Outcome {
    let now = jiff::Timestamp::now().as_second();
    let system = cert::trust(&seen.chain, None, now);
    let private = ca_file.map(|f| cert::trust(&seen.chain, Some(f), now));
    let named = cert::names_host(&seen.chain, &host.name);
    let leaf = seen.chain.first().and_then(|c| CertFacts::read(c));
    let expiry = leaf.as_ref().map(|f| f.expiry_text(now)).unwrap_or_else(|| "unreadable".into());
    let trusted = system.is_ok() || private.as_ref().is_some_and(Result::is_ok);
    let outcome = match (&leaf, trusted, &named) {
        (_, false, _) => Outcome::fail(
            format!("{}'s certificate is not signed by a CA this machine trusts", host.name),
            "set source.ca_file to the PEM file of the CA that issued it (a TLS-inspecting proxy's CA, say)",
        ),
        (_, _, Err(_)) => Outcome::fail(
            format!("the certificate is not issued for {}", host.name),
            "check the host in source.authority_url / source.graph_url",
        ),
        (Some(f), _, _) if f.not_after < now || now < f.not_before => {
            Outcome::fail(format!("the certificate {expiry}"), "the host's certificate must be renewed")
        }
        (Some(f), _, _) if f.not_after - now < EXPIRY_WARNING_DAYS * 86_400 => Outcome::warn(
            format!("{} {}, certificate {expiry}", seen.protocol, seen.cipher),
            "the host's certificate expires soon",
        ),
        _ => Outcome::ok(format!("{} {}, certificate {expiry}", seen.protocol, seen.cipher)),
    };
    with_evidence(outcome, host, seen, now, (system, private, named))
}

type Verdicts = (Result<(), String>, Option<Result<(), String>>, Result<(), String>);

fn with_evidence(
    outcome: Outcome,
    host: &Host,
    seen: &Handshake,
    now: i64,
    (system, private, named): Verdicts,
) -> Outcome {
    let yes_no = |r: Result<(), String>| match r {
        Ok(()) => "yes".to_string(),
        Err(e) => format!("no ({e})"),
    };
    let outcome = outcome
        .with("protocol", &seen.protocol)
        .with("cipher", &seen.cipher)
        .with_all(cert::evidence(&seen.chain, now))
        .with(format!("issued for {}", host.name), yes_no(named))
        .with("trusted by the system's roots", yes_no(system));
    match private {
        Some(verdict) => outcome.with("trusted by source.ca_file", yes_no(verdict)),
        None => outcome,
    }
}
