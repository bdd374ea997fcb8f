//! Requests to Microsoft Graph: the app's token on each, a new token once when Graph says
//! the old one is no longer valid, 429/503 waited out within the read's [`Throttle`], and
//! every other refusal turned into an error an admin can act on.

use super::error::{GraphError, permission_for};
use super::throttle::Throttle;
use super::token::Tokens;
use crate::config::GraphConfig;
use crate::http::{HttpSetupError, parse_retry_after, root_cause};
use bytes::Bytes;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// Attempts at one request: the throttle's limit, and one more for a renewed token.
const MAX_SENDS: u32 = super::throttle::MAX_ATTEMPTS + 1;

/// What every request of one read shares: its waiting budget and its cancel switch.
pub struct Ctx {
    pub throttle: Throttle,
    pub cancel: CancellationToken,
}

impl Ctx {
    pub fn new(cancel: CancellationToken) -> Self {
        Self { throttle: Throttle::default(), cancel }
    }

    /// Runs `work` unless the read is cancelled first.
    pub async fn until_cancelled<T>(&self, work: impl Future<Output = Result<T, GraphError>>) -> Result<T, GraphError> {
        tokio::select! {
            _ = self.cancel.cancelled() => Err(GraphError::Cancelled),
            result = work => result,
        }
    }
}

/// An answer that is neither a throttle nor an expired token.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

pub struct GraphClient {
    http: reqwest::Client,
    pub config: Arc<GraphConfig>,
    tokens: Arc<Tokens>,
    requests: AtomicU32,
}

#[derive(serde::Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorDetail,
}

#[derive(serde::Deserialize, Default)]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl GraphClient {
    pub fn new(config: Arc<GraphConfig>, tokens: Arc<Tokens>) -> Result<Self, GraphError> {
        let setup = |e: HttpSetupError| GraphError::Setup(e.to_string());
        let builder = crate::http::builder(config.op_timeout, config.connect_timeout, config.ca_file.as_deref())
            .map_err(setup)?;
        let http = crate::http::build(builder).map_err(setup)?;
        Ok(Self { http, config, tokens, requests: AtomicU32::new(0) })
    }

    /// Gets a token (or finds one still valid): the sign-in half of a read, on its own.
    pub async fn sign_in(&self) -> Result<(), GraphError> {
        self.tokens.bearer(&self.http, &self.config).await.map(|_| ())
    }

    /// HTTP requests sent to Graph and to the token endpoint so far.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed) + self.tokens.requested()
    }

    /// A GET that must succeed, its JSON answer read as `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str, ctx: &Ctx) -> Result<T, GraphError> {
        let answer = self.send(Method::GET, url, None, ctx).await?;
        if !(200..300).contains(&answer.status) {
            return Err(refusal(url, &answer));
        }
        parse(url, &answer.body)
    }

    /// Sends until the answer is neither a throttle nor an expired token.
    pub async fn send(&self, method: Method, url: &str, body: Option<&[u8]>, ctx: &Ctx) -> Result<Answer, GraphError> {
        self.check_link(url)?;
        let mut renewed = false;
        for attempt in 1..=MAX_SENDS {
            let bearer = ctx.until_cancelled(self.tokens.bearer(&self.http, &self.config)).await?;
            let (answer, retry_after) = ctx.until_cancelled(self.attempt(&method, url, body, &bearer)).await?;
            match answer.status {
                401 if !renewed && error_detail(&answer.body).code == "InvalidAuthenticationToken" => {
                    self.tokens.discard(&bearer).await;
                    renewed = true;
                }
                401 => return Err(GraphError::TokenRefused { path: path_of(url), said: said(&answer.body) }),
                429 | 503 => {
                    let wait = ctx.throttle.next_wait(retry_after, attempt).map_err(|why| GraphError::Throttled {
                        path: path_of(url),
                        why: format!("{} {why}", answer.status),
                    })?;
                    tracing::info!(path = %path_of(url), ?wait, status = answer.status, "Graph is throttling");
                    ctx.until_cancelled(async {
                        tokio::time::sleep(wait).await;
                        Ok(())
                    })
                    .await?;
                }
                _ => return Ok(answer),
            }
        }
        Err(GraphError::Throttled { path: path_of(url), why: format!("no answer after {MAX_SENDS} attempts") })
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        body: Option<&[u8]>,
        bearer: &secrecy::SecretString,
    ) -> Result<(Answer, Option<Duration>), GraphError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method.clone(), url).bearer_auth(bearer.expose_secret());
        if let Some(body) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
        }
        let host = self.host();
        let path = path_of(url);
        let sent = request.send().await.map_err(|e| transport_error(&e, &host, &path, self.config.op_timeout))?;
        let status = sent.status().as_u16();
        let retry_after = sent
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = sent.bytes().await.map_err(|e| transport_error(&e, &host, &path, self.config.op_timeout))?;
        Ok((Answer { status, body }, retry_after))
    }

    fn host(&self) -> String {
        self.config.graph_url.host_str().unwrap_or_default().to_string()
    }

    /// Graph's next-page and delta links are followed verbatim, but the token only ever
    /// goes to the configured Graph host.
    pub fn check_link(&self, link: &str) -> Result<(), GraphError> {
        let ours = self.config.graph_url.origin();
        match url::Url::parse(link) {
            Ok(url) if url.origin() == ours => Ok(()),
            _ => Err(GraphError::ForeignLink { link: link.chars().take(120).collect() }),
        }
    }
}

