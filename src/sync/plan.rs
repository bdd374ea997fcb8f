//! The plan: classified directory entries × the service's accounts × policy → creates,
//! field-level updates and deletes, each with its reason. Pure: no I/O, no clock.

use super::fresh::same_addresses;
use crate::config::value::AddressGlob;
use crate::config::{Config, DeleteScope, RenameMode};
use crate::model::{
    Account, AccountType, ChangeKind, DefaultRole, DirectoryEntry, EntryKind, ObjectId, Presence, SkipReason,
};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// The policy switches that shape a plan ("how to sync", roles, exemptions).
#[derive(Clone, Debug)]
pub struct PlanPolicy {
    pub default_role: DefaultRole,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
    pub delete_scope: DeleteScope,
    pub manage_roles: bool,
    pub exempt: Vec<AddressGlob>,
    pub rename: RenameMode,
}

impl PlanPolicy {
    pub fn from_config(config: &Config) -> Self {
        let s = &config.sync;
        Self {
            default_role: s.default_role,
            create: s.create,
            update: s.update,
            delete: s.delete,
            delete_scope: s.delete_scope,
            manage_roles: s.manage_roles,
            exempt: s.exempt.clone(),
            rename: s.rename,
        }
    }

    fn exempt(&self, address: &str) -> bool {
        self.exempt.iter().any(|g| g.matches(address))
    }
}

impl Default for PlanPolicy {
    fn default() -> Self {
        Self {
            default_role: DefaultRole::SilentUser,
            create: true,
            update: true,
            delete: false,
            delete_scope: DeleteScope::Managed,
            manage_roles: false,
            exempt: Vec::new(),
            rename: RenameMode::Update,
        }
    }
}

/// Accounts adsync manages, by lower-cased primary address, with the directory id each
/// belongs to (so a changed primary address is recognised as the same person).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Managed {
    pub accounts: FxHashMap<String, Option<ObjectId>>,
}

impl Managed {
    pub fn contains(&self, email: &str) -> bool {
        self.accounts.contains_key(&email.to_lowercase())
    }

