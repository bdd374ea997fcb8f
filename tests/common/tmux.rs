//! A real terminal for end-to-end tests: tmux runs the program, keys go in with send-keys,
//! the screen comes back with capture-pane. Every wait is bounded.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub session: String,
    socket: String,
}

impl Tmux {
    /// `None` when tmux is missing outside scripts/test.sh (which installs it).
    pub fn start(command: &str, width: u16, height: u16, env: &[(&str, &str)]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(std::env::var_os("ADSYNC_LAB").is_none(), "tmux is missing under scripts/test.sh");
            return None;
        }
        let id = format!("adsync-test-{}-{}", std::process::id(), rand_suffix());
        let tmux = Tmux { session: id.clone(), socket: id };
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d", "-s", &tmux.session]);
        cmd.args(["-x", &width.to_string(), "-y", &height.to_string()]);
        for (k, v) in env {
            cmd.args(["-e", &format!("{k}={v}")]);
        }
        // Keep the pane after the program exits, so its last screen and exit can be checked.
        let status =
            cmd.arg(command).args([";", "set-option", "-g", "remain-on-exit", "on"]).status().expect("tmux runs");
        assert!(status.success(), "tmux new-session failed");
        Some(tmux)
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux runs")
    }

    /// Sends keys in tmux's syntax ("j", "Enter", "C-c", "Tab").
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.session, "-l", text]);
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", &self.session]).stdout).into_owned()
    }

    /// Polls the screen until `check` holds; panics with the last screen after `timeout`.
    pub fn wait_until(&self, what: &str, timeout: Duration, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(started.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?}"), timeout, |s| s.contains(text))
    }

    pub fn resize(&self, width: u16, height: u16) {
        self.tmux(&["resize-window", "-t", &self.session, "-x", &width.to_string(), "-y", &height.to_string()]);
    }

    /// True once the program in the pane has exited.
    pub fn exited(&self) -> bool {
        let out = self.tmux(&["list-panes", "-t", &self.session, "-F", "#{pane_dead}"]);
        !out.status.success() || String::from_utf8_lossy(&out.stdout).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(Instant::now().elapsed().as_nanos() as u64);
    h.finish() % 1_000_000
}
