//! Connectivity diagnostics: an ordered ladder of checks from DNS up to read rights, each
//! with a status, its timing, the evidence and a fix. A rung that fails skips the rest.
//!
//! Front-ends (`adsync check`, the TUI) call [`run_ladder`] and watch each rung as it ends
//! through the callback; [`StepId::ladder`] lists a kind's rungs before they run.

mod base;
mod bind;
mod cert;
mod csv;
mod dns;
mod graph;
mod probe;
pub mod report;
mod rights;
mod rootdse;
mod sample;
mod starttls;
pub mod step;
mod tcp;
mod tls;

pub use step::{Outcome, Status, Step, StepId};

use crate::config::{Config, SourceConfig, SourceKind};
use probe::Probe;
use std::time::{Duration, Instant};

/// What to check beyond the configured connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LadderOptions {
    /// Also knock on the Global Catalog ports (3268, 3269).
    pub global_catalog: bool,
}

/// Every rung, in order, and the time the whole ladder took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ladder {
    /// Which kind of source was checked: it decides the rungs.
    pub source_kind: SourceKind,
    pub steps: Vec<Step>,
    pub elapsed: Duration,
}

impl Ladder {
    /// No rung failed (warnings allowed).
    pub fn ok(&self) -> bool {
        self.count(Status::Fail) == 0
    }

    pub fn count(&self, status: Status) -> usize {
        self.steps.iter().filter(|s| s.status == status).count()
    }

    pub fn step(&self, id: StepId) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// Runs every rung in order; `on_step` sees each one as soon as it ends (skipped ones
/// included). Every network operation is bounded by the config's timeouts; dropping the
/// future stops the ladder and closes its connections. Never prints or logs a password.
pub async fn run_ladder(config: &Config, options: LadderOptions, on_step: impl FnMut(&Step) + Send) -> Ladder {
    match &config.source {
        SourceConfig::Ldap(ldap) => {
            let mut probe = Probe::new(config, ldap, options);
            climb(SourceKind::Ldap, &mut probe, on_step).await
        }
        SourceConfig::Graph(graph) => {
            let mut probe = graph::GraphProbe::new(graph);
            climb(SourceKind::Graph, &mut probe, on_step).await
        }
        SourceConfig::Csv(csv) => {
            let mut probe = csv::CsvProbe::new(csv);
            climb(SourceKind::Csv, &mut probe, on_step).await
        }
    }
}

/// What the ladder checks, for its header line.
pub fn target(config: &Config) -> String {
    match &config.source {
        SourceConfig::Ldap(ldap) => format!("{} · {}", ldap.url, ldap.base_dn.0),
        SourceConfig::Graph(graph) => {
            format!("Entra ID tenant {} · {}", graph.tenant, graph.graph_url.as_str().trim_end_matches('/'))
        }
        SourceConfig::Csv(csv) => format!("CSV file {} · {} layout", csv.path.display(), csv.layout().name()),
    }
}

/// A ladder's rungs, run one at a time on what the earlier ones learnt.
#[async_trait::async_trait]
pub(crate) trait Rungs: Send {
    /// The most one rung may take.
    fn step_bound(&self) -> Duration;
    async fn run(&mut self, id: StepId) -> Outcome;
    /// Closes what the rungs left open.
    async fn close(&mut self);
}

async fn climb(kind: SourceKind, rungs: &mut dyn Rungs, mut on_step: impl FnMut(&Step) + Send) -> Ladder {
    let ids = StepId::ladder(kind);
    let started = Instant::now();
    let mut steps = Vec::with_capacity(ids.len());
    let mut failed: Option<StepId> = None;
    for &id in ids {
        let step = match failed {
            Some(broken) => {
                Step::new(id, Outcome::skipped(format!("not run: {} failed", broken.title())), Duration::ZERO)
            }
            None => run_step(rungs, id).await,
        };
        if step.status == Status::Fail {
            failed.get_or_insert(id);
        }
        on_step(&step);
        steps.push(step);
    }
    rungs.close().await;
    Ladder { source_kind: kind, steps, elapsed: started.elapsed() }
}

async fn run_step(rungs: &mut dyn Rungs, id: StepId) -> Step {
    let started = Instant::now();
    let bound = rungs.step_bound();
    let outcome = tokio::time::timeout(bound, rungs.run(id)).await.unwrap_or_else(|_| stalled(bound));
    Step::new(id, outcome, started.elapsed())
}

#[async_trait::async_trait]
impl Rungs for Probe<'_> {
    fn step_bound(&self) -> Duration {
        Probe::step_bound(self)
    }

    async fn run(&mut self, id: StepId) -> Outcome {
        match id {
            StepId::Dns => dns::check(self).await,
            StepId::Tcp => tcp::check(self).await,
            StepId::Starttls => starttls::check(self).await,
            StepId::Tls => tls::check(self).await,
            StepId::Rootdse => rootdse::check(self).await,
            StepId::Bind => bind::check(self).await,
            StepId::BaseDn => base::check(self).await,
            StepId::Sample => sample::check(self).await,
            StepId::Rights => rights::check(self),
            other => Outcome::skipped(format!("{} is not a rung of the LDAP ladder", other.title())),
        }
    }

    async fn close(&mut self) {
        Probe::close(self).await;
    }
}

/// The safety net: each operation inside a rung has its own, shorter bound.
fn stalled(bound: Duration) -> Outcome {
    Outcome::fail(
        format!("no result within {}", humantime::format_duration(bound)),
        "the server stopped answering part-way: check its load, or raise source.op_timeout",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A port that was just closed: nothing listens there.
    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn a_front_end_can_run_it_on_a_task_and_watch_each_rung() {
        let toml = format!(
            "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:{}\"\nbind_dn = \"cn=x\"\npassword = \"pw\"\nbase_dn = \"dc=x\"\n",
            closed_port()
        );
        let config = Config::parse(&toml, "test.toml").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            run_ladder(&config, LadderOptions::default(), move |step| {
                let _ = tx.send((step.id, step.status));
            })
            .await
        });
        let ladder = task.await.unwrap();
        let mut seen = Vec::new();
        while let Some(event) = rx.recv().await {
            seen.push(event);
        }
        let statuses: Vec<(StepId, Status)> = ladder.steps.iter().map(|s| (s.id, s.status)).collect();
        assert_eq!(seen, statuses);
        assert_eq!(
            &statuses[..3],
            [(StepId::Dns, Status::Ok), (StepId::Tcp, Status::Fail), (StepId::Starttls, Status::Skipped)]
        );
        assert!(!ladder.ok());
        assert_eq!(ladder.count(Status::Skipped), 7);
    }
}
