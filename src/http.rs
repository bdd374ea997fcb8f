//! The HTTP client settings every outside service gets: adsync's user agent, bounded
//! connects and requests, TLS verified against the system's roots (plus a private CA when
//! one is configured), and HTTPS_PROXY / NO_PROXY from the environment (reqwest's default).

use std::path::Path;
use std::time::{Duration, SystemTime};

#[derive(Debug, thiserror::Error)]
pub enum HttpSetupError {
    #[error("cannot read the CA file {path}: {detail}; give a PEM file holding the CA certificate(s)")]
    CaFile { path: String, detail: String },
    #[error("the HTTP client: {0}")]
    Client(String),
}

/// A client builder with adsync's defaults; callers add their own headers and build it.
pub fn builder(
    timeout: Duration,
    connect_timeout: Duration,
    ca_file: Option<&Path>,
) -> Result<reqwest::ClientBuilder, HttpSetupError> {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("adsync/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .connect_timeout(connect_timeout.min(timeout));
    match ca_file {
        Some(path) => Ok(builder.tls_certs_merge(certificates(path)?)),
        None => Ok(builder),
    }
}

/// Builds the client, with the innermost cause when that fails.
pub fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, HttpSetupError> {
    builder.build().map_err(|e| HttpSetupError::Client(root_cause(&e)))
}

fn certificates(path: &Path) -> Result<Vec<reqwest::Certificate>, HttpSetupError> {
    let shown = path.display().to_string();
    let pem = std::fs::read(path).map_err(|e| HttpSetupError::CaFile { path: shown.clone(), detail: e.to_string() })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| HttpSetupError::CaFile { path: shown.clone(), detail: root_cause(&e) })?;
    if certs.is_empty() {
        return Err(HttpSetupError::CaFile { path: shown, detail: "it holds no certificate".into() });
    }
    Ok(certs)
}

/// The innermost cause ("Connection refused (os error 111)"): reqwest's own text only
/// repeats the URL, which the message names already.
pub fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Retry-After as seconds (`120`) or as an HTTP date; a date in the past means now.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wait before retry number `retry` (0 for the first): half the exponential step plus a
/// random share of the other half ("equal jitter"), so parallel requests that failed
/// together do not come back together.
pub fn jittered_backoff(base: Duration, max: Duration, retry: u32) -> Duration {
    let step = base.saturating_mul(1 << retry.min(20)).min(max);
    let half = step / 2;
    let extra = fastrand::u64(0..=half.as_millis() as u64);
    half + Duration::from_millis(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let e = builder(Duration::from_secs(1), Duration::from_secs(1), Some(&path)).unwrap_err().to_string();
        assert!(e.contains("empty.pem") && e.contains("no certificate"), "{e}");
        let tls = crate::demo::certs::DemoTls::generate(&["127.0.0.1"]).unwrap();
        std::fs::write(&path, &tls.ca_pem).unwrap();
        build(builder(Duration::from_secs(1), Duration::from_secs(1), Some(&path)).unwrap()).unwrap();
    }
}
