use super::*;
use crate::model::ChangeKind::{Create, Delete, Update};
use crate::model::SkipReason;

fn id(n: u8) -> ObjectId {
    ObjectId(uuid::Uuid::from_bytes([n; 16]))
}

fn person(n: u8, email: &str) -> DirectoryEntry {
    DirectoryEntry {
        id: Some(id(n)),
        dn: format!("cn=p{n},dc=x"),
        kind: EntryKind::User,
        primary_email: email.into(),
        aliases: vec![],
        first_name: Some(format!("First{n}")),
        last_name: Some(format!("Last{n}")),
        display_name: None,
        enabled: true,
        hidden: false,
        member_count: None,
        source: None,
    }
}

fn account(email: &str, role: AccountType) -> Account {
    let mut a = Account::new(email, role);
    a.first_name = None;
    a
}

/// The service's copy of a directory person, exactly as a previous sync would have left it.
fn synced(entry: &DirectoryEntry) -> Account {
    desired_account(entry, DefaultRole::SilentUser)
}

fn managed(pairs: &[(&str, Option<u8>)]) -> Managed {
    Managed { accounts: pairs.iter().map(|(e, n)| (e.to_string(), n.map(id))).collect() }
}

fn deletes_on(scope: DeleteScope) -> PlanPolicy {
    PlanPolicy { delete: true, delete_scope: scope, ..PlanPolicy::default() }
}

fn run(entries: &[DirectoryEntry], accounts: &[Account], m: &Managed, policy: &PlanPolicy) -> Plan {
    plan(entries, &Presence::default(), accounts, m, policy)
}

fn actions(p: &Plan) -> Vec<(ChangeKind, String)> {
    p.changes.iter().map(|c| (c.kind(), c.email().to_string())).collect()
}

fn left(p: &Plan, email: &str) -> Option<Untouched> {
    p.untouched.iter().find(|l| l.email == email).map(|l| l.reason.clone())
}

