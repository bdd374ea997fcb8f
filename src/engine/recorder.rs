//! The engine's I/O for runs: each record goes into the history (and a plan's changes into
//! the last-plan file) before the state it ends in is published; notifications go out in
//! the background, and a front-end waits for them before it exits.

use super::event::Event;
use super::record::RunLog;
use super::state::Recorded;
use crate::history::changes::PendingPlan;
use crate::history::{Outcome, Retention, RunId, RunRecord, store};
use crate::notify::Notifier;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::task::TaskTracker;

/// Longer than every notification's own tries together; a bound on waiting all the same.
const SETTLE_LIMIT: Duration = Duration::from_secs(60);

/// Background work a front-end waits for before it exits, and the warnings it left.
#[derive(Clone, Default)]
pub struct Background {
    tasks: TaskTracker,
    warnings: Arc<Mutex<Vec<String>>>,
}

impl Background {
    /// Waits for notifications under way; the warnings since the last call.
    pub async fn settle(&self) -> Vec<String> {
        self.tasks.close();
        let _ = tokio::time::timeout(SETTLE_LIMIT, self.tasks.wait()).await;
        self.tasks.reopen();
        self.warnings.lock().map(|mut w| std::mem::take(&mut *w)).unwrap_or_default()
    }

    fn warn(&self, events: &broadcast::Sender<Event>, line: String) {
        if let Ok(mut list) = self.warnings.lock() {
            list.push(line.clone());
        }
        let _ = events.send(Event::warn(line));
    }
}

pub(super) struct Recorder {
    state_dir: PathBuf,
    retention: Retention,
    notifier: Option<Arc<Notifier>>,
    pub background: Background,
    events: broadcast::Sender<Event>,
    /// A run recorded twice with the same outcome (a blocked plan, then its blocked apply) is
    /// told about once.
    last_told: Option<(RunId, Outcome)>,
}

impl Recorder {
    pub fn new(log: &RunLog, state_dir: PathBuf, events: broadcast::Sender<Event>) -> Self {
        Self {
            state_dir,
            retention: log.retention,
            notifier: log.notify.clone().map(|c| Arc::new(Notifier::new(c))),
            background: Background::default(),
            events,
            last_told: None,
        }
    }

    pub fn record(&mut self, recorded: Recorded) {
        let Recorded { record, pending } = recorded;
        if let Err(e) = store::append(&self.state_dir, &record, self.retention, jiff::Timestamp::now()) {
            self.background.warn(&self.events, e.to_string());
        }
        if let Some(review) = pending {
            let plan = PendingPlan::of(record.run.clone(), &review.planned.plan);
            if let Err(e) = plan.save(&self.state_dir) {
                let line = format!("History: cannot keep the plan's changes in {}: {e}", self.state_dir.display());
                self.background.warn(&self.events, line);
            }
        }
        self.notify(record);
    }

    fn notify(&mut self, record: Arc<RunRecord>) {
        let Some(notifier) = self.notifier.clone().filter(|n| n.wants(&record)) else { return };
        let told = (record.run.clone(), record.outcome);
        if self.last_told.as_ref() == Some(&told) {
            return;
        }
        self.last_told = Some(told);
        let (background, events) = (self.background.clone(), self.events.clone());
        self.background.tasks.spawn(async move {
            for delivery in notifier.send(&record).await {
                match delivery.result {
                    Ok(()) => drop(events.send(Event::info(delivery.line()))),
                    Err(_) => background.warn(&events, delivery.line()),
                }
            }
        });
    }
}
