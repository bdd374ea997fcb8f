//! Apply throughput through the real API client against the loopback fake answering each
//! request after 20 ms, `max_in_flight = 4`: 10,000 creates (one POST each; the bound is
//! 4 / 20 ms = 200/s), then 4,000 updates of those accounts (a GET of the account as it is
//! now, then the PUT: the bound is 4 / (2 × 20 ms) = 100/s). The target is at least 80% of
//! each bound. Run by `scripts/bench.sh apply`.

#[path = "../tests/common/fake_service.rs"]
mod fake_service;

use adsync::config::Config;
use adsync::model::{DirectoryEntry, EntryKind, ObjectId, Presence};
use adsync::sync::apply::{ApplyProgress, apply};
use adsync::sync::journal::Journal;
use adsync::sync::plan::{Managed, PlanPolicy, plan};
use adsync::target::Target;
use fake_service::{ADMIN, DOMAIN, FakeService, Mode, PASSWORD};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CREATES: usize = 10_000;
const UPDATES: usize = 4_000;

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs this once without it, as a
/// smoke test, and then a fiftieth of the work keeps the suite short.
fn scaled(n: usize) -> usize {
    if std::env::args().any(|a| a == "--bench") { n } else { n / 50 }
}
const LATENCY: Duration = Duration::from_millis(20);
const IN_FLIGHT: usize = 4;

/// The directory: everyone, with the first `renamed` people's surnames changed.
fn entries(people: usize, renamed: usize) -> Vec<DirectoryEntry> {
    (0..people)
        .map(|i| DirectoryEntry {
            id: Some(ObjectId(uuid::Uuid::from_u128(i as u128))),
            dn: format!("cn=u{i},dc=example,dc=com"),
            kind: EntryKind::User,
            primary_email: format!("user{i:05}@example.com"),
            aliases: vec![],
            first_name: Some("First".into()),
            last_name: Some(if i < renamed { format!("Married{i}") } else { format!("Last{i}") }),
            display_name: None,
            enabled: true,
            hidden: false,
            member_count: None,
            source: None,
        })
        .collect()
}

fn config(fake: &FakeService) -> Config {
    let text = format!(
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1\"\nbase_dn = \"dc=example,dc=com\"\n\
         [target]\nkind = \"essentials\"\napi_url = \"{}\"\ndomain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\n\
         password = \"{PASSWORD}\"\nmax_in_flight = {IN_FLIGHT}\n",
        fake.base_url()
    );
    Config::parse(&text, "bench.toml").unwrap()
}

/// Plans `directory` against what the service holds, applies it, and prints one line.
async fn run(target: &Arc<dyn Target>, directory: &[DirectoryEntry], what: &str, requests_per_change: u32) {
    let accounts = target.list().await.unwrap();
    let p = plan(directory, &Presence::default(), &accounts, &Managed::default(), &PlanPolicy::default());
    let state = tempfile::tempdir().unwrap();
    let journal = Journal::create(state.path(), "bench").unwrap();
    let progress = Arc::new(|_: ApplyProgress| {});
    let started = Instant::now();
    let outcome = apply(target.clone(), journal, p.changes, IN_FLIGHT, progress, Default::default()).await;
    let secs = started.elapsed().as_secs_f64();
    let rate = outcome.applied.len() as f64 / secs;
    let bound = IN_FLIGHT as f64 / (f64::from(requests_per_change) * LATENCY.as_secs_f64());
    println!(
        "apply: {} {what} in {secs:.1} s = {rate:.0}/s; bound {bound:.0}/s ({IN_FLIGHT} in flight / ({requests_per_change} x {} ms)) -> {:.0}% of the bound; failed {}, skipped {}",
        outcome.applied.len(),
        LATENCY.as_millis(),
        rate * 100.0 / bound,
        outcome.failed.len(),
        outcome.skipped.len(),
    );
    for why in outcome.fatal.iter().chain(outcome.failed.iter().map(|f| &f.error).take(3)) {
        println!("apply: failure: {why}");
    }
}

fn main() {
    // Strict: each PUT replaces the whole stored account, as the slower reading of the API has it.
    let fake = FakeService::start_in(Mode::Strict);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let target = adsync::target::from_config(&config(&fake)).unwrap();
        fake.set_latency(LATENCY);
        let people = scaled(CREATES);
        run(&target, &entries(people, 0), "creates", 1).await;
        run(&target, &entries(people, scaled(UPDATES)), "updates (GET + PUT each)", 2).await;
    });
    println!("apply: peak in flight at the service {}", fake.max_in_flight());
}
