//! What is left after the last page of a 100,000-entry read: finishing the classification
//! (conflicts are found and runs sorted while reading, so this is a merge and a gather) and
//! writing `search --json`. Pushing the objects is measured too, though a real read hides it
//! behind the server. Run by `scripts/bench.sh classify`.

use adsync::model::{DirObject, Flavor, ObjectClass, SearchOutcome};
use adsync::source::classify::{Classifier, Policy};
use std::time::{Duration, Instant};

const N: usize = 100_000;

fn objects() -> Vec<DirObject> {
    (0..N)
        .map(|i| {
            // Not in address order, as a directory returns them.
            let k = (i * 7919) % N;
            let mut o = DirObject::new(format!("CN=Lee\\, Ann {k:06},OU=People,DC=example,DC=com"), ObjectClass::User);
            o.id = None;
            o.mail = Some(format!("ann.lee{k:06}@example.com"));
            o.proxy_addresses = vec![format!("SMTP:ann.lee{k:06}@example.com"), format!("smtp:al{k:06}@example.com")];
            o.given_name = Some("Ann".into());
            o.surname = Some("Lee".into());
            o.display_name = Some(format!("Lee, Ann {k:06}"));
            o.user_account_control = Some(512);
            o
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let (mut push, mut finish, mut json) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        let objects = objects();
        let started = Instant::now();
        let mut classifier = Classifier::new(Policy::default());
        objects.into_iter().for_each(|o| classifier.push(o));
        push.push(started.elapsed());
        let started = Instant::now();
        let classification = classifier.finish();
        finish.push(started.elapsed());
        assert_eq!(classification.entries.len(), N);
        let outcome =
            SearchOutcome { flavor: Flavor::ActiveDirectory, stats: Default::default(), classification, ignored: 0 };
        let started = Instant::now();
        adsync::report::write_search_json(&mut std::io::sink(), &outcome).unwrap();
        json.push(started.elapsed());
    }
    println!(
        "classify: {N} objects, median of 7: push {:.1} ms (during the read), finish {:.1} ms, json {:.1} ms",
        median(push),
        median(finish),
        median(json)
    );
}

/// The allocator the binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
