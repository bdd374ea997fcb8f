//! When to try a request again, and how long to wait first.
//!
//! 429: the service's Retry-After when it sends one (seconds or an HTTP date), else
//! exponential backoff with jitter, like 5xx answers, timeouts and connection failures.
//! Always a bounded number of attempts.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per request, the first one included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest Retry-After honoured; asked to wait longer, adsync gives up instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// Why an attempt ended without an answer worth handing back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    RateLimited {
        retry_after: Option<Duration>,
    },
    ServerError {
        status: u16,
        message: String,
    },
    Timeout {
        after: Duration,
    },
    /// The request never left: nothing can have happened on the service.
    Connect {
        detail: String,
    },
    /// The connection broke after the request was (maybe) sent.
    Transport {
        detail: String,
    },
}

impl Failure {
    /// The service may have carried the request out even though no answer arrived.
    pub fn may_have_applied(&self) -> bool {
        matches!(self, Failure::ServerError { .. } | Failure::Timeout { .. } | Failure::Transport { .. })
    }

    pub fn describe(&self) -> String {
        match self {
            Failure::RateLimited { retry_after: Some(d) } => {
                format!("429 Too Many Requests with Retry-After {}", humantime::format_duration(*d))
            }
            Failure::RateLimited { retry_after: None } => "429 Too Many Requests".into(),
            Failure::ServerError { status, message } if message.is_empty() => format!("{status}"),
            Failure::ServerError { status, message } => format!("{status}: {message}"),
            Failure::Timeout { after } => format!("no answer within {}", humantime::format_duration(*after)),
            Failure::Connect { detail } => format!("cannot connect ({detail})"),
            Failure::Transport { detail } => format!("the connection failed ({detail})"),
        }
    }

    pub fn fix(&self) -> &'static str {
        match self {
            Failure::RateLimited { .. } => {
                "The service is rate-limiting adsync: try again later, lower target.max_in_flight, or set target.max_requests_per_second."
            }
            Failure::ServerError { .. } => "The service is having trouble: try again later.",
            Failure::Timeout { .. } => {
                "The service is slow or unreachable: try again later, or raise target.request_timeout."
            }
            Failure::Connect { .. } | Failure::Transport { .. } => {
                "Check target.stack / target.api_url and the network path to the service (DNS, proxy, firewall)."
            }
        }
    }
}

/// Counts the attempts of one request and hands out the waits between them.
pub struct Backoff<'a> {
    policy: &'a RetryPolicy,
    attempts: u32,
}

impl<'a> Backoff<'a> {
    pub fn new(policy: &'a RetryPolicy) -> Self {
        Self { policy, attempts: 1 }
    }

    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The wait before the next attempt; `Err` with the reason to give up when there is none.
    pub fn next_delay(&mut self, failure: &Failure) -> Result<Duration, String> {
        if self.attempts >= self.policy.max_attempts {
            return Err(failure.describe());
        }
        let delay = match failure {
            Failure::RateLimited { retry_after: Some(asked) } if *asked > self.policy.max_retry_after => {
                return Err(format!(
                    "{}, longer than the {} adsync waits",
                    failure.describe(),
                    humantime::format_duration(self.policy.max_retry_after)
                ));
            }
            Failure::RateLimited { retry_after: Some(asked) } => *asked,
            _ => self.jittered(),
        };
        self.attempts += 1;
        Ok(delay)
    }

    fn jittered(&self) -> Duration {
        crate::http::jittered_backoff(self.policy.base_delay, self.policy.max_delay, self.attempts - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy { max_attempts: 4, ..RetryPolicy::default() }
    }

    #[test]
    fn backoff_grows_stays_jittered_within_bounds_and_ends() {
        let policy = policy();
        let mut backoff = Backoff::new(&policy);
        let server = Failure::ServerError { status: 503, message: String::new() };
        for step in [500u64, 1000, 2000] {
            let delay = backoff.next_delay(&server).unwrap();
            assert!(delay >= Duration::from_millis(step / 2) && delay <= Duration::from_millis(step), "{delay:?}");
        }
        assert_eq!(backoff.attempts(), 4);
        assert_eq!(backoff.next_delay(&server).unwrap_err(), "503");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = policy();
        let mut backoff = Backoff::new(&policy);
        let asked = Failure::RateLimited { retry_after: Some(Duration::from_secs(3)) };
        assert_eq!(backoff.next_delay(&asked), Ok(Duration::from_secs(3)));
        let too_long = Failure::RateLimited { retry_after: Some(Duration::from_secs(3600)) };
        assert!(backoff.next_delay(&too_long).unwrap_err().contains("longer than the 2m adsync waits"));
    }

    #[test]
    fn only_unanswered_requests_may_have_applied() {
        assert!(Failure::Timeout { after: Duration::from_secs(1) }.may_have_applied());
        assert!(Failure::ServerError { status: 500, message: String::new() }.may_have_applied());
        assert!(!Failure::RateLimited { retry_after: None }.may_have_applied());
        assert!(!Failure::Connect { detail: "refused".into() }.may_have_applied());
    }
}
