//! The shared vocabulary: what the directory holds, what gets synced, and why not.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A directory object's stable identity (objectGUID on AD, entryUUID on OpenLDAP).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectId(pub uuid::Uuid);

impl ObjectId {
    /// AD stores objectGUID with its first three fields little-endian; the hyphenated
    /// form admins see in AD tools is that byte order read back.
    pub fn from_guid_bytes(bytes: &[u8]) -> Option<Self> {
        let raw: [u8; 16] = bytes.try_into().ok()?;
        Some(Self(uuid::Uuid::from_bytes_le(raw)))
    }

    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::parse_str(text.trim()).ok().map(Self)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

/// Which directory server answered; decides filters and attribute meanings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    ActiveDirectory,
    Openldap,
    /// Microsoft Entra ID (formerly Azure AD), read through Microsoft Graph.
    EntraId,
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavor::ActiveDirectory => "Active Directory",
            Flavor::Openldap => "OpenLDAP",
            Flavor::EntraId => "Entra ID",
        })
    }
}

/// The structural class of a directory object, as far as syncing cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectClass {
    User,
    Group,
    Other,
}

/// A directory object reduced to the attributes classification needs.
///
/// Kept compact on purpose: a 100k-entry read holds these, never the raw attribute maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirObject {
    pub dn: String,
    pub id: Option<ObjectId>,
    pub class: ObjectClass,
    pub mail: Option<String>,
    pub proxy_addresses: Vec<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub display_name: Option<String>,
    pub user_account_control: Option<u32>,
    pub group_type: Option<i32>,
    pub hidden_from_gal: bool,
    pub recipient_type_details: Option<i64>,
    /// Direct `member` values; `None` for objects that are not groups.
    pub member_count: Option<u32>,
    /// Facts a directory states outright (Entra ID) where AD encodes them in the attributes
    /// above; `None` leaves the decision to those attributes.
    pub account_enabled: Option<bool>,
    pub group_kind: Option<GroupKind>,
    pub mailbox_purpose: Option<MailboxPurpose>,
    /// An external account invited into the tenant (Entra ID's `userType = Guest`).
    pub guest: bool,
}

/// What a group is for, where the directory says so outright.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Security,
    Distribution,
    /// A Microsoft 365 group: a shared mailbox, calendar and files for a team.
    Microsoft365,
}

/// What a mailbox is used for (Exchange's recipient type, Graph's `userPurpose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailboxPurpose {
    User,
    Shared,
    Room,
    Equipment,
}

impl MailboxPurpose {
    /// Shared, room and equipment mailboxes are the service's functional accounts.
    pub fn is_functional(self) -> bool {
        matches!(self, MailboxPurpose::Shared | MailboxPurpose::Room | MailboxPurpose::Equipment)
    }
}

impl DirObject {
    pub fn new(dn: impl Into<String>, class: ObjectClass) -> Self {
        Self {
            dn: dn.into(),
            id: None,
            class,
            mail: None,
            proxy_addresses: Vec::new(),
            given_name: None,
            surname: None,
            display_name: None,
            user_account_control: None,
            group_type: None,
            hidden_from_gal: false,
            recipient_type_details: None,
            member_count: None,
            account_enabled: None,
            group_kind: None,
            mailbox_purpose: None,
            guest: false,
        }
    }
}

/// What a synced object becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    User,
    Functional,
    SecurityGroup,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::User => "users",
            EntryKind::Functional => "functional accounts",
            EntryKind::SecurityGroup => "security groups",
        }
    }
}

/// A directory object that would be synced, in the form the service understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub id: Option<ObjectId>,
    pub dn: String,
    pub kind: EntryKind,
    pub primary_email: String,
    pub aliases: Vec<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    /// The directory's own flag: false for a shared mailbox, whose account AD disables by design.
    pub enabled: bool,
    pub hidden: bool,
    pub member_count: Option<u32>,
}

