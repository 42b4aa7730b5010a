//! The producer client: partitioner, record accumulator, sender and idempotence state.
//!
//! A `Producer` is driven by the simulation like a sans-IO state machine: `poll(now)` generates
//! the records its load has due, then runs the sender (ready, drain, send); responses come in
//! through `on_message`; `next_wakeup` says when it next needs to run (next record, linger or
//! backoff expiry, a request timeout). Everything it sends leaves through the `Outbox`.
//!
//! The buffer pool (`buffer.memory`) bounds what the load may pile up: when a new batch finds no
//! room, `send()` blocks (the load stops) until batches complete, and fails the record after
//! `max.block.ms`. A blocked application does not catch up afterwards: its loop resumes at the
//! load's rate from the moment it is let go.
//!
//! Simplifications: metadata is always current (no metadata requests or staleness); records a
//! user types and a processor's outputs are not held to the pool; no compression.

pub mod accumulator;
pub mod config;
mod idempotence;
pub use crate::ground::latency;
pub mod events;
pub mod load;
pub mod partitioner;
mod sender;
pub mod transaction;
mod transactional;

use serde::Serialize;

pub use accumulator::{AppendRecord, ProducerBatch, RecordAccumulator};
pub use config::{PartitionerKind, ProducerConfig};
pub use load::{KeyDistribution, LoadConfig};

use crate::cluster::Cluster;
use crate::event::EventKind;
use crate::ground::{Millis, Rng};
use crate::ground::{PartitionIdx, TopicId};
use crate::log::record::headers_size_in_bytes;
use crate::log::{KeyId, KeyTable, TypedRecord, NULL_KEY};
use crate::party::Ctx;
use idempotence::IdempotenceState;
use load::{KeySampler, LoadClock};
use partitioner::{RoundRobin, StickyPartitioner};
use sender::InFlightRequest;
use transaction::{TransactionManager, TxnClientState};

/// Running totals a user can read off a producer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProducerStats {
    /// Records handed to `send()` (appended to the accumulator).
    pub records_sent: u64,
    pub records_acked: u64,
    pub records_failed: u64,
    /// Batches that left in a produce request (retries counted again).
    pub batches_sent: u64,
    pub batches_acked: u64,
    pub batch_retries: u64,
    pub requests_sent: u64,
    pub bytes_sent: u64,
    /// Records in the most recently acknowledged batches (a short history for the UI).
    pub recent_batch_records: Vec<u32>,
    /// Batches in the most recent produce requests.
    pub recent_request_batches: Vec<u32>,
    /// Time `send()` spent blocked on a full buffer pool, over blocks that ended.
    pub send_blocked_ms: u64,
    /// Records `send()` failed after blocking `max.block.ms` (BufferExhaustedException).
    pub buffer_exhausted: u64,
    /// Send-to-acknowledgement latency of the last seconds (read through
    /// `ProducerView::latency`; left out of reports, which describe whole runs).
    #[serde(skip)]
    pub latency: latency::LatencyWindow,
}

const RECENT: usize = 32;

fn push_recent(v: &mut Vec<u32>, x: u32) {
    if v.len() == RECENT {
        v.remove(0);
    }
    v.push(x);
}

/// A running load: which topic, how fast, which keys.
#[derive(Clone, Debug)]
pub struct Load {
    pub config: LoadConfig,
    pub topic: TopicId,
    sampler: KeySampler,
    clock: LoadClock,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub index: u32,
    /// `client.id`.
    pub name: String,
    pub config: ProducerConfig,
    pub load: Option<Load>,
    /// The load of a deleted topic: the application keeps calling `send()` for it, which waits
    /// for metadata (and fails after max.block.ms) until a topic of that name exists again.
    pub waiting_for_topic: Option<LoadConfig>,
    rng: Rng,
    pub accumulator: RecordAccumulator,
    sticky: Vec<(TopicId, StickyPartitioner)>,
    round_robin: Vec<(TopicId, RoundRobin)>,
    in_flight: Vec<InFlightRequest>,
    next_request_id: u64,
    idempotence: Option<IdempotenceState>,
    /// Present for a producer with a `transactional.id`.
    pub txn: Option<TransactionManager>,
    /// The processor this producer belongs to.
    pub owner: Option<u32>,
    next_ready_check: Option<Millis>,
    /// Since when `send()` has been blocked waiting for buffer memory.
    pub blocked_since: Option<Millis>,
    pub stats: ProducerStats,
    /// When the simulation has this producer's next poll scheduled.
    pub scheduled: Option<Millis>,
    scratch_available: Vec<u32>,
    /// When the application also publishes to RabbitMQ (the same input for both brokers): the
    /// records its load handed to `send()` since the driver last took them, as (key, value
    /// bytes). `None` when it does not.
    pub tee: Option<Vec<(KeyId, u32)>>,
}

