//! Faults a test (or a curious admin) arms on the look-alike: the n-th request to a path is
//! answered with a throttle, an expired token, a server error, a refusal, or its delivery
//! breaks (cut off, stalled, trickled, reset).

use std::sync::Mutex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 or 503, with `Retry-After` in seconds when given.
    Throttle { status: u16, retry_after: Option<u64> },
    /// 401 InvalidAuthenticationToken, and the token used is no longer valid.
    ExpireToken,
    /// 500 with Graph's error body.
    ServerError,
    /// 403 Authorization_RequestDenied.
    Forbidden,
    /// 410 Gone: the delta link is no longer known.
    Gone,
    /// 400 Bad Request (a query Graph does not support).
    BadRequest,
    /// Half of the answer, then the connection is closed.
    Cut,
    /// The status and half of the answer, then nothing: the connection stays open.
    Stall,
    /// The answer a few bytes at a time, slower than any client waits for.
    Trickle,
    /// The connection is dropped before any answer.
    Reset,
}

impl Fault {
    /// Whether the fault breaks the delivery of a real answer (rather than replacing it).
    pub fn breaks_delivery(&self) -> bool {
        matches!(self, Self::Cut | Self::Stall | Self::Trickle | Self::Reset)
    }
}

/// `fault` for the `nth` request (from 1) whose path is `path` (`/v1.0/users`, …; `$batch
/// item` counts the items of `$batch` requests instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    pub path: String,
    pub nth: u32,
    pub fault: Fault,
}

impl FaultRule {
    pub fn new(path: &str, nth: u32, fault: Fault) -> Self {
        Self { path: path.into(), nth, fault }
    }
}

/// The armed rules and how many matching requests each has seen.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<Vec<(FaultRule, u32)>>,
}

pub const BATCH_ITEM: &str = "$batch item";

impl Faults {
    pub fn arm(&self, rule: FaultRule) {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).push((rule, 0));
    }

    pub fn clear(&self) {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Counts a request to `path`; the fault it triggers, if any (each rule fires once).
    pub fn hit(&self, path: &str) -> Option<Fault> {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        let mut fired = None;
        for (rule, seen) in armed.iter_mut().filter(|(rule, _)| rule.path == path) {
            *seen += 1;
            if *seen == rule.nth {
                fired.get_or_insert_with(|| rule.fault.clone());
            }
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nth_request_to_the_path_gets_the_fault_once() {
        let faults = Faults::default();
        faults.arm(FaultRule::new("/v1.0/users", 3, Fault::ServerError));
        let seen: Vec<Option<Fault>> = (0..4).map(|_| faults.hit("/v1.0/users")).collect();
        assert_eq!(seen, [None, None, Some(Fault::ServerError), None]);
        assert_eq!(faults.hit("/v1.0/groups"), None);
    }
}
