//! The cluster: brokers, topics and their partitions, as the controller's metadata describes them.

pub mod broker;
pub mod config;
pub mod costs;
pub mod partition;
pub mod topic;

use crate::ground::small_map::SmallMap;

pub use crate::log::AbortedTxn;
pub use broker::Broker;
pub use config::ClusterConfig;
pub use costs::{CostConfig, SecurityProtocol};
pub use partition::{
    Appended, ElectionOutcome, FetchEffects, IsolationLevel, Partition, Replica, ReplicaFetchResult,
};
pub use topic::{validate_topic_name, CleanupPolicy, Topic, TopicCompression, TopicConfig};

use crate::ground::quote::quoted;
use crate::ground::{ActionError, BrokerId, Millis, PartitionIdx, TopicId};
use crate::log::PartitionLog;

/// Names of the internal topics whose partition leaders act as coordinators.
pub const CONSUMER_OFFSETS: &str = "__consumer_offsets";
pub const TRANSACTION_STATE: &str = "__transaction_state";

/// Largest partition count one topic may have in the playground.
pub const MAX_PARTITIONS_PER_TOPIC: u32 = 256;
/// Largest number of user partitions in the whole cluster.
pub const MAX_PARTITIONS_TOTAL: u32 = 2048;

#[derive(Clone, Debug)]
pub struct Cluster {
    pub config: ClusterConfig,
    pub brokers: Vec<Broker>,
    topics: Vec<Option<Topic>>,
    by_name: SmallMap<String, TopicId>,
    partitions: Vec<Option<Partition>>,
    /// Round-robin start for replica placement, drawn from the seed (as Kafka picks a random
    /// starting broker).
    placement_start: u32,
}

impl Cluster {
    pub fn new(config: ClusterConfig, placement_start: u32, now: Millis) -> Self {
        let brokers = (1..=config.brokers as i32).map(Broker::new).collect();
        let mut cluster = Cluster {
            config,
            brokers,
            topics: Vec::new(),
            by_name: SmallMap::new(),
            partitions: Vec::new(),
            placement_start,
        };
        // `offsets.topic.replication.factor` and `transaction.state.log.replication.factor`
        // (3), capped by the broker count as a single-broker development cluster needs.
        let internal = TopicConfig {
            replication_factor: cluster.config.brokers.min(3),
            ..TopicConfig::default()
        };
        let offsets = cluster.config.offsets_topic_partitions;
        let txn = cluster.config.transaction_state_partitions;
        cluster.insert_topic(CONSUMER_OFFSETS, offsets, internal.clone(), true, now);
        cluster.insert_topic(TRANSACTION_STATE, txn, internal, true, now);
        cluster
    }

    pub fn topic_id(&self, name: &str) -> Option<TopicId> {
        self.by_name.get(name).copied()
    }

    pub fn topic(&self, id: TopicId) -> Option<&Topic> {
        self.topics.get(id as usize).and_then(Option::as_ref)
    }

    pub fn topic_by_name(&self, name: &str) -> Option<&Topic> {
        self.topic_id(name).and_then(|id| self.topic(id))
    }

    /// Live topics in creation order.
    pub fn topics(&self) -> impl Iterator<Item = &Topic> {
        self.topics.iter().flatten()
    }

    #[inline]
    pub fn partition(&self, idx: PartitionIdx) -> Option<&Partition> {
        self.partitions.get(idx as usize).and_then(Option::as_ref)
    }

    #[inline]
    pub fn partition_mut(&mut self, idx: PartitionIdx) -> Option<&mut Partition> {
        self.partitions
            .get_mut(idx as usize)
            .and_then(Option::as_mut)
    }

    /// Size of the dense partition index (deleted partitions leave holes).
    pub fn partition_slots(&self) -> usize {
        self.partitions.len()
    }

    pub fn partitions(&self) -> impl Iterator<Item = &Partition> {
        self.partitions.iter().flatten()
    }

    pub fn partitions_mut(&mut self) -> impl Iterator<Item = &mut Partition> {
        self.partitions.iter_mut().flatten()
    }

    /// Global index of partition `p` of `topic`.
    pub fn partition_idx(&self, topic: TopicId, p: u32) -> Option<PartitionIdx> {
        self.topic(topic)?.partitions.get(p as usize).copied()
    }

    pub fn broker(&self, id: BrokerId) -> Option<&Broker> {
        self.brokers.iter().find(|b| b.id == id)
    }

    pub fn broker_alive(&self, id: BrokerId) -> bool {
        self.broker(id).is_some_and(|b| b.alive)
    }

    /// Up and not fenced: may lead a partition or join its ISR.
    pub fn broker_eligible(&self, id: BrokerId) -> bool {
        self.broker(id).is_some_and(|b| b.alive && !b.fenced)
    }

    /// The broker coordinating `key` for an internal topic: the leader of
    /// `Utils.abs(key.hashCode()) % partitions` of that topic.
    pub fn coordinator_for(&self, internal_topic: &str, key: &str) -> Option<BrokerId> {
        let topic = self.topic_by_name(internal_topic)?;
        let p = crate::ground::hash::coordinator_partition(key, topic.partitions.len() as u32);
        self.partition(topic.partitions[p as usize])?.leader
    }

