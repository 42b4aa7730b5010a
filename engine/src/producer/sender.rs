//! The sender: turns ready batches into produce requests and handles what comes back.
//!
//! As Kafka's `Sender.sendProducerData`: find ready leaders, drop those whose connection already
//! has `max.in.flight.requests.per.connection` requests outstanding, drain one request's worth of
//! batches per leader and send it. Repeats while anything was sent. With `acks=0` a batch is done
//! once sent. A request unanswered after `request.timeout.ms` fails every request in flight to
//! that broker (Kafka closes the connection), and their batches are retried.

use super::accumulator::DrainDecision;
use super::{push_recent, Producer, ProducerBatch};
use crate::event::EventKind;
use crate::ground::{BrokerId, PartitionIdx};
use crate::ground::{ErrorCode, Millis, Tp};
use crate::log::{BatchOrigin, RecordBatch};
use crate::party::Ctx;
use crate::protocol::Acks;
use crate::protocol::{Message, Party, ProduceRequest, ProduceResponse};

#[derive(Clone, Debug)]
pub(super) struct InFlightRequest {
    pub id: u64,
    pub broker: BrokerId,
    pub deadline: Millis,
    pub batches: Vec<ProducerBatch>,
}

fn tp(ctx: &Ctx<'_>, p: PartitionIdx) -> Tp {
    ctx.cluster.tp(p)
}

impl Producer {
    pub(super) fn run_sender(&mut self, ctx: &mut Ctx<'_>) {
        if self.txn.is_some()
            && self
                .idempotence
                .as_ref()
                .is_some_and(|s| s.producer_id.is_none())
        {
            // The transaction manager gets the producer id from the transaction coordinator.
            self.next_ready_check = None;
            return;
        }
        if self.txn.is_none() {
            self.resolve_sequences(ctx);
        }
        if let Some(state) = self.idempotence.as_mut() {
            if state.producer_id.is_none() {
                if !state.init_in_flight && self.accumulator.has_undrained() {
                    if let Some(broker) = ctx.cluster.brokers.iter().find(|b| b.alive) {
                        state.init_in_flight = true;
                        ctx.send(
                            Party::Broker(broker.id),
                            Message::InitProducerIdRequest {
                                transactional_id: self.config.transactional_id.clone(),
                            },
                        );
                    }
                }
                self.next_ready_check = None;
                return;
            }
        }
        loop {
            let cluster = ctx.cluster;
            let now = ctx.now;
            let cfg = &self.config;
            let mut sizes: Vec<(PartitionIdx, u32)> = Vec::new();
            let adaptive = cfg.adaptive_partitioning && !self.sticky.is_empty();
            let (ready, next_check) = self.accumulator.ready(
                now,
                // A leader whose broker is down cannot be connected to: its batches wait.
                |p| cluster.available_leader(p),
                |a| cfg.retry_backoff(a),
                |p, n| {
                    if adaptive {
                        sizes.push((p, n))
                    }
                },
            );
            if adaptive {
                self.update_load_stats(ctx, &sizes);
            }
            self.next_ready_check = next_check;
            let mut sent_any = false;
            for broker in ready {
                // TCP takes nothing more while the broker has not read what came before.
                if let Some(t) = ctx.link_full_until(self.index, broker) {
                    self.next_ready_check = Some(self.next_ready_check.map_or(t, |n| n.min(t)));
                    continue;
                }
                let in_flight = self.in_flight.iter().filter(|r| r.broker == broker).count();
                if in_flight >= self.config.max_in_flight as usize || !cluster.broker_alive(broker)
                {
                    continue;
                }
                let led: Vec<PartitionIdx> = self
                    .accumulator
                    .partitions()
                    .iter()
                    .copied()
                    .filter(|&p| cluster.partition(p).and_then(|p| p.leader) == Some(broker))
                    .collect();
                let batches = self.drain_for(broker, &led, now);
                if batches.is_empty() {
                    continue;
                }
                sent_any = true;
                self.send_produce(ctx, broker, batches);
            }
            if !sent_any {
                break;
            }
        }
    }

