//! The schedule's heartbeat: rewritten whenever its next run changes and every
//! [`heartbeat::BEAT`] in between, removed when the schedule stops, so the terminal app
//! can say whether a schedule runs for its config.

use crate::config::Config;
use crate::history::heartbeat::{self, Beating};
use jiff::Timestamp;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct Pulse {
    beating: Arc<Mutex<Beating>>,
    path: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Pulse {
    /// Starts beating for `config` (read from `file`); a heartbeat that cannot be written is
    /// said once (after `label`) and the schedule goes on without it.
    pub fn start(config: &Config, file: PathBuf, label: &str) -> Self {
        let path = heartbeat::path_for(&config.state_dir(), &file);
        let beating = Arc::new(Mutex::new(Beating::new(path.clone(), file)));
        let ticking = beating.clone();
        let label = label.to_string();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(heartbeat::BEAT);
            let mut warned = false;
            loop {
                tick.tick().await;
                let written = ticking.lock().map(|mut b| b.beat());
                if let Ok(Err(e)) = written
                    && !std::mem::replace(&mut warned, true)
                {
                    super::say(&format!("{label}cannot write the heartbeat the terminal app reads: {e}"));
                }
            }
        });
        Self { beating, path, task }
    }

    /// What the schedule does now: waits for `next_run`, or runs.
    pub fn set(&self, next_run: Option<Timestamp>, running: bool) {
        if let Ok(mut b) = self.beating.lock() {
            b.heartbeat.next_run = next_run;
            b.heartbeat.running = running;
            let _ = b.beat();
        }
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}