    /// The leader of a partition if its broker is up (clients cannot connect to a dead one).
    #[inline]
    pub fn available_leader(&self, p: PartitionIdx) -> Option<BrokerId> {
        self.partition(p)?.leader.filter(|&b| self.broker_alive(b))
    }

    /// The coordinator for `key` if its broker is up (what `FindCoordinator` can answer).
    pub fn available_coordinator(&self, internal_topic: &str, key: &str) -> Option<BrokerId> {
        self.coordinator_for(internal_topic, key)
            .filter(|&b| self.broker_alive(b))
    }

    /// Whether the coordinator for `key` is up (its partition has a live leader).
    pub fn coordinator_alive(&self, internal_topic: &str, key: &str) -> bool {
        self.available_coordinator(internal_topic, key).is_some()
    }

    fn user_partition_count(&self) -> u32 {
        self.topics()
            .filter(|t| !t.internal)
            .map(|t| t.partitions.len() as u32)
            .sum()
    }

    pub fn validate_create_topic(
        &self,
        name: &str,
        partitions: u32,
        config: &TopicConfig,
    ) -> Result<(), ActionError> {
        validate_topic_name(name)?;
        if self.by_name.contains_key(name) {
            return Err(ActionError::TopicExists(name.to_string()));
        }
        // Kafka refuses names that differ only by '.' versus '_' (they collide in metric names).
        let collides = |n: &str| n.replace('.', "_");
        if let Some(other) = self
            .by_name
            .keys()
            .find(|other| collides(other) == collides(name))
        {
            return Err(ActionError::InvalidTopicName(format!(
                "Topic {} collides with existing topic: {other}",
                quoted(name)
            )));
        }
        validate_partition_count(partitions)?;
        if self.user_partition_count() + partitions > MAX_PARTITIONS_TOTAL {
            return Err(ActionError::LimitReached(format!(
                "The playground holds at most {MAX_PARTITIONS_TOTAL} partitions in all."
            )));
        }
        config.validate(self.brokers.len() as u32)
    }

    /// Creates a validated topic and returns its id.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        config: TopicConfig,
        now: Millis,
    ) -> Result<TopicId, ActionError> {
        self.validate_create_topic(name, partitions, &config)?;
        Ok(self.insert_topic(name, partitions, config, false, now))
    }

    fn insert_topic(
        &mut self,
        name: &str,
        partitions: u32,
        config: TopicConfig,
        internal: bool,
        now: Millis,
    ) -> TopicId {
        let id = self.topics.len() as TopicId;
        let topic = Topic {
            id,
            name: name.to_string(),
            partitions: Vec::new(),
            config,
            internal,
            created_at: now,
        };
        self.topics.push(Some(topic));
        self.by_name.insert(name.to_string(), id);
        self.add_partitions(id, partitions, now);
        id
    }

    /// Splits `sim.log.memory.bytes` evenly among the logs of every user partition replica
    /// (internal topics keep no records here), after partitions come or go.
    fn apportion_log_memory(&mut self) {
        let replicas: u64 = self
            .partitions
            .iter()
            .flatten()
            .filter(|p| !p.internal)
            .map(|p| 1 + p.followers.len() as u64)
            .sum();
        let share =
            (self.config.log_memory_bytes / replicas.max(1)).max(config::LOG_MEMORY_MIN_SHARE);
        for p in self.partitions.iter_mut().flatten().filter(|p| !p.internal) {
            p.log.config.memory_bytes = share;
            for r in &mut p.followers {
                r.log.config.memory_bytes = share;
            }
        }
    }

    /// Replica placement as `AdminUtils.assignReplicasToBrokers` does without racks: partition p's
    /// first replica is broker `(start + p) % n`, followers follow it round-robin.
    fn place_replicas(&self, p: u32, replication_factor: u32) -> Vec<BrokerId> {
        let n = self.brokers.len() as u32;
        let first = (self.placement_start + p) % n;
        (0..replication_factor)
            .map(|r| self.brokers[((first + r) % n) as usize].id)
            .collect()
    }

    fn add_partitions(&mut self, topic: TopicId, count: u32, now: Millis) {
        let (rf, log_config, start, internal, min_isr) = {
            let t = self.topic(topic).expect("topic exists");
            (
                t.config.replication_factor,
                t.config.log_config(&self.config),
                t.partitions.len() as u32,
                t.internal,
                t.config.min_insync_replicas,
            )
        };
        for p in start..start + count {
            let idx = self.partitions.len() as PartitionIdx;
            let replicas = self.place_replicas(p, rf);
            // A new partition's leader is its first live replica; its ISR the live replicas.
            let leader = replicas.iter().copied().find(|&b| self.broker_eligible(b));
            let mut part = Partition::new(
                idx,
                topic,
                p,
                internal,
                replicas,
                leader,
                || PartitionLog::new(log_config, now),
                now,
            );
            part.min_insync_replicas = min_isr;
            if leader.is_some() {
                let alive: Vec<BrokerId> = part
                    .isr
                    .iter()
                    .copied()
                    .filter(|&b| self.broker_eligible(b))
                    .collect();
                part.isr = alive;
            }
            self.partitions.push(Some(part));
            self.topics[topic as usize]
                .as_mut()
                .expect("topic exists")
                .partitions
                .push(idx);
        }
        self.apportion_log_memory();
    }

    pub fn validate_increase_partitions(&self, name: &str, total: u32) -> Result<(), ActionError> {
        let topic = self
            .topic_by_name(name)
            .ok_or_else(|| ActionError::UnknownTopic(name.to_string()))?;
        if topic.internal {
            return Err(ActionError::InvalidPartitions(format!(
                "Topic {} is internal; its partition count is fixed.",
                quoted(name)
            )));
        }
        let current = topic.partitions.len() as u32;
        if total == current {
            return Err(ActionError::InvalidPartitions(format!(
                "Topic already has {current} partitions."
            )));
        }
        if total < current {
            return Err(ActionError::InvalidPartitions(format!(
                "Topic currently has {current} partitions, which is higher than the requested {total}."
            )));
        }
        validate_partition_count(total)?;
        if self.user_partition_count() + (total - current) > MAX_PARTITIONS_TOTAL {
            return Err(ActionError::LimitReached(format!(
                "The playground holds at most {MAX_PARTITIONS_TOTAL} partitions in all."
            )));
        }
        Ok(())
    }

    /// `CreatePartitions`: grows a topic to `total` partitions. Partitions are never removed.
    pub fn increase_partitions(
        &mut self,
        name: &str,
        total: u32,
        now: Millis,
    ) -> Result<TopicId, ActionError> {
        self.validate_increase_partitions(name, total)?;
        let id = self.topic_id(name).expect("validated");
        let current = self.topic(id).expect("validated").partitions.len() as u32;
        self.add_partitions(id, total - current, now);
        Ok(id)
    }

    pub fn validate_delete_topic(&self, name: &str) -> Result<TopicId, ActionError> {
        let topic = self
            .topic_by_name(name)
            .ok_or_else(|| ActionError::UnknownTopic(name.to_string()))?;
        if topic.internal {
            return Err(ActionError::InvalidState(format!(
                "Topic {} is internal and cannot be deleted.",
                quoted(name)
            )));
        }
        Ok(topic.id)
    }

    /// Deletes a topic and its partitions; returns the removed topic.
    pub fn delete_topic(&mut self, name: &str) -> Result<Topic, ActionError> {
        let id = self.validate_delete_topic(name)?;
        let topic = self.topics[id as usize].take().expect("validated");
        self.by_name.remove(name);
        for &p in &topic.partitions {
            self.partitions[p as usize] = None;
        }
        self.apportion_log_memory();
        Ok(topic)
    }
}

