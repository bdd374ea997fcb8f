//! A loopback TCP proxy that forwards to a real server and can cut the connection after a
//! given number of server-to-client bytes: a network failure in the middle of a read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct CutProxy {
    pub addr: SocketAddr,
    pub forwarded: Arc<AtomicU64>,
    _runtime: tokio::runtime::Runtime,
}

impl CutProxy {
    /// Listens on 127.0.0.1 (random port); each connection is cut after `cut_after` bytes
    /// from the server (`u64::MAX`: never).
    pub fn start(upstream: SocketAddr, cut_after: u64) -> Self {
        Self::start_on("127.0.0.1:0", upstream, cut_after)
    }

    /// Like [`CutProxy::start`], listening on `bind` (any 127.0.0.0/8 address).
    pub fn start_on(bind: &str, upstream: SocketAddr, cut_after: u64) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(TcpListener::bind(bind)).unwrap();
        let addr = listener.local_addr().unwrap();
        let forwarded = Arc::new(AtomicU64::new(0));
        let counter = forwarded.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        pipe(client, server, cut_after, counter).await;
                    }
                });
            }
        });
        Self { addr, forwarded, _runtime: runtime }
    }
}

async fn pipe(client: TcpStream, server: TcpStream, cut_after: u64, counter: Arc<AtomicU64>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0u64;
    loop {
        let n = match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let allowed = (cut_after.saturating_sub(sent)).min(n as u64) as usize;
        if cw.write_all(&buf[..allowed]).await.is_err() {
            break;
        }
        sent += allowed as u64;
        counter.fetch_add(allowed as u64, Ordering::Relaxed);
        if sent >= cut_after {
            break; // the cut: both directions close mid-stream
        }
    }
    up.abort();
    let _ = cw.shutdown().await;
}

/// `ldap://127.0.0.1:3890` → `127.0.0.1:3890`.
pub fn socket_of(uri: &str) -> SocketAddr {
    let rest = uri.split("://").nth(1).unwrap().trim_end_matches('/');
    rest.parse().unwrap()
}
