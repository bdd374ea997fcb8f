//! The diagnostics ladder against the real servers (slapd, Samba AD) and against broken
//! ones made on loopback: each failure names its rung, gives a fix, and skips the rest.

mod common;

use adsync::config::Config;
use adsync::diagnose::{Ladder, LadderOptions, Status, Step, StepId, run_ladder};
use common::proxy::socket_of;
use common::tls_lab::{Leaf, Listener, TestCa, self_signed};
use common::{Lab, Transport, adsync, run, write_config};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The lab's `[source]` with the password inline (tests share one process environment).
fn source(lab: &Lab, transport: Transport, password: &str) -> String {
    lab.source_toml(transport).replace("password_env = \"ADSYNC_TEST_BIND_PW\"", &format!("password = \"{password}\""))
}

fn ladder_with(toml: &str, options: LadderOptions) -> Ladder {
    let config = Config::parse(toml, "test.toml").expect("test config");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut seen = Vec::new();
    let ladder = runtime.block_on(run_ladder(&config, options, |step: &Step| seen.push(step.id)));
    assert_eq!(seen, StepId::ALL, "every rung is reported once, in order");
    ladder
}

fn ladder(toml: &str) -> Ladder {
    ladder_with(toml, LadderOptions::default())
}

/// The ladder over LDAPS, bound as the lab's account `dn_var` (same password as svc-sync).
fn ladder_as(lab: &Lab, dn_var: &str) -> Ladder {
    ladder(&source(lab, Transport::Ldaps, &lab.bind_pw).replace(&lab.bind_dn, &lab.var(dn_var)))
}

fn step(ladder: &Ladder, id: StepId) -> &Step {
    ladder.step(id).expect("every rung is in the ladder")
}

fn evidence<'a>(step: &'a Step, label: &str) -> &'a str {
    let found = step.evidence.iter().find(|(l, _)| l == label);
    found.map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no evidence {label:?} in {step:#?}"))
}

/// The evidence whose label starts with `prefix` (labels that carry a temp path).
fn evidence_from<'a>(step: &'a Step, prefix: &str) -> &'a str {
    let found = step.evidence.iter().find(|(l, _)| l.starts_with(prefix));
    found.map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no evidence {prefix:?}… in {step:#?}"))
}

/// The statuses in ladder order, e.g. `[ok, ok, skipped, fail, skipped…]`.
fn statuses(ladder: &Ladder) -> Vec<Status> {
    ladder.steps.iter().map(|s| s.status).collect()
}

/// `id` failed with a fix mentioning `fix_has`, and every later rung was skipped because of it.
fn assert_fails_at(ladder: &Ladder, id: StepId, fix_has: &str) {
    let failed = step(ladder, id);
    assert_eq!(failed.status, Status::Fail, "{ladder:#?}");
    let fix = failed.fix.as_deref().unwrap_or_default();
    assert!(fix.to_lowercase().contains(&fix_has.to_lowercase()), "fix {fix:?} lacks {fix_has:?}");
    let later = ladder.steps.iter().skip_while(|s| s.id != id).skip(1);
    for skipped in later {
        assert_eq!(skipped.status, Status::Skipped, "{skipped:#?}");
        assert_eq!(skipped.summary, format!("not run: {} failed", failed.title));
    }
    assert!(!ladder.ok());
}

fn assert_no_secret(ladder: &Ladder, secret: &str) {
    let text = format!("{ladder:?}");
    assert!(!text.contains(secret), "the password appears in the ladder");
}

const OK: Status = Status::Ok;
const SKIP: Status = Status::Skipped;

#[test]
fn healthy_slapd_over_ldaps() {
    let Some(lab) = common::slapd() else { return };
    let ladder = ladder(&source(&lab, Transport::Ldaps, &lab.bind_pw));
    assert_eq!(statuses(&ladder), [OK, OK, SKIP, OK, OK, OK, OK, OK, OK], "{ladder:#?}");
    let tls = step(&ladder, StepId::Tls);
    assert!(evidence(tls, "protocol").starts_with("TLSv1."), "{tls:#?}");
    assert_eq!(evidence(tls, "issued for 127.0.0.1"), "yes");
    assert_eq!(evidence(tls, &format!("trusted by source.ca_file {}", lab.cacert)), "yes");
    assert!(evidence(tls, "certificate names").contains("IP:127.0.0.1"));
    let dse = step(&ladder, StepId::Rootdse);
    assert_eq!(evidence(dse, "server"), "OpenLDAP");
    assert_eq!(evidence(dse, "paged results (1.2.840.113556.1.4.319)"), "yes");
    assert_eq!(evidence(dse, "namingContexts"), lab.base_dn);
    let sample = step(&ladder, StepId::Sample);
    assert!(evidence(sample, "users").parse::<u32>().unwrap() > 500, "{sample:#?}");
    assert!(evidence(sample, "groups").parse::<u32>().is_ok());
    assert_no_secret(&ladder, &lab.bind_pw);
}

