//! Opening an LDAP connection layer by layer (DNS, TCP, TLS, bind) so a failure names its layer.

use super::error::{BindProblem, LdapFailure, Stage, TlsProblem, rc_name, search_fix};
use super::tls;
use crate::config::value::{LdapScheme, LdapUrl};
use crate::source::SourceError;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, StdStream};
use rustls::ClientConfig;
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// What it takes to reach a server.
#[derive(Clone)]
pub struct Endpoint {
    pub url: LdapUrl,
    pub starttls: bool,
    pub tls: Arc<ClientConfig>,
    pub connect_timeout: Duration,
    pub op_timeout: Duration,
}

/// A connected (and possibly bound) LDAP session.
pub struct Session {
    pub ldap: Ldap,
    pub addr: SocketAddr,
    pub op_timeout: Duration,
    driver: JoinHandle<()>,
}

impl Session {
    pub async fn open(endpoint: &Endpoint) -> Result<Self, SourceError> {
        let (stream, addr) = connect_any(endpoint).await?;
        let stream = stream.into_std().map_err(|e| connect_failure(addr, e))?;
        let settings = LdapConnSettings::new()
            .set_conn_timeout(endpoint.connect_timeout)
            .set_config(endpoint.tls.clone())
            .set_starttls(endpoint.starttls && endpoint.url.scheme == LdapScheme::Ldap)
            .set_std_stream(StdStream::Tcp(stream));
        let (conn, ldap) = LdapConnAsync::with_settings(settings, &endpoint.url.connect_url())
            .await
            .map_err(|e| handshake_failure(e, endpoint, addr))?;
        let driver = tokio::spawn(async move {
            if let Err(e) = conn.drive().await {
                tracing::debug!("LDAP connection ended: {e}");
            }
        });
        Ok(Self { ldap, addr, op_timeout: endpoint.op_timeout, driver })
    }

    /// Simple bind. An empty password is refused here: LDAP would treat it as anonymous.
    pub async fn bind(&mut self, bind_dn: &str, password: &SecretString) -> Result<(), SourceError> {
        if password.expose_secret().is_empty() {
            return Err(LdapFailure::EmptyPassword { bind_dn: bind_dn.into() }.into());
        }
        let timeout = self.op_timeout;
        let result = self
            .ldap
            .with_timeout(timeout)
            .simple_bind(bind_dn, password.expose_secret())
            .await
            .map_err(|e| op_failure(e, Stage::Bind, 0, timeout))?;
        if result.rc == 0 { Ok(()) } else { Err(bind_failure(result.rc, &result.text, bind_dn).into()) }
    }

    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ldap.unbind()).await;
        self.driver.abort();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// Every address `url`'s host resolves to, bounded by `timeout`.
pub async fn resolve(url: &LdapUrl, timeout: Duration) -> Result<Vec<SocketAddr>, LdapFailure> {
    let lookup = tokio::net::lookup_host((url.host.as_str(), url.port));
    let fail = |detail: String| LdapFailure::Resolve { host: url.host.clone(), detail };
    let addrs: Vec<SocketAddr> = tokio::time::timeout(timeout, lookup)
        .await
        .map_err(|_| fail(format!("no answer within {}", humantime::format_duration(timeout))))?
        .map_err(|e| fail(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(fail("no addresses".into()));
    }
    Ok(addrs)
}

/// Resolves the host and tries every address in turn; reports the last failure if none answers.
pub async fn connect_any(endpoint: &Endpoint) -> Result<(TcpStream, SocketAddr), SourceError> {
    let addrs = resolve(&endpoint.url, endpoint.connect_timeout).await?;
    let mut last = None;
    for addr in addrs {
        match connect(addr, endpoint.connect_timeout).await {
            Ok(stream) => return Ok((stream, addr)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one address was tried").into())
}

/// A bind the server refused, with AD's sub-code decoded.
pub fn bind_failure(rc: u32, text: &str, bind_dn: &str) -> LdapFailure {
    let (problem, code) = BindProblem::classify(rc, text);
    LdapFailure::Bind { problem, code, bind_dn: bind_dn.into(), text: server_text(rc, text) }
}

/// One TCP connection, bounded by `timeout`, its failure named for the TCP layer.
pub async fn connect(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, LdapFailure> {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
        Ok(Err(e)) => Err(connect_failure(addr, e)),
        Err(_) => Err(LdapFailure::ConnectTimeout { addr: addr.to_string(), port: addr.port(), after: timeout }),
    }
}

fn connect_failure(addr: SocketAddr, e: std::io::Error) -> LdapFailure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => LdapFailure::Refused { addr: addr.to_string(), port: addr.port() },
        _ => LdapFailure::Connect { addr: addr.to_string(), detail: e.to_string() },
    }
}

/// Errors from ldap3's connection setup: TLS handshake or the StartTLS exchange.
fn handshake_failure(err: LdapError, endpoint: &Endpoint, addr: SocketAddr) -> SourceError {
    let ldaps = endpoint.url.scheme == LdapScheme::Ldaps;
    let io = matches!(err, LdapError::Io { .. });
    if let Some(failure) = tls::handshake_failure(&err, &endpoint.url.host, ldaps && io) {
        return failure.into();
    }
    let host = endpoint.url.host.clone();
    match err {
        LdapError::Timeout { .. } => {
            LdapFailure::HandshakeTimeout { addr: addr.to_string(), after: endpoint.connect_timeout }.into()
        }
        LdapError::LdapResult { result } => {
            LdapFailure::StartTlsRefused { detail: server_text(result.rc, &result.text) }.into()
        }
        LdapError::DNSName { source } => {
            LdapFailure::Tls { problem: TlsProblem::NameMismatch, host, detail: source.to_string() }.into()
        }
        other => LdapFailure::ConnectionLost { at: Stage::Connect, entries: 0, detail: other.to_string() }.into(),
    }
}

pub fn server_text(rc: u32, text: &str) -> String {
    let text = text.trim().trim_end_matches('\0');
    if text.is_empty() { format!("{} ({rc})", rc_name(rc)) } else { format!("{} ({rc}): {text}", rc_name(rc)) }
}

/// Maps an error during an operation (`at`: a bind, an entry, a page) after `entries` were read.
pub fn op_failure(err: LdapError, at: Stage, entries: u64, timeout: Duration) -> SourceError {
    match err {
        LdapError::Timeout { .. } => LdapFailure::OpTimeout { at, after: timeout, entries }.into(),
        LdapError::LdapResult { result } => result_failure(result.rc, &result.text, entries, "").into(),
        LdapError::FilterParsing => LdapFailure::Protocol { detail: "the search filter does not parse".into() }.into(),
        other => LdapFailure::ConnectionLost { at, entries, detail: other.to_string() }.into(),
    }
}

/// A non-success result code at the end of a search (or page of one).
pub fn result_failure(rc: u32, text: &str, entries: u64, base: &str) -> LdapFailure {
    let anonymous = text.contains("000004DC") || text.contains("00002020") || text.contains("without authentication");
    match rc {
        1 if anonymous => LdapFailure::AnonymousRefused { text: server_text(rc, text) },
        32 => {
            LdapFailure::NoSuchBase { base: base.into(), text: server_text(rc, text), hint: "DC=example,DC=com".into() }
        }
        _ => LdapFailure::SearchFailed {
            rc,
            name: rc_name(rc),
            text: text.trim().to_string(),
            entries,
            fix: search_fix(rc),
        },
    }
}
