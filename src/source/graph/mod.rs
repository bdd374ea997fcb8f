//! The Entra ID source: users and groups read through Microsoft Graph with the app's own
//! token (client credentials), in full or as the changes since the last read.

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
use read::{FullBecause, ReadKind, ReadReport, Reader};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::{Key, Snapshot};
use tokio_util::sync::CancellationToken;

pub struct GraphSource {
    config: Arc<GraphConfig>,
    state_dir: PathBuf,
    /// Made on first use, so a config error shows where reads and checks show errors.
    client: tokio::sync::OnceCell<Arc<GraphClient>>,
    browser: tree::Browser,
    last: Mutex<Option<ReadReport>>,
}

impl GraphSource {
    pub fn new(config: &GraphConfig, state_dir: PathBuf) -> Self {
        Self {
            config: Arc::new(config.clone()),
            state_dir,
            client: tokio::sync::OnceCell::new(),
            browser: tree::Browser::default(),
            last: Mutex::new(None),
        }
    }

    pub async fn client(&self) -> Result<Arc<GraphClient>, GraphError> {
        let make = || async { GraphClient::new(self.config.clone()).map(Arc::new) };
        self.client.get_or_try_init(make).await.cloned()
    }

    /// What the last completed read did (kind, requests), for tests and the log.
    pub fn last_read(&self) -> Option<ReadReport> {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The whole tenant, and its snapshot stored for the next read to start from.
    pub async fn read_tenant(
        &self,
        progress: &ProgressFn,
        cancel: CancellationToken,
    ) -> Result<(Snapshot, ReadReport), GraphError> {
        progress(ReadProgress::Connecting { target: self.describe() });
        let client = self.client().await?;
        let ctx = Ctx::new(cancel);
        let before = client.requests();
        ctx.until_cancelled(client.sign_in()).await?;
        progress(ReadProgress::Connected { flavor: Flavor::EntraId });
        let reader = Reader::new(&client, &ctx, progress);
        let (snapshot, kind, changes) = self.read_with(&reader).await?;
        let snapshot = self.store(snapshot).await?;
        let report = reader.report(kind, changes, before);
        tracing::info!(kind = ?report.kind, requests = report.requests, changes = report.changes, "Graph read");
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
        Ok((snapshot, report))
    }

    /// A delta read when the stored snapshot allows one, else a full read.
    async fn read_with(&self, reader: &Reader<'_>) -> Result<(Snapshot, ReadKind, usize), GraphError> {
        let key = Key::of(&self.config);
        let dir = self.state_dir.clone();
        let stored = {
            let key = key.clone();
            tokio::task::spawn_blocking(move || store::load(&dir, &key)).await.ok().flatten()
        };
        let because = match stored {
            Some(old) if old.delta_reads + 1 < self.config.full_read_every => match read::delta(reader, old).await? {
                Some((snapshot, changes)) => return Ok((snapshot, ReadKind::Delta, changes)),
                None => FullBecause::LinkRejected,
            },
            Some(_) => FullBecause::Scheduled,
            None => FullBecause::NoSnapshot,
        };
        Ok((read::full(reader, key).await?, ReadKind::Full(because), 0))
    }

    /// Writes the snapshot on the blocking pool, which hands it back: it is not copied.
    async fn store(&self, snapshot: Snapshot) -> Result<Snapshot, GraphError> {
        let dir = self.state_dir.clone();
        let (snapshot, saved) = tokio::task::spawn_blocking(move || {
            let saved = store::save(&dir, &snapshot);
            (snapshot, saved)
        })
        .await
        .map_err(|e| GraphError::State(format!("the state writer stopped: {e}")))?;
        saved.map(|()| snapshot)
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

    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        let started = Instant::now();
        let (snapshot, report) = self.read_tenant(&progress, cancel).await?;
        let objects = objects(snapshot);
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
