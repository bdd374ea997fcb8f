//! The shared vocabulary: what the directory holds, what gets synced, and why not; the
//! service's accounts; a classified read. Every layer may use it, and it uses none of them.

mod account;
mod change;
mod org;
mod read;
mod source;

pub use account::{Account, AccountType, DefaultRole, Uid};
pub use change::ChangeKind;
pub use org::{ChildOrg, Licenses, OrgFacts, OrgRead, UnreadFact, VendorSync};
pub use read::{Classification, ClassifiedRead, Presence, ReadStats, SearchOutcome};
pub use source::{CsvLayout, SourceIdentity};

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
    /// A CSV file (an HR export, or the service's own import layout).
    Csv,
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavor::ActiveDirectory => "Active Directory",
            Flavor::Openldap => "OpenLDAP",
            Flavor::EntraId => "Entra ID",
            Flavor::Csv => "CSV",
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
    /// The `[[source]]` it came from, when an organisation merges several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    /// Another source with a higher `priority` has the same primary address.
    Outranked,
}

impl SkipReason {
    pub const ALL: [SkipReason; 10] = [
        SkipReason::NoEmail,
        SkipReason::Disabled,
        SkipReason::Hidden,
        SkipReason::Guest,
        SkipReason::Functional,
        SkipReason::SecurityGroup,
        SkipReason::ActiveUser,
        SkipReason::Excluded,
        SkipReason::Conflict,
        SkipReason::Outranked,
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
            SkipReason::Outranked => "outranked",
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
            SkipReason::Outranked => "the same address from a source with a higher priority",
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
    /// The `[[source]]` it came from, when an organisation merges several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The other source of a merged address: the one it conflicts with, or the winner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<String>,
}

impl Skipped {
    pub fn new(dn: String, reason: SkipReason) -> Self {
        Self { dn, reason, source: None, against: None }
    }
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
            source: None,
        }
    }
}
