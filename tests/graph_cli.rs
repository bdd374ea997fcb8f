//! The adsync binary on a graph source (the look-alike): `search --json` keeps its shape
//! with flavor `entra-id`, a wrong secret exits 1 in words and never shows the secret, the
//! check ladder, and a failed page makes a sync write nothing (the service fake watches).

mod common;

use adsync::demo::graph::{CLIENT_SECRET, Fault, FaultRule};
use common::connect_proxy::ConnectProxy;
use common::fake_service::{ADMIN, DOMAIN, FakeService, PASSWORD};
use common::graph::{GraphLab, SECRET_ENV};
use common::{Outcome, run};
use serde_json::Value;
use std::path::Path;

fn adsync(config: &Path, secret: &str, args: &[&str]) -> Outcome {
    adsync_with(config, secret, &[], args)
}

/// adsync with `env` set (and no proxy from the test's own environment).
fn adsync_with(config: &Path, secret: &str, env: &[(&str, &str)], args: &[&str]) -> Outcome {
    let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
    cmd.env_remove("ADSYNC_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
        .env(SECRET_ENV, secret)
        .env("ADSYNC_TEST_API_PW", PASSWORD);
    for name in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied()).arg("--config").arg(config).args(args);
    run(cmd)
}

fn json(out: &Outcome) -> Value {
    serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr))
}

#[test]
fn search_json_has_the_ldap_shape_with_flavor_entra_id() {
    let lab = GraphLab::company(300);
    let out = adsync(&lab.config_file(""), CLIENT_SECRET, &["search", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    common::contract::assert_search_json_shape(&doc);
    assert_eq!((doc["complete"].as_bool(), doc["flavor"].as_str()), (Some(true), Some("entra-id")));
    assert!(doc["entries"].as_array().unwrap().iter().all(|e| e["hidden"] == false));
    let reasons: Vec<&str> = doc["skipped"].as_array().unwrap().iter().filter_map(|s| s["reason"].as_str()).collect();
    assert!(reasons.contains(&"guest") && reasons.contains(&"disabled"), "{reasons:?}");
}

#[test]
fn a_wrong_secret_exits_1_in_words_and_the_secret_is_in_no_output() {
    let lab = GraphLab::company(50);
    let config = lab.config_file("");
    let wrong = "Wr0ng-Client-Secret-Text-4471";
    let runs = [
        adsync(&config, wrong, &["search"]),
        adsync(&config, wrong, &["-vv", "search", "--json"]),
        adsync(&config, wrong, &["-vv", "sync", "--apply"]),
        adsync(&config, wrong, &["check"]),
        adsync(&config, wrong, &["-v", "check", "--json"]),
        adsync(&config, wrong, &["config", "check"]),
    ];
    for (k, out) in runs.iter().enumerate() {
        for secret in [wrong, CLIENT_SECRET] {
            assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret), "run {k} shows a secret");
        }
        assert!(!out.stderr.contains("panicked"), "run {k}: {}", out.stderr);
    }
    assert_eq!(runs[0].code, 1);
    assert!(runs[0].stderr.contains("the client secret is wrong (AADSTS7000215). Fix:"), "{}", runs[0].stderr);
    assert_eq!(runs[3].code, 1);
    assert!(runs[3].stdout.contains("the client secret is wrong (AADSTS7000215)"), "{}", runs[3].stdout);
    let check = json(&runs[4]);
    assert_eq!(check["steps"][3]["id"], "token");
    assert_eq!(check["steps"][3]["status"], "fail");
    assert_eq!(runs[5].code, 0);
    assert!(runs[5].stdout.contains(&format!("client secret: env {SECRET_ENV}")), "{}", runs[5].stdout);
}

