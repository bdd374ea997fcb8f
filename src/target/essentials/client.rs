//! The HTTP side of the service: credentials on every request, the [`Gate`], a timeout per
//! request, bounded retries, and the check that keeps a retried create from creating twice.

use super::gate::Gate;
use super::retry::{Backoff, Failure, RetryPolicy};
use crate::http::parse_retry_after;
use crate::http::root_cause;
use crate::target::{TargetError, wire};
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// Connecting should never take long, even when answers may.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Echoed by the service in its answer and logs.
const CORRELATOR_HEADER: &str = "x-correlator";

pub struct Credentials {
    pub user: String,
    pub password: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).field("password", &"[redacted]").finish()
    }
}

#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub timeout: Duration,
    pub max_in_flight: u32,
    pub max_requests_per_second: Option<f64>,
    pub retry: RetryPolicy,
}

/// One request as the retry loop sees it.
pub struct Call<'a> {
    pub method: Method,
    pub url: Url,
    pub body: Option<&'a Value>,
    /// For a create: a GET whose 200 proves that an unanswered attempt went through.
    pub probe: Option<Url>,
}

impl Call<'_> {
    pub fn get(url: Url) -> Self {
        Self { method: Method::GET, url, body: None, probe: None }
    }

    /// `GET /api/v1/orgs/example.com/users`, for messages and logs.
    pub fn label(&self) -> (String, String) {
        (self.method.to_string(), self.url.path().to_string())
    }
}

/// An answer that is not worth retrying: success, or a refusal for the caller to interpret.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// An earlier attempt may have been carried out (a timeout or 5xx came first), so a 404 on
    /// DELETE or a 409 on POST can be our own earlier success.
    pub replayed: bool,
    /// The `X-Correlator` the answering request carried, for matching it in the service's logs.
    pub correlator: String,
}

/// `X-Correlator` values: unique per request, and per process through a random prefix, so a
/// failure in adsync's log can be found in the service's.
struct Correlators {
    prefix: String,
    next: AtomicU64,
}

impl Correlators {
    fn new() -> Self {
        Self { prefix: format!("adsync-{:08x}", fastrand::u32(..)), next: AtomicU64::new(1) }
    }

    fn next(&self) -> String {
        format!("{}-{}", self.prefix, self.next.fetch_add(1, Ordering::Relaxed))
    }
}

pub struct ApiClient {
    http: reqwest::Client,
    password: SecretString,
    timeout: Duration,
    pub(super) retry: RetryPolicy,
    gate: Gate,
    correlators: Correlators,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient").field("timeout", &self.timeout).field("retry", &self.retry).finish_non_exhaustive()
    }
}

impl ApiClient {
    pub fn new(credentials: Credentials, settings: ClientSettings) -> Result<Self, TargetError> {
        let headers = auth_headers(&credentials)?;
        let setup = |e: crate::http::HttpSetupError| TargetError::Setup(e.to_string());
        let builder = crate::http::builder(settings.timeout, CONNECT_TIMEOUT, None).map_err(setup)?;
        let http = crate::http::build(builder.default_headers(headers)).map_err(setup)?;
        Ok(Self {
            http,
            password: credentials.password,
            timeout: settings.timeout,
            retry: settings.retry,
            gate: Gate::new(settings.max_in_flight, settings.max_requests_per_second),
            correlators: Correlators::new(),
        })
    }

    /// Sends `call` until it gets an answer worth handing back, within the retry policy.
    pub async fn send(&self, call: &Call<'_>) -> Result<Answer, TargetError> {
        let mut backoff = Backoff::new(&self.retry);
        let mut replayed = false;
        loop {
            let correlator = self.correlators.next();
            let failure = match self.attempt(call, &correlator).await {
                Ok(answer) => return Ok(Answer { replayed, ..answer }),
                Err(failure) => failure,
            };
            let delay = backoff.next_delay(&failure).map_err(|last| {
                let err = gave_up(call, backoff.attempts(), last, &failure);
                tracing::warn!(x_correlator = %correlator, "{err}");
                err
            })?;
            self.wait_before_retry(call, &failure, delay, &correlator).await;
            replayed |= failure.may_have_applied();
            if failure.may_have_applied() && self.probe_finds(call).await? {
                tracing::info!("{} {}: the earlier attempt went through", call.method, call.url.path());
                return Ok(Answer { status: StatusCode::CREATED, body: Vec::new(), replayed: true, correlator });
            }
        }
    }

