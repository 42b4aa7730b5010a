//! What a broker does with a request that reaches it (`KafkaApis`): produce, fetch (with the
//! fetch purgatory for long polls), InitProducerId, FindCoordinator, and group requests for the
//! group coordinator it hosts.

use super::replication::{DelayedMarker, DelayedProduce};
use super::{Due, Simulation};
use crate::cluster::{CONSUMER_OFFSETS, TRANSACTION_STATE};
use crate::coordinator::group::Output;
use crate::coordinator::transaction::TxnOutput;
use crate::event::EventKind;
use crate::ground::{BrokerId, PartitionIdx};
use crate::ground::{ErrorCode, Millis};
use crate::log::NULL_KEY;
use crate::protocol::Acks;
use crate::protocol::{
    EpochEndOffset, FetchRequest, FetchResponse, FetchedPartition, Message,
    OffsetsForLeaderEpochRequest, OffsetsForLeaderEpochResponse, Party, ProduceRequest,
    ProduceResponse, TxnRequest, TxnResponse, WriteTxnMarkers,
};
use crate::protocol::{GroupRequest, GroupResponse};

/// A fetch parked until data arrives or `fetch.max.wait.ms` passes (`DelayedFetch`).
#[derive(Clone, Debug)]
pub(super) struct ParkedFetch {
    consumer: u32,
    broker: BrokerId,
    deadline: Millis,
    request: FetchRequest,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Purgatory {
    parked: Vec<ParkedFetch>,
}

impl Purgatory {
    pub fn is_empty(&self) -> bool {
        self.parked.is_empty()
    }

    /// Removes the fetches a (dying) broker holds.
    pub fn take_broker(&mut self, broker: BrokerId) -> Vec<(u32, FetchRequest)> {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|p| p.broker == broker);
        self.parked = kept;
        gone.into_iter().map(|p| (p.consumer, p.request)).collect()
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.parked.iter().map(|p| p.deadline).min()
    }
}

impl Simulation {
    pub(super) fn handle_broker_request(
        &mut self,
        broker: BrokerId,
        from: Party,
        message: Message,
    ) {
        match message {
            Message::Produce(req) => self.handle_produce(broker, from, req),
            Message::Fetch(req) => {
                let Party::Consumer(c) = from else { return };
                self.handle_fetch(broker, c, req);
            }
            Message::OffsetsForLeaderEpoch(req) => {
                let resp = self.offsets_for_leader_epoch(broker, req);
                self.send(
                    Party::Broker(broker),
                    from,
                    Message::OffsetsForLeaderEpochResponse(resp),
                );
            }
            Message::InitProducerIdRequest { .. } => {
                let pid = self.next_producer_id;
                self.next_producer_id += 1;
                self.send(
                    Party::Broker(broker),
                    from,
                    Message::InitProducerIdResponse {
                        result: Ok((pid, 0)),
                    },
                );
            }
            Message::Group(GroupRequest::FindCoordinator { group }) => {
                // A coordinator on a broker that is down cannot be connected to.
                let coordinator = self
                    .cluster
                    .available_coordinator(CONSUMER_OFFSETS, &group)
                    .ok_or(ErrorCode::CoordinatorNotAvailable);
                self.send(
                    Party::Broker(broker),
                    from,
                    Message::GroupResponse(GroupResponse::FindCoordinator { group, coordinator }),
                );
            }
            Message::Group(req) => {
                let (client, to_party): (u32, fn(u32) -> Party) = match from {
                    Party::Consumer(c) => (c, Party::Consumer),
                    // A transactional producer's TxnOffsetCommit.
                    Party::Producer(p) => (p, Party::Producer),
                    Party::Broker(_) | Party::Processor(_) => return,
                };
                let mut out = Vec::new();
                let cluster = &self.cluster;
                let topics = |name: &str| {
                    cluster
                        .topic_by_name(name)
                        .map(|t| t.partitions.len() as u32)
                };
                self.groups.handle(self.now, client, req, &topics, &mut out);
                self.flush_group_outputs_to(out, to_party);
                self.reschedule_group_timer();
            }
            Message::Txn(TxnRequest::FindCoordinator { transactional_id }) => {
                let coordinator = self
                    .cluster
                    .available_coordinator(TRANSACTION_STATE, &transactional_id)
                    .ok_or(ErrorCode::CoordinatorNotAvailable);
                self.send(
                    Party::Broker(broker),
                    from,
                    Message::TxnResponse(TxnResponse::FindCoordinator { coordinator }),
                );
            }
            Message::Txn(req) => {
                let Party::Producer(p) = from else { return };
                let mut out = Vec::new();
                let now = self.now;
                self.txns
                    .handle(now, p, req, &mut self.next_producer_id, &mut out);
                self.flush_txn_outputs(broker, out);
                self.reschedule_txn_timer();
            }
            Message::WriteTxnMarkers(m) => self.write_markers(broker, from, m),
            Message::ReplicaFetch(req) => self.handle_replica_fetch(broker, req),
            Message::ReplicaFetchResponse(resp) => {
                if let Party::Broker(leader) = from {
                    self.on_replica_fetch_response(broker, leader, resp);
                }
            }
            Message::WriteTxnMarkersResponse {
                transactional_id,
                written,
            } => {
                let mut out = Vec::new();
                self.txns
                    .on_markers_written(self.now, &transactional_id, written, &mut out);
                self.flush_txn_outputs(broker, out);
            }
            _ => {}
        }
    }

