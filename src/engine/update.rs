//! The engine's one transition function. Pure: effects are returned, not performed.

use super::command::Command;
use super::event::Event;
use super::record::{self, Ending, RunRules};
use super::state::{Effect, EngineError, Msg, Phase, Review, Snapshot, TargetProblem};
use super::tree::TreeData;
use crate::history::{Mode, Outcome};
use crate::model::{ChangeKind, ClassifiedRead, SearchOutcome};
use crate::report::thousands;
use crate::source::classify::Policy;
use crate::source::{ReadProgress, SourceError};
use crate::sync::apply::ApplyOutcome;
use crate::sync::guard::Overrides;
use crate::sync::run::{Planned, SyncError};
use jiff::Timestamp;
use std::sync::Arc;

/// What the transitions need to know that never changes while the engine runs.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub policy: Policy,
    /// Why there is no target to plan against, if there is none.
    pub target_problem: Option<TargetProblem>,
    pub guards: crate::config::GuardConfig,
    pub runs: RunRules,
}

/// `now` stamps the runs that start and end with this message.
pub fn update(state: &mut Snapshot, msg: Msg, rules: &Rules, now: Timestamp) -> Vec<Effect> {
    match msg {
        Msg::Command(command) => on_command(state, command, rules, now),
        Msg::Progress(progress) => on_progress(state, progress),
        Msg::ReadFinished(result) => on_read_finished(state, result, rules, now),
        Msg::PlanFinished(result) => on_plan_finished(state, result, rules, now),
        Msg::ApplyProgress(p) => {
            if matches!(state.phase, Phase::Applying(_)) {
                state.phase = Phase::Applying(p);
            }
            Vec::new()
        }
        Msg::ApplyFinished(result) => on_apply_finished(state, result, rules, now),
        Msg::Children { source, .. } | Msg::Details { source, .. } if source != state.tree.source => Vec::new(),
        Msg::Children { dn, result, .. } => {
            Arc::make_mut(&mut state.tree).children_arrived(&dn, result);
            Vec::new()
        }
        Msg::Details { dn, result, .. } => {
            Arc::make_mut(&mut state.tree).details_arrived(&dn, result);
            Vec::new()
        }
    }
}

fn on_command(state: &mut Snapshot, command: Command, rules: &Rules, now: Timestamp) -> Vec<Effect> {
    match command {
        Command::Search => start_search(state),
        Command::Plan => start_plan(state, rules, now),
        Command::Select { id, approved } => select(state, |review| review.set(id, approved)),
        Command::SelectAll(approved) => select(state, |review| review.set_all(approved)),
        Command::Apply(overrides) => start_apply(state, overrides, rules, now),
        Command::Cancel => cancel(state, rules, now),
        Command::Browse { dn, refresh } => {
            let wanted = Arc::make_mut(&mut state.tree).request_children(&dn, refresh);
            let source = state.tree.source;
            wanted.then_some(Effect::FetchChildren { source, dn }).into_iter().collect()
        }
        Command::Inspect(dn) => {
            let wanted = Arc::make_mut(&mut state.tree).request_details(&dn);
            let source = state.tree.source;
            wanted.then_some(Effect::FetchDetails { source, dn }).into_iter().collect()
        }
        Command::BrowseSource(source) => {
            if source != state.tree.source {
                state.tree = Arc::new(TreeData::browsing(source));
            }
            Vec::new()
        }
    }
}

fn busy(state: &Snapshot) -> Option<Vec<Effect>> {
    // A second request while one runs is merged into it, not queued.
    state
        .phase
        .is_busy()
        .then(|| vec![Effect::Log(Event::info(format!("{} is still running", state.phase.label().to_lowercase())))])
}

fn start_search(state: &mut Snapshot) -> Vec<Effect> {
    if let Some(effects) = busy(state) {
        return effects;
    }
    state.phase = Phase::Connecting;
    state.error = None;
    vec![Effect::StartRead]
}

fn fail(state: &mut Snapshot, error: EngineError) -> Vec<Effect> {
    let line = error.to_string();
    state.error = Some(Arc::new(error));
    state.phase = Phase::Failed;
    vec![Effect::Log(Event::error(line))]
}

fn start_plan(state: &mut Snapshot, rules: &Rules, now: Timestamp) -> Vec<Effect> {
    if let Some(effects) = busy(state) {
        return effects;
    }
    if let Some(problem) = &rules.target_problem {
        return cannot_plan(state, problem.clone(), rules, now);
    }
    record::open(state, rules, now);
    match state.search.clone() {
        Some(search) => {
            state.phase = Phase::Planning;
            state.error = None;
            vec![Effect::StartPlan(search), Effect::Log(Event::info("planning: listing the service's accounts"))]
        }
        None => {
            state.plan_after_read = true;
            start_search(state)
        }
    }
}

