//! Properties of the pure core, over generated inputs: classification of arbitrary attribute
//! sets, the plan's invariants (admins and exemptions untouched, applying a plan and planning
//! again finds nothing, a partial apply converges), the guards, the schedule's next run, and
//! the config loader on arbitrary text (an error, never a panic), and the CSV reader on
//! arbitrary bytes (rows or an error, never a panic).

use adsync::config::value::AddressGlob;
use adsync::config::{Config, DeleteScope, GuardConfig, RenameMode};
use adsync::model::{Account, AccountType, DefaultRole, DirObject, ObjectClass, ObjectId};
use adsync::source::classify::{Policy, classify};
use adsync::sync::apply::managed_after;
use adsync::sync::guard::{self, GuardInput, Overrides};
use adsync::sync::plan::{Managed, Op, Plan, PlanPolicy, plan};
use adsync::sync::schedule::next_run_after;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

// ---------- generators ----------

/// Addresses from a small pool, in mixed case, so that collisions and case variants are common.
fn address() -> impl Strategy<Value = String> {
    let local = prop::sample::select(vec!["ann", "bo", "Cy", "di", "ED", "info"]);
    let domain = prop::sample::select(vec!["example.com", "Example.COM", "legacy.example.com"]);
    (local, 0..3u8, domain).prop_map(|(l, n, d)| format!("{l}{n}@{d}"))
}

/// A proxyAddresses value: well formed, a stray prefix, or arbitrary text.
fn proxy_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => address().prop_map(|a| format!("SMTP:{a}")),
        4 => address().prop_map(|a| format!("smtp:{a}")),
        1 => address().prop_map(|a| format!("X500:/o={a}")),
        1 => "\\PC{0,40}",
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => "[a-z]{1,8}".prop_map(|s| format!("smtp:{}@{}", s.repeat(200), "example.com")),
    ]
}

fn object(n: usize) -> impl Strategy<Value = DirObject> {
    let class =
        prop::sample::select(vec![ObjectClass::User, ObjectClass::User, ObjectClass::Group, ObjectClass::Other]);
    let mail = prop::option::of(prop_oneof![4 => address(), 1 => "\\PC{0,20}"]);
    let proxies = prop::collection::vec(proxy_value(), 0..4);
    let uac = prop::option::of(prop::sample::select(vec![512u32, 514, 66048, 66050, 2]));
    let group_type = prop::option::of(prop::sample::select(vec![2i32, 8, -2147483646, -2147483640]));
    let details = prop::option::of(prop::sample::select(vec![1i64, 4, 16, 32]));
    let with_id = any::<bool>();
    (class, mail, proxies, uac, group_type, details, any::<bool>(), with_id, prop::option::of("\\PC{0,12}")).prop_map(
        move |(class, mail, proxies, uac, group_type, details, hidden, with_id, given)| {
            let mut o = DirObject::new(format!("CN=o{n},OU=People,DC=example,DC=com"), class);
            o.id = with_id.then(|| id(n as u32));
            o.mail = mail;
            o.proxy_addresses = proxies;
            o.user_account_control = uac;
            o.group_type = group_type;
            o.recipient_type_details = details;
            o.hidden_from_gal = hidden;
            o.given_name = given;
            o.surname = Some(format!("Last{n}"));
            o.member_count = (class == ObjectClass::Group).then_some(n as u32);
            o
        },
    )
}

fn directory() -> impl Strategy<Value = Vec<DirObject>> {
    (0..24usize).prop_flat_map(|len| (0..len).map(object).collect::<Vec<_>>())
}

fn id(n: u32) -> ObjectId {
    ObjectId(uuid::Uuid::from_u128(0x1000 + u128::from(n)))
}

