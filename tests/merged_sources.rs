//! One organisation drawing from two sources: the lab's slapd (one OU) and a CSV file of
//! contractors, merged by primary address into the file target. An address in both is a
//! conflict named on both; with `priority` the larger wins and the other is reported; an
//! unreachable source fails the run with nothing written; each source has its own shrink
//! guard; `check` climbs every source's ladder.

mod common;

use adsync::config::Config;
use common::{Lab, Outcome, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONTRACTORS: &str = "contractors";
const HQ: &str = "hq";

/// A person of `ou=Support` in the lab's truth file whom a search syncs.
fn shared_person(lab: &Lab) -> (String, String) {
    let truth = std::fs::read_to_string(lab.truth.as_ref().expect("the lab's truth file")).unwrap();
    let synced = |p: &Value| {
        p["dn"].as_str().unwrap().contains("ou=Support,ou=People")
            && p["cls"] == "user"
            && p["mailbox"] == true
            && p["disabled"] == false
            && p["hidden"] == false
            && p["conflict"] == false
            && p["rtd"].is_null()
            && p["aliases"].as_array().is_some_and(Vec::is_empty)
    };
    let person = truth.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).find(synced).expect("a Support user");
    (person["primary"].as_str().unwrap().to_string(), person["dn"].as_str().unwrap().to_string())
}

struct Org {
    dir: tempfile::TempDir,
    lab_url: String,
    lab: Lab,
    /// Lines after the contractors' `path` (their own `[source.exclude]`, say).
    contractors_extra: String,
}

impl Org {
    fn new(lab: Lab) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            lab_url: lab.ldaps_uri.clone(),
            lab,
            contractors_extra: String::new(),
        }
    }

    fn csv_path(&self) -> PathBuf {
        self.dir.path().join("contractors.csv")
    }

    fn service(&self) -> PathBuf {
        self.dir.path().join("service.json")
    }

    fn write_csv(&self, rows: &[String]) {
        std::fs::write(self.csv_path(), rows.join("\n") + "\n").unwrap();
    }

    /// Two `[[source]]`s with the given priorities (`None`: the key left out).
    fn config(&self, hq: Option<i64>, contractors: Option<i64>) -> PathBuf {
        let priority = |p: Option<i64>| p.map(|p| format!("priority = {p}\n")).unwrap_or_default();
        let text = format!(
            "state_dir = {state:?}\n\n\
             [[source]]\nname = \"{HQ}\"\n{hq}kind = \"ldap\"\nurl = \"{url}\"\nca_file = \"{ca}\"\nbind_dn = \"{bind}\"\n\
             password_env = \"ADSYNC_TEST_BIND_PW\"\nbase_dn = \"ou=Support,ou=People,{base}\"\n\n\
             [[source]]\nname = \"{CONTRACTORS}\"\n{contractors}kind = \"csv\"\npath = {csv:?}\n{extra}\n\
             [target]\nkind = \"file\"\npath = {service:?}\n",
            state = self.dir.path().join("state").display().to_string(),
            hq = priority(hq),
            url = self.lab_url,
            ca = self.lab.cacert,
            bind = self.lab.bind_dn,
            base = self.lab.base_dn,
            contractors = priority(contractors),
            csv = self.csv_path().display().to_string(),
            extra = self.contractors_extra,
            service = self.service().display().to_string(),
        );
        let path = self.dir.path().join("adsync.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn adsync(&self, config: &Path, args: &[&str]) -> Outcome {
        let mut cmd = common::adsync(config, &self.lab.bind_pw);
        cmd.args(args);
        run(cmd)
    }

    fn json(&self, config: &Path, args: &[&str], code: i32) -> Value {
        let out = self.adsync(config, args);
        assert_eq!(out.code, code, "{args:?}\n{}\n{}", out.stdout, out.stderr);
        serde_json::from_str(out.stdout.lines().last().unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
    }

    fn service_user(&self, email: &str) -> Option<Value> {
        let doc: Value = serde_json::from_slice(&std::fs::read(self.service()).ok()?).unwrap();
        doc["users"].as_array().unwrap().iter().find(|u| u["primary_email"] == email).cloned()
    }
}

fn contractor_rows(shared: &str) -> Vec<String> {
    vec![format!("Zed,Contractor,{shared},,"), "Cy,Ng,cy.contractor@example.com,,".into()]
}

fn skips_of<'a>(search: &'a Value, dn: &str) -> Vec<&'a Value> {
    search["skipped"].as_array().unwrap().iter().filter(|s| s["dn"] == dn).collect()
}

