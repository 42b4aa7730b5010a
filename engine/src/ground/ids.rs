//! The ids that name brokers, topics and partitions, and a partition's name as Kafka prints it.

use serde::Serialize;

/// Kafka's `node.id` / `broker.id`. The playground numbers brokers from 1.
pub type BrokerId = i32;

/// A topic's id, dense and never reused after the topic is deleted (Kafka's topic ids are UUIDs
/// for the same reason: a topic deleted and created again is a different topic).
pub type TopicId = u32;

/// Dense index of a partition across all topics (never reused after a topic is deleted).
pub type PartitionIdx = u32;

/// A partition named as `topic-partition`, as Kafka logs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Tp {
    pub topic: String,
    pub partition: u32,
}

impl std::fmt::Display for Tp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}