fn account() -> impl Strategy<Value = Account> {
    let role = prop::sample::select(vec![
        AccountType::SilentUser,
        AccountType::EndUser,
        AccountType::FunctionalAccount,
        AccountType::OrganizationAdmin,
    ]);
    (address(), role, any::<bool>(), prop::collection::vec(address(), 0..2), prop::option::of("[A-Z][a-z]{0,5}"))
        .prop_map(|(email, role, active, aliases, first)| {
            let mut a = Account::new(email.to_lowercase(), role);
            a.is_active = active;
            a.aliases = aliases.into_iter().map(|x| x.to_lowercase()).collect();
            a.first_name = first;
            a
        })
}

/// The service's accounts: one per address (the service has no duplicates).
fn accounts() -> impl Strategy<Value = Vec<Account>> {
    prop::collection::vec(account(), 0..16).prop_map(|list| {
        let mut seen = HashSet::new();
        list.into_iter().filter(|a| seen.insert(a.primary_email.clone())).collect()
    })
}

fn policy() -> impl Strategy<Value = PlanPolicy> {
    let scope = prop::sample::select(vec![DeleteScope::Managed, DeleteScope::All]);
    let role = prop::sample::select(vec![DefaultRole::SilentUser, DefaultRole::EndUser]);
    let exempt = prop::sample::subsequence(vec!["bo1@*", "*@legacy.example.com", "info0@example.com"], 0..=2);
    (any::<bool>(), any::<bool>(), any::<bool>(), scope, any::<bool>(), role, exempt, any::<bool>()).prop_map(
        |(create, update, delete, delete_scope, manage_roles, default_role, exempt, recreate)| PlanPolicy {
            default_role,
            create,
            update,
            delete,
            delete_scope,
            manage_roles,
            exempt: exempt.into_iter().map(|g| AddressGlob::new(g).unwrap()).collect(),
            // Config validation allows recreate only with deletes on.
            rename: if recreate && delete { RenameMode::Recreate } else { RenameMode::Update },
        },
    )
}

/// What adsync remembers managing: some of the service's addresses, with or without the id
/// of the directory object each was for (one address per object, as a sync leaves it).
fn managed_of(accounts: &[Account], picks: &[bool], ids: &[Option<u32>]) -> Managed {
    let mut used = HashSet::new();
    let accounts = accounts
        .iter()
        .zip(picks.iter().cycle())
        .zip(ids.iter().cycle())
        .filter(|((_, pick), _)| **pick)
        .map(|((a, _), n)| (a.primary_email.to_lowercase(), n.filter(|n| used.insert(*n)).map(id)))
        .collect();
    Managed { accounts }
}

// ---------- applying a plan in memory ----------

fn position(accounts: &[Account], email: &str) -> Option<usize> {
    accounts.iter().position(|a| a.primary_email.eq_ignore_ascii_case(email))
}

/// The service after the changes `wanted` (ids) were sent, as the service would take them:
/// in apply order, and refusing a create or a rename onto an address it holds already.
/// Returns the service and the changes that went through.
fn apply_in_memory(accounts: &[Account], plan: &Plan, wanted: &HashSet<usize>) -> (Vec<Account>, HashSet<usize>) {
    let mut after = accounts.to_vec();
    let mut done = HashSet::new();
    for change in plan.changes.iter().filter(|c| wanted.contains(&c.id)) {
        let went_through = match &change.op {
            Op::Create { account } if position(&after, &account.primary_email).is_none() => {
                after.push(account.clone());
                true
            }
            Op::Update { email, after: new, .. } => {
                let k = position(&after, email).expect("an update is of an account the service holds");
                let taken = position(&after, &new.primary_email).is_some_and(|other| other != k);
                if !taken {
                    after[k] = (**new).clone();
                }
                !taken
            }
            Op::Delete { account } => {
                let k = position(&after, &account.primary_email).expect("a delete is of an account the service holds");
                after.remove(k);
                true
            }
            Op::Create { .. } => false,
        };
        if went_through {
            done.insert(change.id);
        }
    }
    (after, done)
}

