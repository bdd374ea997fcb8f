//! Faults at every step of a Microsoft Graph read, inside the look-alike: cut, stall,
//! trickle and reset at the token and at the first, middle and last page of users. Each run
//! fails within seconds with exit 1, says where, writes nothing; the next run converges,
//! each write made once.

mod common;

use adsync::demo::graph::{Fault, FaultRule, LookalikeOptions, Tenant};
use common::faults::{Rig, converges};
use common::graph::GraphLab;

const USERS: u32 = 300;

/// The steps of a read: the look-alike's path and which request to it, and how the error
/// must name the step. The users come in three pages of a hundred.
fn steps(tenant: &str) -> [(String, u32, &'static str); 4] {
    [
        (format!("/{tenant}/oauth2/v2.0/token"), 1, "token"),
        ("/v1.0/users".into(), 1, "page 1 of /v1.0/users"),
        ("/v1.0/users".into(), 2, "page 2 of /v1.0/users"),
        ("/v1.0/users".into(), 3, "page 3 of /v1.0/users"),
    ]
}

fn every_step(fault: Fault) {
    let lab = GraphLab::serve(
        Tenant::company(USERS),
        LookalikeOptions { users: USERS, page_size: 100, ..LookalikeOptions::default() },
    );
    let rig = Rig::graph(&lab);
    for (path, nth, place) in steps(&lab.lookalike.tenant_name()) {
        lab.lookalike.state.faults.clear();
        lab.lookalike.arm(FaultRule::new(&path, nth, fault.clone()));
        rig.fails_cleanly(&format!("{fault:?} at {path} #{nth}"), place);
    }
    lab.lookalike.state.faults.clear();
    converges(&rig, &format!("{fault:?}"), 200);
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
