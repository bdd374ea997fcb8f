//! `adsync check --target` (and plain `check`) through the binary: a few lines on success, one
//! clear line on failure, the documented exit codes, and never a password — not even at -vv.

mod common;

use common::fake_service::{ADMIN, DOMAIN, FakeService, Fault, Mode};
use common::{Outcome, Transport, assert_clean_failure, run, write_config};
use serde_json::{Value, json};

/// A password no other text would contain, to look for in every output.
const SECRET: &str = "Zq7-distinctive-Secret-4711";

const SOURCE: &str = "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:1\"\nbase_dn = \"dc=example,dc=com\"\n";

fn essentials_toml(fake: &FakeService, user: &str, domain: &str) -> String {
    format!(
        "{SOURCE}\n[target]\nkind = \"essentials\"\napi_url = \"{}\"\ndomain = \"{domain}\"\nuser = \"{user}\"\n\
         password_env = \"ADSYNC_TEST_API_PW\"\nrequest_timeout = \"2s\"\n",
        fake.base_url()
    )
}

fn check(toml: &str, password: &str, args: &[&str]) -> Outcome {
    let (_dir, path) = write_config(toml);
    let mut cmd = common::adsync(&path, "unused");
    cmd.env("ADSYNC_TEST_API_PW", password).env_remove("ADSYNC_LOG").arg("check").args(args);
    run(cmd)
}

fn assert_no_secret(out: &Outcome, secret: &str) {
    assert!(
        !out.stdout.contains(secret) && !out.stderr.contains(secret),
        "secret leaked:\n{}\n{}",
        out.stdout,
        out.stderr
    );
}

fn seeded() -> FakeService {
    seeded_in(Mode::Lenient)
}

fn seeded_in(mode: Mode) -> FakeService {
    let fake = FakeService::start_in(mode);
    fake.add_admin("ops@example.com", SECRET, &[DOMAIN], false);
    let mut admin = json!({"primary_email": ADMIN, "type": "organization_admin"});
    admin["is_active"] = json!(true);
    fake.seed(DOMAIN, [json!({"primary_email": "a@example.com", "type": "end_user"}), admin]);
    fake
}

