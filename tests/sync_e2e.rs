//! Plan and sync end to end: a real slapd (the writable lab instance) and the loopback HTTP
//! fake of the service. First sync creates everyone; directory edits become exactly those
//! updates and deletes; an unchanged directory sends zero writes; faults apply nothing.

mod common;

use common::Lab;
use common::fake_service::{DOMAIN, Mode, Renames};
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

    let verification = &json(&out)["verification"];
    assert_eq!((verification["checked"].as_u64(), verification["verified"].as_u64()), (Some(4), Some(4)));

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

/// A directory of our own: an OU under the lab's base with one person per name, each with a
/// fresh objectGUID, and the setup pointed at that OU so a sync sees only them.
struct SmallDirectory {
    setup: Setup,
    s: String,
}

impl SmallDirectory {
    fn new(lab: Lab, mode: Mode, names: &[&str]) -> Self {
        let s = suffix();
        let ou = format!("ou=w{s},{}", lab.base_dn);
        let mut add = format!("dn: {ou}\nchangetype: add\nobjectClass: organizationalUnit\nou: w{s}\n\n");
        for n in names {
            add.push_str(&format!(
                "dn: cn={n} {s},{ou}\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: user\ncn: {n} {s}\n\
                 sn: {n}\ngivenName: E2e\nmail: {n}-{s}@example.com\nproxyAddresses: SMTP:{n}-{s}@example.com\n\
                 userAccountControl: 512\nobjectGUID:: {}\n\n",
                base64_guid(&format!("{n}-{s}"))
            ));
        }
        ldapmodify(&lab, &add);
        let mut setup = Setup::in_mode(lab, mode);
        setup.lab.base_dn = ou;
        Self { setup, s }
    }

    fn email(&self, name: &str) -> String {
        format!("{name}-{}@example.com", self.s)
    }

    fn dn(&self, name: &str) -> String {
        format!("cn={name} {},{}", self.s, self.setup.lab.base_dn)
    }

    fn stored(&self, email: &str) -> Value {
        self.setup.fake.users(DOMAIN).into_iter().find(|u| u["primary_email"] == email).expect("stored user")
    }
}

#[test]
fn a_safe_list_edited_between_plan_and_apply_survives_a_name_change() {
    let Some(lab) = common::lab("RW") else { return };
    let d = SmallDirectory::new(lab.clone(), Mode::Strict, &["safe"]);
    let email = d.email("safe");
    let out = d.setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Verification: verified 1 of 1 in the service"), "{}", out.stdout);
    let mut user = d.stored(&email);
    user["safe_list_senders"] = serde_json::json!(["old@partner.example"]);
    d.setup.fake.seed(DOMAIN, [user]);

    ldapmodify(
        &lab,
        &format!("dn: {}\nchangetype: modify\nreplace: givenName\ngivenName: Renamed\n-\n\n", d.dn("safe")),
    );
    let edit = serde_json::json!({"safe_list_senders": ["new@partner.example"]});
    d.setup.fake.edit_after_listing(DOMAIN, &email, edit);
    let out = d.setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let stored = d.stored(&email);
    assert_eq!(stored["firstname"], "Renamed");
    assert_eq!(stored["safe_list_senders"], serde_json::json!(["new@partner.example"]), "the user's new list");
    assert!(out.stdout.contains("Verification: verified 1 of 1 in the service"), "{}", out.stdout);
}

#[test]
fn a_rename_the_service_ignores_fails_every_run_and_stays_planned() {
    let Some(lab) = common::lab("RW") else { return };
    let d = SmallDirectory::new(lab.clone(), Mode::Strict, &["move"]);
    d.setup.fake.set_renames(Renames::Ignore);
    assert_eq!(d.setup.adsync(&["sync", "--apply"]).code, 0);
    let (old, new) = (d.email("move"), d.email("moved"));
    ldapmodify(
        &lab,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: mail\nmail: {new}\n-\nreplace: proxyAddresses\nproxyAddresses: SMTP:{new}\n-\n\n",
            d.dn("move")
        ),
    );
    for _ in 0..2 {
        let out = d.setup.adsync(&["sync", "--apply"]);
        assert_eq!(out.code, 4, "{}\n{}", out.stdout, out.stderr);
        assert!(out.stdout.contains(&format!("failed: update {old}:")), "{}", out.stdout);
        assert!(out.stdout.contains(&new) && out.stdout.contains("sync.rename = \"recreate\""), "{}", out.stdout);
        let plan = d.setup.adsync(&["plan", "--exit-code"]);
        assert_eq!(plan.code, 10, "{}", plan.stdout);
        assert!(plan.stdout.contains(&format!("primary {old} → {new}")), "the same rename: {}", plan.stdout);
        assert!(!plan.stdout.contains("Adding ("), "no second account: {}", plan.stdout);
    }
    assert_eq!(d.setup.emails(), BTreeSet::from([old]));
}

#[test]
fn the_vendors_own_sync_blocks_the_run_with_zero_writes() {
    let Some(lab) = common::lab("RW") else { return };
    let d = SmallDirectory::new(lab, Mode::Strict, &["vendor"]);
    d.setup.fake.set_org_facts(DOMAIN, serde_json::json!({"ldap_url": "ldaps://dc1.example.com"}));
    let out = d.setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("vendor_sync_active: the service's LDAP sync (ldap_url ldaps://dc1.example.com)"));
    let out = d.setup.adsync(&["sync", "--apply", "--json"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(json(&out)["guards"]["blocks"][0]["guard"], "vendor_sync_active", "{}", out.stdout);
    assert!(d.setup.writes().is_empty(), "{:?}", d.setup.writes());
}

#[test]
fn licences_over_the_limit_warn_in_the_plan_and_block_when_asked() {
    let Some(lab) = common::lab("RW") else { return };
    let mut d = SmallDirectory::new(lab, Mode::Lenient, &["lic1", "lic2"]);
    d.setup.fake.set_org_facts(DOMAIN, serde_json::json!({"user_licenses": 1}));
    let out = d.setup.adsync(&["plan", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warnings = json(&out)["guards"]["warnings"].as_array().cloned().unwrap_or_default();
    let licences = warnings.iter().find(|w| w["warning"] == "licenses").expect("a licence warning");
    assert_eq!((licences["active_after"].as_i64(), licences["user_licenses"].as_u64()), (Some(2), Some(1)));
    assert!(warnings.iter().any(|w| w["warning"] == "org_fact_unread"), "the lenient fake has no Azure settings");
    let text = d.setup.adsync(&["plan"]);
    assert!(text.stdout.contains("Warning: licences: after this run 2 accounts would be active"), "{}", text.stdout);
    d.setup.sync_extra = "guards.respect_licenses = true".into();
    let out = d.setup.adsync(&["sync", "--apply"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("sync.guards.respect_licenses"), "{}", out.stdout);
    assert!(d.setup.writes().is_empty(), "{:?}", d.setup.writes());
}