    /// KIP-360 before anything is drained (`Sender.runOnce`: `maybeResolveSequences`, then
    /// `bumpIdempotentEpochAndResetIdIfNeeded`): resolve what can be, bump the epoch if asked,
    /// and renumber the drained batches of the partitions that asked from sequence 0.
    fn resolve_sequences(&mut self, ctx: &mut Ctx<'_>) {
        let Some(state) = self.idempotence.as_mut() else {
            return;
        };
        if state.producer_id.is_none() {
            return;
        }
        state.maybe_resolve_sequences();
        let Some(bump) = state.maybe_bump_epoch() else {
            return;
        };
        for &p in &bump.partitions {
            let mut batches: Vec<&mut ProducerBatch> = self
                .in_flight
                .iter_mut()
                .flat_map(|r| r.batches.iter_mut())
                .chain(self.accumulator.queued_mut(p))
                .filter(|b| b.partition == p && b.has_sequence())
                .collect();
            crate::ground::sort::sort_by_key(&mut batches, |b| b.base_sequence);
            state.restart_sequences(p, &mut batches);
        }
        let partitions = bump.partitions.iter().map(|&p| tp(ctx, p)).collect();
        ctx.emit(EventKind::ProducerEpochBumped {
            producer: self.index,
            producer_id: bump.producer_id,
            epoch: bump.epoch,
            partitions,
        });
    }

    fn drain_for(
        &mut self,
        broker: BrokerId,
        led: &[PartitionIdx],
        now: Millis,
    ) -> Vec<ProducerBatch> {
        let cfg = &self.config;
        let idem = &mut self.idempotence;
        let txn = &self.txn;
        let max_size = cfg.max_request_size;
        let transactional = cfg.transactional_id.is_some();
        self.accumulator.drain(
            broker,
            led,
            max_size,
            now,
            |a| cfg.retry_backoff(a),
            |batch| {
                if txn
                    .as_ref()
                    .is_some_and(|t| !t.may_send_to(batch.partition))
                {
                    return DrainDecision::Skip;
                }
                match idem.as_mut() {
                    Some(state) => state.drain(batch, transactional),
                    None => DrainDecision::Take,
                }
            },
        )
    }

    fn send_produce(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId, batches: Vec<ProducerBatch>) {
        let id = self.next_request_id;
        self.next_request_id += 1;
        let records: u32 = batches.iter().map(|b| b.record_count()).sum();
        let bytes: u32 = batches.iter().map(|b| b.size_bytes).sum();
        let wire: Vec<(PartitionIdx, u64, RecordBatch)> = batches
            .iter()
            .map(|b| {
                (
                    b.partition,
                    b.id,
                    RecordBatch {
                        base_offset: 0,
                        partition_leader_epoch: -1,
                        first_timestamp: b.first_timestamp,
                        max_timestamp: b.max_timestamp,
                        producer_id: b.producer_id,
                        producer_epoch: b.producer_epoch,
                        base_sequence: b.base_sequence,
                        is_transactional: b.is_transactional,
                        control: None,
                        size_bytes: b.size_bytes,
                        compression: self.accumulator.compression,
                        uncompressed_bytes: b.uncompressed_bytes,
                        records: b.records.clone(),
                        typed: b.typed.clone(),
                        origin: Some(BatchOrigin {
                            producer: self.index,
                            first_record: b.first_record,
                        }),
                        delete_horizon_ms: None,
                    },
                )
            })
            .collect();
        self.stats.requests_sent += 1;
        self.stats.batches_sent += batches.len() as u64;
        self.stats.bytes_sent += bytes as u64;
        push_recent(&mut self.stats.recent_request_batches, batches.len() as u32);
        ctx.emit(EventKind::ProduceRequest {
            producer: self.index,
            broker,
            request_id: id,
            batches: batches.len() as u32,
            records,
            bytes,
        });
        ctx.send(
            Party::Broker(broker),
            Message::Produce(ProduceRequest {
                request_id: id,
                acks: self.config.acks,
                transactional_id: self.config.transactional_id.clone(),
                timeout_ms: self.config.request_timeout_ms,
                batches: wire,
            }),
        );
        if self.config.acks == Acks::None {
            // acks=0: done as soon as it is on the wire; the offset is unknown (-1).
            for b in batches {
                self.complete_batch(ctx, b);
            }
            return;
        }
        if self.config.max_in_flight == 1 {
            for b in &batches {
                self.accumulator.mute(b.partition);
            }
        }
        self.in_flight.push(InFlightRequest {
            id,
            broker,
            deadline: ctx.now + self.config.request_timeout_ms,
            batches,
        });
    }

