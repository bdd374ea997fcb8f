//! DNS: every address the host resolves to (A and AAAA).

use super::probe::Probe;
use super::step::{Outcome, Status};
use crate::source::ldap::session;
use std::net::{IpAddr, SocketAddr};

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    let url = probe.url().clone();
    if let Ok(ip) = url.host.trim_matches(['[', ']']).parse::<IpAddr>() {
        probe.addrs = vec![SocketAddr::new(ip, url.port)];
        return Outcome::ok(format!("{ip} is an address: nothing to resolve")).with(record(ip), ip.to_string());
    }
    match session::resolve(&url, probe.connect_timeout()).await {
        Ok(found) => {
            probe.addrs = unique(found);
            resolved(&url.host, &probe.addrs)
        }
        Err(failure) => Outcome::from_failure(&failure, Status::Fail),
    }
}

pub(super) fn record(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() { "A" } else { "AAAA" }
}

pub(super) fn unique(found: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let mut addrs: Vec<SocketAddr> = Vec::with_capacity(found.len());
    for addr in found {
        if !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }
    addrs
}

pub(super) fn resolved(host: &str, addrs: &[SocketAddr]) -> Outcome {
    let of = |kind: &str| {
        let ips: Vec<String> = addrs.iter().filter(|a| record(a.ip()) == kind).map(|a| a.ip().to_string()).collect();
        if ips.is_empty() { "none".to_string() } else { ips.join(", ") }
    };
    let all: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    Outcome::ok(format!("{host} → {}", all.join(", "))).with("A", of("A")).with("AAAA", of("AAAA"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_both_families_once() {
        let addrs = unique(vec![
            "127.0.0.1:389".parse().unwrap(),
            "[::1]:389".parse().unwrap(),
            "127.0.0.1:389".parse().unwrap(),
        ]);
        let outcome = resolved("localhost", &addrs);
        assert_eq!(outcome.summary, "localhost → 127.0.0.1, ::1");
        assert_eq!(outcome.evidence, [("A".into(), "127.0.0.1".into()), ("AAAA".into(), "::1".into())]);
    }
}
