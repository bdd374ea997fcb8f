//! Planning cost: 100,000 directory entries against 100,000 service accounts, with the
//! mix a real sync sees (most in sync, some changed, some new, some gone). Run by
//! `scripts/bench.sh plan`, which compares it with the time to read 100,000 entries.

use adsync::model::{Account, AccountType, ChangeKind, DirectoryEntry, EntryKind, ObjectId, Presence};
use adsync::sync::plan::{Managed, PlanPolicy, desired_account, plan};
use std::time::{Duration, Instant};

const N: usize = 100_000;

fn entry(i: usize) -> DirectoryEntry {
    DirectoryEntry {
        id: Some(ObjectId(uuid::Uuid::from_u128(i as u128))),
        dn: format!("cn=User {i:06},ou=People,dc=example,dc=com"),
        kind: if i.is_multiple_of(100) { EntryKind::Functional } else { EntryKind::User },
        primary_email: format!("user{i:06}@example.com"),
        aliases: if i.is_multiple_of(4) { vec![format!("u.{i:06}@example.com")] } else { vec![] },
        first_name: Some("First".into()),
        last_name: Some(format!("Last{i}")),
        display_name: Some(format!("First Last{i}")),
        enabled: !i.is_multiple_of(20),
        hidden: false,
        member_count: None,
        source: None,
    }
}

/// The service as a previous sync left it, then drifted: 5% edited, 5% never created,
/// 5% extra stale accounts.
fn world() -> (Vec<DirectoryEntry>, Vec<Account>, Managed) {
    let entries: Vec<DirectoryEntry> = (0..N).map(entry).collect();
    let mut accounts = Vec::with_capacity(N);
    let mut managed = Managed::default();
    for e in &entries {
        let i = e.id.unwrap().0.as_u128() as usize;
        if i % 20 == 7 {
            continue; // new in the directory
        }
        let mut a = desired_account(e, adsync::model::DefaultRole::SilentUser);
        if i % 20 == 3 {
            a.last_name = Some("Edited".into());
        }
        managed.accounts.insert(a.primary_email.clone(), e.id);
        accounts.push(a);
    }
    for k in 0..N / 20 {
        let a = Account::new(format!("stale{k:06}@example.com"), AccountType::SilentUser);
        managed.accounts.insert(a.primary_email.clone(), None);
        accounts.push(a);
    }
    (entries, accounts, managed)
}

fn main() {
    let (entries, accounts, managed) = world();
    let policy = PlanPolicy { delete: true, ..PlanPolicy::default() };
    let present = Presence::default();
    let mut times: Vec<Duration> = Vec::new();
    let mut last = None;
    for _ in 0..7 {
        let started = Instant::now();
        let p = plan(&entries, &present, &accounts, &managed, &policy);
        times.push(started.elapsed());
        last = Some(p);
    }
    times.sort();
    let p = last.unwrap();
    println!(
        "plan: {} entries x {} accounts -> +{} ~{} -{} ({} in sync); median {:.1} ms, best {:.1} ms",
        entries.len(),
        accounts.len(),
        p.count(ChangeKind::Create),
        p.count(ChangeKind::Update),
        p.count(ChangeKind::Delete),
        p.in_sync,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}

/// The same allocator as the adsync binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
