//! `adsync demo`: the embedded directory against real clients (OpenLDAP's ldapsearch and
//! adsync's own), against the real slapd holding the same company, and under abuse.

mod common;

use common::{Transport, adsync, run, write_config};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `adsync demo --serve` as a child process, with the coordinates it printed.
struct Served {
    child: Child,
    env: BTreeMap<String, String>,
}

impl Served {
    fn start(users: u32) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("adsync"))
            .args(["demo", "--serve", "--users", &users.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start adsync demo --serve");
        let mut env = BTreeMap::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while env.len() < 6 {
            let line = lines.next().expect("demo printed its exports").unwrap();
            if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                env.insert(k.to_string(), v.trim_matches('\'').to_string());
            }
        }
        Self { child, env }
    }

    fn var(&self, name: &str) -> &str {
        &self.env[name]
    }

    fn lab(&self) -> common::Lab {
        common::Lab {
            name: "DEMO",
            uri: self.var("LDAP_URI").into(),
            ldaps_uri: self.var("LDAPS_URI").into(),
            base_dn: self.var("LDAP_BASE_DN").into(),
            bind_dn: self.var("LDAP_BIND_DN").into(),
            bind_pw: self.var("LDAP_BIND_PW").into(),
            cacert: self.var("LDAPTLS_CACERT").into(),
            truth: None,
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn search_json(lab: &common::Lab, transport: Transport) -> Value {
    let (_dir, path) = write_config(&lab.source_toml(transport));
    let mut cmd = adsync(&path, &lab.bind_pw);
    cmd.args(["search", "--json"]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn normalised(dn: &str) -> String {
    format!("{:?}", adsync::dn::Dn::parse(dn).unwrap())
}

fn adsync_dns(doc: &Value) -> BTreeSet<String> {
    let all = doc["entries"].as_array().unwrap().iter().chain(doc["skipped"].as_array().unwrap());
    all.map(|e| normalised(e["dn"].as_str().unwrap())).collect()
}

fn ldapsearch(served: &Served, uri: &str, starttls: bool) -> BTreeSet<String> {
    let mut cmd = Command::new("ldapsearch");
    cmd.env("LDAPTLS_CACERT", served.var("LDAPTLS_CACERT")).args(["-x", "-LLL", "-o", "ldif-wrap=no", "-H", uri]);
    if starttls {
        cmd.arg("-ZZ");
    }
    let out = cmd
        .args(["-D", served.var("LDAP_BIND_DN"), "-w", served.var("LDAP_BIND_PW"), "-b", served.var("LDAP_BASE_DN")])
        .args(["-E", "pr=100/noprompt", "(|(&(objectCategory=person)(objectClass=user))(objectClass=group))", "1.1"])
        .output()
        .expect("ldapsearch runs");
    assert!(out.status.success(), "ldapsearch {uri}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().filter_map(decode_dn).map(|dn| normalised(&dn)).collect()
}

fn decode_dn(line: &str) -> Option<String> {
    use base64::Engine as _;
    match line.strip_prefix("dn:: ") {
        Some(b64) => String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).ok()?).ok(),
        None => line.strip_prefix("dn: ").map(str::to_string),
    }
}

fn have_ldapsearch() -> bool {
    let found = Command::new("ldapsearch").arg("-VV").output().is_ok();
    assert!(found || std::env::var_os("ADSYNC_LAB").is_none(), "ldapsearch missing under scripts/test.sh");
    found
}

#[test]
fn ldapsearch_sees_what_adsync_sees_over_ldap_starttls_and_ldaps() {
    if !have_ldapsearch() {
        return;
    }
    let served = Served::start(2000);
    let ours = adsync_dns(&search_json(&served.lab(), Transport::Ldaps));
    assert!(ours.len() > 2000, "adsync read {}", ours.len());
    for (uri, starttls) in
        [(served.var("LDAP_URI"), false), (served.var("LDAP_URI"), true), (served.var("LDAPS_URI"), false)]
    {
        assert_eq!(ldapsearch(&served, uri, starttls), ours, "{uri} starttls={starttls}");
    }
    let over_starttls = adsync_dns(&search_json(&served.lab(), Transport::StartTls));
    assert_eq!(over_starttls, ours);
}

/// Entries and skips keyed by normalised DN: servers may escape the same DN differently
/// (`\,` on the demo, `\2C` on slapd), which is no difference in meaning.
fn by_dn(doc: &Value) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let index = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let mut e = e.clone();
                let dn = e.as_object_mut().unwrap().remove("dn").unwrap();
                (normalised(dn.as_str().unwrap()), e)
            })
            .collect::<BTreeMap<_, _>>()
    };
    (index(&doc["entries"]), index(&doc["skipped"]))
}

