//! What every request passes before it is sent: at most `max_in_flight` at once, at most
//! `max_requests_per_second`, and nobody while the service has asked everyone to wait (429).

use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

pub struct Gate {
    permits: Semaphore,
    /// Minimum spacing between request starts, from the rate cap.
    interval: Option<Duration>,
    next_slot: Mutex<Instant>,
    paused_until: Mutex<Option<Instant>>,
}

impl Gate {
    pub fn new(max_in_flight: u32, max_per_second: Option<f64>) -> Self {
        Self {
            permits: Semaphore::new(max_in_flight.max(1) as usize),
            interval: max_per_second.filter(|r| *r > 0.0).map(|r| Duration::from_secs_f64(1.0 / r)),
            next_slot: Mutex::new(Instant::now()),
            paused_until: Mutex::new(None),
        }
    }

    /// Waits for a free slot, then for any pause, then for the next rate slot. Holding the
    /// returned permit counts as one request in flight.
    pub async fn enter(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed, so this is always Some.
        let permit = self.permits.acquire().await.ok();
        let paused = *lock(&self.paused_until);
        if let Some(until) = paused {
            tokio::time::sleep_until(until).await;
        }
        if let Some(interval) = self.interval {
            tokio::time::sleep_until(self.take_slot(interval)).await;
        }
        permit
    }

    /// Holds back every request for `wait` (the service rate-limited one of them).
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = lock(&self.paused_until);
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    fn take_slot(&self, interval: Duration) -> Instant {
        let mut next = lock(&self.next_slot);
        let slot = (*next).max(Instant::now());
        *next = slot + interval;
        slot
    }
}

/// The guarded values are plain instants, valid whatever a panicking holder was doing.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_rate_cap_spaces_request_starts() {
        let gate = Gate::new(8, Some(4.0));
        let start = Instant::now();
        for _ in 0..5 {
            drop(gate.enter().await);
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_the_next_request() {
        let gate = Gate::new(2, None);
        gate.pause_for(Duration::from_secs(3));
        gate.pause_for(Duration::from_secs(1));
        let start = Instant::now();
        drop(gate.enter().await);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
