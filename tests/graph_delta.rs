//! Delta reads against the look-alike: after a full read, a read asks only for changes and
//! merges them into the stored snapshot; its classification is the one a fresh full read
//! gives. A rejected link, a missing snapshot, other settings or the n-th read mean a full read.

mod common;

use adsync::demo::graph::tenant::Collection;
use adsync::demo::graph::{Fault, FaultRule, TenantGroup, TenantUser};
use adsync::source::graph::GraphSource;
use adsync::source::graph::read::{FullBecause, ReadKind};
use adsync::source::graph::store;
use common::graph::{GraphLab, expected, outcome};

fn new_hire() -> TenantUser {
    TenantUser {
        id: "0a0a0a0a-0000-4000-8000-000000000001".into(),
        user_principal_name: "new.hire@example.com".into(),
        mail: Some("new.hire@example.com".into()),
        proxy_addresses: vec!["SMTP:new.hire@example.com".into()],
        display_name: Some("New Hire".into()),
        account_enabled: true,
        user_type: "Member".into(),
        purpose: Some("user".into()),
        ..TenantUser::default()
    }
}

/// Adds a user and a group, edits one user's addresses, disables one, deletes one (who
/// leaves their groups), and adds a member to a group.
fn change_the_tenant(lab: &GraphLab) {
    let mut t = lab.tenant();
    let members: Vec<String> = t.users.values().filter(|u| u.account_enabled).map(|u| u.id.clone()).collect();
    let (edited, disabled, deleted) = (members[3].clone(), members[5].clone(), members[7].clone());
    t.put_user(new_hire());
    t.put_group(TenantGroup {
        id: "0b0b0b0b-0000-4000-8000-000000000002".into(),
        display_name: "DL-New".into(),
        mail: Some("dl-new@example.com".into()),
        mail_enabled: true,
        proxy_addresses: vec!["SMTP:dl-new@example.com".into()],
        members: vec![members[1].clone(), "0a0a0a0a-0000-4000-8000-000000000001".into()],
        ..TenantGroup::default()
    });
    assert!(t.edit_user(&edited, |u| {
        u.proxy_addresses = vec!["SMTP:renamed@example.com".into(), "smtp:second@example.com".into()];
        u.surname = Some("Renamed".into());
    }));
    assert!(t.edit_user(&disabled, |u| u.account_enabled = false));
    assert!(t.delete_user(&deleted));
    let managers = t.groups.values().find(|g| g.display_name == "SG-Managers").unwrap().id.clone();
    assert!(t.edit_group(&managers, |g| g.members.push(members[2].clone())));
}

#[test]
fn a_delta_read_classifies_as_a_fresh_full_read() {
    let lab = GraphLab::company(2000);
    let config = lab.config("");
    let source = lab.source(&config);
    lab.read(&source).unwrap();
    let full = source.last_read().unwrap();
    assert_eq!(full.kind, ReadKind::Full(FullBecause::NoSnapshot));

    let seq = lab.tenant().seq();
    change_the_tenant(&lab);
    let (changed, changed_groups) = {
        let t = lab.tenant();
        let groups = t.changed_since(Collection::Groups, seq).len();
        (t.changed_since(Collection::Users, seq).len() + groups, groups)
    };
    let delta_read = lab.read(&source).unwrap();
    let delta = source.last_read().unwrap();
    assert_eq!(delta.kind, ReadKind::Delta);
    assert_eq!(delta.changes, changed, "{delta:?}");

    let elsewhere = lab.dir.path().join("fresh-state");
    let fresh_source = GraphSource::new(config.source.graph().unwrap(), elsewhere);
    let fresh_read = lab.read(&fresh_source).unwrap();
    assert_eq!(fresh_source.last_read().unwrap().kind, ReadKind::Full(FullBecause::NoSnapshot));

    let by_delta = lab.classify(&config, delta_read);
    let by_full = lab.classify(&config, fresh_read);
    assert_eq!(by_delta, by_full);
    assert_eq!(outcome(&by_delta), expected(&lab.tenant(), false, false));
    assert!(by_delta.entries.iter().any(|e| e.primary_email == "renamed@example.com"));
    println!(
        "delta read: {} requests for {} changes; full read: {} requests",
        delta.requests, delta.changes, full.requests
    );
    // One page of each delta round and one member listing per changed group; the token of
    // the first read is still valid (a new process would ask for one more).
    assert_eq!(delta.requests as usize, 2 + changed_groups, "{delta:?}");
    assert!(delta.requests < full.requests);
}

