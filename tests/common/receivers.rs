//! Loopback receivers for notifications: a real SMTP server (Debian's python3-aiosmtpd, run
//! by tests/fixtures/smtp_receiver.py, with TLS and a login) and an HTTP server that keeps
//! every webhook POST. Both stop when dropped.

use super::tls_lab::{Leaf, TestCa};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SMTP_USER: &str = "adsync-notify";
pub const SMTP_PASSWORD: &str = "smtp-Pa55-word";

/// A Python 3 that has aiosmtpd: Debian's, which a pyenv shim may hide.
fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        Command::new(py).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpMode {
    Smtps,
    StartTls,
}

pub struct SmtpReceiver {
    child: Child,
    pub port: u16,
    pub ca_file: PathBuf,
    out: tempfile::TempDir,
}

impl SmtpReceiver {
    /// `None` (test skipped) without aiosmtpd outside scripts/test.sh, which installs it.
    pub fn start(mode: SmtpMode) -> Option<SmtpReceiver> {
        let Some(py) = python() else {
            assert!(std::env::var_os("ADSYNC_LAB").is_none(), "python3-aiosmtpd is missing under scripts/test.sh");
            eprintln!("skipped: python3-aiosmtpd is not installed");
            return None;
        };
        let out = tempfile::tempdir().unwrap();
        let ca = TestCa::new();
        let (cert, key) = ca.leaf_pem(&Leaf::valid_for(&["127.0.0.1"]));
        let (cert_file, key_file) = (out.path().join("cert.pem"), out.path().join("key.pem"));
        std::fs::write(&cert_file, cert).unwrap();
        std::fs::write(&key_file, key).unwrap();
        let ca_file = ca.write(out.path());
        let mail = out.path().join("mail");
        std::fs::create_dir(&mail).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_receiver.py");
        let mode = if mode == SmtpMode::Smtps { "smtps" } else { "starttls" };
        let mut child = Command::new(py)
            .arg(script)
            .args([mode, &cert_file.display().to_string(), &key_file.display().to_string(), SMTP_USER, SMTP_PASSWORD])
            .arg(&mail)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP receiver starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let port = first.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()).expect("READY <port>");
        Some(SmtpReceiver { child, port, ca_file, out })
    }

    /// The messages received so far, in order.
    pub fn messages(&self) -> Vec<Value> {
        let dir = self.out.path().join("mail");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort_by_key(|p| p.file_stem().and_then(|s| s.to_str()?.parse::<u32>().ok()));
        files.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// Waits (bounded) for `n` messages.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n || started.elapsed() > within {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One webhook POST: its path, headers and JSON body.
#[derive(Clone, Debug)]
pub struct Hook {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

type Hooks = Arc<Mutex<Vec<Hook>>>;

pub struct WebhookReceiver {
    pub port: u16,
    hooks: Hooks,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl WebhookReceiver {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hooks: Hooks = Arc::default();
        let app = Router::new().fallback(keep).with_state(hooks.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
        });
        Self { port, hooks, stop: Some(stop) }
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.hooks.lock().unwrap().clone()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn keep(State(hooks): State<Hooks>, uri: Uri, headers: HeaderMap, body: Bytes) -> &'static str {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    hooks.lock().unwrap().push(Hook { path: uri.path().to_string(), headers, body });
    "ok"
}

/// A port nothing listens on: a dead receiver.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
