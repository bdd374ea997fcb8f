//! The directory pane's state: open nodes, selection and filter, kept by DN so they survive a
//! refresh. Rows are flattened from the engine's listings on demand.

use crate::config::Config;
use crate::dn::Dn;
use crate::engine::tree::{Listing, TreeData};
use crate::model::{NodeKind, TreeNode};
use crate::source::SourceError;
use std::collections::HashSet;
use std::time::Instant;

/// One visible line of the tree. Borrows from the engine's listings: flattening 100k entries
/// must not copy 100k names.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub node: &'a TreeNode,
    pub depth: usize,
    pub open: bool,
    pub listing: Option<&'a Listing>,
}

impl Row<'_> {
    pub fn loading(&self) -> bool {
        self.listing.is_some_and(|l| l.loading)
    }

    /// Children listed so far, once the node has been opened.
    pub fn children(&self) -> Option<usize> {
        self.listing.and_then(|l| l.nodes.as_ref()).map(|n| n.len())
    }

    pub fn error(&self) -> Option<&SourceError> {
        self.listing.and_then(|l| l.error.as_deref())
    }
}

/// Under an `[exclude] subtrees` entry? (Parsed per visible row only.)
pub fn is_excluded(dn: &str, excluded: &[Dn]) -> bool {
    !excluded.is_empty() && Dn::parse(dn).is_ok_and(|dn| excluded.iter().any(|e| dn.is_within(e)))
}

/// Which of an organisation's several sources the tree is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browsed {
    /// Its place in the config.
    pub at: usize,
    pub name: String,
    /// How many sources there are.
    pub of: usize,
}

#[derive(Debug, Clone, Default)]
pub struct TreeState {
    pub root: String,
    /// `None` for an organisation with one source.
    pub source: Option<Browsed>,
    root_node: TreeNode,
    pub open: HashSet<String>,
    pub selected: Option<String>,
    pub filter: String,
    /// The config's `[exclude] subtrees` and the browsed source's own, to mark rows with.
    pub excluded: Vec<Dn>,
    /// A selection waiting to be inspected once the cursor rests on it.
    pub(super) pending_inspect: Option<(String, Instant)>,
}

impl TreeState {
    pub fn new(root: &str) -> Self {
        let root_node =
            TreeNode { dn: root.to_string(), label: root.to_string(), kind: NodeKind::Domain, ..TreeNode::default() };
        Self {
            root: root.to_string(),
            root_node,
            open: HashSet::from([root.to_string()]),
            selected: Some(root.to_string()),
            ..Self::default()
        }
    }

    /// The tree of the source at `at` among the config's several (`roots`: where each one's
    /// browsing starts); with one source, its tree.
    pub fn of_source(config: &Config, roots: &[String], at: usize) -> Self {
        let at = if at < roots.len() { at } else { 0 };
        let mut tree = Self::new(roots.get(at).map_or("", String::as_str));
        tree.source = config.sources.get(at).filter(|_| config.merges_sources()).map(|s| Browsed {
            at,
            name: s.name.clone(),
            of: config.sources.len(),
        });
        tree.set_excluded(config);
        tree
    }

    /// The place in the config of the source browsed.
    pub fn source_index(&self) -> usize {
        self.source.as_ref().map_or(0, |b| b.at)
    }

    /// Every source's exclusions and the browsed one's own.
    pub fn set_excluded(&mut self, config: &Config) {
        let own = self.source.as_ref().and_then(|b| config.sources.get(b.at)).map(|s| s.exclude.subtree_dns());
        self.excluded = config.exclude.subtree_dns().chain(own.into_iter().flatten()).collect();
    }

    /// Every visible row, depth-first, with the filter applied to loaded entries.
    pub fn rows<'a>(&'a self, data: &'a TreeData) -> Vec<Row<'a>> {
        let mut rows = Vec::new();
        let filter = self.filter.to_lowercase();
        self.push(&self.root_node, 0, data, &filter, &mut rows);
        rows
    }

