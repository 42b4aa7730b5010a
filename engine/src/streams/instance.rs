//! One instance of a Kafka Streams application: a consumer in the `application.id` group and a
//! producer, running one task per input partition it is assigned (reference section 1.6).
//!
//! The loop is `StreamThread`'s: poll, process each record through its task's windowed
//! aggregation, and every `commit.interval.ms` commit. Under `at_least_once` a commit flushes the
//! record caches, waits for the producer to have everything acknowledged, then commits the input
//! offsets; a crash reprocesses what came after the last commit, and the restored store counts it
//! twice. Under `exactly_once_v2` the outputs, the changelog writes and the input offsets are one
//! transaction: a crash aborts it, and the restored store (read_committed) has none of it.
//!
//! A new task restores its store from the changelog before it processes (restoration takes time,
//! and its records wait). The instance does not touch the network itself: it puts what to write
//! in `outbox` and the driver sends it with the producer, so a changelog key can be interned.

use std::collections::{BTreeMap, VecDeque};

use super::aggregate::{Emit, Update, WindowedAggregate};
use super::topology::{OnError, ProcessingGuarantee, Topology};
use super::total::{RunningTotal, Total};
use super::window::Window;
use crate::consumer::{Consumer, DeliveredRecord};
use crate::ground::{Millis, PartitionIdx};
use crate::log::record::Header;
use crate::log::{KeyId, NULL_KEY};
use crate::party::Ctx;
use crate::producer::events::Decoded;
use crate::producer::transaction::TxnClientState;
use crate::producer::Producer;

/// Restoring costs a fixed start (finding the changelog's end, seeking) plus this per record.
pub const RESTORE_START_MS: Millis = 50;
pub const RESTORE_US_PER_RECORD: u64 = 10;

