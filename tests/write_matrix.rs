//! The write side against both ways the service may settle what its published description
//! leaves open: the loopback fake in lenient mode (PUT merges) and in strict mode (PUT
//! replaces the whole object, the bare endpoint list), renames applied, ignored or refused.
//! Every case runs in both modes, through the real plan, guards, apply and verification, with
//! no directory: the directory's side is a list of entries made here.

mod common;

use adsync::config::{Config, GuardConfig, RenameMode};
use adsync::model::{Classification, DirectoryEntry, Flavor, ObjectId, SearchOutcome};
use adsync::sync::apply::ApplyOutcome;
use adsync::sync::guard::{Block, Overrides, Warning};
use adsync::sync::plan::{FieldChange, Op, PlanPolicy};
use adsync::sync::run::{Planned, SyncError, SyncSettings, make_plan, run_apply};
use adsync::sync::state::SyncState;
use adsync::sync::verify::VerifyPolicy;
use adsync::target::Target;
use adsync::target::essentials::EssentialsTarget;
use adsync::target::essentials::retry::RetryPolicy;
use axum::http::Method;
use common::fake_service::{ADMIN, DOMAIN, FakeService, Fault, Mode, PASSWORD, Renames};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const MODES: [Mode; 2] = [Mode::Lenient, Mode::Strict];
const USERS: &str = "/api/v1/orgs/example.com/users";

/// One service in one mode, a state dir, and the settings a sync runs with.
struct World {
    fake: FakeService,
    state: tempfile::TempDir,
    policy: PlanPolicy,
    guards: GuardConfig,
    target_extra: String,
}

impl World {
    fn new(mode: Mode) -> Self {
        let policy = PlanPolicy { delete: true, ..PlanPolicy::default() };
        let state = tempfile::tempdir().unwrap();
        World {
            fake: FakeService::start_in(mode),
            state,
            policy,
            guards: GuardConfig::default(),
            target_extra: String::new(),
        }
    }

    fn config(&self, place: &str) -> Config {
        let text = format!(
            "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:1\"\nbase_dn = \"dc=example,dc=com\"\n\n\
             [target]\nkind = \"essentials\"\n{place}\ndomain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\n\
             password = \"{PASSWORD}\"\nrequest_timeout = \"2s\"\n{}\n",
            self.target_extra
        );
        Config::parse(&text, "matrix.toml").expect("valid test config")
    }

    fn target_at(&self, place: &str) -> Arc<dyn Target> {
        let fast = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(1),
        };
        Arc::new(EssentialsTarget::from_config(&self.config(place)).unwrap().with_retry_policy(fast))
    }

    fn target(&self) -> Arc<dyn Target> {
        self.target_at(&format!("api_url = \"{}\"", self.fake.base_url()))
    }

    fn settings(&self) -> SyncSettings {
        let config = self.config("api_url = \"http://127.0.0.1:1/api/v1\"");
        SyncSettings {
            plan: self.policy.clone(),
            guards: self.guards.clone(),
            state_dir: self.state.path().to_path_buf(),
            max_in_flight: 4,
            coexist_with_vendor_sync: config.target.unwrap().coexist_with_vendor_sync,
            verify: VerifyPolicy { attempts: 3, interval: Duration::from_millis(10) },
            run_id: None,
            source: None,
            sources: Vec::new(),
        }
    }

    async fn plan(&self, entries: &[DirectoryEntry]) -> Planned {
        make_plan(self.target().as_ref(), &search(entries), &self.settings()).await.expect("a plan")
    }

    async fn apply(&self, planned: &Planned) -> Result<ApplyOutcome, SyncError> {
        let all = vec![true; planned.plan.changes.len()];
        let progress = Arc::new(|_| {});
        run_apply(self.target(), planned, &all, Overrides::default(), &self.settings(), progress, Default::default())
            .await
    }

    async fn sync(&self, entries: &[DirectoryEntry]) -> ApplyOutcome {
        self.apply(&self.plan(entries).await).await.expect("applied")
    }

    /// adsync remembers `email` as the account of directory object `n`.
    fn remember(&self, email: &str, n: u8) {
        let mut state = SyncState::default();
        state.accounts.insert(email.into(), Some(id(n)));
        state.save(self.state.path()).unwrap();
    }

    fn managed(&self) -> BTreeSet<String> {
        SyncState::load(self.state.path()).unwrap().accounts.into_keys().collect()
    }

    fn stored(&self, email: &str) -> Option<Value> {
        self.fake.users(DOMAIN).into_iter().find(|u| u["primary_email"] == email)
    }

    fn writes(&self) -> Vec<String> {
        self.fake.requests().into_iter().filter(|r| r.method != "GET").map(|r| r.line()).collect()
    }
}