#[test]
fn an_address_in_both_sources_is_a_conflict_named_on_both() {
    let Some(lab) = common::slapd() else { return };
    let (shared, dn) = shared_person(&lab);
    let org = Org::new(lab);
    org.write_csv(&contractor_rows(&shared));
    let config = org.config(None, None);

    let search = org.json(&config, &["search", "--json"], 0);
    let entries = search["entries"].as_array().unwrap();
    assert!(entries.len() > 1000, "the OU and the file are both read");
    assert!(entries.iter().all(|e| e["primary_email"] != shared.as_str()), "the shared address is synced from neither");
    let cy = entries.iter().find(|e| e["primary_email"] == "cy.contractor@example.com").expect("the file's own row");
    assert_eq!(cy["source"], CONTRACTORS);
    assert!(entries.iter().filter(|e| e["dn"].as_str().unwrap().starts_with("cn=")).all(|e| e["source"] == HQ));

    let from_ldap = skips_of(&search, &dn);
    assert_eq!(from_ldap.len(), 1, "{from_ldap:?}");
    assert_eq!(
        (&from_ldap[0]["reason"], &from_ldap[0]["source"], &from_ldap[0]["against"]),
        (&"conflict".into(), &HQ.into(), &CONTRACTORS.into())
    );
    let from_csv = skips_of(&search, "line 1");
    assert_eq!(
        (&from_csv[0]["reason"], &from_csv[0]["source"], &from_csv[0]["against"]),
        (&"conflict".into(), &CONTRACTORS.into(), &HQ.into())
    );

    let applied = org.json(&config, &["sync", "--apply", "--json"], 0);
    assert!(applied["applied"]["create"].as_u64().unwrap() > 1000, "{}", applied["applied"]);
    assert!(org.service_user(&shared).is_none(), "a conflicted address is never created");
    assert!(org.service_user("cy.contractor@example.com").is_some());
}

#[test]
fn with_priority_the_larger_wins_is_synced_and_the_other_is_reported() {
    let Some(lab) = common::slapd() else { return };
    let (shared, dn) = shared_person(&lab);
    let org = Org::new(lab);
    org.write_csv(&contractor_rows(&shared));
    let config = org.config(Some(1), Some(5));

    let search = org.json(&config, &["search", "--json"], 0);
    let winner = search["entries"].as_array().unwrap().iter().find(|e| e["primary_email"] == shared.as_str()).unwrap();
    assert_eq!((&winner["source"], &winner["first_name"]), (&CONTRACTORS.into(), &"Zed".into()));
    let loser = skips_of(&search, &dn);
    assert_eq!(
        (&loser[0]["reason"], &loser[0]["source"], &loser[0]["against"]),
        (&"outranked".into(), &HQ.into(), &CONTRACTORS.into())
    );

    org.json(&config, &["sync", "--apply", "--json"], 0);
    let synced = org.service_user(&shared).expect("the winner is synced");
    assert_eq!((synced["firstname"].as_str(), synced["surname"].as_str()), (Some("Zed"), Some("Contractor")));

    // A tie is a conflict again.
    let tie = org.json(&org.config(Some(5), Some(5)), &["search", "--json"], 0);
    assert!(skips_of(&tie, &dn).iter().all(|s| s["reason"] == "conflict"));
}

