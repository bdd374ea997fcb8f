//! `[history]` and `[notify]`, checked like the rest. No value under `[notify]` is ever quoted
//! in an error: the webhook URL carries a token, and a typo can put a secret anywhere.

use super::Checker;
use crate::config::error::ConfigError;
use crate::config::history::HistoryConfig;
use crate::config::notify::{
    EmailConfig, HEADER_VALUE, NotifyConfig, RawHeader, RawNotify, SMTP_PASSWORD, SmtpServer, WEBHOOK_URL,
    WebhookConfig, WebhookHeader,
};
use crate::config::schema::PasswordKeys;
use crate::config::secret::{SecretChoice, SecretSource};
use std::str::FromStr;

impl Checker<'_> {
    /// An error at `path` that shows where, never what was written there.
    fn fail_quietly(&self, path: &str, problem: impl Into<String>) -> ConfigError {
        self.source.invalid(self.index.span_of(path), Some(path.to_string()), problem.into(), false)
    }

    /// Exactly one way to give a secret, or none.
    fn secret(&self, table: &str, keys: PasswordKeys<'_>) -> Result<Option<SecretSource>, ConfigError> {
        match SecretSource::choose(keys) {
            SecretChoice::None => Ok(None),
            SecretChoice::One { source, .. } => Ok(Some(source)),
            SecretChoice::Several(first, second) => Err(self.fail_quietly(
                &format!("{table}.{second}"),
                format!("both {first} and {second} are set; keep exactly one way to give the {}", keys.names.what),
            )),
        }
    }
}

pub(super) fn check_history(check: &Checker<'_>, history: &HistoryConfig) -> Result<(), ConfigError> {
    for (key, value) in [("keep_days", history.keep_days), ("keep_runs", history.keep_runs)] {
        if value == 0 {
            return Err(check.fail(
                &format!("history.{key}"),
                format!("{key} must be 1 or more (the last run is always worth keeping)"),
            ));
        }
    }
    Ok(())
}

pub(super) fn check_notify(check: &Checker<'_>, raw: Option<RawNotify>) -> Result<Option<NotifyConfig>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let webhook = webhook(check, &raw)?;
    let email = email(check, &raw)?;
    if webhook.is_none() && email.is_none() {
        return Err(check.fail_missing(
            "notify",
            "webhook_url",
            "[notify] has nowhere to send to: add webhook_url (or webhook_url_env / webhook_url_file), or smtp_url with from and to",
        ));
    }
    Ok(Some(NotifyConfig { on: raw.on, webhook, email }))
}

fn webhook(check: &Checker<'_>, raw: &RawNotify) -> Result<Option<WebhookConfig>, ConfigError> {
    let keys = PasswordKeys {
        names: &WEBHOOK_URL,
        env: raw.webhook_url_env.as_deref(),
        file: raw.webhook_url_file.as_deref(),
        command: raw.webhook_url_command.as_deref(),
        plain: raw.webhook_url.as_ref(),
    };
    let Some(url) = check.secret("notify", keys)? else {
        if !raw.webhook_headers.is_empty() {
            return Err(check.fail_quietly("notify.webhook_headers", "webhook_headers need a webhook_url"));
        }
        return Ok(None);
    };
    if let SecretSource::Inline(text) = &url {
        check_webhook_url(check, secrecy::ExposeSecret::expose_secret(text))?;
    }
    let headers = raw.webhook_headers.iter().map(|h| header(check, h)).collect::<Result<_, _>>()?;
    Ok(Some(WebhookConfig { url, headers }))
}

/// An http(s) URL with a host. Said without the URL itself.
fn check_webhook_url(check: &Checker<'_>, text: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(text.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    match parsed {
        Some(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        _ => Err(check.fail_quietly(
            "notify.webhook_url",
            "webhook_url must be an http(s) URL, e.g. https://chat.example.com/hooks/…",
        )),
    }
}