impl Producer {
    pub fn new(index: u32, name: String, config: ProducerConfig, rng: Rng) -> Self {
        let idempotence = config.idempotent().then(IdempotenceState::default);
        let txn = config
            .transactional_id
            .clone()
            .map(|id| TransactionManager::new(id, config.transaction_ms, config.abort_percent));
        let mut producer = Producer {
            txn,
            owner: None,
            index,
            name,
            accumulator: RecordAccumulator::new(config.batch_size, config.linger_ms),
            config,
            load: None,
            waiting_for_topic: None,
            rng,
            sticky: Vec::new(),
            round_robin: Vec::new(),
            in_flight: Vec::new(),
            next_request_id: 0,
            tee: None,
            idempotence,
            next_ready_check: None,
            blocked_since: None,
            stats: ProducerStats::default(),
            scheduled: None,
            scratch_available: Vec::new(),
        };
        producer.set_compression(None);
        producer
    }

    /// Starts, changes or stops (rate 0) the producer's load.
    pub fn set_load(
        &mut self,
        config: LoadConfig,
        topic: TopicId,
        keys: &mut KeyTable,
        now: Millis,
    ) {
        keys.ensure_generated(config.keys.key_space());
        self.waiting_for_topic = None;
        self.set_compression(config.compression_ratio);
        self.load = Some(Load {
            sampler: KeySampler::new(&config.keys),
            clock: LoadClock::new(config.rate, now),
            topic,
            config,
        });
    }

    /// Records are compressed with `compression.type` at `ratio` (the codec's default without
    /// one): from now on they count toward `batch.size` at that estimated size.
    fn set_compression(&mut self, ratio: Option<f64>) {
        let codec = self.config.compression_type;
        self.accumulator.compression = codec;
        self.accumulator.compression_ratio = if codec.is_compressed() {
            ratio.unwrap_or(codec.default_ratio())
        } else {
            1.0
        };
    }

    pub fn stop_load(&mut self) {
        self.load = None;
        self.waiting_for_topic = None;
    }

    pub fn producer_id(&self) -> Option<(i64, i16)> {
        self.idempotence.as_ref().and_then(|s| s.producer_id)
    }

    pub fn is_idempotent(&self) -> bool {
        self.idempotence.is_some()
    }

    pub fn in_flight_requests(&self) -> usize {
        self.in_flight.len()
    }

    /// Forgets partitioner state of a topic whose partition count changed.
    pub fn on_metadata_change(&mut self, topic: TopicId) {
        if let Some((_, s)) = self.sticky.iter_mut().find(|(t, _)| *t == topic) {
            s.reset();
        }
    }

    /// Stops the load and drops queued batches of a deleted topic.
    pub fn on_topic_deleted(&mut self, topic: TopicId, partitions: &[PartitionIdx]) {
        if self.load.as_ref().is_some_and(|l| l.topic == topic) {
            self.waiting_for_topic = self.load.take().map(|l| l.config);
        }
        let dropped = self.accumulator.remove_partitions(partitions);
        self.stats.records_failed += dropped.iter().map(|b| b.records.len() as u64).sum::<u64>();
        self.sticky.retain(|(t, _)| *t != topic);
        self.round_robin.retain(|(t, _)| *t != topic);
    }

    /// Asks for a `poll` at `now` (Kafka's `sender.wakeup()` after `send()`).
    pub fn wake(&mut self, now: Millis) {
        self.next_ready_check = Some(self.next_ready_check.map_or(now, |t| t.min(now)));
    }

