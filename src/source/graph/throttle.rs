//! How long one read may wait for a throttling Graph: each wait as long as Graph asks (up
//! to a cap), and all of them together within a budget, after which the read gives up.

use std::sync::Mutex;
use std::time::Duration;

/// The longest single Retry-After adsync waits out; asked for more, it gives up.
pub const MAX_WAIT: Duration = Duration::from_secs(120);
/// All waits of one read together.
pub const BUDGET: Duration = Duration::from_secs(600);
/// Tries per request, the first one included (a Retry-After of 0 must not loop for ever).
pub const MAX_ATTEMPTS: u32 = 30;
const BASE_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct Throttle {
    waited: Mutex<Duration>,
}

impl Throttle {
    /// The wait before trying again after a 429 or 503 (`attempt` counts from 1), or why
    /// not to try again.
    pub fn next_wait(&self, retry_after: Option<Duration>, attempt: u32) -> Result<Duration, String> {
        if attempt >= MAX_ATTEMPTS {
            return Err(format!("still throttled after {attempt} attempts"));
        }
        let wait = match retry_after {
            Some(asked) if asked > MAX_WAIT => {
                return Err(format!(
                    "Graph asked to wait {}, longer than the {} adsync waits at once",
                    humantime::format_duration(asked),
                    humantime::format_duration(MAX_WAIT)
                ));
            }
            Some(asked) => asked,
            None => crate::http::jittered_backoff(BASE_DELAY, MAX_DELAY, attempt - 1),
        };
        let mut waited = self.waited.lock().unwrap_or_else(|e| e.into_inner());
        if *waited + wait > BUDGET {
            return Err(format!(
                "this read waited {} for Graph already and may wait {} in all",
                humantime::format_duration(*waited),
                humantime::format_duration(BUDGET)
            ));
        }
        *waited += wait;
        Ok(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let t = Throttle::default();
        assert_eq!(t.next_wait(Some(Duration::from_secs(7)), 1), Ok(Duration::from_secs(7)));
        assert_eq!(t.next_wait(Some(MAX_WAIT), 2), Ok(MAX_WAIT));
        let e = t.next_wait(Some(Duration::from_secs(121)), 3).unwrap_err();
        assert_eq!(e, "Graph asked to wait 2m 1s, longer than the 2m adsync waits at once");
    }

    #[test]
    fn a_read_waits_ten_minutes_at_most_in_all() {
        let t = Throttle::default();
        for attempt in 1..=5 {
            assert_eq!(t.next_wait(Some(MAX_WAIT), attempt), Ok(MAX_WAIT), "wait {attempt}");
        }
        let e = t.next_wait(Some(Duration::from_secs(1)), 6).unwrap_err();
        assert_eq!(e, "this read waited 10m for Graph already and may wait 10m in all");
    }

    #[test]
    fn without_retry_after_the_wait_grows_and_the_attempts_end() {
        let t = Throttle::default();
        let first = t.next_wait(None, 1).unwrap();
        assert!(first >= BASE_DELAY / 2 && first <= BASE_DELAY, "{first:?}");
        let third = t.next_wait(None, 3).unwrap();
        assert!(third >= 2 * BASE_DELAY && third <= 4 * BASE_DELAY, "{third:?}");
        assert!(t.next_wait(Some(Duration::ZERO), MAX_ATTEMPTS).is_err());
    }
}