/// The demo server and a real slapd, both holding the 10,000-user company, must classify alike.
#[test]
fn demo_and_real_slapd_classify_the_same_company_identically() {
    let Some(slapd) = common::slapd() else { return };
    let served = Served::start(10_000);
    let demo = search_json(&served.lab(), Transport::Ldaps);
    let real = search_json(&slapd, Transport::Ldaps);
    assert_eq!((demo["flavor"].as_str(), real["flavor"].as_str()), (Some("active-directory"), Some("openldap")));
    let (demo_entries, demo_skipped) = by_dn(&demo);
    let (real_entries, real_skipped) = by_dn(&real);
    assert!(demo_entries.len() > 9000, "{}", demo_entries.len());
    let differing: Vec<_> = demo_entries.iter().filter(|(dn, e)| real_entries.get(*dn) != Some(e)).take(3).collect();
    assert!(differing.is_empty() && demo_entries.len() == real_entries.len(), "entries differ: {differing:#?}");
    assert_eq!(demo_skipped, real_skipped);
}

#[test]
fn the_demo_runs_end_to_end_with_nothing_configured_and_writes_only_temp_files() {
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("adsync"))
        .arg("demo")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_STATE_HOME", home.path().join(".local/state"))
        .env("TMPDIR", tmp.path())
        .env_remove("ADSYNC_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let summary = stdout.lines().nth(1).unwrap_or_default();
    assert!(stdout.starts_with("Plan: ldaps://127.0.0.1:") && stdout.contains("service.json"), "{stdout}");
    assert!(summary.contains("create ") && summary.contains("update ") && summary.contains("delete 8"), "{summary}");
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0, "nothing may be written to HOME");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "the temp workspace is removed on exit");
}

#[test]
fn printed_config_is_a_valid_adsync_config_while_the_demo_serves() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("adsync"))
        .args(["demo", "--serve", "--print-config", "--users", "50"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines().map(Result::unwrap);
    let text: Vec<String> = lines.take_while(|l| !l.starts_with("export LDAPTLS_CACERT")).collect();
    let config: String =
        text.iter().take_while(|l| !l.starts_with("# adsync demo directory")).map(|l| format!("{l}\n")).collect();
    assert!(config.contains("url = \"ldaps://127.0.0.1:") && config.contains("ca_file = "), "{config}");
    let (_dir, path) = write_config(&config);
    let check = Command::new(assert_cmd::cargo::cargo_bin("adsync"))
        .arg("--config")
        .arg(&path)
        .args(["config", "check"])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn ldif_export_is_deterministic_and_has_the_whole_company() {
    let ldif = |n: &str| {
        Command::new(assert_cmd::cargo::cargo_bin("adsync"))
            .args(["demo", "--ldif", "--users", n])
            .output()
            .unwrap()
            .stdout
    };
    let a = ldif("500");
    assert_eq!(a, ldif("500"));
    let text = String::from_utf8(a).unwrap();
    assert!(text.matches("\ndn: cn=").count() + text.matches("\ndn:: ").count() + 1 >= 500);
    assert!(text.contains("dn: cn=svc-sync,ou=Service Accounts,dc=example,dc=com"));
}

/// The generator is the lab's own: byte for byte the LDIF scripts/lab/gen-ldif.py writes.
#[test]
fn ldif_export_matches_the_lab_generator_byte_for_byte() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lab/gen-ldif.py");
    let python = Command::new("python3").arg(&script).args(["--users", "1000", "--memberof", "-o", "-"]).output();
    let Ok(python) = python else {
        assert!(std::env::var_os("ADSYNC_LAB").is_none(), "python3 missing under scripts/test.sh");
        return;
    };
    assert!(python.status.success());
    let ours = Command::new(assert_cmd::cargo::cargo_bin("adsync"))
        .args(["demo", "--ldif", "--users", "1000"])
        .output()
        .unwrap();
    let (theirs, ours) = (String::from_utf8(python.stdout).unwrap(), String::from_utf8(ours.stdout).unwrap());
    if theirs != ours {
        let diff = theirs.lines().zip(ours.lines()).enumerate().find(|(_, (a, b))| a != b);
        panic!("LDIF differs at {diff:?}");
    }
}