    /// When this producer next needs `poll`.
    pub fn next_wakeup(&self) -> Option<Millis> {
        // A zombie does nothing more (`poll` returns at once), so it must ask for nothing: a
        // deadline it will never act on would have it woken at that instant for ever.
        if self.is_fenced() {
            return None;
        }
        let mut next = self.next_ready_check;
        let mut take = |t: Option<Millis>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        // The load's next record matters only if this producer can take it now: a transactional
        // one generates inside a transaction, or begins an automatic one when Ready. (Waking for
        // records it cannot take yet would wake it at the same instant forever.)
        let takes_records = self.txn.as_ref().is_none_or(|t| {
            t.in_transaction() || (t.state == TxnClientState::Ready && t.auto_ms > 0)
        });
        // `poll` goes on with a blocked send() only where it generates records (not while a
        // transaction ends): a deadline it would not act on must not be asked for.
        let generates = self.txn.as_ref().is_none_or(|t| t.in_transaction());
        if let Some(since) = self.blocked_since.filter(|_| generates) {
            // Blocked in send(): woken when a batch completes, or to give up.
            take(Some(since.saturating_add(self.config.max_block_ms)));
        } else if takes_records {
            take(self.load.as_ref().and_then(|l| l.clock.next_record_at()));
        }
        if let Some(t) = &self.txn {
            take(t.retry_at);
            if t.in_transaction()
                && t.auto_ms > 0
                && self.load.is_some()
                && self.blocked_since.is_none()
            {
                take(Some(t.started_at + t.auto_ms));
            }
        }
        take(self.in_flight.iter().map(|r| r.deadline).min());
        take(
            self.in_flight
                .iter()
                .flat_map(|r| r.batches.iter())
                .map(|b| b.created_ms + self.config.delivery_timeout_ms)
                .min(),
        );
        if self.accumulator.has_undrained() {
            take(
                self.accumulator
                    .next_expiry(self.config.delivery_timeout_ms),
            );
        }
        next
    }

    /// Runs the producer at `now`: generate due records, expire timed-out requests and batches,
    /// then send what is ready.
    pub fn poll(&mut self, ctx: &mut Ctx<'_>) {
        if self.is_fenced() {
            return;
        }
        if self.txn.is_some() {
            self.auto_transaction(ctx);
        }
        let takes_records = self.txn.as_ref().is_none_or(|t| t.in_transaction());
        if takes_records {
            self.generate_load(ctx);
        }
        self.expire(ctx);
        if takes_records && self.blocked_since.is_some() {
            // Expired batches gave their memory back.
            self.generate_load(ctx);
        }
        if self.txn.is_some() {
            self.note_new_partitions();
            self.txn_step(ctx);
        }
        self.run_sender(ctx);
    }

    /// Fenced by a newer incarnation: a zombie that does nothing more.
    pub fn is_fenced(&self) -> bool {
        self.txn
            .as_ref()
            .is_some_and(|t| t.state == TxnClientState::FatalError)
    }

    /// Bytes of batches held in the buffer pool: waiting in the accumulator or in flight.
    pub fn buffer_used(&self) -> u64 {
        let batch_size = self.config.batch_size;
        self.accumulator.pool_bytes()
            + self
                .in_flight
                .iter()
                .flat_map(|r| r.batches.iter())
                .map(|b| b.pool_bytes(batch_size))
                .sum::<u64>()
    }

    /// Generates the records the load has due, as far as the buffer pool lets it. A `send()`
    /// blocked on a full pool goes on once a batch's worth of memory is free, or gives up after
    /// `max.block.ms` (the record fails with BufferExhaustedException); either way the
    /// application's loop then starts over from `now`, without the records it would have sent
    /// meanwhile.
    pub(crate) fn generate_load(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        if let Some(since) = self.blocked_since {
            let available = self.config.buffer_memory.saturating_sub(self.buffer_used());
            let Some(load) = self.load.as_mut() else {
                self.blocked_since = None;
                return;
            };
            let timed_out = now >= since.saturating_add(self.config.max_block_ms);
            if !timed_out && available < self.config.batch_size as u64 {
                return;
            }
            // Blocked for a while, the application's schedule slipped by that time: its next
            // `send()` comes now. Let go (or failed, with `max.block.ms` 0) at the instant it
            // blocked, it lost no time and keeps its schedule: restarting the clock then would
            // make the failed record's slot due again at the same instant, for ever (found by
            // tests/whole_scenarios.rs: 2000 records/s, `max.block.ms` 0, a full pool).
            if now > since {
                load.clock = LoadClock::starting_at(load.clock.rate, now);
            }
            self.blocked_since = None;
            self.stats.send_blocked_ms += now - since;
            if timed_out {
                if let Some(t) = self.txn.as_mut().filter(|t| t.in_transaction()) {
                    t.send_failed = true;
                }
                let load = self.load.as_mut().expect("load checked above");
                load.clock.advance(1);
                self.stats.records_sent += 1;
                self.stats.records_failed += 1;
                self.stats.buffer_exhausted += 1;
                ctx.emit(EventKind::BufferExhausted {
                    producer: self.index,
                    bytes: self.config.batch_size,
                    max_block_ms: self.config.max_block_ms,
                    buffer_memory: self.config.buffer_memory,
                    available,
                });
            }
        }
        let room = self.config.buffer_memory.saturating_sub(self.buffer_used());
        self.accumulator.pool_room = Some(room);
        let exhausted = self.generate(now, ctx.cluster, ctx.keys);
        self.accumulator.pool_room = None;
        if exhausted {
            self.blocked_since = Some(now);
            ctx.emit(EventKind::SendBlocked {
                producer: self.index,
                buffer_memory: self.config.buffer_memory,
                used: self.buffer_used(),
            });
        }
    }