fn select(state: &mut Snapshot, change: impl FnOnce(&mut Review)) -> Vec<Effect> {
    if state.phase != Phase::Planned {
        return Vec::new();
    }
    if let Some(review) = state.review.as_mut() {
        change(Arc::make_mut(review));
    }
    Vec::new()
}

/// Without a service there is no run; a service that cannot be opened is a failed one.
fn cannot_plan(state: &mut Snapshot, problem: TargetProblem, rules: &Rules, now: Timestamp) -> Vec<Effect> {
    let error = EngineError::TargetUnavailable(problem.clone());
    let line = error.to_string();
    let mut effects = fail(state, error);
    if matches!(problem, TargetProblem::Unavailable(_)) {
        record::open(state, rules, now);
        effects.push(record::close(state, rules, now, Ending::failed(line, false)));
    }
    effects
}

fn start_apply(state: &mut Snapshot, overrides: Overrides, rules: &Rules, now: Timestamp) -> Vec<Effect> {
    let Some(review) = state.review.clone().filter(|_| state.phase == Phase::Planned) else {
        return vec![Effect::Log(Event::warn("nothing to apply: make a plan first"))];
    };
    let verdict = review.verdict(overrides, &rules.guards);
    if !verdict.ok() {
        let mut effects: Vec<Effect> =
            verdict.blocks.iter().map(|b| Effect::Log(Event::error(format!("blocked: {b}")))).collect();
        let end = Ending::judged(Outcome::Blocked, Mode::Apply, verdict);
        effects.push(record::close(state, rules, now, end));
        return effects;
    }
    let total = review.approved();
    state.phase = Phase::Applying(crate::sync::apply::ApplyProgress { done: 0, failed: 0, total });
    state.error = None;
    let run = record::current(state, rules, now);
    vec![
        Effect::StartApply { review, overrides, run },
        Effect::Log(Event::info(format!("applying {} approved changes", thousands(total as u64)))),
    ]
}

fn cancel(state: &mut Snapshot, rules: &Rules, now: Timestamp) -> Vec<Effect> {
    if !state.phase.is_busy() {
        return Vec::new();
    }
    let note = match state.phase {
        Phase::Applying(_) => "cancelling: changes in flight finish, nothing new starts",
        _ => "cancelled; the partial read was discarded",
    };
    let mut effects = vec![Effect::CancelJob, Effect::Log(Event::warn(note))];
    // An apply reports its own end; a plan under way ends here.
    let planning = state.plan_after_read || state.phase == Phase::Planning;
    if !matches!(state.phase, Phase::Applying(_)) {
        state.phase = Phase::Cancelled;
        state.plan_after_read = false;
    }
    if planning {
        effects.push(record::close(state, rules, now, Ending::new(Outcome::Cancelled, Mode::DryRun)));
    }
    effects
}

