//! The demo directory on the wire: LDAP and LDAPS listeners on 127.0.0.1, StartTLS,
//! one task per connection, bounded in every dimension (connections, message size, idleness).

use super::certs::DemoTls;
use super::company::{CompanySpec, generate};
use super::directory::Directory;
use super::ops::{Next, Session, handle};
use futures::{SinkExt, StreamExt};
use ldap3_proto::LdapCodec;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tokio_util::codec::Framed;
use tokio_util::sync::CancellationToken;

/// Requests larger than this are refused (the client is cut off, the server carries on).
const MAX_REQUEST_BYTES: usize = 256 * 1024;
const MAX_CONNECTIONS: usize = 256;
/// A connection that says nothing for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo: cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
    #[error(transparent)]
    Tls(#[from] super::certs::CertError),
}

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub users: u32,
    /// 0 picks a free port.
    pub ldap_port: u16,
    pub ldaps_port: u16,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { users: 2000, ldap_port: 0, ldaps_port: 0 }
    }
}

/// A running demo directory. Dropping it stops the listeners.
pub struct DemoServer {
    pub ldap_addr: SocketAddr,
    pub ldaps_addr: SocketAddr,
    pub ca_pem: String,
    pub spec: CompanySpec,
    pub entries: usize,
    stop: CancellationToken,
}

struct Shared {
    dir: Directory,
    tls: TlsAcceptor,
    slots: Arc<Semaphore>,
    stop: CancellationToken,
}

impl DemoServer {
    pub async fn start(opts: &DemoOptions) -> Result<Self, DemoError> {
        let spec = CompanySpec::new(opts.users);
        let dir = Directory::new(generate(&spec), &spec.base);
        let tls = DemoTls::generate(&["127.0.0.1", "localhost", "dc1.example.com"])?;
        let ldap = listen(opts.ldap_port).await?;
        let ldaps = listen(opts.ldaps_port).await?;
        let (ldap_addr, ldaps_addr) = (local(&ldap)?, local(&ldaps)?);
        let stop = CancellationToken::new();
        let entries = dir.len();
        let shared = Arc::new(Shared {
            dir,
            tls: TlsAcceptor::from(tls.server.clone()),
            slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            stop: stop.clone(),
        });
        tokio::spawn(accept_loop(ldap, false, shared.clone()));
        tokio::spawn(accept_loop(ldaps, true, shared));
        Ok(Self { ldap_addr, ldaps_addr, ca_pem: tls.ca_pem, spec, entries, stop })
    }

    pub fn ldap_url(&self) -> String {
        format!("ldap://{}", self.ldap_addr)
    }

    pub fn ldaps_url(&self) -> String {
        format!("ldaps://{}", self.ldaps_addr)
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn listen(port: u16) -> Result<TcpListener, DemoError> {
    let addr = format!("127.0.0.1:{port}");
    TcpListener::bind(&addr).await.map_err(|source| DemoError::Listen { addr, source })
}

fn local(listener: &TcpListener) -> Result<SocketAddr, DemoError> {
    listener.local_addr().map_err(|source| DemoError::Listen { addr: "127.0.0.1".into(), source })
}

async fn accept_loop(listener: TcpListener, tls_first: bool, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            _ = shared.stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, peer)) = accepted else { continue };
        // Over the limit the connection is simply closed: the server itself stays healthy.
        let Ok(permit) = shared.slots.clone().try_acquire_owned() else { continue };
        let shared = shared.clone();
        tokio::spawn(async move {
            let _permit = permit;
            tokio::select! {
                _ = shared.stop.cancelled() => {}
                _ = serve(stream, tls_first, &shared) => {}
            }
            tracing::debug!(%peer, "demo connection closed");
        });
    }
}

/// Serves one connection until the client leaves, misbehaves, or goes quiet.
async fn serve(stream: TcpStream, tls_first: bool, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let mut session = Session::new(tls_first);
    let mut io: Box<dyn Io> = Box::new(stream);
    if tls_first {
        let Some(tls) = accept_tls(io, shared).await else { return };
        io = tls;
    }
    loop {
        let mut framed = Framed::new(io, LdapCodec::new(Some(MAX_REQUEST_BYTES), None));
        if !converse(&mut framed, &mut session, shared).await {
            return;
        }
        // StartTLS: nothing may follow the request in plain text.
        let parts = framed.into_parts();
        if !parts.read_buf.is_empty() {
            return;
        }
        let Some(tls) = accept_tls(parts.io, shared).await else { return };
        io = tls;
        session.tls = true;
    }
}

async fn accept_tls(io: Box<dyn Io>, shared: &Shared) -> Option<Box<dyn Io>> {
    let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, shared.tls.accept(io)).await;
    match handshake {
        Ok(Ok(tls)) => Some(Box::new(tls)),
        _ => None,
    }
}

/// Answers requests; `true` means "upgrade to TLS and carry on", `false` means "hang up".
async fn converse(framed: &mut Framed<Box<dyn Io>, LdapCodec>, session: &mut Session, shared: &Shared) -> bool {
    loop {
        let msg = match tokio::time::timeout(IDLE_TIMEOUT, framed.next()).await {
            Ok(Some(Ok(msg))) => msg,
            _ => return false, // idle, closed, or undecodable / oversized: hang up
        };
        let outcome = handle(&shared.dir, session, msg, jiff::Timestamp::now());
        for reply in outcome.replies {
            if framed.feed(reply).await.is_err() {
                return false;
            }
        }
        if framed.flush().await.is_err() {
            return false;
        }
        match outcome.next {
            Next::Continue => {}
            Next::StartTls => return true,
            Next::Close => return false,
        }
    }
}