fn id(n: u8) -> ObjectId {
    ObjectId(uuid::Uuid::from_bytes([n; 16]))
}

fn person(n: u8, email: &str, first: &str, last: &str) -> DirectoryEntry {
    common::entries::person(id(n), email, first, last)
}

fn search(entries: &[DirectoryEntry]) -> SearchOutcome {
    let classification = Classification { entries: entries.to_vec(), ..Classification::default() };
    SearchOutcome { flavor: Flavor::Openldap, stats: Default::default(), classification, ignored: 0 }
}

/// A user as the service holds it, with settings the user made and adsync never manages.
fn user(email: &str, first: &str, last: &str) -> Value {
    json!({"uid": 4711, "primary_email": email, "firstname": first, "surname": last, "type": "end_user",
           "is_active": true, "alias_emails": [], "is_billable": true,
           "safe_list_senders": ["friend@partner.example"], "block_list_senders": ["spam@bad.example"],
           "odin_settings": {"digest": "daily"}, "read_only_user": false})
}

fn put_bodies(fake: &FakeService) -> Vec<Value> {
    fake.requests().into_iter().filter(|r| r.method == "PUT").filter_map(|r| r.body).collect()
}

#[tokio::test]
async fn an_update_sends_the_fresh_account_with_only_adsyncs_fields_changed() {
    for mode in MODES {
        let w = World::new(mode);
        w.fake.seed(DOMAIN, [user("ann@example.com", "Ann", "Lee")]);
        let outcome = w.sync(&[person(1, "ann@example.com", "Anne", "Lee")]).await;
        assert_eq!((outcome.applied.len(), outcome.failed.len()), (1, 0), "{mode:?}: {outcome:?}");
        let mut want = user("ann@example.com", "Anne", "Lee");
        assert_eq!(put_bodies(&w.fake), [want.clone()], "{mode:?}: every field as read, the name changed");
        want["uid"] = json!(4711);
        assert_eq!(w.stored("ann@example.com"), Some(want), "{mode:?}: nothing the user set is lost");
        let lines: Vec<String> = w.fake.request_lines().into_iter().filter(|l| !l.ends_with("/me")).collect();
        let (get, put) = (format!("GET {USERS}/ann@example.com"), format!("PUT {USERS}/ann@example.com"));
        let at = lines.iter().position(|l| *l == put).unwrap();
        assert_eq!(lines[at - 1], get, "{mode:?}: read right before the PUT: {lines:?}");
    }
}

#[tokio::test]
async fn a_user_edit_between_plan_and_apply_is_kept() {
    for mode in MODES {
        let w = World::new(mode);
        w.fake.seed(DOMAIN, [user("ann@example.com", "Ann", "Lee")]);
        w.fake.edit_after_listing(DOMAIN, "ann@example.com", json!({"safe_list_senders": ["new@partner.example"]}));
        let outcome = w.sync(&[person(1, "ann@example.com", "Anne", "Lee")]).await;
        assert_eq!(outcome.applied.len(), 1, "{mode:?}: {outcome:?}");
        let stored = w.stored("ann@example.com").unwrap();
        assert_eq!(stored["firstname"], "Anne", "{mode:?}");
        assert_eq!(stored["safe_list_senders"], json!(["new@partner.example"]), "{mode:?}: the user's new list");
    }
}

