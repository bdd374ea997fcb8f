//! The Entra ID ladder: DNS, TCP and TLS of the sign-in host, the app's token, then DNS,
//! TCP and TLS of the Graph host, what the app may read there, and the first page of users.

mod access;
mod host;

use super::{Outcome, Rungs, StepId};
use crate::config::GraphConfig;
use crate::source::graph::client::GraphClient;
use host::Host;
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct GraphProbe<'a> {
    config: &'a GraphConfig,
    authority: Host,
    graph: Host,
    /// Made by the token rung; the later rungs use it.
    client: Option<Arc<GraphClient>>,
}

impl<'a> GraphProbe<'a> {
    pub fn new(config: &'a GraphConfig) -> Self {
        Self { config, authority: Host::of(&config.authority_url), graph: Host::of(&config.graph_url), client: None }
    }
}

#[async_trait::async_trait]
impl Rungs for GraphProbe<'_> {
    /// Two connections with handshakes and two requests (a page after a throttle, say).
    fn step_bound(&self) -> Duration {
        2 * self.config.connect_timeout + 2 * self.config.op_timeout
    }

    async fn run(&mut self, id: StepId) -> Outcome {
        let (connect, ca_file) = (self.config.connect_timeout, self.config.ca_file.as_deref());
        match id {
            StepId::AuthorityDns => host::dns(&mut self.authority, connect).await,
            StepId::AuthorityTcp => host::tcp(&mut self.authority, connect).await,
            StepId::AuthorityTls => host::tls(&self.authority, ca_file, connect).await,
            StepId::Token => access::token(self.config, &mut self.client).await,
            StepId::GraphDns => host::dns(&mut self.graph, connect).await,
            StepId::GraphTcp => host::tcp(&mut self.graph, connect).await,
            StepId::GraphTls => host::tls(&self.graph, ca_file, connect).await,
            StepId::Permissions => access::permissions(self.config, self.client.as_deref()).await,
            StepId::FirstPage => access::first_page(self.client.as_deref()).await,
            other => Outcome::skipped(format!("{} is not a rung of the Entra ID ladder", other.title())),
        }
    }

    async fn close(&mut self) {
        self.client = None;
    }
}
