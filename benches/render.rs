//! One 120×40 frame with 100,000 entries under an open tree node and 100,000 rows in the
//! review: only visible rows may be built. Target: <= 5 ms a frame. Run by
//! `scripts/bench.sh render`.

use adsync::config::Config;
use adsync::engine::tree::TreeData;
use adsync::engine::{Phase, Review, Snapshot};
use adsync::model::{Account, AccountType, NodeKind, TreeNode};
use adsync::sync::guard::{GuardInput, Verdict};
use adsync::sync::plan::{Change, Op, Plan};
use adsync::sync::run::Planned;
use adsync::tui::app::{App, Pane};
use adsync::tui::keymap::Keymap;
use adsync::tui::theme::Theme;
use adsync::tui::view::{ViewCtx, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::{Duration, Instant};

const N: usize = 100_000;
const BASE: &str = "DC=example,DC=com";
const PEOPLE: &str = "OU=People,DC=example,DC=com";

fn tree() -> TreeData {
    let mut t = TreeData::default();
    let node = |dn: String, label: String, kind| TreeNode { dn, label, kind, ..TreeNode::default() };
    t.request_children(BASE, false);
    t.children_arrived(BASE, Ok(vec![node(PEOPLE.into(), "People".into(), NodeKind::Container)]));
    t.request_children(PEOPLE, false);
    let people = (0..N)
        .map(|i| TreeNode {
            mail: Some(format!("user{i:06}@example.com")),
            ..node(format!("CN=User {i:06},{PEOPLE}"), format!("User {i:06}"), NodeKind::User)
        })
        .collect();
    t.children_arrived(PEOPLE, Ok(people));
    t
}

fn review() -> Review {
    let changes: Vec<Change> = (0..N)
        .map(|id| Change {
            id,
            op: Op::Create { account: Account::new(format!("user{id:06}@example.com"), AccountType::SilentUser) },
            reason: "new in the directory (user)".into(),
            directory_id: None,
        })
        .collect();
    let planned = Planned {
        plan: Plan { changes, target_accounts: 0, ..Plan::default() },
        guard_input: GuardInput { complete: true, users: N, directory_objects: N, ..GuardInput::default() },
        verdict: Verdict::default(),
        target: "file".into(),
        recovered: vec![],
    };
    Review::new(planned)
}

fn frame_times(app: &mut App, snap: &Snapshot, frames: usize) -> Vec<Duration> {
    let view = ViewCtx {
        theme: Theme::colored(),
        now: jiff::Timestamp::now(),
        tz: jiff::tz::TimeZone::UTC,
        source: "ldaps://dc1.example.com:636 DC=example,DC=com".into(),
        busy_for: None,
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut times: Vec<Duration> = (0..frames)
        .map(|_| {
            let started = Instant::now();
            terminal.draw(|f| draw(f, app, snap, &view)).unwrap();
            started.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn main() {
    let config = Config::parse(
        &format!("[source]\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com\"\nbase_dn = \"{BASE}\"\n"),
        "bench.toml",
    )
    .unwrap();
    let mut app = App::new(config, vec![BASE.into()], Keymap::defaults());
    app.tree.open.insert(PEOPLE.into());
    app.tree.selected = Some(format!("CN=User {:06},{PEOPLE}", N / 2));
    app.diff.selected = Some(N / 2);
    let snap = Snapshot {
        phase: Phase::Planned,
        tree: Arc::new(tree()),
        review: Some(Arc::new(review())),
        ..Snapshot::default()
    };
    for (pane, name) in [(Pane::Tree, "tree focused"), (Pane::Diff, "review focused")] {
        app.focus = pane;
        let t = frame_times(&mut app, &snap, 60);
        println!(
            "render: 120x40 frame, {N} tree entries + {N} review rows, {name}: median {:.2} ms, p95 {:.2} ms (target <= 5 ms)",
            t[t.len() / 2].as_secs_f64() * 1e3,
            t[t.len() * 95 / 100].as_secs_f64() * 1e3
        );
    }
}

/// The same allocator as the adsync binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
