//! A consume-transform-produce processor: a consumer and a producer in one application, reading
//! an input topic and writing a derived record to an output topic for each input record.
//!
//! With `exactly_once` (Kafka's `read_process_write` pattern, KIP-98 and KIP-447) the producer
//! is transactional and each poll's work is one transaction: begin, send the outputs,
//! `sendOffsetsToTransaction` with the consumer's positions and group metadata, commit. The input
//! offsets become visible only with the COMMIT marker, so after a crash the successor (same
//! `transactional.id`, same `group.instance.id`) fences the zombie, aborts what it left open and
//! resumes from the last committed offsets: every input reaches the output exactly once for a
//! read_committed reader.
//!
//! With `at_least_once` the producer is idempotent but not transactional and the consumer
//! auto-commits every `auto.commit.interval.ms`: outputs written after the last commit are
//! written again after a crash, and the output holds duplicates.
//!
//! Simplification: the transform is fixed (the output keeps the input's key and value size);
//! the processor's consumer and producer are ordinary clients of the simulation, driven by
//! this small state machine between polls.

use serde::Serialize;

use crate::consumer::{Consumer, DeliveredRecord};
use crate::event::EventKind;
use crate::ground::Millis;
use crate::party::Ctx;
use crate::producer::transaction::TxnClientState;
use crate::producer::Producer;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarantee {
    ExactlyOnce,
    AtLeastOnce,
}

/// What a processor does between two polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Waiting for records from its consumer.
    Polling,
    /// Working through the records of the last poll until the given time.
    Processing { until: Millis },
    /// Committing the transaction with the outputs and the input offsets.
    Committing,
    /// Crashed (no commit, no abort, no LeaveGroup).
    Crashed,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProcessorStats {
    pub records_processed: u64,
    pub transactions_committed: u64,
    pub crashes: u64,
}

#[derive(Clone, Debug)]
pub struct Processor {
    pub index: u32,
    pub name: String,
    pub input: String,
    pub output: String,
    pub group: String,
    pub guarantee: Guarantee,
    pub processing_us: u64,
    /// The current incarnation's consumer and producer (client indices).
    pub consumer: u32,
    pub producer: u32,
    pub phase: Phase,
    /// Records of the last poll, waiting for the transaction to begin.
    pending: Vec<DeliveredRecord>,
    pub stats: ProcessorStats,
    pub scheduled: Option<Millis>,
    pub incarnation: u32,
}

impl Processor {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        index: u32,
        name: String,
        input: String,
        output: String,
        group: String,
        guarantee: Guarantee,
        processing_us: u64,
        consumer: u32,
        producer: u32,
    ) -> Self {
        Processor {
            index,
            name,
            input,
            output,
            group,
            guarantee,
            processing_us,
            consumer,
            producer,
            phase: Phase::Polling,
            pending: Vec::new(),
            stats: ProcessorStats::default(),
            scheduled: None,
            incarnation: 1,
        }
    }

    /// Forgets records of a crashed incarnation.
    pub fn reset_pending(&mut self) {
        self.pending.clear();
    }

    /// When the processor itself needs to run (end of processing).
    pub fn next_wakeup(&self) -> Option<Millis> {
        match self.phase {
            Phase::Processing { until } => Some(until),
            _ => None,
        }
    }

    /// Moves the processor along: take polled records, send outputs, commit, release the
    /// consumer for its next poll.
    pub fn drive(&mut self, ctx: &mut Ctx<'_>, consumer: &mut Consumer, producer: &mut Producer) {
        loop {
            let before = self.phase;
            self.step(ctx, consumer, producer);
            if self.phase == before {
                break;
            }
        }
    }

    fn step(&mut self, ctx: &mut Ctx<'_>, consumer: &mut Consumer, producer: &mut Producer) {
        match self.phase {
            Phase::Crashed => {}
            Phase::Polling => {
                if self.pending.is_empty() && consumer.handoff.is_empty() {
                    return;
                }
                // The application holds on to its poll until it has dealt with it.
                consumer.hold = true;
                self.pending.append(&mut consumer.handoff);
                if self.guarantee == Guarantee::ExactlyOnce {
                    match producer.txn.as_ref().map(|t| t.state) {
                        Some(TxnClientState::Ready) => {
                            if producer.begin_transaction(ctx).is_err() {
                                return;
                            }
                        }
                        // initTransactions() is still running, or the producer is a fenced
                        // zombie: nothing can be written.
                        _ => return,
                    }
                }
                let sent = self.send_outputs(ctx, producer);
                let busy_us = self.processing_us * sent as u64;
                self.phase = Phase::Processing {
                    until: ctx.now + busy_us.div_ceil(1000),
                };
            }
            Phase::Processing { until } => {
                if ctx.now < until {
                    return;
                }
                match self.guarantee {
                    Guarantee::ExactlyOnce => {
                        let (offsets, member_id, generation) = consumer.transaction_offsets();
                        let _ = producer.send_offsets_to_transaction(
                            self.group.clone(),
                            offsets,
                            member_id,
                            generation,
                        );
                        let _ = producer.end_transaction(ctx, true);
                        self.phase = Phase::Committing;
                    }
                    Guarantee::AtLeastOnce => {
                        // Offsets are committed by auto commit, on its own schedule.
                        consumer.release(ctx.now);
                        self.phase = Phase::Polling;
                    }
                }
            }
            Phase::Committing => match producer.txn.as_ref().map(|t| t.state) {
                Some(TxnClientState::Ready) => {
                    self.stats.transactions_committed += 1;
                    consumer.release(ctx.now);
                    self.phase = Phase::Polling;
                }
                Some(TxnClientState::FatalError) => {
                    // Fenced: a newer incarnation took over; this one stops here.
                }
                _ => {}
            },
        }
    }

    /// Sends one output record per pending input record; returns how many.
    fn send_outputs(&mut self, ctx: &mut Ctx<'_>, producer: &mut Producer) -> usize {
        let Some(topic) = ctx.cluster.topic_id(&self.output) else {
            self.pending.clear();
            return 0;
        };
        let n = self.pending.len();
        for r in self.pending.drain(..) {
            let key = (r.key != crate::log::NULL_KEY).then_some(r.key);
            let value = Some(format!(
                "processed {}-{}#{}",
                r.lineage.producer, r.lineage.partition, r.lineage.record
            ));
            producer.send_one(
                ctx.cluster,
                topic,
                None,
                key,
                ctx.keys,
                value,
                Vec::new(),
                Some(r.lineage),
                None,
                ctx.now,
            );
        }
        producer.wake(ctx.now);
        self.stats.records_processed += n as u64;
        ctx.emit(EventKind::ProcessorProcessed {
            processor: self.index,
            records: n as u32,
        });
        n
    }
}