/// Creates of an address the service holds and this plan does not free first.
fn doomed_creates(plan: &Plan, service: &[Account]) -> Vec<String> {
    let freed: HashSet<String> = plan
        .changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::Update { email, after, .. } if !after.primary_email.eq_ignore_ascii_case(email) => {
                Some(email.to_lowercase())
            }
            Op::Delete { account } => Some(account.primary_email.to_lowercase()),
            _ => None,
        })
        .collect();
    plan.changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::Create { account } => Some(account.primary_email.to_lowercase()),
            _ => None,
        })
        .filter(|a| position(service, a).is_some() && !freed.contains(a))
        .collect()
}

fn all_ids(plan: &Plan) -> HashSet<usize> {
    plan.changes.iter().map(|c| c.id).collect()
}

/// Proptest's default: 256 cases, or as many as `PROPTEST_CASES` asks for.
fn config() -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// Every user and group is either synced or skipped with a reason; what is synced has one
    /// owner per address, lower-cased, in address order; computers and the like are ignored.
    #[test]
    fn classification_accounts_for_every_object(objects in directory()) {
        let considered = objects.iter().filter(|o| o.class != ObjectClass::Other).count();
        let c = classify(objects, &Policy::default());
        prop_assert_eq!(c.entries.len() + c.skipped.len(), considered);
        let mut owners: HashMap<String, &str> = HashMap::new();
        for e in &c.entries {
            for a in std::iter::once(&e.primary_email).chain(&e.aliases) {
                prop_assert_eq!(a, &a.to_lowercase());
                prop_assert!(a.contains('@'));
                let owner = owners.insert(a.clone(), &e.dn);
                prop_assert!(owner.is_none_or(|o| o == e.dn), "{a} synced for two objects");
            }
        }
        prop_assert!(c.entries.windows(2).all(|w| w[0].primary_email < w[1].primary_email));
    }

    /// Classification streams: the order objects arrive in does not change the result.
    #[test]
    fn classification_does_not_depend_on_arrival_order(objects in directory(), seed in any::<u64>()) {
        let mut shuffled = objects.clone();
        let mut rng = fastrand::Rng::with_seed(seed);
        rng.shuffle(&mut shuffled);
        let (a, b) = (classify(objects, &Policy::default()), classify(shuffled, &Policy::default()));
        prop_assert_eq!(&a.entries, &b.entries);
        let reasons = |c: &adsync::model::Classification| {
            let mut v: Vec<_> = c.skipped.iter().map(|s| (s.dn.clone(), s.reason)).collect();
            v.sort();
            v
        };
        prop_assert_eq!(reasons(&a), reasons(&b));
    }

    /// No write touches an admin account or an exempt address, whatever the policy.
    #[test]
    fn admins_and_exemptions_are_never_touched(
        objects in directory(), accounts in accounts(), policy in policy(),
        picks in prop::collection::vec(any::<bool>(), 1..8), ids in prop::collection::vec(prop::option::of(0..24u32), 1..8),
    ) {
        let c = classify(objects, &Policy::default());
        let managed = managed_of(&accounts, &picks, &ids);
        let p = plan(&c.entries, &c.still_present, &accounts, &managed, &policy);
        let exempt = |a: &str| policy.exempt.iter().any(|g| g.matches(a));
        for change in &p.changes {
            let (touched, admin) = match &change.op {
                Op::Create { account } => (vec![account.primary_email.as_str()], false),
                Op::Update { email, before, after, .. } => (vec![email.as_str(), after.primary_email.as_str()], before.is_admin()),
                Op::Delete { account } => (vec![account.primary_email.as_str()], account.is_admin()),
            };
            prop_assert!(!admin, "{:?} touches an admin", change.op);
            prop_assert!(touched.iter().all(|a| !exempt(a)), "{:?} touches an exempt address", change.op);
        }
        prop_assert!(policy.delete || p.changes.iter().all(|c| !c.is_delete()));
        let creates = p.changes.iter().filter(|c| matches!(c.op, Op::Create { .. })).count();
        prop_assert!(policy.create || creates == 0);
    }

    /// Applying the whole plan and planning again finds nothing left to do.
    #[test]
    fn a_plan_applied_leaves_nothing_to_do(
        objects in directory(), accounts in accounts(), policy in policy(),
        picks in prop::collection::vec(any::<bool>(), 1..8), ids in prop::collection::vec(prop::option::of(0..24u32), 1..8),
    ) {
        let c = classify(objects, &Policy::default());
        let managed = managed_of(&accounts, &picks, &ids);
        let first = plan(&c.entries, &c.still_present, &accounts, &managed, &policy);
        prop_assert!(doomed_creates(&first, &accounts).is_empty(), "creates the service would refuse: {:?}", doomed_creates(&first, &accounts));
        let (service, done) = apply_in_memory(&accounts, &first, &all_ids(&first));
        prop_assert_eq!(done.len(), first.changes.len(), "the service refused part of a plan applied in full");
        let again = plan(&c.entries, &c.still_present, &service, &first.managed_after, &policy);
        prop_assert!(again.changes.is_empty(), "still to do after applying: {:?}", again.changes);
    }

    /// Whatever part of a plan went through (a crash, a cancel, failures), planning again and
    /// applying that converges, and nothing already created is created twice.
    #[test]
    fn a_partial_apply_converges(
        objects in directory(), accounts in accounts(), policy in policy(),
        picks in prop::collection::vec(any::<bool>(), 1..8), ids in prop::collection::vec(prop::option::of(0..24u32), 1..8),
        done in prop::collection::vec(any::<bool>(), 1..16),
    ) {
        let c = classify(objects, &Policy::default());
        let managed = managed_of(&accounts, &picks, &ids);
        let first = plan(&c.entries, &c.still_present, &accounts, &managed, &policy);
        let sent: HashSet<usize> = first.changes.iter().filter(|ch| done[ch.id % done.len()]).map(|ch| ch.id).collect();
        let (service, applied) = apply_in_memory(&accounts, &first, &sent);
        let remembered = managed_after(&first, &applied);
        let second = plan(&c.entries, &c.still_present, &service, &remembered, &policy);
        prop_assert!(doomed_creates(&second, &service).is_empty(), "creates the service would refuse: {:?}", doomed_creates(&second, &service));
        let (service, _) = apply_in_memory(&service, &second, &all_ids(&second));
        let third = plan(&c.entries, &c.still_present, &service, &second.managed_after, &policy);
        prop_assert!(third.changes.is_empty(), "not converged: {:?}", third.changes);
    }

    /// The guards block every run with too many deletes, an incomplete read or no users,
    /// unless the matching override covers it; and a passing verdict really is within limits.
    #[test]
    fn guards_hold_the_line(
        complete in any::<bool>(), users in 0..50usize, deletes in 0..60usize, accounts in 0..500usize,
        objects in 0..1000usize, last in prop::option::of(0..1000usize),
        max_deletes in 0..40u32, max_delete_percent in 0.0..50.0f64, max_shrink_percent in 0.0..50.0f64,
        allow_deletes in prop::option::of(0..60usize), allow_shrink in any::<bool>(),
    ) {
        let input = GuardInput { complete, users, directory_objects: objects, last_good_objects: last, deletes, target_accounts: accounts, ..GuardInput::default() };
        let limits = GuardConfig { max_deletes, max_delete_percent, max_shrink_percent, respect_licenses: false };
        let verdict = guard::check(&input, &limits, Overrides { allow_deletes, allow_shrink });
        let deletes_allowed = allow_deletes.is_some_and(|n| deletes <= n);
        let share = if accounts == 0 { 0.0 } else { deletes as f64 * 100.0 / accounts as f64 };
        let too_many = deletes > max_deletes as usize || (deletes > 0 && share > max_delete_percent);
        let shrank = last.is_some_and(|l| l > 0 && (l.saturating_sub(objects)) as f64 * 100.0 / l as f64 > max_shrink_percent);
        if !complete || users == 0 || (too_many && !deletes_allowed) || (shrank && !allow_shrink) {
            prop_assert!(!verdict.ok(), "{input:?} passed");
        } else {
            prop_assert!(verdict.ok(), "{input:?} blocked: {:?}", verdict.blocks);
        }
    }

    /// Scheduled runs land on :00 or :30 UTC, at least `frequency` after the last good run,
    /// and never more than `frequency` and half an hour away — even after a long sleep or a
    /// clock that went backwards past the last run.
    #[test]
    fn the_next_run_is_on_the_half_hour_and_within_one_period(
        hours in prop::sample::select(vec![1u32, 3, 6, 12, 24]),
        now in 1_600_000_000i64..2_000_000_000, ago in prop::option::of(-86_400i64..40_000_000), nanos in 0..1_000_000_000i32,
    ) {
        let now = jiff::Timestamp::new(now, nanos).unwrap();
        let last = ago.map(|s| now - jiff::SignedDuration::from_secs(s));
        let next = next_run_after(now, hours, last);
        let period = jiff::SignedDuration::from_hours(i64::from(hours));
        prop_assert_eq!(next.as_second() % 1800, 0);
        prop_assert_eq!(next.subsec_nanosecond(), 0);
        prop_assert!(next >= now);
        if let Some(last) = last.filter(|l| *l <= now) {
            prop_assert!(next >= last + period, "{next} is sooner than {hours} h after {last}");
        }
        prop_assert!(next <= now + period + jiff::SignedDuration::from_mins(30), "{next} is more than a period away from {now}");
    }

    /// Arbitrary text is a config or an error that says where; never a panic.
    #[test]
    fn the_config_loader_never_panics_on_text(text in "\\PC{0,400}") {
        let _ = Config::parse(&text, "fuzz.toml");
    }

    /// The example config with bytes changed here and there: an error or a config, never a panic.
    #[test]
    fn the_config_loader_never_panics_on_a_damaged_example(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = include_bytes!("../config/adsync.example.toml").to_vec();
        for (at, byte) in edits {
            let k = at.index(bytes.len());
            bytes[k] = byte;
        }
        let _ = Config::parse(&String::from_utf8_lossy(&bytes), "fuzz.toml");
    }
}

