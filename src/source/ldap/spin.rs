//! Waiting for the next search entry with a short busy wait before going to sleep.
//!
//! A fast server sends entries microseconds apart. A reader that sleeps between them is
//! woken for nearly every entry, and each wake-up is paid for by the server's sending
//! thread (on a VM, an interrupt to the sleeping core), which slows the server down more
//! than the reader. Polling briefly before sleeping keeps the reader awake while entries
//! stream in (scripts/bench.sh read measures the effect; README has the figures).
//!
//! Spinning only pays when data comes back quickly, so it stops after a long wait (a slow
//! or distant server) and resumes after a short one.

use futures::FutureExt;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long to poll before sleeping: longer than the gap between two entries of a fast
/// server, short enough that a wait it does not cover costs little.
const SPIN: Duration = Duration::from_micros(50);

/// A sleep shorter than this means the data would probably have come within a spin.
const WORTH_SPINNING: Duration = Duration::from_micros(200);

#[derive(Debug)]
pub struct Spinner {
    enabled: bool,
}

impl Default for Spinner {
    fn default() -> Self {
        Self { enabled: true }
    }
}

impl Spinner {
    /// Awaits `next`, polling it for up to [`SPIN`] first. Each yield lets the runtime
    /// look at the sockets without blocking, so the connection task can deliver.
    pub async fn wait<F: Future>(&mut self, next: F) -> F::Output {
        let mut next = std::pin::pin!(next);
        if self.enabled {
            let until = Instant::now() + SPIN;
            loop {
                if let Some(out) = next.as_mut().now_or_never() {
                    return out;
                }
                if Instant::now() >= until {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        let asleep = Instant::now();
        let out = next.await;
        self.slept(asleep.elapsed());
        out
    }

    /// A wait the spin did not cover ended after `waited` asleep.
    fn slept(&mut self, waited: Duration) {
        self.enabled = waited < WORTH_SPINNING;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spins_until_a_long_sleep_and_again_after_a_short_one() {
        let mut spinner = Spinner::default();
        assert!(spinner.enabled, "a read starts by spinning");
        spinner.slept(Duration::from_micros(30));
        assert!(spinner.enabled);
        spinner.slept(Duration::from_millis(5));
        assert!(!spinner.enabled, "a slow server is not spun for");
        spinner.slept(Duration::from_millis(40));
        assert!(!spinner.enabled);
        spinner.slept(Duration::from_micros(90));
        assert!(spinner.enabled, "data flowing again");
    }

    #[tokio::test]
    async fn a_value_that_is_late_is_still_awaited() {
        let mut spinner = Spinner::default();
        let late = tokio::time::sleep(Duration::from_millis(5));
        spinner.wait(late).await;
        assert!(!spinner.enabled, "a 5 ms wait turns spinning off");
        assert_eq!(spinner.wait(async { 7 }).await, 7);
    }
}