fn header(check: &Checker<'_>, raw: &RawHeader) -> Result<WebhookHeader, ConfigError> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if raw.name.is_empty() || !raw.name.chars().all(token) {
        return Err(check.fail_quietly(
            "notify.webhook_headers",
            format!("\"{}\" is not a header name (letters, digits and - only, e.g. Authorization)", raw.name),
        ));
    }
    let keys = PasswordKeys {
        names: &HEADER_VALUE,
        env: raw.value_env.as_deref(),
        file: raw.value_file.as_deref(),
        command: raw.value_command.as_deref(),
        plain: None,
    };
    match check.secret("notify.webhook_headers", keys)? {
        Some(value) => Ok(WebhookHeader { name: raw.name.clone(), value }),
        None => Err(check.fail_quietly(
            "notify.webhook_headers",
            format!("header {} needs its value from value_env, value_file or value_command", raw.name),
        )),
    }
}

fn email(check: &Checker<'_>, raw: &RawNotify) -> Result<Option<EmailConfig>, ConfigError> {
    let keys = PasswordKeys {
        names: &SMTP_PASSWORD,
        env: raw.smtp_password_env.as_deref(),
        file: raw.smtp_password_file.as_deref(),
        command: raw.smtp_password_command.as_deref(),
        plain: None,
    };
    let password = check.secret("notify", keys)?;
    let Some(url) = &raw.smtp_url else {
        let stray = [("smtp_user", raw.smtp_user.is_some()), ("from", raw.from.is_some()), ("to", !raw.to.is_empty())];
        if let Some((key, _)) = stray.iter().find(|(_, set)| *set) {
            return Err(check.fail_quietly(&format!("notify.{key}"), format!("{key} needs smtp_url")));
        }
        return Ok(None);
    };
    let server = SmtpServer::parse(url).map_err(|e| check.fail_quietly("notify.smtp_url", e))?;
    let login = login(check, raw.smtp_user.as_deref(), password)?;
    check_ca(check, raw)?;
    let from = raw
        .from
        .clone()
        .ok_or_else(|| check.fail_missing("notify", "from", "smtp_url needs from = \"adsync@example.com\""))?;
    mailbox(check, "notify.from", &from)?;
    if raw.to.is_empty() {
        return Err(check.fail_missing("notify", "to", "smtp_url needs to = [\"it-team@example.com\"]"));
    }
    for to in &raw.to {
        mailbox(check, "notify.to", to)?;
    }
    Ok(Some(EmailConfig { server, login, ca_file: raw.smtp_ca_file.clone(), from, to: raw.to.clone() }))
}

fn login(
    check: &Checker<'_>,
    user: Option<&str>,
    password: Option<SecretSource>,
) -> Result<Option<(String, SecretSource)>, ConfigError> {
    match (user.map(str::trim), password) {
        (None, None) => Ok(None),
        (Some(user), Some(password)) if !user.is_empty() => Ok(Some((user.to_string(), password))),
        (Some(_), None) | (Some(_), Some(_)) => Err(check.fail_missing(
            "notify",
            "smtp_password_env",
            "smtp_user needs smtp_password_env, smtp_password_file or smtp_password_command (and a non-empty user)",
        )),
        (None, Some(_)) => {
            Err(check.fail_missing("notify", "smtp_user", "an SMTP password is set but smtp_user is not"))
        }
    }
}

fn check_ca(check: &Checker<'_>, raw: &RawNotify) -> Result<(), ConfigError> {
    match &raw.smtp_ca_file {
        Some(ca) if !ca.is_file() => Err(check.fail(
            "notify.smtp_ca_file",
            format!(
                "CA file {} does not exist; give the PEM file of the CA that issued the relay's certificate",
                ca.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// `it@example.com` or `IT team <it@example.com>`.
fn mailbox(check: &Checker<'_>, path: &str, text: &str) -> Result<(), ConfigError> {
    lettre::message::Mailbox::from_str(text.trim())
        .map(|_| ())
        .map_err(|_| check.fail(path, format!("\"{text}\" is not an e-mail address (write it as it@example.com)")))
}
