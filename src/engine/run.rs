//! The engine loop: feeds messages to [`update`] and performs the effects it returns.

use super::command::Command;
use super::event::Event;
use super::record::{RunLog, RunRules};
use super::recorder::Recorder;
use super::state::{Effect, Msg, Review, Snapshot, TargetProblem};
use super::update::{Rules, update};
use crate::history::RunId;
use crate::model::SearchOutcome;
use crate::source::classify::Policy;
use crate::source::{ProgressFn, Source};
use crate::sync::guard::Overrides;
use crate::sync::run::{SyncSettings, make_plan, run_apply};
use crate::target::Target;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

/// How many log events a slow subscriber may fall behind before it skips ahead.
const EVENT_BACKLOG: usize = 1024;

/// A front-end's grip on a running engine.
#[derive(Clone)]
pub struct EngineHandle {
    commands: mpsc::UnboundedSender<Msg>,
    state: watch::Receiver<Snapshot>,
    events: broadcast::Sender<Event>,
    background: super::recorder::Background,
}

impl EngineHandle {
    pub fn send(&self, command: Command) {
        // The engine only stops when every handle is gone, so this cannot fail while we exist.
        let _ = self.commands.send(Msg::Command(command));
    }

    pub fn state(&self) -> watch::Receiver<Snapshot> {
        self.state.clone()
    }

    pub fn snapshot(&self) -> Snapshot {
        self.state.borrow().clone()
    }

    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Waits for the notifications under way (bounded); the warnings runs left since the
    /// last call (a history that could not be written, a notification that failed).
    pub async fn settle(&self) -> Vec<String> {
        self.background.settle().await
    }

    /// Waits until the state satisfies `done` (e.g. the search finished).
    pub async fn wait_for(&self, done: impl Fn(&Snapshot) -> bool) -> Snapshot {
        let mut rx = self.state.clone();
        match rx.wait_for(|s| done(s)).await {
            Ok(s) => s.clone(),
            Err(_) => self.snapshot(),
        }
    }
}

/// What the engine works with: where it reads, where it writes, and the rules in between.
pub struct EngineParts {
    pub source: Arc<dyn Source>,
    /// Each of the organisation's sources on its own, in the config's order, for browsing
    /// (a lone source: itself).
    pub browse: Vec<Arc<dyn Source>>,
    /// `Err` says why planning cannot work (no `[target]`, or it could not be opened).
    pub target: Result<Arc<dyn Target>, TargetProblem>,
    pub policy: Policy,
    pub sync: SyncSettings,
    /// How runs are recorded and told about.
    pub runs: RunLog,
}

impl EngineParts {
    /// Reading only: the service is not opened (a file target would take its lock).
    pub fn for_search(config: &crate::config::Config) -> Self {
        Self::with_target(config, Err(TargetProblem::SearchOnly))
    }

    /// Reading and syncing, with the target the config describes.
    pub fn for_sync(config: &crate::config::Config) -> Self {
        let target = match config.target {
            None => Err(TargetProblem::NotConfigured),
            Some(_) => crate::target::from_config(config).map_err(|e| TargetProblem::Unavailable(Arc::new(e))),
        };
        Self::with_target(config, target)
    }

    fn with_target(config: &crate::config::Config, target: Result<Arc<dyn Target>, TargetProblem>) -> Self {
        let (source, browse) = crate::source::with_each(config);
        Self {
            runs: RunLog::from_config(config, source.describe()),
            source,
            browse,
            target,
            policy: Policy::from_config(config),
            sync: SyncSettings::from_config(config),
        }
    }
}

struct Engine {
    parts: EngineParts,
    rules: Rules,
    /// Weak, so the loop ends once every front-end handle is dropped.
    inbox: mpsc::WeakUnboundedSender<Msg>,
    state: watch::Sender<Snapshot>,
    events: broadcast::Sender<Event>,
    job: Option<CancellationToken>,
    recorder: Recorder,
}