#[test]
fn healthy_slapd_over_starttls_inspects_the_upgraded_connection() {
    let Some(lab) = common::slapd() else { return };
    let ladder = ladder(&source(&lab, Transport::StartTls, &lab.bind_pw));
    assert_eq!(statuses(&ladder), [OK; 9], "{ladder:#?}");
    assert!(step(&ladder, StepId::Starttls).summary.contains("agreed to start TLS"));
    assert_eq!(evidence(step(&ladder, StepId::Tls), "issued for 127.0.0.1"), "yes");
}

#[test]
fn healthy_samba_shows_active_directory_and_its_clock() {
    let Some(lab) = common::samba() else { return };
    let ladder = ladder_with(&source(&lab, Transport::Ldaps, &lab.bind_pw), LadderOptions { global_catalog: true });
    assert_eq!(statuses(&ladder), [OK, OK, SKIP, OK, OK, OK, OK, OK, OK], "{ladder:#?}");
    let tcp = step(&ladder, StepId::Tcp);
    for port in [636, 389, 3268, 3269] {
        assert!(evidence(tcp, &format!("127.0.0.1:{port}")).starts_with("open"), "{tcp:#?}");
    }
    let dse = step(&ladder, StepId::Rootdse);
    assert_eq!(evidence(dse, "server"), "Active Directory");
    assert!(evidence(dse, "AD capabilities").starts_with("Active Directory"));
    assert_eq!(evidence(dse, "clock skew"), "in step with ours", "same machine, same clock");
    assert!(evidence(dse, "dnsHostName").contains("example.com"));
    let rights = step(&ladder, StepId::Rights);
    for attr in ["mail", "proxyAddresses", "userAccountControl", "objectGUID", "member"] {
        assert!(evidence(rights, attr).starts_with("on "), "{rights:#?}");
    }
}

#[test]
fn plain_ldap_without_starttls_is_a_warning_not_a_failure() {
    let Some(lab) = common::samba() else { return };
    let ladder = ladder(&source(&lab, Transport::Plain, &lab.bind_pw));
    let starttls = step(&ladder, StepId::Starttls);
    assert_eq!(starttls.status, Status::Warn, "{starttls:#?}");
    assert!(starttls.summary.contains("unencrypted"), "{starttls:#?}");
    assert!(starttls.fix.as_deref().unwrap().contains("starttls = true"));
    assert_eq!(step(&ladder, StepId::Tls).status, Status::Skipped);
    assert_eq!(step(&ladder, StepId::Rights).status, Status::Ok);
    assert!(ladder.ok());
}

#[test]
fn closed_port_fails_at_tcp() {
    let Some(lab) = common::slapd() else { return };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let toml =
        source(&lab, Transport::Ldaps, &lab.bind_pw).replace(&lab.ldaps_uri, &format!("ldaps://127.0.0.1:{port}"));
    let ladder = ladder(&toml);
    assert_fails_at(&ladder, StepId::Tcp, &format!("Nothing listens on port {port}"));
    assert_eq!(evidence(step(&ladder, StepId::Tcp), &format!("127.0.0.1:{port}")), "refused (nothing listens)");
}

#[test]
fn unknown_host_fails_at_dns() {
    let Some(lab) = common::slapd() else { return };
    let toml = source(&lab, Transport::Ldaps, &lab.bind_pw).replace("127.0.0.1", "no-such-dc.invalid");
    assert_fails_at(&ladder(&toml), StepId::Dns, "Check the host name in source.url");
}

