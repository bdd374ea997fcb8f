//! What the rungs learn and hand up the ladder: addresses, the open session, the rootDSE.

use super::LadderOptions;
use super::sample::Sample;
use crate::config::value::{LdapScheme, LdapUrl};
use crate::config::{Config, LdapConfig};
use crate::source::ldap::rootdse::RootDse;
use crate::source::ldap::session::Session;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

pub(crate) struct Probe<'a> {
    pub config: &'a Config,
    pub source: &'a LdapConfig,
    pub options: LadderOptions,
    /// Every address DNS gave for the host, with the configured port.
    pub addrs: Vec<SocketAddr>,
    /// The addresses whose configured port accepted a connection, in DNS order.
    pub reachable: Vec<SocketAddr>,
    /// A connection on which the server accepted StartTLS, waiting for the TLS handshake.
    pub upgraded: Option<TcpStream>,
    /// The session adsync itself would use (opened by the rootDSE rung, bound by the next).
    pub session: Option<Session>,
    pub dse: Option<RootDse>,
    /// The anonymous rootDSE read was refused; it is read again after the bind.
    pub dse_refused: bool,
    pub sample: Option<Sample>,
}

impl<'a> Probe<'a> {
    pub fn new(config: &'a Config, source: &'a LdapConfig, options: LadderOptions) -> Self {
        Self {
            config,
            source,
            options,
            addrs: Vec::new(),
            reachable: Vec::new(),
            upgraded: None,
            session: None,
            dse: None,
            dse_refused: false,
            sample: None,
        }
    }

    pub fn url(&self) -> &LdapUrl {
        &self.source.url
    }

    pub fn ldaps(&self) -> bool {
        self.url().scheme == LdapScheme::Ldaps
    }

    pub fn connect_timeout(&self) -> Duration {
        self.source.connect_timeout.0
    }

    pub fn op_timeout(&self) -> Duration {
        self.source.op_timeout.0
    }

    /// The most one rung may take: two connections with handshakes and two operations.
    pub fn step_bound(&self) -> Duration {
        2 * self.connect_timeout() + 2 * self.op_timeout()
    }

    /// The address the TLS and StartTLS rungs talk to.
    pub fn first_reachable(&self) -> Option<SocketAddr> {
        self.reachable.first().copied()
    }

    pub async fn close(&mut self) {
        if let Some(session) = self.session.take() {
            session.close().await;
        }
    }
}
