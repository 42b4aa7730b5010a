//! One line of text per event, in Kafka's vocabulary, for protocol logs and the CLI.

use crate::event::{Event, EventKind, ValidationOutcome};
use crate::ground::quote::quoted;
use crate::sim::Simulation;

fn err(e: &Option<crate::ground::ErrorCode>) -> String {
    match e {
        None => String::new(),
        Some(e) => format!(" error={}", e.name()),
    }
}

impl Simulation {
    fn producer_name(&self, i: u32) -> String {
        self.producer(i)
            .map_or_else(|| format!("producer#{i}"), |p| p.name.clone())
    }

    fn consumer_name(&self, i: u32) -> String {
        self.consumer(i)
            .map_or_else(|| format!("consumer#{i}"), |c| c.name.clone())
    }

    fn processor_name(&self, i: u32) -> String {
        self.processor(i)
            .map_or_else(|| format!("processor#{i}"), |p| p.name.clone())
    }

    /// The event as one line of text.
    pub fn describe(&self, e: &Event) -> String {
        use EventKind::*;
        let p = |i: &u32| self.producer_name(*i);
        let c = |i: &u32| self.consumer_name(*i);
        match &e.kind {
            TopicCreated { topic, partitions } => format!("CreateTopics {topic} partitions={partitions}"),
            TopicDeleted { topic } => format!("DeleteTopics {topic}"),
            PartitionsIncreased { topic, from, to } => format!("CreatePartitions {topic} {from} -> {to}"),
            ProducerAdded { producer } => format!("{} started", p(producer)),
            ProducerRemoved { producer } => format!("{} closed", p(producer)),
            LoadChanged { producer, rate } => format!("{} rate={rate} records/s", p(producer)),
            ConsumerAdded { consumer } => format!("{} started", c(consumer)),
            ConsumerRemoved { consumer } => format!("{} closed", c(consumer)),
            ConsumerCrashed { consumer } => format!("{} crashed (no commit, no LeaveGroup)", c(consumer)),
            ConsumerPaused { consumer } => format!("{} paused", c(consumer)),
            ConsumerResumed { consumer } => format!("{} resumed", c(consumer)),
            ConsumerConfigChanged { consumer } => format!("{} reconfigured", c(consumer)),
            InitProducerId { producer, broker, producer_id, epoch } => format!(
                "InitProducerId {} -> broker {broker}: producerId={producer_id} epoch={epoch}",
                p(producer)
            ),
            ProduceRequest { producer, broker, request_id, batches, records, bytes } => format!(
                "ProduceRequest #{request_id} {} -> broker {broker}: {batches} batches, {records} records, {bytes} B",
                p(producer)
            ),
            ProduceResponse { producer, broker, request_id, batches, error, duplicates } => format!(
                "ProduceResponse #{request_id} broker {broker} -> {}: {batches} batches{}{}",
                p(producer),
                if *duplicates > 0 { format!(", {duplicates} duplicate (already appended)") } else { String::new() },
                err(error)
            ),
            ProduceRequestLost { producer, broker, request_id } => format!(
                "ProduceRequest #{request_id} {} -> broker {broker} LOST in the network",
                p(producer)
            ),
            ProduceResponseLost { producer, broker, request_id } => format!(
                "ProduceResponse #{request_id} broker {broker} -> {} LOST in the network (the batches were appended)",
                p(producer)
            ),
            FaultsChanged { rules } => format!("network faults: {rules} rules"),
            CostsChanged { enabled, tls } => match (enabled, tls) {
                (false, _) => "costs switched off: only the network delay takes time".to_string(),
                (true, false) => "cost settings changed".to_string(),
                (true, true) => "cost settings changed: TLS on, zero-copy off".to_string(),
            },
            ProduceRequestTimedOut { producer, broker, request_id } => format!(
                "ProduceRequest #{request_id} {} -> broker {broker} timed out (request.timeout.ms)",
                p(producer)
            ),
            SendBlocked { producer, buffer_memory, used } => format!(
                "{}'s send() blocks: buffer.memory is full ({used} of {buffer_memory} bytes in batches waiting or in flight)",
                p(producer)
            ),
            BufferExhausted { producer, bytes, max_block_ms, buffer_memory, available } => format!(
                "{}'s send() failed: BufferExhaustedException: Failed to allocate {bytes} bytes within the configured max blocking time {max_block_ms} ms. Total memory: {buffer_memory} bytes. Available memory: {available} bytes",
                p(producer)
            ),
            ProduceRequestDisconnected { producer, broker, request_id } => format!(
                "ProduceRequest #{request_id} {} -> broker {broker} failed: the connection reset (the broker is down)",
                p(producer)
            ),
            BatchRetried { producer, tp, records, attempt, error } => format!(
                "{} retries batch of {records} records to {tp} (attempt {attempt}, {})",
                p(producer),
                error.name()
            ),
            BatchFailed { producer, tp, records, error } => format!(
                "{} failed a batch of {records} records to {tp}{}",
                p(producer),
                err(error)
            ),
            FetchRequest { consumer, broker, request_id, partitions } => format!(
                "FetchRequest #{request_id} {} -> broker {broker}: {partitions} partitions",
                c(consumer)
            ),
            FetchResponse { consumer, broker, request_id, records, bytes } => format!(
                "FetchResponse #{request_id} broker {broker} -> {}: {records} records, {bytes} B",
                c(consumer)
            ),
            PositionValidated { consumer, tp, position, epoch, leader_epoch, end_offset, outcome } => {
                let asked = format!(
                    "{} OffsetsForLeaderEpoch {tp} (leader epoch {leader_epoch}): epoch {epoch}",
                    c(consumer)
                );
                match outcome {
                    ValidationOutcome::Valid => format!(
                        "{asked} ends at {end_offset}; position {position} is valid (KIP-320)"
                    ),
                    ValidationOutcome::Truncated { seek_to } => format!(
                        "{asked} ends at {end_offset}: truncation detected at offset {position}, the log diverges at {seek_to}; seeking there (KIP-320)"
                    ),
                    ValidationOutcome::Reset => format!(
                        "{asked} is unknown to the leader: truncation detected at offset {position}, auto.offset.reset decides (KIP-320)"
                    ),
                    ValidationOutcome::NoResetPolicy => format!(
                        "{asked} ends at {end_offset}: truncation detected at offset {position} and auto.offset.reset=none: poll() throws LogTruncationException (KIP-320)"
                    ),
                }
            }
            OffsetReset { consumer, tp, offset, strategy } => format!(
                "{} reset {tp} to offset {offset} (auto.offset.reset={strategy})",
                c(consumer)
            ),
            TransactionBegun { producer } => format!("{} beginTransaction()", p(producer)),
            AddPartitionsToTxn { producer, transactional_id, partitions, error } => format!(
                "AddPartitionsToTxn {} transactional.id={transactional_id} {}{}",
                p(producer),
                list(partitions),
                err(error)
            ),
            AddOffsetsToTxn { producer, transactional_id, group, error } => format!(
                "AddOffsetsToTxn {} transactional.id={transactional_id} group={group}{}",
                p(producer),
                err(error)
            ),
            EndTxn { producer, transactional_id, commit, error } => format!(
                "EndTxn {} transactional.id={transactional_id} {}{}",
                p(producer),
                if *commit { "COMMIT" } else { "ABORT" },
                err(error)
            ),
            TxnStateChanged { transactional_id, producer_id, epoch, from, to } => format!(
                "transaction {transactional_id} (producerId={producer_id}, epoch={epoch}): {from} -> {to}"
            ),
            TxnMarkerWritten { tp, producer_id, commit, offset } => format!(
                "WriteTxnMarkers: {} marker for producerId={producer_id} at {tp} offset {offset}",
                if *commit { "COMMIT" } else { "ABORT" }
            ),
            TransactionTimedOut { transactional_id, producer_id } => format!(
                "transaction {transactional_id} (producerId={producer_id}) exceeded transaction.timeout.ms: the coordinator aborts it and bumps the epoch"
            ),
            ProducerFenced { producer, error } => format!(
                "{} is fenced ({}): a newer epoch owns its transactional.id",
                p(producer),
                error.name()
            ),
            ProducerEpochBumped { producer, producer_id, epoch: Some(epoch), partitions } => format!(
                "{} bumps its epoch (KIP-360): producer id {producer_id} epoch {epoch}; sequences of {} restart at 0",
                p(producer),
                list(partitions)
            ),
            ProducerEpochBumped { producer, producer_id, epoch: None, .. } => format!(
                "{} ran out of epochs for producer id {producer_id}: InitProducerId for a new one (KIP-360)",
                p(producer)
            ),
                        ProcessorAdded { processor } => format!("processor {} started", self.processor_name(*processor)),
            ProcessorProcessed { processor, records } => format!(
                "processor {} transformed {records} records",
                self.processor_name(*processor)
            ),
            ProcessorCrashed { processor } => format!(
                "processor {} crashed (no commit, no abort, no LeaveGroup)",
                self.processor_name(*processor)
            ),
            ProcessorRestarted { processor, incarnation } => format!(
                "processor {} restarted (incarnation {incarnation})",
                self.processor_name(*processor)
            ),
            TxnOffsetCommit { group, producer_id, partitions, error } => format!("TxnOffsetCommit group={group} producerId={producer_id} partitions={partitions} (pending until the marker){}",
                err(error)
            ),
            FindCoordinator { consumer, group, broker } => {
                format!("FindCoordinator {} group={group}: broker {broker}", c(consumer))
            }
            JoinGroup { group, consumer, member, owned } => format!(
                "JoinGroup group={group} member={member} ({}){}",
                c(consumer),
                if *owned > 0 { format!(" owned={owned}") } else { String::new() }
            ),
            JoinGroupResponse { group, member, generation, leader, error } => format!(
                "JoinGroupResponse group={group} member={member} generation={generation}{}{}",
                if leader == member { " (leader)".to_string() } else { String::new() },
                err(error)
            ),
            SyncGroup { group, member, generation, is_leader } => format!(
                "SyncGroup group={group} member={member} generation={generation}{}",
                if *is_leader { " with assignment (leader)" } else { "" }
            ),
            SyncGroupResponse { group, member, generation, partitions, error } => format!(
                "SyncGroupResponse group={group} member={member} generation={generation}: {partitions} partitions{}",
                err(error)
            ),
            Heartbeat { group, member, error } => format!("Heartbeat group={group} member={member}{}", err(error)),
            LeaveGroup { group, member } => format!("LeaveGroup group={group} member={member}"),
            OffsetCommit { group, member, partitions, error } => format!(
                "OffsetCommit group={group} member={} partitions={partitions}{}",
                if member.is_empty() { "(none)" } else { member },
                err(error)
            ),
            OffsetFetch { group, member, partitions } => {
                format!("OffsetFetch group={group} member={member} partitions={partitions}")
            }
            GroupStateChanged { group, from, to, generation } => {
                // The consumer protocol's states count group epochs, not generations.
                let kip848 = ["Assigning", "Reconciling"];
                let word = if kip848.contains(&from.as_str()) || kip848.contains(&to.as_str()) {
                    "group epoch"
                } else {
                    "generation"
                };
                format!("group {group}: {from} -> {to} ({word} {generation})")
            }
            RebalanceStarted { group, generation, reason } => {
                format!("group {group}: rebalance after generation {generation}: {reason}")
            }
            RebalanceCompleted { group, generation, protocol, leader, members } => format!(
                "group {group}: generation {generation} with {members} members, protocol {protocol}, leader {leader}"
            ),
            MemberRemoved { group, member, reason } => format!("group {group}: removed {member}: {reason}"),
            PartitionsRevoked { group, consumer, partitions } => format!(
                "{} revoked {} (group {group})",
                c(consumer),
                list(partitions)
            ),
            PartitionsAssigned { group, consumer, partitions } => format!(
                "{} assigned {} (group {group})",
                c(consumer),
                list(partitions)
            ),
            BrokerKilled { broker } => format!(
                "broker {broker} killed: its connections reset; the controller fences it after broker.session.timeout.ms"
            ),
            BrokerUnfenced { broker } => format!(
                "controller unfenced broker {broker}: its heartbeats arrive in time again; it may lead and rejoin ISRs once caught up"
            ),
            BrokerFenced { broker } => format!(
                "controller fenced broker {broker}: no heartbeat within broker.session.timeout.ms"
            ),
            BrokerRestarted { broker } => format!("broker {broker} restarted with its log on disk"),
            BrokerSlowed { broker, delay_ms } => if *delay_ms == 0 {
                format!("broker {broker} back to normal speed")
            } else {
                format!("broker {broker} slowed: +{delay_ms} ms on every message")
            },
            OffsetFetchUnstable { group, consumer, partitions } => format!(
                "OffsetFetch {} group={group}: UNSTABLE_OFFSET_COMMIT for {partitions} partition{} (an open transaction sent offsets there): it asks again once the transaction ends (KIP-447)",
                c(consumer),
                if *partitions == 1 { "" } else { "s" }
            ),
            ConsumerGroupJoin { group, consumer, member } => format!(
                "ConsumerGroupHeartbeat {} group={group} memberEpoch=0: joins as {member} (group.protocol=consumer)",
                c(consumer)
            ),
            GroupEpochBumped { group, epoch, reason } => {
                format!("group {group}: group epoch {epoch}: {reason}")
            }
            TargetAssignmentComputed { group, epoch, assignor, members } => format!(
                "group {group}: target assignment for epoch {epoch} by the {assignor} assignor on the coordinator, {members} member{}",
                if *members == 1 { "" } else { "s" }
            ),
            MemberReconciled { group, member, from_epoch, epoch, state, assigned, revoking } => format!(
                "group {group}: {member} epoch {from_epoch} -> {epoch}, {state}: owns {assigned}{}",
                if *revoking > 0 { format!(", must revoke {revoking} first") } else { String::new() }
            ),
            ConsumerGroupHeartbeatFailed { group, member, error } => format!(
                "ConsumerGroupHeartbeat group={group} member={}: {}",
                if member.is_empty() { "(new)" } else { member },
                error.name()
            ),
            PreferredLeaderElected { tp, leader, previous, epoch } => format!(
                "{tp}: leadership back to its preferred replica, broker {leader} (was broker {previous}), at epoch {epoch} (auto.leader.rebalance.enable)"
            ),
            LeaderElected { tp, leader, epoch, unclean, isr, records_dropped } => match leader {
                None => format!("{tp} is offline: no live in-sync replica (leader epoch {epoch})"),
                Some(l) => format!(
                    "{tp}: broker {l} elected leader{} at epoch {epoch}, ISR {isr:?}{}",
                    if *unclean { " UNCLEANLY (out of sync)" } else { "" },
                    if *records_dropped > 0 {
                        format!("; {records_dropped} records of the previous leader are gone")
                    } else {
                        String::new()
                    }
                ),
            },
            IsrShrunk { tp, removed, isr, lagging, under_min_isr } => {
                let why = if *lagging {
                    format!("{removed:?} not caught up within replica.lag.time.max.ms")
                } else {
                    format!("broker {removed:?} fenced")
                };
                let under = under_min_isr.map_or_else(String::new, |m| format!(
                    "; under min.insync.replicas={m}: acks=all refused, high watermark held"
                ));
                format!("{tp}: ISR shrinks to {isr:?} ({why}){under}")
            }
            CoordinatorsMoved { from, partitions } => format!(
                "{partitions} partitions of __consumer_offsets and __transaction_state moved off broker {from}: their group and transaction coordinators fail over"
            ),
            IsrExpanded { tp, added, isr } => format!("{tp}: broker {added} caught up, ISR expands to {isr:?}"),
            SegmentsDeleted { tp, segments, by_time, log_start_from, log_start_to } => format!(
                "{tp}: retention deleted {segments} segment{} ({}): log start offset {log_start_from} -> {log_start_to}",
                if *segments == 1 { "" } else { "s" },
                if *by_time { "older than retention.ms" } else { "over retention.bytes" }
            ),
            LogCleaned { tp, records_removed, tombstones_removed, cleaned_up_to } => format!(
                "{tp}: log cleaner removed {records_removed} superseded records and {tombstones_removed} tombstones below offset {cleaned_up_to}"
            ),
            OffsetsReset { group, partitions, to } => format!(
                "reset offsets of group {group} on {partitions} partitions to {to}"
            ),
            FollowerTruncated { tp, broker, to } => format!(
                "{tp}: follower on broker {broker} truncates its log to offset {to} (diverged from the leader)"
            ),
            RabbitExchangeDeclared { name, kind } => format!("RabbitMQ: exchange {name} declared ({kind})"),
            RabbitQueueDeclared { name, queue_type } => format!("RabbitMQ: queue {name} declared ({queue_type})"),
            RabbitQueueBound { exchange, queue, routing_key } => format!(
                "RabbitMQ: queue {queue} bound to exchange {exchange} with key {}",
                quoted(routing_key)
            ),
            RabbitPublisherStarted { producer, exchange, routing_key } => format!(
                "{} also publishes every record to RabbitMQ exchange {exchange}, routing key {}",
                p(producer),
                quoted(routing_key)
            ),
            RabbitConsumerAdded { name, queue, prefetch } => format!(
                "RabbitMQ: {name} consumes from {queue} (prefetch {})",
                if *prefetch == 0 { "unlimited".to_string() } else { prefetch.to_string() }
            ),
            RabbitConsumerClosed { name, queue, requeued } => format!(
                "RabbitMQ: {name}'s channel closed; {requeued} unacknowledged message{} back in {queue}, marked redelivered",
                if *requeued == 1 { "" } else { "s" }
            ),
            RabbitDeadLettered { queue, reason, exchange, count } => format!(
                "RabbitMQ: {count} message{} dead-lettered from {queue} to exchange {exchange} (x-death reason {reason})",
                if *count == 1 { "" } else { "s" }
            ),
            StreamsAppStarted { application_id, instances } => format!(
                "Kafka Streams application {application_id} started with {instances} instance{}",
                if *instances == 1 { "" } else { "s" }
            ),
            StreamsInstanceCrashed { instance } => format!("{instance} crashed (no commit, no LeaveGroup)"),
            StreamsInstanceRestarted { instance, incarnation } => format!("{instance} restarted (incarnation {incarnation}): no local state"),
            StreamsTaskRestoring { instance, task, records } => format!(
                "{instance}: task 0_{task} restores its store from {records} changelog records before processing"
            ),
            StreamsThreadFailed { instance, message } => format!("{instance}: stream thread died: {message}"),
            EmptyTransactionEnded { producer, transactional_id, commit } => format!(
                "{} {} transactional.id={transactional_id} in the client: nothing was added, so no EndTxn is sent",
                self.producer_name(*producer),
                if *commit { "committed" } else { "aborted" }
            ),
            ShareConsumerAdded { name, group, topic } => format!(
                "{name} joins share group {group} on {topic} (every member is assigned every partition)"
            ),
            ShareConsumerCrashed { name, group, lock_ms } => format!(
                "{name} of share group {group} crashed; the records it acquired stay locked until share.record.lock.duration.ms ({lock_ms} ms) runs out"
            ),
            RabbitDropped { queue, reason, count } => format!(
                "RabbitMQ: {count} message{} left {queue} ({reason}) with no dead-letter exchange: gone",
                if *count == 1 { "" } else { "s" }
            ),
        }
    }
}

fn list(tps: &[crate::ground::Tp]) -> String {
    let v: Vec<String> = tps.iter().map(|t| t.to_string()).collect();
    format!("[{}]", v.join(", "))
}