#[test]
fn check_target_prints_who_we_are_the_user_count_and_the_vendors_sync() {
    let fake = seeded_in(Mode::Strict);
    fake.set_org_facts(DOMAIN, json!({"user_licenses": 100}));
    let out = check(&essentials_toml(&fake, "ops@example.com", DOMAIN), SECRET, &["--target"]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let want = format!(
        "Service: Proofpoint Essentials {base} · example.com\n  API        {base}\n  \
         signed in  ops@example.com (organization_admin, read-write)\n  \
         org        example.com: accessible, 2 users (1 admin, never touched by a sync)\n  \
         licences   2 of 100 in use\n  \
         own sync   off (no LDAP server, Azure AD sync off)\nGuards: ok\n",
        base = fake.base_url()
    );
    assert_eq!(out.stdout, want);
    let reads = [
        "GET /api/v1/me",
        "GET /api/v1/orgs/example.com/users",
        "GET /api/v1/orgs/example.com",
        "GET /api/v1/orgs/example.com/settings/azure",
    ];
    assert_eq!(fake.request_lines(), reads, "reads only");
}

#[test]
fn check_target_names_the_vendors_sync_that_would_block_a_sync_in_both_modes() {
    for mode in [Mode::Lenient, Mode::Strict] {
        let fake = seeded_in(mode);
        fake.set_org_facts(DOMAIN, json!({"ldap_url": "ldaps://dc1.example.com"}));
        fake.set_azure(DOMAIN, Some(json!({"sync_frequency": 24, "remove_deleted_users": true})));
        let toml = essentials_toml(&fake, "ops@example.com", DOMAIN);
        let out = check(&toml, SECRET, &["--target"]);
        assert_eq!(out.code, 3, "{mode:?}: {}\n{}", out.stdout, out.stderr);
        assert!(
            out.stdout.contains("own sync   ON: the service's LDAP sync (ldap_url ldaps://dc1.example.com); the service's Azure AD sync (every 24 h, removing deleted users)"),
            "{mode:?}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("! vendor_sync_active:") && out.stdout.contains("sync_frequency 0"),
            "{}",
            out.stdout
        );
        let json_out = check(&toml, SECRET, &["--target", "--json"]);
        let doc: Value = serde_json::from_str(&json_out.stdout).unwrap();
        assert_eq!(doc["guards"]["blocks"][0]["guard"], "vendor_sync_active", "{doc}");
        assert_eq!(doc["org"]["vendor_syncs"][1]["kind"], "azure", "{doc}");
        let coexisting = check(&format!("{toml}coexist_with_vendor_sync = true\n"), SECRET, &["--target"]);
        assert_eq!(coexisting.code, 0, "{}", coexisting.stdout);
        assert!(coexisting.stdout.contains("Warning: the service's LDAP sync"), "{}", coexisting.stdout);
        assert_no_secret(&out, SECRET);
    }
}

#[test]
fn org_reads_the_service_refuses_are_warnings_not_failures() {
    let fake = seeded();
    fake.fail_matching(None, Some("/orgs/example.com/settings"), 1, Fault::Forbidden);
    let out = check(&essentials_toml(&fake, "ops@example.com", DOMAIN), SECRET, &["--target"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("own sync   not known (see the warnings)"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Warning: GET /orgs/{domain}/settings/azure answered 403: Not authorized"),
        "{}",
        out.stdout
    );
    let refused = fake.requests().into_iter().find(|r| r.status == 403).expect("the refused read");
    let correlator = &refused.headers["x-correlator"];
    assert!(out.stderr.contains(&format!("x_correlator={correlator}")), "logged with its correlator: {}", out.stderr);
    let lenient = check(&essentials_toml(&fake, "ops@example.com", DOMAIN), SECRET, &["--target"]);
    assert!(lenient.stdout.contains("answered 404: no domain or settings found"), "{}", lenient.stdout);
}

#[test]
fn check_target_json_holds_the_facts_and_no_secret_even_at_debug_level() {
    let fake = seeded();
    let out = check(&essentials_toml(&fake, "ops@example.com", DOMAIN), SECRET, &["--target", "--json", "-vv"]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "essentials");
    assert_eq!((doc["users"].as_u64(), doc["admins"].as_u64()), (Some(2), Some(1)));
    assert_eq!(doc["signed_in_as"], "ops@example.com");
    assert!(out.stderr.contains("service request"), "-vv logs each request: {}", out.stderr);
    assert_no_secret(&out, SECRET);
}

#[test]
fn a_wrong_password_exits_1_with_one_line_and_never_shows_either_password() {
    let fake = seeded();
    let wrong = "Wr0ng-Distinct-Pw-0815";
    let out = check(&essentials_toml(&fake, "ops@example.com", DOMAIN), wrong, &["--target", "-vv"]);
    assert_clean_failure(&out, 1, "Service API: the service refused the credentials of \"ops@example.com\"", wrong);
    assert_no_secret(&out, SECRET);
    let errors: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(errors[0].contains("Fix: check target.user"), "{}", errors[0]);
}

#[test]
fn a_read_only_admin_exits_1_with_a_clear_reason() {
    let fake = seeded();
    fake.add_admin("ro@example.com", SECRET, &[DOMAIN], true);
    let out = check(&essentials_toml(&fake, "ro@example.com", DOMAIN), SECRET, &["--target"]);
    assert_clean_failure(&out, 1, "Service API: \"ro@example.com\" is a read-only admin", SECRET);
}

#[test]
fn an_unknown_domain_exits_1_with_a_clear_reason() {
    let fake = seeded();
    let out = check(&essentials_toml(&fake, "ops@example.com", "nope.example"), SECRET, &["--target"]);
    assert_clean_failure(&out, 1, "Service API: the service does not know the domain \"nope.example\"", SECRET);
}

#[test]
fn a_server_error_is_retried_and_reported_at_info_level() {
    let fake = seeded();
    fake.fail_next(1, Fault::ServerError);
    let out = check(&essentials_toml(&fake, "ops@example.com", DOMAIN), SECRET, &["--target", "-v"]);
    assert_eq!(out.code, 0, "one 500 is retried: {}", out.stderr);
    assert!(out.stderr.contains("GET /api/v1/me: 500: Internal error; trying again in"), "{}", out.stderr);
    assert_eq!(fake.request_lines().len(), 5, "me twice, then the list and the two organisation reads");
}

#[test]
fn no_target_section_is_a_config_error() {
    let out = check(SOURCE, SECRET, &["--target"]);
    assert_clean_failure(&out, 2, "Config: there is no [target] section", SECRET);
}

#[test]
fn plan_and_sync_without_a_target_section_are_usage_errors() {
    let (_dir, path) = write_config(SOURCE);
    for verb in ["plan", "sync"] {
        let mut cmd = common::adsync(&path, "unused");
        cmd.env_remove("ADSYNC_LOG").arg(verb);
        assert_clean_failure(&run(cmd), 2, "error: Plan: no [target] in the config", "");
    }
}

#[test]
fn the_file_target_is_checked_and_its_lock_respected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service.json");
    std::fs::write(&path, r#"{"users":[{"primary_email":"a@example.com","type":"end_user"}]}"#).unwrap();
    let toml = format!("{SOURCE}\n[target]\nkind = \"file\"\npath = \"{}\"\n", path.display());
    let out = check(&toml, SECRET, &["--target"]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stdout.contains(&format!("  file       {}\n", path.display())), "{}", out.stdout);
    assert!(out.stdout.contains("  org        1 user\n"), "{}", out.stdout);

    let held = adsync::target::file::FileTarget::open(&path).unwrap();
    let out = check(&toml, SECRET, &["--target"]);
    let holder = format!("is in use by another adsync process (PID {})", std::process::id());
    assert_clean_failure(&out, 1, &holder, SECRET);
    drop(held);
}

#[test]
fn check_without_target_runs_the_directory_ladder() {
    let Some(lab) = common::slapd() else { return };
    let (_dir, path) = write_config(&lab.source_toml(Transport::Ldaps));
    let mut cmd = common::adsync(&path, &lab.bind_pw);
    cmd.args(["check", "--json"]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["ok"], true, "{doc}");
    let step = |id: &str| doc["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(step("rootdse")["evidence"]["server"], "OpenLDAP");
    assert_eq!(step("bind")["evidence"]["bind DN"], lab.bind_dn.as_str());
    assert!(!out.stdout.contains(&lab.bind_pw));
    let mut cmd = common::adsync(&path, "Wr0ng-Pa55-xyz");
    cmd.arg("check");
    let out = run(cmd);
    assert_eq!(out.code, 1, "stdout: {}", out.stdout);
    assert!(out.stdout.contains("FAIL  Bind"), "{}", out.stdout);
    assert!(!out.stdout.contains("Wr0ng-Pa55-xyz") && !out.stderr.contains("Wr0ng-Pa55-xyz"));
}
