//! Classification: which directory objects are synced, as what, and why the rest are not.
//!
//! Pure: no I/O, no clock. The rules are ARCHITECTURE.md's "Active Directory" table.

use crate::config::Config;
use crate::config::value::AddressGlob;
use crate::dn::Dn;
use crate::model::{
    Classification, DirObject, DirectoryEntry, EntryKind, GroupKind, ObjectClass, Presence, SkipReason, Skipped,
};
use candidates::Candidates;
use claims::Claims;
use rustc_hash::FxHashSet;

const UAC_ACCOUNTDISABLE: u32 = 0x2;
const GROUP_TYPE_SECURITY: u32 = 0x8000_0000;
/// msExchRecipientTypeDetails of shared, room and equipment mailboxes.
const FUNCTIONAL_MAILBOXES: [i64; 3] = [4, 16, 32];

/// The seed's "what to sync" check boxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Include {
    pub active_users: bool,
    pub disabled_users: bool,
    pub functional_accounts: bool,
    pub security_groups: bool,
    pub hidden_from_gal: bool,
    /// Guest (external) accounts: a source setting (`source.include_guests`), not a `[sync]` one.
    pub guests: bool,
}

impl Default for Include {
    fn default() -> Self {
        Self {
            active_users: true,
            disabled_users: false,
            functional_accounts: true,
            security_groups: true,
            hidden_from_gal: false,
            guests: false,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub include: Include,
    pub exclude_subtrees: Vec<Dn>,
    pub exclude_addresses: Vec<AddressGlob>,
}

impl Policy {
    pub fn from_config(config: &Config) -> Self {
        let s = &config.sync;
        Self {
            include: Include {
                active_users: s.active_users,
                disabled_users: s.disabled_users,
                functional_accounts: s.functional_accounts,
                security_groups: s.security_groups,
                hidden_from_gal: s.hidden_from_gal,
                guests: config.source.include_guests(),
            },
            // Validated when the config was read, so a parse failure cannot happen here.
            exclude_subtrees: config.exclude.subtree_dns().collect(),
            exclude_addresses: config.exclude.addresses.clone(),
        }
    }
}

/// Records that `obj` is in the directory but not synced, so no plan deletes its account.
fn note_present(present: &mut Presence, obj: &DirObject, reason: SkipReason) {
    if let Some((primary, aliases)) = addresses(obj) {
        for address in std::iter::once(primary).chain(aliases) {
            present.addresses.insert(address, reason);
        }
    }
    if let Some(id) = obj.id {
        present.ids.insert(id, reason);
    }
}

/// Takes the objects by value: their strings move into the result instead of being copied,
/// so a 100k-entry read is never held twice.
pub fn classify(objects: Vec<DirObject>, policy: &Policy) -> Classification {
    let mut classifier = Classifier::new(policy.clone());
    objects.into_iter().for_each(|obj| classifier.push(obj));
    classifier.finish()
}

/// Classification one object at a time, so a reader can classify each object while the
/// server is still sending the next ones. Conflicts are found and the order is mostly
/// sorted as objects arrive; what is left for the end is a merge of sorted runs.
#[derive(Debug)]
pub struct Classifier {
    policy: Policy,
    /// Objects that will be synced unless they conflict, in arrival order; taken at the end.
    candidates: Candidates,
    claims: Claims,
    /// Candidates that claim an address another candidate claims too.
    conflicted: FxHashSet<u32>,
    /// (first bytes of the primary address, candidate number), in runs of [`RUN`] each
    /// sorted as it fills. The prefix keeps most comparisons inside this array.
    order: Vec<(u128, u32)>,
    skipped: Vec<Skipped>,
    still_present: Presence,
}

/// Sorted a run at a time while reading; the final sort then only merges ~N/RUN runs.
const RUN: usize = 4096;

impl Classifier {
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            candidates: Candidates::default(),
            claims: Claims::default(),
            conflicted: FxHashSet::default(),
            order: Vec::new(),
            skipped: Vec::new(),
            still_present: Presence::default(),
        }
    }