#[test]
fn the_check_ladder_climbs_both_hosts_and_names_a_missing_permission() {
    let lab = GraphLab::company(100);
    let config = lab.config_file("detect_shared_mailboxes = true\n");
    let out = adsync(&config, CLIENT_SECRET, &["check", "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let ladder = json(&out);
    assert_eq!(ladder["source_kind"], "graph");
    let ids: Vec<&str> = ladder["steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "authority_dns",
            "authority_tcp",
            "authority_tls",
            "token",
            "graph_dns",
            "graph_tcp",
            "graph_tls",
            "permissions",
            "first_page"
        ]
    );
    assert!(ladder["steps"].as_array().unwrap().iter().all(|s| s["status"] == "ok"), "{ladder}");
    assert_eq!(ladder["steps"][6]["evidence"]["trusted by source.ca_file"], "yes");
    assert_eq!(ladder["steps"][7]["evidence"]["MailboxSettings.Read"], "yes");

    lab.lookalike.state.granted.lock().unwrap().retain(|p| *p != "MailboxSettings.Read" && *p != "User.Read.All");
    let out = adsync(&config, CLIENT_SECRET, &["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("FAIL  Permissions"), "{}", out.stdout);
    assert!(out.stdout.contains("the app lacks User.Read.All and MailboxSettings.Read"), "{}", out.stdout);
    assert!(out.stdout.contains("Grant admin consent"), "{}", out.stdout);
    assert!(out.stdout.contains("skip  First page"), "{}", out.stdout);
}

#[test]
fn an_untrusted_certificate_fails_tls_with_the_chain_shown() {
    let lab = GraphLab::company(20);
    let text = std::fs::read_to_string(lab.config_file("")).unwrap();
    let config = lab.dir.path().join("no-ca.toml");
    std::fs::write(&config, text.lines().filter(|l| !l.starts_with("ca_file")).collect::<Vec<_>>().join("\n")).unwrap();
    let out = adsync(&config, CLIENT_SECRET, &["check", "--json"]);
    assert_eq!(out.code, 1);
    let ladder = json(&out);
    let tls = &ladder["steps"][2];
    assert_eq!((tls["id"].as_str(), tls["status"].as_str()), (Some("authority_tls"), Some("fail")));
    assert!(tls["fix"].as_str().unwrap().contains("source.ca_file"), "{tls}");
    assert!(tls["evidence"]["certificate issuer"].as_str().unwrap().contains("adsync demo CA"), "{tls}");
    let search = adsync(&config, CLIENT_SECRET, &["search"]);
    assert_eq!(search.code, 1);
    assert!(search.stderr.contains("source.ca_file"), "{}", search.stderr);
}

/// The look-alike as the source, the service fake as the target.
fn sync_config(lab: &GraphLab, fake: &FakeService) -> std::path::PathBuf {
    let source = std::fs::read_to_string(lab.config_file("")).unwrap();
    let text = format!(
        "{source}\n[sync]\ndelete = true\n\n[target]\nkind = \"essentials\"\napi_url = \"{}\"\ndomain = \"{DOMAIN}\"\n\
         user = \"{ADMIN}\"\npassword_env = \"ADSYNC_TEST_API_PW\"\nrequest_timeout = \"5s\"\n",
        fake.base_url()
    );
    let path = lab.dir.path().join("sync.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn writes(fake: &FakeService) -> Vec<String> {
    fake.requests().into_iter().filter(|r| r.method != "GET").map(|r| r.line()).collect()
}

#[test]
fn a_cut_connection_or_a_500_on_page_3_writes_nothing() {
    for fault in [Fault::Cut, Fault::ServerError] {
        let lab = GraphLab::company(3000);
        let fake = FakeService::start();
        let config = sync_config(&lab, &fake);
        lab.lookalike.arm(FaultRule::new("/v1.0/users", 3, fault.clone()));
        let out = adsync(&config, CLIENT_SECRET, &["sync", "--apply"]);
        assert_eq!(out.code, 1, "{fault:?}: {}\n{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("nothing was used from this read"), "{fault:?}: {}", out.stderr);
        assert!(writes(&fake).is_empty(), "{fault:?}: {:?}", writes(&fake));

        let plan = adsync(&config, CLIENT_SECRET, &["plan", "--json"]);
        let creates = json(&plan)["counts"]["create"].as_u64().unwrap() as usize;
        assert!(creates > 2000, "{creates}");
        let out = adsync(&config, CLIENT_SECRET, &["sync", "--apply"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(writes(&fake).len(), creates, "the run after the fault creates everyone");
    }
}

#[test]
fn the_demo_runs_on_the_graph_look_alike() {
    let out = run({
        let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
        cmd.env_remove("ADSYNC_CONFIG").args(["demo", "--source", "graph", "--users", "300"]);
        cmd
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("Plan: Entra ID tenant example.onmicrosoft.com via https://127.0.0.1:"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("delete 8"), "{}", out.stdout);
}

#[test]
fn every_read_after_the_first_asks_only_for_changes() {
    let lab = GraphLab::company(200);
    let config = lab.config_file("");
    let first = adsync(&config, CLIENT_SECRET, &["-v", "search"]);
    assert!(first.stderr.contains("kind=Full(NoSnapshot)"), "{}", first.stderr);
    for args in [&["-v", "search", "--json"][..], &["-v", "export", "csv"][..]] {
        let out = adsync(&config, CLIENT_SECRET, args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("kind=Delta requests=3 changes=0"), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn https_proxy_is_used_and_no_proxy_is_honoured() {
    let lab = GraphLab::company(50);
    let config = lab.config_file("");
    let proxy = ConnectProxy::start();
    let through = [("HTTPS_PROXY", proxy.url())];
    let env: Vec<(&str, &str)> = through.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = adsync_with(&config, CLIENT_SECRET, &env, &["search", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tunnels = proxy.tunnels();
    assert!(tunnels >= 1, "the read went through the proxy");

    let out = adsync_with(&config, CLIENT_SECRET, &env, &["check", "--json"]);
    let ladder = json(&out);
    assert_eq!(ladder["steps"][0]["status"], "skipped", "{ladder}");
    assert!(ladder["steps"][0]["summary"].as_str().unwrap().contains("through the proxy 127.0.0.1"), "{ladder}");
    assert_eq!((ladder["ok"].as_bool(), ladder["steps"][3]["status"].as_str()), (Some(true), Some("ok")));

    let around: Vec<(&str, &str)> = vec![env[0], ("NO_PROXY", "127.0.0.1")];
    let before = proxy.tunnels();
    let out = adsync_with(&config, CLIENT_SECRET, &around, &["search", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(proxy.tunnels(), before, "NO_PROXY hosts are reached directly");
}
