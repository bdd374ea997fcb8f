//! The look-alike on the wire: HTTPS on 127.0.0.1 with a CA made at start, HTTP/1.1 with
//! keep-alive, one task per connection, bounded connections and request sizes.

use super::api::{self, Answer};
use super::auth;
use super::faults::{Fault, FaultRule};
use super::odata::Query;
use super::state::{App, Logged, Lookalike, Settings, lock};
use super::tenant::Tenant;
use crate::demo::DemoError;
use crate::demo::certs::DemoTls;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

const MAX_CONNECTIONS: usize = 256;
const MAX_REQUEST_BYTES: usize = 1 << 20;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

type Body = BoxBody<Bytes, std::io::Error>;

#[derive(Clone, Debug)]
pub struct LookalikeOptions {
    pub users: u32,
    /// 0 picks a free port.
    pub port: u16,
    pub page_size: usize,
    pub latency: Duration,
}

impl Default for LookalikeOptions {
    fn default() -> Self {
        Self { users: 2000, port: 0, page_size: 999, latency: Duration::ZERO }
    }
}

/// The app the look-alike lets sign in; fixed, so a served look-alike is easy to point at.
pub const CLIENT_ID: &str = "6a3c1f0e-5b7d-4e2a-9c48-ad5c0000d3e0";
pub const TENANT_ID: &str = "1b2c3d4e-0000-4000-8000-ad5c00000001";
pub const CLIENT_SECRET: &str = "adsync-demo~Graph-Secret-0f3a9";

/// A running look-alike. Dropping it stops the listener.
pub struct GraphLookalike {
    pub addr: SocketAddr,
    pub ca_pem: String,
    pub state: Arc<Lookalike>,
    stop: CancellationToken,
}

impl GraphLookalike {
    pub async fn start(options: &LookalikeOptions) -> Result<Self, DemoError> {
        Self::serve(Tenant::company(options.users), options).await
    }

    /// Serves `tenant` (tests bring their own).
    pub async fn serve(tenant: Tenant, options: &LookalikeOptions) -> Result<Self, DemoError> {
        let tls = DemoTls::generate(&["127.0.0.1", "localhost"])?;
        let bind = format!("127.0.0.1:{}", options.port);
        let listener =
            TcpListener::bind(&bind).await.map_err(|source| DemoError::Listen { addr: bind.clone(), source })?;
        let addr = listener.local_addr().map_err(|source| DemoError::Listen { addr: bind, source })?;
        let app = App {
            tenant_id: TENANT_ID.into(),
            client_id: CLIENT_ID.into(),
            secret: CLIENT_SECRET.into(),
            secret_expired: false,
        };
        let settings = Settings { page_size: options.page_size, latency: options.latency, token_lifetime: 3599 };
        let state = Arc::new(Lookalike::new(format!("https://{addr}"), tenant, app, settings));
        let stop = CancellationToken::new();
        let acceptor = TlsAcceptor::from(tls.server.clone());
        tokio::spawn(accept_loop(listener, acceptor, state.clone(), stop.clone()));
        Ok(Self { addr, ca_pem: tls.ca_pem, state, stop })
    }

    /// `https://127.0.0.1:port`: both the authority and the Graph URL.
    pub fn url(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn tenant_name(&self) -> String {
        lock(&self.state.tenant).domain.clone()
    }

    pub fn arm(&self, rule: FaultRule) {
        self.state.faults.arm(rule);
    }

    /// Every request answered so far.
    pub fn requests(&self) -> Vec<Logged> {
        lock(&self.state.log).clone()
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }
}

impl Drop for GraphLookalike {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor, state: Arc<Lookalike>, stop: CancellationToken) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let Ok(permit) = slots.clone().try_acquire_owned() else { continue };
        let (acceptor, state, stop) = (acceptor.clone(), state.clone(), stop.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let _ = stream.set_nodelay(true);
            let Ok(Ok(tls)) = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { answer(&state, req).await }
            });
            let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service);
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = connection => {}
            }
        });
    }
}