    fn complete_batch(&mut self, ctx: &mut Ctx<'_>, b: ProducerBatch) {
        let n = b.records.len() as u64;
        // Each record's wait since send(), counted per run of records sent in the same
        // millisecond. A record's timestamp is its send() time unless the application set an
        // older one (a repartition record keeps its source's): then the batch's creation stands
        // in for it.
        let sent = |delta: i32| {
            b.first_timestamp
                .saturating_add_signed(i64::from(delta))
                .max(b.created_ms)
        };
        let mut run: Option<(i32, u32)> = None;
        for r in &b.records {
            match run {
                Some((delta, count)) if delta == r.ts_delta => run = Some((delta, count + 1)),
                _ => {
                    if let Some((delta, count)) = run {
                        self.stats.latency.record(ctx.now, sent(delta), count);
                    }
                    run = Some((r.ts_delta, 1));
                }
            }
        }
        if let Some((delta, count)) = run {
            self.stats.latency.record(ctx.now, sent(delta), count);
        }
        self.stats.records_acked += n;
        self.stats.batches_acked += 1;
        push_recent(&mut self.stats.recent_batch_records, n as u32);
        match self.txn.as_mut() {
            // A processor's output records are audited as the input records they derive from.
            _ if b.typed.iter().any(|t| t.lineage.is_some()) => {}
            // Transactional records count as produced once their transaction commits.
            Some(t) => t.acked.push((b.partition, b.first_record, n)),
            None => ctx
                .audit
                .on_acked(self.index, b.partition, b.first_record, n),
        }
        if let Some(state) = self.idempotence.as_mut() {
            state.on_completed(&b);
        }
        self.accumulator.unmute(b.partition);
    }

    pub(super) fn fail_batch(
        &mut self,
        ctx: &mut Ctx<'_>,
        b: ProducerBatch,
        error: Option<ErrorCode>,
    ) {
        self.stats.records_failed += b.records.len() as u64;
        if let Some(state) = self.idempotence.as_mut() {
            state.remove_in_flight(b.partition, b.base_sequence);
        }
        self.accumulator.unmute(b.partition);
        ctx.emit(EventKind::BatchFailed {
            producer: self.index,
            tp: tp(ctx, b.partition),
            records: b.records.len() as u32,
            error,
        });
    }

