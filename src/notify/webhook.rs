//! The webhook: a POST of the run record as JSON. Its URL carries a token, so it is never
//! shown; messages say where it came from ("webhook (env CHAT_HOOK)").

use super::{Failure, TRY_TIMEOUT, redact, resolve, with_tries};
use crate::config::SecretSource;
use crate::config::notify::{HEADER_VALUE, WEBHOOK_URL, WebhookConfig};
use crate::history::RunRecord;
use crate::http::root_cause;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

pub fn describe(hook: &WebhookConfig) -> String {
    match &hook.url {
        SecretSource::Inline(_) => "webhook (webhook_url)".into(),
        other => format!("webhook ({})", other.describe()),
    }
}

pub async fn send(hook: &WebhookConfig, record: &RunRecord) -> Result<(), String> {
    let url = resolve(&hook.url, "notify", &WEBHOOK_URL).await?;
    let target = reqwest::Url::parse(url.expose_secret().trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or("the webhook URL is not an http(s) URL")?;
    let (headers, values) = headers(hook).await?;
    let client =
        crate::http::builder(TRY_TIMEOUT, TRY_TIMEOUT, None).and_then(crate::http::build).map_err(|e| e.to_string())?;
    let mut secrets: Vec<&SecretString> = values.iter().collect();
    secrets.push(&url);
    let post = || async {
        let request = client.post(target.clone()).headers(headers.clone()).json(record);
        answer(request.send().await, &secrets)
    };
    with_tries(post).await
}

/// The headers with their values fetched; the values are kept to cut them out of errors.
async fn headers(hook: &WebhookConfig) -> Result<(HeaderMap, Vec<SecretString>), String> {
    let mut map = HeaderMap::new();
    let mut values = Vec::new();
    for h in &hook.headers {
        let value = resolve(&h.value, "notify.webhook_headers", &HEADER_VALUE).await?;
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| format!("{} is not a header name", h.name))?;
        let mut header = HeaderValue::from_str(value.expose_secret().trim())
            .map_err(|_| format!("the value of header {} has characters a header cannot carry", h.name))?;
        header.set_sensitive(true);
        map.insert(name, header);
        values.push(value);
    }
    Ok((map, values))
}

fn answer(sent: Result<reqwest::Response, reqwest::Error>, secrets: &[&SecretString]) -> Result<(), Failure> {
    match sent {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => {
            let status = response.status();
            let retry = status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
            Err(Failure { message: format!("the receiver answered {status}"), retry })
        }
        Err(e) if e.is_timeout() => {
            Err(Failure { message: format!("no answer within {} s", TRY_TIMEOUT.as_secs()), retry: true })
        }
        Err(e) => {
            let cause = redact(&root_cause(&e.without_url()), secrets);
            Err(Failure { message: format!("cannot reach the receiver: {cause}"), retry: true })
        }
    }
}
