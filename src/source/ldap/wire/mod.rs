//! The bulk reader's own LDAP connection: TCP, TLS or StartTLS (rustls, the same settings
//! as everywhere), a simple bind, and searches whose entries are decoded in place from the
//! receive buffer.
//!
//! Why not ldap3 here: its connection task decodes every message into a tree of vectors,
//! deep-copies it, and hands it across a channel; on a 100,000-entry read that was half of
//! adsync's CPU and kept it slower than `ldapsearch` (scripts/bench.sh read). Browsing and
//! the diagnostics, which read a handful of entries, still use ldap3. Failures map to the
//! same [`LdapFailure`]s, so an admin sees one set of messages whichever path failed.

pub mod message;
mod spin;

use super::ber::{self, Element};
use super::entry::{RawEntry, parse_entry};
use super::error::{LdapFailure, TlsProblem};
use super::paged::{EntrySink, PageCount, SearchSpec};
use super::session::{Endpoint, bind_failure, connect_any, result_failure, server_text};
use super::tls::classify_tls_error;
use crate::config::value::LdapScheme;
use crate::source::SourceError;
use bytes::{Buf, BytesMut};
use futures::FutureExt;
use message::{Control, LdapResult, Message};
use rustls::pki_types::ServerName;
use secrecy::{ExposeSecret, SecretString};
use spin::Spinner;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_util::sync::CancellationToken;

/// One system call per 64 KiB: rustls alone reads 4 KiB at a time.
const READ_CHUNK: usize = 64 * 1024;
/// No single LDAP message adsync asks for comes near this; a larger length is corruption.
const MAX_MESSAGE: usize = 64 << 20;

enum Io {
    Plain(BufReader<TcpStream>),
    Tls(Box<TlsStream<BufReader<TcpStream>>>),
    /// Only while the stream changes hands during StartTLS.
    Switching,
}

/// Why waiting for a message ended without one.
enum Wait {
    Timeout,
    Closed(String),
    Cancelled,
    Protocol(String),
}

impl Wait {
    /// The failure as reported after `entries` entries of an operation.
    fn into_error(self, entries: u64, timeout: Duration) -> SourceError {
        match self {
            Wait::Timeout => LdapFailure::OpTimeout { after: timeout, entries }.into(),
            Wait::Closed(detail) => LdapFailure::ConnectionLost { entries, detail }.into(),
            Wait::Cancelled => SourceError::Cancelled,
            Wait::Protocol(detail) => SourceError::protocol(detail),
        }
    }
}

/// How a search ended: its result and the paged-results cookie, if the server sent one.
pub struct Done {
    pub result: LdapResult,
    pub cookie: Option<Vec<u8>>,
}

pub struct Wire {
    io: Io,
    buf: BytesMut,
    last_id: i32,
    op_timeout: Duration,
    /// Set when bytes arrived since the buffer was last scanned for a page's end.
    fresh: bool,
    spinner: Spinner,
    pub addr: SocketAddr,
}

impl Wire {
    /// Connects (ldaps:// or ldap:// with StartTLS when configured) without binding.
    pub async fn open(endpoint: &Endpoint) -> Result<Self, SourceError> {
        let (tcp, addr) = connect_any(endpoint).await?;
        let mut wire = Wire {
            io: Io::Plain(BufReader::with_capacity(READ_CHUNK, tcp)),
            buf: BytesMut::with_capacity(READ_CHUNK),
            last_id: 0,
            op_timeout: endpoint.op_timeout,
            fresh: false,
            spinner: Spinner::default(),
            addr,
        };
        match endpoint.url.scheme {
            LdapScheme::Ldaps => wire.handshake(endpoint).await?,
            LdapScheme::Ldap if endpoint.starttls => {
                wire.start_tls(endpoint).await?;
                wire.handshake(endpoint).await?;
            }
            LdapScheme::Ldap => {}
        }
        Ok(wire)
    }

    /// Simple bind. An empty password is refused here: LDAP would treat it as anonymous.
    pub async fn bind(&mut self, bind_dn: &str, password: &SecretString) -> Result<(), SourceError> {
        if password.expose_secret().is_empty() {
            return Err(LdapFailure::EmptyPassword { bind_dn: bind_dn.into() }.into());
        }
        let id = self.next_id();
        let mut request =
            message::envelope(id, message::simple_bind(bind_dn, password.expose_secret().as_bytes()), &[]);
        let sent = self.send(&request).await;
        request.fill(0); // the password does not linger in freed memory
        sent?;
        let timeout = self.op_timeout;
        let result = self.result_of(id, message::BIND_RESPONSE, timeout).await.map_err(|w| w.into_error(0, timeout))?;
        if result.rc == 0 { Ok(()) } else { Err(bind_failure(result.rc, &result.text, bind_dn).into()) }
    }

