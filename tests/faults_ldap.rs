//! Faults at every step of an LDAP read (plain `ldap://` to the read-write slapd, broken at
//! LDAP message boundaries): cut, stall, trickle and reset at the bind and at the first,
//! middle and last page. Each run fails within seconds with exit 1, says where, writes
//! nothing; the next run converges, each write made once and journaled once.

mod common;

use common::fault_proxy::{BIND_RESPONSE, Fault, SEARCH_DONE, SEARCH_ENTRY, Step};
use common::faults::{Rig, each_write_once, journaled};

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
        let out = rig.fails_cleanly(&rig.directory, step, fault, place);
        assert!(out.stderr.contains("nothing was used"), "{fault:?} at {name}: {}", out.stderr);
        assert!(rig.writes().is_empty(), "{fault:?} at {name}: a partial read was planned: {:?}", rig.writes());
    }
    let out = rig.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 0, "{fault:?}: the run after the faults: {}", out.stderr);
    let writes = rig.writes();
    assert!(writes.len() >= 250, "{fault:?}: everyone is created: {}", writes.len());
    each_write_once(&writes);
    let done = journaled(&rig.state_dir(), "done");
    assert_eq!(done.len(), writes.len(), "{fault:?}: one journaled outcome per write");
    let again = rig.adsync(&["sync", "--apply"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(rig.writes().len(), writes.len(), "{fault:?}: a converged run writes nothing");
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