/// A record to write: where, with which key (a record key, or a changelog key as text) and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub topic: String,
    pub partition: Option<u32>,
    pub key: WriteKey,
    pub value: Option<String>,
    pub headers: Vec<Header>,
    /// The record's timestamp: the source record's (a repartition or dead-letter record) or the
    /// aggregate's newest (a result, a changelog entry), as Kafka Streams forwards them.
    pub timestamp: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteKey {
    Id(KeyId),
    /// A key chosen by `selectKey` (a page, an event type), interned by the driver.
    Text(&'static str),
    /// A windowed key, `user-7@[60000,120000)`, interned by the driver.
    Windowed(KeyId, Window),
}

/// The changelog (and output) value of an aggregate: `count@timestamp`.
pub fn encode_value(u: &Update<KeyId>) -> Option<String> {
    u.value.map(|v| format!("{v}@{}", u.timestamp))
}

pub fn decode_value(v: &str) -> Option<(i64, Millis)> {
    let (a, t) = v.split_once('@')?;
    Some((a.parse().ok()?, t.parse().ok()?))
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamTask {
    pub partition: PartitionIdx,
    /// The task is `<subtopology>_<number>`: sub-topology 0 reads the input topic, 1 the
    /// repartition topic.
    pub subtopology: u32,
    /// The partition's number.
    pub number: u32,
    /// Re-keys and forwards to the repartition topic, keeping no state.
    pub stateless: bool,
    pub agg: WindowedAggregate<KeyId>,
    /// The running total, when the topology has one.
    pub total: RunningTotal,
    /// Until when the store is being restored from the changelog.
    pub restoring_until: Option<Millis>,
    pub restored: u64,
    pub processed: u64,
    /// Records that arrived while restoring.
    held: VecDeque<DeliveredRecord>,
    /// The record cache's changelog writes, flushed at commit (emit through the cache).
    cached_changelog: BTreeMap<(KeyId, Window), Update<KeyId>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstancePhase {
    Running,
    Processing {
        until: Millis,
    },
    Committing,
    /// The process died (no commit, no LeaveGroup).
    Crashed,
    /// The stream thread died of an exception (`LogAndFail`): the client shut down.
    Failed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamsStats {
    pub processed: u64,
    pub filtered: u64,
    pub dead_lettered: u64,
    pub skipped_errors: u64,
    pub commits: u64,
    pub restored: u64,
    pub outputs: u64,
    /// Records written to the repartition topic.
    pub repartitioned: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamsInstance {
    pub index: u32,
    pub name: String,
    pub consumer: u32,
    pub producer: u32,
    pub phase: InstancePhase,
    pub tasks: BTreeMap<PartitionIdx, StreamTask>,
    pub last_commit: Millis,
    pub incarnation: u32,
    pub scheduled: Option<Millis>,
    pub outbox: Vec<Write>,
    pub stats: StreamsStats,
    /// Why the stream thread died.
    pub failure: Option<String>,
    pending: Vec<DeliveredRecord>,
    /// The group generation the tasks were made in.
    generation: Option<i32>,
}

/// What the driver gives the instance to run with.
pub struct Env<'a> {
    pub topology: &'a Topology,
    /// A record's content (`None`: opaque bytes, counted as they are).
    pub decode: &'a dyn Fn(&DeliveredRecord) -> Option<Decoded>,
    /// The committed changelogs of a partition, for a new stateful task.
    pub restore: &'a mut dyn FnMut(PartitionIdx) -> Restored,
}

/// What a task's changelogs hold: the window store's entries, and the running total's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Restored {
    pub windows: Vec<Update<KeyId>>,
    pub totals: Vec<Total>,
}

impl StreamsInstance {
    pub fn new(index: u32, name: String, consumer: u32, producer: u32, now: Millis) -> Self {
        StreamsInstance {
            index,
            name,
            consumer,
            producer,
            phase: InstancePhase::Running,
            tasks: BTreeMap::new(),
            last_commit: now,
            incarnation: 1,
            scheduled: None,
            outbox: Vec::new(),
            stats: StreamsStats::default(),
            failure: None,
            pending: Vec::new(),
            generation: None,
        }
    }

    pub fn next_wakeup(&self) -> Option<Millis> {
        let restoring = self.tasks.values().filter_map(|t| t.restoring_until).min();
        match self.phase {
            InstancePhase::Processing { until } => Some(restoring.map_or(until, |r| r.min(until))),
            InstancePhase::Running => restoring,
            _ => None,
        }
    }

    /// Dies with the process: tasks, caches and the open transaction are gone.
    pub fn crash(&mut self) {
        self.phase = InstancePhase::Crashed;
        self.tasks.clear();
        self.pending.clear();
        self.outbox.clear();
    }

    /// Moves the instance along until it waits (or has writes for the driver to send).
    pub fn drive(
        &mut self,
        ctx: &mut Ctx<'_>,
        consumer: &mut Consumer,
        producer: &mut Producer,
        env: &mut Env<'_>,
    ) {
        loop {
            let before = self.phase;
            self.step(ctx, consumer, producer, env);
            if self.phase == before || !self.outbox.is_empty() {
                break;
            }
        }
    }

    fn step(
        &mut self,
        ctx: &mut Ctx<'_>,
        consumer: &mut Consumer,
        producer: &mut Producer,
        env: &mut Env<'_>,
    ) {
        let now = ctx.now;
        if !matches!(self.phase, InstancePhase::Crashed | InstancePhase::Failed)
            && self.rebalanced(ctx, consumer, producer, env)
        {
            return;
        }
        match self.phase {
            InstancePhase::Crashed | InstancePhase::Failed => {}
            InstancePhase::Running => {
                self.sync_tasks(consumer, env, now);
                self.pending.append(&mut consumer.handoff);
                let held = self.release_restored(now);
                if self.pending.is_empty() && held.is_empty() {
                    if now >= self.last_commit + env.topology.commit_interval_ms {
                        self.begin_commit(ctx, producer, env);
                    }
                    return;
                }
                // The application holds on to its poll until it has dealt with it.
                consumer.hold = true;
                if env.topology.guarantee == ProcessingGuarantee::ExactlyOnceV2 {
                    match producer.txn.as_ref().map(|t| t.state) {
                        Some(TxnClientState::Ready) => {
                            if producer.begin_transaction(ctx).is_err() {
                                return;
                            }
                        }
                        Some(TxnClientState::InTransaction) => {}
                        Some(TxnClientState::FatalError) => {
                            self.fenced();
                            return;
                        }
                        // initTransactions() still running.
                        _ => {
                            self.pending.splice(0..0, held);
                            return;
                        }
                    }
                }
                let mut records = held;
                records.append(&mut self.pending);
                let n = records.len() as u64;
                for r in records {
                    self.process(r, env, ctx.keys);
                    if self.phase == InstancePhase::Failed {
                        return;
                    }
                }
                let busy = (n * env.topology.processing_us).div_ceil(1000);
                self.phase = InstancePhase::Processing { until: now + busy };
            }
            InstancePhase::Processing { until } => {
                if now < until {
                    return;
                }
                if now >= self.last_commit + env.topology.commit_interval_ms {
                    self.begin_commit(ctx, producer, env);
                } else {
                    consumer.release(now);
                    self.phase = InstancePhase::Running;
                }
            }
            InstancePhase::Committing => self.finish_commit(ctx, consumer, producer, env),
        }
    }

    /// A new group generation (an eager rebalance revoked everything and positions went back to
    /// the committed offsets): the tasks close dirty and are made again from their changelogs,
    /// and under exactly-once the open transaction is aborted, so that nothing processed since
    /// the last commit is written twice (a commit already on its way keeps its offsets). True
    /// when it started an abort.
    fn rebalanced(
        &mut self,
        ctx: &mut Ctx<'_>,
        consumer: &mut Consumer,
        producer: &mut Producer,
        env: &Env<'_>,
    ) -> bool {
        let generation = consumer.membership.as_ref().map(|m| m.generation);
        let revoked = self
            .tasks
            .keys()
            .any(|p| !consumer.assignment().any(|a| a.partition == *p));
        if generation == self.generation && !revoked {
            return false;
        }
        self.generation = generation;
        let open = producer.txn.as_ref().map(|t| t.state) == Some(TxnClientState::InTransaction);
        if self.tasks.is_empty() && self.pending.is_empty() && !open {
            return false;
        }
        self.tasks.clear();
        self.pending.clear();
        self.outbox.clear();
        if self.phase != InstancePhase::Running {
            consumer.release(ctx.now);
            self.phase = InstancePhase::Running;
        }
        if env.topology.guarantee == ProcessingGuarantee::ExactlyOnceV2
            && producer.txn.as_ref().map(|t| t.state) == Some(TxnClientState::InTransaction)
        {
            let _ = producer.end_transaction(ctx, false);
            return true;
        }
        false
    }

    /// Tasks follow the consumer's assignment: a new stateful task restores first.
    fn sync_tasks(&mut self, consumer: &Consumer, env: &mut Env<'_>, now: Millis) {
        let t = env.topology;
        let repartition = t.repartition_topic();
        let assigned: Vec<(PartitionIdx, u32, u32)> = consumer
            .assignment()
            .map(|a| {
                let sub = u32::from(repartition.as_deref() == Some(a.tp.topic.as_str()));
                (a.partition, a.tp.partition, sub)
            })
            .collect();
        self.tasks
            .retain(|p, _| assigned.iter().any(|(a, _, _)| a == p));
        for (p, number, subtopology) in assigned {
            if self.tasks.contains_key(&p) {
                continue;
            }
            let stateless = subtopology != t.stateful_subtopology();
            let mut agg = WindowedAggregate::new(t.windows, t.emit);
            let mut total = RunningTotal::default();
            let changelog = if stateless {
                Restored::default()
            } else {
                (env.restore)(p)
            };
            agg.restore(&changelog.windows);
            total.restore(&changelog.totals);
            let n = (changelog.windows.len() + changelog.totals.len()) as u64;
            self.stats.restored += n;
            self.tasks.insert(
                p,
                StreamTask {
                    partition: p,
                    subtopology,
                    number,
                    stateless,
                    agg,
                    total,
                    restoring_until: (!stateless).then(|| {
                        now + RESTORE_START_MS + (n * RESTORE_US_PER_RECORD).div_ceil(1000)
                    }),
                    restored: n,
                    processed: 0,
                    held: VecDeque::new(),
                    cached_changelog: BTreeMap::new(),
                },
            );
        }
    }

    /// Tasks done restoring give back the records that waited for them.
    fn release_restored(&mut self, now: Millis) -> Vec<DeliveredRecord> {
        let mut out = Vec::new();
        for t in self.tasks.values_mut() {
            if t.restoring_until.is_some_and(|u| u <= now) {
                t.restoring_until = None;
            }
            if t.restoring_until.is_none() {
                out.extend(t.held.drain(..));
            }
        }
        out
    }

    fn process(&mut self, r: DeliveredRecord, env: &mut Env<'_>, keys: &crate::log::KeyTable) {
        let t = env.topology;
        let Some(task) = self.tasks.get_mut(&r.from) else {
            return; // revoked meanwhile
        };
        if task.restoring_until.is_some() {
            task.held.push_back(r);
            return;
        }
        task.processed += 1;
        self.stats.processed += 1;
        // A repartitioned record carries the source record's value as written.
        let decoded = if task.subtopology == 1 {
            Some(
                r.value
                    .as_deref()
                    .and_then(crate::producer::events::parse)
                    .unwrap_or(Decoded::Unparsable),
            )
        } else {
            (env.decode)(&r)
        };
        let (kind, amount, page) = match decoded {
            None => (None, 0, 0),
            Some(Decoded::Event { kind, amount, page }) => (Some(kind), amount, page),
            Some(bad) => {
                let what = match bad {
                    Decoded::MissingField(f) => format!("missing field '{f}'"),
                    _ => "unparsable value (not a JSON document)".to_string(),
                };
                let message = format!(
                    "Exception caught in process. taskId=0_{}, processor=KSTREAM-SOURCE-0000000000, \
                     topic={}, partition={}, offset={}: {what}",
                    task.number, t.input, task.number, r.offset
                );
                match &t.on_error {
                    OnError::Fail => {
                        self.failure = Some(message);
                        self.phase = InstancePhase::Failed;
                    }
                    OnError::Continue => self.stats.skipped_errors += 1,
                    OnError::DeadLetter(topic) => {
                        self.stats.dead_lettered += 1;
                        let h = |k: &str, v: String| Header {
                            key: format!("__streams.errors.{k}"),
                            value: v,
                        };
                        self.outbox.push(Write {
                            timestamp: r.timestamp,
                            topic: topic.clone(),
                            partition: None,
                            key: WriteKey::Id(r.key),
                            // The source record's value, as it was written.
                            value: r.value.clone().or_else(|| {
                                let user = keys.text(r.key).unwrap_or_default();
                                Some(crate::producer::events::render(bad, &user))
                            }),
                            headers: vec![
                                h(
                                    "exception",
                                    "org.apache.kafka.common.errors.SerializationException".into(),
                                ),
                                h("message", what),
                                h("topic", t.input.clone()),
                                h("partition", task.number.to_string()),
                                h("offset", r.offset.to_string()),
                            ],
                        });
                    }
                }
                return;
            }
        };
        let value = match kind {
            Some(k) => t.value_of(k, amount),
            None => Some(1),
        };
        let Some(value) = value else {
            self.stats.filtered += 1;
            return;
        };
        if task.stateless {
            // selectKey, then the repartition topic's sink: the new key picks the partition.
            let (Some(selector), Some(topic)) = (t.select_key, t.repartition_topic()) else {
                return;
            };
            let kind = kind.unwrap_or(crate::producer::events::EventType::Click);
            let new_key = match selector {
                crate::streams::KeySelector::Page => {
                    crate::producer::events::PAGES[usize::from(page).min(4)]
                }
                crate::streams::KeySelector::Type => kind.as_str(),
            };
            let user = keys.text(r.key).unwrap_or_default();
            self.stats.repartitioned += 1;
            self.outbox.push(Write {
                topic,
                partition: None,
                key: WriteKey::Text(new_key),
                value: Some(crate::producer::events::render(
                    Decoded::Event { kind, amount, page },
                    &user,
                )),
                headers: Vec::new(),
                timestamp: r.timestamp,
            });
            return;
        }
        let key = (r.key != NULL_KEY).then_some(r.key);
        let out = task.agg.process(key, r.timestamp, value);
        let number = task.number;
        if t.emit == Emit::Cached {
            for u in out.changelog {
                task.cached_changelog.insert((u.key, u.window), u);
            }
        } else {
            for u in &out.changelog {
                self.outbox.push(changelog_write(t, number, u));
            }
        }
        for u in &out.forwarded {
            self.stats.outputs += 1;
            self.outbox.push(output_write(t, u));
        }
        // The second aggregate: no window, so nothing is too late for it.
        if let (Some(key), Some(_)) = (key, &t.total_output) {
            let total = task.total.add(key, r.timestamp, value);
            if t.emit == Emit::OnUpdate {
                task.total.clean();
                self.stats.outputs += 1;
                self.outbox.extend(total_writes(t, number, &total));
            }
        }
    }

    /// A commit starts: the caches flush (outputs and changelog), then offsets are committed in
    /// the transaction (exactly-once) or once the producer has everything (at-least-once).
    fn begin_commit(&mut self, ctx: &mut Ctx<'_>, producer: &mut Producer, env: &mut Env<'_>) {
        let t = env.topology;
        if t.emit == Emit::Cached {
            let eos = t.guarantee == ProcessingGuarantee::ExactlyOnceV2;
            let dirty = self
                .tasks
                .values()
                .any(|task| !task.cached_changelog.is_empty() || task.total.has_dirty());
            let ready = producer.txn.as_ref().map(|x| x.state) == Some(TxnClientState::Ready);
            if dirty && eos && ready && producer.begin_transaction(ctx).is_err() {
                return;
            }
            for task in self.tasks.values_mut() {
                let number = task.number;
                for u in std::mem::take(&mut task.cached_changelog).into_values() {
                    self.outbox.push(changelog_write(t, number, &u));
                }
                for u in task.agg.flush() {
                    self.stats.outputs += 1;
                    self.outbox.push(output_write(t, &u));
                }
            }
        }
        if t.emit != Emit::OnUpdate {
            let eos = t.guarantee == ProcessingGuarantee::ExactlyOnceV2;
            let dirty = self.tasks.values().any(|task| task.total.has_dirty());
            let ready = producer.txn.as_ref().map(|x| x.state) == Some(TxnClientState::Ready);
            if dirty && eos && ready && producer.begin_transaction(ctx).is_err() {
                return;
            }
            for task in self.tasks.values_mut() {
                for total in task.total.flush() {
                    self.stats.outputs += 1;
                    self.outbox.extend(total_writes(t, task.number, &total));
                }
            }
        }
        self.phase = InstancePhase::Committing;
    }

    fn finish_commit(
        &mut self,
        ctx: &mut Ctx<'_>,
        consumer: &mut Consumer,
        producer: &mut Producer,
        env: &mut Env<'_>,
    ) {
        let now = ctx.now;
        match env.topology.guarantee {
            ProcessingGuarantee::AtLeastOnce => {
                // `producer.flush()`: everything written must be acknowledged before the
                // offsets move; batches go now rather than after linger.ms.
                if producer.accumulator.queued_records() > 0 || producer.in_flight_requests() > 0 {
                    if !producer.accumulator.flush_in_progress {
                        producer.accumulator.flush_in_progress = true;
                        producer.wake(now);
                    }
                    return;
                }
                producer.accumulator.flush_in_progress = false;
                consumer.request_commit();
                self.committed(consumer, now);
            }
            ProcessingGuarantee::ExactlyOnceV2 => match producer.txn.as_ref().map(|x| x.state) {
                Some(TxnClientState::InTransaction) => {
                    let (offsets, member_id, generation) = consumer.transaction_offsets();
                    let _ = producer.send_offsets_to_transaction(
                        env.topology.application_id.clone(),
                        offsets,
                        member_id,
                        generation,
                    );
                    let _ = producer.end_transaction(ctx, true);
                }
                Some(TxnClientState::Ready) => self.committed(consumer, now),
                Some(TxnClientState::FatalError) => self.fenced(),
                _ => {}
            },
        }
    }

    /// The producer hit a fatal error (fenced): the stream thread dies rather than stall, and
    /// the instance waits for a restart.
    fn fenced(&mut self) {
        self.failure = Some(
            "ProducerFencedException: a newer producer took over this instance's tasks".into(),
        );
        self.phase = InstancePhase::Failed;
    }

    fn committed(&mut self, consumer: &mut Consumer, now: Millis) {
        self.stats.commits += 1;
        self.last_commit = now;
        consumer.release(now);
        self.phase = InstancePhase::Running;
    }
}

fn changelog_write(t: &Topology, partition: u32, u: &Update<KeyId>) -> Write {
    Write {
        topic: t.changelog_topic(),
        // A task's changelog partition is its input partition.
        partition: Some(partition),
        key: WriteKey::Windowed(u.key, u.window),
        value: encode_value(u),
        headers: Vec::new(),
        timestamp: u.timestamp,
    }
}

/// A running total to its topic and to its compacted changelog (the task's partition).
fn total_writes(t: &Topology, partition: u32, total: &Total) -> Vec<Write> {
    let value = Some(format!("{}@{}", total.value, total.timestamp));
    let write = |topic: String, partition| Write {
        topic,
        partition,
        key: WriteKey::Id(total.key),
        value: value.clone(),
        headers: Vec::new(),
        timestamp: total.timestamp,
    };
    let mut out = Vec::new();
    if let Some(changelog) = t.total_changelog_topic() {
        out.push(write(changelog, Some(partition)));
    }
    if let Some(topic) = &t.total_output {
        out.push(write(topic.clone(), None));
    }
    out
}

fn output_write(t: &Topology, u: &Update<KeyId>) -> Write {
    Write {
        topic: t.output.clone(),
        partition: None,
        key: WriteKey::Windowed(u.key, u.window),
        value: encode_value(u),
        headers: Vec::new(),
        timestamp: u.timestamp,
    }
}