#[tokio::test]
async fn a_managed_field_changed_since_the_plan_is_skipped_and_planned_again() {
    for mode in MODES {
        let w = World::new(mode);
        w.fake.seed(DOMAIN, [user("ann@example.com", "Ann", "Lee")]);
        w.fake.edit_after_listing(DOMAIN, "ann@example.com", json!({"surname": "Smith"}));
        let directory = [person(1, "ann@example.com", "Anne", "Lee")];
        let outcome = w.sync(&directory).await;
        assert!(outcome.applied.is_empty() && outcome.failed.is_empty(), "{mode:?}: {outcome:?}");
        assert_eq!(outcome.skipped.len(), 1, "{mode:?}");
        assert_eq!(
            outcome.skipped[0].reason,
            "changed in the service since the plan (last name); the next plan shows it again"
        );
        let v = outcome.verification.as_ref().unwrap();
        assert_eq!((v.checked, v.verified, v.all_taken()), (0, 0, true), "{mode:?}: skipped is not verified");
        assert!(put_bodies(&w.fake).is_empty(), "{mode:?}: nothing sent");
        assert!(outcome.complete(), "{mode:?}: skipped is not failed");
        let again = w.plan(&directory).await;
        assert_eq!(again.plan.changes.len(), 1, "{mode:?}: the next plan shows it again");
        assert!(matches!(again.plan.changes[0].op, Op::Update { .. }));
    }
}

