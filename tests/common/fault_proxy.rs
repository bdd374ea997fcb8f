//! A loopback TCP proxy that breaks a connection at a chosen step of the conversation: at
//! the n-th LDAP message of a kind the server sends (a bind response, the end of a page), or
//! at the answer to the n-th HTTP request whose request line holds a text. From that point
//! the server's bytes are cut (FIN), never sent (stall), sent a byte at a time (trickle), or
//! the connection is reset (RST). Everything before the point passes unchanged.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// What happens to the connection at the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Cut,
    Stall,
    Trickle,
    Reset,
}

impl Fault {
    pub const ALL: [Fault; 4] = [Fault::Cut, Fault::Stall, Fault::Trickle, Fault::Reset];
}

/// Where the fault strikes.
#[derive(Clone, Debug)]
pub enum Step {
    /// Before the `nth` (from 1) LDAP message with protocol-op tag `tag` the server sends
    /// (0x61 bind response, 0x64 search entry, 0x65 search done).
    Ldap { tag: u8, nth: u32 },
    /// At the answer to the `nth` (from 1) HTTP request whose request line contains `text`.
    Http { text: String, nth: u32 },
}

pub const BIND_RESPONSE: u8 = 0x61;
pub const SEARCH_ENTRY: u8 = 0x64;
pub const SEARCH_DONE: u8 = 0x65;

/// A stall or a trickle ends when the client gives up or after this long.
const HOLD: Duration = Duration::from_secs(20);
const TRICKLE_GAP: Duration = Duration::from_millis(150);

pub struct FaultProxy {
    pub addr: SocketAddr,
    seen: Arc<AtomicU32>,
    fired: Arc<AtomicU32>,
    repeat: Arc<AtomicBool>,
    armed: Arc<Mutex<Option<(Step, Fault)>>>,
    _runtime: tokio::runtime::Runtime,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 (random port), forwarding to `upstream`; nothing armed yet.
    pub fn start(upstream: SocketAddr) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = Self {
            addr,
            seen: Arc::default(),
            fired: Arc::default(),
            repeat: Arc::default(),
            armed: Arc::default(),
            _runtime: runtime,
        };
        let conn = Conn {
            seen: proxy.seen.clone(),
            fired: proxy.fired.clone(),
            repeat: proxy.repeat.clone(),
            armed: proxy.armed.clone(),
        };
        proxy._runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let conn = conn.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        conn.pipe(client, server).await;
                    }
                });
            }
        });
        proxy
    }

    /// Arms `fault` at `step` (once; counting starts now). `None` disarms.
    pub fn arm(&self, armed: Option<(Step, Fault)>) {
        self.repeat.store(false, Ordering::SeqCst);
        self.seen.store(0, Ordering::SeqCst);
        self.fired.store(0, Ordering::SeqCst);
        *self.armed.lock().unwrap() = armed;
    }

    /// Arms `fault` at `step` and at every later occurrence of it: retries meet it too.
    pub fn arm_from(&self, step: Step, fault: Fault) {
        self.arm(Some((step, fault)));
        self.repeat.store(true, Ordering::SeqCst);
    }

    /// Whether the armed fault struck.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst) > 0
    }
}

#[derive(Clone)]
struct Conn {
    seen: Arc<AtomicU32>,
    fired: Arc<AtomicU32>,
    repeat: Arc<AtomicBool>,
    armed: Arc<Mutex<Option<(Step, Fault)>>>,
}

impl Conn {
    fn armed(&self) -> Option<(Step, Fault)> {
        if self.fired.load(Ordering::SeqCst) > 0 && !self.repeat.load(Ordering::SeqCst) {
            return None;
        }
        self.armed.lock().unwrap().clone()
    }

    /// Counts one occurrence of the step; whether it is the armed one.
    fn strikes(&self, nth: u32) -> bool {
        let now = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if now == nth || (now > nth && self.repeat.load(Ordering::SeqCst)) {
            self.fired.fetch_add(1, Ordering::SeqCst);
            return true;
        }
        false
    }

    async fn pipe(self, client: TcpStream, server: TcpStream) {
        let (cr, cw) = client.into_split();
        let (sr, sw) = server.into_split();
        // Set by the client side when an armed HTTP request passes: its answer gets the fault.
        let answer_faulted = Arc::new(Mutex::new(None::<Fault>));
        let up = tokio::spawn(self.clone().upstream(cr, sw, answer_faulted.clone()));
        self.downstream(sr, cw, answer_faulted).await;
        // Stopping the client side drops its read half: the socket closes now (with RST after a
        // reset, whose write half was forgotten rather than shut down).
        up.abort();
        let _ = up.await;
    }