#[test]
fn a_source_s_own_exclusions_leave_the_others_alone() {
    let Some(lab) = common::slapd() else { return };
    let (shared, dn) = shared_person(&lab);
    let mut org = Org::new(lab);
    org.contractors_extra = format!("[source.exclude]\naddresses = [\"{shared}\"]\n");
    org.write_csv(&contractor_rows(&shared));
    let config = org.config(None, None);
    let search = org.json(&config, &["search", "--json"], 0);
    let kept = search["entries"].as_array().unwrap().iter().find(|e| e["primary_email"] == shared.as_str());
    assert_eq!(kept.map(|e| &e["source"]), Some(&HQ.into()), "excluded from the file only, so no conflict");
    assert_eq!(skips_of(&search, "line 1")[0]["reason"], "excluded");
    assert!(skips_of(&search, &dn).is_empty());
}

/// In a real terminal: the directory pane names the source it browses, `x` on the shared
/// person leaves them out of the slapd source only (so the file's row is synced, no conflict),
/// `]` browses the CSV file, and the settings pane moves to the next source and saves it
/// into its own `[[source]]`.
#[test]
fn the_tui_browses_each_source_and_excludes_within_one() {
    let Some(lab) = common::slapd() else { return };
    let (shared, dn) = shared_person(&lab);
    let org = Org::new(lab);
    org.write_csv(&contractor_rows(&shared));
    let config = org.config(None, None);
    let hq_url = Config::load(&config).unwrap().sources[0].source.ldap().unwrap().url.to_string();
    let home = org.dir.path().display().to_string();
    let env = [("HOME", home.as_str()), ("ADSYNC_TEST_BIND_PW", org.lab.bind_pw.as_str())];
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} --config {}", bin.display(), config.display());
    let Some(t) = common::tmux::Tmux::start(&command, 120, 40, &env) else { return };
    let wait = std::time::Duration::from_secs(20);
    t.wait_for("source hq · 1 of 2 · ] next", wait);
    let cn = dn.split(',').next().unwrap().split_once('=').unwrap().1.to_string();
    t.wait_until("the OU's people", wait, |screen| screen.contains("     u "));
    t.keys(&["/"]);
    t.type_text(&cn);
    t.keys(&["Enter"]);
    t.wait_for(&format!("u {cn}"), wait);
    t.keys(&["j", "x"]);
    t.wait_for("from source hq (saved)", wait);
    t.wait_for("excluded", wait);
    t.keys(&["]"]);
    t.wait_for("contractors 2/2", wait);
    t.wait_for("Cy Ng", wait);
    t.keys(&["1", "]"]);
    t.wait_for("editing source contractors (2 of 2)", wait);
    // The contractors' file field (row 3: role, source, file): another copy of the file, saved.
    let copy = org.dir.path().join("contractors-copy.csv");
    std::fs::copy(org.csv_path(), &copy).unwrap();
    t.keys(&["j", "j", "Enter", "C-u"]);
    t.type_text(&copy.display().to_string());
    t.keys(&["Enter", "C-s"]);
    t.wait_for("settings saved", wait);
    t.keys(&["q"]);
    t.wait_until("the app to exit", wait, |_| t.exited());

    let again = Config::load(&config).unwrap();
    let own: Vec<String> = again.sources[0].exclude.subtrees.iter().map(|d| d.0.to_lowercase()).collect();
    assert_eq!(own, [dn.to_lowercase()], "the person is excluded from the slapd source only");
    assert!(again.exclude.subtrees.is_empty() && again.sources[1].exclude.subtrees.is_empty());
    assert_eq!(again.sources[1].source.csv().unwrap().path, copy, "the form saved into the contractors' table");
    assert_eq!(again.sources[0].source.ldap().unwrap().url.to_string(), hq_url, "the slapd source as it was");
    let search = org.json(&config, &["search", "--json"], 0);
    let kept = search["entries"].as_array().unwrap().iter().find(|e| e["primary_email"] == shared.as_str());
    assert_eq!(kept.map(|e| &e["source"]), Some(&CONTRACTORS.into()), "no conflict: the file's row is synced");
    assert_eq!(skips_of(&search, &dn)[0]["reason"], "excluded");
}

