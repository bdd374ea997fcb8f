//! Apply throughput: 10,000 creates through the real API client against the loopback fake
//! answering each request after 20 ms, `max_in_flight = 4`. The bound is 4 / 20 ms = 200
//! requests/s; the target is at least 80% of it. Run by `scripts/bench.sh apply`.

#[path = "../tests/common/fake_service.rs"]
mod fake_service;

use adsync::config::Config;
use adsync::model::Presence;
use adsync::model::{DirectoryEntry, EntryKind, ObjectId};
use adsync::sync::apply::{ApplyProgress, apply};
use adsync::sync::journal::Journal;
use adsync::sync::plan::{Managed, PlanPolicy, plan};
use fake_service::{ADMIN, DOMAIN, FakeService, PASSWORD};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CREATES: usize = 10_000;
const LATENCY: Duration = Duration::from_millis(20);
const IN_FLIGHT: usize = 4;

fn entries() -> Vec<DirectoryEntry> {
    (0..CREATES)
        .map(|i| DirectoryEntry {
            id: Some(ObjectId(uuid::Uuid::from_u128(i as u128))),
            dn: format!("cn=u{i},dc=example,dc=com"),
            kind: EntryKind::User,
            primary_email: format!("user{i:05}@example.com"),
            aliases: vec![],
            first_name: Some("First".into()),
            last_name: Some(format!("Last{i}")),
            display_name: None,
            enabled: true,
            hidden: false,
            member_count: None,
        })
        .collect()
}

fn main() {
    let fake = FakeService::start();
    fake.set_latency(LATENCY);
    let state = tempfile::tempdir().unwrap();
    let config = Config::parse(
        &format!(
            "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1\"\nbase_dn = \"dc=example,dc=com\"\n\
             [target]\nkind = \"essentials\"\napi_url = \"{}\"\ndomain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\n\
             password = \"{PASSWORD}\"\nmax_in_flight = {IN_FLIGHT}\n",
            fake.base_url()
        ),
        "bench.toml",
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let target = adsync::target::from_config(&config).unwrap();
        let p = plan(&entries(), &Presence::default(), &[], &Managed::default(), &PlanPolicy::default());
        let journal = Journal::create(state.path(), "bench").unwrap();
        let started = Instant::now();
        let progress = Arc::new(|_: ApplyProgress| {});
        let outcome = apply(target, journal, p.changes, IN_FLIGHT, progress, Default::default()).await;
        let secs = started.elapsed().as_secs_f64();
        let rate = outcome.applied.len() as f64 / secs;
        let bound = IN_FLIGHT as f64 / LATENCY.as_secs_f64();
        println!(
            "apply: {} creates in {secs:.1} s = {rate:.0}/s; bound {bound:.0}/s ({IN_FLIGHT} in flight x {} ms) -> {:.0}% of the bound; failed {}, peak in flight at the service {}",
            outcome.applied.len(),
            LATENCY.as_millis(),
            rate * 100.0 / bound,
            outcome.failed.len(),
            fake.max_in_flight()
        );
    });
}