    /// Sends the group coordinator's responses (to consumers) and records its events.
    pub(super) fn flush_group_outputs(&mut self, out: Vec<Output>) {
        self.flush_group_outputs_to(out, Party::Consumer);
    }

    fn flush_group_outputs_to(&mut self, out: Vec<Output>, to_party: fn(u32) -> Party) {
        for o in out {
            match o {
                Output::Event(kind) => self.emit(kind),
                Output::Respond { client, response } => {
                    let broker = self
                        .cluster
                        .coordinator_for(CONSUMER_OFFSETS, group_of(&response))
                        .unwrap_or(1);
                    self.send(
                        Party::Broker(broker),
                        to_party(client),
                        Message::GroupResponse(response),
                    );
                }
            }
        }
    }

    /// Sends the transaction coordinator's responses and marker requests from its broker.
    pub(super) fn flush_txn_outputs(&mut self, coordinator: BrokerId, out: Vec<TxnOutput>) {
        for o in out {
            match o {
                TxnOutput::Event(kind) => self.emit(kind),
                TxnOutput::Respond { client, response } => self.send(
                    Party::Broker(coordinator),
                    Party::Producer(client),
                    Message::TxnResponse(response),
                ),
                TxnOutput::WriteMarkers {
                    transactional_id,
                    producer_id,
                    epoch,
                    commit,
                    partitions,
                    groups,
                } => {
                    let m = WriteTxnMarkers {
                        transactional_id,
                        producer_id,
                        epoch,
                        commit,
                        partitions,
                        groups,
                    };
                    self.route_markers(Party::Broker(coordinator), m);
                }
            }
        }
    }

    /// Sends marker requests to the current leader of each partition (and the coordinator of
    /// each group), one request per broker. Partitions without a live leader wait in
    /// `pending_markers` for the next election; deleted partitions count as written.
    pub(super) fn route_markers(&mut self, coordinator: Party, m: WriteTxnMarkers) {
        let mut per_broker: Vec<(BrokerId, WriteTxnMarkers)> = Vec::new();
        let proto = WriteTxnMarkers {
            partitions: Vec::new(),
            groups: Vec::new(),
            ..m.clone()
        };
        let mut waiting = proto.clone();
        fn slot(
            v: &mut Vec<(BrokerId, WriteTxnMarkers)>,
            b: BrokerId,
            proto: &WriteTxnMarkers,
        ) -> usize {
            match v.iter().position(|(x, _)| *x == b) {
                Some(i) => i,
                None => {
                    v.push((b, proto.clone()));
                    v.len() - 1
                }
            }
        }
        let mut deleted = 0;
        for p in m.partitions {
            match self.cluster.partition(p) {
                None => deleted += 1,
                Some(part) => match part.leader.filter(|&b| self.cluster.broker_alive(b)) {
                    Some(b) => {
                        let i = slot(&mut per_broker, b, &proto);
                        per_broker[i].1.partitions.push(p);
                    }
                    None => waiting.partitions.push(p),
                },
            }
        }
        for g in m.groups {
            match self.cluster.available_coordinator(CONSUMER_OFFSETS, &g) {
                Some(b) => {
                    let i = slot(&mut per_broker, b, &proto);
                    per_broker[i].1.groups.push(g);
                }
                None => waiting.groups.push(g),
            }
        }
        for (b, req) in per_broker {
            self.send(coordinator, Party::Broker(b), Message::WriteTxnMarkers(req));
        }
        if !waiting.partitions.is_empty() || !waiting.groups.is_empty() {
            self.replication
                .pending_markers
                .push((coordinator, waiting));
        }
        if deleted > 0 {
            // Deleted partitions: nothing to write there.
            let mut more = Vec::new();
            self.txns
                .on_markers_written(self.now, &m.transactional_id, deleted, &mut more);
            let from = match coordinator {
                Party::Broker(b) => b,
                _ => 1,
            };
            self.flush_txn_outputs(from, more);
        }
    }

