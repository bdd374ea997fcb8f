//! An organisation with several `[[source]]`s, seen as one source: every source is read (at
//! once), each on its own must be complete and hold users, and the reads are merged by
//! primary address (`resolve`). Browsing and details go to the first source.

mod resolve;

use super::classify::Policy;
use super::{DirectoryRead, ProgressFn, Source, SourceError};
use crate::config::value::AddressGlob;
use crate::dn::Dn;
use crate::model::{ClassifiedRead, EntryDetails, EntryKind, TreeNode};
use futures::future::join_all;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub use resolve::merge;

/// One source of the merge, by the name the config gave it.
pub struct Part {
    pub name: String,
    pub priority: Option<i64>,
    pub source: Arc<dyn Source>,
    /// Excluded from this source only (`[source.exclude]`), besides the policy's own.
    pub exclude_subtrees: Vec<Dn>,
    pub exclude_addresses: Vec<AddressGlob>,
    /// Entra ID guests: each source says for itself.
    pub guests: bool,
}

impl Part {
    /// The run's policy with this source's own exclusions and guests.
    fn policy(&self, policy: &Policy) -> Policy {
        let mut own = policy.clone();
        own.include.guests = self.guests;
        own.exclude_subtrees.extend(self.exclude_subtrees.iter().cloned());
        own.exclude_addresses.extend(self.exclude_addresses.iter().cloned());
        own
    }
}

pub struct MergedSource {
    parts: Vec<Part>,
}

impl MergedSource {
    /// `parts` is never empty (the config has at least one source).
    pub fn new(parts: Vec<Part>) -> Self {
        Self { parts }
    }

    fn first(&self) -> &Part {
        &self.parts[0]
    }

    /// Each source's read, or the first error, naming its source.
    async fn read_each(
        &self,
        progress: ProgressFn,
        cancel: CancellationToken,
        policy: Policy,
    ) -> Result<Vec<(String, Option<i64>, ClassifiedRead)>, SourceError> {
        let reads = self.parts.iter().map(|part| {
            let (progress, cancel, policy) = (progress.clone(), cancel.clone(), part.policy(&policy));
            async move { (part, part.source.read_classified(progress, cancel, policy).await) }
        });
        let mut done = Vec::with_capacity(self.parts.len());
        for (part, read) in join_all(reads).await {
            let named = |inner: SourceError| match inner {
                SourceError::Cancelled => SourceError::Cancelled,
                inner => SourceError::Named { name: part.name.clone(), inner: Box::new(inner) },
            };
            let read = read.map_err(named)?;
            if !read.classification.entries.iter().any(|e| e.kind == EntryKind::User) {
                return Err(SourceError::Empty { name: part.name.clone() });
            }
            done.push((part.name.clone(), part.priority, read));
        }
        Ok(done)
    }
}

#[async_trait::async_trait]
impl Source for MergedSource {
    fn describe(&self) -> String {
        let each: Vec<String> = self.parts.iter().map(|p| format!("{}: {}", p.name, p.source.describe())).collect();
        format!("{} sources ({})", self.parts.len(), each.join("; "))
    }

    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        // Unclassified objects cannot be merged by address; only the first source is read.
        self.first().source.read_all(progress, cancel).await
    }

    async fn read_classified(
        &self,
        progress: ProgressFn,
        cancel: CancellationToken,
        policy: Policy,
    ) -> Result<ClassifiedRead, SourceError> {
        let reads = self.read_each(progress, cancel, policy).await?;
        Ok(merge(reads))
    }

    fn root(&self) -> String {
        self.first().source.root()
    }

    async fn children(&self, dn: &str) -> Result<Vec<TreeNode>, SourceError> {
        self.first().source.children(dn).await
    }

    async fn details(&self, dn: &str) -> Result<EntryDetails, SourceError> {
        self.first().source.details(dn).await
    }
}