#[test]
fn a_port_that_never_answers_times_out_within_the_bound() {
    let Some(lab) = common::slapd() else { return };
    // Listening but never accepting: the kernel completes TCP, nobody speaks.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    for (transport, scheme, rung) in
        [(Transport::Ldaps, "ldaps", StepId::Tls), (Transport::StartTls, "ldap", StepId::Starttls)]
    {
        let uri = if transport == Transport::Ldaps { &lab.ldaps_uri } else { &lab.uri };
        let toml = source(&lab, transport, &lab.bind_pw).replace(uri.as_str(), &format!("{scheme}://{addr}"))
            + "connect_timeout = \"1s\"\nop_timeout = \"1s\"\n";
        let started = Instant::now();
        let ladder = ladder(&toml);
        assert!(started.elapsed() < Duration::from_secs(5), "{transport:?} took {:?}", started.elapsed());
        assert_fails_at(&ladder, rung, "raise source.connect_timeout");
        assert!(step(&ladder, rung).summary.contains("did not finish within 1s"), "{ladder:#?}");
    }
}

/// slapd's plain port behind a TLS proxy presenting `tls`; the CA in `ca_file`.
fn behind_tls_proxy(lab: &Lab, tls: std::sync::Arc<rustls::ServerConfig>, ca: &TestCa, extra: &str) -> Ladder {
    let proxy = Listener::tls_proxy(socket_of(&lab.uri), tls);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = ca.write(dir.path());
    let toml = source(lab, Transport::Ldaps, &lab.bind_pw)
        .replace(&lab.ldaps_uri, &format!("ldaps://{}", proxy.addr))
        .replace(&lab.cacert, ca_file.to_str().unwrap())
        + extra;
    ladder(&toml)
}

#[test]
fn a_proxy_with_a_good_certificate_reaches_the_directory() {
    let Some(lab) = common::slapd() else { return };
    let ca = TestCa::new();
    let ladder = behind_tls_proxy(&lab, ca.server(&Leaf::valid_for(&["127.0.0.1"])), &ca, "");
    assert_eq!(statuses(&ladder), [OK, OK, SKIP, OK, OK, OK, OK, OK, OK], "{ladder:#?}");
}

#[test]
fn self_signed_certificate_fails_at_tls_with_the_chain_as_evidence() {
    let Some(lab) = common::slapd() else { return };
    let ca = TestCa::new();
    let ladder = behind_tls_proxy(&lab, self_signed(&Leaf::valid_for(&["127.0.0.1", "dc1.example.com"])), &ca, "");
    assert_fails_at(&ladder, StepId::Tls, "set source.ca_file");
    let tls = step(&ladder, StepId::Tls);
    assert!(tls.summary.contains("not signed by a trusted CA"), "{tls:#?}");
    assert_eq!(evidence(tls, "certificate subject"), evidence(tls, "certificate issuer"));
    assert_eq!(evidence(tls, "issued for 127.0.0.1"), "yes");
    assert!(evidence_from(tls, "trusted by source.ca_file").starts_with("no"), "{tls:#?}");
}

#[test]
fn certificate_for_another_name_fails_at_tls() {
    let Some(lab) = common::slapd() else { return };
    let ca = TestCa::new();
    let ladder = behind_tls_proxy(&lab, ca.server(&Leaf::valid_for(&["dc9.example.org"])), &ca, "");
    assert_fails_at(&ladder, StepId::Tls, "connect using a name listed in the certificate");
    let tls = step(&ladder, StepId::Tls);
    assert_eq!(evidence(tls, "certificate names"), "DNS:dc9.example.org");
    assert!(evidence(tls, "issued for 127.0.0.1").starts_with("no"), "{tls:#?}");
}

#[test]
fn expired_certificate_fails_at_tls() {
    let Some(lab) = common::slapd() else { return };
    let ca = TestCa::new();
    let leaf = Leaf { names: &["127.0.0.1"], from_days: -400, to_days: -3 };
    let ladder = behind_tls_proxy(&lab, ca.server(&leaf), &ca, "");
    assert_fails_at(&ladder, StepId::Tls, "renew the domain controller's certificate");
    let tls = step(&ladder, StepId::Tls);
    assert!(tls.summary.contains("has expired"), "{tls:#?}");
    assert!(evidence(tls, "certificate expiry").starts_with("EXPIRED 3 days ago"), "{tls:#?}");
    assert_eq!(evidence_from(tls, "trusted by source.ca_file"), "yes", "only the dates are wrong: {tls:#?}");
}