#[test]
fn a_rejected_link_means_a_full_read() {
    let lab = GraphLab::company(100);
    let config = lab.config("");
    let source = lab.source(&config);
    lab.read(&source).unwrap();
    change_the_tenant(&lab);
    lab.tenant().oldest_valid_token = u64::MAX;
    let read = lab.read(&source).unwrap();
    assert_eq!(source.last_read().unwrap().kind, ReadKind::Full(FullBecause::LinkRejected));
    assert_eq!(outcome(&lab.classify(&config, read)), expected(&lab.tenant(), false, false));
    lab.tenant().oldest_valid_token = 0;
    lab.read(&source).unwrap();
    assert_eq!(source.last_read().unwrap().kind, ReadKind::Delta, "the full read stored fresh links");
}

#[test]
fn every_nth_read_is_a_full_one() {
    let lab = GraphLab::company(50);
    let source = lab.source(&lab.config("full_read_every = 3\n"));
    let kinds: Vec<ReadKind> = (0..4)
        .map(|_| {
            lab.read(&source).unwrap();
            source.last_read().unwrap().kind
        })
        .collect();
    let full = |b| ReadKind::Full(b);
    assert_eq!(kinds, [full(FullBecause::NoSnapshot), ReadKind::Delta, ReadKind::Delta, full(FullBecause::Scheduled)]);
}

#[test]
fn a_snapshot_is_not_used_under_other_settings() {
    let lab = GraphLab::company(50);
    lab.read(&lab.source(&lab.config(""))).unwrap();
    for extra in ["include_guests = true\n", "detect_shared_mailboxes = true\n"] {
        let source = lab.source(&lab.config(extra));
        lab.read(&source).unwrap();
        assert_eq!(source.last_read().unwrap().kind, ReadKind::Full(FullBecause::NoSnapshot), "{extra}");
    }
    let by_id = lab.config("").source.graph().unwrap().clone();
    let by_id = adsync::config::GraphConfig { tenant: adsync::demo::graph::server::TENANT_ID.into(), ..by_id };
    let source = GraphSource::new(&by_id, lab.state_dir());
    lab.read(&source).unwrap();
    assert_eq!(source.last_read().unwrap().kind, ReadKind::Full(FullBecause::NoSnapshot), "another tenant name");
}

#[test]
fn a_failed_delta_read_keeps_the_stored_snapshot() {
    let lab = GraphLab::company(50);
    let config = lab.config("");
    let source = lab.source(&config);
    lab.read(&source).unwrap();
    let path = store::path_in(&config.state_dir());
    let before = std::fs::read(&path).unwrap();
    change_the_tenant(&lab);
    lab.lookalike.arm(FaultRule::new("/v1.0/users/delta", 1, Fault::Cut));
    assert!(lab.read(&source).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    lab.read(&source).unwrap();
    assert_eq!(source.last_read().unwrap().kind, ReadKind::Delta);
}

#[test]
fn changed_users_are_asked_for_their_mailbox_again() {
    let lab = GraphLab::company(300);
    let config = lab.config("detect_shared_mailboxes = true\n");
    let source = lab.source(&config);
    lab.read(&source).unwrap();
    let id = lab.tenant().users.values().find(|u| u.purpose.as_deref() == Some("user")).unwrap().id.clone();
    lab.tenant().edit_user(&id, |u| {
        u.purpose = Some("shared".into());
        u.account_enabled = false;
    });
    let before = lab.requests_to("/v1.0/$batch");
    let read = lab.read(&source).unwrap();
    assert_eq!(lab.requests_to("/v1.0/$batch") - before, 1, "one batch for the one changed user");
    assert_eq!(outcome(&lab.classify(&config, read)), expected(&lab.tenant(), false, true));
}

#[test]
fn without_a_delta_link_the_next_read_is_full_again() {
    let lab = GraphLab::company(50);
    let source = lab.source(&lab.config(""));
    lab.lookalike.arm(FaultRule::new("/v1.0/groups/delta", 1, Fault::BadRequest));
    let kinds: Vec<ReadKind> = (0..3)
        .map(|_| {
            lab.read(&source).expect("the read goes on without a delta link");
            source.last_read().unwrap().kind
        })
        .collect();
    let full = |b| ReadKind::Full(b);
    assert_eq!(kinds, [full(FullBecause::NoSnapshot), full(FullBecause::LinkRejected), ReadKind::Delta]);
}