    fn push<'a>(
        &self,
        node: &'a TreeNode,
        depth: usize,
        data: &'a TreeData,
        filter: &str,
        rows: &mut Vec<Row<'a>>,
    ) -> bool {
        // Only containers have listings: no hashing of 100k user DNs per frame.
        let openable = node.can_open();
        let open = openable && self.open.contains(&node.dn);
        let listing = if openable { data.listing(&node.dn) } else { None };
        let at = rows.len();
        rows.push(Row { node, depth, open, listing });
        let mut any_child = false;
        if open && let Some(children) = listing.and_then(|l| l.nodes.as_ref()) {
            for child in children.iter() {
                any_child |= self.push(child, depth + 1, data, filter, rows);
            }
        }
        let matches = filter.is_empty() || node.label.to_lowercase().contains(filter) || depth == 0;
        if !matches && !any_child {
            rows.truncate(at);
            return false;
        }
        true
    }

    pub fn selected_index(&self, rows: &[Row<'_>]) -> usize {
        self.selected.as_ref().and_then(|dn| rows.iter().position(|r| &r.node.dn == dn)).unwrap_or(0)
    }

    /// The DN at `index` (clamped), to select.
    pub fn dn_at(rows: &[Row<'_>], index: usize) -> Option<String> {
        rows.get(index.min(rows.len().saturating_sub(1))).map(|r| r.node.dn.clone())
    }

    /// What opening the selection means: the DN to open (and whether it must be listed first),
    /// or the first child to step onto when it is open already.
    pub fn expand_target(&self, rows: &[Row<'_>]) -> Expand {
        let at = self.selected_index(rows);
        let Some(row) = rows.get(at) else { return Expand::Nothing };
        if !row.node.can_open() {
            return Expand::Nothing;
        }
        if row.open {
            return match rows.get(at + 1).filter(|r| r.depth > row.depth) {
                Some(child) => Expand::StepInto(child.node.dn.clone()),
                None => Expand::Nothing,
            };
        }
        Expand::Open { dn: row.node.dn.clone(), fetch: row.children().is_none() }
    }

    /// What closing the selection means: close it, or step to its parent.
    pub fn collapse_target(&self, rows: &[Row<'_>]) -> Collapse {
        let at = self.selected_index(rows);
        let Some(row) = rows.get(at) else { return Collapse::Nothing };
        if row.open && row.depth > 0 {
            return Collapse::Close(row.node.dn.clone());
        }
        match rows[..at].iter().rev().find(|r| r.depth < row.depth) {
            Some(parent) => Collapse::StepOut(parent.node.dn.clone()),
            None => Collapse::Nothing,
        }
    }

    /// The open nodes to list again on a refresh (open and selection stay as they are).
    pub fn open_dns(&self) -> Vec<String> {
        let mut dns: Vec<String> = self.open.iter().cloned().collect();
        dns.sort_by_key(|d| d.len());
        dns
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expand {
    Nothing,
    Open { dn: String, fetch: bool },
    StepInto(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collapse {
    Nothing,
    Close(String),
    StepOut(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(dn: &str, kind: NodeKind) -> TreeNode {
        let label = dn.split(',').next().unwrap().split('=').nth(1).unwrap().to_string();
        TreeNode { dn: dn.into(), label, kind, ..TreeNode::default() }
    }

    fn data() -> TreeData {
        let mut d = TreeData::default();
        d.request_children("dc=x", false);
        d.children_arrived(
            "dc=x",
            Ok(vec![node("ou=People,dc=x", NodeKind::Container), node("ou=Groups,dc=x", NodeKind::Container)]),
        );
        d.request_children("ou=People,dc=x", false);
        d.children_arrived(
            "ou=People,dc=x",
            Ok(vec![node("cn=Ann,ou=People,dc=x", NodeKind::User), node("cn=Bo,ou=People,dc=x", NodeKind::User)]),
        );
        d
    }

    fn labels(rows: &[Row<'_>]) -> Vec<String> {
        rows.iter().map(|r| r.node.label.clone()).collect()
    }

    #[test]
    fn expanding_and_collapsing_by_dn() {
        let d = data();
        let mut t = TreeState::new("dc=x");
        assert_eq!(labels(&t.rows(&d)), ["dc=x", "People", "Groups"]);
        t.selected = Some("ou=People,dc=x".into());
        assert_eq!(t.expand_target(&t.rows(&d)), Expand::Open { dn: "ou=People,dc=x".into(), fetch: false });
        t.open.insert("ou=People,dc=x".into());
        assert_eq!(labels(&t.rows(&d)), ["dc=x", "People", "Ann", "Bo", "Groups"]);
        assert_eq!(t.expand_target(&t.rows(&d)), Expand::StepInto("cn=Ann,ou=People,dc=x".into()));
        t.selected = Some("ou=Groups,dc=x".into());
        assert_eq!(t.expand_target(&t.rows(&d)), Expand::Open { dn: "ou=Groups,dc=x".into(), fetch: true });
        t.selected = Some("cn=Bo,ou=People,dc=x".into());
        assert_eq!(t.collapse_target(&t.rows(&d)), Collapse::StepOut("ou=People,dc=x".into()));
    }

    #[test]
    fn a_group_that_lists_its_members_opens_and_others_do_not() {
        let mut d = TreeData::default();
        let members = TreeNode { lists_members: true, ..node("cn=Sales,dc=x", NodeKind::Group) };
        d.children_arrived("dc=x", Ok(vec![members, node("cn=Staff,dc=x", NodeKind::Group)]));
        let mut t = TreeState::new("dc=x");
        t.selected = Some("cn=Sales,dc=x".into());
        assert_eq!(t.expand_target(&t.rows(&d)), Expand::Open { dn: "cn=Sales,dc=x".into(), fetch: true });
        t.selected = Some("cn=Staff,dc=x".into());
        assert_eq!(t.expand_target(&t.rows(&d)), Expand::Nothing);
    }

    #[test]
    fn filter_keeps_ancestors_of_matches() {
        let d = data();
        let mut t = TreeState::new("dc=x");
        t.open.insert("ou=People,dc=x".into());
        t.filter = "bo".into();
        assert_eq!(labels(&t.rows(&d)), ["dc=x", "People", "Bo"]);
    }

    #[test]
    fn excluded_subtrees_are_recognised_in_any_spelling() {
        let excluded = [Dn::parse("OU=people,DC=x").unwrap()];
        assert!(is_excluded("cn=Ann,ou=People,dc=x", &excluded));
        assert!(!is_excluded("ou=Groups,dc=x", &excluded));
    }

    #[test]
    fn selection_survives_a_refresh_by_dn() {
        let mut d = data();
        let mut t = TreeState::new("dc=x");
        t.open.insert("ou=People,dc=x".into());
        t.selected = Some("cn=Bo,ou=People,dc=x".into());
        d.request_children("ou=People,dc=x", true);
        d.children_arrived(
            "ou=People,dc=x",
            Ok(vec![node("cn=Al,ou=People,dc=x", NodeKind::User), node("cn=Bo,ou=People,dc=x", NodeKind::User)]),
        );
        let rows = t.rows(&d);
        assert_eq!(rows[t.selected_index(&rows)].node.label, "Bo");
    }
}