/// Starts the engine on the current tokio runtime.
pub fn spawn(parts: EngineParts) -> EngineHandle {
    let (inbox, mut rx) = mpsc::unbounded_channel();
    let (state, state_rx) = watch::channel(Snapshot::default());
    let (events, _) = broadcast::channel(EVENT_BACKLOG);
    let rules = Rules {
        policy: parts.policy.clone(),
        target_problem: parts.target.as_ref().err().cloned(),
        guards: parts.sync.guards.clone(),
        runs: RunRules {
            trigger: parts.runs.trigger,
            overrides: parts.runs.overrides,
            source: parts.runs.source.clone(),
            org: parts.runs.org.clone(),
            pid: std::process::id(),
        },
    };
    let recorder = Recorder::new(&parts.runs, parts.sync.state_dir.clone(), events.clone());
    let background = recorder.background.clone();
    let mut engine =
        Engine { parts, rules, inbox: inbox.downgrade(), state, events: events.clone(), job: None, recorder };
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            engine.handle(msg);
        }
    });
    EngineHandle { commands: inbox, state: state_rx, events, background }
}

impl Engine {
    fn handle(&mut self, msg: Msg) {
        let started = std::time::Instant::now();
        let kind = msg.kind();
        let mut next = self.state.borrow().clone();
        let effects = update(&mut next, msg, &self.rules, jiff::Timestamp::now());
        // A run's record is on disk before any front-end sees the state it ends in: a
        // front-end may exit as soon as it does.
        let (durable, rest): (Vec<Effect>, Vec<Effect>) = effects.into_iter().partition(Effect::is_durable);
        for effect in durable {
            self.perform(effect);
        }
        self.state.send_replace(next);
        tracing::debug!(msg = kind, elapsed = ?started.elapsed(), "engine update");
        for effect in rest {
            self.perform(effect);
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::StartRead => self.start_read(),
            Effect::StartPlan(search) => self.start_plan(search),
            Effect::StartApply { review, overrides, run } => self.start_apply(review, overrides, run),
            Effect::FetchChildren { source, dn } => self.fetch(source, dn, true),
            Effect::FetchDetails { source, dn } => self.fetch(source, dn, false),
            Effect::CancelJob => {
                if let Some(token) = self.job.take() {
                    token.cancel();
                }
            }
            Effect::Log(event) => {
                let _ = self.events.send(event);
            }
            Effect::Record(recorded) => self.recorder.record(*recorded),
        }
    }

    /// Runs `job` as a task whose answer comes back as a message; `None` once the engine is gone.
    fn spawn_job<F>(&mut self, job: impl FnOnce(mpsc::UnboundedSender<Msg>, CancellationToken) -> F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        let Some(inbox) = self.inbox.upgrade() else { return };
        let cancel = CancellationToken::new();
        self.job = Some(cancel.clone());
        let future = job(inbox.clone(), cancel);
        tokio::spawn(async move {
            let msg = future.await;
            let _ = inbox.send(msg);
        });
    }

    /// Browsing runs beside any job: its answers come back as messages like everything else.
    fn fetch(&self, at: usize, dn: String, children: bool) {
        let Some(inbox) = self.inbox.upgrade() else { return };
        let Some(browsed) = self.parts.browse.get(at).cloned() else { return };
        tokio::spawn(async move {
            let msg = if children {
                let result = browsed.children(&dn).await.map_err(Arc::new);
                Msg::Children { source: at, dn, result }
            } else {
                let result = browsed.details(&dn).await.map_err(Arc::new);
                Msg::Details { source: at, dn, result }
            };
            let _ = inbox.send(msg);
        });
    }

    fn start_read(&mut self) {
        let source = self.parts.source.clone();
        let policy = self.rules.policy.clone();
        self.spawn_job(|inbox, cancel| async move {
            let progress: ProgressFn = Arc::new(move |p| {
                let _ = inbox.send(Msg::Progress(p));
            });
            Msg::ReadFinished(source.read_classified(progress, cancel, policy).await)
        });
    }

    fn start_plan(&mut self, search: Arc<SearchOutcome>) {
        let Ok(target) = self.parts.target.clone() else { return };
        let settings = self.parts.sync.clone();
        self.spawn_job(|_, _| async move { Msg::PlanFinished(make_plan(target.as_ref(), &search, &settings).await) });
    }

    fn start_apply(&mut self, review: Arc<Review>, overrides: Overrides, run: RunId) {
        let Ok(target) = self.parts.target.clone() else { return };
        let settings = SyncSettings { run_id: Some(run.0), ..self.parts.sync.clone() };
        self.spawn_job(|inbox, cancel| async move {
            let progress: crate::sync::apply::ProgressFn = Arc::new(move |p| {
                let _ = inbox.send(Msg::ApplyProgress(p));
            });
            let result =
                run_apply(target, &review.planned, &review.selected, overrides, &settings, progress, cancel).await;
            Msg::ApplyFinished(result)
        });
    }
}