/// Why a directory object is not synced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Neither a `SMTP:` proxy address nor `mail`.
    NoEmail,
    /// Disabled account and `sync.disabled_users = false`.
    Disabled,
    /// Hidden from the GAL and `sync.hidden_from_gal = false`.
    Hidden,
    /// A guest (external) account and `source.include_guests = false`.
    Guest,
    /// Shared/room/equipment mailbox or distribution group and `sync.functional_accounts = false`.
    Functional,
    /// Security group and `sync.security_groups = false`.
    SecurityGroup,
    /// An enabled user and `sync.active_users = false`.
    ActiveUser,
    /// Under an excluded subtree or its address matches `exclude.addresses`.
    Excluded,
    /// Another synced object claims one of its addresses.
    Conflict,
}

impl SkipReason {
    pub const ALL: [SkipReason; 9] = [
        SkipReason::NoEmail,
        SkipReason::Disabled,
        SkipReason::Hidden,
        SkipReason::Guest,
        SkipReason::Functional,
        SkipReason::SecurityGroup,
        SkipReason::ActiveUser,
        SkipReason::Excluded,
        SkipReason::Conflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NoEmail => "no_email",
            SkipReason::Disabled => "disabled",
            SkipReason::Hidden => "hidden",
            SkipReason::Guest => "guest",
            SkipReason::Functional => "functional",
            SkipReason::SecurityGroup => "security_group",
            SkipReason::ActiveUser => "active_user",
            SkipReason::Excluded => "excluded",
            SkipReason::Conflict => "conflict",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            SkipReason::NoEmail => "no mailbox address",
            SkipReason::Disabled => "disabled (sync.disabled_users is off)",
            SkipReason::Hidden => "hidden from the GAL (sync.hidden_from_gal is off)",
            SkipReason::Guest => "guest account (source.include_guests is off)",
            SkipReason::Functional => "functional account (sync.functional_accounts is off)",
            SkipReason::SecurityGroup => "security group (sync.security_groups is off)",
            SkipReason::ActiveUser => "active user (sync.active_users is off)",
            SkipReason::Excluded => "excluded by [exclude]",
            SkipReason::Conflict => "address claimed by another object",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub dn: String,
    pub reason: SkipReason,
}

/// The role a new account gets in the service (the seed's "default role").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultRole {
    /// Quarantine digest only, no login.
    #[default]
    SilentUser,
    /// Digest and login.
    EndUser,
}

/// What a node in the directory tree is, for its marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum NodeKind {
    Domain,
    Container,
    User,
    Group,
    Contact,
    Computer,
    #[default]
    Other,
}

/// One entry of a one-level listing, as the tree shows it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TreeNode {
    pub dn: String,
    /// The first RDN's value (`Sales` for `OU=Sales,…`), unescaped for display.
    pub label: String,
    pub kind: NodeKind,
    pub disabled: bool,
    pub hidden: bool,
    pub guest: bool,
    pub mail: Option<String>,
    /// A group whose children are its members (Entra ID), not entries below it in a tree.
    pub lists_members: bool,
}

impl TreeNode {
    /// Domains, containers and groups that list their members open; other entries do not.
    pub fn can_open(&self) -> bool {
        matches!(self.kind, NodeKind::Domain | NodeKind::Container | NodeKind::Other) || self.lists_members
    }
}

/// Every attribute of one entry, made readable (GUIDs and SIDs decoded, other binary as hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryDetails {
    pub dn: String,
    pub attributes: Vec<(String, Vec<String>)>,
}

/// An account's type in the service (its role). Unknown types are kept as written so a
/// read-modify-write never turns a type this version does not know into another one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AccountType {
    EndUser,
    SilentUser,
    FunctionalAccount,
    OrganizationAdmin,
    ChannelAdmin,
    Other(String),
}

impl AccountType {
    pub fn parse(text: &str) -> Self {
        match text {
            "end_user" => Self::EndUser,
            "silent_user" => Self::SilentUser,
            "functional_account" => Self::FunctionalAccount,
            "organization_admin" => Self::OrganizationAdmin,
            "channel_admin" => Self::ChannelAdmin,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::EndUser => "end_user",
            Self::SilentUser => "silent_user",
            Self::FunctionalAccount => "functional_account",
            Self::OrganizationAdmin => "organization_admin",
            Self::ChannelAdmin => "channel_admin",
            Self::Other(text) => text,
        }
    }

