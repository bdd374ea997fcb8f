//! A CSV source end to end through the binary: into the file target and into the loopback
//! fake of the service. Editing the file (add, rename, remove a row) gives exactly those
//! changes on the next plan; a changed primary address is a new person; a changed layout
//! blocks the run until --allow-shrink.

mod common;

use common::fake_service::{ADMIN, DOMAIN, FakeService, PASSWORD};
use common::{Outcome, run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

const FIRST: &str = "Ann,Lee,ann@example.com,,\nBo,Li,bo@example.com,,bo2@example.com\nCy,Ng,cy@example.com,,\n";
/// Dan added, Bo renamed (Bob), Cy removed.
const EDITED: &str = "Ann,Lee,ann@example.com,,\nBob,Li,bo@example.com,,bo2@example.com\nDan,Oh,dan@example.com,,\n";

struct Csv {
    dir: tempfile::TempDir,
    /// `[target]` lines.
    target: String,
    /// `[source]` lines after `path`.
    source_extra: String,
    /// The CSV file's name: HR exports carry their date in it.
    name: String,
}

impl Csv {
    fn new(target: String) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            target,
            source_extra: String::new(),
            name: "people-2026-12-04.csv".into(),
        }
    }

    fn to_file() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let service = dir.path().join("service.json");
        let target = format!("kind = \"file\"\npath = {:?}\n", service.display().to_string());
        Self { target, dir, source_extra: String::new(), name: "people-2026-12-04.csv".into() }
    }

    fn csv_path(&self) -> PathBuf {
        self.dir.path().join(&self.name)
    }

    fn write_csv(&self, text: &str) {
        std::fs::write(self.csv_path(), text).unwrap();
    }

    fn config(&self) -> PathBuf {
        let text = format!(
            "state_dir = {:?}\n[source]\nkind = \"csv\"\npath = {:?}\n{}\n[sync]\ndelete = true\n\
             [sync.guards]\nmax_delete_percent = 100.0\n\n[target]\n{}",
            self.dir.path().join("state").display().to_string(),
            self.csv_path().display().to_string(),
            self.source_extra,
            self.target,
        );
        let path = self.dir.path().join("adsync.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn adsync(&self, args: &[&str]) -> Outcome {
        let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
        cmd.env_remove("ADSYNC_CONFIG")
            .env("XDG_CONFIG_HOME", "/nonexistent-adsync-test")
            .env("ADSYNC_TEST_API_PW", PASSWORD)
            .arg("--config")
            .arg(self.config())
            .args(args);
        run(cmd)
    }

    fn json(&self, args: &[&str], code: i32) -> Value {
        let out = self.adsync(args);
        assert_eq!(out.code, code, "{args:?}\n{}\n{}", out.stdout, out.stderr);
        serde_json::from_str(out.stdout.lines().last().unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
    }
}

/// The plan's changes as "action email" lines, sorted.
fn changes(plan: &Value) -> BTreeSet<String> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["action"].as_str().unwrap(), c["email"].as_str().unwrap()))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn search_json_has_the_ldap_shape_with_the_csv_flavor() {
    let csv = Csv::to_file();
    csv.write_csv("Ann,Lee,Ann@Example.com,+1 555,ANN@example.com,a.lee@example.com,A.Lee@example.com\n");
    let out = csv.json(&["search", "--json"], 0);
    assert_eq!((out["complete"].as_bool(), out["flavor"].as_str()), (Some(true), Some("csv")));
    let ann = &out["entries"][0];
    assert_eq!(ann["dn"], "line 1");
    assert_eq!(ann["kind"], "user");
    assert_eq!(ann["enabled"], true);
    assert_eq!(ann["primary_email"], "ann@example.com");
    assert_eq!(ann["aliases"], serde_json::json!(["a.lee@example.com"]));
    let id = uuid::Uuid::parse_str(ann["id"].as_str().unwrap()).unwrap();
    assert_eq!(id, uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"mailto:ann@example.com"));
}

