//! What a consumer is doing, with the cause when it reads nothing: worked out here, from the
//! cluster and its group, so that the page and the command line say the same thing and a test
//! can check it without a browser. A member with no partitions may have more members than
//! partitions beside it, a deleted topic, a coordinator on a dead broker, or a group still
//! waiting for more members before its first rebalance; each reads differently.

use serde::Serialize;

use crate::cluster::CONSUMER_OFFSETS;
use crate::consumer::{Consumer, MemberState};
use crate::coordinator::group::state::JoinTimer;
use crate::ground::{BrokerId, Millis};
use crate::sim::Simulation;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConsumerStatus {
    /// Every assigned partition is `pause()`d: heartbeats go on, fetches do not.
    Paused,
    /// The group's coordinator (the leader of its `__consumer_offsets` partition) is on a broker
    /// that is down, or the partition has no leader: nothing can join, sync or commit.
    NoCoordinator {
        broker: Option<BrokerId>,
    },
    /// None of the topics it subscribes to exists (deleted, or never created): nothing to assign.
    MissingTopics {
        topics: Vec<String>,
    },
    /// The group's first rebalance waits `group.initial.rebalance.delay.ms` for more members,
    /// longer for each that joins meanwhile (Kafka's `InitialDelayedJoin`).
    InitialDelay {
        until: Millis,
    },
    /// In a stable group with no partitions: the group has more members than partitions.
    Idle,
    /// Consumer protocol: committing before it gives up partitions it was asked to revoke.
    Reconciling,
    /// Joining, syncing or rejoining the group (the state as the client names it).
    Rebalancing {
        state: String,
    },
    /// The application is busy with the records of its last poll.
    Processing,
    Polling,
}

impl ConsumerStatus {
    /// What a consumer is doing now.
    pub fn of(sim: &Simulation, c: &Consumer) -> ConsumerStatus {
        if c.is_paused() {
            return ConsumerStatus::Paused;
        }
        let assigned = c.assignment().next().is_some();
        let cluster = sim.cluster();
        if let (Some(group), Some(m)) = (c.group_id(), c.membership.as_ref()) {
            if cluster
                .available_coordinator(CONSUMER_OFFSETS, group)
                .is_none()
            {
                return ConsumerStatus::NoCoordinator {
                    broker: cluster.coordinator_for(CONSUMER_OFFSETS, group),
                };
            }
            if !assigned {
                let missing: Vec<String> = c
                    .topics
                    .iter()
                    .filter(|t| cluster.topic_by_name(t).is_none())
                    .cloned()
                    .collect();
                if !c.topics.is_empty() && missing.len() == c.topics.len() {
                    return ConsumerStatus::MissingTopics { topics: missing };
                }
                if let Some(JoinTimer::Initial { deadline, .. }) = sim
                    .group_coordinator()
                    .group(group)
                    .and_then(|g| g.join_timer)
                {
                    return ConsumerStatus::InitialDelay { until: deadline };
                }
            }
            match m.state {
                MemberState::Stable if m.rejoin_needed => {
                    return ConsumerStatus::Rebalancing {
                        state: "Rejoining".into(),
                    }
                }
                MemberState::Stable if !assigned => return ConsumerStatus::Idle,
                MemberState::Stable => {}
                MemberState::Reconciling => return ConsumerStatus::Reconciling,
                s => {
                    return ConsumerStatus::Rebalancing {
                        state: format!("{s:?}"),
                    }
                }
            }
        }
        if c.is_busy(sim.now()) {
            ConsumerStatus::Processing
        } else {
            ConsumerStatus::Polling
        }
    }

    /// One line for a member row, with the cause when it reads nothing.
    pub fn text(&self) -> String {
        match self {
            ConsumerStatus::Paused => "paused".into(),
            ConsumerStatus::NoCoordinator { broker: Some(b) } => format!(
                "cannot reach its group coordinator: broker {b} is down (no joins, no commits)"
            ),
            ConsumerStatus::NoCoordinator { broker: None } => {
                "cannot reach its group coordinator: its __consumer_offsets partition has no \
                 leader (no joins, no commits)"
                    .into()
            }
            ConsumerStatus::MissingTopics { topics } => {
                let names: Vec<String> = topics
                    .iter()
                    .map(|t| crate::ground::quote::quoted(t).to_string())
                    .collect();
                let (noun, verb) = if names.len() == 1 {
                    ("topic", "does")
                } else {
                    ("topics", "do")
                };
                format!(
                    "idle: {noun} {} {verb} not exist (deleted?), nothing to assign",
                    names.join(", ")
                )
            }
            ConsumerStatus::InitialDelay { until } => format!(
                "waiting for the group's first rebalance (initial delay, until {}.{} s)",
                until / 1000,
                until % 1000 / 100
            ),
            ConsumerStatus::Idle => "idle: no partitions (more members than partitions)".into(),
            ConsumerStatus::Reconciling => "committing before it revokes…".into(),
            ConsumerStatus::Rebalancing { state } => format!("{}…", state.to_ascii_lowercase()),
            ConsumerStatus::Processing => "processing".into(),
            ConsumerStatus::Polling => "polling".into(),
        }
    }

    /// Whether the consumer reads nothing for a reason the user may want to see at once.
    pub fn is_stuck(&self) -> bool {
        matches!(
            self,
            ConsumerStatus::NoCoordinator { .. }
                | ConsumerStatus::MissingTopics { .. }
                | ConsumerStatus::Idle
        )
    }
}