    /// A batch that failed with `error`: retry it if Kafka would, else fail it.
    fn retry_or_fail(&mut self, ctx: &mut Ctx<'_>, b: ProducerBatch, error: ErrorCode) {
        let within_timeout = ctx.now.saturating_sub(b.created_ms) < self.config.delivery_timeout_ms;
        // An idempotent batch refused as out of order is retried while an earlier batch of its
        // partition is still unacknowledged (`TransactionManager.canRetry`): that one is on its
        // way again and this one will follow it.
        let transactional = self.txn.is_some();
        let out_of_order_retry = error == ErrorCode::OutOfOrderSequenceNumber
            && self
                .idempotence
                .as_mut()
                .is_some_and(|s| s.may_retry_out_of_order(&b, transactional));
        if matches!(
            error,
            ErrorCode::InvalidProducerEpoch | ErrorCode::ProducerFenced
        ) {
            self.fail_batch(ctx, b, Some(error));
            self.on_fenced(ctx, error);
            return;
        }
        if (error.is_retriable() || out_of_order_retry)
            && b.attempts < self.config.retries
            && within_timeout
        {
            self.stats.batch_retries += 1;
            ctx.emit(EventKind::BatchRetried {
                producer: self.index,
                tp: tp(ctx, b.partition),
                records: b.records.len() as u32,
                attempt: b.attempts + 1,
                error,
            });
            self.accumulator.unmute(b.partition);
            self.accumulator.reenqueue(b, ctx.now);
        } else {
            // `handleFailedBatch`: an idempotent producer cannot know which sequence the leader
            // expects after this: an out-of-order refusal shows a gap, and a batch that failed for
            // good (before its retries ran out) leaves one. Both ask for an epoch bump (KIP-360).
            let adjust = b.attempts < self.config.retries;
            if self.txn.is_none()
                && (error == ErrorCode::OutOfOrderSequenceNumber || adjust)
                && b.has_sequence()
            {
                if let Some(state) = self.idempotence.as_mut() {
                    state.request_epoch_bump(b.partition);
                }
            }
            self.fail_batch(ctx, b, Some(error));
        }
    }

    /// The connection to `broker` is gone: every request in flight on it fails with `error`
    /// and its batches are retried (`NetworkClient.handleDisconnections` / `InFlightRequests
    /// .clearAll`). The client closes it itself after a request timeout; a broker that dies
    /// resets it at once, so its requests do not wait for their timeout while newer batches of
    /// the same partitions go to the new leader ahead of them.
    /// Requests in `answered` keep waiting: their response is already on its way.
    pub fn close_connection(
        &mut self,
        ctx: &mut Ctx<'_>,
        broker: BrokerId,
        error: ErrorCode,
        answered: &[u64],
    ) {
        if !self
            .in_flight
            .iter()
            .any(|r| r.broker == broker && !answered.contains(&r.id))
        {
            return;
        }
        let (dead, alive): (Vec<_>, Vec<_>) = std::mem::take(&mut self.in_flight)
            .into_iter()
            .partition(|r| r.broker == broker && !answered.contains(&r.id));
        self.in_flight = alive;
        // Newest first, as `InFlightRequests.clearAll` hands them back: each batch goes to the
        // front of its queue, so the oldest ends up first again.
        for r in dead.into_iter().rev() {
            ctx.emit(if error == ErrorCode::RequestTimedOut {
                EventKind::ProduceRequestTimedOut {
                    producer: self.index,
                    broker,
                    request_id: r.id,
                }
            } else {
                EventKind::ProduceRequestDisconnected {
                    producer: self.index,
                    broker,
                    request_id: r.id,
                }
            });
            // Retry in reverse so that reenqueue keeps sequence order at the front.
            for b in r.batches.into_iter().rev() {
                self.retry_or_fail(ctx, b, error);
            }
        }
    }

    pub(super) fn expire(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        if self.in_flight.iter().any(|r| r.deadline <= now) {
            let timed_out: Vec<BrokerId> = self
                .in_flight
                .iter()
                .filter(|r| r.deadline <= now)
                .map(|r| r.broker)
                .collect();
            for broker in timed_out {
                self.close_connection(ctx, broker, ErrorCode::RequestTimedOut, &[]);
            }
        }
        // Batches in flight past `delivery.timeout.ms` fail at once, without waiting for their
        // request's timeout (`Sender.getExpiredInflightBatches`).
        let delivery_timeout = self.config.delivery_timeout_ms;
        let mut expired = Vec::new();
        for r in self.in_flight.iter_mut() {
            if r.batches.iter().any(|b| b.expired(now, delivery_timeout)) {
                let (gone, kept) = std::mem::take(&mut r.batches)
                    .into_iter()
                    .partition(|b| b.expired(now, delivery_timeout));
                r.batches = kept;
                expired.extend::<Vec<ProducerBatch>>(gone);
            }
        }
        if self.accumulator.has_undrained() {
            expired.extend(self.accumulator.expired_batches(now, delivery_timeout));
        }
        for b in expired {
            // A batch sent before may have reached the leader: until its partition is drained the
            // client cannot tell (`markSequenceUnresolved`, KIP-360).
            if b.attempts > 0 && self.txn.is_none() {
                if let Some(state) = self.idempotence.as_mut() {
                    state.mark_unresolved(&b);
                }
            }
            self.fail_batch(ctx, b, Some(ErrorCode::RequestTimedOut));
        }
    }

