//! The producer's transactional side: what `Producer` does with its `TransactionManager`.

use super::load::LoadClock;
use super::transaction::{OffsetsStep, PendingOffsets, TxnClientState};
use super::Producer;
use crate::cluster::{CONSUMER_OFFSETS, TRANSACTION_STATE};
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::ErrorCode;
use crate::ground::{BrokerId, PartitionIdx};
use crate::party::Ctx;
use crate::protocol::GroupRequest;
use crate::protocol::{Message, Party, TxnRequest, TxnResponse};

impl Producer {
    /// `beginTransaction()`.
    pub fn begin_transaction(&mut self, ctx: &mut Ctx<'_>) -> Result<(), String> {
        let Some(t) = self.txn.as_mut() else {
            return Err(format!("{} has no transactional.id.", quoted(&self.name)));
        };
        match t.state {
            TxnClientState::Ready => {
                t.state = TxnClientState::InTransaction;
                t.started_at = ctx.now;
                t.send_failed = false;
                // The application sends only inside a transaction, and before this one it was
                // blocked in initTransactions() or commitTransaction(): its load starts now
                // rather than catching up on every record of the time between (26 s at 20 000
                // records/s were half a million records at one instant).
                if let Some(load) = self.load.as_mut() {
                    load.clock = LoadClock::starting_at(load.clock.rate, ctx.now);
                }
                ctx.emit(EventKind::TransactionBegun { producer: self.index });
                Ok(())
            }
            TxnClientState::InTransaction => Err(format!(
                "{} is already in a transaction.",
                quoted(&self.name)
            )),
            s => Err(format!(
                "{} cannot begin a transaction while {} (wait for initTransactions or the last commit).",
                quoted(&self.name),
                s.as_str()
            )),
        }
    }

    /// `commitTransaction()` / `abortTransaction()`.
    pub fn end_transaction(&mut self, ctx: &mut Ctx<'_>, commit: bool) -> Result<(), String> {
        let Some(t) = self.txn.as_mut() else {
            return Err(format!("{} has no transactional.id.", quoted(&self.name)));
        };
        if t.state != TxnClientState::InTransaction {
            return Err(format!(
                "{} has no open transaction ({}).",
                quoted(&self.name),
                t.state.as_str()
            ));
        }
        if commit {
            t.state = TxnClientState::CommittingTransaction;
            self.accumulator.flush_in_progress = true;
        } else {
            t.state = TxnClientState::AbortingTransaction;
            t.pending_add.clear();
            t.offsets = None;
            // abortUndrainedBatches: what never left is simply dropped.
            let dropped = self.accumulator.drain_all();
            self.stats.records_failed +=
                dropped.iter().map(|b| b.records.len() as u64).sum::<u64>();
        }
        self.txn_step(ctx);
        Ok(())
    }

    /// `sendOffsetsToTransaction(offsets, groupMetadata)`.
    pub fn send_offsets_to_transaction(
        &mut self,
        group: String,
        offsets: Vec<(PartitionIdx, i64)>,
        member_id: String,
        generation: i32,
    ) -> Result<(), String> {
        let Some(t) = self.txn.as_mut() else {
            return Err(format!("{} has no transactional.id.", quoted(&self.name)));
        };
        if !t.in_transaction() {
            return Err(format!("{} has no open transaction.", quoted(&self.name)));
        }
        t.offsets = Some(PendingOffsets {
            group,
            offsets,
            member_id,
            generation,
            step: OffsetsStep::AddOffsets,
        });
        Ok(())
    }

    /// Automatic transactions around the load: begin when records are due, end after
    /// `sim.transaction.ms`.
    pub(super) fn auto_transaction(&mut self, ctx: &mut Ctx<'_>) {
        let Some(load) = self.load.as_ref() else {
            return;
        };
        let due = load.clock.due(ctx.now) > 0;
        let Some(t) = self.txn.as_ref() else {
            return;
        };
        if t.auto_ms == 0 {
            return;
        }
        if t.state == TxnClientState::Ready && due {
            let _ = self.begin_transaction(ctx);
        } else if t.in_transaction()
            && ctx.now >= t.started_at + t.auto_ms
            // The application thread is inside a blocked `send()`: it ends the transaction
            // only once send() returns.
            && self.blocked_since.is_none()
        {
            let abort = t.send_failed
                || (t.abort_percent > 0.0 && self.rng.unit() * 100.0 < t.abort_percent);
            let _ = self.end_transaction(ctx, !abort);
        }
    }

    /// Partitions that got records in this transaction and are not registered yet.
    pub(super) fn note_new_partitions(&mut self) {
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        // While committing too: commitTransaction() flushes what was sent before it, and the
        // sender adds those partitions first.
        if !t.in_transaction() && t.state != TxnClientState::CommittingTransaction {
            return;
        }
        for &p in self.accumulator.partitions() {
            if !t.added.contains(&p) && self.accumulator.queue(p).is_some_and(|q| !q.is_empty()) {
                t.pending_add.insert(p);
            }
        }
    }