    /// A leader (or group coordinator) writes the markers it was asked for and confirms.
    fn write_markers(&mut self, broker: BrokerId, from: Party, m: WriteTxnMarkers) {
        let now = self.now;
        let mut written = 0;
        let mut appended = Vec::new();
        let mut elsewhere = Vec::new();
        let mut delayed = Vec::new();
        for &p in &m.partitions {
            let Some(part) = self.cluster.partition_mut(p) else {
                written += 1;
                continue;
            };
            if part.leader != Some(broker) {
                // NOT_LEADER_OR_FOLLOWER: the coordinator retries at the current leader.
                elsewhere.push(p);
                continue;
            }
            let offset = part.append_marker(m.producer_id, m.epoch, m.commit, now);
            let replicated = part.high_watermark > offset;
            appended.push(p);
            if replicated {
                written += 1;
            } else {
                // Counted once the followers have it: until then a new leader may lack it.
                delayed.push(DelayedMarker {
                    broker,
                    coordinator: from,
                    marker: WriteTxnMarkers {
                        partitions: vec![p],
                        groups: Vec::new(),
                        ..m.clone()
                    },
                    partition: p,
                    required: offset + 1,
                });
            }
            let tp = self.cluster.tp(p);
            self.emit(EventKind::TxnMarkerWritten {
                tp,
                producer_id: m.producer_id,
                commit: m.commit,
                offset,
            });
        }
        for g in &m.groups {
            self.groups.complete_txn(now, g, m.producer_id, m.commit);
            written += 1;
        }
        self.complete_parked_replica_fetches(&appended);
        if !appended.is_empty() && !self.purgatory.parked.is_empty() {
            self.try_complete_parked(&appended);
        }

        if !elsewhere.is_empty() {
            let retry = WriteTxnMarkers {
                partitions: elsewhere,
                groups: Vec::new(),
                ..m.clone()
            };
            self.route_markers(from, retry);
        }
        let all_delayed = written == 0 && !delayed.is_empty();
        self.replication.delayed_markers.extend(delayed);
        if !all_delayed {
            self.send(
                Party::Broker(broker),
                from,
                Message::WriteTxnMarkersResponse {
                    transactional_id: m.transactional_id,
                    written,
                },
            );
        }
    }

