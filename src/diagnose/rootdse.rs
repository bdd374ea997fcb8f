//! rootDSE: opens the session adsync itself would use (ldap3, same TLS settings) and reads,
//! without a bind, what the server says about itself: naming contexts, controls, versions,
//! its name, Active Directory capabilities and its clock.

use super::probe::Probe;
use super::step::Outcome;
use crate::source::SourceError;
use crate::source::ldap::LdapSource;
use crate::source::ldap::error::LdapFailure;
use crate::source::ldap::rootdse::{self, AD_CAPABILITY, RootDse};
use crate::source::ldap::session::Session;

/// Kerberos refuses tickets beyond this skew, so AD logons start failing.
const MAX_SKEW_SECS: i64 = 5 * 60;

const AD_CAPABILITIES: [(&str, &str); 8] = [
    (AD_CAPABILITY, "Active Directory"),
    ("1.2.840.113556.1.4.1670", "2003 (v51)"),
    ("1.2.840.113556.1.4.1791", "LDAP signing/sealing"),
    ("1.2.840.113556.1.4.1935", "2008 (v60)"),
    ("1.2.840.113556.1.4.2080", "2008 R2"),
    ("1.2.840.113556.1.4.2237", "2012"),
    ("1.2.840.113556.1.4.1851", "AD LDS"),
    ("1.2.840.113556.1.4.1920", "read-only DC"),
];

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    let endpoint = match LdapSource::new(probe.source, probe.config.bind_password.clone()).endpoint() {
        Ok(endpoint) => endpoint,
        Err(e) => return Outcome::failed(&e),
    };
    let mut session = match Session::open(&endpoint).await {
        Ok(session) => session,
        Err(e) => return Outcome::failed(&e),
    };
    let read = rootdse::read(&mut session).await;
    let address = session.addr.to_string();
    probe.session = Some(session);
    let outcome = match read {
        Ok(dse) if dse != RootDse::default() => {
            let outcome = describe(&dse);
            probe.dse = Some(dse);
            outcome
        }
        Ok(_) => refused(probe, "the server sent an empty rootDSE".into()),
        Err(SourceError::Ldap(failure @ (LdapFailure::AnonymousRefused { .. } | LdapFailure::SearchFailed { .. }))) => {
            refused(probe, failure.what())
        }
        Err(e) => Outcome::failed(&e),
    };
    outcome.with("connected to", address)
}

fn refused(probe: &mut Probe<'_>, said: String) -> Outcome {
    probe.dse_refused = true;
    Outcome::warn(
        "the server does not show its rootDSE without a bind; it is read again after the bind",
        "nothing to do if the bind works; some LDAP tools expect an anonymous rootDSE",
    )
    .with("server said", said)
}

/// The evidence, and warnings for what a sync would trip over.
pub(super) fn describe(dse: &RootDse) -> Outcome {
    let host = dse.dns_host_name.clone().unwrap_or_else(|| "not given".into());
    let paging = if dse.supports_paging() { "paged results" } else { "NO paged results" };
    let mut outcome = Outcome::ok(format!("{}, {host}, {paging}", dse.flavor()))
        .with("server", dse.flavor().to_string())
        .with("vendor", dse.vendor.clone().unwrap_or_else(|| "not given".into()))
        .with("dnsHostName", host)
        .with("namingContexts", dse.naming_contexts.join("; "))
        .with("defaultNamingContext", dse.default_naming_context.clone().unwrap_or_else(|| "not given".into()))
        .with("supportedLDAPVersion", dse.ldap_versions.join(", "))
        .with("paged results (1.2.840.113556.1.4.319)", if dse.supports_paging() { "yes" } else { "no" })
        .with("AD capabilities", capabilities(dse));
    if !dse.supports_paging() {
        outcome = outcome.warned(
            "the server does not announce paged results",
            "searches larger than the server's size limit will stop part-way: enable the paged results control, or lift the size limit for the service account",
        );
    }
    if !dse.ldap_versions.is_empty() && !dse.ldap_versions.iter().any(|v| v == "3") {
        outcome = outcome.warned("the server does not announce LDAP version 3", "use a server that speaks LDAPv3");
    }
    clock(outcome, dse.current_time.as_deref(), jiff::Timestamp::now().as_second())
}

fn capabilities(dse: &RootDse) -> String {
    let named: Vec<&str> = AD_CAPABILITIES
        .iter()
        .filter(|(oid, _)| dse.capabilities.iter().any(|c| c == oid))
        .map(|(_, name)| *name)
        .collect();
    if named.is_empty() { "none".into() } else { named.join(", ") }
}

/// AD publishes `currentTime`; OpenLDAP does not.
fn clock(outcome: Outcome, current_time: Option<&str>, now: i64) -> Outcome {
    let Some(text) = current_time else {
        return outcome.with("server time", "not published");
    };
    let Some(skew) = skew_seconds(text, now) else {
        return outcome.with("server time", format!("{text} (unreadable)"));
    };
    let outcome = outcome.with("server time", text).with("clock skew", skew_text(skew));
    if skew.abs() <= MAX_SKEW_SECS {
        return outcome;
    }
    outcome.warned(
        &format!("the server's clock is {} (more than 5 minutes: Kerberos fails)", skew_text(skew)),
        "synchronise both clocks with NTP (on the DC: w32tm /resync)",
    )
}

/// Server minus local time, from a GeneralizedTime such as `20261130012233.0Z`.
fn skew_seconds(generalized: &str, now: i64) -> Option<i64> {
    let digits = generalized.get(..14)?;
    let civil = jiff::civil::DateTime::strptime("%Y%m%d%H%M%S", digits).ok()?;
    let server = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?.as_second();
    Some(server - now)
}

fn skew_text(skew: i64) -> String {
    match skew {
        0 => "in step with ours".into(),
        s if s > 0 => format!("{s} s ahead of ours"),
        s => format!("{} s behind ours", -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::step::Status;

    #[test]
    fn skew_is_read_from_generalized_time() {
        let civil = jiff::civil::date(2026, 11, 30).at(1, 22, 33, 0);
        let now = jiff::tz::TimeZone::UTC.to_timestamp(civil).unwrap().as_second();
        assert_eq!(skew_seconds("20261130012233.0Z", now), Some(0));
        assert_eq!(skew_seconds("20261130013233.0Z", now), Some(600));
        assert_eq!(skew_seconds("garbage", now), None);
        let late = clock(Outcome::ok("x"), Some("20261130010233.0Z"), now);
        assert_eq!(late.status, Status::Warn);
        assert!(late.summary.contains("1200 s behind ours"), "{late:?}");
        assert_eq!(clock(Outcome::ok("x"), Some("20261130012303.0Z"), now).status, Status::Ok);
    }

    #[test]
    fn missing_paging_is_a_warning() {
        let dse = RootDse { ldap_versions: vec!["3".into()], ..RootDse::default() };
        let outcome = describe(&dse);
        assert_eq!(outcome.status, Status::Warn);
        assert!(outcome.summary.contains("paged results"));
    }
}
