//! A one-line progress indicator on stderr, only when stderr is a terminal.

use crate::engine::{Phase, Snapshot};
use crate::report::thousands;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct ProgressLine {
    enabled: bool,
    last: Option<Instant>,
    shown: bool,
}

/// Redraws at most this often: a terminal over SSH should not be flooded.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

impl ProgressLine {
    pub fn new() -> Self {
        Self { enabled: std::io::stderr().is_terminal(), last: None, shown: false }
    }

    pub fn update(&mut self, snapshot: &Snapshot) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < MIN_INTERVAL) {
            return;
        }
        let text = match &snapshot.phase {
            Phase::Connecting => "connecting…".to_string(),
            Phase::Reading { entries, pages } => {
                format!("reading… {} entries, {pages} pages", thousands(*entries))
            }
            Phase::Planning => "planning: listing the service's accounts…".to_string(),
            Phase::Applying(p) => format!(
                "applying… {} of {} done, {} failed",
                thousands(p.done as u64),
                thousands(p.total as u64),
                thousands(p.failed as u64)
            ),
            _ => return,
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{text}");
        let _ = err.flush();
        self.last = Some(Instant::now());
        self.shown = true;
    }

    pub fn clear(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            self.shown = false;
        }
    }
}
