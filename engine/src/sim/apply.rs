//! Applying actions: validate everything first (raft-rs `Config::validate` style), then change
//! state. A refused action returns a readable error and leaves the simulation untouched.

use super::Simulation;
use crate::action::{Action, Applied, PartitionRef};
use crate::cluster::CONSUMER_OFFSETS;
use crate::consumer::Consumer;
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::ActionError;
use crate::producer::{KeyDistribution, LoadConfig, Producer};
use crate::protocol::Party;

/// Most clients of each kind one simulation may hold.
pub const MAX_CLIENTS: usize = 256;

fn unknown(kind: &str, name: &str) -> ActionError {
    ActionError::UnknownClient {
        kind: kind.to_string(),
        name: name.to_string(),
    }
}

/// A producer's, consumer's or processor's name (`kind`, as the message names it).
pub(super) fn validate_client_name(kind: &str, name: &str) -> Result<(), ActionError> {
    if name.is_empty() || name.len() > 64 {
        return Err(ActionError::InvalidConfig(format!(
            "A {kind} name has 1 to 64 characters{}.",
            if name.is_empty() {
                "; this one is empty"
            } else {
                ""
            }
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return Err(ActionError::InvalidConfig(format!(
            "The {kind} name {} may only contain ASCII letters and digits, '.', '_' and '-'.",
            quoted(name)
        )));
    }
    Ok(())
}

fn applied(summary: String) -> Applied {
    Applied {
        summary,
        partition: None,
    }
}

impl Simulation {
    pub(super) fn producer_index(&self, name: &str) -> Result<u32, ActionError> {
        self.producers
            .iter()
            .flatten()
            .find(|p| p.name == name)
            .map(|p| p.index)
            .ok_or_else(|| unknown("producer", name))
    }

    pub(super) fn consumer_index(&self, name: &str) -> Result<u32, ActionError> {
        self.consumers
            .iter()
            .flatten()
            .find(|c| c.name == name)
            .map(|c| c.index)
            .ok_or_else(|| unknown("consumer", name))
    }

    fn validate_load(&self, load: &LoadConfig) -> Result<u32, ActionError> {
        load.validate()?;
        let topic = self
            .cluster
            .topic_by_name(&load.topic)
            .ok_or_else(|| ActionError::UnknownTopic(load.topic.clone()))?;
        if topic.internal {
            return Err(ActionError::InvalidConfig(format!(
                "Producers cannot write to the internal topic {}.",
                quoted(&load.topic)
            )));
        }
        if topic.config.cleanup_policy.compacts() && load.keys == KeyDistribution::None {
            return Err(ActionError::InvalidConfig(format!(
                "Topic {} is compacted (cleanup.policy={}): every record needs a key; pick a key distribution.",
                quoted(&load.topic),
                topic.config.cleanup_policy.as_str()
            )));
        }
        Ok(topic.id)
    }

    pub(super) fn apply_action(&mut self, action: Action) -> Result<Applied, ActionError> {
        let now = self.now;
        match action {
            Action::CreateTopic {
                name,
                partitions,
                config,
            } => {
                let id = self.cluster.create_topic(&name, partitions, config, now)?;
                // Producers whose topic was deleted find it again in the new metadata.
                let mut resumed = Vec::new();
                for p in self.producers.iter_mut().flatten() {
                    if let Some(load) = p.waiting_for_topic.take_if(|l| l.topic == name) {
                        p.set_load(load, id, &mut self.keys, now);
                        resumed.push(p.index);
                    }
                }
                for i in resumed {
                    self.reschedule(Party::Producer(i));
                }
                self.start_maintenance();
                self.replication.invalidate();
                self.kick_replica_fetchers();
                self.emit(EventKind::TopicCreated {
                    topic: name.clone(),
                    partitions,
                });
                let s = if partitions == 1 { "" } else { "s" };
                Ok(applied(format!(
                    "Created topic {name} with {partitions} partition{s}."
                )))
            }
            Action::DeleteTopic { name } => {
                let topic = self.cluster.delete_topic(&name)?;
                let gone = topic.partitions.clone();
                for p in self.producers.iter_mut().flatten() {
                    p.on_topic_deleted(topic.id, &gone);
                }
                for c in self.consumers.iter_mut().flatten() {
                    c.on_partitions_deleted(&gone);
                }
                self.groups.remove_partitions(&gone);
                self.replication.invalidate();
                self.emit(EventKind::TopicDeleted {
                    topic: name.clone(),
                });
                Ok(applied(format!("Deleted topic {name}.")))
            }
            Action::IncreasePartitions { topic, partitions } => {
                let from = self
                    .cluster
                    .topic_by_name(&topic)
                    .map_or(0, |t| t.partitions.len() as u32);
                let id = self.cluster.increase_partitions(&topic, partitions, now)?;
                self.replication.invalidate();
                self.kick_replica_fetchers();
                for p in self.producers.iter_mut().flatten() {
                    p.on_metadata_change(id);
                }
                self.emit(EventKind::PartitionsIncreased {
                    topic: topic.clone(),
                    from,
                    to: partitions,
                });
                Ok(applied(format!(
                    "Topic {topic} now has {partitions} partitions; keys map to new partitions from now on."
                )))
            }
            Action::AddProducer { name, config, load } => {
                config.validate()?;
                let topic = load.as_ref().map(|l| self.validate_load(l)).transpose()?;
                if self.producers.iter().flatten().count() >= MAX_CLIENTS {
                    return Err(ActionError::LimitReached(format!(
                        "The playground holds at most {MAX_CLIENTS} producers."
                    )));
                }
                let name = match name {
                    Some(n) => {
                        validate_client_name("producer", &n)?;
                        if self.producer_index(&n).is_ok() {
                            return Err(ActionError::ClientExists {
                                kind: "producer".into(),
                                name: n,
                            });
                        }
                        n
                    }
                    None => self.fresh_name("producer"),
                };
                let index = self.producers.len() as u32;
                let rng = self.rng.fork();
                let mut producer = Producer::new(index, name.clone(), config, rng);
                if let (Some(load), Some(topic)) = (load, topic) {
                    producer.set_load(load, topic, &mut self.keys, now);
                }
                if producer.txn.is_some() {
                    // initTransactions() right away.
                    producer.wake(now);
                }
                self.producers.push(Some(producer));
                self.emit(EventKind::ProducerAdded { producer: index });
                self.reschedule(Party::Producer(index));
                Ok(applied(format!("Added producer {name}.")))
            }
            Action::RemoveProducer { producer } => {
                let i = self.producer_index(&producer)?;
                self.producers[i as usize] = None;
                self.emit(EventKind::ProducerRemoved { producer: i });
                Ok(applied(format!("Removed producer {producer}.")))
            }
            Action::SetLoad { producer, load } => {
                let i = self.producer_index(&producer)?;
                let topic = self.validate_load(&load)?;
                let rate = load.rate;
                let p = self.producers[i as usize].as_mut().expect("exists");
                p.set_load(load, topic, &mut self.keys, now);
                self.emit(EventKind::LoadChanged { producer: i, rate });
                self.reschedule(Party::Producer(i));
                Ok(applied(format!("{producer} now sends {rate} records/s.")))
            }
            Action::SetRate { producer, rate } => {
                let i = self.producer_index(&producer)?;
                let p = self.producers[i as usize].as_ref().expect("exists");
                let Some(load) = p.load.as_ref() else {
                    return Err(ActionError::InvalidState(format!(
                        "Producer {} has no load to change; give it one first.",
                        quoted(&producer)
                    )));
                };
                let mut config = load.config.clone();
                config.rate = rate;
                config.validate()?;
                let topic = load.topic;
                let p = self.producers[i as usize].as_mut().expect("exists");
                p.set_load(config, topic, &mut self.keys, now);
                self.emit(EventKind::LoadChanged { producer: i, rate });
                self.reschedule(Party::Producer(i));
                Ok(applied(format!("{producer} now sends {rate} records/s.")))
            }
            Action::ProduceRecord {
                producer,
                topic,
                partition,
                key,
                value,
                headers,
            } => {
                let i = self.producer_index(&producer)?;
                let t = self
                    .cluster
                    .topic_by_name(&topic)
                    .ok_or_else(|| ActionError::UnknownTopic(topic.clone()))?;
                if t.internal {
                    return Err(ActionError::InvalidRecord(format!(
                        "Records cannot be written to the internal topic {}.",
                        quoted(&topic)
                    )));
                }
                if t.config.cleanup_policy.compacts() && key.is_none() {
                    return Err(ActionError::InvalidRecord(format!(
                        "Topic {} is compacted (cleanup.policy={}): a record needs a key.",
                        quoted(&topic),
                        t.config.cleanup_policy.as_str()
                    )));
                }
                let n = t.partitions.len() as u32;
                if let Some(p) = partition {
                    if p >= n {
                        return Err(ActionError::InvalidRecord(format!(
                            "Partition {p} of topic {} does not exist (it has {n} partitions).",
                            quoted(&topic)
                        )));
                    }
                }
                if key.as_ref().is_some_and(|k| k.len() > 10_000)
                    || value.as_ref().is_some_and(|v| v.len() > 100_000)
                {
                    return Err(ActionError::InvalidRecord(
                        "Typed keys are limited to 10000 bytes and values to 100000 bytes.".into(),
                    ));
                }
                if headers.len() > 64 {
                    return Err(ActionError::InvalidRecord(
                        "At most 64 headers per record.".into(),
                    ));
                }
                let topic_id = t.id;
                if let Some(txn) = self.producers[i as usize]
                    .as_ref()
                    .and_then(|p| p.txn.as_ref())
                {
                    if !txn.in_transaction() {
                        return Err(ActionError::InvalidState(format!(
                            "{} is transactional: begin a transaction first (it is {}).",
                            quoted(&producer),
                            txn.state.as_str()
                        )));
                    }
                }
                let key_id = key.as_deref().map(|k| self.keys.intern(k));
                let p = self.producers[i as usize].as_mut().expect("exists");
                let chosen = p.send_one(
                    &self.cluster,
                    topic_id,
                    partition,
                    key_id,
                    &self.keys,
                    value,
                    headers,
                    None,
                    None,
                    now,
                );
                p.wake(now);
                self.reschedule(Party::Producer(i));
                Ok(Applied {
                    summary: format!("{producer} sent a record to {topic}-{chosen}."),
                    partition: Some(chosen),
                })
            }
            Action::AddConsumer {
                name,
                config,
                topics,
                assign,
            } => self.add_consumer(name, config, topics, assign),
            Action::RemoveConsumer { consumer } => {
                let i = self.consumer_index(&consumer)?;
                let (mut ctx, _, consumers) = self.ctx_parts();
                let c = consumers[i as usize].as_mut().expect("exists");
                c.close(&mut ctx);
                self.flush_outbox(Party::Consumer(i));
                self.consumers[i as usize] = None;
                self.forget_consumer_fetches(i);
                self.emit(EventKind::ConsumerRemoved { consumer: i });
                Ok(applied(format!("Closed consumer {consumer}.")))
            }
            Action::CrashConsumer { consumer } => {
                let i = self.consumer_index(&consumer)?;
                self.consumers[i as usize] = None;
                self.forget_consumer_fetches(i);
                self.emit(EventKind::ConsumerCrashed { consumer: i });
                Ok(applied(format!(
                    "Crashed consumer {consumer}: no commit, no LeaveGroup; its group notices at session.timeout.ms."
                )))
            }
            Action::PauseConsumer { consumer } => {
                let i = self.consumer_index(&consumer)?;
                let c = self.consumers[i as usize].as_mut().expect("exists");
                let n = c.assigned.len();
                if n == 0 {
                    // Kafka's pause() takes partitions the consumer holds (IllegalStateException
                    // "No current assignment for partition" otherwise).
                    return Err(ActionError::InvalidState(format!(
                        "{} has no partitions assigned yet: pause() pauses the partitions a consumer holds.",
                        quoted(&consumer)
                    )));
                }
                c.pause();
                self.emit(EventKind::ConsumerPaused { consumer: i });
                Ok(applied(format!(
                    "Paused {consumer}'s {n} partition{}: no fetching, heartbeats go on. pause() is per partition: one assigned later starts unpaused, and an eager rebalance ends the pause.",
                    if n == 1 { "" } else { "s" }
                )))
            }
            Action::ResumeConsumer { consumer } => {
                let i = self.consumer_index(&consumer)?;
                self.consumers[i as usize]
                    .as_mut()
                    .expect("exists")
                    .resume();
                self.emit(EventKind::ConsumerResumed { consumer: i });
                self.reschedule(Party::Consumer(i));
                Ok(applied(format!("Resumed {consumer}.")))
            }
            Action::SetProcessingTime { consumer, us } => {
                if self.consumer_index(&consumer).is_err() {
                    if let Some(result) = self.set_rabbit_processing(&consumer, us) {
                        return result;
                    }
                    let max = crate::consumer::config::MAX_PROCESSING_US;
                    if us <= max && self.shares.set_processing_us(&consumer, us) {
                        return Ok(applied(format!("{consumer} now takes {us} µs per record.")));
                    }
                }
                let i = self.consumer_index(&consumer)?;
                let c = self.consumers[i as usize].as_ref().expect("exists");
                let mut config = c.config.clone();
                config.processing_us = us;
                let cc = &self.cluster.config;
                config.validate(
                    cc.group_min_session_timeout_ms,
                    cc.group_max_session_timeout_ms,
                )?;
                self.consumers[i as usize].as_mut().expect("exists").config = config;
                self.emit(EventKind::ConsumerConfigChanged { consumer: i });
                Ok(applied(format!("{consumer} now takes {us} µs per record.")))
            }
            Action::AddProcessor {
                name,
                input,
                output,
                group,
                guarantee,
                processing_us,
            } => self.add_processor(name, input, output, group, guarantee, processing_us),
            Action::CrashProcessor { processor } => self.crash_processor(&processor),
            Action::RestartProcessor { processor } => self.restart_processor(&processor),
            Action::BeginTransaction { producer } => self.txn_action(&producer, None),
            Action::CommitTransaction { producer } => self.txn_action(&producer, Some(true)),
            Action::AbortTransaction { producer } => self.txn_action(&producer, Some(false)),
            Action::SetFaults { faults } => {
                let mut rules = Vec::new();
                for f in &faults {
                    f.validate()?;
                    let producer = match &f.producer {
                        Some(name) => Some(self.producer_index(name)?),
                        None => None,
                    };
                    if let Some(b) = f.broker {
                        if self.cluster.broker(b).is_none() {
                            return Err(ActionError::InvalidConfig(format!(
                                "There is no broker {b}."
                            )));
                        }
                    }
                    rules.push(super::network::Rule {
                        producer,
                        broker: f.broker,
                        drop_requests: f.drop_requests_percent,
                        drop_responses: f.drop_responses_percent,
                        reject_requests: f.reject_requests_percent,
                        extra_delay_ms: f.extra_delay_ms,
                    });
                }
                let n = rules.len() as u32;
                self.network.rules = rules;
                self.faults = faults;
                self.emit(EventKind::FaultsChanged { rules: n });
                Ok(applied(if n == 0 {
                    "The network is healthy again.".to_string()
                } else {
                    format!("{n} fault rule{} in force.", if n == 1 { "" } else { "s" })
                }))
            }
            Action::SetIsolation { consumer, level } => {
                let i = self.consumer_index(&consumer)?;
                let c = self.consumers[i as usize].as_mut().expect("exists");
                c.set_isolation(level);
                self.emit(EventKind::ConsumerConfigChanged { consumer: i });
                Ok(applied(format!(
                    "{consumer} now reads {}.",
                    match level {
                        crate::cluster::IsolationLevel::ReadCommitted => "read_committed: only up to the last stable offset, without aborted records",
                        crate::cluster::IsolationLevel::ReadUncommitted => "read_uncommitted: up to the high watermark, aborted records included",
                    }
                )))
            }
            Action::DeleteGroup { group } => {
                if self
                    .consumers
                    .iter()
                    .flatten()
                    .any(|c| c.group_id() == Some(group.as_str()))
                {
                    return Err(ActionError::InvalidState(format!(
                        "Group {} still has consumers; remove them first.",
                        quoted(&group)
                    )));
                }
                self.groups
                    .delete_group(&group)
                    .map_err(ActionError::InvalidState)?;
                Ok(applied(format!(
                    "Deleted group {} and its committed offsets.",
                    quoted(&group)
                )))
            }
            Action::ResetOffsets { group, topic, to } => {
                self.reset_offsets(&group, topic.as_deref(), &to)
            }
            Action::KillBroker { broker } => self.kill_broker(broker),
            Action::RestartBroker { broker } => self.restart_broker(broker),
            Action::SlowBroker { broker, delay_ms } => self.slow_broker(broker, delay_ms),
            Action::DeclareExchange { name, kind } => self.declare_exchange(&name, &kind),
            Action::DeclareQueue { name, arguments } => self.declare_queue(&name, &arguments),
            Action::BindQueue {
                exchange,
                queue,
                routing_key,
            } => self.bind_queue(&exchange, &queue, &routing_key),
            Action::PublishToRabbit {
                producer,
                exchange,
                routing_key,
            } => self.publish_to_rabbit(&producer, &exchange, &routing_key),
            Action::AddRabbitConsumer {
                name,
                queue,
                prefetch,
                processing_us,
                poison_key,
                requeue_poison,
            } => self.add_rabbit_consumer(
                &name,
                &queue,
                prefetch,
                processing_us,
                poison_key.as_deref(),
                requeue_poison,
            ),
            Action::CloseRabbitConsumer { consumer } => self.close_rabbit_consumer(&consumer),
            Action::AddShareConsumer {
                name,
                group,
                topic,
                processing_us,
                poison_key,
                reject_poison,
                lock_ms,
                delivery_limit,
                auto_offset_reset,
                max_record_locks,
            } => self.add_share_consumer(
                &name,
                &group,
                &topic,
                processing_us,
                poison_key.as_deref(),
                reject_poison,
                (
                    lock_ms,
                    delivery_limit,
                    auto_offset_reset.as_deref(),
                    max_record_locks,
                ),
            ),
            Action::CrashShareConsumer { consumer } => self.crash_share_consumer(&consumer),
            Action::AddStreamsApp { spec } => self.add_streams(&spec),
            Action::CrashStreamsInstance { instance } => self.crash_streams_instance(&instance),
            Action::RestartStreamsInstance { instance } => self.restart_streams_instance(&instance),
            Action::SetCosts { costs } => {
                costs.validate()?;
                let (enabled, tls) = (costs.enabled, costs.tls());
                self.cluster.config.costs = costs;
                self.emit(EventKind::CostsChanged { enabled, tls });
                Ok(applied(if enabled {
                    "New costs in force from now on.".to_string()
                } else {
                    "Costs switched off: only the network delay takes time.".to_string()
                }))
            }
            Action::AddMaterializedView { name, topic } => {
                self.add_materialized_view(&name, &topic)
            }
        }
    }

    /// begin (`None`), commit (`Some(true)`) or abort (`Some(false)`) a transaction by hand.
    fn txn_action(&mut self, producer: &str, end: Option<bool>) -> Result<Applied, ActionError> {
        let i = self.producer_index(producer)?;
        let (mut ctx, producers, _) = self.ctx_parts();
        let p = producers[i as usize].as_mut().expect("exists");
        let result = match end {
            None => p.begin_transaction(&mut ctx),
            Some(commit) => p.end_transaction(&mut ctx, commit),
        };
        if result.is_ok() {
            p.wake(ctx.now);
        }
        result.map_err(ActionError::InvalidState)?;
        self.flush_outbox(Party::Producer(i));
        self.reschedule(Party::Producer(i));
        Ok(applied(match end {
            None => format!("{producer} began a transaction."),
            Some(true) => format!("{producer} is committing its transaction."),
            Some(false) => format!("{producer} is aborting its transaction."),
        }))
    }

    fn fresh_name(&mut self, kind: &str) -> String {
        loop {
            let n = if kind == "producer" {
                self.producer_names += 1;
                self.producer_names
            } else {
                self.consumer_names += 1;
                self.consumer_names
            };
            let name = format!("{kind}-{n}");
            let taken = if kind == "producer" {
                self.producer_index(&name).is_ok()
            } else {
                self.consumer_index(&name).is_ok()
            };
            if !taken {
                return name;
            }
        }
    }

    fn add_consumer(
        &mut self,
        name: Option<String>,
        config: crate::consumer::ConsumerConfig,
        topics: Vec<String>,
        assign: Option<Vec<PartitionRef>>,
    ) -> Result<Applied, ActionError> {
        let cc = &self.cluster.config;
        config.validate(
            cc.group_min_session_timeout_ms,
            cc.group_max_session_timeout_ms,
        )?;
        if self.consumers.iter().flatten().count() >= MAX_CLIENTS {
            return Err(ActionError::LimitReached(format!(
                "The playground holds at most {MAX_CLIENTS} consumers."
            )));
        }
        let manual = match &assign {
            Some(list) => {
                if !topics.is_empty() {
                    return Err(ActionError::InvalidConfig(
                        "Give either topics (subscribe) or assign (explicit partitions), not both."
                            .into(),
                    ));
                }
                if list.is_empty() {
                    return Err(ActionError::InvalidConfig(
                        "assign needs at least one partition.".into(),
                    ));
                }
                let mut out = Vec::new();
                for r in list {
                    let t = self
                        .cluster
                        .topic_by_name(&r.topic)
                        .ok_or_else(|| ActionError::UnknownTopic(r.topic.clone()))?;
                    if r.partition >= t.partitions.len() as u32 {
                        return Err(ActionError::InvalidConfig(format!(
                            "Partition {} of topic {} does not exist.",
                            r.partition,
                            quoted(&r.topic)
                        )));
                    }
                    out.push((r.topic.clone(), r.partition));
                }
                Some(out)
            }
            None => {
                if topics.is_empty() {
                    return Err(ActionError::InvalidConfig(
                        "A consumer needs topics to subscribe to (or partitions to assign).".into(),
                    ));
                }
                for t in &topics {
                    crate::cluster::validate_topic_name(t)?;
                    if t == CONSUMER_OFFSETS || t == crate::cluster::TRANSACTION_STATE {
                        return Err(ActionError::InvalidConfig(format!(
                            "Consumers in the playground do not read the internal topic {}.",
                            quoted(t)
                        )));
                    }
                }
                if config.group_id.is_none() {
                    // No group: read every partition of the topics, like assign().
                    let mut out = Vec::new();
                    for t in &topics {
                        let topic = self
                            .cluster
                            .topic_by_name(t)
                            .ok_or_else(|| ActionError::UnknownTopic(t.clone()))?;
                        out.extend((0..topic.partitions.len() as u32).map(|p| (t.clone(), p)));
                    }
                    Some(out)
                } else {
                    None
                }
            }
        };
        if let (Some(instance), Some(group)) = (&config.group_instance_id, &config.group_id) {
            if self.consumers.iter().flatten().any(|c| {
                c.config.group_id.as_ref() == Some(group)
                    && c.config.group_instance_id.as_ref() == Some(instance)
            }) {
                return Err(ActionError::InvalidState(format!(
                    "A running consumer already uses group.instance.id {} in group {}.",
                    quoted(instance),
                    quoted(group)
                )));
            }
        }
        let name = match name {
            Some(n) => {
                validate_client_name("consumer", &n)?;
                if self.consumer_index(&n).is_ok() {
                    return Err(ActionError::ClientExists {
                        kind: "consumer".into(),
                        name: n,
                    });
                }
                n
            }
            None => self.fresh_name("consumer"),
        };
        let index = self.consumers.len() as u32;
        let slot = self
            .audit
            .slot(config.group_id.as_deref().unwrap_or(name.as_str()));
        let topics = match &manual {
            Some(list) => {
                let mut t: Vec<String> = list.iter().map(|(t, _)| t.clone()).collect();
                t.dedup();
                t
            }
            None => topics,
        };
        let mut consumer = Consumer::new(
            index,
            name.clone(),
            config,
            topics,
            manual.clone(),
            slot,
            self.now,
        );
        if let Some(list) = &manual {
            let (ctx, _, _) = self.ctx_parts();
            consumer.assign_manual(&ctx, list);
        }
        let _ = &mut self.rng;
        self.consumers.push(Some(consumer));
        self.emit(EventKind::ConsumerAdded { consumer: index });
        self.reschedule(Party::Consumer(index));
        Ok(applied(format!("Added consumer {name}.")))
    }
}