    pub fn push(&mut self, obj: DirObject) {
        if obj.class == ObjectClass::Other {
            return;
        }
        match classify_one(&obj, &self.policy) {
            Ok((kind, primary, aliases)) => self.add_candidate(into_entry(obj, kind, primary, aliases)),
            Err(reason) => {
                note_present(&mut self.still_present, &obj, reason);
                self.skipped.push(Skipped::new(obj.dn, reason));
            }
        }
    }

    fn add_candidate(&mut self, entry: DirectoryEntry) {
        let prefix = key_prefix(&entry.primary_email);
        let index = self.candidates.push(entry);
        let rivals = self.claims.claim(index, &self.candidates);
        if !rivals.is_empty() {
            self.conflicted.insert(index);
            self.conflicted.extend(rivals);
        }
        self.order.push((prefix, index));
        if self.order.len().is_multiple_of(RUN) {
            let start = self.order.len() - RUN;
            sort_by_primary(&mut self.order[start..], &self.candidates);
        }
    }

    /// Takes out the objects that claim the same address, and finishes the sort.
    pub fn finish(mut self) -> Classification {
        // Stable sort: it finds the runs already sorted and merges them.
        sort_by_primary(&mut self.order, &self.candidates);
        let kept = self.candidates.len() - self.conflicted.len();
        // Synced entries take the first places in sorted order, conflicted ones the rest.
        let mut place = vec![0u32; self.candidates.len()];
        let (mut next_kept, mut next_conflicted) = (0u32, kept as u32);
        for &(_, index) in &self.order {
            let next = if self.conflicted.contains(&index) { &mut next_conflicted } else { &mut next_kept };
            place[index as usize] = *next;
            *next += 1;
        }
        let mut entries = std::mem::take(&mut self.candidates).arrange(place);
        for entry in entries.split_off(kept) {
            self.set_aside_conflict(entry);
        }
        let Classifier { mut skipped, still_present, .. } = self;
        skipped.sort_by(|a, b| a.dn.cmp(&b.dn));
        Classification { entries, skipped, still_present }
    }

    /// A conflicted object is skipped, and its addresses still count as present.
    fn set_aside_conflict(&mut self, entry: DirectoryEntry) {
        for address in std::iter::once(&entry.primary_email).chain(&entry.aliases) {
            self.still_present.addresses.insert(address.clone(), SkipReason::Conflict);
        }
        if let Some(id) = entry.id {
            self.still_present.ids.insert(id, SkipReason::Conflict);
        }
        self.skipped.push(Skipped::new(entry.dn, SkipReason::Conflict));
    }
}

fn sort_by_primary(order: &mut [(u128, u32)], candidates: &Candidates) {
    let primary = |i: u32| candidates.get(i).primary_email.as_str();
    order.sort_by(|(pa, a), (pb, b)| pa.cmp(pb).then_with(|| primary(*a).cmp(primary(*b))).then(a.cmp(b)));
}

