//! Entra ID users and groups as the directory objects the classifier takes (DESIGN.md,
//! "Entra ID (Microsoft Graph) source"): the same rules decide for them as for AD.

use super::objects::{Group, User};
use crate::model::{DirObject, GroupKind, ObjectClass, ObjectId};

/// The dn of a group in `search --json` and in the tree: Graph has no DNs, and group names
/// are what admins know them by.
pub fn group_dn(group: &Group) -> String {
    format!("groups/{}", group.display_name.as_deref().unwrap_or(&group.id))
}

/// A user's dn is its userPrincipalName (its id when Graph gave none).
pub fn user_dn(user: &User) -> String {
    user.user_principal_name.clone().unwrap_or_else(|| user.id.clone())
}

pub fn user_object(user: User) -> DirObject {
    let mut obj = DirObject::new(user_dn(&user), ObjectClass::User);
    obj.id = ObjectId::parse(&user.id);
    obj.guest = user.is_guest();
    obj.mail = user.mail;
    obj.proxy_addresses = user.proxy_addresses;
    obj.given_name = user.given_name;
    obj.surname = user.surname;
    obj.display_name = user.display_name;
    obj.account_enabled = user.account_enabled;
    obj.mailbox_purpose = user.mailbox_purpose;
    obj
}

/// What a group is for: Microsoft 365 groups are functional whatever their security flag.
pub fn group_kind(group: &Group) -> GroupKind {
    if group.group_types.iter().any(|t| t.eq_ignore_ascii_case("Unified")) {
        GroupKind::Microsoft365
    } else if group.security_enabled == Some(true) {
        GroupKind::Security
    } else {
        GroupKind::Distribution
    }
}

pub fn group_object(group: Group) -> DirObject {
    let mut obj = DirObject::new(group_dn(&group), ObjectClass::Group);
    obj.id = ObjectId::parse(&group.id);
    obj.group_kind = Some(group_kind(&group));
    obj.member_count = Some(group.member_count.unwrap_or(0));
    obj.display_name = group.display_name;
    // A group that is not mail-enabled has no mailbox, whatever addresses it lists.
    if group.mail_enabled == Some(true) {
        obj.mail = group.mail;
        obj.proxy_addresses = group.proxy_addresses;
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryKind, MailboxPurpose, SkipReason};
    use crate::source::classify::{Policy, classify};

    const ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

    fn user(upn: &str) -> User {
        User {
            id: ID.into(),
            user_principal_name: Some(upn.into()),
            mail: Some(upn.into()),
            account_enabled: Some(true),
            user_type: Some("Member".into()),
            ..User::default()
        }
    }

    fn group(name: &str, mail: bool, security: bool, types: &[&str]) -> Group {
        Group {
            id: ID.into(),
            display_name: Some(name.into()),
            mail: Some(format!("{name}@x.com")),
            mail_enabled: Some(mail),
            security_enabled: Some(security),
            group_types: types.iter().map(|t| t.to_string()).collect(),
            proxy_addresses: vec![format!("SMTP:{name}@x.com")],
            member_count: Some(1200),
        }
    }

    fn verdict(obj: DirObject) -> Result<EntryKind, SkipReason> {
        let c = classify(vec![obj], &Policy::default());
        c.entries.first().map(|e| e.kind).ok_or_else(|| c.skipped[0].reason)
    }

    #[test]
    fn users_map_by_the_design_rules() {
        let mut proxied = user("ann@x.com");
        proxied.proxy_addresses = vec!["smtp:ann@x.com".into(), "SMTP:ann.lee@x.com".into(), "SIP:ann@x.com".into()];
        let obj = user_object(proxied);
        assert_eq!((obj.dn.as_str(), obj.id.unwrap().to_string().as_str()), ("ann@x.com", ID));
        let c = classify(vec![obj], &Policy::default());
        assert_eq!(c.entries[0].primary_email, "ann.lee@x.com");
        assert_eq!(c.entries[0].aliases, ["ann@x.com"]);

        let mut bare = user("nobody@x.com");
        bare.mail = None;
        assert_eq!(verdict(user_object(bare)), Err(SkipReason::NoEmail));
        let mut off = user("off@x.com");
        off.account_enabled = Some(false);
        assert_eq!(verdict(user_object(off)), Err(SkipReason::Disabled));
        let mut guest = user("g_ext#EXT#@x.com");
        guest.user_type = Some("Guest".into());
        assert_eq!(verdict(user_object(guest)), Err(SkipReason::Guest));
        let mut shared = user("shared@x.com");
        shared.account_enabled = Some(false);
        shared.mailbox_purpose = Some(MailboxPurpose::Shared);
        assert_eq!(verdict(user_object(shared)), Ok(EntryKind::Functional));
    }

    #[test]
    fn groups_map_by_the_design_rules() {
        assert_eq!(verdict(group_object(group("sg", false, true, &[]))), Err(SkipReason::NoEmail));
        assert_eq!(verdict(group_object(group("msg", true, true, &[]))), Ok(EntryKind::SecurityGroup));
        assert_eq!(verdict(group_object(group("dl", true, false, &[]))), Ok(EntryKind::Functional));
        assert_eq!(verdict(group_object(group("team", true, true, &["Unified"]))), Ok(EntryKind::Functional));
        let obj = group_object(group("dl", true, false, &[]));
        assert_eq!((obj.dn.as_str(), obj.member_count), ("groups/dl", Some(1200)));
    }
}
