//! StartTLS on ldap:// (RFC 4511 §4.14): does the server agree to upgrade the connection?
//!
//! Spoken directly (ldap3_proto's codec) rather than through ldap3, so the upgraded TCP
//! stream can be handed to the TLS rung to inspect the certificate it then presents.

use super::probe::Probe;
use super::step::{Outcome, Status};
use crate::source::ldap::error::LdapFailure;
use crate::source::ldap::session::{self, server_text};
use futures::{SinkExt, StreamExt};
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{LdapExtendedRequest, LdapMsg, LdapOp, LdapResultCode};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

pub const STARTTLS_OID: &str = "1.3.6.1.4.1.1466.20037";

/// The server's answer to the StartTLS request.
pub(super) enum Answer {
    Accepted(TcpStream),
    Refused { detail: String },
}

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    if probe.ldaps() {
        return Outcome::skipped("the config uses ldaps://: TLS from the first byte");
    }
    let Some(addr) = probe.first_reachable() else {
        return Outcome::skipped("no address to ask");
    };
    let wanted = probe.source.starttls;
    match negotiate(addr, probe.connect_timeout()).await {
        Ok(Answer::Accepted(stream)) if wanted => {
            probe.upgraded = Some(stream);
            Outcome::ok(format!("{addr} agreed to start TLS")).with("server", addr.to_string())
        }
        Ok(Answer::Accepted(_)) => Outcome::warn(
            "plain ldap:// without StartTLS: the bind password crosses the network unencrypted (the server offers StartTLS)",
            "set starttls = true in [source], or use ldaps://",
        ),
        Ok(Answer::Refused { detail }) if wanted => {
            Outcome::from_failure(&LdapFailure::StartTlsRefused { detail: detail.clone() }, Status::Fail)
                .with("server said", detail)
        }
        Ok(Answer::Refused { detail }) => Outcome::warn(
            "plain ldap:// and the server does not offer StartTLS: the bind password crosses the network unencrypted",
            "enable TLS on the server and set starttls = true, or use ldaps:// on port 636",
        )
        .with("server said", detail),
        Err(failure) => Outcome::from_failure(&failure, Status::Fail),
    }
}

/// Connects and asks for StartTLS; the whole exchange is bounded by `timeout`.
pub(super) async fn negotiate(addr: SocketAddr, timeout: Duration) -> Result<Answer, LdapFailure> {
    let stream = session::connect(addr, timeout).await?;
    tokio::time::timeout(timeout, exchange(stream))
        .await
        .map_err(|_| LdapFailure::HandshakeTimeout { addr: addr.to_string(), after: timeout })?
}

async fn exchange(stream: TcpStream) -> Result<Answer, LdapFailure> {
    let mut framed = Framed::new(stream, LdapCodec::default());
    let request = LdapExtendedRequest { name: STARTTLS_OID.into(), value: None };
    let msg = LdapMsg { msgid: 1, op: LdapOp::ExtendedRequest(request), ctrl: Vec::new() };
    framed.send(msg).await.map_err(|e| lost(&e.to_string()))?;
    let reply = match framed.next().await {
        Some(Ok(reply)) => reply,
        Some(Err(e)) => return Err(lost(&e.to_string())),
        None => return Err(lost("the server closed the connection")),
    };
    match reply.op {
        LdapOp::ExtendedResponse(resp) if resp.res.code == LdapResultCode::Success => {
            Ok(Answer::Accepted(framed.into_inner()))
        }
        LdapOp::ExtendedResponse(resp) => {
            Ok(Answer::Refused { detail: server_text(resp.res.code as u32, &resp.res.message) })
        }
        _ => Err(LdapFailure::Protocol { detail: "the answer to StartTLS was not an extended response".into() }),
    }
}

fn lost(detail: &str) -> LdapFailure {
    LdapFailure::StartTlsRefused { detail: detail.to_string() }
}
