//! The scenario file and its headless runner.

use std::ops::ControlFlow;

use serde::Serialize;

use super::Report;
use crate::action::Action;
use crate::cluster::{ClusterConfig, TopicConfig};
use crate::consumer::ConsumerConfig;
use crate::ground::Millis;
use crate::producer::{LoadConfig, ProducerConfig};
use crate::sim::Simulation;

/// The longest scenario the runner accepts (one simulated day).
pub const MAX_DURATION_MS: Millis = 24 * 3600 * 1000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    pub config: TopicConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerSpec {
    pub name: Option<String>,
    pub config: ProducerConfig,
    pub load: Option<LoadConfig>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerSpec {
    pub name: Option<String>,
    pub config: ConsumerConfig,
    pub topics: Vec<String>,
    pub assign: Option<Vec<crate::action::PartitionRef>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimedAction {
    /// Virtual time in ms at which the action is applied.
    pub at: Millis,
    pub action: Action,
}

/// A whole run as data: seed, cluster, what exists at time 0, what happens later, how long.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: u64,
    pub cluster: ClusterConfig,
    pub topics: Vec<TopicSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    pub actions: Vec<TimedAction>,
    pub duration_ms: Millis,
}

impl Scenario {
    /// The actions that set up time 0, in order: topics, producers, consumers.
    pub fn setup_actions(&self) -> Vec<Action> {
        let mut out = Vec::new();
        for t in &self.topics {
            out.push(Action::CreateTopic {
                name: t.name.clone(),
                partitions: t.partitions,
                config: t.config.clone(),
            });
        }
        for p in &self.producers {
            out.push(Action::AddProducer {
                name: p.name.clone(),
                config: p.config.clone(),
                load: p.load.clone(),
            });
        }
        for c in &self.consumers {
            out.push(Action::AddConsumer {
                name: c.name.clone(),
                config: c.config.clone(),
                topics: c.topics.clone(),
                assign: c.assign.clone(),
            });
        }
        out
    }

    /// Builds the simulation at time 0 with the setup applied.
    pub fn start(&self) -> Result<Simulation, String> {
        if self.duration_ms > MAX_DURATION_MS {
            return Err(format!("duration_ms must be at most {MAX_DURATION_MS}."));
        }
        self.work().check()?;
        let mut sim = Simulation::new(self.seed, self.cluster.clone())
            .map_err(|e| format!("cluster: {e}"))?;
        for (i, a) in self.setup_actions().into_iter().enumerate() {
            let what = a.name();
            sim.apply(a)
                .map_err(|e| format!("setup step {} ({what}): {e}", i + 1))?;
        }
        Ok(sim)
    }

    /// Runs the whole scenario headless and reports.
    pub fn run(&self) -> Result<Report, String> {
        self.run_to_end().map(|sim| Report::from_simulation(&sim))
    }

    /// Runs the whole scenario and returns the simulation at its end (for tests that look at
    /// events or state the report does not carry).
    pub fn run_to_end(&self) -> Result<Simulation, String> {
        self.run_observed(self.duration_ms.max(1), |_| {})
    }

    /// Runs the whole scenario, handing the simulation to `observe` at least every `every_ms`
    /// of simulated time and after each action: the event history keeps only the latest
    /// [`crate::sim::EVENT_HISTORY`] events, so whoever wants all of them reads them as they come.
    pub fn run_observed(
        &self,
        every_ms: u64,
        mut observe: impl FnMut(&Simulation),
    ) -> Result<Simulation, String> {
        self.run_until(every_ms, |sim| {
            observe(sim);
            ControlFlow::Continue(())
        })
    }

    /// As [`Scenario::run_observed`], but `observe` may stop the run early (a user pressing
    /// Ctrl-C): the simulation is returned as it stands, its `now()` before `duration_ms`. The
    /// chunks `every_ms` cuts time into do not change the run: events are the same however time
    /// is advanced.
    pub fn run_until(
        &self,
        every_ms: u64,
        mut observe: impl FnMut(&Simulation) -> ControlFlow<()>,
    ) -> Result<Simulation, String> {
        let every_ms = every_ms.max(1);
        let mut sim = self.start()?;
        // Whether the run may go on.
        let advance =
            |sim: &mut Simulation,
             to: u64,
             observe: &mut dyn FnMut(&Simulation) -> ControlFlow<()>| {
                // At least once: events due now run before an action at the same time.
                loop {
                    sim.advance_to(to.min(sim.now() + every_ms));
                    if observe(sim).is_break() {
                        return false;
                    }
                    if sim.now() >= to {
                        return true;
                    }
                }
            };
        let mut actions: Vec<&TimedAction> = self.actions.iter().collect();
        crate::ground::sort::sort_by_key(&mut actions, |a| a.at);
        for (i, ta) in actions.into_iter().enumerate() {
            if ta.at > self.duration_ms {
                return Err(format!(
                    "action {} ({}) at {} ms is after the end of the scenario ({} ms)",
                    i + 1,
                    ta.action.name(),
                    ta.at,
                    self.duration_ms
                ));
            }
            if !advance(&mut sim, ta.at, &mut observe) {
                return Ok(sim);
            }
            sim.apply(ta.action.clone()).map_err(|e| {
                format!(
                    "action {} ({}) at {} ms: {e}",
                    i + 1,
                    ta.action.name(),
                    ta.at
                )
            })?;
            if observe(&sim).is_break() {
                return Ok(sim);
            }
        }
        advance(&mut sim, self.duration_ms, &mut observe);
        Ok(sim)
    }
}
