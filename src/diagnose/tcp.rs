//! TCP: the configured port on every address, its LDAP/LDAPS sibling on the standard ports,
//! and the Global Catalog ports when asked. All knocks run at once, each bounded.

use super::probe::Probe;
use super::report::duration_text;
use super::step::{Outcome, Status};
use crate::source::ldap::error::LdapFailure;
use crate::source::ldap::session;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const GLOBAL_CATALOG: [u16; 2] = [3268, 3269];

type Knock = (SocketAddr, Result<Duration, LdapFailure>);

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    let port = probe.url().port;
    let ports = ports_to_try(port, probe.options.global_catalog);
    let timeout = probe.connect_timeout();
    let targets: Vec<SocketAddr> =
        probe.addrs.iter().flat_map(|a| ports.iter().map(move |p| SocketAddr::new(a.ip(), *p))).collect();
    let knocks = futures::future::join_all(targets.into_iter().map(|addr| knock(addr, timeout))).await;
    probe.reachable = knocks.iter().filter(|(a, r)| a.port() == port && r.is_ok()).map(|(a, _)| *a).collect();
    let outcome = verdict(port, &knocks, &probe.reachable).with_all(evidence(&knocks));
    global_catalog(outcome, &knocks, probe.options.global_catalog)
}

async fn knock(addr: SocketAddr, timeout: Duration) -> Knock {
    let started = Instant::now();
    (addr, session::connect(addr, timeout).await.map(|_| started.elapsed()))
}

/// The configured port first; 389 and 636 go together; 3268/3269 only when asked.
fn ports_to_try(port: u16, gc: bool) -> Vec<u16> {
    let mut ports = vec![port];
    if matches!(port, 389 | 636) {
        ports.extend([389, 636]);
    }
    if gc {
        ports.extend(GLOBAL_CATALOG);
    }
    let mut unique = Vec::with_capacity(ports.len());
    for port in ports {
        if !unique.contains(&port) {
            unique.push(port);
        }
    }
    unique
}

fn verdict(port: u16, knocks: &[Knock], reachable: &[SocketAddr]) -> Outcome {
    let tried = knocks.iter().filter(|(a, _)| a.port() == port).count();
    let first_failure = knocks.iter().filter(|(a, _)| a.port() == port).find_map(|(_, r)| r.as_ref().err());
    let open: Vec<String> = reachable.iter().map(|a| a.ip().to_string()).collect();
    match (reachable.len(), first_failure) {
        (_, None) => Outcome::ok(format!("port {port} open on {}", open.join(", "))),
        (0, Some(failure)) => Outcome::from_failure(failure, Status::Fail),
        (n, Some(_)) => Outcome::warn(
            format!("port {port} open on {n} of {tried} addresses ({})", open.join(", ")),
            "adsync uses the first address that answers; fix the others or remove their DNS records",
        ),
    }
}

fn evidence(knocks: &[Knock]) -> Vec<(String, String)> {
    knocks.iter().map(|(addr, result)| (addr.to_string(), knock_text(result))).collect()
}

pub(super) fn knock_text(result: &Result<Duration, LdapFailure>) -> String {
    match result {
        Ok(took) => format!("open ({})", duration_text(*took)),
        Err(LdapFailure::Refused { .. }) => "refused (nothing listens)".into(),
        Err(LdapFailure::ConnectTimeout { after, .. }) => {
            format!("no answer within {} (filtered?)", humantime::format_duration(*after))
        }
        Err(other) => other.what(),
    }
}

fn global_catalog(outcome: Outcome, knocks: &[Knock], asked: bool) -> Outcome {
    let closed: Vec<String> = GLOBAL_CATALOG
        .iter()
        .filter(|p| asked && !knocks.iter().any(|(a, r)| a.port() == **p && r.is_ok()))
        .map(u16::to_string)
        .collect();
    if closed.is_empty() {
        return outcome;
    }
    outcome.warned(
        &format!("Global Catalog port {} not reachable", closed.join(" and ")),
        "open 3268 (and 3269 for TLS) from this machine to a Global Catalog server, or leave out --gc",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_ports_come_in_pairs_and_gc_only_when_asked() {
        assert_eq!(ports_to_try(636, false), [636, 389]);
        assert_eq!(ports_to_try(389, true), [389, 636, 3268, 3269]);
        assert_eq!(ports_to_try(3890, false), [3890]);
        assert_eq!(ports_to_try(3268, true), [3268, 3269]);
    }

    #[test]
    fn one_dead_address_of_two_is_a_warning() {
        let refused = |addr: &str| LdapFailure::Refused { addr: addr.into(), port: 636 };
        let a: SocketAddr = "10.0.0.1:636".parse().unwrap();
        let b: SocketAddr = "10.0.0.2:636".parse().unwrap();
        let knocks = vec![(a, Err(refused("10.0.0.1:636"))), (b, Ok(Duration::from_millis(1)))];
        assert_eq!(verdict(636, &knocks, &[b]).status, Status::Warn);
        assert_eq!(verdict(636, &knocks[..1], &[]).status, Status::Fail);
    }
}
