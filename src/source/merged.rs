//! An organisation with several `[[source]]`s, seen as one source: every source is read (at
//! once), each on its own must be complete and hold users, and the reads are merged by
//! primary address (`resolve`). The terminal app browses each source on its own
//! (`source::with_each`); asked to browse, the merged source itself browses its first.

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
            let read = read.map_err(|inner| named(&part.name, inner))?;
            if !read.classification.entries.iter().any(|e| e.kind == EntryKind::User) {
                return Err(SourceError::Empty { name: part.name.clone() });
            }
            done.push((part.name.clone(), part.priority, read));
        }
        Ok(done)
    }
}

/// A source's error, with its name; a cancel stays a cancel.
fn named(name: &str, inner: SourceError) -> SourceError {
    match inner {
        SourceError::Cancelled => SourceError::Cancelled,
        inner => SourceError::Named { name: name.to_string(), inner: Box::new(inner) },
    }
}

#[async_trait::async_trait]
impl Source for MergedSource {
    fn describe(&self) -> String {
        let each: Vec<String> = self.parts.iter().map(|p| format!("{}: {}", p.name, p.source.describe())).collect();
        format!("{} sources ({})", self.parts.len(), each.join("; "))
    }

    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        // Every source's objects, one after the other: unclassified objects carry no address
        // to merge by (that is `read_classified`'s), but a read is never a part of the sources.
        let reads = self.parts.iter().map(|part| part.source.read_all(progress.clone(), cancel.clone()));
        let mut all: Option<DirectoryRead> = None;
        for (part, read) in self.parts.iter().zip(join_all(reads).await) {
            let read = read.map_err(|inner| named(&part.name, inner))?;
            match all.as_mut() {
                // The first source's flavor stands for the read (the engine shows one).
                None => all = Some(read),
                Some(all) => {
                    all.objects.extend(read.objects);
                    all.stats = resolve::total([&all.stats, &read.stats].into_iter());
                }
            }
        }
        all.ok_or_else(|| SourceError::ReaderDied("no source to read".into()))
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

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::source::SourceError;
    use std::sync::Arc;
    use tokio_util::sync::CancellationToken;

    /// Two CSV files as one organisation's sources.
    fn two_files(a: &str, b: &str) -> (tempfile::TempDir, Arc<dyn super::Source>) {
        let dir = tempfile::tempdir().unwrap();
        let (pa, pb) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        std::fs::write(&pa, a).unwrap();
        std::fs::write(&pb, b).unwrap();
        let text = format!(
            "[[source]]\nname = \"a\"\nkind = \"csv\"\npath = {:?}\n\n[[source]]\nname = \"b\"\nkind = \"csv\"\npath = {:?}\n",
            pa.display().to_string(),
            pb.display().to_string()
        );
        let config = Config::parse(&text, "t.toml").unwrap();
        (dir, crate::source::with_each(&config).0)
    }

    fn quiet() -> crate::source::ProgressFn {
        Arc::new(|_| {})
    }

    #[tokio::test]
    async fn every_source_is_read_and_an_empty_one_fails_the_read_by_name() {
        let (_d, source) = two_files("Ann,Lee,ann@x.com,,\n", "Bo,Li,bo@x.com,,\nCy,Ng,cy@x.com,,\n");
        assert!(source.describe().starts_with("2 sources (a: "), "{}", source.describe());
        assert_eq!(source.read_all(quiet(), CancellationToken::new()).await.unwrap().objects.len(), 3);
        let read = source.read_classified(quiet(), CancellationToken::new(), Default::default()).await.unwrap();
        let names: Vec<_> = read.classification.entries.iter().map(|e| e.source.as_deref().unwrap()).collect();
        assert_eq!(names, ["a", "b", "b"]);

        let (_d, source) = two_files("Ann,Lee,ann@x.com,,\n", "");
        let e = source.read_classified(quiet(), CancellationToken::new(), Default::default()).await.unwrap_err();
        assert!(matches!(&e, SourceError::Empty { name } | SourceError::Named { name, .. } if name == "b"), "{e}");
    }
}