    fn coordinator_send(&mut self, ctx: &mut Ctx<'_>, req: TxnRequest) {
        let t = self.txn.as_mut().expect("transactional");
        if t.coordinator.is_none() {
            // Rediscovered from metadata after NOT_COORDINATOR or a broken connection.
            t.coordinator = ctx
                .cluster
                .available_coordinator(TRANSACTION_STATE, &t.transactional_id);
        }
        if let Some(c) = t.coordinator {
            t.request_in_flight = true;
            ctx.send(Party::Broker(c), Message::Txn(req));
        }
    }

    /// Sends the next request the transaction needs, if none is outstanding.
    pub(super) fn txn_step(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        // Records appended since the last poll (by the application thread, between polls) need
        // their partitions added before anything else: the sender thread would add them first.
        self.note_new_partitions();
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        if !t.can_request(now) {
            return;
        }
        t.retry_at = None;
        let id = t.transactional_id.clone();
        let pid = self.idempotence.as_ref().and_then(|s| s.producer_id);
        match t.state {
            TxnClientState::Uninitialized => {
                if let Some(b) = ctx.cluster.brokers.iter().find(|b| b.alive) {
                    t.request_in_flight = true;
                    let b = b.id;
                    ctx.send(
                        Party::Broker(b),
                        Message::Txn(TxnRequest::FindCoordinator {
                            transactional_id: id,
                        }),
                    );
                }
            }
            TxnClientState::Initializing => {
                let timeout = self.config.transaction_timeout_ms;
                self.coordinator_send(
                    ctx,
                    TxnRequest::InitProducerId {
                        transactional_id: id,
                        transaction_timeout_ms: timeout,
                    },
                );
            }
            TxnClientState::Ready | TxnClientState::FatalError => {}
            TxnClientState::InTransaction
            | TxnClientState::CommittingTransaction
            | TxnClientState::AbortingTransaction => {
                let Some((producer_id, epoch)) = pid else {
                    return;
                };
                if !t.pending_add.is_empty() {
                    let partitions: Vec<PartitionIdx> = t.pending_add.iter().copied().collect();
                    self.coordinator_send(
                        ctx,
                        TxnRequest::AddPartitionsToTxn {
                            transactional_id: id,
                            producer_id,
                            epoch,
                            partitions,
                        },
                    );
                    return;
                }
                if let Some(o) = t.offsets.as_mut() {
                    match o.step {
                        OffsetsStep::AddOffsets => {
                            let group = o.group.clone();
                            self.coordinator_send(
                                ctx,
                                TxnRequest::AddOffsetsToTxn {
                                    transactional_id: id,
                                    producer_id,
                                    epoch,
                                    group,
                                },
                            );
                        }
                        OffsetsStep::Commit => {
                            o.step = OffsetsStep::InFlight;
                            let req = GroupRequest::TxnOffsetCommit {
                                group: o.group.clone(),
                                transactional_id: id,
                                producer_id,
                                epoch,
                                member_id: o.member_id.clone(),
                                generation: o.generation,
                                offsets: o.offsets.clone(),
                            };
                            let coordinator =
                                ctx.cluster.coordinator_for(CONSUMER_OFFSETS, &o.group);
                            if let Some(c) = coordinator {
                                t.request_in_flight = true;
                                ctx.send(Party::Broker(c), Message::Group(req));
                            }
                        }
                        OffsetsStep::InFlight => {}
                    }
                    return;
                }
                let ending = match t.state {
                    TxnClientState::CommittingTransaction => Some(true),
                    TxnClientState::AbortingTransaction => Some(false),
                    _ => None,
                };
                let started = !t.added.is_empty() || t.offsets_added;
                if let Some(commit) = ending {
                    // EndTxn only once everything sent in the transaction is acknowledged.
                    if self.accumulator.has_undrained() || self.in_flight_requests() > 0 {
                        return;
                    }
                    if !started {
                        // Nothing reached the coordinator: the client completes the transaction
                        // itself ("Not sending EndTxn for completed transaction since no
                        // partitions or offsets were successfully added").
                        if let Some(t) = self.txn.as_mut() {
                            t.state = TxnClientState::Ready;
                        }
                        self.accumulator.flush_in_progress = false;
                        ctx.emit(EventKind::EmptyTransactionEnded {
                            producer: self.index,
                            transactional_id: id,
                            commit,
                        });
                        return;
                    }
                    self.coordinator_send(
                        ctx,
                        TxnRequest::EndTxn {
                            transactional_id: id,
                            producer_id,
                            epoch,
                            commit,
                        },
                    );
                }
            }
        }
    }

