//! TLS: the handshake adsync would make (LDAPS, or after StartTLS), the negotiated version
//! and cipher, and the certificate chain as evidence. When verification fails, a second,
//! permissive handshake only fetches the chain so the evidence can show what is wrong.

use super::cert::{self, CertFacts, EXPIRY_WARNING_DAYS};
use super::probe::Probe;
use super::starttls::{self, Answer};
use super::step::{Outcome, Status};
use crate::source::ldap::error::{LdapFailure, TlsProblem};
use crate::source::ldap::session;
use crate::source::ldap::tls::{client_config, handshake_failure};
use rustls::ClientConfig;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// What a completed handshake showed.
pub(super) struct Handshake {
    pub protocol: String,
    pub cipher: String,
    pub chain: Vec<CertificateDer<'static>>,
}

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    if !probe.ldaps() && !probe.source.starttls {
        return Outcome::skipped("plain ldap:// without StartTLS: no TLS in use");
    }
    let Some(addr) = probe.first_reachable() else {
        return Outcome::skipped("no address to talk to");
    };
    let source = probe.source;
    let config = match client_config(source.ca_file.as_deref(), source.tls_insecure) {
        Ok(config) => config,
        Err(e) => return Outcome::fail(e.to_string(), ""),
    };
    let first = match probe.upgraded.take() {
        Some(stream) => Ok(stream),
        None => open(probe, addr).await,
    };
    match first {
        Ok(stream) => match handshake(stream, config, probe).await {
            Ok(seen) => verified(probe, &seen),
            Err(failure) => rejected(probe, addr, failure).await,
        },
        Err(failure) => Outcome::from_failure(&failure, Status::Fail),
    }
}

/// A fresh connection ready for the TLS handshake: plain TCP for LDAPS, else after StartTLS.
async fn open(probe: &Probe<'_>, addr: SocketAddr) -> Result<TcpStream, LdapFailure> {
    if probe.ldaps() {
        return session::connect(addr, probe.connect_timeout()).await;
    }
    match starttls::negotiate(addr, probe.connect_timeout()).await? {
        Answer::Accepted(stream) => Ok(stream),
        Answer::Refused { detail } => Err(LdapFailure::StartTlsRefused { detail }),
    }
}

async fn handshake(stream: TcpStream, config: Arc<ClientConfig>, probe: &Probe<'_>) -> Result<Handshake, LdapFailure> {
    handshake_with(stream, config, &probe.url().host, probe.connect_timeout(), probe.ldaps()).await
}

/// The TLS handshake on `stream`, bounded by `timeout`; `tls_first`: the port speaks TLS
/// from the first byte (LDAPS, HTTPS), so a refusal of the ClientHello means "not TLS".
pub(super) async fn handshake_with(
    stream: TcpStream,
    config: Arc<ClientConfig>,
    host: &str,
    timeout: std::time::Duration,
    tls_first: bool,
) -> Result<Handshake, LdapFailure> {
    let host = host.to_string();
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string()).map_err(|e| LdapFailure::Tls {
        problem: TlsProblem::NameMismatch,
        host: host.clone(),
        detail: e.to_string(),
    })?;
    let addr = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    let connecting = TlsConnector::from(config).connect(name, stream);
    let tls = match tokio::time::timeout(timeout, connecting).await {
        Err(_) => return Err(LdapFailure::HandshakeTimeout { addr, after: timeout }),
        Ok(Err(e)) => return Err(failure(&e, &host, tls_first)),
        Ok(Ok(tls)) => tls,
    };
    let conn = tls.get_ref().1;
    Ok(Handshake {
        protocol: conn.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default().replace('_', "."),
        cipher: conn.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite())).unwrap_or_default(),
        chain: conn.peer_certificates().unwrap_or_default().to_vec(),
    })
}