    /// Appends the load's due records; returns true if it stopped on a full buffer pool.
    fn generate(&mut self, now: Millis, cluster: &Cluster, keys: &KeyTable) -> bool {
        let Some(load) = self.load.as_mut() else {
            return false;
        };
        let due = load.clock.due(now);
        if due == 0 {
            return false;
        }
        let Some(topic) = cluster.topic(load.topic) else {
            self.load = None;
            return false;
        };
        let num_partitions = topic.partitions.len() as u32;
        self.scratch_available.clear();
        for (i, &p) in topic.partitions.iter().enumerate() {
            if cluster.partition(p).is_some_and(|p| p.leader.is_some()) {
                self.scratch_available.push(i as u32);
            }
        }
        let load_value_bytes = load.config.value_bytes;
        let value_len = Some(load_value_bytes);
        let topic_id = load.topic;
        let use_keys = !self.config.partitioner_ignore_keys
            && self.config.partitioner == PartitionerKind::BuiltIn;
        let mut taken = 0;
        let mut exhausted = false;
        for k in 0..due {
            let load = self.load.as_mut().expect("load checked above");
            let ts = load.clock.timestamp_of(k);
            let key = load.sampler.sample(&mut self.rng);
            let rec = AppendRecord {
                key,
                key_len: keys.len(key),
                value_len,
                timestamp: ts,
                headers_bytes: 0,
                header_count: 0,
            };
            let appended = if key != NULL_KEY && use_keys {
                let p = (keys.hash(key) & 0x7fff_ffff) as u32 % num_partitions;
                let idx = topic.partitions[p as usize];
                !self
                    .accumulator
                    .append(idx, rec, None, now)
                    .0
                    .pool_exhausted
            } else {
                self.append_unkeyed(topic_id, &topic.partitions, rec, None, now)
                    .is_some()
            };
            if !appended {
                exhausted = true;
                break;
            }
            if let Some(tee) = self.tee.as_mut() {
                tee.push((key, load_value_bytes));
            }
            taken += 1;
        }
        if let Some(load) = self.load.as_mut() {
            load.clock.advance(taken);
        }
        self.stats.records_sent += taken;
        exhausted
    }

    /// Places a record without a usable key: round-robin if configured, else the sticky
    /// partition, following `RecordAccumulator.append`'s switch rules.
    fn append_unkeyed(
        &mut self,
        topic: TopicId,
        partitions: &[PartitionIdx],
        rec: AppendRecord,
        typed: Option<TypedRecord>,
        now: Millis,
    ) -> Option<PartitionIdx> {
        let n = partitions.len() as u32;
        if self.config.partitioner == PartitionerKind::RoundRobin {
            let rr = match self.round_robin.iter().position(|(t, _)| *t == topic) {
                Some(i) => &mut self.round_robin[i].1,
                None => {
                    self.round_robin.push((topic, RoundRobin::default()));
                    &mut self.round_robin.last_mut().expect("pushed").1
                }
            };
            let p = rr.next(&self.scratch_available, n);
            let idx = partitions[p as usize];
            let (result, _) = self.accumulator.append(idx, rec, typed, now);
            return (!result.pool_exhausted).then_some(idx);
        }
        let slot = match self.sticky.iter().position(|(t, _)| *t == topic) {
            Some(i) => i,
            None => {
                self.sticky.push((topic, StickyPartitioner::default()));
                self.sticky.len() - 1
            }
        };
        let batch_size = self.config.batch_size;
        let rng = &mut self.rng;
        let sticky = &mut self.sticky[slot].1;
        let mut p = sticky.peek(&self.scratch_available, n, rng.next_positive_i32());
        // partitionChanged: complete a switch that was postponed while the batch was open.
        if self.accumulator.all_batches_full(partitions[p as usize]) {
            let random = rng.next_positive_i32();
            if sticky.update(0, batch_size, true, &self.scratch_available, n, || random) {
                p = sticky.peek(&self.scratch_available, n, 0);
            }
        }
        let idx = partitions[p as usize];
        let (result, _) = self.accumulator.append(idx, rec, typed, now);
        if result.pool_exhausted {
            return None;
        }
        let enable_switch = self.accumulator.all_batches_full(idx);
        let random = rng.next_positive_i32();
        sticky.update(
            result.appended_bytes,
            batch_size,
            enable_switch,
            &self.scratch_available,
            n,
            || random,
        );
        Some(idx)
    }

