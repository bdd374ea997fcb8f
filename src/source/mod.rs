//! Where directory objects come from.

pub mod classify;
pub mod csv;
pub mod graph;
pub mod ldap;
pub mod merged;

use crate::config::{Config, NamedSource, SecretError, SourceConfig};
use crate::model::{ClassifiedRead, DirObject, EntryDetails, Flavor, ReadStats, TreeNode};
use classify::Policy;
use ldap::error::LdapFailure;
use ldap::tls::TlsSetupError;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A complete read of the directory. There is no partial variant on purpose.
#[derive(Debug, Clone)]
pub struct DirectoryRead {
    pub flavor: Flavor,
    pub objects: Vec<DirObject>,
    pub stats: ReadStats,
}

/// Where a read puts each object as soon as it is decoded.
pub trait ObjectSink: Send {
    fn push(&mut self, obj: DirObject);
}

impl ObjectSink for Vec<DirObject> {
    fn push(&mut self, obj: DirObject) {
        Vec::push(self, obj);
    }
}

/// Progress of a read, for the status line and the log.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadProgress {
    Connecting { target: String },
    Connected { flavor: Flavor },
    Page { entries: u64, pages: u32 },
}

pub type ProgressFn = Arc<dyn Fn(ReadProgress) + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Ldap(#[from] LdapFailure),
    #[error(transparent)]
    Graph(#[from] graph::error::GraphError),
    #[error(transparent)]
    Csv(#[from] csv::error::CsvError),
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    #[error("Password: {0}")]
    Secret(#[from] SecretError),
    #[error("Source {name:?}: {inner}")]
    Named { name: String, inner: Box<SourceError> },
    #[error(
        "Source {name:?}: the read returned no users; each source must hold users on its own (check its base_dn, filter or file) — nothing is synced from the others either"
    )]
    Empty { name: String },
    #[error("cancelled")]
    Cancelled,
    #[error("internal: the directory reader stopped unexpectedly ({0})")]
    ReaderDied(String),
}

impl SourceError {
    pub fn protocol(detail: impl Into<String>) -> Self {
        SourceError::Ldap(LdapFailure::Protocol { detail: detail.into() })
    }
}

/// Runs a read on a thread of its own with a current-thread runtime: on the engine's
/// multi-thread runtime, handing every message of a read between worker threads costs more
/// CPU than the read itself (README, "Performance"). `job` makes the future there, so it
/// need not be `Send`; only its result crosses back.
pub async fn on_reader_thread<T, F>(name: &str, job: impl FnOnce() -> F + Send + 'static) -> Result<T, SourceError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, SourceError>>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| SourceError::ReaderDied(e.to_string()))
                .and_then(|rt| rt.block_on(job()));
            let _ = tx.send(result);
        })
        .map_err(|e| SourceError::ReaderDied(e.to_string()))?;
    rx.await.unwrap_or_else(|_| Err(SourceError::ReaderDied("reader thread panicked".into())))
}

/// The source the config describes (its one source, or every `[[source]]` merged), and each
/// of its sources on its own (the same ones, in the config's order), to browse one of them.
pub fn with_each(config: &Config) -> (Arc<dyn Source>, Vec<Arc<dyn Source>>) {
    if !config.merges_sources() {
        let source = one(&config.source, config.bind_password.clone(), config.state_dir());
        return (source.clone(), vec![source]);
    }
    let each: Vec<Arc<dyn Source>> = config.sources.iter().map(|s| named(config, s)).collect();
    let parts = config
        .sources
        .iter()
        .zip(&each)
        .map(|(s, source)| merged::Part {
            name: s.name.clone(),
            priority: s.priority,
            source: source.clone(),
            // Validated when the config was read, so a parse failure cannot happen here.
            exclude_subtrees: s.exclude.subtree_dns().collect(),
            exclude_addresses: s.exclude.addresses.clone(),
            guests: s.source.include_guests(),
        })
        .collect();
    (Arc::new(merged::MergedSource::new(parts)), each)
}

/// One of several sources; a Graph source keeps its snapshot in a state dir of its own.
fn named(config: &Config, source: &NamedSource) -> Arc<dyn Source> {
    let state_dir = config.state_dir().join("sources").join(&source.name);
    one(&source.source, source.bind_password.clone(), state_dir)
}

fn one(
    source: &SourceConfig,
    bind_password: Option<crate::config::SecretSource>,
    state_dir: std::path::PathBuf,
) -> Arc<dyn Source> {
    match source {
        SourceConfig::Ldap(ldap) => Arc::new(ldap::LdapSource::new(ldap, bind_password)),
        SourceConfig::Graph(graph) => Arc::new(graph::GraphSource::new(graph, state_dir)),
        SourceConfig::Csv(csv) => Arc::new(csv::CsvSource::new(csv)),
    }
}

#[async_trait::async_trait]
pub trait Source: Send + Sync {
    /// One line naming the source, e.g. `ldaps://dc1:636 DC=example,DC=com`.
    fn describe(&self) -> String;

    /// Reads everything the sync considers; complete or an error, never partial.
    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError>;

    /// Reads and classifies; a source that can classifies each object while the next ones
    /// are still on their way.
    async fn read_classified(
        &self,
        progress: ProgressFn,
        cancel: CancellationToken,
        policy: Policy,
    ) -> Result<ClassifiedRead, SourceError> {
        let read = self.read_all(progress, cancel).await?;
        let classification = classify::classify(read.objects, &policy);
        Ok(ClassifiedRead { flavor: read.flavor, classification, stats: read.stats })
    }

    /// Where browsing starts (the Base DN).
    fn root(&self) -> String;

    /// The entries directly below `dn`, containers first.
    async fn children(&self, dn: &str) -> Result<Vec<TreeNode>, SourceError>;

    /// Every attribute of one entry, for the attribute panel.
    async fn details(&self, dn: &str) -> Result<EntryDetails, SourceError>;
}