fn validate_partition_count(partitions: u32) -> Result<(), ActionError> {
    if partitions == 0 {
        return Err(ActionError::InvalidPartitions(
            "Number of partitions must be larger than 0.".into(),
        ));
    }
    if partitions > MAX_PARTITIONS_PER_TOPIC {
        return Err(ActionError::InvalidPartitions(format!(
            "A topic can have at most {MAX_PARTITIONS_PER_TOPIC} partitions in the playground."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Cluster {
        Cluster::new(ClusterConfig::default(), 0, 0)
    }

    #[test]
    fn internal_topics_exist_with_fifty_partitions() {
        let c = cluster();
        assert_eq!(
            c.topic_by_name(CONSUMER_OFFSETS).unwrap().partitions.len(),
            50
        );
        assert_eq!(
            c.topic_by_name(TRANSACTION_STATE).unwrap().partitions.len(),
            50
        );
    }

    #[test]
    fn partitions_are_spread_round_robin_over_brokers() {
        let mut c = cluster();
        let id = c
            .create_topic("orders", 6, TopicConfig::default(), 0)
            .unwrap();
        let leaders: Vec<_> = c
            .topic(id)
            .unwrap()
            .partitions
            .iter()
            .map(|&p| c.partition(p).unwrap().leader.unwrap())
            .collect();
        assert_eq!(leaders, vec![1, 2, 3, 1, 2, 3]);
    }

    #[test]
    fn colliding_names_are_refused() {
        let mut c = cluster();
        c.create_topic("a.b", 1, TopicConfig::default(), 0).unwrap();
        let err = c
            .create_topic("a_b", 1, TopicConfig::default(), 0)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Topic \"a_b\" collides with existing topic: a.b"
        );
    }

    #[test]
    fn partitions_only_grow() {
        let mut c = cluster();
        c.create_topic("t", 3, TopicConfig::default(), 0).unwrap();
        assert!(c.increase_partitions("t", 2, 0).is_err());
        assert!(c.increase_partitions("t", 3, 0).is_err());
        c.increase_partitions("t", 5, 0).unwrap();
        assert_eq!(c.topic_by_name("t").unwrap().partitions.len(), 5);
    }

    #[test]
    fn zero_partitions_are_refused() {
        let c = cluster();
        let err = c
            .validate_create_topic("t", 0, &TopicConfig::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Number of partitions must be larger than 0."
        );
    }
}