    fn email_of(&self) -> FxHashMap<ObjectId, &str> {
        self.accounts.iter().filter_map(|(email, id)| id.map(|id| (id, email.as_str()))).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum FieldChange {
    PrimaryEmail { from: String, to: String },
    FirstName { from: Option<String>, to: Option<String> },
    LastName { from: Option<String>, to: Option<String> },
    Active { from: bool, to: bool },
    Role { from: Option<String>, to: String },
    AliasesAdded { aliases: Vec<String> },
    AliasesRemoved { aliases: Vec<String> },
}

impl FieldChange {
    pub fn is_rename(&self) -> bool {
        matches!(self, FieldChange::PrimaryEmail { .. })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Create {
        account: Account,
    },
    /// `email` is the account's address in the service now (before a rename).
    Update {
        email: String,
        before: Box<Account>,
        after: Box<Account>,
        fields: Vec<FieldChange>,
    },
    Delete {
        account: Account,
    },
}

impl Op {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Op::Create { .. } => ChangeKind::Create,
            Op::Update { .. } => ChangeKind::Update,
            Op::Delete { .. } => ChangeKind::Delete,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Stable within a plan; selections and the journal refer to it.
    pub id: usize,
    pub op: Op,
    pub reason: String,
    /// The directory object behind a create or update.
    pub directory_id: Option<ObjectId>,
}

impl Change {
    /// The address the change is about, as the service knows it now.
    pub fn email(&self) -> &str {
        match &self.op {
            Op::Create { account } | Op::Delete { account } => &account.primary_email,
            Op::Update { email, .. } => email,
        }
    }

    pub fn kind(&self) -> ChangeKind {
        self.op.kind()
    }

    pub fn is_delete(&self) -> bool {
        matches!(self.op, Op::Delete { .. })
    }

    /// What the change does to the number of active accounts (the licences in use).
    pub fn active_delta(&self) -> i64 {
        match &self.op {
            Op::Create { account } => i64::from(account.is_active),
            Op::Delete { account } => -i64::from(account.is_active),
            Op::Update { before, after, .. } => i64::from(after.is_active) - i64::from(before.is_active),
        }
    }

    /// The address the account has once the change is made (`None` for a delete).
    pub fn email_after(&self) -> Option<&str> {
        match &self.op {
            Op::Create { account } => Some(&account.primary_email),
            Op::Update { after, .. } => Some(&after.primary_email),
            Op::Delete { .. } => None,
        }
    }
}

/// Why an account or entry is left alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Untouched {
    /// Organization/channel/partner admins are never changed by a sync.
    Admin,
    /// Matches `sync.exempt`.
    Exempt,
    /// Not in the directory any more, but `sync.delete` is off.
    DeletesOff,
    /// Not created by adsync (SMTP discovery, added by hand) and `delete_scope = "managed"`.
    Unmanaged,
    /// Still in the directory, just not synced (disabled, hidden, …).
    StillInDirectory(SkipReason),
    /// New in the directory, but `sync.create` is off.
    CreatesOff,
    /// Differs from the directory, but `sync.update` is off.
    UpdatesOff,
    /// New in the directory, but its address is still another directory object's account
    /// (renamed in the directory, not yet in the service).
    AddressTaken,
}

impl Untouched {
    pub fn explain(&self) -> String {
        match self {
            Untouched::Admin => "admin account: never changed by a sync".into(),
            Untouched::Exempt => "exempt (sync.exempt)".into(),
            Untouched::DeletesOff => "no longer in the directory; deletes are off (sync.delete)".into(),
            Untouched::Unmanaged => "not managed by adsync (delete_scope = \"managed\")".into(),
            Untouched::StillInDirectory(reason) => format!("still in the directory, not synced: {}", reason.explain()),
            Untouched::CreatesOff => "new in the directory; creates are off (sync.create)".into(),
            Untouched::UpdatesOff => "differs from the directory; updates are off (sync.update)".into(),
            Untouched::AddressTaken => {
                "new in the directory, but the address still belongs to the account of the object that had it; created once that account is renamed".into()
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Left {
    pub email: String,
    pub reason: Untouched,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// In apply order: deletes, then updates, then creates (what [`plan`] produces).
    pub changes: Vec<Change>,
    pub untouched: Vec<Left>,
    /// Accounts in the service when the plan was made.
    pub target_accounts: usize,
    /// Matched accounts that already agree with the directory.
    pub in_sync: usize,
    /// What the managed set becomes once every change is applied.
    pub managed_after: Managed,
}

impl Plan {
    /// Changes of one kind; two binary searches, as the changes are in apply order (the
    /// review asks on every frame, and a plan can hold 100k changes).
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.range(kind).len()
    }

    /// Where the changes of `kind` are in `changes`.
    pub fn range(&self, kind: ChangeKind) -> std::ops::Range<usize> {
        let start = self.changes.partition_point(|c| c.kind() < kind);
        let end = self.changes.partition_point(|c| c.kind() <= kind);
        start..end
    }
}

/// What the directory says an account should be.
pub fn desired_account(entry: &DirectoryEntry, role: DefaultRole) -> Account {
    let mut account = Account::new(entry.primary_email.clone(), desired_role(entry, role));
    account.first_name = desired_first_name(entry).map(Cow::into_owned);
    account.last_name = entry.last_name.clone();
    account.is_active = desired_active(entry);
    account.aliases = entry.aliases.clone();
    account
}

fn is_functional(entry: &DirectoryEntry) -> bool {
    entry.kind != EntryKind::User
}

fn desired_role(entry: &DirectoryEntry, role: DefaultRole) -> AccountType {
    if is_functional(entry) { AccountType::FunctionalAccount } else { AccountType::from(role) }
}

/// Groups and shared mailboxes often have no given name: they are named after themselves.
fn desired_first_name(entry: &DirectoryEntry) -> Option<Cow<'_, str>> {
    if let Some(first) = &entry.first_name {
        return Some(Cow::Borrowed(first));
    }
    if !is_functional(entry) || entry.last_name.is_some() {
        return None;
    }
    entry.display_name.as_deref().map(Cow::Borrowed).or_else(|| crate::dn::first_rdn_value(&entry.dn).map(Cow::Owned))
}

/// A shared mailbox is disabled in AD by design; in the service it receives mail.
fn desired_active(entry: &DirectoryEntry) -> bool {
    is_functional(entry) || entry.enabled
}

struct Planner<'a> {
    policy: &'a PlanPolicy,
    managed: &'a Managed,
    accounts: &'a [Account],
    claimed: Vec<bool>,
    /// Accounts this plan moves to another address, freeing theirs.
    renamed: Vec<bool>,
    by_email: FxHashMap<Cow<'a, str>, usize>,
    plan: Plan,
}

pub fn plan(
    entries: &[DirectoryEntry],
    present: &Presence,
    accounts: &[Account],
    managed: &Managed,
    policy: &PlanPolicy,
) -> Plan {
    let by_email = accounts.iter().enumerate().map(|(k, a)| (lowercase(&a.primary_email), k)).collect();
    let mut planner = Planner {
        policy,
        managed,
        accounts,
        claimed: vec![false; accounts.len()],
        renamed: vec![false; accounts.len()],
        by_email,
        plan: Plan { target_accounts: accounts.len(), ..Plan::default() },
    };
    planner.plan.managed_after.accounts.reserve(entries.len() + managed.accounts.len());
    let matches = planner.match_all(entries, &managed.email_of());
    let mut unmatched = Vec::new();
    for (entry, found) in entries.iter().zip(matches) {
        match found {
            Some(k) => planner.matched(entry, k),
            None => unmatched.push(entry),
        }
    }
    for entry in unmatched {
        planner.missing(entry);
    }
    planner.leftovers(present);
    planner.order();
    planner.plan
}

impl Planner<'_> {
    /// Which account each entry is, decided for all entries before any is planned, so the
    /// result does not depend on their order. The account adsync remembers for the entry's
    /// id comes first (a renamed primary address is the same account, with its settings);
    /// then the account at the entry's address. A rename onto an address held by an account
    /// nobody else is is not made: that account is the person's now, the old one a leftover.
    fn match_all(&mut self, entries: &[DirectoryEntry], email_of: &FxHashMap<ObjectId, &str>) -> Vec<Option<usize>> {
        let mut found: Vec<Option<usize>> = entries.iter().map(|e| self.remembered(e, email_of)).collect();
        for k in found.iter_mut() {
            *k = k.filter(|&k| !std::mem::replace(&mut self.claimed[k], true));
        }
        for (entry, k) in entries.iter().zip(found.iter_mut()) {
            let at_address = self.account_at(&entry.primary_email).filter(|&a| !self.claimed[a]);
            if let Some(a) = at_address {
                if let Some(old) = k.replace(a) {
                    self.claimed[old] = false;
                }
                self.claimed[a] = true;
            }
        }
        found
    }

    fn remembered(&self, entry: &DirectoryEntry, email_of: &FxHashMap<ObjectId, &str>) -> Option<usize> {
        let email = entry.id.and_then(|id| email_of.get(&id))?;
        self.account_at(email)
    }

    fn account_at(&self, email: &str) -> Option<usize> {
        self.by_email.get(email).copied()
    }

    fn push(&mut self, op: Op, reason: String, directory_id: Option<ObjectId>) {
        let id = self.plan.changes.len();
        self.plan.changes.push(Change { id, op, reason, directory_id });
    }

    fn leave(&mut self, email: &str, reason: Untouched) {
        self.plan.untouched.push(Left { email: email.to_string(), reason });
    }

    /// An entry no account is: create it, unless its address is still held by another
    /// person's account that this plan does not move away (the create would be refused).
    fn missing(&mut self, entry: &DirectoryEntry) {
        if self.policy.exempt(&entry.primary_email) {
            return self.leave(&entry.primary_email, Untouched::Exempt);
        }
        if !self.policy.create {
            return self.leave(&entry.primary_email, Untouched::CreatesOff);
        }
        if self.account_at(&entry.primary_email).is_some_and(|k| !self.renamed[k]) {
            return self.leave(&entry.primary_email, Untouched::AddressTaken);
        }
        let account = desired_account(entry, self.policy.default_role);
        self.plan.managed_after.accounts.insert(account.primary_email.to_lowercase(), entry.id);
        let reason = format!("new in the directory ({})", kind_word(entry.kind));
        self.push(Op::Create { account }, reason, entry.id);
    }

    fn matched(&mut self, entry: &DirectoryEntry, k: usize) {
        let current = &self.accounts[k];
        if current.is_admin() {
            self.keep_memory(k);
            return self.leave(&self.accounts[k].primary_email, Untouched::Admin);
        }
        if self.policy.exempt(&current.primary_email) || self.policy.exempt(&entry.primary_email) {
            self.keep_memory(k);
            return self.leave(&self.accounts[k].primary_email, Untouched::Exempt);
        }
        self.plan.managed_after.accounts.insert(entry.primary_email.clone(), entry.id);
        if agrees(current, entry, self.policy) {
            self.plan.in_sync += 1;
            return;
        }
        let (after, fields) = updated(current, entry, self.policy);
        if fields.is_empty() {
            self.plan.in_sync += 1;
            return;
        }
        if !self.policy.update {
            return self.left_as_is(entry, k, Untouched::UpdatesOff);
        }
        if self.policy.rename == RenameMode::Recreate && fields.iter().any(FieldChange::is_rename) {
            // Recreating means creating the new address: not while creates are off.
            if !self.policy.create {
                return self.left_as_is(entry, k, Untouched::CreatesOff);
            }
            return self.recreate(entry, k);
        }
        let reason = update_reason(&fields);
        self.renamed[k] = !after.primary_email.eq_ignore_ascii_case(&current.primary_email);
        let op = Op::Update {
            email: current.primary_email.clone(),
            before: Box::new(current.clone()),
            after: Box::new(after),
            fields,
        };
        self.push(op, reason, entry.id);
    }

    /// Still ours, but left as it is: it keeps its current address in the managed set.
    fn left_as_is(&mut self, entry: &DirectoryEntry, k: usize, reason: Untouched) {
        let current = &self.accounts[k].primary_email;
        self.plan.managed_after.accounts.remove(&entry.primary_email);
        self.plan.managed_after.accounts.insert(current.to_lowercase(), entry.id);
        self.leave(&self.accounts[k].primary_email, reason);
    }

    /// `sync.rename = "recreate"`: the new address as a new account, the old one deleted (a
    /// delete like any other, counted by the delete guards), which frees its address.
    fn recreate(&mut self, entry: &DirectoryEntry, k: usize) {
        let current = &self.accounts[k];
        let (old, new) = (&current.primary_email, &entry.primary_email);
        let reason = format!("renamed in the directory to {new} (sync.rename = \"recreate\")");
        let delete = Op::Delete { account: current.clone() };
        let account = desired_account(entry, self.policy.default_role);
        let reason_new = format!("renamed in the directory from {old} (sync.rename = \"recreate\")");
        self.renamed[k] = true;
        self.push(delete, reason, entry.id);
        self.push(Op::Create { account }, reason_new, entry.id);
    }

    /// An account left alone keeps what adsync remembers of it: a link by directory id that
    /// was dropped here would make the next plan create the person a second account.
    fn keep_memory(&mut self, k: usize) {
        let email = self.accounts[k].primary_email.to_lowercase();
        if let Some(id) = self.managed.accounts.get(&email).copied() {
            self.plan.managed_after.accounts.insert(email, id);
        }
    }

    /// Accounts no directory entry claimed: delete, or say why not.
    fn leftovers(&mut self, present: &Presence) {
        for k in 0..self.accounts.len() {
            if self.claimed[k] {
                continue;
            }
            let account = &self.accounts[k];
            match self.why_kept(account, present) {
                Some(reason) => {
                    if self.managed.contains(&account.primary_email)
                        && !matches!(reason, Untouched::Admin | Untouched::Exempt)
                    {
                        let id = self.managed.accounts.get(&account.primary_email.to_lowercase()).copied().flatten();
                        self.plan.managed_after.accounts.insert(account.primary_email.to_lowercase(), id);
                    }
                    self.leave(&account.primary_email, reason);
                }
                None => {
                    let reason = "no longer in the directory".to_string();
                    self.push(Op::Delete { account: account.clone() }, reason, None);
                }
            }
        }
    }

    fn why_kept(&self, account: &Account, present: &Presence) -> Option<Untouched> {
        let remembered = self.managed.accounts.get(&account.primary_email.to_lowercase()).copied().flatten();
        let still_there = std::iter::once(&account.primary_email)
            .chain(&account.aliases)
            .find_map(|a| present.reason(a, None))
            .or_else(|| present.reason("", remembered));
        if account.is_admin() {
            Some(Untouched::Admin)
        } else if self.policy.exempt(&account.primary_email) {
            Some(Untouched::Exempt)
        } else if let Some(reason) = still_there {
            Some(Untouched::StillInDirectory(reason))
        } else if !self.policy.delete {
            Some(Untouched::DeletesOff)
        } else if self.policy.delete_scope == DeleteScope::Managed && !self.managed.contains(&account.primary_email) {
            Some(Untouched::Unmanaged)
        } else {
            None
        }
    }

    /// Deletes first (they free addresses), then updates, then creates (which may take them).
    fn order(&mut self) {
        self.plan.changes.sort_by(|a, b| a.kind().cmp(&b.kind()).then_with(|| a.email().cmp(b.email())));
        for (k, change) in self.plan.changes.iter_mut().enumerate() {
            change.id = k;
        }
        self.plan.untouched.sort_by(|a, b| a.email.cmp(&b.email));
    }
}

/// Lower-cased without a copy when it already is (addresses almost always are).
fn lowercase(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_uppercase) { Cow::Owned(text.to_lowercase()) } else { Cow::Borrowed(text) }
}

fn kind_word(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::User => "user",
        EntryKind::Functional => "functional account",
        EntryKind::SecurityGroup => "security group",
    }
}