    /// `Produce` at a leader: append each batch (after the idempotence check), then answer at
    /// once (acks=1), never (acks=0), or once the high watermark passes every batch (acks=all,
    /// which first needs `min.insync.replicas` in the ISR).
    fn handle_produce(&mut self, broker: BrokerId, from: Party, req: ProduceRequest) {
        let now = self.now;
        let acks_all = req.acks == Acks::All;
        let mut results = Vec::with_capacity(req.batches.len());
        let mut appended: Vec<PartitionIdx> = Vec::new();
        let mut hw_moved: Vec<PartitionIdx> = Vec::new();
        let mut waiting: Vec<(usize, i64)> = Vec::new();
        for (p, batch_id, mut batch) in req.batches {
            let topic = self
                .cluster
                .partition(p)
                .and_then(|x| self.cluster.topic(x.topic));
            let compacted = topic.is_some_and(|t| t.config.cleanup_policy.compacts());
            // The topic's `compression.type` decides the codec the batch is stored in.
            if let Some(t) = topic {
                let stored = t.config.compression_type.stored(batch.compression);
                if stored != batch.compression {
                    batch.size_bytes = crate::log::compression::recompressed_size(
                        batch.uncompressed_bytes,
                        batch.size_bytes,
                        batch.compression,
                        stored,
                    );
                    batch.compression = stored;
                }
            }
            // "Compacted topic cannot accept message without key".
            let keyless = compacted && batch.records.iter().any(|r| r.key == NULL_KEY);
            let records = batch.record_count() as i64;
            let origin = batch.origin;
            let result = match self.cluster.partition_mut(p) {
                None => Err(ErrorCode::UnknownTopicOrPartition),
                Some(part) if part.leader != Some(broker) => Err(ErrorCode::NotLeaderOrFollower),
                Some(_) if keyless => Err(ErrorCode::InvalidRecord),
                Some(part) if acks_all && part.is_under_min_isr() => {
                    Err(ErrorCode::NotEnoughReplicas)
                }
                Some(part) => {
                    let r = part.append_as_leader(batch, now);
                    for (producer, first, n) in part.log.take_evicted() {
                        self.audit.on_evicted(producer, p, first, n as u64);
                    }
                    if let Ok(a) = r {
                        // Appended now, or recognised as a batch this leader already has: either
                        // way the records are in the leader's log.
                        if let Some(o) = origin {
                            self.audit
                                .on_appended(o.producer, p, o.first_record, records as u64);
                        }
                        if !a.duplicate {
                            appended.push(p);
                            if part.maybe_advance_high_watermark() {
                                hw_moved.push(p);
                            }
                        }
                        let required = a.base_offset + records;
                        if acks_all && part.high_watermark < required {
                            waiting.push((results.len(), required));
                        }
                    }
                    r
                }
            };
            results.push((p, batch_id, result));
        }
        if !appended.is_empty() {
            self.complete_parked_replica_fetches(&appended);
        }
        if req.acks != Acks::None {
            if waiting.is_empty() {
                self.send(
                    Party::Broker(broker),
                    from,
                    Message::ProduceResponse(ProduceResponse {
                        request_id: req.request_id,
                        results,
                    }),
                );
            } else {
                self.replication.delayed.push(DelayedProduce {
                    producer: from,
                    broker,
                    deadline: now + req.timeout_ms,
                    request_id: req.request_id,
                    results,
                    waiting,
                });
                self.reschedule_replication();
            }
        }
        if !hw_moved.is_empty() {
            self.on_high_watermark_moved(&hw_moved);
        }
    }

    /// Reads what a fetch returns now; `None` if it returns nothing and may wait.
    fn read_fetch(
        &self,
        broker: BrokerId,
        req: &FetchRequest,
        may_wait: bool,
    ) -> Option<FetchResponse> {
        let mut partitions = Vec::with_capacity(req.partitions.len());
        let mut total = 0u32;
        let mut any = false;
        for fetch in &req.partitions {
            let (p, offset) = (fetch.partition, fetch.fetch_offset);
            let mut fp = FetchedPartition {
                partition: p,
                error: None,
                fetch_offset: offset,
                end_offset: offset,
                bytes: 0,
                high_watermark: -1,
                last_stable_offset: -1,
                log_start_offset: -1,
            };
            match self.cluster.partition(p) {
                None => fp.error = Some(ErrorCode::UnknownTopicOrPartition),
                Some(part) if part.leader != Some(broker) => {
                    fp.error = Some(ErrorCode::NotLeaderOrFollower)
                }
                Some(part) if fenced(part.leader_epoch, fetch.current_leader_epoch).is_some() => {
                    fp.error = fenced(part.leader_epoch, fetch.current_leader_epoch)
                }
                Some(part) => {
                    fp.high_watermark = part.high_watermark;
                    fp.last_stable_offset = part.last_stable_offset();
                    fp.log_start_offset = part.log.log_start_offset();
                    let budget = req
                        .max_partition_bytes
                        .min(req.max_bytes.saturating_sub(total).max(1));
                    match part.fetch_range(offset, req.isolation, budget) {
                        Ok((end, bytes)) => {
                            fp.end_offset = end;
                            fp.bytes = bytes;
                            total += bytes;
                        }
                        Err(e) => fp.error = Some(e),
                    }
                }
            }
            any |= fp.error.is_some() || fp.bytes >= req.min_bytes.max(1);
            partitions.push(fp);
        }
        if !any && may_wait && req.max_wait_ms > 0 {
            return None;
        }
        Some(FetchResponse {
            request_id: req.request_id,
            partitions,
        })
    }

