//! The read model: what the page, the CLI's report and tests read of a running simulation.
//!
//! Views are plain data built from the driver's read accessors (`Simulation::cluster`,
//! `producers`, `group_coordinator`, ...), never from its internals, and taking one costs time
//! proportional to partitions and clients, never to records. The page imports engine types only
//! from the crate root and from this module.
//!
//! * [`Simulation::snapshot`]: the whole state, a [`Snapshot`], for rendering.
//! * [`Simulation::records`]: records of a partition as a reader sees them.
//! * [`Simulation::strip`]: the tail of a partition summarised for drawing.
//! * [`Simulation::describe`]: an event as one line of text, in Kafka's words.
//! * [`narrator::Narrator`]: the few sentences a screen reader hears as the run goes.
//! * [`glossary::GLOSSARY`]: Kafka's words explained, for the page and the CLI.

mod clients;
mod cluster;
mod describe;
pub mod glossary;
mod groups;
pub mod narrator;
mod rabbit;
mod records;
mod serving;
mod share;
mod status;
mod streams;
mod strip;

pub use clients::{AssignedView, ConsumerView, ProcessorView, ProducerView};
pub use cluster::{BrokerView, PartitionView, ReplicaView, TopicView};
pub use groups::{GroupPartitionView, GroupView, MemberView};
pub use rabbit::{
    BindingView, ExchangeView, MessageView, PublisherView, QueueCounts, QueueView,
    RabbitConsumerView, RabbitView,
};
pub use records::RecordView;
pub use serving::{window_label, KeyQueryView, MaterializedViewView, StoreAnswer, ViewRowView};
pub use share::{InFlightView, ShareGroupView, ShareMemberView, SharePartitionView};
pub use status::ConsumerStatus;
pub use streams::{exactly_once, StreamTaskView, StreamsAppView, StreamsInstanceView};
pub use strip::StripCell;

// The words views and events are written in, for readers that name them.
pub use crate::audit::AuditReport;
pub use crate::consumer::ConsumerStats;
pub use crate::event::{Category, Event, EventKind, RebalanceReason, ValidationOutcome};
pub use crate::ground::latency::LatencySummary;
pub use crate::log::ControlType;
pub use crate::processor::ProcessorStats;
pub use crate::producer::ProducerStats;
pub use crate::sim::costs::{BrokerLoadView, BrokerWork};
pub use crate::sim::rebalances::{MemberDuring, Rebalance};

use serde::Serialize;

use crate::ground::Millis;
use crate::sim::Simulation;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub time: Millis,
    pub seed: u64,
    /// The trace hash, as 16 hex digits.
    pub trace_hash: String,
    pub next_event_seq: u64,
    pub brokers: Vec<BrokerView>,
    /// Each broker's work over the last second: handler threads, network, page cache, disk.
    pub broker_loads: Vec<BrokerLoadView>,
    pub topics: Vec<TopicView>,
    pub producers: Vec<ProducerView>,
    pub consumers: Vec<ConsumerView>,
    pub groups: Vec<GroupView>,
    pub processors: Vec<ProcessorView>,
    /// Network fault rules in force.
    pub faults: Vec<crate::action::LinkFaults>,
    /// The cluster's configuration (broker settings such as the retention check interval).
    pub cluster: crate::cluster::ClusterConfig,
    /// The RabbitMQ node beside the cluster, when the scenario has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rabbit: Option<RabbitView>,
    /// Share groups (KIP-932), when the scenario has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub share_groups: Vec<ShareGroupView>,
    /// Kafka Streams applications, when the scenario has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<StreamsAppView>,
    /// Materialized views fed from output topics.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<MaterializedViewView>,
}

impl Simulation {
    /// The whole state as views, for rendering.
    pub fn snapshot(&self) -> Snapshot {
        let groups: Vec<GroupView> = self
            .group_coordinator()
            .groups()
            .map(|g| groups::group_view(self, g))
            .collect();
        Snapshot {
            time: self.now(),
            seed: self.seed(),
            trace_hash: format!("{:016x}", self.trace_hash()),
            next_event_seq: self.next_event_seq(),
            brokers: cluster::brokers(self, &groups),
            broker_loads: self.broker_loads(),
            topics: cluster::topics(self),
            producers: self
                .producers()
                .map(|p| clients::producer_view(self, p))
                .collect(),
            consumers: self
                .consumers()
                .map(|c| clients::consumer_view(self, c))
                .collect(),
            groups,
            faults: self.faults().to_vec(),
            cluster: self.cluster().config.clone(),
            processors: clients::processor_views(self),
            rabbit: self.rabbit_view(),
            share_groups: self.share_group_views(),
            streams: self.streams_views(),
            views: self.materialized_view_views(),
        }
    }
}