    /// The entries at `dn` itself (rootDSE, range follow-ups), every attribute kept.
    pub async fn base_entries(&mut self, dn: &str, attrs: &[&str]) -> Result<Vec<RawEntry>, SourceError> {
        let spec = Search { base: dn, scope: ldap3::Scope::Base, filter: "(objectClass=*)", attrs, page: None };
        let mut entries = Vec::new();
        let mut keep = |op: Element<'_>| {
            entries.push(parse_entry(op).map_err(SourceError::protocol)?);
            Ok(())
        };
        let mut count = PageCount::default();
        let done = self.search(&spec, &CancellationToken::new(), &mut keep, &mut count).await?;
        if done.result.rc != 0 {
            return Err(result_failure(done.result.rc, &done.result.text, 0, dn).into());
        }
        Ok(entries)
    }

    /// A paged subtree search read to the end, or an error: every page must end in `success`.
    ///
    /// The next page is asked for as soon as this page's end is in the receive buffer, before
    /// the entries ahead of it are decoded: the server starts on it while they are.
    pub async fn search_paged(
        &mut self,
        spec: &SearchSpec<'_>,
        cancel: &CancellationToken,
        on_entry: &mut EntrySink<'_>,
        on_page: &mut (dyn FnMut(PageCount) + Send),
    ) -> Result<PageCount, SourceError> {
        let attrs: Vec<&str> = spec.attrs.iter().map(String::as_str).collect();
        let first = Search {
            base: spec.base,
            scope: spec.scope,
            filter: spec.filter,
            attrs: &attrs,
            page: Some((spec.page_size, Vec::new())),
        };
        let mut count = PageCount::default();
        let mut id = self.send_search(&first).await?;
        loop {
            let (done, asked) = self.receive_page(id, &first, cancel, on_entry, &mut count).await?;
            if done.result.rc != 0 {
                return Err(result_failure(done.result.rc, &done.result.text, count.entries, spec.base).into());
            }
            count.pages += 1;
            on_page(count);
            id = match (done.cookie.filter(|c| !c.is_empty()), asked) {
                (Some(_), Some(next)) => next,
                (Some(cookie), None) => self.send_search(&first.with_cookie(cookie)).await?,
                (None, _) => return Ok(count),
            };
        }
    }

    /// One page of a paged search; also returns the request already sent for the next page.
    async fn receive_page(
        &mut self,
        id: i32,
        pages: &Search<'_>,
        cancel: &CancellationToken,
        on_entry: &mut EntrySink<'_>,
        count: &mut PageCount,
    ) -> Result<(Done, Option<i32>), SourceError> {
        let timeout = self.op_timeout;
        let mut asked = None;
        loop {
            if asked.is_none()
                && std::mem::take(&mut self.fresh)
                && let Some(cookie) = buffered_cookie(&self.buf, id).map_err(SourceError::protocol)?
            {
                asked = Some(self.send_search(&pages.with_cookie(cookie)).await?);
            }
            let len = self.next_frame(cancel, timeout).await.map_err(|w| w.into_error(count.entries, timeout))?;
            let outcome = take_search_message(&self.buf[..len], id, on_entry, count);
            self.buf.advance(len);
            if let Some(done) = outcome? {
                return Ok((done, asked));
            }
        }
    }

    /// Says goodbye (unbind) and closes, without waiting long for a server that is gone.
    pub async fn close(mut self) {
        let id = self.next_id();
        let request = message::envelope(id, message::unbind, &[]);
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            let _ = self.send(&request).await;
            match &mut self.io {
                Io::Plain(s) => s.get_mut().shutdown().await,
                Io::Tls(s) => s.shutdown().await,
                Io::Switching => Ok(()),
            }
        })
        .await;
    }

    fn next_id(&mut self) -> i32 {
        self.last_id = self.last_id.checked_add(1).unwrap_or(1);
        self.last_id
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), SourceError> {
        let written = match &mut self.io {
            Io::Plain(s) => write_flush(s.get_mut(), bytes).await,
            Io::Tls(s) => write_flush(s.as_mut(), bytes).await,
            Io::Switching => unreachable!("no request is sent while TLS starts"),
        };
        written.map_err(|e| LdapFailure::ConnectionLost { entries: 0, detail: e.to_string() }.into())
    }

    /// One search: entries go to `on_entry`; ends with the server's SearchResultDone.
    async fn search(
        &mut self,
        spec: &Search<'_>,
        cancel: &CancellationToken,
        on_entry: &mut EntrySink<'_>,
        count: &mut PageCount,
    ) -> Result<Done, SourceError> {
        let id = self.send_search(spec).await?;
        let timeout = self.op_timeout;
        loop {
            let len = self.next_frame(cancel, timeout).await.map_err(|w| w.into_error(count.entries, timeout))?;
            let outcome = take_search_message(&self.buf[..len], id, on_entry, count);
            self.buf.advance(len);
            if let Some(done) = outcome? {
                return Ok(done);
            }
        }
    }

    async fn send_search(&mut self, spec: &Search<'_>) -> Result<i32, SourceError> {
        let filter = message::encode_filter(spec.filter).map_err(|detail| LdapFailure::Protocol { detail })?;
        let controls: Vec<Control> =
            spec.page.as_ref().map(|(size, cookie)| Control::paged(*size, cookie)).into_iter().collect();
        let id = self.next_id();
        self.send(&message::envelope(id, message::search(spec.base, spec.scope, &filter, spec.attrs), &controls))
            .await?;
        Ok(id)
    }

    /// Waits for the response `tag` to request `id` and reads its result.
    async fn result_of(&mut self, id: i32, tag: u8, timeout: Duration) -> Result<LdapResult, Wait> {
        loop {
            let len = self.next_frame(&CancellationToken::new(), timeout).await?;
            let parsed = Message::parse(&self.buf[..len]).and_then(|m| match m {
                m if m.id == id && m.op.tag == tag => LdapResult::parse(m.op).map(Some),
                m if m.id == 0 => Err(disconnection(m.op)),
                _ => Ok(None), // a late answer to something else
            });
            self.buf.advance(len);
            if let Some(result) = parsed.map_err(Wait::Protocol)? {
                return Ok(result);
            }
        }
    }

    /// Reads until one whole message is buffered; returns its length.
    async fn next_frame(&mut self, cancel: &CancellationToken, timeout: Duration) -> Result<usize, Wait> {
        loop {
            if let Some(len) = ber::frame_len(&self.buf, MAX_MESSAGE).map_err(Wait::Protocol)? {
                return Ok(len);
            }
            if cancel.is_cancelled() {
                return Err(Wait::Cancelled);
            }
            self.buf.reserve(READ_CHUNK);
            match self.read_more(cancel, timeout).await? {
                0 => return Err(Wait::Closed("the server closed the connection".into())),
                _ => self.fresh = true,
            }
        }
    }

    /// One read into the buffer: what is already waiting, else what comes within a short
    /// spin, else what comes before `timeout`, asleep.
    async fn read_more(&mut self, cancel: &CancellationToken, timeout: Duration) -> Result<usize, Wait> {
        // Bytes already waiting (decrypted or buffered) are taken without arming a timer:
        // most reads of a bulk search find data there.
        let mut read = fill(&mut self.io, &mut self.buf).now_or_never();
        if read.is_none() && self.spinner.enabled() {
            read = spin_read(&mut self.io, &mut self.buf).await;
        }
        let read = match read {
            Some(read) => read,
            None => {
                let asleep = Instant::now();
                let read = tokio::select! {
                    biased;
                    _ = cancel.cancelled() => return Err(Wait::Cancelled),
                    read = tokio::time::timeout(timeout, fill(&mut self.io, &mut self.buf)) => read,
                };
                self.spinner.slept(asleep.elapsed());
                read.map_err(|_| Wait::Timeout)?
            }
        };
        read.map_err(|e| Wait::Closed(e.to_string()))
    }

    async fn start_tls(&mut self, endpoint: &Endpoint) -> Result<(), SourceError> {
        let id = self.next_id();
        self.send(&message::envelope(id, message::extended(message::STARTTLS_OID), &[])).await?;
        let addr = self.addr.to_string();
        let result =
            self.result_of(id, message::EXTENDED_RESPONSE, endpoint.connect_timeout).await.map_err(|w| match w {
                Wait::Timeout => LdapFailure::HandshakeTimeout { addr, after: endpoint.connect_timeout }.into(),
                other => other.into_error(0, endpoint.connect_timeout),
            })?;
        if result.rc != 0 {
            return Err(LdapFailure::StartTlsRefused { detail: server_text(result.rc, &result.text) }.into());
        }
        Ok(())
    }

    async fn handshake(&mut self, endpoint: &Endpoint) -> Result<(), SourceError> {
        let Io::Plain(plain) = std::mem::replace(&mut self.io, Io::Switching) else {
            unreachable!("TLS starts once, on a plain connection")
        };
        let host = endpoint.url.host.clone();
        let name = ServerName::try_from(host.clone()).map_err(|e| LdapFailure::Tls {
            problem: TlsProblem::NameMismatch,
            host: host.clone(),
            detail: e.to_string(),
        })?;
        let connector = tokio_rustls::TlsConnector::from(endpoint.tls.clone());
        let tls = match tokio::time::timeout(endpoint.connect_timeout, connector.connect(name, plain)).await {
            Err(_) => {
                let addr = self.addr.to_string();
                return Err(LdapFailure::HandshakeTimeout { addr, after: endpoint.connect_timeout }.into());
            }
            Ok(Err(e)) => return Err(handshake_failure(&e, host, endpoint.url.scheme)),
            Ok(Ok(tls)) => tls,
        };
        self.io = Io::Tls(Box::new(tls));
        Ok(())
    }
}

