use super::*;
use crate::model::{GroupKind, MailboxPurpose, ObjectId};

fn user(dn: &str, primary: &str) -> DirObject {
    let mut o = DirObject::new(dn, ObjectClass::User);
    o.proxy_addresses = vec![format!("SMTP:{primary}")];
    o.user_account_control = Some(512);
    o.given_name = Some("Ann".into());
    o.surname = Some("Lee".into());
    o
}

fn group(dn: &str, mail: Option<&str>, group_type: i32) -> DirObject {
    let mut o = DirObject::new(dn, ObjectClass::Group);
    o.mail = mail.map(str::to_string);
    o.group_type = Some(group_type);
    o
}

fn only(objects: &[DirObject], policy: &Policy) -> Result<DirectoryEntry, SkipReason> {
    let c = classify(objects.to_vec(), policy);
    match (c.entries.as_slice(), c.skipped.as_slice()) {
        ([e], []) => Ok(e.clone()),
        ([], [s]) => Err(s.reason),
        other => panic!("expected one result, got {other:?}"),
    }
}

fn with(f: impl FnOnce(&mut Include)) -> Policy {
    let mut p = Policy::default();
    f(&mut p.include);
    p
}

#[test]
fn skip_reasons_table() {
    let disabled = |mut o: DirObject| {
        o.user_account_control = Some(514);
        o
    };
    let hidden = |mut o: DirObject| {
        o.hidden_from_gal = true;
        o
    };
    let shared = |mut o: DirObject| {
        o.recipient_type_details = Some(4);
        o.user_account_control = Some(514);
        o
    };
    let base = user("cn=a,dc=x", "a@x.com");
    let no_mail = DirObject::new("cn=n,dc=x", ObjectClass::User);
    let sg = group("cn=sg,dc=x", Some("sg@x.com"), -2147483646);
    let sg_nomail = group("cn=sg,dc=x", None, -2147483646);
    let dl = group("cn=dl,dc=x", Some("dl@x.com"), 8);
    let cases: Vec<(&str, DirObject, Policy, Result<EntryKind, SkipReason>)> = vec![
        ("active user", base.clone(), Policy::default(), Ok(EntryKind::User)),
        ("active users off", base.clone(), with(|i| i.active_users = false), Err(SkipReason::ActiveUser)),
        ("disabled, default", disabled(base.clone()), Policy::default(), Err(SkipReason::Disabled)),
        ("disabled, included", disabled(base.clone()), with(|i| i.disabled_users = true), Ok(EntryKind::User)),
        (
            "disabled, only disabled wanted",
            disabled(base.clone()),
            with(|i| {
                i.disabled_users = true;
                i.active_users = false
            }),
            Ok(EntryKind::User),
        ),
        ("hidden, default", hidden(base.clone()), Policy::default(), Err(SkipReason::Hidden)),
        ("hidden, included", hidden(base.clone()), with(|i| i.hidden_from_gal = true), Ok(EntryKind::User)),
        ("no mailbox", no_mail, Policy::default(), Err(SkipReason::NoEmail)),
        (
            "shared mailbox is functional though disabled",
            shared(base.clone()),
            Policy::default(),
            Ok(EntryKind::Functional),
        ),
        (
            "shared mailbox, functional off",
            shared(base.clone()),
            with(|i| i.functional_accounts = false),
            Err(SkipReason::Functional),
        ),
        (
            "shared mailbox unaffected by active_users",
            shared(base.clone()),
            with(|i| i.active_users = false),
            Ok(EntryKind::Functional),
        ),
        ("mail-enabled security group", sg.clone(), Policy::default(), Ok(EntryKind::SecurityGroup)),
        ("security groups off", sg, with(|i| i.security_groups = false), Err(SkipReason::SecurityGroup)),
        ("security group without mail", sg_nomail, Policy::default(), Err(SkipReason::NoEmail)),
        ("distribution list", dl.clone(), Policy::default(), Ok(EntryKind::Functional)),
        (
            "distribution list, functional off",
            dl.clone(),
            with(|i| i.functional_accounts = false),
            Err(SkipReason::Functional),
        ),
        ("hidden distribution list", hidden(dl), Policy::default(), Err(SkipReason::Hidden)),
    ];
    for (name, obj, policy, want) in cases {
        let got = only(&[obj], &policy).map(|e| e.kind);
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn room_and_equipment_mailboxes_are_functional() {
    for rtd in [16, 32] {
        let mut o = user("cn=r,dc=x", "room@x.com");
        o.recipient_type_details = Some(rtd);
        assert_eq!(kind_of(&o), EntryKind::Functional);
    }
    let mut o = user("cn=u,dc=x", "u@x.com");
    o.recipient_type_details = Some(1); // user mailbox
    assert_eq!(kind_of(&o), EntryKind::User);
}

#[test]
fn enabled_is_the_directory_flag_even_for_functional_accounts() {
    let mut o = user("cn=s,dc=x", "shared@x.com");
    o.recipient_type_details = Some(4);
    o.user_account_control = Some(514);
    let e = only(&[o], &Policy::default()).unwrap();
    assert!(!e.enabled);
}

#[test]
fn addresses_primary_aliases_and_noise() {
    let mut o = DirObject::new("cn=a,dc=x", ObjectClass::User);
    o.mail = Some("Ann.Lee@Example.com".into());
    o.proxy_addresses = vec![
        "smtp:zed@example.com".into(),
        "SMTP:ALEE@example.com".into(),
        "X500:/o=Org/ou=x/cn=alee".into(),
        "SIP:alee@example.com".into(),
        "smtp:alee@example.com".into(),
        "smtp:b@legacy.example.com".into(),
        "smtp:not-an-address".into(),
    ];
    let (primary, aliases) = addresses(&o).unwrap();
    assert_eq!(primary, "alee@example.com");
    assert_eq!(aliases, vec!["ann.lee@example.com", "b@legacy.example.com", "zed@example.com"]);
}

#[test]
fn mail_alone_is_the_primary() {
    let mut o = DirObject::new("cn=a,dc=x", ObjectClass::User);
    o.mail = Some(" A@X.com ".into());
    assert_eq!(addresses(&o), Some(("a@x.com".into(), vec![])));
}

#[test]
fn lower_case_smtp_only_still_has_no_primary_unless_mail() {
    let mut o = DirObject::new("cn=a,dc=x", ObjectClass::User);
    o.proxy_addresses = vec!["smtp:a@x.com".into()];
    assert_eq!(addresses(&o), None);
}

#[test]
fn conflicts_are_reported_on_both_and_synced_on_neither() {
    let a = user("cn=a,dc=x", "a@x.com");
    let mut b = user("cn=b,dc=x", "b@x.com");
    b.proxy_addresses.push("smtp:A@x.com".into());
    let c = user("cn=c,dc=x", "c@x.com");
    let out = classify(vec![a, b, c], &Policy::default());
    assert_eq!(out.entries.iter().map(|e| e.primary_email.as_str()).collect::<Vec<_>>(), ["c@x.com"]);
    assert_eq!(
        out.skipped,
        vec![
            Skipped::new("cn=a,dc=x".into(), SkipReason::Conflict),
            Skipped::new("cn=b,dc=x".into(), SkipReason::Conflict),
        ]
    );
}

#[test]
fn skipped_objects_do_not_cause_conflicts() {
    let a = user("cn=a,dc=x", "a@x.com");
    let mut b = user("cn=b,dc=x", "a@x.com");
    b.user_account_control = Some(514);
    let out = classify(vec![a, b], &Policy::default());
    assert_eq!(out.entries.len(), 1);
    assert_eq!(out.skipped[0].reason, SkipReason::Disabled);
}

#[test]
fn exclusions_by_subtree_and_address() {
    let policy = Policy {
        exclude_subtrees: vec![Dn::parse("OU=Test,DC=x").unwrap()],
        exclude_addresses: vec![AddressGlob::new("*@legacy.x.com").unwrap()],
        ..Default::default()
    };
    assert_eq!(only(&[user("CN=t,ou=test,dc=X", "t@x.com")], &policy), Err(SkipReason::Excluded));
    assert_eq!(only(&[user("cn=l,dc=x", "l@legacy.x.com")], &policy), Err(SkipReason::Excluded));
    let mut o = user("cn=a,dc=x", "a@x.com");
    o.proxy_addresses.push("smtp:a@legacy.x.com".into());
    assert!(only(&[o], &policy).unwrap().aliases.is_empty());
}

#[test]
fn excluded_alias_no_longer_conflicts() {
    let policy = Policy { exclude_addresses: vec![AddressGlob::new("*@legacy.x.com").unwrap()], ..Default::default() };
    let mut a = user("cn=a,dc=x", "a@x.com");
    a.proxy_addresses.push("smtp:shared@legacy.x.com".into());
    let mut b = user("cn=b,dc=x", "b@x.com");
    b.proxy_addresses.push("smtp:shared@legacy.x.com".into());
    assert_eq!(classify(vec![a, b], &policy).entries.len(), 2);
}

#[test]
fn groups_report_member_count_users_do_not() {
    let mut g = group("cn=dl,dc=x", Some("dl@x.com"), 8);
    g.member_count = None; // no member attribute at all: an empty group
    let e = only(&[g], &Policy::default()).unwrap();
    assert_eq!(e.member_count, Some(0));
    let u = only(&[user("cn=a,dc=x", "a@x.com")], &Policy::default()).unwrap();
    assert_eq!(u.member_count, None);
}

#[test]
fn id_and_names_are_carried() {
    let mut o = user("cn=a,dc=x", "a@x.com");
    o.id = ObjectId::parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    o.display_name = Some("Ann Lee".into());
    let e = only(&[o], &Policy::default()).unwrap();
    assert_eq!(e.id.unwrap().to_string(), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    assert_eq!(
        (e.first_name.as_deref(), e.last_name.as_deref(), e.display_name.as_deref()),
        (Some("Ann"), Some("Lee"), Some("Ann Lee"))
    );
}

#[test]
fn output_is_sorted_for_stable_diffs() {
    let out = classify(vec![user("cn=z,dc=x", "z@x.com"), user("cn=a,dc=x", "a@x.com")], &Policy::default());
    assert_eq!(out.entries[0].primary_email, "a@x.com");
}

#[test]
fn skipped_objects_are_still_present_with_their_reason() {
    let mut disabled = user("cn=d,dc=x", "d@x.com");
    disabled.user_account_control = Some(514);
    disabled.id = ObjectId::parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    disabled.proxy_addresses.push("smtp:d.alias@x.com".into());
    let a = user("cn=a,dc=x", "a@x.com");
    let mut b = user("cn=b,dc=x", "b@x.com");
    b.proxy_addresses.push("smtp:a@x.com".into());
    let out = classify(vec![disabled, a, b], &Policy::default());
    let p = &out.still_present;
    assert_eq!(p.reason("D.Alias@x.com", None), Some(SkipReason::Disabled));
    assert_eq!(
        p.reason("nobody@x.com", ObjectId::parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
        Some(SkipReason::Disabled)
    );
    assert_eq!(p.reason("b@x.com", None), Some(SkipReason::Conflict));
    assert_eq!(p.reason("c@x.com", None), None);
}

/// An Entra ID user as the Graph source maps it: its facts stated, no AD attributes.
fn entra_user(upn: &str, enabled: bool) -> DirObject {
    let mut o = DirObject::new(upn, ObjectClass::User);
    o.mail = Some(upn.to_string());
    o.account_enabled = Some(enabled);
    o
}

fn entra_group(name: &str, kind: GroupKind) -> DirObject {
    let mut o = DirObject::new(format!("groups/{name}"), ObjectClass::Group);
    o.mail = Some(format!("{name}@x.com"));
    o.group_kind = Some(kind);
    o
}

#[test]
fn stated_facts_decide_where_a_directory_gives_them() {
    let guest = |mut o: DirObject| {
        o.guest = true;
        o
    };
    let purpose = |mut o: DirObject, p| {
        o.mailbox_purpose = Some(p);
        o
    };
    let cases: Vec<(&str, DirObject, Policy, Result<EntryKind, SkipReason>)> = vec![
        ("enabled member", entra_user("a@x.com", true), Policy::default(), Ok(EntryKind::User)),
        ("disabled member", entra_user("a@x.com", false), Policy::default(), Err(SkipReason::Disabled)),
        ("guest", guest(entra_user("g@ext.com", true)), Policy::default(), Err(SkipReason::Guest)),
        ("guest, included", guest(entra_user("g@ext.com", true)), with(|i| i.guests = true), Ok(EntryKind::User)),
        (
            "guest without mail is a guest first",
            guest(DirObject::new("g#EXT#@x.com", ObjectClass::User)),
            Policy::default(),
            Err(SkipReason::Guest),
        ),
        (
            "shared mailbox, account disabled",
            purpose(entra_user("s@x.com", false), MailboxPurpose::Shared),
            Policy::default(),
            Ok(EntryKind::Functional),
        ),
        (
            "room",
            purpose(entra_user("r@x.com", true), MailboxPurpose::Room),
            Policy::default(),
            Ok(EntryKind::Functional),
        ),
        (
            "equipment",
            purpose(entra_user("e@x.com", true), MailboxPurpose::Equipment),
            Policy::default(),
            Ok(EntryKind::Functional),
        ),
        (
            "user mailbox",
            purpose(entra_user("u@x.com", true), MailboxPurpose::User),
            Policy::default(),
            Ok(EntryKind::User),
        ),
        (
            "mail-enabled security group",
            entra_group("sg", GroupKind::Security),
            Policy::default(),
            Ok(EntryKind::SecurityGroup),
        ),
        (
            "distribution group",
            entra_group("dl", GroupKind::Distribution),
            Policy::default(),
            Ok(EntryKind::Functional),
        ),
        (
            "Microsoft 365 group",
            entra_group("team", GroupKind::Microsoft365),
            Policy::default(),
            Ok(EntryKind::Functional),
        ),
    ];
    for (name, obj, policy, want) in cases {
        assert_eq!(only(&[obj], &policy).map(|e| e.kind), want, "{name}");
    }
}

#[test]
fn a_stated_fact_wins_over_the_ad_attribute() {
    let mut o = entra_user("a@x.com", true);
    o.user_account_control = Some(514);
    assert!(only(&[o], &Policy::default()).unwrap().enabled);
    let mut g = entra_group("dl", GroupKind::Distribution);
    g.group_type = Some(-2147483646);
    assert_eq!(only(&[g], &Policy::default()).unwrap().kind, EntryKind::Functional);
}
