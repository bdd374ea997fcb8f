//! The e-mail: a one-line subject of what happened, and the run's report as plain text, sent
//! over SMTP with TLS (smtps://, or smtp:// with STARTTLS required) through lettre on rustls.

use super::{Failure, TRY_TIMEOUT, redact, resolve, with_tries};
use crate::config::notify::{EmailConfig, SMTP_PASSWORD, SmtpTls};
use crate::history::{RunRecord, text};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

pub fn describe(mail: &EmailConfig) -> String {
    format!("e-mail to {} via {}", mail.to.join(", "), mail.server)
}

pub async fn send(mail: &EmailConfig, record: &RunRecord) -> Result<(), String> {
    let message = message(mail, record)?;
    let password = match &mail.login {
        Some((_, source)) => Some(resolve(source, "notify", &SMTP_PASSWORD).await?),
        None => None,
    };
    let transport = transport(mail, password.as_ref())?;
    let secrets: Vec<&SecretString> = password.iter().collect();
    let send = || async {
        transport
            .send(message.clone())
            .await
            .map(|_| ())
            .map_err(|e| Failure { message: redact(&e.to_string(), &secrets), retry: !e.is_permanent() && !e.is_tls() })
    };
    with_tries(send).await
}

fn message(mail: &EmailConfig, record: &RunRecord) -> Result<Message, String> {
    let parse = |text: &str| text.trim().parse().map_err(|_| format!("\"{text}\" is not an e-mail address"));
    let mut builder = Message::builder().from(parse(&mail.from)?).subject(text::subject(record));
    for to in &mail.to {
        builder = builder.to(parse(to)?);
    }
    let mut body = text::report(record).join("\n");
    body.push_str(&format!("\n\n`adsync history show {}` lists the run's changes.\n", record.run));
    builder.header(ContentType::TEXT_PLAIN).body(body).map_err(|e| format!("the message: {e}"))
}

fn transport(
    mail: &EmailConfig,
    password: Option<&SecretString>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let server = &mail.server;
    let mut tls = TlsParameters::builder(server.host.clone());
    if let Some(path) = &mail.ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read smtp_ca_file {}: {e}", path.display()))?;
        let ca = Certificate::from_pem(&pem).map_err(|e| format!("smtp_ca_file {}: {e}", path.display()))?;
        tls = tls.add_root_certificate(ca);
    }
    let tls = tls.build_rustls().map_err(|e| format!("TLS for {server}: {e}"))?;
    let tls = match server.tls {
        SmtpTls::Implicit => Tls::Wrapper(tls),
        SmtpTls::StartTls => Tls::Required(tls),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(tls)
        .timeout(Some(TRY_TIMEOUT));
    if let (Some((user, _)), Some(password)) = (&mail.login, password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_string()));
    }
    Ok(builder.build())
}
