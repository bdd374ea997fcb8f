//! Faults at every step of an LDAP read (plain `ldap://` to the read-write slapd, broken at
//! LDAP message boundaries): cut, stall, trickle and reset at the bind and at the first,
//! middle and last page. Each run fails within seconds with exit 1, says where, writes
//! nothing; the next run converges, each write made once and journaled once.

mod common;

use common::fault_proxy::{BIND_RESPONSE, Fault, SEARCH_DONE, SEARCH_ENTRY, Step};
use common::faults::{Rig, converges};

/// The steps of a read, as the proxy sees them, and how the error must name each. The
/// rootDSE read comes first (one entry, one done), then the paged search: the read-write
/// slapd's entries fill three pages of `PAGE_SIZE`.
fn steps() -> [(&'static str, Step, &'static str); 4] {
    [
        ("bind", Step::Ldap { tag: BIND_RESPONSE, nth: 1 }, "during the bind"),
        ("first page", Step::Ldap { tag: SEARCH_ENTRY, nth: 2 }, "on page 1 of the search"),
        ("middle page", Step::Ldap { tag: SEARCH_DONE, nth: 3 }, "on page 2 of the search"),
        ("last page", Step::Ldap { tag: SEARCH_DONE, nth: 4 }, "on page 3 of the search"),
    ]
}

fn every_step(fault: Fault) {
    let Some(lab) = common::lab("RW") else { return };
    let rig = Rig::ldap(&lab);
    for (name, step, place) in steps() {
        let out = rig.fails_at(step, fault, place);
        assert!(out.stderr.contains("nothing was used"), "{fault:?} at {name}: {}", out.stderr);
        if fault == Fault::Reset {
            // A real RST, which the LDAP client's socket reports (a cut is an end of stream).
            assert!(out.stderr.contains("Connection reset by peer"), "{fault:?} at {name}: {}", out.stderr);
        }
    }
    converges(&rig, &format!("{fault:?}"), 250);
}

#[test]
fn a_cut_at_any_step_of_the_read_writes_nothing() {
    every_step(Fault::Cut);
}

#[test]
fn a_stall_at_any_step_of_the_read_times_out_and_writes_nothing() {
    every_step(Fault::Stall);
}

#[test]
fn a_trickle_at_any_step_of_the_read_times_out_and_writes_nothing() {
    every_step(Fault::Trickle);
}

#[test]
fn a_reset_at_any_step_of_the_read_writes_nothing() {
    every_step(Fault::Reset);
}
