//! The engine's progress log: small, timestamped lines for the log pane and stderr.

use std::time::SystemTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: SystemTime,
    pub level: Level,
    pub message: String,
}

impl Event {
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Self { at: SystemTime::now(), level, message: message.into() }
    }

    pub fn info(message: impl Into<String>) -> Self {
        Self::new(Level::Info, message)
    }

    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(Level::Warn, message)
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Level::Error, message)
    }
}