    async fn upstream(self, mut cr: OwnedReadHalf, mut sw: OwnedWriteHalf, answer_faulted: Arc<Mutex<Option<Fault>>>) {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some((Step::Http { text, nth }, fault)) = self.armed() {
                let chunk = String::from_utf8_lossy(&buf[..n]);
                let requests = chunk.split("\r\n").filter(|line| is_request_line(line) && line.contains(&text));
                for _ in requests {
                    if self.strikes(nth) {
                        *answer_faulted.lock().unwrap() = Some(fault);
                    }
                }
            }
            if sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = sw.shutdown().await;
    }

    async fn downstream(
        self,
        mut sr: OwnedReadHalf,
        mut cw: OwnedWriteHalf,
        answer_faulted: Arc<Mutex<Option<Fault>>>,
    ) {
        let mut buf = vec![0u8; 16 * 1024];
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let http_fault = answer_faulted.lock().unwrap().take();
            if let Some(fault) = http_fault {
                return strike(fault, &buf[..n], &mut sr, cw).await;
            }
            let Some((Step::Ldap { tag, nth }, fault)) = self.armed() else {
                if cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
                continue;
            };
            pending.extend_from_slice(&buf[..n]);
            // Forward whole messages up to the armed one.
            while let Some(len) = ldap_message_len(&pending) {
                if ldap_op_tag(&pending) == Some(tag) && self.strikes(nth) {
                    return strike(fault, &std::mem::take(&mut pending), &mut sr, cw).await;
                }
                let message: Vec<u8> = pending.drain(..len).collect();
                if cw.write_all(&message).await.is_err() {
                    return;
                }
            }
        }
        let _ = cw.shutdown().await;
    }
}

fn is_request_line(line: &str) -> bool {
    ["GET ", "POST ", "PUT ", "DELETE ", "PATCH "].iter().any(|m| line.starts_with(m)) && line.ends_with("HTTP/1.1")
}

/// The fault, from `rest` (the server's bytes not yet sent) on.
async fn strike(fault: Fault, rest: &[u8], sr: &mut OwnedReadHalf, mut cw: OwnedWriteHalf) {
    match fault {
        Fault::Cut => {
            let _ = cw.shutdown().await;
        }
        Fault::Reset => {
            // A close with nothing lingering makes the kernel send RST, not FIN. Dropping the
            // write half would shut it down first (FIN: the client would see an end of stream),
            // so it is forgotten; the socket closes when the read half goes (see `pipe`).
            let _ = cw.as_ref().set_zero_linger();
            cw.forget();
        }
        Fault::Stall => {
            let _ = tokio::time::timeout(HOLD, drain(sr)).await;
        }
        Fault::Trickle => {
            let _ = tokio::time::timeout(HOLD, async {
                for byte in rest {
                    if cw.write_all(std::slice::from_ref(byte)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(TRICKLE_GAP).await;
                }
                drain(sr).await;
            })
            .await;
        }
    }
}

/// Reads and drops what the server still sends, until it closes.
async fn drain(sr: &mut OwnedReadHalf) {
    let mut buf = vec![0u8; 4096];
    while let Ok(n) = sr.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// The length of the first whole BER-encoded LDAP message in `bytes`, if it is all there.
fn ldap_message_len(bytes: &[u8]) -> Option<usize> {
    let (&first, rest) = bytes.split_first()?;
    if first != 0x30 {
        return None;
    }
    let (len, header) = ber_len(rest)?;
    let total = 1 + header + len;
    (bytes.len() >= total).then_some(total)
}

/// A BER length: its value and how many bytes it took.
fn ber_len(bytes: &[u8]) -> Option<(usize, usize)> {
    let &first = bytes.first()?;
    if first < 0x80 {
        return Some((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7f);
    let digits = bytes.get(1..1 + count)?;
    Some((digits.iter().fold(0usize, |n, &d| (n << 8) | usize::from(d)), 1 + count))
}

/// The protocol-op tag of the LDAP message at the start of `bytes` (after the message id).
fn ldap_op_tag(bytes: &[u8]) -> Option<u8> {
    let (_, header) = ber_len(bytes.get(1..)?)?;
    let id_at = 1 + header;
    let id_len = usize::from(*bytes.get(id_at + 1)?);
    bytes.get(id_at + 2 + id_len).copied()
}
