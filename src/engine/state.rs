//! Engine state and its one transition function. Pure: effects are returned, not performed.

use super::command::Command;
use super::event::Event;
use super::tree::TreeData;
use crate::model::{EntryDetails, Flavor, TreeNode};
use crate::source::classify::{Classification, Policy, classify};
use crate::source::{DirectoryRead, ReadProgress, ReadStats, SourceError};
use std::sync::Arc;

/// Where the engine is. Data that outlives a phase lives in [`Snapshot`] fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    Connecting,
    Reading { entries: u64, pages: u32 },
    Done,
    Failed,
    Cancelled,
}

impl Phase {
    pub fn is_busy(&self) -> bool {
        matches!(self, Phase::Connecting | Phase::Reading { .. })
    }

    pub fn label(&self) -> &'static str {
        match self {
            Phase::Idle => "Idle",
            Phase::Connecting => "Connecting",
            Phase::Reading { .. } => "Reading",
            Phase::Done => "Done",
            Phase::Failed => "Failed",
            Phase::Cancelled => "Cancelled",
        }
    }
}

/// A finished search: the seed's "review the search results".
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub flavor: Flavor,
    pub stats: ReadStats,
    pub classification: Classification,
    /// Entries the server returned that are neither users nor groups (e.g. computers).
    pub ignored: u64,
}

/// Everything a front-end needs to draw; cloning it is cheap.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub phase: Phase,
    pub flavor: Option<Flavor>,
    pub search: Option<Arc<SearchOutcome>>,
    pub error: Option<Arc<SourceError>>,
    pub tree: Arc<TreeData>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Self { phase: Phase::Idle, flavor: None, search: None, error: None, tree: Arc::default() }
    }
}

/// Everything that can change the state: front-end commands and the jobs' reports.
#[derive(Debug)]
pub enum Msg {
    Command(Command),
    Progress(ReadProgress),
    ReadFinished(Result<DirectoryRead, SourceError>),
    Children { dn: String, result: Result<Vec<TreeNode>, String> },
    Details { dn: String, result: Result<EntryDetails, String> },
}

impl Msg {
    /// A short name for logs (the payload can be a whole directory).
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Command(_) => "command",
            Msg::Progress(_) => "progress",
            Msg::ReadFinished(_) => "read finished",
            Msg::Children { .. } => "children",
            Msg::Details { .. } => "details",
        }
    }
}

/// I/O the engine loop performs on behalf of [`update`].
#[derive(Debug, PartialEq)]
pub enum Effect {
    StartRead,
    FetchChildren(String),
    FetchDetails(String),
    CancelJob,
    Log(Event),
}

pub fn update(state: &mut Snapshot, msg: Msg, policy: &Policy) -> Vec<Effect> {
    match msg {
        Msg::Command(Command::Search) => start_search(state),
        Msg::Command(Command::Cancel) => cancel(state),
        Msg::Progress(progress) => on_progress(state, progress),
        Msg::ReadFinished(result) => on_read_finished(state, result, policy),
        Msg::Command(Command::Browse { dn, refresh }) => {
            let wanted = Arc::make_mut(&mut state.tree).request_children(&dn, refresh);
            wanted.then_some(Effect::FetchChildren(dn)).into_iter().collect()
        }
        Msg::Command(Command::Inspect(dn)) => {
            let wanted = Arc::make_mut(&mut state.tree).request_details(&dn);
            wanted.then_some(Effect::FetchDetails(dn)).into_iter().collect()
        }
        Msg::Children { dn, result } => {
            Arc::make_mut(&mut state.tree).children_arrived(&dn, result);
            Vec::new()
        }
        Msg::Details { dn, result } => {
            Arc::make_mut(&mut state.tree).details_arrived(&dn, result);
            Vec::new()
        }
    }
}

fn start_search(state: &mut Snapshot) -> Vec<Effect> {
    if state.phase.is_busy() {
        // A second request while one runs is merged into it, not queued.
        return vec![Effect::Log(Event::info("a search is already running"))];
    }
    state.phase = Phase::Connecting;
    state.error = None;
    vec![Effect::StartRead]
}

fn cancel(state: &mut Snapshot) -> Vec<Effect> {
    if !state.phase.is_busy() {
        return Vec::new();
    }
    state.phase = Phase::Cancelled;
    vec![Effect::CancelJob, Effect::Log(Event::warn("cancelled; the partial read was discarded"))]
}

fn on_progress(state: &mut Snapshot, progress: ReadProgress) -> Vec<Effect> {
    if !state.phase.is_busy() {
        return Vec::new(); // late report from a cancelled job
    }
    match progress {
        ReadProgress::Connecting { target } => {
            vec![Effect::Log(Event::info(format!("connecting to {target}")))]
        }
        ReadProgress::Connected { flavor } => {
            state.flavor = Some(flavor);
            state.phase = Phase::Reading { entries: 0, pages: 0 };
            vec![Effect::Log(Event::info(format!("bound; server is {flavor}")))]
        }
        ReadProgress::Page { entries, pages } => {
            state.phase = Phase::Reading { entries, pages };
            Vec::new()
        }
    }
}

