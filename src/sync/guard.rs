//! Safety guards: the run is blocked as a whole — nothing at all applied — when the read is
//! not trustworthy, the deletes are out of proportion, the service's own sync runs for the
//! organisation, or (when asked) the licences would not suffice. Each block names the guard,
//! the numbers, and the way out. What does not block but should be read is a warning. Pure.

use super::baseline::SourceSize;
use crate::config::GuardConfig;
use crate::model::{Licenses, SourceIdentity, UnreadFact, VendorSync};
use serde::Serialize;
use std::fmt;

/// The facts a verdict is made from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GuardInput {
    /// Whether the directory read was complete (a partial read never reaches a plan, but the
    /// guard holds the line anyway).
    pub complete: bool,
    /// Users (people, not groups) the directory offers to sync.
    pub users: usize,
    /// Directory objects considered (synced + skipped), compared with the last good run.
    pub directory_objects: usize,
    pub last_good_objects: Option<usize>,
    /// The source read now, and the one the last good run read, when they differ: that
    /// run's size is then no baseline for this one. (Boxed: a plan travels in the engine's
    /// messages, and this is seldom there.)
    pub source_change: Option<Box<SourceChange>>,
    /// With several sources: each one's size against its own baseline (the whole read's
    /// size is then not compared).
    pub per_source: Vec<SourceSize>,
    /// Deletes among the approved changes.
    pub deletes: usize,
    /// Accounts in the service.
    pub target_accounts: usize,
    /// The organisation's licences, when the service said (API only).
    pub licenses: Option<Licenses>,
    /// Active accounts the approved changes add (creates, enables) minus those they remove.
    pub active_delta: i64,
    /// The service's own syncs that are on for the organisation.
    pub vendor_syncs: Vec<VendorSync>,
    /// `[target] coexist_with_vendor_sync`: write beside them anyway.
    pub coexist_with_vendor_sync: bool,
    /// Organisation facts the service would not give (403/404).
    pub unread: Vec<UnreadFact>,
}

/// A new kind of source, or another directory of the same kind, since the last good run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceChange {
    pub before: SourceIdentity,
    pub now: SourceIdentity,
}

/// What the reviewer approved, as far as the guards care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub deletes: usize,
    pub active_delta: i64,
}

/// One-run overrides from the command line (or the TUI's confirmation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--allow-deletes N`: up to N deletes pass the count and percent guards.
    pub allow_deletes: Option<usize>,
    /// `--allow-shrink`: the directory may have shrunk beyond the limit, or be another one
    /// than the last good run read (its size becomes the new baseline).
    pub allow_shrink: bool,
}

/// More active accounts after the run than the organisation has licences for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LicenseExcess {
    pub active_users: u64,
    pub active_after: i64,
    pub user_licenses: u64,
}

impl fmt::Display for LicenseExcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "after this run {} accounts would be active, and the organisation has {} user licences ({} active now)",
            self.active_after, self.user_licenses, self.active_users
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "guard", rename_all = "snake_case")]
pub enum Block {
    IncompleteRead,
    ZeroUsers,
    MaxDeletes {
        deletes: usize,
        limit: u32,
    },
    MaxDeletePercent {
        deletes: usize,
        accounts: usize,
        percent: f64,
        limit: f64,
    },
    MaxShrinkPercent {
        before: usize,
        now: usize,
        percent: f64,
        limit: f64,
    },
    SourceChanged(SourceChange),
    /// One of several sources shrank beyond the limit against its own last good size.
    SourceShrank {
        source: String,
        before: usize,
        now: usize,
        percent: f64,
        limit: f64,
    },
    /// The source of this name read another directory at the last good run.
    NamedSourceChanged {
        source: String,
        before: SourceIdentity,
        now: SourceIdentity,
    },
    VendorSyncActive {
        syncs: Vec<VendorSync>,
    },
    RespectLicenses(LicenseExcess),
}

