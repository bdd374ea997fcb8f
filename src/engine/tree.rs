//! The directory tree's data as the engine keeps it: listings per DN and the inspected entry.
//! Which nodes are open and selected is the front-end's business, not ours.

use crate::model::{EntryDetails, TreeNode};
use crate::source::SourceError;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The last good listing; kept while a refresh is under way.
    pub nodes: Option<Arc<Vec<TreeNode>>>,
    pub loading: bool,
    pub error: Option<Arc<SourceError>>,
}

#[derive(Debug, Clone, Default)]
pub struct Details {
    pub dn: String,
    pub loading: bool,
    pub entry: Option<Arc<EntryDetails>>,
    pub error: Option<Arc<SourceError>>,
}

#[derive(Debug, Clone, Default)]
pub struct TreeData {
    /// Which of the organisation's sources these listings are of (its place in the config).
    pub source: usize,
    pub listings: HashMap<String, Listing>,
    pub details: Option<Details>,
}

impl TreeData {
    /// Nothing listed yet, of the source at `source`.
    pub fn browsing(source: usize) -> Self {
        Self { source, ..Self::default() }
    }

    pub fn listing(&self, dn: &str) -> Option<&Listing> {
        self.listings.get(dn)
    }

    /// Marks `dn` as loading; `false` when it is already loading or loaded (and not forced).
    pub fn request_children(&mut self, dn: &str, force: bool) -> bool {
        let listing = self.listings.entry(dn.to_string()).or_default();
        if listing.loading || (listing.nodes.is_some() && !force) {
            return false;
        }
        listing.loading = true;
        true
    }

    pub fn children_arrived(&mut self, dn: &str, result: Result<Vec<TreeNode>, Arc<SourceError>>) {
        let listing = self.listings.entry(dn.to_string()).or_default();
        listing.loading = false;
        match result {
            Ok(nodes) => {
                listing.nodes = Some(Arc::new(nodes));
                listing.error = None;
            }
            Err(e) => listing.error = Some(e),
        }
    }

    /// Asks for an entry's attributes; `false` when that entry is already shown or on its way.
    pub fn request_details(&mut self, dn: &str) -> bool {
        if self.details.as_ref().is_some_and(|d| d.dn == dn && (d.loading || d.entry.is_some())) {
            return false;
        }
        self.details = Some(Details { dn: dn.to_string(), loading: true, entry: None, error: None });
        true
    }

    /// Late answers for an entry no longer selected are dropped.
    pub fn details_arrived(&mut self, dn: &str, result: Result<EntryDetails, Arc<SourceError>>) {
        let Some(details) = self.details.as_mut().filter(|d| d.dn == dn) else { return };
        details.loading = false;
        match result {
            Ok(entry) => details.entry = Some(Arc::new(entry)),
            Err(e) => details.error = Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeKind;

    fn node(dn: &str) -> TreeNode {
        TreeNode { dn: dn.into(), label: dn.into(), kind: NodeKind::Container, ..TreeNode::default() }
    }

    #[test]
    fn duplicate_requests_merge_and_refresh_keeps_the_old_listing() {
        let mut t = TreeData::default();
        assert!(t.request_children("dc=x", false));
        assert!(!t.request_children("dc=x", false));
        t.children_arrived("dc=x", Ok(vec![node("ou=a,dc=x")]));
        assert!(!t.request_children("dc=x", false), "loaded: no refetch unless forced");
        assert!(t.request_children("dc=x", true));
        assert_eq!(t.listing("dc=x").unwrap().nodes.as_ref().unwrap().len(), 1);
        t.children_arrived("dc=x", Err(Arc::new(SourceError::Cancelled)));
        let l = t.listing("dc=x").unwrap();
        assert_eq!(l.nodes.as_ref().unwrap().len(), 1);
        assert_eq!(l.error.as_ref().map(|e| e.to_string()).as_deref(), Some("cancelled"));
    }

    #[test]
    fn late_details_for_another_entry_are_dropped() {
        let mut t = TreeData::default();
        t.request_details("a");
        t.request_details("b");
        t.details_arrived("a", Ok(EntryDetails { dn: "a".into(), attributes: vec![] }));
        assert!(t.details.as_ref().unwrap().entry.is_none());
    }
}