/// The first sixteen bytes, big-endian: ordering these orders the strings, except on ties.
fn key_prefix(text: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = text.len().min(16);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

impl super::ObjectSink for Classifier {
    fn push(&mut self, obj: DirObject) {
        Classifier::push(self, obj);
    }
}

/// The decision for one object: its kind and addresses, or why it is skipped.
fn classify_one(obj: &DirObject, policy: &Policy) -> Result<(EntryKind, String, Vec<String>), SkipReason> {
    if is_in_excluded_subtree(&obj.dn, &policy.exclude_subtrees) {
        return Err(SkipReason::Excluded);
    }
    if obj.guest && !policy.include.guests {
        return Err(SkipReason::Guest);
    }
    let kind = kind_of(obj);
    check_kind_selected(kind, &policy.include)?;
    let (primary, mut aliases) = addresses(obj).ok_or(SkipReason::NoEmail)?;
    if kind == EntryKind::User {
        check_activity(is_enabled(obj), &policy.include)?;
    }
    if obj.hidden_from_gal && !policy.include.hidden_from_gal {
        return Err(SkipReason::Hidden);
    }
    let excluded = |a: &str| policy.exclude_addresses.iter().any(|g| g.matches(a));
    if excluded(&primary) {
        return Err(SkipReason::Excluded);
    }
    aliases.retain(|a| !excluded(a));
    Ok((kind, primary, aliases))
}

fn is_enabled(obj: &DirObject) -> bool {
    obj.account_enabled.unwrap_or_else(|| obj.user_account_control.is_none_or(|uac| uac & UAC_ACCOUNTDISABLE == 0))
}

fn into_entry(obj: DirObject, kind: EntryKind, primary_email: String, aliases: Vec<String>) -> DirectoryEntry {
    DirectoryEntry {
        id: obj.id,
        enabled: is_enabled(&obj),
        hidden: obj.hidden_from_gal,
        member_count: if obj.class == ObjectClass::Group { Some(obj.member_count.unwrap_or(0)) } else { None },
        source: None,
        dn: obj.dn,
        kind,
        primary_email,
        aliases,
        first_name: obj.given_name,
        last_name: obj.surname,
        display_name: obj.display_name,
    }
}

fn is_in_excluded_subtree(dn: &str, subtrees: &[Dn]) -> bool {
    if subtrees.is_empty() {
        return false;
    }
    Dn::parse(dn).is_ok_and(|dn| subtrees.iter().any(|s| dn.is_within(s)))
}

/// Mail-enabled groups and shared/room/equipment mailboxes are the service's functional accounts.
pub fn kind_of(obj: &DirObject) -> EntryKind {
    match obj.class {
        ObjectClass::Group if is_security_group(obj) => EntryKind::SecurityGroup,
        ObjectClass::Group => EntryKind::Functional,
        _ if is_functional_mailbox(obj) => EntryKind::Functional,
        _ => EntryKind::User,
    }
}

fn is_security_group(obj: &DirObject) -> bool {
    match obj.group_kind {
        Some(kind) => kind == GroupKind::Security,
        None => obj.group_type.is_some_and(|t| (t as u32) & GROUP_TYPE_SECURITY != 0),
    }
}

fn is_functional_mailbox(obj: &DirObject) -> bool {
    match obj.mailbox_purpose {
        Some(purpose) => purpose.is_functional(),
        None => obj.recipient_type_details.is_some_and(|t| FUNCTIONAL_MAILBOXES.contains(&t)),
    }
}

fn check_kind_selected(kind: EntryKind, include: &Include) -> Result<(), SkipReason> {
    match kind {
        EntryKind::Functional if !include.functional_accounts => Err(SkipReason::Functional),
        EntryKind::SecurityGroup if !include.security_groups => Err(SkipReason::SecurityGroup),
        _ => Ok(()),
    }
}

/// Only people have an activity choice: a shared mailbox's account is disabled by design.
fn check_activity(enabled: bool, include: &Include) -> Result<(), SkipReason> {
    match enabled {
        false if !include.disabled_users => Err(SkipReason::Disabled),
        true if !include.active_users => Err(SkipReason::ActiveUser),
        _ => Ok(()),
    }
}

/// Primary address (upper-case `SMTP:`, else `mail`) and sorted aliases, all lower-cased.
pub fn addresses(obj: &DirObject) -> Option<(String, Vec<String>)> {
    let mut primary = None;
    let mut aliases = Vec::new();
    for value in &obj.proxy_addresses {
        let Some((prefix, address)) = value.split_once(':') else {
            continue;
        };
        let Some(address) = normalise_address(address) else {
            continue;
        };
        match prefix {
            "SMTP" if primary.is_none() => primary = Some(address),
            // A second upper-case SMTP: is a directory mistake; keep it as an alias.
            "SMTP" | "smtp" => aliases.push(address),
            _ => {} // X500:, SIP:, x400: … are not mail addresses
        }
    }
    let mail = obj.mail.as_deref().and_then(normalise_address);
    let primary = match (primary, mail) {
        (Some(p), Some(m)) => {
            aliases.push(m);
            p
        }
        (Some(p), None) => p,
        (None, Some(m)) => m,
        (None, None) => return None,
    };
    aliases.retain(|a| *a != primary);
    aliases.sort();
    aliases.dedup();
    Some((primary, aliases))
}

pub fn normalise_address(raw: &str) -> Option<String> {
    let address = raw.trim().to_lowercase();
    let (local, domain) = address.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !address.contains(char::is_whitespace)).then_some(address)
}

mod candidates;
mod claims;
#[cfg(test)]
mod tests;
