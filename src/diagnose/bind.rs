//! Bind: the configured account on the session, with Active Directory's `data XXX`
//! sub-code decoded into words. The password is fetched, used and dropped; never shown.

use super::probe::Probe;
use super::rootdse::describe;
use super::step::{Outcome, Status};
use crate::source::SourceError;
use crate::source::ldap::error::LdapFailure;
use crate::source::ldap::rootdse;

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    let Some(dn) = probe.source.bind_dn.clone() else {
        return Outcome::warn(
            "no bind_dn: the checks below run anonymously, which Active Directory refuses for searches",
            "set source.bind_dn and a password for a read-only service account",
        );
    };
    let Some(secret) = probe.config.bind_password.as_ref() else {
        return Outcome::fail(
            format!("bind_dn is {dn} but no password is configured"),
            "set password_env, password_file or password_command in [source]",
        );
    };
    let origin = secret.describe();
    let password = match secret.resolve("source") {
        Ok(password) => password,
        Err(e) => return Outcome::fail(e.to_string(), "").with("password from", origin),
    };
    let Some(session) = probe.session.as_mut() else {
        return Outcome::skipped("no connection");
    };
    let outcome = match session.bind(&dn, &password).await {
        Ok(()) => Outcome::ok(format!("bound as {dn}")),
        Err(e) => return refused(&e).with("bind DN", dn).with("password from", origin),
    };
    let outcome = outcome.with("bind DN", dn).with("password from", origin);
    if probe.dse_refused { reread(probe, outcome).await } else { outcome }
}

fn refused(err: &SourceError) -> Outcome {
    let SourceError::Ldap(failure @ LdapFailure::Bind { problem, code, text, .. }) = err else {
        return Outcome::failed(err);
    };
    let outcome = Outcome::from_failure(failure, Status::Fail).with("server said", text);
    match code {
        Some(code) => outcome.with("AD sub-code", format!("data {code}: {}", problem.meaning())),
        None => outcome,
    }
}

/// The rootDSE the server would not show anonymously, now as the bound account.
async fn reread(probe: &mut Probe<'_>, outcome: Outcome) -> Outcome {
    let Some(session) = probe.session.as_mut() else { return outcome };
    match rootdse::read(session).await {
        Ok(dse) => {
            let seen = describe(&dse);
            probe.dse = Some(dse);
            outcome.with("rootDSE after the bind", seen.summary)
        }
        Err(e) => outcome.with("rootDSE after the bind", e.to_string()),
    }
}
