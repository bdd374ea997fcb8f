//! The server's certificate chain as evidence: names, issuer, validity, and whether the
//! configured roots trust it and it names the host (each judged on its own).

use crate::source::ldap::tls::root_store;
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use std::net::IpAddr;
use std::path::Path;
use x509_parser::extensions::GeneralName;

/// A certificate within this many days of its end is a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// One certificate, read for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub names: Vec<String>,
    pub not_before: i64,
    pub not_after: i64,
}

impl CertFacts {
    pub fn read(der: &[u8]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let names = match cert.subject_alternative_name() {
            Ok(Some(san)) => san.value.general_names.iter().filter_map(general_name).collect(),
            _ => Vec::new(),
        };
        Some(Self {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            names,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// Whole days until the end of validity (negative once expired).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now) / 86_400
    }

    /// "expires in 30 days, on …", "EXPIRED 3 days ago, on …", "not valid until …".
    pub fn expiry_text(&self, now: i64) -> String {
        if now < self.not_before {
            return format!("not valid until {}", day(self.not_before));
        }
        match self.days_left(now) {
            _ if self.not_after < now => {
                format!("EXPIRED {} days ago, on {}", (now - self.not_after) / 86_400, day(self.not_after))
            }
            d => format!("expires in {d} days, on {}", day(self.not_after)),
        }
    }
}

fn general_name(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some(format!("DNS:{dns}")),
        GeneralName::IPAddress(bytes) => ip_of(bytes).map(|ip| format!("IP:{ip}")),
        _ => None,
    }
}

fn ip_of(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

fn day(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_else(|_| unix.to_string())
}

/// Label/value pairs for the whole chain, the server's own certificate first.
pub fn evidence(chain: &[CertificateDer<'_>], now: i64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, der) in chain.iter().enumerate() {
        let prefix = if i == 0 { "certificate".to_string() } else { format!("chain[{i}]") };
        let Some(facts) = CertFacts::read(der) else {
            out.push((prefix, "cannot be parsed".into()));
            continue;
        };
        out.push((format!("{prefix} subject"), facts.subject.clone()));
        out.push((format!("{prefix} issuer"), facts.issuer.clone()));
        if i == 0 {
            let names = if facts.names.is_empty() { "none".to_string() } else { facts.names.join(", ") };
            out.push((format!("{prefix} names"), names));
        }
        out.push((format!("{prefix} valid"), format!("{} to {}", day(facts.not_before), day(facts.not_after))));
        out.push((format!("{prefix} expiry"), facts.expiry_text(now)));
    }
    out
}

/// Does the chain lead to a root in `ca_file` (or the system store)? Judged at a moment
/// inside the certificate's validity, so an expired certificate is not also "untrusted".
pub fn trust(chain: &[CertificateDer<'_>], ca_file: Option<&Path>, now: i64) -> Result<(), String> {
    let roots = root_store(ca_file).map_err(|e| e.to_string())?;
    let leaf = chain.first().ok_or("the server sent no certificate")?;
    let parsed = ParsedCertificate::try_from(leaf).map_err(|e| e.to_string())?;
    let at = match CertFacts::read(leaf) {
        Some(f) if now < f.not_before || now > f.not_after => f.not_before + 1,
        _ => now,
    };
    let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms.all;
    let when = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.max(0) as u64));
    verify_server_cert_signed_by_trust_anchor(&parsed, &roots, &chain[1..], when, algs).map_err(|e| e.to_string())
}

/// Is the certificate issued for `host` (a DNS name or an IP address)?
pub fn names_host(chain: &[CertificateDer<'_>], host: &str) -> Result<(), String> {
    let leaf = chain.first().ok_or("the server sent no certificate")?;
    let parsed = ParsedCertificate::try_from(leaf).map_err(|e| e.to_string())?;
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string()).map_err(|e| e.to_string())?;
    verify_server_name(&parsed, &name).map_err(|e| e.to_string())
}

/// Where the trusted roots come from, for the evidence.
pub fn roots_text(ca_file: Option<&Path>) -> String {
    match ca_file {
        Some(path) => format!("source.ca_file {}", path.display()),
        None => "the system's trusted roots".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_told_in_days() {
        let facts = CertFacts {
            subject: "CN=x".into(),
            issuer: "CN=ca".into(),
            names: vec![],
            not_before: 0,
            not_after: 40 * 86_400,
        };
        assert_eq!(facts.days_left(10 * 86_400), 30);
        assert_eq!(facts.expiry_text(10 * 86_400), "expires in 30 days, on 1970-02-10");
        assert_eq!(facts.expiry_text(43 * 86_400 + 60), "EXPIRED 3 days ago, on 1970-02-10");
        assert_eq!(facts.expiry_text(40 * 86_400 + 60), "EXPIRED 0 days ago, on 1970-02-10");
    }

    #[test]
    fn ip_names_are_read_from_bytes() {
        assert_eq!(ip_of(&[127, 0, 0, 1]), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(ip_of(&[1, 2, 3]), None);
    }
}