    pub(super) fn on_txn_response(&mut self, ctx: &mut Ctx<'_>, from: BrokerId, resp: TxnResponse) {
        let backoff = self.config.retry_backoff_ms;
        let index = self.index;
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        t.request_in_flight = false;
        if resp.coordinator_error() {
            t.coordinator = None;
            t.retry_at = Some(ctx.now + backoff);
            return;
        }
        let id = t.transactional_id.clone();
        let mut fenced = None;
        match resp {
            TxnResponse::FindCoordinator { coordinator } => match coordinator {
                Ok(b) => {
                    t.coordinator = Some(b);
                    t.state = TxnClientState::Initializing;
                }
                Err(_) => t.retry_at = Some(ctx.now + backoff),
            },
            TxnResponse::InitProducerId { result } => match result {
                Ok((pid, epoch)) => {
                    t.state = TxnClientState::Ready;
                    if let Some(s) = self.idempotence.as_mut() {
                        s.reset((pid, epoch));
                    }
                    ctx.emit(EventKind::InitProducerId {
                        producer: index,
                        broker: from,
                        producer_id: pid,
                        epoch,
                    });
                }
                Err(ErrorCode::ConcurrentTransactions)
                | Err(ErrorCode::CoordinatorNotAvailable) => t.retry_at = Some(ctx.now + backoff),
                Err(e) => fenced = Some(e),
            },
            TxnResponse::AddPartitionsToTxn { partitions, error } => {
                let tps = partitions.iter().map(|&p| ctx.cluster.tp(p)).collect();
                ctx.emit(EventKind::AddPartitionsToTxn {
                    producer: index,
                    transactional_id: id,
                    partitions: tps,
                    error,
                });
                match error {
                    None => {
                        for p in partitions {
                            t.pending_add.remove(&p);
                            t.added.insert(p);
                        }
                    }
                    Some(ErrorCode::ConcurrentTransactions) => t.retry_at = Some(ctx.now + backoff),
                    Some(e) => fenced = Some(e),
                }
            }
            TxnResponse::AddOffsetsToTxn { group, error } => {
                ctx.emit(EventKind::AddOffsetsToTxn {
                    producer: index,
                    transactional_id: id,
                    group,
                    error,
                });
                match error {
                    None => {
                        t.offsets_added = true;
                        if let Some(o) = t.offsets.as_mut() {
                            o.step = OffsetsStep::Commit;
                        }
                    }
                    Some(ErrorCode::ConcurrentTransactions) => t.retry_at = Some(ctx.now + backoff),
                    Some(e) => fenced = Some(e),
                }
            }
            TxnResponse::EndTxn { commit, error } => {
                ctx.emit(EventKind::EndTxn {
                    producer: index,
                    transactional_id: id,
                    commit,
                    error,
                });
                match error {
                    None => {
                        t.state = TxnClientState::Ready;
                        t.added.clear();
                        t.offsets_added = false;
                        self.accumulator.flush_in_progress = false;
                        let acked = std::mem::take(&mut t.acked);
                        if commit {
                            t.committed += 1;
                            for (p, first, n) in acked {
                                ctx.audit.on_acked(index, p, first, n);
                            }
                        } else {
                            t.aborted += 1;
                            for (p, first, n) in acked {
                                ctx.audit.on_aborted(index, p, first, n);
                            }
                        }
                    }
                    Some(ErrorCode::ConcurrentTransactions) => t.retry_at = Some(ctx.now + backoff),
                    Some(e) => fenced = Some(e),
                }
            }
        }
        if let Some(e) = fenced {
            self.on_fenced(ctx, e);
        }
    }

    pub(super) fn on_txn_offset_commit(
        &mut self,
        ctx: &mut Ctx<'_>,
        _group: String,
        error: Option<ErrorCode>,
    ) {
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        t.request_in_flight = false;
        if crate::protocol::is_coordinator_error(error) {
            if let Some(o) = t.offsets.as_mut() {
                o.step = OffsetsStep::Commit;
            }
            t.retry_at = Some(ctx.now + self.config.retry_backoff_ms);
            return;
        }
        match error {
            None => t.offsets = None,
            Some(_) => {
                // The consumer lost its partitions (KIP-447): the transaction must not commit.
                t.offsets = None;
                if t.in_transaction() || t.state == TxnClientState::CommittingTransaction {
                    t.state = TxnClientState::InTransaction;
                    let _ = self.end_transaction(ctx, false);
                }
            }
        }
    }

    /// PRODUCER_FENCED / INVALID_PRODUCER_EPOCH: a newer incarnation (or the coordinator, on a
    /// timeout) bumped the epoch. This producer is a zombie now.
    pub(super) fn on_fenced(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        if let Some(t) = self.txn.as_mut() {
            if t.state == TxnClientState::FatalError {
                return;
            }
            t.state = TxnClientState::FatalError;
            t.request_in_flight = false;
            let acked = std::mem::take(&mut t.acked);
            for (p, first, n) in acked {
                ctx.audit.on_aborted(self.index, p, first, n);
            }
        }
        self.load = None;
        let dropped = self.accumulator.drain_all();
        self.stats.records_failed += dropped.iter().map(|b| b.records.len() as u64).sum::<u64>();
        ctx.emit(EventKind::ProducerFenced {
            producer: self.index,
            error,
        });
    }

    /// The broker that coordinates this producer's transactions, from metadata.
    pub fn transaction_coordinator(&self, ctx: &Ctx<'_>) -> Option<BrokerId> {
        let t = self.txn.as_ref()?;
        ctx.cluster
            .coordinator_for(TRANSACTION_STATE, &t.transactional_id)
    }
}
