//! Waiting for the server's next bytes with a short busy wait before going to sleep.
//!
//! A fast server sends a search entry every ~30 µs. A reader that sleeps between them is
//! woken for nearly every entry, and each wake-up is paid for by the server's sending
//! thread (on a VM, an interrupt to the sleeping core): slapd answering adsync switched
//! context 2,700 times per 100,000 entries against 650 for `ldapsearch`, which is busier
//! between entries and so rarely asleep, and the read took 7% longer than ldapsearch's.
//! Polling for up to [`SPIN`] before sleeping made it 5-10% shorter than ldapsearch's
//! (scripts/bench.sh read), for ~0.2 s more CPU per 100,000 entries.
//!
//! Spinning only pays when data comes back quickly, so it stops after a long wait (a slow
//! or distant server) and resumes after a short one.

use std::time::Duration;

/// How long to poll before sleeping: longer than the gap between two entries of a fast
/// server, short enough that a wait it does not cover costs little.
pub const SPIN: Duration = Duration::from_micros(50);

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
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A wait the spin did not cover ended after `waited` asleep.
    pub fn slept(&mut self, waited: Duration) {
        self.enabled = waited < WORTH_SPINNING;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spins_until_a_long_sleep_and_again_after_a_short_one() {
        let mut spinner = Spinner::default();
        assert!(spinner.enabled(), "a read starts by spinning");
        spinner.slept(Duration::from_micros(30));
        assert!(spinner.enabled());
        spinner.slept(Duration::from_millis(5));
        assert!(!spinner.enabled(), "a slow server is not spun for");
        spinner.slept(Duration::from_millis(40));
        assert!(!spinner.enabled());
        spinner.slept(Duration::from_micros(90));
        assert!(spinner.enabled(), "data flowing again");
    }
}