#[test]
fn tls_insecure_is_a_warning_that_says_what_it_hides_and_the_ladder_goes_on() {
    let Some(lab) = common::slapd() else { return };
    let ca = TestCa::new();
    let leaf = Leaf { names: &["127.0.0.1"], from_days: -400, to_days: -3 };
    let ladder = behind_tls_proxy(&lab, ca.server(&leaf), &ca, "tls_insecure = true\n");
    let tls = step(&ladder, StepId::Tls);
    assert_eq!(tls.status, Status::Warn, "{tls:#?}");
    assert!(tls.summary.contains("tls_insecure = true"), "{tls:#?}");
    assert!(tls.summary.contains("EXPIRED 3 days ago"), "{tls:#?}");
    assert_eq!(statuses(&ladder)[4..], [OK, OK, OK, OK, OK], "the real directory behind the proxy: {ladder:#?}");
}

#[test]
fn certificate_expiring_within_30_days_is_a_warning() {
    let Some(lab) = common::slapd() else { return };
    let ca = TestCa::new();
    let leaf = Leaf { names: &["127.0.0.1"], from_days: -300, to_days: 10 };
    let ladder = behind_tls_proxy(&lab, ca.server(&leaf), &ca, "");
    let tls = step(&ladder, StepId::Tls);
    assert_eq!(tls.status, Status::Warn, "{tls:#?}");
    assert!(tls.summary.contains("expires in 9 days") || tls.summary.contains("expires in 10 days"), "{tls:#?}");
    assert!(ladder.ok());
}

#[test]
fn starttls_refused_fails_at_starttls() {
    let Some(lab) = common::slapd() else { return };
    let server = Listener::refusing_starttls();
    let toml = source(&lab, Transport::StartTls, &lab.bind_pw).replace(&lab.uri, &format!("ldap://{}", server.addr));
    let ladder = ladder(&toml);
    assert_fails_at(&ladder, StepId::Starttls, "Enable TLS on the server");
    let starttls = step(&ladder, StepId::Starttls);
    assert!(evidence(starttls, "server said").starts_with("unavailable (52)"), "{starttls:#?}");
}

#[test]
fn wrong_password_fails_at_bind_on_openldap() {
    let Some(lab) = common::slapd() else { return };
    let ladder = ladder(&source(&lab, Transport::Ldaps, "Wr0ng-Pa55-xyz"));
    assert_fails_at(&ladder, StepId::Bind, "check bind_dn");
    assert!(step(&ladder, StepId::Bind).summary.contains("the bind DN or the password is wrong"));
    assert_no_secret(&ladder, "Wr0ng-Pa55-xyz");
}

#[test]
fn wrong_password_on_active_directory_decodes_52e() {
    let Some(lab) = common::samba() else { return };
    let ladder = ladder(&source(&lab, Transport::Ldaps, "Wr0ng-Pa55-xyz"));
    assert_fails_at(&ladder, StepId::Bind, "check the password the config points at");
    assert_eq!(evidence(step(&ladder, StepId::Bind), "AD sub-code"), "data 52e: the password is wrong");
    assert_no_secret(&ladder, "Wr0ng-Pa55-xyz");
}

#[test]
fn disabled_bind_account_decodes_533() {
    let Some(lab) = common::samba() else { return };
    let ladder = ladder_as(&lab, "DISABLED_DN");
    assert_fails_at(&ladder, StepId::Bind, "enable the service account");
    assert_eq!(evidence(step(&ladder, StepId::Bind), "AD sub-code"), "data 533: the account is disabled");
}

#[test]
fn base_dn_that_does_not_exist_names_the_real_one() {
    for lab in [common::slapd(), common::samba()].into_iter().flatten() {
        let toml = source(&lab, Transport::Ldaps, &lab.bind_pw)
            .replace(&format!("base_dn = \"{}\"", lab.base_dn), &format!("base_dn = \"OU=Nowhere,{}\"", lab.base_dn));
        let ladder = ladder(&toml);
        assert_fails_at(&ladder, StepId::BaseDn, &format!("e.g. {}", lab.base_dn));
        assert!(step(&ladder, StepId::BaseDn).summary.contains("does not exist"), "{ladder:#?}");
    }
}