/// What to search for in one request; `page` is (size, cookie) for a paged request.
struct Search<'a> {
    base: &'a str,
    scope: ldap3::Scope,
    filter: &'a str,
    attrs: &'a [&'a str],
    page: Option<(u32, Vec<u8>)>,
}

impl<'a> Search<'a> {
    /// The same paged search, continued from `cookie`.
    fn with_cookie(&self, cookie: Vec<u8>) -> Search<'a> {
        let page = self.page.as_ref().map(|(size, _)| (*size, cookie));
        Search { page, ..*self }
    }
}

/// The cookie of request `id`'s successful, non-final SearchResultDone, if that message is
/// already among the complete messages in `buf`. Reads only message headers.
fn buffered_cookie(buf: &[u8], id: i32) -> Result<Option<Vec<u8>>, String> {
    let mut rest = buf;
    while let Some(len) = ber::frame_len(rest, MAX_MESSAGE)? {
        let message = Message::parse(&rest[..len])?;
        if message.id == id && message.op.tag == message::SEARCH_RESULT_DONE {
            let success = LdapResult::parse(message.op)?.rc == 0;
            return Ok(message.paged_cookie()?.filter(|c| success && !c.is_empty()));
        }
        rest = &rest[len..];
    }
    Ok(None)
}

/// One message of a running search: an entry for `on_entry`, a counted referral, or the end.
fn take_search_message(
    frame: &[u8],
    id: i32,
    on_entry: &mut EntrySink<'_>,
    count: &mut PageCount,
) -> Result<Option<Done>, SourceError> {
    let message = Message::parse(frame).map_err(SourceError::protocol)?;
    if message.id == 0 {
        return Err(LdapFailure::ConnectionLost { entries: count.entries, detail: disconnection(message.op) }.into());
    }
    if message.id != id {
        return Ok(None);
    }
    match message.op.tag {
        message::SEARCH_RESULT_ENTRY => {
            count.entries += 1;
            on_entry(message.op)?;
        }
        // Referrals (Samba/AD point at DomainDnsZones, Configuration, …) are neither chased nor counted.
        message::SEARCH_RESULT_REFERENCE => count.referrals += 1,
        message::INTERMEDIATE_RESPONSE => {}
        message::SEARCH_RESULT_DONE => {
            let result = LdapResult::parse(message.op).map_err(SourceError::protocol)?;
            let cookie = message.paged_cookie().map_err(SourceError::protocol)?;
            return Ok(Some(Done { result, cookie }));
        }
        other => return Err(SourceError::protocol(format!("unexpected protocol op {other:#04x} in a search"))),
    }
    Ok(None)
}