    /// The service's error body as one line, with the password cut out should it ever echo it.
    pub fn server_message(&self, body: &[u8]) -> String {
        let message = wire::error_message(body);
        let secret = self.password.expose_secret();
        if secret.len() >= 4 { message.replace(secret, "[redacted]") } else { message }
    }

    async fn attempt(&self, call: &Call<'_>, correlator: &str) -> Result<Answer, Failure> {
        let _permit = self.gate.enter().await;
        let started = Instant::now();
        let result = self.exchange(call, correlator).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok((status, _, _)) => {
                tracing::debug!(method = %call.method, path = call.url.path(), status = status.as_u16(), elapsed_ms, x_correlator = correlator, "service request")
            }
            Err(failure) => {
                tracing::debug!(method = %call.method, path = call.url.path(), failure = %failure.describe(), elapsed_ms, x_correlator = correlator, "service request")
            }
        }
        let (status, retry_after, body) = result?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Failure::RateLimited { retry_after });
        }
        if status.is_server_error() {
            return Err(Failure::ServerError { status: status.as_u16(), message: self.server_message(&body) });
        }
        Ok(Answer { status, body, replayed: false, correlator: correlator.to_string() })
    }

    async fn exchange(
        &self,
        call: &Call<'_>,
        correlator: &str,
    ) -> Result<(StatusCode, Option<Duration>, Vec<u8>), Failure> {
        let mut request =
            self.http.request(call.method.clone(), call.url.clone()).header(CORRELATOR_HEADER, correlator);
        if let Some(body) = call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.transport_failure(&e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = response.bytes().await.map_err(|e| self.transport_failure(&e))?.to_vec();
        Ok((status, retry_after, body))
    }

    fn transport_failure(&self, err: &reqwest::Error) -> Failure {
        // A failed connect never reached the service, even when it failed by timing out.
        if err.is_connect() {
            Failure::Connect { detail: root_cause(err) }
        } else if err.is_timeout() {
            Failure::Timeout { after: self.timeout }
        } else {
            Failure::Transport { detail: root_cause(err) }
        }
    }

    async fn wait_before_retry(&self, call: &Call<'_>, failure: &Failure, delay: Duration, correlator: &str) {
        tracing::info!(
            x_correlator = correlator,
            "{} {}: {}; trying again in {}",
            call.method,
            call.url.path(),
            failure.describe(),
            humantime::format_duration(Duration::from_millis(delay.as_millis() as u64))
        );
        if matches!(failure, Failure::RateLimited { .. }) {
            self.gate.pause_for(delay);
        }
        tokio::time::sleep(delay).await;
    }

    /// Whether an unanswered create went through after all (GET answers 200).
    async fn probe_finds(&self, call: &Call<'_>) -> Result<bool, TargetError> {
        let Some(probe) = &call.probe else {
            return Ok(false);
        };
        let answer = Box::pin(self.send(&Call::get(probe.clone()))).await?;
        Ok(answer.status == StatusCode::OK)
    }
}

fn auth_headers(credentials: &Credentials) -> Result<HeaderMap, TargetError> {
    let user = HeaderValue::from_str(&credentials.user)
        .map_err(|_| TargetError::Setup("target.user contains characters that cannot go in an HTTP header".into()))?;
    let mut password = HeaderValue::from_str(credentials.password.expose_secret()).map_err(|_| {
        TargetError::Setup("the password contains characters that cannot go in an HTTP header (a line break?)".into())
    })?;
    // Keeps it out of every Debug rendering of the request.
    password.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert("x-user", user);
    headers.insert("x-password", password);
    Ok(headers)
}

fn gave_up(call: &Call<'_>, attempts: u32, last: String, failure: &Failure) -> TargetError {
    let (method, path) = call.label();
    TargetError::GaveUp { method, path, attempts, last, fix: failure.fix() }
}