fn lower_set(values: &[String]) -> BTreeSet<String> {
    values.iter().map(|v| v.to_lowercase()).collect()
}

/// The common case, answered without building anything: the account already agrees.
/// (When in doubt it says no, and [`updated`] decides field by field.)
fn agrees(current: &Account, entry: &DirectoryEntry, policy: &PlanPolicy) -> bool {
    let names_agree = desired_first_name(entry).is_none_or(|f| current.first_name.as_deref() == Some(f.as_ref()))
        && entry.last_name.as_ref().is_none_or(|l| current.last_name.as_ref() == Some(l));
    let role = desired_role(entry, policy.default_role);
    let role_agrees =
        current.account_type.as_ref() == Some(&role) || (current.account_type.is_some() && !policy.manage_roles);
    current.primary_email.eq_ignore_ascii_case(&entry.primary_email)
        && names_agree
        && current.is_active == desired_active(entry)
        && role_agrees
        && same_addresses(&current.aliases, &entry.aliases)
}

/// The account as the directory wants it, and what differs field by field. The service
/// compares addresses without case, so a case-only difference is no change.
fn updated(current: &Account, entry: &DirectoryEntry, policy: &PlanPolicy) -> (Account, Vec<FieldChange>) {
    let want = desired_account(entry, policy.default_role);
    let mut after = current.clone();
    let mut fields = Vec::new();
    if !current.primary_email.eq_ignore_ascii_case(&want.primary_email) {
        fields.push(FieldChange::PrimaryEmail { from: current.primary_email.clone(), to: want.primary_email.clone() });
        after.primary_email = want.primary_email.clone();
    }
    if want.first_name.is_some() && want.first_name != current.first_name {
        fields.push(FieldChange::FirstName { from: current.first_name.clone(), to: want.first_name.clone() });
        after.first_name = want.first_name.clone();
    }
    if want.last_name.is_some() && want.last_name != current.last_name {
        fields.push(FieldChange::LastName { from: current.last_name.clone(), to: want.last_name.clone() });
        after.last_name = want.last_name.clone();
    }
    if want.is_active != current.is_active {
        fields.push(FieldChange::Active { from: current.is_active, to: want.is_active });
        after.is_active = want.is_active;
    }
    role_change(current, &want, policy, &mut after, &mut fields);
    alias_changes(current, &want, &mut after, &mut fields);
    (after, fields)
}