pub fn parse<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(body).map_err(|e| GraphError::BadAnswer { path: path_of(url), detail: e.to_string() })
}

/// `https://graph.microsoft.com/v1.0/users?$skiptoken=…` → `/v1.0/users`.
pub fn path_of(url: &str) -> String {
    url::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_else(|_| url.chars().take(80).collect())
}

pub fn error_detail(body: &[u8]) -> ErrorDetail {
    serde_json::from_slice::<ErrorBody>(body).map(|b| b.error).unwrap_or_default()
}

/// Graph's own words, short: `Authorization_RequestDenied: Insufficient privileges …`.
fn said(body: &[u8]) -> String {
    let detail = error_detail(body);
    match (detail.code.is_empty(), detail.message.is_empty()) {
        (false, false) => format!("{}: {}", detail.code, detail.message),
        (false, true) => detail.code,
        _ => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
    }
}

/// A refusal that waiting or a new token does not cure.
pub fn refusal(url: &str, answer: &Answer) -> GraphError {
    let path = path_of(url);
    let detail = error_detail(&answer.body);
    if answer.status == 403 {
        let (what, permission) = permission_for(&path);
        return GraphError::Permission { what, permission, path, said: said(&answer.body) };
    }
    let fix = match answer.status {
        404 => "Check source.graph_url; the object may also have just been deleted: run again.",
        500.. => "Microsoft Graph had a problem; nothing was used from this read. Run again later.",
        _ => "adsync did not expect this answer; please report it with this message.",
    };
    let said = if detail.message.is_empty() { said(&answer.body) } else { detail.message };
    GraphError::Refused { path, status: answer.status, code: detail.code, said, fix }
}

/// A request that got no HTTP answer (or only part of one), in words.
pub fn transport_error(err: &reqwest::Error, host: &str, path: &str, timeout: Duration) -> GraphError {
    if err.is_timeout() {
        return GraphError::Timeout { host: host.into(), path: path.into(), after: timeout };
    }
    // rustls appends a link to its manual, which says nothing an admin needs here.
    let detail = root_cause(err).split(": https://").next().unwrap_or_default().to_string();
    if !err.is_connect() {
        return GraphError::Cut { host: host.into(), path: path.into(), detail };
    }
    let fix = if detail.contains("certificate") || detail.contains("UnknownIssuer") {
        "set source.ca_file to the CA that issued the certificate (a TLS-inspecting proxy's CA, say)"
    } else {
        "check the host name, DNS, and the network path (HTTPS_PROXY / NO_PROXY, firewall)"
    };
    GraphError::Unreachable { host: host.into(), detail, fix }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer { status, body: Bytes::from(body.to_string()) }
    }

    #[test]
    fn a_403_names_the_permission_for_the_path() {
        let body = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        let e = refusal("https://graph.microsoft.com/v1.0/groups/1/members?$top=999", &answer(403, body)).to_string();
        assert!(e.contains("lacks the application permission GroupMember.Read.All"), "{e}");
        assert!(e.contains("Grant admin consent") && e.contains("Authorization_RequestDenied"), "{e}");
        assert!(!e.contains("$top"), "{e}");
    }

    #[test]
    fn links_are_followed_only_to_the_graph_host() {
        let text = "[source]\nkind = \"graph\"\ntenant = \"contoso.onmicrosoft.com\"\n\
            client_id = \"11111111-2222-3333-4444-555555555555\"\nclient_secret_env = \"S\"\n";
        let config = crate::config::Config::parse(text, "t.toml").unwrap();
        let client = GraphClient::new(Arc::new(config.source.graph().unwrap().clone()), Arc::default()).unwrap();
        assert!(client.check_link("https://graph.microsoft.com/v1.0/users?$skiptoken=x").is_ok());
        for foreign in ["https://graph.evil.example/v1.0/users", "http://graph.microsoft.com/v1.0/users", "not a url"] {
            assert!(matches!(client.check_link(foreign), Err(GraphError::ForeignLink { .. })), "{foreign}");
        }
    }

    #[test]
    fn a_server_error_says_nothing_was_used() {
        let e = refusal("https://graph.microsoft.com/v1.0/users", &answer(500, "oops")).to_string();
        assert_eq!(
            e,
            "Graph: /v1.0/users answered 500: oops. Microsoft Graph had a problem; nothing was used from this read. Run again later."
        );
    }
}
