//! When scheduled syncs run. The service applies directory changes on the half hour (:00 and
//! :30), so runs land on those boundaries: at the first one at least `every` after the last run.

use jiff::{SignedDuration, Timestamp};

const HALF_HOUR: i64 = 30 * 60;

/// The first half-hour boundary at or after `at`.
pub fn ceil_half_hour(at: Timestamp) -> Timestamp {
    let secs = at.as_second();
    let rounded = secs.div_euclid(HALF_HOUR) * HALF_HOUR;
    let rounded =
        if rounded < secs || at.subsec_nanosecond() > 0 && rounded == secs { rounded + HALF_HOUR } else { rounded };
    Timestamp::from_second(rounded).unwrap_or(at)
}

/// The next run after `now`, given the last one (if any) and the frequency in hours. A last
/// run stamped in the future (the clock went back) counts as now, so it cannot push the next
/// run more than one period away.
pub fn next_run_after(now: Timestamp, hours: u32, last: Option<Timestamp>) -> Timestamp {
    let period = SignedDuration::from_hours(i64::from(hours));
    let earliest = last.map(|l| l.min(now) + period).filter(|e| *e > now).unwrap_or(now);
    ceil_half_hour(earliest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn runs_land_on_the_half_hour() {
        assert_eq!(ceil_half_hour(t("2026-11-30T14:02:11Z")), t("2026-11-30T14:30:00Z"));
        assert_eq!(ceil_half_hour(t("2026-11-30T14:30:00Z")), t("2026-11-30T14:30:00Z"));
        assert_eq!(ceil_half_hour(t("2026-11-30T14:30:00.5Z")), t("2026-11-30T15:00:00Z"));
        assert_eq!(ceil_half_hour(t("2026-11-30T23:45:00Z")), t("2026-12-01T00:00:00Z"));
    }

    #[test]
    fn the_frequency_counts_from_the_last_run() {
        let last = t("2026-11-30T12:00:00Z");
        assert_eq!(next_run_after(t("2026-11-30T12:05:00Z"), 3, Some(last)), t("2026-11-30T15:00:00Z"));
        assert_eq!(
            next_run_after(t("2026-11-30T16:10:00Z"), 3, Some(last)),
            t("2026-11-30T16:30:00Z"),
            "overdue: the next boundary"
        );
        assert_eq!(next_run_after(t("2026-11-30T14:02:11Z"), 24, None), t("2026-11-30T14:30:00Z"), "never ran");
    }

    #[test]
    fn a_last_run_in_the_future_counts_as_now() {
        // The clock went back an hour after the last run; found by tests/properties.rs.
        let last = t("2026-11-30T13:00:00Z");
        assert_eq!(next_run_after(t("2026-11-30T12:00:00Z"), 1, Some(last)), t("2026-11-30T13:00:00Z"));
    }
}