/// The answer to one request; an error drops the connection without one (a reset).
async fn answer(state: &Lookalike, req: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
    let latency = lock(&state.settings).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let bearer = bearer(&req);
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(respond(Answer::error(413, "RequestTooLarge", "The request is too large."), None));
        }
    };
    let fault = state.faults.hit(&path);
    let answer = match &fault {
        Some(f) if !f.breaks_delivery() => faulted(state, f, bearer.as_deref()),
        _ => route(state, &method, &path, &query, bearer.as_deref(), &body),
    };
    state.record(Logged { method, path, query, status: answer.status });
    if fault == Some(Fault::Reset) {
        return Err(std::io::Error::other("the look-alike reset the connection"));
    }
    Ok(respond(answer, fault.filter(Fault::breaks_delivery)))
}

fn bearer(req: &Request<Incoming>) -> Option<String> {
    let value = req.headers().get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_string)
}

fn faulted(state: &Lookalike, fault: &Fault, bearer: Option<&str>) -> Answer {
    if let (Fault::ExpireToken, Some(token)) = (fault, bearer) {
        state.revoke_token(token);
    }
    Answer::fault(fault)
}

fn route(state: &Lookalike, method: &str, path: &str, query: &str, bearer: Option<&str>, body: &[u8]) -> Answer {
    if let Some(tenant) = path.strip_suffix("/oauth2/v2.0/token").map(|t| t.trim_start_matches('/')) {
        let (status, reply) =
            if method == "POST" { auth::token(state, tenant, body) } else { (405, serde_json::Value::Null) };
        return Answer::json(status, &reply);
    }
    if !path.starts_with("/v1.0/") {
        return Answer::error(404, "NotFound", "Not a Graph path.");
    }
    if !bearer.is_some_and(|t| state.token_valid(t)) {
        return Answer::error(401, "InvalidAuthenticationToken", "Access token is empty or no longer valid.");
    }
    if !state.may(api::needs(path)) {
        return Answer::error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }
    match method {
        "POST" if path == "/v1.0/$batch" => api::batch(state, body),
        "GET" => api::get(state, path, &Query::parse(Some(query))),
        _ => Answer::error(405, "MethodNotAllowed", "The look-alike only reads."),
    }
}

/// The HTTP response, its delivery broken by `fault`: a cut sends the first half of the
/// body, then drops the connection, as a network failure would; a stall sends the first
/// half and then nothing; a trickle sends it all, a few bytes at a time.
fn respond(answer: Answer, fault: Option<Fault>) -> Response<Body> {
    let mut builder = Response::builder().status(answer.status).header(hyper::header::CONTENT_TYPE, "application/json");
    if let Some(seconds) = answer.retry_after {
        builder = builder.header(hyper::header::RETRY_AFTER, seconds.to_string());
    }
    if fault.is_some() {
        builder = builder.header(hyper::header::CONTENT_LENGTH, answer.body.len().to_string());
    }
    let half = || Ok(Frame::data(Bytes::from(answer.body[..answer.body.len() / 2].to_vec())));
    let body: Body = match fault {
        Some(Fault::Cut) => {
            let frames = vec![half(), Err(std::io::Error::other("the look-alike cut the connection"))];
            StreamBody::new(futures::stream::iter(frames)).boxed()
        }
        Some(Fault::Stall) => {
            StreamBody::new(futures::StreamExt::chain(futures::stream::iter([half()]), futures::stream::pending()))
                .boxed()
        }
        Some(Fault::Trickle) => trickle(Bytes::from(answer.body)),
        _ => Full::new(Bytes::from(answer.body)).map_err(|never| match never {}).boxed(),
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).map_err(|never| match never {}).boxed()))
}

/// `body` eight bytes at a time, a tenth of a second apart; it ends when the client hangs up
/// or the body is through.
fn trickle(body: Bytes) -> Body {
    let frames = futures::stream::unfold(body, |mut rest| async move {
        if rest.is_empty() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let chunk = rest.split_to(rest.len().min(8));
        Some((Ok(Frame::data(chunk)), rest))
    });
    StreamBody::new(frames).boxed()
}
