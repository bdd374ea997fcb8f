//! The app's access token (OAuth 2.0 client credentials): fetched when first needed, kept
//! until shortly before it expires, and dropped when Graph says it is no longer valid.

use super::client::transport_error;
use super::error::{GraphError, sign_in_meaning};
use crate::config::GraphConfig;
use crate::config::secret::CLIENT_SECRET;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// A token is renewed this long before Entra ID's expiry, so no request carries a token
/// that expires on its way.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

pub(super) struct Token {
    bearer: SecretString,
    renew_at: Instant,
}

#[derive(Default)]
pub struct Tokens {
    current: tokio::sync::Mutex<Option<Token>>,
    /// Token requests made (for the read's request count).
    requested: std::sync::atomic::AtomicU32,
}

#[derive(Deserialize)]
struct Granted {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u32>,
}

impl Tokens {
    /// A token valid for a while yet, fetching a new one when needed.
    pub async fn bearer(&self, http: &reqwest::Client, config: &GraphConfig) -> Result<SecretString, GraphError> {
        let mut slot = self.current.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.bearer.clone());
        }
        self.requested.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = request(http, config).await?;
        let bearer = token.bearer.clone();
        *slot = Some(token);
        Ok(bearer)
    }

    pub fn requested(&self) -> u32 {
        self.requested.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Graph refused `used`: the next request fetches a new token (unless another request
    /// already did).
    pub async fn discard(&self, used: &SecretString) {
        let mut slot = self.current.lock().await;
        if slot.as_ref().is_some_and(|t| t.bearer.expose_secret() == used.expose_secret()) {
            *slot = None;
        }
    }
}

async fn request(http: &reqwest::Client, config: &GraphConfig) -> Result<Token, GraphError> {
    let secret = config.secret.resolve_as("source", &CLIENT_SECRET)?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &config.client_id)
        .append_pair("client_secret", secret.expose_secret())
        .append_pair("scope", &config.scope())
        .append_pair("grant_type", "client_credentials")
        .finish();
    let url = config.token_url();
    let host = config.authority_url.host_str().unwrap_or_default().to_string();
    let sent = http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| transport_error(&e, &host, "the token request", config.op_timeout))?;
    let status = sent.status();
    let bytes = sent.bytes().await.map_err(|e| transport_error(&e, &host, "the token request", config.op_timeout))?;
    if status.is_success() {
        return granted(&bytes);
    }
    Err(refused(status.as_u16(), &bytes))
}

pub(super) fn granted(bytes: &[u8]) -> Result<Token, GraphError> {
    let granted: Granted = serde_json::from_slice(bytes)
        .map_err(|e| GraphError::BadAnswer { path: "the token endpoint".into(), detail: e.to_string() })?;
    let lifetime = Duration::from_secs(granted.expires_in);
    let margin = RENEW_BEFORE.min(lifetime / 2);
    Ok(Token { bearer: SecretString::from(granted.access_token), renew_at: Instant::now() + lifetime - margin })
}

/// Entra ID's refusal: the AADSTS code in words and the first sentence it gave.
pub(super) fn refused(status: u16, bytes: &[u8]) -> GraphError {
    let refusal: Refusal = serde_json::from_slice(bytes).unwrap_or_default();
    let code = refusal.error_codes.first().copied().or_else(|| aadsts_code(&refusal.error_description));
    let (meaning, fix) = sign_in_meaning(code);
    let said = match (refusal.error.is_empty(), first_sentence(&refusal.error_description)) {
        (true, _) => format!("HTTP {status} {}", String::from_utf8_lossy(&bytes[..bytes.len().min(200)])),
        (false, "") => refusal.error,
        (false, description) => format!("{}: {description}", refusal.error),
    };
    GraphError::SignIn { code, meaning, fix, said }
}

/// `AADSTS7000215: Invalid client secret provided. …` → 7000215.
fn aadsts_code(description: &str) -> Option<u32> {
    let rest = &description[description.find("AADSTS")? + "AADSTS".len()..];
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// Up to the trace and correlation ids Entra ID appends.
fn first_sentence(description: &str) -> &str {
    let end = description.find(" Trace ID").or_else(|| description.find("\r\n")).unwrap_or(description.len());
    description[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_from_codes_or_the_description() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2","error_codes":[7000215]}"#;
        let GraphError::SignIn { code, meaning, said, .. } = refused(401, body) else { panic!() };
        assert_eq!((code, meaning), (Some(7000215), "the client secret is wrong"));
        assert_eq!(said, "invalid_client: AADSTS7000215: Invalid client secret provided.");
        let body = br#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}"#;
        assert!(matches!(refused(400, body), GraphError::SignIn { code: Some(90002), .. }));
        assert!(matches!(refused(502, b"<html>bad gateway</html>"), GraphError::SignIn { code: None, .. }));
    }

    #[test]
    fn a_token_is_renewed_before_it_expires() {
        let token = granted(br#"{"token_type":"Bearer","expires_in":3599,"access_token":"t"}"#).unwrap();
        let left = token.renew_at - Instant::now();
        assert!(left > Duration::from_secs(3200) && left <= Duration::from_secs(3299), "{left:?}");
        let short = granted(br#"{"expires_in":60,"access_token":"t"}"#).unwrap();
        assert!(short.renew_at - Instant::now() <= Duration::from_secs(30));
    }
}