fn failure(err: &std::io::Error, host: &str, tls_first: bool) -> LdapFailure {
    handshake_failure(err, host, tls_first).unwrap_or_else(|| LdapFailure::Tls {
        problem: TlsProblem::Other,
        host: host.to_string(),
        detail: err.to_string(),
    })
}

/// The real handshake passed; insecure settings and a near expiry are still worth a word.
fn verified(probe: &Probe<'_>, seen: &Handshake) -> Outcome {
    let now = jiff::Timestamp::now().as_second();
    let leaf = seen.chain.first().and_then(|c| CertFacts::read(c));
    let expiry = leaf.as_ref().map(|f| f.expiry_text(now)).unwrap_or_else(|| "unreadable".into());
    let outcome = Outcome::ok(format!("{} {}, certificate {expiry}", seen.protocol, seen.cipher));
    let outcome = with_evidence(outcome, probe, seen, now);
    let outcome = if probe.source.tls_insecure { insecure(outcome, probe, seen, now) } else { outcome };
    match leaf.map(|f| f.not_after - now) {
        Some(left) if (0..EXPIRY_WARNING_DAYS * 86_400).contains(&left) => outcome.warned(
            &format!("the server's certificate {expiry}"),
            "renew the domain controller's certificate before it expires",
        ),
        _ => outcome,
    }
}

/// Everything the skipped verification would have said.
fn insecure(outcome: Outcome, probe: &Probe<'_>, seen: &Handshake, now: i64) -> Outcome {
    let source = probe.source;
    let host = &probe.url().host;
    let mut problems = Vec::new();
    if cert::trust(&seen.chain, source.ca_file.as_deref(), now).is_err() {
        problems.push("not signed by a trusted CA".to_string());
    }
    if cert::names_host(&seen.chain, host).is_err() {
        problems.push(format!("not issued for {host}"));
    }
    let leaf = seen.chain.first().and_then(|c| CertFacts::read(c));
    if let Some(facts) = leaf.filter(|f| f.not_after < now || now < f.not_before) {
        problems.push(facts.expiry_text(now));
    }
    let verdict = if problems.is_empty() { "it would pass".to_string() } else { problems.join(", ") };
    outcome.warned(
        &format!("tls_insecure = true: the certificate is not checked ({verdict})"),
        "set source.ca_file to the PEM file of the CA that issued the DC's certificate, and tls_insecure = false",
    )
}

/// Verification failed: say why, and fetch the chain without verifying to show it.
async fn rejected(probe: &Probe<'_>, addr: SocketAddr, failure: LdapFailure) -> Outcome {
    let outcome = Outcome::from_failure(&failure, Status::Fail);
    let LdapFailure::Tls { problem, .. } = &failure else { return outcome };
    if matches!(problem, TlsProblem::NotTls | TlsProblem::Other) {
        return outcome;
    }
    let permissive = match client_config(None, true) {
        Ok(config) => config,
        Err(_) => return outcome,
    };
    match open(probe, addr).await {
        Ok(stream) => match handshake(stream, permissive, probe).await {
            Ok(seen) => with_evidence(outcome, probe, &seen, jiff::Timestamp::now().as_second()),
            Err(_) => outcome,
        },
        Err(_) => outcome,
    }
}

fn with_evidence(outcome: Outcome, probe: &Probe<'_>, seen: &Handshake, now: i64) -> Outcome {
    let ca_file = probe.source.ca_file.as_deref();
    let host = &probe.url().host;
    let yes_no = |r: Result<(), String>| match r {
        Ok(()) => "yes".to_string(),
        Err(e) => format!("no ({e})"),
    };
    outcome
        .with("protocol", &seen.protocol)
        .with("cipher", &seen.cipher)
        .with_all(cert::evidence(&seen.chain, now))
        .with(format!("issued for {host}"), yes_no(cert::names_host(&seen.chain, host)))
        .with(format!("trusted by {}", cert::roots_text(ca_file)), yes_no(cert::trust(&seen.chain, ca_file, now)))
}
