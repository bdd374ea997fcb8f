//! Whether an `adsync schedule` runs for a config: while it runs it rewrites a heartbeat file
//! in the state dir every [`BEAT`] (its pid, the config, the next run) and removes it on
//! exit. A file not rewritten for [`STALE_AFTER`], or whose process is gone, is a schedule
//! that died without saying so.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const BEAT: Duration = Duration::from_secs(30);
pub const STALE_AFTER: Duration = Duration::from_secs(75);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub pid: u32,
    pub config: PathBuf,
    pub started: Timestamp,
    /// When the file was last rewritten.
    pub beat: Timestamp,
    pub next_run: Option<Timestamp>,
    /// A run is under way now.
    pub running: bool,
}

/// What the state dir says about the schedule of a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleStatus {
    Running(Heartbeat),
    /// A heartbeat was left behind by a schedule that is gone.
    Gone(Heartbeat),
    NotRunning,
}

/// The heartbeat file of the schedule for `config`: one per config, so schedules of two
/// configs sharing a state dir never take each other's.
pub fn path_for(state_dir: &Path, config: &Path) -> PathBuf {
    let config = std::fs::canonicalize(config).unwrap_or_else(|_| config.to_path_buf());
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, config.to_string_lossy().as_bytes());
    state_dir.join(format!("schedule-{}.json", &id.simple().to_string()[..12]))
}

pub fn read(path: &Path, now: Timestamp) -> ScheduleStatus {
    let Some(beat) = std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str::<Heartbeat>(&t).ok()) else {
        return ScheduleStatus::NotRunning;
    };
    let fresh = now.duration_since(beat.beat) < SignedDuration::try_from(STALE_AFTER).unwrap_or(SignedDuration::MAX);
    if fresh && alive(beat.pid) { ScheduleStatus::Running(beat) } else { ScheduleStatus::Gone(beat) }
}

/// Where /proc exists, whether the process does; elsewhere only the file's age tells.
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// The schedule's side: the file it keeps rewriting, removed when this is dropped.
pub struct Beating {
    path: PathBuf,
    pub heartbeat: Heartbeat,
}

impl Beating {
    pub fn new(path: PathBuf, config: PathBuf) -> Self {
        let now = Timestamp::now();
        let heartbeat =
            Heartbeat { pid: std::process::id(), config, started: now, beat: now, next_run: None, running: false };
        Self { path, heartbeat }
    }

    /// Rewrites the file now.
    pub fn beat(&mut self) -> std::io::Result<()> {
        self.heartbeat.beat = Timestamp::now();
        if let Some(dir) = self.path.parent() {
            crate::private_fs::create_dir(dir)?;
        }
        crate::atomic::write_atomic(&self.path, |out| Ok(serde_json::to_writer(out, &self.heartbeat)?))
    }
}

impl Drop for Beating {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_beating_schedule_runs_until_it_stops_or_goes_quiet() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), &dir.path().join("adsync.toml"));
        assert_eq!(read(&path, Timestamp::now()), ScheduleStatus::NotRunning);
        let mut beating = Beating::new(path.clone(), dir.path().join("adsync.toml"));
        beating.beat().unwrap();
        assert!(matches!(read(&path, Timestamp::now()), ScheduleStatus::Running(h) if h.pid == std::process::id()));
        let later = Timestamp::now() + SignedDuration::from_secs(80);
        assert!(matches!(read(&path, later), ScheduleStatus::Gone(_)), "stale after 75 s");
        drop(beating);
        assert_eq!(read(&path, Timestamp::now()), ScheduleStatus::NotRunning, "removed on exit");
    }

    #[test]
    fn a_heartbeat_of_a_process_that_is_gone_is_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schedule.json");
        let mut gone = Beating::new(path.clone(), "x".into());
        gone.heartbeat.pid = u32::MAX - 1;
        gone.beat().unwrap();
        assert!(matches!(read(&path, Timestamp::now()), ScheduleStatus::Gone(_)));
    }

    #[test]
    fn each_config_has_its_own_heartbeat() {
        let dir = Path::new("/var/lib/adsync");
        assert_ne!(path_for(dir, Path::new("/etc/a.toml")), path_for(dir, Path::new("/etc/b.toml")));
        assert_eq!(path_for(dir, Path::new("/etc/a.toml")), path_for(dir, Path::new("/etc/a.toml")));
    }
}