fn on_progress(state: &mut Snapshot, progress: ReadProgress) -> Vec<Effect> {
    if !matches!(state.phase, Phase::Connecting | Phase::Reading { .. }) {
        return Vec::new(); // late report from a cancelled job
    }
    match progress {
        ReadProgress::Connecting { target } => vec![Effect::Log(Event::info(format!("connecting to {target}")))],
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

fn on_read_finished(
    state: &mut Snapshot,
    result: Result<ClassifiedRead, SourceError>,
    rules: &Rules,
    now: Timestamp,
) -> Vec<Effect> {
    if !matches!(state.phase, Phase::Connecting | Phase::Reading { .. }) {
        return Vec::new();
    }
    match result {
        Ok(read) => {
            let outcome = Arc::new(SearchOutcome::from(read));
            let mut effects = vec![Effect::Log(Event::info(summary_line(&outcome)))];
            state.flavor = Some(outcome.flavor);
            state.search = Some(outcome.clone());
            state.review = None;
            state.phase = Phase::Done;
            if std::mem::take(&mut state.plan_after_read) {
                state.phase = Phase::Planning;
                effects.push(Effect::StartPlan(outcome));
            }
            effects
        }
        Err(SourceError::Cancelled) => {
            state.phase = Phase::Cancelled;
            Vec::new()
        }
        Err(err) => {
            let planning = std::mem::take(&mut state.plan_after_read);
            let line = err.to_string();
            let mut effects = fail(state, EngineError::Source(err));
            if planning {
                effects.push(record::close(state, rules, now, Ending::failed(line, false)));
            }
            effects
        }
    }
}

fn on_plan_finished(
    state: &mut Snapshot,
    result: Result<Planned, SyncError>,
    rules: &Rules,
    now: Timestamp,
) -> Vec<Effect> {
    if state.phase != Phase::Planning {
        return Vec::new();
    }
    match result {
        Ok(planned) => {
            let mut effects: Vec<Effect> =
                planned.recovered.iter().map(|n| Effect::Log(Event::warn(n.clone()))).collect();
            effects.push(Effect::Log(Event::info(plan_line(&planned))));
            effects.extend(planned.verdict.warnings.iter().map(|w| Effect::Log(Event::warn(format!("warning: {w}")))));
            effects.extend(planned.verdict.blocks.iter().map(|b| Effect::Log(Event::warn(format!("guard: {b}")))));
            let review = Review::new(planned);
            // Judged as the front-end will judge it: with the one-run overrides it was given.
            let verdict = review.verdict(rules.runs.overrides, &rules.guards);
            state.review = Some(Arc::new(review));
            state.phase = Phase::Planned;
            let outcome = if verdict.ok() { Outcome::Planned } else { Outcome::Blocked };
            effects.push(record::close(state, rules, now, Ending::judged(outcome, Mode::DryRun, verdict)));
            effects
        }
        Err(e) => {
            let line = e.to_string();
            let mut effects = fail(state, EngineError::Sync(e));
            effects.push(record::close(state, rules, now, Ending::failed(line, true)));
            effects
        }
    }
}

fn on_apply_finished(
    state: &mut Snapshot,
    result: Result<ApplyOutcome, SyncError>,
    rules: &Rules,
    now: Timestamp,
) -> Vec<Effect> {
    if !matches!(state.phase, Phase::Applying(_)) {
        return Vec::new();
    }
    let approved = state.review.as_ref().map_or(0, |r| r.approved());
    let mut end = Ending { read: true, planned: true, ..Ending::new(Outcome::Applied, Mode::Apply) };
    match result {
        Ok(outcome) => {
            end.outcome = record::apply_outcome(&outcome);
            end.error = outcome.fatal.clone();
            end.apply = Some(record::apply_counts(approved, &outcome));
            let mut effects = vec![Effect::Log(Event::info(apply_line(&outcome)))];
            effects.extend(
                outcome
                    .failed
                    .iter()
                    .map(|f| Effect::Log(Event::warn(format!("{} {}: {}", f.action, f.email, f.error)))),
            );
            effects.extend(
                outcome
                    .skipped
                    .iter()
                    .map(|s| Effect::Log(Event::warn(format!("skipped {} {}: {}", s.action, s.email, s.reason)))),
            );
            if let Some(fatal) = &outcome.fatal {
                effects.push(Effect::Log(Event::error(format!("stopped: {fatal}"))));
            }
            effects.extend(outcome.verification.iter().flat_map(verification_events));
            effects.push(record::close(state, rules, now, end));
            state.report = Some(Arc::new(outcome));
            state.review = None;
            state.phase = Phase::Done;
            effects
        }
        Err(e) => {
            end.outcome = if e.is_blocked() { Outcome::Blocked } else { Outcome::Failed };
            if let SyncError::Blocked(verdict) = &e {
                end.verdict = Some(verdict.clone());
            }
            end.error = Some(e.to_string()).filter(|_| !e.is_blocked());
            let mut effects = fail(state, EngineError::Sync(e));
            effects.push(record::close(state, rules, now, end));
            effects
        }
    }
}

fn summary_line(outcome: &SearchOutcome) -> String {
    let s = &outcome.stats;
    format!(
        "read {} entries in {:.1} s ({}/s): {} to sync, {} skipped",
        thousands(s.entries),
        s.elapsed.as_secs_f64(),
        thousands(s.entries_per_second() as u64),
        thousands(outcome.classification.entries.len() as u64),
        thousands(outcome.classification.skipped.len() as u64)
    )
}

fn plan_line(planned: &Planned) -> String {
    let p = &planned.plan;
    format!(
        "plan against {}: +{} ~{} -{} · {} in sync · {} left alone · guards {}",
        planned.target,
        thousands(p.count(ChangeKind::Create) as u64),
        thousands(p.count(ChangeKind::Update) as u64),
        thousands(p.count(ChangeKind::Delete) as u64),
        thousands(p.in_sync as u64),
        thousands(p.untouched.len() as u64),
        if planned.verdict.ok() { "ok" } else { "BLOCK" }
    )
}

/// "verified N of N", an info line when all took, else a warning per change that did not.
fn verification_events(v: &crate::sync::verify::Verification) -> Vec<Effect> {
    let line = crate::report::verification_line(v);
    if v.all_taken() {
        return vec![Effect::Log(Event::info(line))];
    }
    let mut events = vec![Effect::Log(Event::error(line))];
    events.extend(
        v.not_taken
            .iter()
            .map(|n| Effect::Log(Event::error(format!("did not take: {} {}: {}", n.action, n.email, n.problem)))),
    );
    events
}

fn apply_line(o: &ApplyOutcome) -> String {
    let mut line = format!("applied {} changes in {:.1} s", thousands(o.applied.len() as u64), o.elapsed.as_secs_f64());
    if !o.failed.is_empty() {
        line.push_str(&format!(", {} failed", thousands(o.failed.len() as u64)));
    }
    if !o.skipped.is_empty() {
        line.push_str(&format!(", {} skipped", thousands(o.skipped.len() as u64)));
    }
    if o.not_started > 0 {
        line.push_str(&format!(", {} not started", thousands(o.not_started as u64)));
    }
    line
}

#[cfg(test)]
mod tests;
