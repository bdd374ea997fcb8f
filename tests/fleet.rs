//! A service provider's fleet: organisations as files in `orgs.d` (or `--orgs DIR`), `--org`,
//! `adsync orgs list`, `adsync schedule --all` against the real slapd and a CSV file with file targets, and
//! the partner's shared credentials and `adsync orgs discover` against the fake service.

mod common;

use common::fake_service::FakeService;
use common::{Lab, Outcome, run};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A fleet in a temp dir: `adsync.toml` (the main config) and `orgs.d/`.
struct Fleet {
    dir: tempfile::TempDir,
}

impl Fleet {
    fn new(main: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("orgs.d")).unwrap();
        let fleet = Self { dir };
        let main = format!("state_dir = \"{}\"\n{main}", fleet.state().display());
        std::fs::write(fleet.main(), main).unwrap();
        fleet
    }

    fn main(&self) -> PathBuf {
        self.dir.path().join("adsync.toml")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn orgs_dir(&self) -> PathBuf {
        self.dir.path().join("orgs.d")
    }

    fn org(&self, name: &str, text: &str) {
        std::fs::write(self.orgs_dir().join(format!("{name}.toml")), text).unwrap();
    }

    /// The file target of organisation `name`.
    fn service_file(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}-service.json"))
    }

    fn adsync(&self, args: &[&str]) -> Outcome {
        let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
        cmd.env_remove("ADSYNC_CONFIG")
            .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
            .env("ADSYNC_TEST_WRONG_PW", "not-the-password")
            .arg("--config")
            .arg(self.main())
            .args(args);
        if let Ok(password) = std::env::var("SLAPD_BIND_PW") {
            cmd.env("ADSYNC_TEST_BIND_PW", password);
        }
        run(cmd)
    }

    fn list(&self) -> Vec<Value> {
        let out = self.adsync(&["orgs", "list", "--json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        serde_json::from_str::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
    }
}

/// An organisation on the file target `service`, reading nothing it could reach.
fn offline_org(service: &Path) -> String {
    format!(
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"DC=x\"\n\n[target]\nkind = \"file\"\npath = \"{}\"\n",
        service.display()
    )
}

fn row<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no {name} in {rows:?}"))
}