/// A role set by hand is kept unless `sync.manage_roles`; an account without one gets ours.
fn role_change(
    current: &Account,
    want: &Account,
    policy: &PlanPolicy,
    after: &mut Account,
    fields: &mut Vec<FieldChange>,
) {
    let wanted = want.account_type.clone().expect("desired accounts always have a type");
    let differs = current.account_type.as_ref() != Some(&wanted);
    if differs && (policy.manage_roles || current.account_type.is_none()) {
        fields.push(FieldChange::Role {
            from: current.account_type.as_ref().map(|t| t.to_string()),
            to: wanted.to_string(),
        });
        after.account_type = Some(wanted);
    }
}

fn alias_changes(current: &Account, want: &Account, after: &mut Account, fields: &mut Vec<FieldChange>) {
    let (have, wanted) = (lower_set(&current.aliases), lower_set(&want.aliases));
    let added: Vec<String> = wanted.difference(&have).cloned().collect();
    let removed: Vec<String> = have.difference(&wanted).cloned().collect();
    if added.is_empty() && removed.is_empty() {
        return;
    }
    if !added.is_empty() {
        fields.push(FieldChange::AliasesAdded { aliases: added });
    }
    if !removed.is_empty() {
        fields.push(FieldChange::AliasesRemoved { aliases: removed });
    }
    after.aliases = want.aliases.clone();
}

fn update_reason(fields: &[FieldChange]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .map(|f| match f {
            FieldChange::PrimaryEmail { .. } => "primary address",
            FieldChange::FirstName { .. } => "first name",
            FieldChange::LastName { .. } => "last name",
            FieldChange::Active { to: false, .. } => "disabled in the directory",
            FieldChange::Active { to: true, .. } => "enabled in the directory",
            FieldChange::Role { .. } => "role",
            FieldChange::AliasesAdded { .. } => "aliases added",
            FieldChange::AliasesRemoved { .. } => "aliases removed",
        })
        .collect();
    format!("changed in the directory: {}", names.join(", "))
}

#[cfg(test)]
mod tests;
