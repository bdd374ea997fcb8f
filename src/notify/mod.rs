//! Telling people about runs that need them (`[notify]`): the run record as JSON to a
//! webhook, and an e-mail saying what happened. Each channel gets a few tries within a
//! bound; what went wrong comes back to the caller to log, and never fails the run.

mod email;
mod webhook;

use crate::config::SecretSource;
use crate::config::notify::{NotifyConfig, NotifyOn};
use crate::config::secret::SecretKeys;
use crate::history::{Outcome, RunRecord};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::time::Duration;

/// Tries per message, and the pause before the second and the third.
const TRIES: u32 = 3;
const PAUSE: Duration = Duration::from_secs(1);
/// Each try is bounded by this.
pub const TRY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub struct Notifier {
    config: NotifyConfig,
}

/// How one channel went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// "webhook (env CHAT_HOOK)", "e-mail to it@example.com".
    pub channel: String,
    pub result: Result<(), String>,
}

impl Delivery {
    /// A line for the log.
    pub fn line(&self) -> String {
        match &self.result {
            Ok(()) => format!("notified by {}", self.channel),
            Err(e) => format!("notification by {} failed: {e}", self.channel),
        }
    }
}

/// A try that failed, and whether another could go better.
pub(crate) struct Failure {
    pub message: String,
    pub retry: bool,
}

impl Notifier {
    pub fn new(config: NotifyConfig) -> Self {
        Self { config }
    }

    /// Where messages go, without a secret: "webhook (env CHAT_HOOK)", "e-mail to …".
    pub fn channels(&self) -> Vec<String> {
        let hook = self.config.webhook.as_ref().map(webhook::describe);
        hook.into_iter().chain(self.config.email.as_ref().map(email::describe)).collect()
    }

    /// Whether the run is worth a message under `on`.
    pub fn wants(&self, record: &RunRecord) -> bool {
        let class = match record.outcome {
            Outcome::Failed | Outcome::Partial => Some(NotifyOn::Failed),
            Outcome::Blocked => Some(NotifyOn::Blocked),
            Outcome::Applied if record.applied() > 0 => Some(NotifyOn::Applied),
            _ => None,
        };
        class.is_some_and(|c| self.config.on.contains(&c))
    }

    /// Sends to every channel; how each went.
    pub async fn send(&self, record: &RunRecord) -> Vec<Delivery> {
        let mut out = Vec::new();
        if let Some(hook) = &self.config.webhook {
            out.push(Delivery { channel: webhook::describe(hook), result: webhook::send(hook, record).await });
        }
        if let Some(mail) = &self.config.email {
            out.push(Delivery { channel: email::describe(mail), result: email::send(mail, record).await });
        }
        out
    }
}

/// Runs `attempt` up to [`TRIES`] times while it fails in a way another try could fix.
pub(crate) async fn with_tries<F, Fut>(mut attempt: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    let mut last = String::new();
    for n in 0..TRIES {
        if n > 0 {
            tokio::time::sleep(PAUSE * n).await;
        }
        match attempt().await {
            Ok(()) => return Ok(()),
            Err(f) if f.retry => last = f.message,
            Err(f) => return Err(f.message),
        }
    }
    Err(format!("{last} ({TRIES} tries)"))
}

/// Fetches a secret off the runtime's threads: a `_command` may take a while.
pub(crate) async fn resolve(
    source: &SecretSource,
    section: &str,
    names: &'static SecretKeys,
) -> Result<SecretString, String> {
    let (source, section) = (source.clone(), section.to_string());
    tokio::task::spawn_blocking(move || source.resolve_as(&section, names).map_err(|e| e.to_string()))
        .await
        .map_err(|e| format!("internal: {e}"))?
}

/// `text` with every secret in `secrets` cut out, should a server ever echo one.
pub(crate) fn redact(text: &str, secrets: &[&SecretString]) -> String {
    secrets
        .iter()
        .map(|s| s.expose_secret())
        .filter(|s| s.len() >= 4)
        .fold(text.to_string(), |t, s| t.replace(s, "[redacted]"))
}

#[cfg(test)]
mod tests;