#[test]
fn a_bad_file_fails_the_read_naming_its_lines() {
    let csv = Csv::to_file();
    csv.write_csv("Ann,Lee,ann@example.com,,\nBo,Li,,,\nCy,Ng,ann@example.com,,\n");
    let out = csv.adsync(&["plan"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("line 2: no primary address"), "{}", out.stderr);
    assert!(
        out.stderr.contains("line 3: primary address ann@example.com is given twice (first on line 1)"),
        "{}",
        out.stderr
    );
}

#[test]
fn file_target_edits_become_exactly_those_changes() {
    let csv = Csv::to_file();
    csv.write_csv(FIRST);
    let applied = csv.json(&["sync", "--apply", "--json"], 0);
    assert_eq!(applied["applied"]["create"], 3, "{applied}");
    csv.write_csv(EDITED);
    let plan = csv.json(&["plan", "--json"], 0);
    assert_eq!(changes(&plan), set(&["create dan@example.com", "delete cy@example.com", "update bo@example.com"]));
    csv.json(&["sync", "--apply", "--json"], 0);
    assert!(changes(&csv.json(&["plan", "--json"], 0)).is_empty());
}

#[test]
fn service_edits_become_exactly_those_writes() {
    let fake = FakeService::start();
    let target = format!(
        "kind = \"essentials\"\napi_url = \"{}\"\ndomain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\npassword_env = \"ADSYNC_TEST_API_PW\"\n",
        fake.base_url()
    );
    let csv = Csv::new(target);
    csv.write_csv(FIRST);
    csv.json(&["sync", "--apply", "--json"], 0);
    let created: BTreeSet<String> =
        fake.users(DOMAIN).iter().map(|u| u["primary_email"].as_str().unwrap().into()).collect();
    assert_eq!(created, set(&["ann@example.com", "bo@example.com", "cy@example.com"]));
    csv.write_csv(EDITED);
    fake.clear_requests();
    csv.json(&["sync", "--apply", "--json"], 0);
    let writes: BTreeSet<String> =
        fake.requests().into_iter().filter(|r| r.method != "GET").map(|r| r.line()).collect();
    let users = format!("/api/v1/orgs/{DOMAIN}/users");
    assert_eq!(
        writes,
        set(&[
            &format!("POST {users}"),
            &format!("PUT {users}/bo@example.com"),
            &format!("DELETE {users}/cy@example.com"),
        ]),
    );
    let bo = fake.users(DOMAIN).into_iter().find(|u| u["primary_email"] == "bo@example.com").unwrap();
    assert_eq!(bo["firstname"], "Bob");
}

#[test]
fn a_changed_primary_address_is_a_new_person() {
    let csv = Csv::to_file();
    csv.write_csv(FIRST);
    csv.json(&["sync", "--apply", "--json"], 0);
    csv.write_csv(&FIRST.replace("cy@example.com", "cy.ng@example.com"));
    let plan = csv.json(&["plan", "--json"], 0);
    assert_eq!(changes(&plan), set(&["create cy.ng@example.com", "delete cy@example.com"]));
}

#[test]
fn a_new_file_name_keeps_the_baseline_and_a_new_layout_needs_allow_shrink() {
    let mut csv = Csv::to_file();
    csv.write_csv(FIRST);
    csv.json(&["sync", "--apply", "--json"], 0);
    // Another export, another date in its name: the same source.
    csv.name = "people-2026-12-05.csv".into();
    csv.write_csv(FIRST);
    assert_eq!(csv.json(&["plan", "--json"], 0)["guards"]["ok"], true);
    csv.write_csv(&format!(
        "First,Last,Mail\n{}",
        "Ann,Lee,ann@example.com\nBo,Li,bo@example.com\nCy,Ng,cy@example.com\n"
    ));
    csv.source_extra =
        "layout = \"header\"\n[source.columns]\nfirst_name = \"First\"\nlast_name = \"Last\"\nemail = \"Mail\"\n"
            .into();
    let blocked = csv.json(&["sync", "--apply", "--json"], 3);
    let block = &blocked["guards"]["blocks"][0];
    assert_eq!(block["guard"], "source_changed", "{blocked}");
    assert_eq!(
        (block["before"]["layout"].as_str(), block["now"]["layout"].as_str()),
        (Some("service"), Some("header"))
    );
    csv.json(&["sync", "--apply", "--allow-shrink", "--json"], 0);
    assert_eq!(csv.json(&["plan", "--json"], 0)["guards"]["ok"], true);
}

#[test]
fn check_climbs_the_csv_ladder_in_the_ladders_json_shape() {
    let csv = Csv::to_file();
    csv.write_csv("Ann,Lee,ann@example.com,,\nBo,Li,,,\n");
    let ladder = csv.json(&["check", "--json"], 1);
    assert_eq!((ladder["ok"].as_bool(), ladder["source_kind"].as_str()), (Some(false), Some("csv")));
    let steps: Vec<(&str, &str)> = ladder["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("file", "ok"), ("encoding", "ok"), ("rows", "fail")]);
    assert_eq!(ladder["steps"][2]["evidence"]["line 2"], "no primary address", "{ladder}");
    csv.write_csv("Ann,Lee,ann@example.com,,\n");
    let ladder = csv.json(&["check", "--json"], 0);
    assert_eq!(ladder["steps"][2]["evidence"]["rows"], "1");
}

/// The same rule for a change of kind: the last good run read an LDAP directory.
#[test]
fn a_first_csv_run_after_an_ldap_source_needs_allow_shrink() {
    let csv = Csv::to_file();
    csv.write_csv(FIRST);
    let state = csv.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let last_good = serde_json::json!({"last_good": {
        "at": "2026-12-01T00:00:00Z", "directory_objects": 3, "users": 3,
        "source": {"kind": "ldap", "url": "ldaps://dc1.example.com:636", "base_dn": "dc=example,dc=com"}
    }});
    std::fs::write(state.join("managed.json"), last_good.to_string()).unwrap();
    let plan = csv.json(&["plan", "--json"], 3);
    let block = &plan["guards"]["blocks"][0];
    assert_eq!((block["guard"].as_str(), block["before"]["kind"].as_str()), (Some("source_changed"), Some("ldap")));
    assert!(block["message"].as_str().unwrap().contains("LDAP ldaps://dc1.example.com:636"), "{block}");
    csv.json(&["sync", "--apply", "--allow-shrink", "--json"], 0);
    assert_eq!(csv.json(&["plan", "--json"], 0)["guards"]["ok"], true);
}