fn fields(p: &Plan, email: &str) -> Vec<FieldChange> {
    p.changes
        .iter()
        .find_map(|c| match &c.op {
            Op::Update { email: e, fields, .. } if e == email => Some(fields.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn pair(kind: ChangeKind, email: &str) -> (ChangeKind, String) {
    (kind, email.into())
}

#[test]
fn first_sync_creates_everyone_with_the_default_role() {
    let entries = [person(1, "a@x.com"), person(2, "b@x.com")];
    let p = run(&entries, &[], &Managed::default(), &PlanPolicy::default());
    assert_eq!(actions(&p), [pair(Create, "a@x.com"), pair(Create, "b@x.com")]);
    let Op::Create { account } = &p.changes[0].op else { panic!() };
    assert_eq!(account.account_type, Some(AccountType::SilentUser));
    let end_users = PlanPolicy { default_role: DefaultRole::EndUser, ..PlanPolicy::default() };
    let Op::Create { account } = &run(&entries, &[], &Managed::default(), &end_users).changes[0].op else { panic!() };
    assert_eq!(account.account_type, Some(AccountType::EndUser));
    assert_eq!(p.managed_after.accounts.len(), 2);
}

#[test]
fn a_second_run_with_no_change_plans_nothing() {
    let entries = [person(1, "a@x.com"), person(2, "b@x.com")];
    let accounts: Vec<Account> = entries.iter().map(synced).collect();
    let m = managed(&[("a@x.com", Some(1)), ("b@x.com", Some(2))]);
    let p = run(&entries, &accounts, &m, &deletes_on(DeleteScope::Managed));
    assert!(p.changes.is_empty(), "{:?}", actions(&p));
    assert_eq!(p.in_sync, 2);
}

#[test]
fn a_changed_primary_address_is_one_update_thanks_to_the_remembered_id() {
    let before = person(1, "ann.lee@x.com");
    let mut after = before.clone();
    after.primary_email = "ann.smith@x.com".into();
    let m = managed(&[("ann.lee@x.com", Some(1))]);
    let p = run(&[after], &[synced(&before)], &m, &deletes_on(DeleteScope::Managed));
    assert_eq!(actions(&p), [pair(Update, "ann.lee@x.com")]);
    assert_eq!(
        fields(&p, "ann.lee@x.com")[0],
        FieldChange::PrimaryEmail { from: "ann.lee@x.com".into(), to: "ann.smith@x.com".into() }
    );
    assert_eq!(p.managed_after.accounts.get("ann.smith@x.com"), Some(&Some(id(1))));
}

#[test]
fn without_a_remembered_id_a_rename_is_delete_plus_create() {
    let before = person(1, "ann.lee@x.com");
    let mut after = before.clone();
    after.primary_email = "ann.smith@x.com".into();
    let m = managed(&[("ann.lee@x.com", None)]);
    let p = run(&[after], &[synced(&before)], &m, &deletes_on(DeleteScope::Managed));
    assert_eq!(actions(&p), [pair(Delete, "ann.lee@x.com"), pair(Create, "ann.smith@x.com")]);
}

#[test]
fn case_changes_are_not_changes() {
    let entry = person(1, "ann@x.com");
    let mut account = synced(&entry);
    account.primary_email = "Ann@X.com".into();
    account.aliases = vec![];
    let mut entry2 = entry.clone();
    entry2.aliases = vec!["a2@x.com".into()];
    account.aliases = vec!["A2@X.COM".into()];
    let p = run(&[entry2], &[account], &Managed::default(), &PlanPolicy::default());
    assert!(p.changes.is_empty(), "{:?}", p.changes);
}

#[test]
fn alias_moves_between_users_remove_before_they_add() {
    let mut a = person(1, "a@x.com");
    let mut b = person(2, "b@x.com");
    let mut a_old = synced(&a);
    a_old.aliases = vec!["team@x.com".into()];
    a.aliases = vec![];
    b.aliases = vec!["team@x.com".into()];
    let p = run(&[a, b.clone()], &[a_old, synced(&person(2, "b@x.com"))], &Managed::default(), &PlanPolicy::default());
    assert_eq!(fields(&p, "a@x.com"), [FieldChange::AliasesRemoved { aliases: vec!["team@x.com".into()] }]);
    assert_eq!(fields(&p, "b@x.com"), [FieldChange::AliasesAdded { aliases: vec!["team@x.com".into()] }]);
    let order: Vec<&str> = p.changes.iter().map(Change::email).collect();
    assert_eq!(order, ["a@x.com", "b@x.com"], "both are updates, in address order");
}

#[test]
fn admins_are_never_touched() {
    let entry = person(1, "boss@x.com");
    let admin = account("boss@x.com", AccountType::OrganizationAdmin);
    let stray_admin = account("partner@x.com", AccountType::Other("partner_admin".into()));
    let p = run(&[entry], &[admin, stray_admin], &managed(&[("partner@x.com", None)]), &deletes_on(DeleteScope::All));
    assert!(p.changes.is_empty(), "{:?}", actions(&p));
    assert_eq!(left(&p, "boss@x.com"), Some(Untouched::Admin));
    assert_eq!(left(&p, "partner@x.com"), Some(Untouched::Admin));
}

#[test]
fn exemptions_are_never_touched() {
    let policy = PlanPolicy {
        exempt: vec![AddressGlob::new("postmaster@x.com").unwrap(), AddressGlob::new("*@partners.x.com").unwrap()],
        ..deletes_on(DeleteScope::All)
    };
    let mut changed = person(1, "postmaster@x.com");
    changed.first_name = Some("Renamed".into());
    let p = run(
        &[changed, person(2, "new@partners.x.com")],
        &[synced(&person(1, "postmaster@x.com")), account("old@partners.x.com", AccountType::EndUser)],
        &Managed::default(),
        &policy,
    );
    assert!(p.changes.is_empty(), "{:?}", actions(&p));
    for email in ["postmaster@x.com", "new@partners.x.com", "old@partners.x.com"] {
        assert_eq!(left(&p, email), Some(Untouched::Exempt), "{email}");
    }
}

#[test]
fn hand_set_roles_are_kept_unless_roles_are_managed() {
    let entry = person(1, "a@x.com");
    let mut promoted = synced(&entry);
    promoted.account_type = Some(AccountType::EndUser);
    let p =
        run(std::slice::from_ref(&entry), std::slice::from_ref(&promoted), &Managed::default(), &PlanPolicy::default());
    assert!(p.changes.is_empty(), "kept");
    let manage = PlanPolicy { manage_roles: true, ..PlanPolicy::default() };
    let p = run(&[entry], &[promoted], &Managed::default(), &manage);
    assert_eq!(fields(&p, "a@x.com"), [FieldChange::Role { from: Some("end_user".into()), to: "silent_user".into() }]);
}

#[test]
fn unmanaged_accounts_are_deleted_only_with_scope_all() {
    let discovered = account("found-by-smtp@x.com", AccountType::SilentUser);
    let ours = account("left@x.com", AccountType::SilentUser);
    let m = managed(&[("left@x.com", Some(9))]);
    let p = run(&[], &[discovered.clone(), ours.clone()], &m, &deletes_on(DeleteScope::Managed));
    assert_eq!(actions(&p), [pair(Delete, "left@x.com")]);
    assert_eq!(left(&p, "found-by-smtp@x.com"), Some(Untouched::Unmanaged));
    let p = run(&[], &[discovered, ours], &m, &deletes_on(DeleteScope::All));
    assert_eq!(actions(&p), [pair(Delete, "found-by-smtp@x.com"), pair(Delete, "left@x.com")]);
}

#[test]
fn with_deletes_off_nothing_is_deleted_and_the_review_says_why() {
    let p = run(
        &[],
        &[account("gone@x.com", AccountType::SilentUser)],
        &managed(&[("gone@x.com", None)]),
        &PlanPolicy::default(),
    );
    assert!(p.changes.is_empty());
    assert_eq!(left(&p, "gone@x.com"), Some(Untouched::DeletesOff));
}

#[test]
fn objects_still_in_the_directory_are_not_deleted_for_being_skipped() {
    let mut present = Presence::default();
    present.addresses.insert("off@x.com".into(), SkipReason::Disabled);
    present.ids.insert(id(7), SkipReason::Hidden);
    present.addresses.insert("clash@x.com".into(), SkipReason::Conflict);
    let m = managed(&[("off@x.com", Some(6)), ("renamed-hidden@x.com", Some(7)), ("clash@x.com", None)]);
    let accounts = [
        account("off@x.com", AccountType::SilentUser),
        account("renamed-hidden@x.com", AccountType::SilentUser),
        account("clash@x.com", AccountType::SilentUser),
    ];
    let p = plan(&[], &present, &accounts, &m, &deletes_on(DeleteScope::All));
    assert!(p.changes.is_empty(), "{:?}", actions(&p));
    assert_eq!(left(&p, "off@x.com"), Some(Untouched::StillInDirectory(SkipReason::Disabled)));
    assert_eq!(left(&p, "renamed-hidden@x.com"), Some(Untouched::StillInDirectory(SkipReason::Hidden)));
    assert_eq!(left(&p, "clash@x.com"), Some(Untouched::StillInDirectory(SkipReason::Conflict)));
    assert_eq!(p.managed_after.accounts.len(), 3, "still ours for when they come back");
}

#[test]
fn disabled_users_that_are_synced_become_inactive_not_deleted() {
    let entry = person(1, "a@x.com");
    let mut disabled = entry.clone();
    disabled.enabled = false;
    let p = run(&[disabled], &[synced(&entry)], &managed(&[("a@x.com", Some(1))]), &deletes_on(DeleteScope::All));
    assert_eq!(fields(&p, "a@x.com"), [FieldChange::Active { from: true, to: false }]);
    assert_eq!(p.changes[0].reason, "changed in the directory: disabled in the directory");
}

#[test]
fn disabled_shared_mailboxes_stay_active_functional_accounts() {
    let mut shared = person(3, "info@x.com");
    shared.kind = EntryKind::Functional;
    shared.enabled = false;
    shared.first_name = None;
    shared.last_name = None;
    shared.display_name = Some("Info desk".into());
    let p = run(&[shared.clone()], &[], &Managed::default(), &PlanPolicy::default());
    let Op::Create { account } = &p.changes[0].op else { panic!() };
    assert_eq!((account.is_active, account.account_type.clone()), (true, Some(AccountType::FunctionalAccount)));
    assert_eq!(account.first_name.as_deref(), Some("Info desk"));
    let again = run(&[shared.clone()], std::slice::from_ref(account), &Managed::default(), &PlanPolicy::default());
    assert!(again.changes.is_empty(), "idempotent");
}

#[test]
fn security_groups_become_functional_accounts_named_after_the_group() {
    let mut group = person(4, "sg-managers@x.com");
    group.kind = EntryKind::SecurityGroup;
    group.dn = "CN=SG-Managers,OU=Groups,DC=x".into();
    group.first_name = None;
    group.last_name = None;
    let p = run(&[group], &[], &Managed::default(), &PlanPolicy::default());
    let Op::Create { account } = &p.changes[0].op else { panic!() };
    assert_eq!(account.first_name.as_deref(), Some("SG-Managers"));
    assert_eq!(account.account_type, Some(AccountType::FunctionalAccount));
}

#[test]
fn creates_and_updates_can_be_switched_off() {
    let mut changed = person(1, "a@x.com");
    changed.last_name = Some("New".into());
    let accounts = [synced(&person(1, "a@x.com"))];
    let policy = PlanPolicy { create: false, update: false, ..PlanPolicy::default() };
    let p = run(&[changed, person(2, "b@x.com")], &accounts, &Managed::default(), &policy);
    assert!(p.changes.is_empty());
    assert_eq!(left(&p, "a@x.com"), Some(Untouched::UpdatesOff));
    assert_eq!(left(&p, "b@x.com"), Some(Untouched::CreatesOff));
}

#[test]
fn an_address_given_up_later_in_the_matching_goes_to_the_entry_at_it() {
    // adsync remembers cy@ for object 8, which now has the address ed@: object 8 moves to
    // the account at its address and gives cy@ up to the entry at cy@, whichever comes first.
    let mut at_cy = person(1, "cy@x.com");
    at_cy.id = None;
    let at_ed = person(8, "ed@x.com");
    let accounts = [synced(&at_cy), synced(&at_ed)];
    let m = managed(&[("cy@x.com", Some(8))]);
    for entries in [[at_cy.clone(), at_ed.clone()], [at_ed.clone(), at_cy.clone()]] {
        let p = run(&entries, &accounts, &m, &deletes_on(DeleteScope::Managed));
        assert!(p.changes.is_empty(), "{:?}", p.changes);
        assert_eq!(p.in_sync, 2);
    }
}

#[test]
fn with_creates_off_a_rename_to_recreate_is_left_as_it_is() {
    let before = person(1, "ann.lee@x.com");
    let mut after = before.clone();
    after.primary_email = "ann.smith@x.com".into();
    let m = managed(&[("ann.lee@x.com", Some(1))]);
    let policy = PlanPolicy { create: false, rename: RenameMode::Recreate, ..deletes_on(DeleteScope::Managed) };
    let p = run(&[after], &[synced(&before)], &m, &policy);
    assert!(p.changes.is_empty(), "{:?}", p.changes);
    assert_eq!(left(&p, "ann.lee@x.com"), Some(Untouched::CreatesOff));
    assert_eq!(p.managed_after.accounts.get("ann.lee@x.com"), Some(&Some(id(1))));
    assert_eq!(p.managed_after.accounts.get("ann.smith@x.com"), None);
}

#[test]
fn unknown_fields_survive_an_update() {
    let entry = person(1, "a@x.com");
    let mut current = synced(&entry);
    current.extra.insert("mobile".into(), serde_json::json!("+1 555"));
    current.uid = Some(crate::model::Uid::Number(42));
    let mut changed = entry.clone();
    changed.last_name = Some("Changed".into());
    let p = run(&[changed], &[current], &Managed::default(), &PlanPolicy::default());
    let Op::Update { after, .. } = &p.changes[0].op else { panic!() };
    assert_eq!(after.extra.get("mobile"), Some(&serde_json::json!("+1 555")));
    assert_eq!(after.uid, Some(crate::model::Uid::Number(42)));
}

#[test]
fn deletes_come_first_then_updates_then_creates() {
    let mut changed = person(2, "b@x.com");
    changed.last_name = Some("New".into());
    let accounts = [account("old@x.com", AccountType::SilentUser), synced(&person(2, "b@x.com"))];
    let p = run(
        &[person(1, "a@x.com"), changed],
        &accounts,
        &managed(&[("old@x.com", None)]),
        &deletes_on(DeleteScope::Managed),
    );
    assert_eq!(actions(&p), [pair(Delete, "old@x.com"), pair(Update, "b@x.com"), pair(Create, "a@x.com")]);
    assert_eq!(p.changes.iter().map(|c| c.id).collect::<Vec<_>>(), [0, 1, 2]);
}

// Found by tests/properties.rs: plans that a service would refuse, or that forget a person.

#[test]
fn no_rename_onto_an_address_another_account_holds() {
    let mut ann = person(1, "ann.smith@x.com");
    ann.last_name = Some("Smith".into());
    let old = synced(&person(1, "ann.lee@x.com"));
    let by_hand = account("ann.smith@x.com", AccountType::SilentUser);
    let m = managed(&[("ann.lee@x.com", Some(1))]);
    let p = run(&[ann], &[old, by_hand], &m, &deletes_on(DeleteScope::Managed));
    assert_eq!(actions(&p), [pair(Delete, "ann.lee@x.com"), pair(Update, "ann.smith@x.com")]);
}

#[test]
fn an_address_still_held_by_its_previous_owner_is_not_created_over_it() {
    // Bo had bo@x.com and is now bo.li@x.com; Cy was given bo@x.com. With updates off,
    // Bo's account keeps bo@x.com, so creating Cy's would be refused.
    let bo = person(1, "bo.li@x.com");
    let cy = person(2, "bo@x.com");
    let m = managed(&[("bo@x.com", Some(1))]);
    let no_updates = PlanPolicy { update: false, ..PlanPolicy::default() };
    let p = run(&[bo.clone(), cy.clone()], &[synced(&person(1, "bo@x.com"))], &m, &no_updates);
    assert!(p.changes.is_empty(), "{:?}", actions(&p));
    let reasons: Vec<_> = p.untouched.iter().filter(|l| l.email == "bo@x.com").map(|l| l.reason.clone()).collect();
    assert_eq!(reasons, [Untouched::UpdatesOff, Untouched::AddressTaken]);
    // With updates on, the rename frees the address first and the create follows.
    let p = run(&[bo, cy], &[synced(&person(1, "bo@x.com"))], &m, &PlanPolicy::default());
    assert_eq!(actions(&p), [pair(Update, "bo@x.com"), pair(Create, "bo@x.com")]);
}

#[test]
fn an_exempt_account_matched_by_id_stays_remembered() {
    let policy = PlanPolicy { exempt: vec![AddressGlob::new("*@legacy.x.com").unwrap()], ..PlanPolicy::default() };
    let m = managed(&[("ann@legacy.x.com", Some(1))]);
    let accounts = [synced(&person(1, "ann@legacy.x.com"))];
    let p = run(&[person(1, "ann@x.com")], &accounts, &m, &policy);
    assert!(p.changes.is_empty(), "{:?}", actions(&p));
    let again = run(&[person(1, "ann@x.com")], &accounts, &p.managed_after, &policy);
    assert!(again.changes.is_empty(), "a second account for Ann: {:?}", actions(&again));
}