    /// `OffsetsForLeaderEpoch` at a leader (`Partition.lastOffsetForLeaderEpoch`): fenced like a
    /// fetch, then answered from the leader epoch cache.
    fn offsets_for_leader_epoch(
        &self,
        broker: BrokerId,
        req: OffsetsForLeaderEpochRequest,
    ) -> OffsetsForLeaderEpochResponse {
        let partitions = req
            .partitions
            .into_iter()
            .map(|query| {
                let result = match self.cluster.partition(query.partition) {
                    None => Err(ErrorCode::UnknownTopicOrPartition),
                    Some(part) if part.leader != Some(broker) => {
                        Err(ErrorCode::NotLeaderOrFollower)
                    }
                    Some(part) => match fenced(part.leader_epoch, query.current_leader_epoch) {
                        Some(e) => Err(e),
                        None => Ok(part.log.end_offset_for_epoch(query.leader_epoch)),
                    },
                };
                EpochEndOffset { query, result }
            })
            .collect();
        OffsetsForLeaderEpochResponse { partitions }
    }

    fn handle_fetch(&mut self, broker: BrokerId, consumer: u32, req: FetchRequest) {
        match self.read_fetch(broker, &req, true) {
            Some(resp) => self.send(
                Party::Broker(broker),
                Party::Consumer(consumer),
                Message::FetchResponse(resp),
            ),
            None => {
                self.purgatory.parked.push(ParkedFetch {
                    consumer,
                    broker,
                    deadline: self.now + req.max_wait_ms,
                    request: req,
                });
                self.reschedule_purgatory();
            }
        }
    }

    /// New data in `partitions`: answer parked fetches that now have something.
    pub(super) fn try_complete_parked(&mut self, partitions: &[PartitionIdx]) {
        let parked = std::mem::take(&mut self.purgatory.parked);
        for p in parked {
            let relevant = p
                .request
                .partitions
                .iter()
                .any(|f| partitions.contains(&f.partition));
            let resp = if relevant {
                self.read_fetch(p.broker, &p.request, true)
            } else {
                None
            };
            match resp {
                Some(resp) => self.send(
                    Party::Broker(p.broker),
                    Party::Consumer(p.consumer),
                    Message::FetchResponse(resp),
                ),
                None => self.purgatory.parked.push(p),
            }
        }
    }

    pub(super) fn expire_parked_fetches(&mut self) {
        let now = self.now;
        let parked = std::mem::take(&mut self.purgatory.parked);
        for p in parked {
            if p.deadline <= now {
                if let Some(resp) = self.read_fetch(p.broker, &p.request, false) {
                    self.send(
                        Party::Broker(p.broker),
                        Party::Consumer(p.consumer),
                        Message::FetchResponse(resp),
                    );
                }
            } else {
                self.purgatory.parked.push(p);
            }
        }
    }

    /// Drops parked fetches of a removed consumer.
    pub(super) fn forget_consumer_fetches(&mut self, consumer: u32) {
        self.purgatory.parked.retain(|p| p.consumer != consumer);
        self.queue.retain(|d| match d {
            Due::Deliver(env) => env.to != Party::Consumer(consumer),
            _ => true,
        });
    }
}

/// A request made in `requested`, at a leader in `current`: FENCED_LEADER_EPOCH if the client is
/// behind, UNKNOWN_LEADER_EPOCH if the broker is (`Partition.getLocalLog` checks).
fn fenced(current: i32, requested: i32) -> Option<ErrorCode> {
    match requested.cmp(&current) {
        std::cmp::Ordering::Less => Some(ErrorCode::FencedLeaderEpoch),
        std::cmp::Ordering::Greater => Some(ErrorCode::UnknownLeaderEpoch),
        std::cmp::Ordering::Equal => None,
    }
}

fn group_of(r: &GroupResponse) -> &str {
    match r {
        GroupResponse::FindCoordinator { group, .. }
        | GroupResponse::JoinGroup { group, .. }
        | GroupResponse::SyncGroup { group, .. }
        | GroupResponse::Heartbeat { group, .. }
        | GroupResponse::LeaveGroup { group, .. }
        | GroupResponse::OffsetCommit { group, .. }
        | GroupResponse::OffsetFetch { group, .. }
        | GroupResponse::TxnOffsetCommit { group, .. } => group,
        GroupResponse::ConsumerGroupHeartbeat(r) => &r.group,
    }
}
