//! The oracle: the generator's facts file (scripts/lab/gen-ldif.py --truth) turned into what
//! `adsync search --json` must report under the default policy, checked object by object.

use adsync::dn::Dn;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Deserialize)]
pub struct Fact {
    pub dn: String,
    pub cls: String,
    pub mailbox: bool,
    pub primary: Option<String>,
    pub aliases: Vec<String>,
    pub given: Option<String>,
    pub sn: Option<String>,
    pub display: Option<String>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub hidden: bool,
    pub rtd: Option<i64>,
    pub security: Option<bool>,
    pub members: Option<u64>,
    pub id: Option<String>,
}

pub fn load(path: &str) -> Vec<Fact> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("truth file {path}: {e}"));
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("truth line")).collect()
}

#[derive(Debug, PartialEq)]
enum Expected {
    Entry { kind: &'static str, primary: String, aliases: Vec<String> },
    Skip(&'static str),
}

impl Fact {
    fn kind(&self) -> &'static str {
        match (self.cls.as_str(), self.security, self.rtd) {
            ("group", Some(true), _) => "security_group",
            ("group", _, _) => "functional",
            (_, _, Some(4 | 16 | 32)) => "functional",
            _ => "user",
        }
    }

    /// Default policy: active users, functional accounts and security groups; not disabled, not hidden.
    fn expected_before_conflicts(&self) -> Expected {
        let kind = self.kind();
        if !self.mailbox {
            return Expected::Skip("no_email");
        }
        if kind == "user" && self.disabled {
            return Expected::Skip("disabled");
        }
        if self.hidden {
            return Expected::Skip("hidden");
        }
        Expected::Entry {
            kind,
            primary: self.primary.clone().expect("mailbox has a primary"),
            aliases: self.aliases.clone(),
        }
    }
}

/// Marks every candidate that shares an address with another candidate as a conflict.
fn with_conflicts(expected: &mut [Expected]) {
    let mut owners: HashMap<String, usize> = HashMap::new();
    let mut clash = HashSet::new();
    for (i, e) in expected.iter().enumerate() {
        if let Expected::Entry { primary, aliases, .. } = e {
            for a in std::iter::once(primary).chain(aliases) {
                if let Some(&j) = owners.get(a) {
                    clash.insert(i);
                    clash.insert(j);
                } else {
                    owners.insert(a.clone(), i);
                }
            }
        }
    }
    for i in clash {
        expected[i] = Expected::Skip("conflict");
    }
}

fn key(dn: &str) -> Dn {
    Dn::parse(dn).unwrap_or_else(|e| panic!("bad DN {dn}: {e}"))
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Checks a `search --json` document against the facts; panics listing the first mismatches.
pub fn check_search(doc: &Value, facts: &[Fact], expect_ids: bool) {
    assert_eq!(doc["complete"], Value::Bool(true));
    let entries: HashMap<Dn, &Value> =
        doc["entries"].as_array().unwrap().iter().map(|e| (key(e["dn"].as_str().unwrap()), e)).collect();
    let skipped: HashMap<Dn, &str> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (key(e["dn"].as_str().unwrap()), e["reason"].as_str().unwrap()))
        .collect();
    let mut expected: Vec<Expected> = facts.iter().map(Fact::expected_before_conflicts).collect();
    with_conflicts(&mut expected);
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (fact, want) in facts.iter().zip(&expected) {
        let dn = key(&fact.dn);
        seen.insert(dn.clone());
        match (want, entries.get(&dn), skipped.get(&dn)) {
            (Expected::Skip(reason), None, Some(got)) if got == reason => {}
            (Expected::Entry { .. }, Some(e), None) => problems.extend(compare_entry(fact, want, e, expect_ids)),
            (want, e, sk) => {
                problems.push(format!("{}: want {want:?}, got entry={} skipped={sk:?}", fact.dn, e.is_some()))
            }
        }
    }
    for (dn, entry) in &entries {
        if !seen.contains(dn) {
            problems.push(format!("unexpected synced entry {}", entry["dn"]));
        }
    }
    for (dn, reason) in &skipped {
        if !seen.contains(dn) && *reason != "no_email" {
            problems.push(format!("non-generated object {dn:?} skipped as {reason}, expected no_email"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches, first ones:\n{}",
        problems.len(),
        problems.iter().take(15).cloned().collect::<Vec<_>>().join("\n")
    );
}

fn compare_entry(fact: &Fact, want: &Expected, got: &Value, expect_ids: bool) -> Vec<String> {
    let Expected::Entry { kind, primary, aliases } = want else { unreachable!() };
    let mut p = Vec::new();
    let mut check = |what: &str, ok: bool| {
        if !ok {
            p.push(format!("{}: {what} differs: {got}", fact.dn));
        }
    };
    check("kind", got["kind"] == *kind);
    check("primary_email", s(&got["primary_email"]).as_deref() == Some(primary.as_str()));
    let got_aliases: Vec<String> = got["aliases"].as_array().unwrap().iter().filter_map(s).collect();
    check("aliases", got_aliases == *aliases);
    check("enabled", got["enabled"] == Value::Bool(!fact.disabled));
    check("hidden", got["hidden"] == Value::Bool(fact.hidden));
    if fact.cls == "user" {
        check("first_name", s(&got["first_name"]) == fact.given);
        check("last_name", s(&got["last_name"]) == fact.sn);
        check("display_name", s(&got["display_name"]) == fact.display);
        check("member_count", got["member_count"].is_null());
    } else {
        check("member_count", got["member_count"].as_u64() == fact.members);
    }
    let id = got["id"].as_str().unwrap_or("");
    check("id shape", id.len() == 36 && id == id.to_lowercase());
    if expect_ids {
        check("id", Some(id) == fact.id.as_deref());
    }
    p
}