    fn update_load_stats(&mut self, ctx: &Ctx<'_>, sizes: &[(PartitionIdx, u32)]) {
        for (topic, sticky) in self.sticky.iter_mut() {
            let Some(t) = ctx.cluster.topic(*topic) else {
                continue;
            };
            // Adaptive only once every partition of the topic has a queue.
            let mut qs = Vec::with_capacity(t.partitions.len());
            let mut ids = Vec::with_capacity(t.partitions.len());
            for (i, p) in t.partitions.iter().enumerate() {
                if let Some(&(_, n)) = sizes.iter().find(|(q, _)| q == p) {
                    qs.push(n);
                    ids.push(i as u32);
                }
            }
            if qs.len() == t.partitions.len() {
                sticky.update_load_stats(Some((&qs, &ids)), t.partitions.len());
            } else {
                sticky.update_load_stats(None, t.partitions.len());
            }
        }
    }

    /// A response arrived for this producer.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: BrokerId, message: Message) {
        if self.is_fenced() {
            return;
        }
        match message {
            Message::TxnResponse(resp) => self.on_txn_response(ctx, from, resp),
            Message::GroupResponse(crate::protocol::GroupResponse::TxnOffsetCommit {
                group,
                error,
            }) => self.on_txn_offset_commit(ctx, group, error),
            Message::InitProducerIdResponse { result } => {
                if let Some(state) = self.idempotence.as_mut() {
                    state.init_in_flight = false;
                    if let Ok((pid, epoch)) = result {
                        state.reset((pid, epoch));
                        ctx.emit(EventKind::InitProducerId {
                            producer: self.index,
                            broker: from,
                            producer_id: pid,
                            epoch,
                        });
                    }
                }
            }
            Message::ProduceResponse(resp) => self.on_produce_response(ctx, from, resp),
            _ => {}
        }
        if self.txn.is_some() {
            self.txn_step(ctx);
        }
        if self.blocked_since.is_some() && self.txn.as_ref().is_none_or(|t| t.in_transaction()) {
            // Completed batches gave their memory back: the blocked send() may go on.
            self.generate_load(ctx);
        }
        self.run_sender(ctx);
    }

    fn on_produce_response(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId, resp: ProduceResponse) {
        let Some(i) = self.in_flight.iter().position(|r| r.id == resp.request_id) else {
            return; // timed out earlier: the connection it came on is gone
        };
        let req = self.in_flight.remove(i);
        let mut first_error = None;
        let mut duplicates = 0;
        let count = req.batches.len() as u32;
        let mut retry = Vec::new();
        for batch in req.batches {
            let result = resp
                .results
                .iter()
                .find(|(_, id, _)| *id == batch.id)
                .map(|(_, _, r)| *r)
                .unwrap_or(Err(ErrorCode::UnknownTopicOrPartition));
            match result {
                Ok(appended) => {
                    if appended.duplicate {
                        duplicates += 1;
                    }
                    self.complete_batch(ctx, batch);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                    retry.push((batch, e));
                }
            }
        }
        for (batch, e) in retry.into_iter().rev() {
            self.retry_or_fail(ctx, batch, e);
        }
        ctx.emit(EventKind::ProduceResponse {
            producer: self.index,
            broker,
            request_id: resp.request_id,
            batches: count,
            error: first_error,
            duplicates,
        });
    }
}