/// CSV-ish bytes: mostly the characters that matter to the reader (separators, quotes, line
/// ends, `@`, a BOM's and a bad byte), so the generator reaches past the first check.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            &b","[..],
            b";",
            b"\t",
            b"\"",
            b"\n",
            b"\r\n",
            b"@",
            b"a",
            b"x.com",
            b"\xEF\xBB\xBF",
            b"\xFF"
        ])
        .prop_map(|b| b.to_vec()),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    /// The CSV reader on any bytes gives rows or an error, never a panic; the rows it gives
    /// have one owner per address and come in file order.
    #[test]
    fn the_csv_reader_never_panics_and_its_rows_are_consistent(bytes in csv_bytes()) {
        if let Ok(rows) = adsync::source::csv::parse_any(&bytes) {
            let primaries: HashSet<&str> = rows.iter().map(|r| r.primary.as_str()).collect();
            prop_assert_eq!(primaries.len(), rows.len());
            for row in &rows {
                prop_assert!(row.aliases.iter().all(|a| !primaries.contains(a.as_str())));
            }
            prop_assert!(rows.windows(2).all(|w| w[0].line < w[1].line));
        }
    }
}

#[test]
fn the_in_memory_apply_is_what_the_properties_rely_on() {
    // A rename moves the account to its new address; a delete removes it.
    let old = Account::new("old@example.com", AccountType::SilentUser);
    let mut renamed = old.clone();
    renamed.primary_email = "new@example.com".into();
    let plan = Plan {
        changes: vec![adsync::sync::plan::Change {
            id: 0,
            op: Op::Update {
                email: old.primary_email.clone(),
                before: Box::new(old.clone()),
                after: Box::new(renamed),
                fields: vec![],
            },
            reason: String::new(),
            directory_id: None,
        }],
        ..Plan::default()
    };
    let (after, done) = apply_in_memory(&[old], &plan, &all_ids(&plan));
    assert_eq!(done, all_ids(&plan));
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].primary_email, "new@example.com");
}
