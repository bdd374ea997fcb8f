//! Plan and sync end to end: a real slapd (the writable lab instance) and the loopback HTTP
//! fake of the service. First sync creates everyone; directory edits become exactly those
//! updates and deletes; an unchanged directory sends zero writes; faults apply nothing.

mod common;

use common::Lab;
use common::fake_service::DOMAIN;
use common::proxy::{CutProxy, socket_of};
use common::sync_setup::{Setup, json, planned_creates};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ldapmodify(lab: &Lab, ldif: &str) {
    use std::io::Write;
    let mut child = Command::new("ldapmodify")
        .args(["-x", "-H", &lab.uri, "-D", &lab.var("ADMIN_DN"), "-w", &lab.var("ADMIN_PW")])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("ldapmodify runs");
    child.stdin.take().unwrap().write_all(ldif.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "ldapmodify failed for:\n{ldif}");
}

fn suffix() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 0xffff_ffff
    )
}

#[test]
fn directory_edits_become_exactly_those_updates_and_deletes() {
    let Some(lab) = common::lab("RW") else { return };
    let s = suffix();
    let base = lab.base_dn.clone();
    // Our own entries to change, so the test can run again against the same server.
    let dn = |n: &str| format!("cn=e2e {n} {s},ou=Sales,ou=People,{base}");
    let mut add = String::new();
    for n in ["rename", "disable", "alias", "delete"] {
        add.push_str(&format!(
            "dn: {}\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: user\ncn: e2e {n} {s}\nsn: {n}\ngivenName: E2e\n\
             mail: e2e-{n}-{s}@example.com\nproxyAddresses: SMTP:e2e-{n}-{s}@example.com\nuserAccountControl: 512\n\
             objectGUID:: {}\n\n",
            dn(n),
            base64_guid(&format!("{n}-{s}"))
        ));
    }
    ldapmodify(&lab, &add);
    let setup = Setup::new(lab.clone());

    // 1. First sync: everyone is created, nothing else is written.
    let expected = planned_creates(&setup);
    setup.fake.clear_requests();
    let out = setup.adsync(&["sync", "--apply", "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let writes = setup.writes();
    assert_eq!(writes.len(), expected);
    assert!(writes.iter().all(|w| w == &format!("POST /api/v1/orgs/{DOMAIN}/users")), "{writes:?}");
    assert_eq!(setup.emails().len(), expected);

    // 2. Change the directory the way admins do.
    ldapmodify(
        &lab,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: mail\nmail: e2e-renamed-{s}@example.com\n-\nreplace: proxyAddresses\nproxyAddresses: SMTP:e2e-renamed-{s}@example.com\n-\n\n\
             dn: {}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n-\n\n\
             dn: {}\nchangetype: modify\nadd: proxyAddresses\nproxyAddresses: smtp:e2e-extra-{s}@example.com\n-\n\n\
             dn: {}\nchangetype: delete\n",
            dn("rename"),
            dn("disable"),
            dn("alias"),
            dn("delete")
        ),
    );
    setup.fake.clear_requests();
    let out = setup.adsync(&["sync", "--apply", "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let mut writes = setup.writes();
    writes.sort();
    let users = format!("/api/v1/orgs/{DOMAIN}/users");
    let mut want = vec![
        format!("DELETE {users}/e2e-delete-{s}@example.com"),
        format!("PUT {users}/e2e-alias-{s}@example.com"),
        format!("PUT {users}/e2e-disable-{s}@example.com"),
        format!("PUT {users}/e2e-rename-{s}@example.com"),
    ];
    want.sort();
    assert_eq!(writes, want);
    let by_email: BTreeMap<String, Value> =
        setup.fake.users(DOMAIN).into_iter().map(|u| (u["primary_email"].as_str().unwrap().to_string(), u)).collect();
    assert!(by_email.contains_key(&format!("e2e-renamed-{s}@example.com")), "the rename kept the account");
    assert_eq!(by_email[&format!("e2e-disable-{s}@example.com")]["is_active"], Value::Bool(false));
    assert_eq!(
        by_email[&format!("e2e-alias-{s}@example.com")]["alias_emails"],
        serde_json::json!([format!("e2e-extra-{s}@example.com")])
    );
    assert!(!by_email.contains_key(&format!("e2e-delete-{s}@example.com")));

    // 3. Nothing changed: zero writes.
    setup.fake.clear_requests();
    let out = setup.adsync(&["sync", "--apply", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(setup.writes().is_empty(), "{:?}", setup.writes());
    let out = setup.adsync(&["plan", "--exit-code"]);
    assert_eq!(out.code, 0, "in sync: --exit-code says 0");
}

/// objectGUID for an entry the test adds, base64 for LDIF.
fn base64_guid(seed: &str) -> String {
    use base64::Engine as _;
    let guid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, seed.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(guid.to_bytes_le())
}

#[test]
fn plan_exit_code_says_when_changes_are_pending() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    let out = setup.adsync(&["plan", "--exit-code"]);
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(out.stdout.contains("Adding (") && out.stderr.contains("Dry run"), "{}", out.stdout);
    let out = setup.adsync(&["sync"]);
    assert_eq!(out.code, 0);
    assert!(setup.writes().is_empty(), "sync without --apply is a dry run");
}

#[test]
fn a_connection_cut_mid_read_applies_nothing() {
    let Some(lab) = common::slapd() else { return };
    let proxy = CutProxy::start(socket_of(&lab.ldaps_uri), 400_000);
    let mut setup = Setup::new(lab.clone());
    setup.lab.ldaps_uri = format!("ldaps://{}", proxy.addr);
    let out = setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("lost the connection"), "{}", out.stderr);
    assert!(setup.writes().is_empty());
    assert!(setup.fake.requests().iter().all(|r| !r.path.contains("/users")), "the service was not even listed");
}

#[test]
fn a_base_dn_without_users_is_blocked() {
    let Some(lab) = common::slapd() else { return };
    let mut setup = Setup::new(lab.clone());
    setup.lab.base_dn = format!("ou=Groups,{}", lab.base_dn);
    setup.fake.seed(DOMAIN, [serde_json::json!({"primary_email": "someone@example.com", "type": "silent_user"})]);
    let out = setup.adsync(&["sync", "--apply", "--allow-deletes", "1000"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("zero users"), "{}", out.stdout);
    assert!(setup.writes().is_empty());
}

#[test]
fn too_many_deletes_are_blocked_until_allowed_for_one_run() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    setup.adsync(&["sync", "--apply"]);
    setup.seed_stale_managed(30);
    setup.fake.clear_requests();
    let out = setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.stdout.contains("sync.guards.max_deletes: 30 deletes planned, the limit is 25")
            && out.stdout.contains("--allow-deletes 30"),
        "{}",
        out.stdout
    );
    assert!(setup.writes().is_empty());
    let out = setup.adsync(&["sync", "--apply", "--allow-deletes", "30", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json(&out)["applied"]["delete"], 30);
}

#[test]
fn a_killed_apply_is_followed_by_a_run_that_converges_without_duplicates() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    setup.fake.set_latency(Duration::from_millis(20));
    let expected = planned_creates(&setup);
    setup.fake.clear_requests();
    let mut child = setup.command(&["sync", "--apply"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while setup.writes().len() < 200 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL, mid-apply
    child.wait().unwrap();
    let first = setup.writes().len();
    assert!(first > 0 && first < expected, "killed after {first} of {expected}");
    setup.fake.set_latency(Duration::ZERO);
    let out = setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Applied"), "{}", out.stdout);
    let posts: Vec<String> = setup
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.status == 201)
        .map(|r| r.body.as_ref().unwrap()["primary_email"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<&String> = posts.iter().collect();
    assert_eq!(unique.len(), posts.len(), "an account was created twice");
    assert_eq!(setup.emails().len(), expected, "converged: every directory user exactly once");
    let again = setup.adsync(&["plan", "--exit-code"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
}

#[test]
fn two_runs_never_overlap_and_the_second_says_who_holds_the_lock() {
    let Some(lab) = common::slapd() else { return };
    let setup = Setup::new(lab);
    setup.fake.set_latency(Duration::from_millis(50));
    let mut first = setup.command(&["sync", "--apply"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while !setup.writes().iter().any(|w| w.starts_with("POST")) && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = setup.adsync(&["sync", "--apply"]);
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(second.stderr.contains("another adsync run is applying changes (pid"), "{}", second.stderr);
}
