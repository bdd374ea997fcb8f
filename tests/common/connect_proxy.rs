//! A loopback HTTPS proxy (HTTP CONNECT tunnels) that counts the tunnels it opened, to show
//! that adsync goes through HTTPS_PROXY and around it for NO_PROXY hosts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

pub struct ConnectProxy {
    pub addr: SocketAddr,
    tunnels: Arc<AtomicU64>,
    _runtime: tokio::runtime::Runtime,
}

impl ConnectProxy {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let tunnels = Arc::new(AtomicU64::new(0));
        let counter = tunnels.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(tunnel(client, counter.clone()));
            }
        });
        Self { addr, tunnels, _runtime: runtime }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn tunnels(&self) -> u64 {
        self.tunnels.load(Ordering::Relaxed)
    }
}

/// `CONNECT host:port HTTP/1.1`, the headers, then bytes both ways.
async fn tunnel(client: TcpStream, counter: Arc<AtomicU64>) {
    let mut client = BufReader::new(client);
    let mut request = String::new();
    if client.read_line(&mut request).await.is_err() {
        return;
    }
    let Some(target) = request.strip_prefix("CONNECT ").and_then(|r| r.split(' ').next()).map(str::to_string) else {
        return;
    };
    let mut line = String::new();
    while client.read_line(&mut line).await.is_ok_and(|n| n > 2) {
        line.clear();
    }
    let Ok(mut upstream) = TcpStream::connect(&target).await else { return };
    counter.fetch_add(1, Ordering::Relaxed);
    let mut client = client.into_inner();
    if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}
