//! What front-ends ask the engine to do.

use crate::sync::guard::Overrides;

/// Commands from the TUI or the CLI. Internal progress messages are a separate type
/// ([`super::state::Msg`]) so no key can ever be bound to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The seed's "Search Now": read and classify the whole directory.
    Search,
    /// Plan against the service (searching first when there is no search yet).
    Plan,
    /// Approve (or leave out) one change of the plan under review.
    Select { id: usize, approved: bool },
    /// Approve every change, or none.
    SelectAll(bool),
    /// Apply the approved changes; the guards decide first.
    Apply(Overrides),
    /// Stop the running job; nothing half-done is kept.
    Cancel,
    /// List the entries directly below a DN (`refresh`: even if already listed).
    Browse { dn: String, refresh: bool },
    /// Fetch every attribute of one entry.
    Inspect(String),
    /// Browse another of the organisation's sources (by its place in the config): the
    /// listings of the one browsed until now are dropped.
    BrowseSource(usize),
}