fn renamed_to(planned: &Planned) -> Vec<(String, String)> {
    let fields = planned.plan.changes.iter().flat_map(|c| match &c.op {
        Op::Update { fields, .. } => fields.clone(),
        _ => vec![],
    });
    fields
        .filter_map(|f| match f {
            FieldChange::PrimaryEmail { from, to } => Some((from, to)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn renames_count_only_once_the_service_shows_them() {
    let (old, new) = ("ann@example.com", "ann.lee@example.com");
    for mode in MODES {
        for renames in [Renames::Apply, Renames::Ignore, Renames::Refuse] {
            let case = format!("{mode:?}/{renames:?}");
            let w = World::new(mode);
            w.fake.set_renames(renames);
            w.fake.seed(DOMAIN, [user(old, "Ann", "Lee")]);
            w.remember(old, 1);
            let directory = [person(1, new, "Ann", "Lee")];
            let planned = w.plan(&directory).await;
            assert_eq!(renamed_to(&planned), [(old.to_string(), new.to_string())], "{case}");
            let outcome = w.apply(&planned).await.unwrap();
            let again = w.plan(&directory).await;
            if renames == Renames::Apply {
                assert_eq!(outcome.applied.len(), 1, "{case}: {outcome:?}");
                assert!(outcome.verification.as_ref().unwrap().all_taken(), "{case}");
                assert_eq!(w.managed(), BTreeSet::from([new.to_string()]), "{case}");
                assert!(again.plan.changes.is_empty(), "{case}: in sync");
                assert_eq!(w.stored(new).unwrap()["safe_list_senders"], json!(["friend@partner.example"]), "{case}");
                continue;
            }
            assert_eq!((outcome.applied.len(), outcome.failed.len()), (0, 1), "{case}: {outcome:?}");
            let error = &outcome.failed[0].error;
            assert!(error.contains(new) && error.contains("sync.rename = \"recreate\""), "{case}: {error}");
            let why = if renames == Renames::Ignore { "the account is still at ann@example.com" } else { "refused" };
            assert!(error.contains(why), "{case}: {error}");
            assert_eq!(w.managed(), BTreeSet::from([old.to_string()]), "{case}: the state keeps the old address");
            assert_eq!(renamed_to(&again), [(old.to_string(), new.to_string())], "{case}: the same rename again");
            assert_eq!(again.plan.changes.len(), 1, "{case}: no second account");
        }
    }
}

#[tokio::test]
async fn recreate_creates_the_new_address_and_deletes_the_old_account_under_the_delete_guards() {
    let (old, new) = ("ann@example.com", "ann.lee@example.com");
    for mode in MODES {
        let mut w = World::new(mode);
        w.fake.set_renames(Renames::Ignore);
        w.policy.rename = RenameMode::Recreate;
        w.fake.seed(DOMAIN, [user(old, "Ann", "Lee"), user("bo@example.com", "Bo", "Li")]);
        w.remember(old, 1);
        let directory = [person(1, new, "Ann", "Lee"), person(2, "bo@example.com", "Bo", "Li")];
        w.guards.max_deletes = 0;
        let blocked = w.plan(&directory).await;
        assert!(matches!(blocked.verdict.blocks[..], [Block::MaxDeletes { deletes: 1, .. }, ..]), "{mode:?}");
        assert!(matches!(w.apply(&blocked).await, Err(SyncError::Blocked(_))), "{mode:?}");
        w.guards = GuardConfig { max_delete_percent: 100.0, ..GuardConfig::default() };
        let outcome = w.sync(&directory).await;
        assert_eq!((outcome.applied.len(), outcome.failed.len()), (2, 0), "{mode:?}: {outcome:?}");
        assert!(outcome.verification.as_ref().unwrap().all_taken(), "{mode:?}");
        assert!(w.stored(old).is_none() && w.stored(new).is_some(), "{mode:?}");
        assert!(w.plan(&directory).await.plan.changes.is_empty(), "{mode:?}: in sync");
    }
}

#[tokio::test]
async fn verification_says_verified_n_of_n_or_names_what_did_not_take() {
    for mode in MODES {
        let w = World::new(mode);
        let clean = w.sync(&[person(1, "a@example.com", "A", "One")]).await;
        let v = clean.verification.unwrap();
        assert_eq!((v.checked, v.verified, v.listings), (1, 1, 1), "{mode:?}");
        w.fake.fail_matching(Some(Method::POST), None, 1, Fault::Swallow);
        let directory = [person(1, "a@example.com", "A", "One"), person(2, "b@example.com", "B", "Two")];
        let outcome = w.sync(&directory).await;
        assert_eq!(outcome.applied.len(), 1, "{mode:?}: the service said 201");
        let v = outcome.verification.clone().unwrap();
        assert_eq!((v.checked, v.verified, v.listings), (1, 0, 3), "{mode:?}: listed a bounded number of times");
        assert_eq!(v.not_taken[0].email, "b@example.com");
        assert_eq!(v.not_taken[0].problem, "b@example.com is not in the service");
        assert!(!outcome.complete(), "{mode:?}");
        assert!(!w.managed().contains("b@example.com"), "{mode:?}: not remembered");
        assert_eq!(w.plan(&directory).await.plan.changes.len(), 1, "{mode:?}: planned again");
    }
}

#[tokio::test]
async fn the_vendors_own_sync_blocks_every_write_unless_coexisting() {
    let syncs = [
        ("ldap", json!({"ldap_url": "ldaps://dc1.example.com"}), None),
        ("azure", json!({}), Some(json!({"sync_frequency": 3, "remove_deleted_users": true}))),
    ];
    for mode in MODES {
        for (name, org, azure) in &syncs {
            let mut w = World::new(mode);
            w.fake.set_org_facts(DOMAIN, org.clone());
            if let Some(settings) = azure {
                w.fake.set_azure(DOMAIN, Some(settings.clone()));
            }
            let directory = [person(1, "a@example.com", "A", "One")];
            let planned = w.plan(&directory).await;
            assert!(matches!(planned.verdict.blocks[..], [Block::VendorSyncActive { .. }]), "{mode:?}/{name}");
            assert!(matches!(w.apply(&planned).await, Err(SyncError::Blocked(_))), "{mode:?}/{name}");
            assert!(w.writes().is_empty(), "{mode:?}/{name}: zero writes");
            w.target_extra = "coexist_with_vendor_sync = true".into();
            let planned = w.plan(&directory).await;
            assert!(planned.verdict.ok(), "{mode:?}/{name}");
            assert!(planned.verdict.warnings.iter().any(|w| matches!(w, Warning::VendorSyncCoexisting { .. })));
            assert_eq!(w.apply(&planned).await.unwrap().applied.len(), 1, "{mode:?}/{name}");
        }
    }
}

#[tokio::test]
async fn organisation_reads_the_service_refuses_are_warnings() {
    for mode in MODES {
        let w = World::new(mode);
        w.fake.fail_path(Some(Method::GET), "/api/v1/orgs/example.com", 1, Fault::Forbidden);
        let planned = w.plan(&[person(1, "a@example.com", "A", "One")]).await;
        assert!(planned.verdict.ok(), "{mode:?}");
        let statuses: Vec<u16> = planned
            .verdict
            .warnings
            .iter()
            .filter_map(|w| match w {
                Warning::OrgFactUnread(gap) => Some(gap.status),
                _ => None,
            })
            .collect();
        let azure_missing = mode == Mode::Lenient;
        assert_eq!(statuses, if azure_missing { vec![403, 404] } else { vec![403] }, "{mode:?}");
        assert_eq!(w.apply(&planned).await.unwrap().applied.len(), 1, "{mode:?}");
    }
}

#[tokio::test]
async fn licences_warn_and_block_when_asked() {
    for mode in MODES {
        let mut w = World::new(mode);
        w.fake.seed(DOMAIN, [user("ann@example.com", "Ann", "Lee")]);
        w.fake.set_org_facts(DOMAIN, json!({"user_licenses": 2}));
        let directory = [
            person(1, "ann@example.com", "Ann", "Lee"),
            person(2, "b@example.com", "B", "Two"),
            person(3, "c@example.com", "C", "Three"),
        ];
        let planned = w.plan(&directory).await;
        assert!(planned.verdict.ok(), "{mode:?}");
        let warning = planned.verdict.warnings.iter().find(|w| matches!(w, Warning::Licenses(_))).unwrap();
        assert!(warning.to_string().contains("3 accounts would be active"), "{warning}");
        w.guards.respect_licenses = true;
        let planned = w.plan(&directory).await;
        assert!(matches!(planned.verdict.blocks[..], [Block::RespectLicenses(_)]), "{mode:?}");
        assert!(matches!(w.apply(&planned).await, Err(SyncError::Blocked(_))), "{mode:?}");
        assert!(w.writes().is_empty(), "{mode:?}");
    }
}

#[tokio::test]
async fn a_403_on_one_account_fails_that_account_and_the_run_goes_on() {
    for mode in MODES {
        let w = World::new(mode);
        w.fake.fail_path(Some(Method::GET), &format!("{USERS}/ann@example.com"), 1, Fault::Forbidden);
        w.fake.seed(DOMAIN, [user("ann@example.com", "Ann", "Lee"), user("bo@example.com", "Bo", "Li")]);
        let directory = [person(1, "ann@example.com", "Anne", "Lee"), person(2, "bo@example.com", "Bob", "Li")];
        let outcome = w.sync(&directory).await;
        assert!(outcome.fatal.is_none(), "{mode:?}: {outcome:?}");
        assert_eq!((outcome.applied.len(), outcome.failed.len()), (1, 1), "{mode:?}");
        assert!(outcome.failed[0].error.contains("refused for this one account (403 Forbidden"), "{mode:?}");
        w.fake.fail_path(Some(Method::GET), USERS, 1, Fault::Forbidden);
        let listing = make_plan(w.target().as_ref(), &search(&directory), &w.settings()).await;
        assert!(matches!(listing, Err(SyncError::Target(ref e)) if e.is_fatal()), "{mode:?}: {listing:?}");
    }
}

#[tokio::test]
async fn every_request_carries_its_own_correlator() {
    for mode in MODES {
        let w = World::new(mode);
        w.sync(&[person(1, "a@example.com", "A", "One"), person(2, "b@example.com", "B", "Two")]).await;
        let correlators: Vec<String> =
            w.fake.requests().iter().map(|r| r.headers.get("x-correlator").cloned().unwrap_or_default()).collect();
        let unique: BTreeSet<&String> = correlators.iter().collect();
        assert!(correlators.len() > 4 && unique.len() == correlators.len(), "{mode:?}: {correlators:?}");
        assert!(correlators.iter().all(|c| c.starts_with("adsync-")), "{correlators:?}");
    }
}

#[tokio::test]
async fn the_stack_is_discovered_from_either_answer_shape() {
    for mode in MODES {
        let w = World::new(mode);
        w.fake.seed(DOMAIN, [user("ann@example.com", "Ann", "Lee")]);
        let target = w.target_at(&format!("discovery_url = \"{}\"", w.fake.base_url()));
        assert_eq!(target.list().await.unwrap().len(), 1, "{mode:?}");
        assert_eq!(w.fake.request_lines()[0], format!("GET /api/v1/endpoints/{DOMAIN}"));
    }
}
