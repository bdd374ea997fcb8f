//! Faults between adsync and the service (its fake, behind a proxy that breaks the HTTP
//! answer to a chosen request): cut, stall, trickle and reset at the listing (every attempt,
//! so the retries meet it too) and in the middle of an apply (the tenth create is made by
//! the service but its answer is broken).

mod common;

use common::fault_proxy::{Fault, Step};
use common::faults::{Rig, converges};
use std::time::{Duration, Instant};

const LISTING: &str = "GET /api/v1/orgs/example.com/users";
const CREATE: &str = "POST /api/v1/orgs/example.com/users";
/// Six attempts with backoff, each bounded by the one-second request timeout.
const LISTING_LIMIT: Duration = Duration::from_secs(30);

#[test]
fn a_listing_that_keeps_failing_fails_the_run_names_the_listing_and_writes_nothing() {
    let Some(lab) = common::lab("RW") else { return };
    std::thread::scope(|scope| {
        for fault in Fault::ALL {
            let lab = &lab;
            scope.spawn(move || {
                let rig = Rig::ldap(lab);
                rig.service.arm_from(Step::Http { text: LISTING.into(), nth: 1 }, fault);
                let started = Instant::now();
                let out = rig.adsync(&["sync", "--apply"]);
                assert!(started.elapsed() < LISTING_LIMIT, "{fault:?}: {:?}", started.elapsed());
                assert!(rig.service.fired(), "{fault:?}: the fault never struck");
                assert_eq!(out.code, 1, "{fault:?}: {}", out.stderr);
                assert!(out.stderr.contains(&format!("Service API: {LISTING} failed")), "{fault:?}: {}", out.stderr);
                if fault == Fault::Reset {
                    // A real RST: the last failure is a reset (a cut is a connection closed early).
                    assert!(out.stderr.contains("Connection reset by peer"), "{fault:?}: {}", out.stderr);
                }
                assert!(rig.writes().is_empty(), "{fault:?}: {:?}", rig.writes());
                rig.service.arm(None);
                converges(&rig, &format!("{fault:?} at the listing"), 250);
            });
        }
    });
}

#[test]
fn a_create_whose_answer_breaks_is_made_once_and_journaled_once() {
    let Some(lab) = common::lab("RW") else { return };
    for fault in Fault::ALL {
        let rig = Rig::ldap(&lab);
        rig.service.arm(Some((Step::Http { text: CREATE.into(), nth: 10 }, fault)));
        // `-v` shows the failed attempt and its cause.
        let out = rig.adsync(&["-v", "sync", "--apply"]);
        assert!(rig.service.fired(), "{fault:?}: the fault never struck");
        rig.service.arm(None);
        assert_eq!(out.code, 0, "{fault:?}: the broken answer is settled by reading the account back: {}", out.stderr);
        if fault == Fault::Reset {
            assert!(out.stderr.contains("Connection reset by peer"), "{fault:?}: a real RST: {}", out.stderr);
        }
        assert_eq!(rig.writes(), rig.made(), "{fault:?}: no create was sent twice");
        converges(&rig, &format!("{fault:?} in the apply"), 250);
    }
}
