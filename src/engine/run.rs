//! The engine loop: feeds messages to [`update`] and performs the effects it returns.

use super::command::Command;
use super::event::Event;
use super::state::{Effect, Msg, Snapshot, update};
use crate::source::classify::Policy;
use crate::source::{ProgressFn, Source};
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

    /// Waits until the state satisfies `done` (e.g. the search finished).
    pub async fn wait_for(&self, done: impl Fn(&Snapshot) -> bool) -> Snapshot {
        let mut rx = self.state.clone();
        match rx.wait_for(|s| done(s)).await {
            Ok(s) => s.clone(),
            Err(_) => self.snapshot(),
        }
    }
}

struct Engine {
    source: Arc<dyn Source>,
    policy: Policy,
    /// Weak, so the loop ends once every front-end handle is dropped.
    inbox: mpsc::WeakUnboundedSender<Msg>,
    state: watch::Sender<Snapshot>,
    events: broadcast::Sender<Event>,
    job: Option<CancellationToken>,
}

/// Starts the engine on the current tokio runtime.
pub fn spawn(source: Arc<dyn Source>, policy: Policy) -> EngineHandle {
    let (inbox, mut rx) = mpsc::unbounded_channel();
    let (state, state_rx) = watch::channel(Snapshot::default());
    let (events, _) = broadcast::channel(EVENT_BACKLOG);
    let mut engine = Engine { source, policy, inbox: inbox.downgrade(), state, events: events.clone(), job: None };
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            engine.handle(msg);
        }
    });
    EngineHandle { commands: inbox, state: state_rx, events }
}

impl Engine {
    fn handle(&mut self, msg: Msg) {
        let started = std::time::Instant::now();
        let kind = msg.kind();
        let mut effects = Vec::new();
        self.state.send_modify(|s| effects = update(s, msg, &self.policy));
        tracing::debug!(msg = kind, elapsed = ?started.elapsed(), "engine update");
        for effect in effects {
            self.perform(effect);
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::StartRead => self.start_read(),
            Effect::FetchChildren(dn) => self.fetch(dn, true),
            Effect::FetchDetails(dn) => self.fetch(dn, false),
            Effect::CancelJob => {
                if let Some(token) = self.job.take() {
                    token.cancel();
                }
            }
            Effect::Log(event) => {
                let _ = self.events.send(event);
            }
        }
    }

    /// Browsing runs beside any search: its answers come back as messages like everything else.
    fn fetch(&self, dn: String, children: bool) {
        let Some(inbox) = self.inbox.upgrade() else { return };
        let source = self.source.clone();
        tokio::spawn(async move {
            let msg = if children {
                let result = source.children(&dn).await.map_err(|e| e.to_string());
                Msg::Children { dn, result }
            } else {
                let result = source.details(&dn).await.map_err(|e| e.to_string());
                Msg::Details { dn, result }
            };
            let _ = inbox.send(msg);
        });
    }

    fn start_read(&mut self) {
        let Some(inbox) = self.inbox.upgrade() else {
            return;
        };
        let cancel = CancellationToken::new();
        self.job = Some(cancel.clone());
        let progress_inbox = inbox.clone();
        let progress: ProgressFn = Arc::new(move |p| {
            let _ = progress_inbox.send(Msg::Progress(p));
        });
        let source = self.source.clone();
        tokio::spawn(async move {
            let result = source.read_all(progress, cancel).await;
            let _ = inbox.send(Msg::ReadFinished(result));
        });
    }
}