#[test]
fn one_unreachable_source_fails_the_run_naming_it_and_writes_nothing() {
    let Some(lab) = common::slapd() else { return };
    let (shared, _) = shared_person(&lab);
    let mut org = Org::new(lab);
    org.lab_url = "ldap://127.0.0.1:9".into();
    org.write_csv(&contractor_rows(&shared));
    let config = org.config(None, None);
    let out = org.adsync(&config, &["sync", "--apply"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(&format!("Source \"{HQ}\"")), "{}", out.stderr);
    assert!(!org.service().exists(), "nothing was written");

    // An empty source is no better than an unreachable one.
    let org = Org::new(common::slapd().unwrap());
    org.write_csv(&["Al,Gone,al@example.com,,".to_string()]);
    let config = org.config(None, None);
    std::fs::write(org.csv_path(), "").unwrap();
    let out = org.adsync(&config, &["sync", "--apply"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(CONTRACTORS), "{}", out.stderr);
    assert!(!org.service().exists(), "nothing was written");
}

#[test]
fn each_source_has_its_own_shrink_guard() {
    let Some(lab) = common::slapd() else { return };
    let org = Org::new(lab);
    let rows: Vec<String> = (0..20).map(|k| format!("C{k},Temp,c{k}.temp@example.com,,")).collect();
    org.write_csv(&rows);
    let config = org.config(None, None);
    org.json(&config, &["sync", "--apply", "--json"], 0);
    let state: Value =
        serde_json::from_slice(&std::fs::read(org.dir.path().join("state/managed.json")).unwrap()).unwrap();
    assert_eq!(state["last_good"]["per_source"][CONTRACTORS]["directory_objects"], 20, "{}", state["last_good"]);

    // 20 → 10 rows is half the file, and under 1% of the whole organisation.
    org.write_csv(&rows[..10]);
    let out = org.adsync(&config, &["plan"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains(&format!("source \"{CONTRACTORS}\" shrank from 20 to 10")), "{text}");
    assert!(!text.contains(&format!("source \"{HQ}\" shrank")), "{text}");
    assert_eq!(org.adsync(&config, &["sync", "--apply", "--allow-shrink"]).code, 0);
}

#[test]
fn check_climbs_every_source_s_ladder() {
    let Some(lab) = common::slapd() else { return };
    let org = Org::new(lab);
    org.write_csv(&contractor_rows("x@example.com"));
    let config = org.config(None, None);
    let json = org.json(&config, &["check", "--json"], 0);
    let sources = json["sources"].as_array().unwrap();
    let names: Vec<_> =
        sources.iter().map(|s| (s["source"].as_str(), s["source_kind"].as_str(), s["ok"].as_bool())).collect();
    assert_eq!(names, [(Some(HQ), Some("ldap"), Some(true)), (Some(CONTRACTORS), Some("csv"), Some(true))]);
    let text = org.adsync(&config, &["check"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("Source hq") && text.stdout.contains("Source contractors"), "{}", text.stdout);
}

/// The example's block of two sources, uncommented, is a valid config naming both.
#[test]
fn the_example_config_documents_two_sources() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/adsync.example.toml")).unwrap();
    let block: Vec<&str> = example
        .lines()
        .skip_while(|l| !l.starts_with("# --- several sources"))
        .skip_while(|l| *l != "# [[source]]")
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim_start())
        .collect();
    let keys: Vec<&str> = block.iter().filter_map(|l| l.split_once(" = ").map(|(k, _)| k)).collect();
    assert!(keys.contains(&"name") && keys.contains(&"priority"), "{block:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.toml");
    std::fs::write(&path, block.join("\n")).unwrap();
    let mut cmd = common::adsync(&path, "");
    cmd.args(["config", "check"]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("[[source]] hq, priority 10") && out.stdout.contains("[[source]] contractors, priority 5")
    );
}