impl Block {
    /// Whether a one-run override (`--allow-deletes`, `--allow-shrink`) can let the run through.
    pub fn has_override(&self) -> bool {
        matches!(
            self,
            Block::MaxDeletes { .. }
                | Block::MaxDeletePercent { .. }
                | Block::MaxShrinkPercent { .. }
                | Block::SourceChanged(_)
                | Block::SourceShrank { .. }
                | Block::NamedSourceChanged { .. }
        )
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::IncompleteRead => {
                write!(f, "the directory read was incomplete; nothing is applied from a partial read")
            }
            Block::ZeroUsers => write!(
                f,
                "the directory returned zero users; check base_dn and the bind account's rights (this guard has no override)"
            ),
            Block::MaxDeletes { deletes, limit } => write!(
                f,
                "sync.guards.max_deletes: {deletes} deletes planned, the limit is {limit}; if they are right, run once with --allow-deletes {deletes}"
            ),
            Block::MaxDeletePercent { deletes, accounts, percent, limit } => write!(
                f,
                "sync.guards.max_delete_percent: {deletes} of {accounts} accounts ({percent:.1}%) would be deleted, the limit is {limit}%; if they are right, run once with --allow-deletes {deletes}"
            ),
            Block::MaxShrinkPercent { before, now, percent, limit } => write!(
                f,
                "sync.guards.max_shrink_percent: the directory shrank from {before} to {now} objects ({percent:.1}%) since the last good run, the limit is {limit}%; if that is right, run once with --allow-shrink"
            ),
            Block::SourceChanged(SourceChange { before, now }) => write!(
                f,
                "source_changed: the last good run read {before}, this one reads {now}, so the shrink guard has no baseline for it; if the new source is right, run once with --allow-shrink to make it the baseline"
            ),
            Block::SourceShrank { source, before, now, percent, limit } => write!(
                f,
                "sync.guards.max_shrink_percent: source {source:?} shrank from {before} to {now} objects ({percent:.1}%) since the last good run, the limit is {limit}%; if that is right, run once with --allow-shrink"
            ),
            Block::NamedSourceChanged { source, before, now } => write!(
                f,
                "source_changed: source {source:?} read {before} at the last good run, this one reads {now}, so the shrink guard has no baseline for it; if that is right, run once with --allow-shrink to make it the baseline"
            ),
            Block::VendorSyncActive { syncs } => {
                write!(f, "vendor_sync_active: ")?;
                for sync in syncs {
                    write!(f, "{sync} is on for this organisation; turn it off: {}. ", sync.how_to_turn_off())?;
                }
                write!(
                    f,
                    "Two syncers on one organisation fight and delete each other's accounts. To let adsync write beside it anyway, set [target] coexist_with_vendor_sync = true"
                )
            }
            Block::RespectLicenses(excess) => write!(
                f,
                "sync.guards.respect_licenses: {excess}; leave creates out, add licences, or set respect_licenses = false to make this a warning"
            ),
        }
    }
}

/// Worth reading before applying, but no reason to stop.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum Warning {
    Licenses(LicenseExcess),
    VendorSyncCoexisting { syncs: Vec<VendorSync> },
    OrgFactUnread(UnreadFact),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Licenses(excess) => {
                write!(f, "licences: {excess}; set sync.guards.respect_licenses = true to block such a run")
            }
            Warning::VendorSyncCoexisting { syncs } => {
                let names: Vec<String> = syncs.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "{} is on for this organisation too, and coexist_with_vendor_sync = true lets adsync write beside it: the two may undo each other's changes",
                    names.join(" and ")
                )
            }
            Warning::OrgFactUnread(gap) => write!(f, "{gap}"),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub blocks: Vec<Block>,
    pub warnings: Vec<Warning>,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.blocks.is_empty()
    }
}

pub fn check(input: &GuardInput, limits: &GuardConfig, overrides: Overrides) -> Verdict {
    let mut blocks = Vec::new();
    if !input.complete {
        blocks.push(Block::IncompleteRead);
    }
    if input.users == 0 {
        blocks.push(Block::ZeroUsers);
    }
    let allowed = overrides.allow_deletes.is_some_and(|n| input.deletes <= n);
    if !allowed {
        blocks.extend(delete_blocks(input, limits));
    }
    if !overrides.allow_shrink {
        // Another directory's size is no baseline: only the change itself is worth a word.
        match &input.source_change {
            Some(change) => blocks.push(Block::SourceChanged(SourceChange::clone(change))),
            None if input.per_source.is_empty() => blocks.extend(shrink_block(input, limits)),
            None => blocks.extend(input.per_source.iter().filter_map(|s| source_block(s, limits))),
        }
    }
    let mut verdict = Verdict { blocks, warnings: Vec::new() };
    organisation_checks(input, &mut verdict);
    licences(input, limits, &mut verdict);
    verdict
}