    /// `send()` of one record a user typed. Returns the partition number it went to.
    #[allow(clippy::too_many_arguments)]
    pub fn send_one(
        &mut self,
        cluster: &Cluster,
        topic: TopicId,
        partition: Option<u32>,
        key: Option<KeyId>,
        keys: &KeyTable,
        value: Option<String>,
        headers: Vec<crate::log::record::Header>,
        lineage: Option<crate::log::Lineage>,
        // The record's timestamp, if the application sets one (`new ProducerRecord(topic,
        // partition, timestamp, ...)`); else the time of send().
        timestamp: Option<Millis>,
        now: Millis,
    ) -> u32 {
        let t = cluster.topic(topic).expect("validated by the caller");
        let n = t.partitions.len() as u32;
        let key = key.unwrap_or(NULL_KEY);
        let rec = AppendRecord {
            key,
            key_len: keys.len(key),
            value_len: value.as_ref().map(|v| v.len() as u32),
            timestamp: timestamp.unwrap_or(now),
            headers_bytes: headers_size_in_bytes(&headers),
            header_count: headers.len() as u32,
        };
        let typed = TypedRecord {
            offset_delta: 0,
            value,
            headers,
            lineage,
        };
        self.stats.records_sent += 1;
        let chosen = if let Some(p) = partition {
            p
        } else if key != NULL_KEY
            && !self.config.partitioner_ignore_keys
            && self.config.partitioner == PartitionerKind::BuiltIn
        {
            (keys.hash(key) & 0x7fff_ffff) as u32 % n
        } else {
            self.scratch_available.clear();
            for (i, &p) in t.partitions.iter().enumerate() {
                if cluster.partition(p).is_some_and(|p| p.leader.is_some()) {
                    self.scratch_available.push(i as u32);
                }
            }
            // Not held to the pool (`pool_room` is unset outside the load): always appended.
            let idx = self
                .append_unkeyed(topic, &t.partitions, rec, Some(typed), now)
                .unwrap_or(t.partitions[0]);
            return cluster.partition(idx).map_or(0, |p| p.index);
        };
        self.accumulator
            .append(t.partitions[chosen as usize], rec, Some(typed), now);
        chosen
    }

    /// The current sticky partition of a topic, if one was chosen.
    pub fn sticky_partition(&self, topic: TopicId) -> Option<u32> {
        self.sticky
            .iter()
            .find(|(t, _)| *t == topic)
            .and_then(|(_, s)| s.current())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13, defect 1: a transactional producer fenced while a request of its was
    /// unanswered kept reporting that request's deadline as its next wake-up, but returned from
    /// `poll` before expiring anything, so the driver woke it at that instant for ever. A fenced
    /// producer asks to be woken for nothing.
    #[test]
    fn a_fenced_producer_asks_to_be_woken_for_nothing() {
        let config = ProducerConfig {
            transactional_id: Some("tx".into()),
            ..Default::default()
        };
        let mut p = Producer::new(0, "zombie".into(), config, Rng::new(1));
        p.in_flight.push(sender::InFlightRequest {
            id: 1,
            broker: 1,
            deadline: 30_000,
            batches: Vec::new(),
        });
        assert_eq!(p.next_wakeup(), Some(30_000));
        p.txn.as_mut().unwrap().state = TxnClientState::FatalError;
        assert!(p.is_fenced());
        assert_eq!(p.next_wakeup(), None);
    }
}
