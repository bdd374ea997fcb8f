//! The Entra ID source: users and groups read through Microsoft Graph with the app's own
//! token (client credentials), in full or as the changes since the last read.

pub mod answer;
pub mod client;
pub mod error;
pub mod mailbox;
pub mod mapping;
pub mod objects;
pub mod pages;
pub mod read;
pub mod store;
pub mod throttle;
pub mod token;
pub mod tree;

use super::{DirectoryRead, ProgressFn, ReadProgress, ReadStats, Source, SourceError};
use crate::config::GraphConfig;
use crate::model::{DirObject, EntryDetails, Flavor, TreeNode};
use client::{Ctx, GraphClient};
use error::GraphError;
use read::ReadReport;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::Snapshot;
use token::Tokens;
use tokio_util::sync::CancellationToken;

pub struct GraphSource {
    config: Arc<GraphConfig>,
    state_dir: PathBuf,
    /// Shared by every read and the browsing: a token outlives a read.
    tokens: Arc<Tokens>,
    /// Browsing's client, made on first use (a read makes its own on its own thread).
    client: tokio::sync::OnceCell<Arc<GraphClient>>,
    browser: tree::Browser,
    last: Mutex<Option<ReadReport>>,
}

impl GraphSource {
    pub fn new(config: &GraphConfig, state_dir: PathBuf) -> Self {
        Self {
            config: Arc::new(config.clone()),
            state_dir,
            tokens: Arc::default(),
            client: tokio::sync::OnceCell::new(),
            browser: tree::Browser::default(),
            last: Mutex::new(None),
        }
    }

    pub async fn client(&self) -> Result<Arc<GraphClient>, GraphError> {
        let make = || async { GraphClient::new(self.config.clone(), self.tokens.clone()).map(Arc::new) };
        self.client.get_or_try_init(make).await.cloned()
    }

    /// What the last completed read did (kind, requests), for tests and the log.
    pub fn last_read(&self) -> Option<ReadReport> {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn root_name(&self) -> String {
        self.config.tenant.clone()
    }
}

/// The snapshot as the classifier's objects (its strings move, none is copied).
pub fn objects(snapshot: Snapshot) -> Vec<DirObject> {
    let mut objects = Vec::with_capacity(snapshot.users.len() + snapshot.groups.len());
    objects.extend(snapshot.users.into_iter().map(mapping::user_object));
    objects.extend(snapshot.groups.into_iter().map(mapping::group_object));
    objects
}

#[async_trait::async_trait]
impl Source for GraphSource {
    fn describe(&self) -> String {
        format!("Entra ID tenant {} via {}", self.config.tenant, self.config.graph_url.as_str().trim_end_matches('/'))
    }

    /// Reads on a thread of its own, with a client of its own (connections belong to the
    /// runtime that opened them), sharing the token with browsing and later reads.
    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        let started = Instant::now();
        progress(ReadProgress::Connecting { target: self.describe() });
        let (config, tokens, dir) = (self.config.clone(), self.tokens.clone(), self.state_dir.clone());
        let (objects, report) = super::on_reader_thread("graph-reader", move || async move {
            let client = GraphClient::new(config, tokens)?;
            let (snapshot, report) = read::tenant(&client, &dir, &progress, cancel).await?;
            Ok((objects(snapshot), report))
        })
        .await?;
        tracing::info!(kind = ?report.kind, requests = report.requests, changes = report.changes, "Graph read");
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
        let stats = ReadStats {
            entries: objects.len() as u64,
            pages: report.pages,
            referrals: 0,
            range_requests: report.member_pages,
            elapsed: started.elapsed(),
        };
        Ok(DirectoryRead { flavor: Flavor::EntraId, objects, stats })
    }

    fn root(&self) -> String {
        self.root_name()
    }

    async fn children(&self, dn: &str) -> Result<Vec<TreeNode>, SourceError> {
        let client = self.client().await?;
        let ctx = Ctx::new(CancellationToken::new());
        Ok(self.browser.children(&client, &self.root_name(), dn, &ctx).await?)
    }

    async fn details(&self, dn: &str) -> Result<EntryDetails, SourceError> {
        let client = self.client().await?;
        let ctx = Ctx::new(CancellationToken::new());
        Ok(self.browser.details(&client, &self.root_name(), dn, &ctx).await?)
    }
}