#[test]
fn account_that_reads_nothing_below_the_base_fails_at_the_sample() {
    let Some(lab) = common::slapd() else { return };
    let ladder = ladder_as(&lab, "NOREAD_DN");
    assert_eq!(step(&ladder, StepId::Bind).status, Status::Ok);
    assert_eq!(step(&ladder, StepId::BaseDn).status, Status::Ok);
    assert_fails_at(&ladder, StepId::Sample, "grant the bind account read access to the Base DN's contents");
    assert!(step(&ladder, StepId::Sample).summary.contains("cannot read the Base DN's contents"));
}

#[test]
fn account_that_cannot_read_mail_gets_a_rights_warning() {
    let Some(lab) = common::slapd() else { return };
    let ladder = ladder_as(&lab, "NOMAIL_DN");
    let rights = step(&ladder, StepId::Rights);
    assert_eq!(rights.status, Status::Warn, "{rights:#?}");
    assert!(rights.summary.contains("cannot read mail"), "{rights:#?}");
    assert!(rights.fix.as_deref().unwrap().contains("read access to mail"));
    assert!(evidence(rights, "mail").starts_with("on 0 of "), "{rights:#?}");
    assert!(ladder.ok(), "a warning does not fail the check");
}

/// A delegation that left out userAccountControl: the account still reads its own entry
/// in full, so one user of the page shows it. The hint names the property and the count.
#[test]
fn active_directory_account_denied_user_account_control_gets_a_rights_warning() {
    let Some(lab) = common::samba() else { return };
    let ladder = ladder_as(&lab, "NOUAC_DN");
    let rights = step(&ladder, StepId::Rights);
    assert_eq!(rights.status, Status::Warn, "{rights:#?}");
    assert!(rights.summary.contains("cannot read userAccountControl: "), "{rights:#?}");
    assert!(rights.summary.contains("users lack userAccountControl, which they all have"), "{rights:#?}");
    assert!(rights.fix.as_deref().unwrap().contains("read access to userAccountControl"));
    assert!(
        evidence(rights, "proxyAddresses").starts_with("on ")
            && !evidence(rights, "proxyAddresses").starts_with("on 0 ")
    );
    assert!(ladder.ok(), "a warning does not fail the check");
}

/// `adsync check` as a script sees it.
fn check(toml: &str, password: &str, args: &[&str]) -> common::Outcome {
    let (_dir, path) = write_config(toml);
    let mut cmd = adsync(&path, password);
    cmd.env("NO_COLOR", "1").arg("check").args(args);
    run(cmd)
}

#[test]
fn check_prints_a_plain_table_and_exits_by_the_worst_rung() {
    let Some(lab) = common::slapd() else { return };
    let out = check(&lab.source_toml(Transport::Ldaps), &lab.bind_pw, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with(&format!("adsync check: {} · {}\n", lab.ldaps_uri, lab.base_dn)), "{}", out.stdout);
    assert!(out.stdout.contains("  ok    TLS handshake"), "{}", out.stdout);
    assert!(out.stdout.lines().last().unwrap().starts_with("OK: 8 ok, 0 warning(s), 0 failed, 1 skipped in "));
    assert!(!out.stdout.contains('\x1b'), "no colour when not a terminal");
    let out = check(&lab.source_toml(Transport::Ldaps), "Wr0ng-Pa55-xyz", &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("  FAIL  Bind"), "{}", out.stdout);
    assert!(out.stdout.contains("fix: Check bind_dn"), "{}", out.stdout);
    assert!(!out.stdout.contains("Wr0ng-Pa55-xyz") && !out.stderr.contains("Wr0ng-Pa55-xyz"));
}

#[test]
fn check_json_is_the_documented_shape() {
    let Some(lab) = common::samba() else { return };
    let out = check(&lab.source_toml(Transport::Ldaps), &lab.bind_pw, &["--json", "--gc"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["ok"], true);
    assert!(doc["elapsed_ms"].as_f64().unwrap() > 0.0);
    let steps = doc["steps"].as_array().unwrap();
    let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["dns", "tcp", "starttls", "tls", "rootdse", "bind", "base_dn", "sample", "rights"]);
    for step in steps {
        let mut keys: Vec<&str> = step.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["elapsed_ms", "evidence", "fix", "id", "status", "summary", "title"], "{step}");
        assert!(step["evidence"].is_object());
    }
    assert!(steps[1]["evidence"]["127.0.0.1:3268"].as_str().unwrap().starts_with("open"), "{}", steps[1]);
}

#[test]
fn check_config_error_exits_2() {
    let out = check("[source]\nkind = \"ldap\"\n", "", &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}