/// Only what the organisation's own facts decide (the vendor's sync, facts not read), for
/// `adsync check --target`, which has no directory read to judge.
pub fn organisation(input: &GuardInput) -> Verdict {
    let mut verdict = Verdict::default();
    organisation_checks(input, &mut verdict);
    verdict
}

fn organisation_checks(input: &GuardInput, verdict: &mut Verdict) {
    vendor_sync(input, verdict);
    verdict.warnings.extend(input.unread.iter().cloned().map(Warning::OrgFactUnread));
}

/// The service's own sync blocks the run, unless the admin chose to coexist with it.
fn vendor_sync(input: &GuardInput, verdict: &mut Verdict) {
    if input.vendor_syncs.is_empty() {
        return;
    }
    let syncs = input.vendor_syncs.clone();
    if input.coexist_with_vendor_sync {
        verdict.warnings.push(Warning::VendorSyncCoexisting { syncs });
    } else {
        verdict.blocks.push(Block::VendorSyncActive { syncs });
    }
}

fn licences(input: &GuardInput, limits: &GuardConfig, verdict: &mut Verdict) {
    let Some(licenses) = input.licenses else { return };
    let active_after = licenses.active_users as i64 + input.active_delta;
    if input.active_delta <= 0 || active_after <= licenses.user_licenses as i64 {
        return;
    }
    let excess =
        LicenseExcess { active_users: licenses.active_users, active_after, user_licenses: licenses.user_licenses };
    if limits.respect_licenses {
        verdict.blocks.push(Block::RespectLicenses(excess));
    } else {
        verdict.warnings.push(Warning::Licenses(excess));
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

fn delete_blocks(input: &GuardInput, limits: &GuardConfig) -> Vec<Block> {
    let mut blocks = Vec::new();
    if input.deletes > limits.max_deletes as usize {
        blocks.push(Block::MaxDeletes { deletes: input.deletes, limit: limits.max_deletes });
    }
    let share = percent(input.deletes, input.target_accounts);
    if input.deletes > 0 && share > limits.max_delete_percent {
        blocks.push(Block::MaxDeletePercent {
            deletes: input.deletes,
            accounts: input.target_accounts,
            percent: share,
            limit: limits.max_delete_percent,
        });
    }
    blocks
}

fn shrink_block(input: &GuardInput, limits: &GuardConfig) -> Option<Block> {
    let before = input.last_good_objects?;
    let share = shrank_beyond(before, input.directory_objects, limits)?;
    Some(Block::MaxShrinkPercent {
        before,
        now: input.directory_objects,
        percent: share,
        limit: limits.max_shrink_percent,
    })
}

/// How far a read shrank from `before` to `now`, in percent, when that is beyond the limit.
fn shrank_beyond(before: usize, now: usize, limits: &GuardConfig) -> Option<f64> {
    let share = percent(before.saturating_sub(now), before);
    (share > limits.max_shrink_percent).then_some(share)
}

/// One of several sources: read from another directory than last time, or shrunk.
fn source_block(size: &SourceSize, limits: &GuardConfig) -> Option<Block> {
    if let Some(before) = &size.changed_from {
        let (before, now) = (before.clone(), size.identity.clone());
        return Some(Block::NamedSourceChanged { source: size.name.clone(), before, now });
    }
    let before = size.before?;
    let share = shrank_beyond(before, size.objects, limits)?;
    Some(Block::SourceShrank {
        source: size.name.clone(),
        before,
        now: size.objects,
        percent: share,
        limit: limits.max_shrink_percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> GuardInput {
        GuardInput {
            complete: true,
            users: 1000,
            directory_objects: 1200,
            last_good_objects: Some(1200),
            deletes: 0,
            target_accounts: 1000,
            ..GuardInput::default()
        }
    }

    fn names(v: &Verdict) -> Vec<&'static str> {
        v.blocks
            .iter()
            .map(|b| match b {
                Block::IncompleteRead => "incomplete",
                Block::ZeroUsers => "zero_users",
                Block::MaxDeletes { .. } => "max_deletes",
                Block::MaxDeletePercent { .. } => "max_delete_percent",
                Block::MaxShrinkPercent { .. } => "max_shrink_percent",
                Block::SourceChanged(_) => "source_changed",
                Block::SourceShrank { .. } => "source_shrank",
                Block::NamedSourceChanged { .. } => "named_source_changed",
                Block::VendorSyncActive { .. } => "vendor_sync_active",
                Block::RespectLicenses(_) => "respect_licenses",
            })
            .collect()
    }

    fn csv_after_ldap() -> SourceChange {
        SourceChange {
            before: SourceIdentity::Ldap { url: "ldaps://dc1:636".into(), base_dn: "dc=example,dc=com".into() },
            now: SourceIdentity::Csv { layout: crate::model::CsvLayout::Service },
        }
    }

    #[test]
    fn one_of_several_sources_that_shrank_blocks_naming_it() {
        let ldap = SourceIdentity::Ldap { url: "ldap://127.0.0.1:3893".into(), base_dn: "dc=x".into() };
        let size = |name: &str, objects, before| SourceSize {
            name: name.into(),
            identity: ldap.clone(),
            objects,
            users: objects,
            before,
            changed_from: None,
        };
        // The whole read grew: only the per-source sizes tell.
        let input = GuardInput {
            directory_objects: 2000,
            per_source: vec![size("hq", 1500, Some(1000)), size("staff", 50, Some(200))],
            ..healthy()
        };
        let v = check(&input, &GuardConfig::default(), Overrides::default());
        assert_eq!(names(&v), ["source_shrank"]);
        assert!(v.blocks[0].to_string().contains("source \"staff\" shrank from 200 to 50"), "{}", v.blocks[0]);
        assert!(check(&input, &GuardConfig::default(), Overrides { allow_shrink: true, ..Overrides::default() }).ok());
        let moved =
            SourceSize { changed_from: Some(SourceIdentity::Graph { tenant: "t".into() }), ..size("hq", 1, None) };
        let v =
            check(&GuardInput { per_source: vec![moved], ..healthy() }, &GuardConfig::default(), Overrides::default());
        assert_eq!(names(&v), ["named_source_changed"]);
        assert!(v.blocks[0].to_string().contains("source \"hq\" read Entra ID tenant t"), "{}", v.blocks[0]);
    }

    #[test]
    fn a_changed_source_says_both_and_the_way_out() {
        let input = GuardInput { source_change: Some(Box::new(csv_after_ldap())), ..healthy() };
        let v = check(&input, &GuardConfig::default(), Overrides::default());
        let text = v.blocks[0].to_string();
        assert!(
            text.contains(
                "read LDAP ldaps://dc1:636 dc=example,dc=com, this one reads a CSV file in the service layout"
            ) && text.contains("--allow-shrink"),
            "{text}"
        );
        assert!(v.blocks[0].has_override());
        assert_eq!(serde_json::to_value(&v.blocks[0]).unwrap()["guard"], "source_changed");
    }

    #[test]
    fn guard_table() {
        let limits = GuardConfig::default(); // 25 deletes, 5%, 10% shrink
        let cases: Vec<(&str, GuardInput, Overrides, Vec<&str>)> = vec![
            ("healthy", healthy(), Overrides::default(), vec![]),
            ("incomplete read", GuardInput { complete: false, ..healthy() }, Overrides::default(), vec!["incomplete"]),
            (
                "zero users",
                GuardInput { users: 0, ..healthy() },
                Overrides { allow_deletes: Some(9999), allow_shrink: true },
                vec!["zero_users"],
            ),
            (
                "25 deletes is the limit",
                GuardInput { deletes: 25, target_accounts: 10_000, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            (
                "26 deletes",
                GuardInput { deletes: 26, target_accounts: 10_000, ..healthy() },
                Overrides::default(),
                vec!["max_deletes"],
            ),
            (
                "6% of 100",
                GuardInput { deletes: 6, target_accounts: 100, ..healthy() },
                Overrides::default(),
                vec!["max_delete_percent"],
            ),
            (
                "5% of 100 is allowed",
                GuardInput { deletes: 5, target_accounts: 100, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            (
                "both delete guards",
                GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
                Overrides::default(),
                vec!["max_deletes", "max_delete_percent"],
            ),
            (
                "override covers",
                GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
                Overrides { allow_deletes: Some(40), ..Overrides::default() },
                vec![],
            ),
            (
                "override too small",
                GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
                Overrides { allow_deletes: Some(39), ..Overrides::default() },
                vec!["max_deletes", "max_delete_percent"],
            ),
            (
                "shrank 20%",
                GuardInput { directory_objects: 960, ..healthy() },
                Overrides::default(),
                vec!["max_shrink_percent"],
            ),
            (
                "shrank 10% is allowed",
                GuardInput { directory_objects: 1080, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            (
                "shrink override",
                GuardInput { directory_objects: 10, ..healthy() },
                Overrides { allow_shrink: true, ..Overrides::default() },
                vec![],
            ),
            (
                "no last run: no shrink guard",
                GuardInput { directory_objects: 10, last_good_objects: None, ..healthy() },
                Overrides::default(),
                vec![],
            ),
            ("grew", GuardInput { directory_objects: 5000, ..healthy() }, Overrides::default(), vec![]),
            (
                "another source",
                GuardInput { source_change: Some(Box::new(csv_after_ldap())), ..healthy() },
                Overrides::default(),
                vec!["source_changed"],
            ),
            (
                "another source that also shrank: the change, not the shrink",
                GuardInput { directory_objects: 10, source_change: Some(Box::new(csv_after_ldap())), ..healthy() },
                Overrides::default(),
                vec!["source_changed"],
            ),
            (
                "another source, confirmed",
                GuardInput { directory_objects: 10, source_change: Some(Box::new(csv_after_ldap())), ..healthy() },
                Overrides { allow_shrink: true, ..Overrides::default() },
                vec![],
            ),
            ("empty service", GuardInput { target_accounts: 0, ..healthy() }, Overrides::default(), vec![]),
        ];
        for (name, input, overrides, want) in cases {
            assert_eq!(names(&check(&input, &limits, overrides)), want, "{name}");
        }
    }

    fn licensed(user_licenses: u64, active_users: u64, active_delta: i64) -> GuardInput {
        GuardInput { licenses: Some(Licenses { user_licenses, active_users }), active_delta, ..healthy() }
    }

    #[test]
    fn licences_warn_and_block_only_when_asked() {
        let warn_only = GuardConfig::default();
        let strict = GuardConfig { respect_licenses: true, ..GuardConfig::default() };
        let cases = [
            ("fits exactly", licensed(100, 90, 10), 0),
            ("one over", licensed(100, 90, 11), 1),
            ("already over, but this run frees some", licensed(100, 120, -5), 0),
            ("no licence facts", GuardInput { active_delta: 500, ..healthy() }, 0),
        ];
        for (name, input, over) in cases {
            let v = check(&input, &warn_only, Overrides::default());
            assert!(v.ok(), "{name}");
            assert_eq!(v.warnings.len(), over, "{name}");
            assert_eq!(names(&check(&input, &strict, Overrides::default())).len(), over, "{name}");
        }
        let v = check(&licensed(100, 90, 11), &strict, Overrides::default());
        assert_eq!(names(&v), ["respect_licenses"]);
        let text = v.blocks[0].to_string();
        assert!(text.contains("101 accounts would be active") && text.contains("100 user licences"), "{text}");
    }

    #[test]
    fn the_vendors_sync_blocks_unless_coexisting() {
        let ldap = VendorSync::Ldap { url: "ldaps://dc1".into(), base_dn: None };
        let input = GuardInput { vendor_syncs: vec![ldap], ..healthy() };
        let v = check(&input, &GuardConfig::default(), Overrides { allow_deletes: Some(9), allow_shrink: true });
        assert_eq!(names(&v), ["vendor_sync_active"]);
        let text = v.blocks[0].to_string();
        assert!(text.contains("LDAP sync (ldap_url ldaps://dc1)") && text.contains("coexist_with_vendor_sync = true"));
        let json = serde_json::to_value(&v.blocks[0]).unwrap();
        assert_eq!(json["guard"], "vendor_sync_active");
        let coexisting = GuardInput { coexist_with_vendor_sync: true, ..input };
        let v = check(&coexisting, &GuardConfig::default(), Overrides::default());
        assert!(v.ok() && matches!(v.warnings[..], [Warning::VendorSyncCoexisting { .. }]));
    }

    #[test]
    fn blocks_say_the_numbers_and_the_override() {
        let v = check(
            &GuardInput { deletes: 40, target_accounts: 100, ..healthy() },
            &GuardConfig::default(),
            Overrides::default(),
        );
        let text = v.blocks[1].to_string();
        assert!(text.contains("40 of 100 accounts (40.0%)") && text.contains("--allow-deletes 40"), "{text}");
        let v =
            check(&GuardInput { directory_objects: 600, ..healthy() }, &GuardConfig::default(), Overrides::default());
        assert!(v.blocks[0].to_string().contains("from 1200 to 600 objects (50.0%)"));
    }
}