fn on_read_finished(state: &mut Snapshot, result: Result<DirectoryRead, SourceError>, policy: &Policy) -> Vec<Effect> {
    if !state.phase.is_busy() {
        return Vec::new();
    }
    match result {
        Ok(read) => {
            let outcome = outcome(read, policy);
            let line = summary_line(&outcome);
            state.flavor = Some(outcome.flavor);
            state.search = Some(Arc::new(outcome));
            state.phase = Phase::Done;
            vec![Effect::Log(Event::info(line))]
        }
        Err(SourceError::Cancelled) => {
            state.phase = Phase::Cancelled;
            Vec::new()
        }
        Err(err) => {
            let line = err.to_string();
            state.error = Some(Arc::new(err));
            state.phase = Phase::Failed;
            vec![Effect::Log(Event::error(line))]
        }
    }
}

fn outcome(read: DirectoryRead, policy: &Policy) -> SearchOutcome {
    let classification = classify(read.objects, policy);
    let considered = (classification.entries.len() + classification.skipped.len()) as u64;
    SearchOutcome {
        flavor: read.flavor,
        stats: read.stats,
        ignored: read.stats.entries.saturating_sub(considered),
        classification,
    }
}

fn summary_line(outcome: &SearchOutcome) -> String {
    let s = &outcome.stats;
    use crate::report::thousands;
    format!(
        "read {} entries in {:.1} s ({}/s): {} to sync, {} skipped",
        thousands(s.entries),
        s.elapsed.as_secs_f64(),
        thousands(s.entries_per_second() as u64),
        thousands(outcome.classification.entries.len() as u64),
        thousands(outcome.classification.skipped.len() as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DirObject, ObjectClass};
    use crate::source::ldap::error::LdapFailure;

    fn read_with(objects: Vec<DirObject>) -> DirectoryRead {
        let stats = ReadStats { entries: objects.len() as u64 + 1, pages: 1, ..Default::default() };
        DirectoryRead { flavor: Flavor::Openldap, objects, stats }
    }

    #[test]
    fn search_runs_through_the_phases() {
        let mut s = Snapshot::default();
        let p = Policy::default();
        assert_eq!(update(&mut s, Msg::Command(Command::Search), &p), vec![Effect::StartRead]);
        assert_eq!(s.phase, Phase::Connecting);
        update(&mut s, Msg::Progress(ReadProgress::Connected { flavor: Flavor::Openldap }), &p);
        update(&mut s, Msg::Progress(ReadProgress::Page { entries: 10, pages: 1 }), &p);
        assert_eq!(s.phase, Phase::Reading { entries: 10, pages: 1 });
        let mut u = DirObject::new("cn=a,dc=x", ObjectClass::User);
        u.mail = Some("a@x.com".into());
        update(&mut s, Msg::ReadFinished(Ok(read_with(vec![u]))), &p);
        assert_eq!(s.phase, Phase::Done);
        let outcome = s.search.as_ref().unwrap();
        assert_eq!((outcome.classification.entries.len(), outcome.ignored), (1, 1));
    }

    #[test]
    fn a_second_search_while_busy_is_merged() {
        let mut s = Snapshot::default();
        let p = Policy::default();
        update(&mut s, Msg::Command(Command::Search), &p);
        let effects = update(&mut s, Msg::Command(Command::Search), &p);
        assert!(!effects.contains(&Effect::StartRead));
    }

    #[test]
    fn cancel_discards_and_late_results_are_ignored() {
        let mut s = Snapshot::default();
        let p = Policy::default();
        update(&mut s, Msg::Command(Command::Search), &p);
        assert!(update(&mut s, Msg::Command(Command::Cancel), &p).contains(&Effect::CancelJob));
        update(&mut s, Msg::ReadFinished(Ok(read_with(vec![]))), &p);
        assert_eq!(s.phase, Phase::Cancelled);
        assert!(s.search.is_none());
    }

    #[test]
    fn failure_is_kept_for_the_front_end() {
        let mut s = Snapshot::default();
        let p = Policy::default();
        update(&mut s, Msg::Command(Command::Search), &p);
        let err = SourceError::Ldap(LdapFailure::ConnectionLost { entries: 5, detail: "reset".into() });
        update(&mut s, Msg::ReadFinished(Err(err)), &p);
        assert_eq!(s.phase, Phase::Failed);
        assert!(s.error.as_ref().unwrap().to_string().contains("after 5 entries"));
    }
}