#[test]
fn every_file_in_orgs_d_is_an_organisation_with_a_state_dir_of_its_own() {
    let fleet = Fleet::new("[fleet]\nmax_parallel = 3\n");
    fleet.org("alpha", &offline_org(&fleet.service_file("alpha")));
    fleet.org("beta", &format!("enabled = false\n{}", offline_org(&fleet.service_file("beta"))));
    fleet.org("broken", "[source]\nkind = \"ldap\"\nurl = \"ftp://x\"\nbase_dn = \"DC=x\"\n");
    std::fs::write(fleet.orgs_dir().join("notes.txt"), "not an organisation").unwrap();

    let rows = fleet.list();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "beta", "broken"]);
    assert_eq!(row(&rows, "alpha")["state"], "never_run");
    assert_eq!(row(&rows, "alpha")["source_kind"], "ldap");
    assert_eq!(row(&rows, "beta")["state"], "disabled");
    let broken = row(&rows, "broken");
    assert_eq!(broken["state"], "config_error");
    assert!(broken["error"].as_str().unwrap().contains("source.url"), "{broken}");

    let out = fleet.adsync(&["config", "check"]);
    assert_eq!(out.code, 2, "a fleet with a broken file fails config check: {}", out.stdout);
    assert!(out.stdout.contains("alpha") && out.stdout.contains("ERROR"), "{}", out.stdout);

    let out = fleet.adsync(&["--org", "alpha", "config", "check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = fleet.adsync(&["--org", "alpha", "history", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = fleet.adsync(&["orgs", "list"]).stdout;
    assert!(text.lines().next().unwrap().starts_with("ORG") && text.contains("never"), "{text}");
}

#[test]
fn a_command_for_one_organisation_needs_its_name_when_there_are_several() {
    let fleet = Fleet::new("");
    fleet.org("alpha", &offline_org(&fleet.service_file("alpha")));
    fleet.org("beta", &offline_org(&fleet.service_file("beta")));
    let out = fleet.adsync(&["plan"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("2 organisations") && out.stderr.contains("--org NAME (alpha, beta)"),
        "{}",
        out.stderr
    );
    let out = fleet.adsync(&["--org", "gamma", "plan"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no organisation gamma") && out.stderr.contains("alpha, beta"), "{}", out.stderr);
}

#[test]
fn two_organisations_on_one_state_dir_is_a_config_error() {
    let fleet = Fleet::new("");
    let shared = fleet.dir.path().join("shared-state");
    for name in ["alpha", "beta"] {
        let text = format!("state_dir = \"{}/./\"\n{}", shared.display(), offline_org(&fleet.service_file(name)));
        fleet.org(name, &text);
    }
    let out = fleet.adsync(&["orgs", "list"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("organisations alpha and beta share the state dir"), "{}", out.stderr);
}

#[test]
fn beside_orgs_d_the_main_config_holds_only_what_the_organisations_share() {
    let fleet = Fleet::new("");
    fleet.org("alpha", &offline_org(&fleet.service_file("alpha")));
    let main = std::fs::read_to_string(fleet.main()).unwrap();
    std::fs::write(
        fleet.main(),
        format!("{main}\n[source]\nkind = \"ldap\"\nurl = \"ldap://x\"\nbase_dn = \"DC=x\"\n"),
    )
    .unwrap();
    let out = fleet.adsync(&["orgs", "list"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("holds only [partner], [fleet], [notify]"), "{}", out.stderr);
    std::fs::write(fleet.main(), format!("{main}\n[fleet]\nmax_parallel = 0\n")).unwrap();
    let out = fleet.adsync(&["orgs", "list"]);
    assert!(out.code == 2 && out.stderr.contains("fleet.max_parallel"), "{}", out.stderr);
}

#[test]
fn orgs_dir_on_the_command_line_needs_no_main_config() {
    let dir = tempfile::tempdir().unwrap();
    let orgs = dir.path().join("customers");
    std::fs::create_dir(&orgs).unwrap();
    std::fs::write(orgs.join("solo.toml"), offline_org(&dir.path().join("solo.json"))).unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
    cmd.env_remove("ADSYNC_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
        .env("XDG_STATE_HOME", dir.path().join("xdg-state"))
        .arg("--orgs")
        .arg(&orgs)
        .args(["orgs", "list", "--json"]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "solo");
}

/// An organisation on `base` of the lab slapd, syncing into its own file every hour.
fn lab_org(lab: &Lab, base: &str, password_env: &str, service: &Path) -> String {
    format!(
        "[source]\nkind = \"ldap\"\nurl = \"{}\"\nca_file = \"{}\"\nbind_dn = \"{}\"\npassword_env = \"{password_env}\"\n\
         base_dn = \"{base}\"\n\n[sync]\nfrequency = \"1h\"\nauto_apply = true\n\n\
         [target]\nkind = \"file\"\npath = \"{}\"\n",
        lab.ldaps_uri,
        lab.cacert,
        lab.bind_dn,
        service.display()
    )
}

/// An organisation whose people are a CSV file in the service's import layout.
fn csv_org(fleet: &Fleet, name: &str, rows: usize) -> String {
    let people = fleet.dir.path().join(format!("{name}.csv"));
    let text: String = (0..rows).map(|i| format!("Con{i},Tractor,con{i}@contractors.example.com,,\n")).collect();
    std::fs::write(&people, text).unwrap();
    format!(
        "[source]\nkind = \"csv\"\npath = \"{}\"\n\n[sync]\nfrequency = \"1h\"\nauto_apply = true\n\n\
         [target]\nkind = \"file\"\npath = \"{}\"\n",
        people.display(),
        fleet.service_file(name).display()
    )
}

fn service_emails(path: &Path) -> usize {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["users"].as_array().unwrap().len()
}

fn history(state: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(state.join("history.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Two slapd bases, a CSV file, one with a wrong bind password and one its shrink guard
/// blocks, one at a time: the failed and the blocked hold up no other.
#[test]
fn schedule_all_syncs_every_organisation_and_reports_the_one_that_fails() {
    let Some(lab) = common::slapd() else { return };
    // One at a time, so the test also sees the bound: no two runs overlap.
    let fleet = Fleet::new("[fleet]\nmax_parallel = 1\n");
    let people = |ou: &str| format!("ou={ou},ou=People,{}", lab.base_dn);
    fleet.org("finance", &lab_org(&lab, &people("Finance"), "ADSYNC_TEST_BIND_PW", &fleet.service_file("finance")));
    fleet.org("sales", &lab_org(&lab, &people("Sales"), "ADSYNC_TEST_BIND_PW", &fleet.service_file("sales")));
    fleet.org("support", &lab_org(&lab, &people("Support"), "ADSYNC_TEST_WRONG_PW", &fleet.service_file("support")));
    fleet.org("contractors", &csv_org(&fleet, "contractors", 40));
    // Synced once with 40 rows, now 10: its shrink guard blocks it.
    fleet.org("archive", &csv_org(&fleet, "archive", 40).replace("[sync]\n", "[sync]\ndelete = true\n"));
    let first = fleet.adsync(&["--org", "archive", "sync", "--apply"]);
    assert_eq!((first.code, service_emails(&fleet.service_file("archive"))), (0, 40), "{}", first.stderr);
    let rows: String = (0..10).map(|i| format!("Con{i},Tractor,con{i}@contractors.example.com,,\n")).collect();
    std::fs::write(fleet.dir.path().join("archive.csv"), rows).unwrap();

    let out = fleet.adsync(&["schedule", "--all", "--now", "--runs", "1"]);
    assert_eq!(out.code, 1, "the worst run failed:\n{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("scheduling 5 of 5 organisations, at most 1 at a time"), "{}", out.stdout);
    let blocked = out.stdout.lines().find(|l| l.contains("[archive] run 1: ")).expect(&out.stdout);
    assert!(blocked.contains("blocked, nothing applied"), "{blocked}");
    assert_eq!(service_emails(&fleet.service_file("archive")), 40, "nothing was applied for the blocked one");
    for (good, least) in [("finance", 1000), ("sales", 1000), ("contractors", 40)] {
        let line = out.stdout.lines().find(|l| l.contains(&format!("[{good}] run 1: "))).expect(&out.stdout);
        let synced = service_emails(&fleet.service_file(good));
        assert!(synced >= least && line.contains(&format!("applied {synced}, failed 0")), "{line}");
    }
    assert_eq!(service_emails(&fleet.service_file("contractors")), 40, "every row and nothing else");
    let bad = out.stdout.lines().find(|l| l.contains("[support] run 1: ")).expect(&out.stdout);
    assert!(bad.contains("failed") && !bad.contains("not-the-password"), "{bad}");
    assert!(!fleet.service_file("support").exists(), "nothing was written for the failed organisation");

    let rows = fleet.list();
    assert_eq!(
        (row(&rows, "finance")["state"].as_str(), row(&rows, "sales")["state"].as_str()),
        (Some("ok"), Some("ok"))
    );
    assert_eq!(row(&rows, "sales")["last_run"]["outcome"], "applied");
    assert_eq!(row(&rows, "sales")["pending"], 0);
    assert_eq!(row(&rows, "contractors")["state"], "ok");
    assert_eq!(row(&rows, "contractors")["source_kind"], "csv", "{rows:?}");
    assert_eq!(row(&rows, "support")["state"], "failed");
    assert_eq!(row(&rows, "support")["last_run"]["outcome"], "failed");
    assert_eq!(row(&rows, "archive")["state"], "blocked");

    let mut spans = Vec::new();
    for name in ["archive", "finance", "sales", "support", "contractors"] {
        let records = history(&fleet.state().join("orgs").join(name));
        assert!(!records.is_empty(), "{name}: its runs are in its own state dir");
        assert!(records.iter().all(|r| r["org"] == name), "the history names the organisation: {records:?}");
        // The schedule's runs (the archive's first sync was by hand, before the schedule).
        let scheduled: Vec<&Value> = records.iter().filter(|r| r["trigger"] == "schedule").collect();
        let (first, last) = (scheduled[0], scheduled[scheduled.len() - 1]);
        spans.push((first["started"].as_str().unwrap().to_string(), last["ended"].as_str().unwrap().to_string()));
    }
    spans.sort();
    let stamp = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    assert!(spans.windows(2).all(|w| stamp(&w[0].1) <= stamp(&w[1].0)), "runs overlapped: {spans:?}");
}

/// The partner `msp.example` with two customers in the fake service.
fn partner_fake() -> FakeService {
    let fake = FakeService::start();
    let children = vec![
        json!({"primary_domain": "acme.example", "name": "ACME Ltd", "is_active": true, "user_licenses": 50}),
        json!({"primary_domain": "bolt.example", "name": "Bolt", "is_active": true,
               "ldap_url": "ldaps://dc1.bolt.example:636", "ldap_basedn": "DC=bolt,DC=example"}),
    ];
    fake.add_partner("msp.example", "tech@msp.example", "partner-Pa55", children);
    fake
}

fn partner_fleet(fake: &FakeService) -> Fleet {
    let fleet = Fleet::new("");
    let secret = fleet.dir.path().join("partner-password");
    std::fs::write(&secret, "partner-Pa55\n").unwrap();
    let main = std::fs::read_to_string(fleet.main()).unwrap();
    let partner = format!(
        "[partner]\ndomain = \"msp.example\"\napi_url = \"{}\"\nuser = \"tech@msp.example\"\npassword_file = \"{}\"\n",
        fake.base_url(),
        secret.display()
    );
    std::fs::write(fleet.main(), format!("{main}{partner}")).unwrap();
    fleet
}

#[test]
fn discover_writes_a_skeleton_for_each_customer_without_a_config_and_never_overwrites() {
    let fake = partner_fake();
    let fleet = partner_fleet(&fake);
    // A provider's first discover: the main config has [partner] and there is no orgs.d yet.
    std::fs::remove_dir(fleet.orgs_dir()).unwrap();
    let out = fleet.adsync(&["orgs", "discover"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("2 organisations of msp.example: 2 new skeletons"), "{}", out.stdout);
    assert!(out.stderr.contains("partner.password"), "a password file others can read is warned about: {}", out.stderr);
    let acme = fleet.orgs_dir().join("acme.example.toml");
    let written = std::fs::read_to_string(&acme).unwrap();
    assert!(written.contains("enabled = false") && written.contains("credentials = \"partner\""), "{written}");
    let bolt = std::fs::read_to_string(fleet.orgs_dir().join("bolt.example.toml")).unwrap();
    assert!(bolt.contains("url = \"ldaps://dc1.bolt.example:636\""), "{bolt}");

    let rows = fleet.list();
    assert!(rows.iter().all(|r| r["state"] == "disabled"), "{rows:?}");
    assert!(!serde_json::to_string(&rows).unwrap().contains("partner-Pa55"));
    let out = fleet.adsync(&["schedule", "--all", "--now", "--runs", "1"]);
    assert_eq!(out.code, 2, "nothing to schedule while every skeleton is disabled: {}", out.stdout);

    std::fs::write(&acme, format!("# filled in by hand\n{written}")).unwrap();
    let out = fleet.adsync(&["orgs", "discover"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("0 new skeletons") && out.stdout.contains("2 had a config already"), "{}", out.stdout);
    assert!(std::fs::read_to_string(&acme).unwrap().starts_with("# filled in by hand"));
    assert!(!out.stdout.contains("partner-Pa55") && !out.stderr.contains("partner-Pa55"));
}

#[test]
fn an_organisation_signs_in_with_the_partner_s_credentials() {
    let fake = partner_fake();
    let fleet = partner_fleet(&fake);
    fleet.org(
        "acme",
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"DC=acme\"\n\n\
         [target]\nkind = \"essentials\"\ndomain = \"acme.example\"\ncredentials = \"partner\"\n",
    );
    let out = fleet.adsync(&["--org", "acme", "check", "--target", "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let users = fake.requests().into_iter().filter(|r| r.line().contains("/orgs/acme.example/users")).count();
    assert!(users > 0, "the organisation's users were listed: {:?}", fake.request_lines());

    fleet.org(
        "mixed",
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"DC=m\"\n\n\
         [target]\nkind = \"essentials\"\ndomain = \"m.example\"\ncredentials = \"partner\"\nuser = \"x@m.example\"\n",
    );
    let out = fleet.adsync(&["--org", "mixed", "config", "check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("target.user") && out.stderr.contains("signs in as the partner admin"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_documented_fleet_example_is_a_valid_fleet_naming_every_key() {
    let main = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/fleet/adsync.toml");
    let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
    cmd.env_remove("ADSYNC_CONFIG").env("XDG_CONFIG_HOME", "/nonexistent-adsync-test").arg("--config").arg(&main);
    cmd.args(["config", "check"]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("acme.example.com") && out.stdout.contains("ok"), "{}", out.stdout);
    let text = std::fs::read_to_string(&main).unwrap();
    for key in ["state_dir", "[partner]", "domain", "stack", "api_url", "user", "password_env", "password_file"] {
        assert!(text.contains(key), "{key} is not documented in {}", main.display());
    }
    assert!(text.contains("password_command") && text.contains("max_parallel") && text.contains("[notify]"));
}

#[test]
fn sigterm_stops_every_organisation_s_schedule() {
    use std::io::{BufRead, BufReader};
    let fleet = Fleet::new("");
    for name in ["alpha", "beta"] {
        let text =
            offline_org(&fleet.service_file(name)).replace("[target]", "[sync]\nfrequency = \"24h\"\n\n[target]");
        fleet.org(name, &text);
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("adsync"))
        .env_remove("ADSYNC_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
        .arg("--config")
        .arg(fleet.main())
        .args(["schedule", "--all"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).for_each(|l| drop(sender.send(l))));
    let mut seen = Vec::new();
    while seen.iter().filter(|l: &&String| l.contains("] next run at ")).count() < 2 {
        seen.push(lines.recv_timeout(std::time::Duration::from_secs(30)).expect("each schedule says its next run"));
    }
    assert!(std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "still running 10 s after SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "a stop is not a failure: {seen:?}");
    // The process is gone, so its stdout ends and the reader's sender with it.
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|l| l.ends_with("schedule stopped")), "{seen:?} {rest:?}");
}

#[test]
fn the_main_config_s_notify_tells_of_each_organisation_by_name() {
    let hooks = common::receivers::WebhookReceiver::start();
    let fleet = Fleet::new("[notify]\non = [\"failed\"]\nwebhook_url_env = \"ADSYNC_TEST_HOOK\"\n");
    for name in ["alpha", "beta"] {
        let text = offline_org(&fleet.service_file(name)).replace("[target]", "[sync]\nfrequency = \"1h\"\n\n[target]");
        fleet.org(name, &text);
    }
    fleet.org("gamma", "[source]\nkind = \"ldap\"\nurl = \"ftp://x\"\nbase_dn = \"DC=x\"\n");
    let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
    cmd.env_remove("ADSYNC_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
        .env("ADSYNC_TEST_HOOK", format!("http://127.0.0.1:{}/hook", hooks.port))
        .arg("--config")
        .arg(fleet.main())
        .args(["schedule", "--all", "--now", "--runs", "1"]);
    let out = run(cmd);
    assert_eq!(out.code, 1, "both directories are unreachable: {}", out.stdout);
    assert!(
        out.stdout.contains("[gamma] not scheduled: ") && out.stdout.contains("scheduling 2 of 3"),
        "{}",
        out.stdout
    );
    let mut told: Vec<String> =
        hooks.hooks().iter().map(|h| h.body["org"].as_str().unwrap_or("-").to_string()).collect();
    told.sort();
    assert_eq!(told, ["alpha", "beta"], "one failure each, named: {:?}", hooks.hooks());
}