/// An unsolicited notification (message ID 0): the server is about to drop the connection.
fn disconnection(op: Element<'_>) -> String {
    match LdapResult::parse(op) {
        Ok(r) => format!("the server ended the session: {}", server_text(r.rc, &r.text)),
        Err(_) => "the server ended the session".into(),
    }
}

/// Polls for data for up to [`spin::SPIN`], yielding to the runtime (which checks the
/// sockets) between tries; `None` when nothing came.
async fn spin_read(io: &mut Io, buf: &mut BytesMut) -> Option<std::io::Result<usize>> {
    let until = Instant::now() + spin::SPIN;
    while Instant::now() < until {
        tokio::task::yield_now().await;
        if let Some(read) = fill(io, buf).now_or_never() {
            return Some(read);
        }
    }
    None
}

async fn fill(io: &mut Io, buf: &mut BytesMut) -> std::io::Result<usize> {
    match io {
        Io::Plain(s) => s.read_buf(buf).await,
        Io::Tls(s) => s.read_buf(buf).await,
        Io::Switching => unreachable!("nothing is read while TLS starts"),
    }
}

async fn write_flush<W: tokio::io::AsyncWrite + Unpin>(w: &mut W, bytes: &[u8]) -> std::io::Result<()> {
    w.write_all(bytes).await?;
    w.flush().await
}

/// A failed TLS handshake, named as ldap3's path names it.
fn handshake_failure(err: &std::io::Error, host: String, scheme: LdapScheme) -> SourceError {
    if let Some((problem, detail)) = classify_tls_error(err) {
        return LdapFailure::Tls { problem, host, detail }.into();
    }
    if scheme == LdapScheme::Ldaps {
        return LdapFailure::Tls { problem: TlsProblem::NotTls, host, detail: err.to_string() }.into();
    }
    LdapFailure::ConnectionLost { entries: 0, detail: err.to_string() }.into()
}