    /// Admin types are never touched by a sync. Partner and future admin types count too,
    /// which is why any unknown type mentioning "admin" is included.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::OrganizationAdmin | Self::ChannelAdmin => true,
            Self::Other(text) => text.to_ascii_lowercase().contains("admin"),
            _ => false,
        }
    }
}

impl From<DefaultRole> for AccountType {
    fn from(role: DefaultRole) -> Self {
        match role {
            DefaultRole::SilentUser => Self::SilentUser,
            DefaultRole::EndUser => Self::EndUser,
        }
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AccountType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AccountType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(Self::parse(&text))
    }
}

/// The service's id of an account. Kept in the JSON type the service used (number or string),
/// because it is sent back unchanged on update.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Uid {
    Number(u64),
    Text(String),
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uid::Number(n) => n.fmt(f),
            Uid::Text(t) => t.fmt(f),
        }
    }
}

/// One user as the service holds it. Serde names are the API's field names, so the same
/// type reads the API, the file target and a real export.
///
/// Updates are read-modify-write of the whole object: fields this version does not know are
/// kept in `extra` and sent back unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Uid>,
    pub primary_email: String,
    #[serde(rename = "firstname", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "surname", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Missing only in hand-made files; a type we never saw is not invented on the way back.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// An account without the flag is active, as the service treats it.
    #[serde(default = "active_by_default")]
    pub is_active: bool,
    #[serde(rename = "alias_emails", default)]
    pub aliases: Vec<String>,
    /// The service decides this; it is only read and passed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_billable: Option<bool>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn active_by_default() -> bool {
    true
}

impl Account {
    pub fn new(primary_email: impl Into<String>, account_type: AccountType) -> Self {
        Self {
            uid: None,
            primary_email: primary_email.into(),
            first_name: None,
            last_name: None,
            account_type: Some(account_type),
            is_active: true,
            aliases: Vec::new(),
            is_billable: None,
            extra: serde_json::Map::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.account_type.as_ref().is_some_and(AccountType::is_admin)
    }

    /// The service compares addresses without regard to case.
    pub fn has_email(&self, email: &str) -> bool {
        self.primary_email.eq_ignore_ascii_case(email)
    }
}

#[cfg(test)]
impl DirectoryEntry {
    /// A user that is only its addresses, for tests.
    pub fn test_user(primary: &str, aliases: &[&str]) -> Self {
        DirectoryEntry {
            id: None,
            dn: format!("cn={primary}"),
            kind: EntryKind::User,
            primary_email: primary.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            first_name: None,
            last_name: None,
            display_name: None,
            enabled: true,
            hidden: false,
            member_count: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn account_reads_api_names_and_keeps_unknown_fields() {
        let raw = json!({"uid": 17, "primary_email": "a@x.com", "firstname": "Ann", "surname": "Lee",
            "type": "partner_admin", "is_active": false, "alias_emails": ["b@x.com"], "is_billable": true,
            "mobile": "+1 555", "settings": {"digest": "daily"}});
        let account: Account = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(account.uid, Some(Uid::Number(17)));
        assert_eq!(account.first_name.as_deref(), Some("Ann"));
        assert_eq!(account.account_type, Some(AccountType::Other("partner_admin".into())));
        assert!(account.is_admin() && !account.is_active);
        assert_eq!(serde_json::to_value(&account).unwrap(), raw);
    }

    #[test]
    fn admin_types() {
        for (text, admin) in [
            ("organization_admin", true),
            ("channel_admin", true),
            ("Reseller_Admin", true),
            ("end_user", false),
            ("silent_user", false),
            ("functional_account", false),
            ("auditor", false),
        ] {
            assert_eq!(AccountType::parse(text).is_admin(), admin, "{text}");
            assert_eq!(AccountType::parse(text).as_str(), text);
        }
    }

    #[test]
    fn a_minimal_account_gets_the_documented_defaults() {
        let account: Account = serde_json::from_str(r#"{"primary_email":"a@x.com","uid":"u-1"}"#).unwrap();
        assert!(account.is_active && account.aliases.is_empty() && account.account_type.is_none());
        assert_eq!(account.uid.unwrap().to_string(), "u-1");
        assert!(Account::new("A@X.com", AccountType::SilentUser).has_email("a@x.COM"));
    }
}
