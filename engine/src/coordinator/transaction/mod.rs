//! The transaction coordinator (KIP-98), as a state machine over typed requests.
//!
//! One `TxnMetadata` per `transactional.id`, living on the leader of its `__transaction_state`
//! partition. Inputs: `handle(now, client, request)` and `on_timer(now)`; outputs are data:
//! responses to clients, marker requests to partition leaders and group coordinators, events.
//! States and transitions follow `TransactionMetadata.scala`: Empty, Ongoing, PrepareCommit,
//! PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence, Dead.
//!
//! Simplifications: writes to `__transaction_state` are instant (no log, no replication of the
//! coordinator's state); a fenced or timed-out transaction is aborted with the bumped epoch in one
//! step (PrepareEpochFence is entered and left at once); transaction protocol v2 (KIP-890 part 2)
//! is not modelled, so the epoch only changes on InitProducerId and fencing.

mod state;

use crate::ground::small_map::SmallMap;

pub use state::{TxnMetadata, TxnState};

use crate::event::EventKind;
use crate::ground::PartitionIdx;
use crate::ground::{ErrorCode, Millis};
use crate::protocol::{TxnRequest, TxnResponse};

/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`.
pub const ABORT_CHECK_INTERVAL_MS: Millis = 10_000;
/// `transaction.max.timeout.ms`.
pub const MAX_TIMEOUT_MS: u64 = 900_000;

#[derive(Clone, Debug)]
pub enum TxnOutput {
    Respond {
        client: u32,
        response: TxnResponse,
    },
    /// Write COMMIT or ABORT markers for this transaction.
    WriteMarkers {
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        commit: bool,
        partitions: Vec<PartitionIdx>,
        groups: Vec<String>,
    },
    Event(EventKind),
}

#[derive(Clone, Debug, Default)]
pub struct TransactionCoordinator {
    txns: SmallMap<String, TxnMetadata>,
    next_check: Option<Millis>,
}

type Out = Vec<TxnOutput>;

fn respond(out: &mut Out, client: u32, response: TxnResponse) {
    out.push(TxnOutput::Respond { client, response });
}

impl TransactionCoordinator {
    pub fn txn(&self, id: &str) -> Option<&TxnMetadata> {
        self.txns.get(id)
    }

    pub fn txns(&self) -> impl Iterator<Item = &TxnMetadata> {
        self.txns.values()
    }

    /// When `on_timer` next has work: the periodic check for timed-out transactions, while any
    /// transaction is open.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.txns
            .values()
            .any(|t| t.state == TxnState::Ongoing)
            .then_some(self.next_check)
            .flatten()
    }

    fn transition(out: &mut Out, t: &mut TxnMetadata, to: TxnState, now: Millis) {
        if t.state == to {
            return;
        }
        out.push(TxnOutput::Event(EventKind::TxnStateChanged {
            transactional_id: t.transactional_id.clone(),
            producer_id: t.producer_id,
            epoch: t.epoch,
            from: t.state.as_str().into(),
            to: to.as_str().into(),
        }));
        t.state = to;
        t.last_update = now;
    }

    /// Checks a client's producer id and epoch against the coordinator's (`PRODUCER_FENCED` for
    /// an older epoch: a zombie).
    fn validate(t: &TxnMetadata, producer_id: i64, epoch: i16) -> Result<(), ErrorCode> {
        if producer_id != t.producer_id {
            return Err(ErrorCode::InvalidProducerIdMapping);
        }
        if epoch < t.epoch {
            return Err(ErrorCode::ProducerFenced);
        }
        if epoch > t.epoch {
            return Err(ErrorCode::InvalidProducerEpoch);
        }
        Ok(())
    }

    pub fn handle(
        &mut self,
        now: Millis,
        client: u32,
        req: TxnRequest,
        next_producer_id: &mut i64,
        out: &mut Out,
    ) {
        match req {
            TxnRequest::FindCoordinator { .. } => {}
            TxnRequest::InitProducerId {
                transactional_id,
                transaction_timeout_ms,
            } => {
                if transaction_timeout_ms == 0 || transaction_timeout_ms > MAX_TIMEOUT_MS {
                    return respond(
                        out,
                        client,
                        TxnResponse::InitProducerId {
                            result: Err(ErrorCode::InvalidTxnState),
                        },
                    );
                }
                let t = self
                    .txns
                    .entry(transactional_id.clone())
                    .or_insert_with(|| {
                        let pid = *next_producer_id;
                        *next_producer_id += 1;
                        TxnMetadata::new(transactional_id.clone(), pid, now)
                    });
                t.client = client;
                t.timeout_ms = transaction_timeout_ms;
                let result = match t.state {
                    TxnState::Ongoing => {
                        // A new incarnation while a transaction is open: fence the old one by
                        // bumping the epoch and abort what it left (the client retries).
                        Self::fence_and_abort(out, t, now);
                        Err(ErrorCode::ConcurrentTransactions)
                    }
                    TxnState::PrepareCommit
                    | TxnState::PrepareAbort
                    | TxnState::PrepareEpochFence => Err(ErrorCode::ConcurrentTransactions),
                    TxnState::Dead => Err(ErrorCode::InvalidTxnState),
                    TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort => {
                        if t.initialized {
                            t.epoch += 1;
                        }
                        t.initialized = true;
                        t.partitions.clear();
                        t.groups.clear();
                        Self::transition(out, t, TxnState::Empty, now);
                        Ok((t.producer_id, t.epoch))
                    }
                };
                respond(out, client, TxnResponse::InitProducerId { result });
            }
            TxnRequest::AddPartitionsToTxn {
                transactional_id,
                producer_id,
                epoch,
                partitions,
            } => {
                let error = self.add(now, &transactional_id, producer_id, epoch, out, |t| {
                    t.partitions.extend(partitions.iter().copied());
                });
                respond(
                    out,
                    client,
                    TxnResponse::AddPartitionsToTxn { partitions, error },
                );
            }
            TxnRequest::AddOffsetsToTxn {
                transactional_id,
                producer_id,
                epoch,
                group,
            } => {
                let g = group.clone();
                let error = self.add(now, &transactional_id, producer_id, epoch, out, |t| {
                    t.groups.insert(g);
                });
                respond(out, client, TxnResponse::AddOffsetsToTxn { group, error });
            }
            TxnRequest::EndTxn {
                transactional_id,
                producer_id,
                epoch,
                commit,
            } => {
                let error = match self.txns.get_mut(&transactional_id) {
                    None => Some(ErrorCode::InvalidProducerIdMapping),
                    Some(t) => match Self::validate(t, producer_id, epoch) {
                        Err(e) => Some(e),
                        Ok(()) => match (t.state, commit) {
                            (TxnState::Ongoing, _) => {
                                Self::prepare(out, t, commit, now);
                                None
                            }
                            // A retried EndTxn of a transaction that already ended that way.
                            (TxnState::PrepareCommit | TxnState::CompleteCommit, true)
                            | (TxnState::PrepareAbort | TxnState::CompleteAbort, false) => None,
                            // Nothing was added: an empty transaction ends at once.
                            (TxnState::Empty, _) => None,
                            _ => Some(ErrorCode::InvalidTxnState),
                        },
                    },
                };
                respond(out, client, TxnResponse::EndTxn { commit, error });
            }
        }
        if self.next_check.is_none() {
            self.next_check = Some(now + ABORT_CHECK_INTERVAL_MS);
        }
    }

    /// AddPartitionsToTxn / AddOffsetsToTxn: Empty or Complete* -> Ongoing; adds more while
    /// Ongoing; refused while a previous transaction's markers are being written.
    fn add(
        &mut self,
        now: Millis,
        id: &str,
        producer_id: i64,
        epoch: i16,
        out: &mut Out,
        f: impl FnOnce(&mut TxnMetadata),
    ) -> Option<ErrorCode> {
        let Some(t) = self.txns.get_mut(id) else {
            return Some(ErrorCode::InvalidProducerIdMapping);
        };
        if let Err(e) = Self::validate(t, producer_id, epoch) {
            return Some(e);
        }
        match t.state {
            TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort => {
                t.partitions.clear();
                t.groups.clear();
                t.start_ms = now;
                f(t);
                Self::transition(out, t, TxnState::Ongoing, now);
                None
            }
            TxnState::Ongoing => {
                f(t);
                None
            }
            TxnState::PrepareCommit | TxnState::PrepareAbort | TxnState::PrepareEpochFence => {
                Some(ErrorCode::ConcurrentTransactions)
            }
            TxnState::Dead => Some(ErrorCode::InvalidTxnState),
        }
    }

    /// PrepareCommit / PrepareAbort (the decision point), then markers to every partition and
    /// group of the transaction.
    fn prepare(out: &mut Out, t: &mut TxnMetadata, commit: bool, now: Millis) {
        let to = if commit {
            TxnState::PrepareCommit
        } else {
            TxnState::PrepareAbort
        };
        Self::transition(out, t, to, now);
        let partitions: Vec<PartitionIdx> = t.partitions.iter().copied().collect();
        let groups: Vec<String> = t.groups.iter().cloned().collect();
        t.pending_markers = partitions.len() + groups.len();
        if t.pending_markers == 0 {
            let done = if commit {
                TxnState::CompleteCommit
            } else {
                TxnState::CompleteAbort
            };
            Self::transition(out, t, done, now);
            return;
        }
        out.push(TxnOutput::WriteMarkers {
            transactional_id: t.transactional_id.clone(),
            producer_id: t.producer_id,
            epoch: t.epoch,
            commit,
            partitions,
            groups,
        });
    }

    /// Fencing: bump the epoch so that the old producer's requests are refused, and abort the
    /// open transaction with the new epoch.
    fn fence_and_abort(out: &mut Out, t: &mut TxnMetadata, now: Millis) {
        Self::transition(out, t, TxnState::PrepareEpochFence, now);
        t.epoch += 1;
        Self::prepare(out, t, false, now);
    }

    /// Markers were written for `written` partitions and groups of this transaction.
    pub fn on_markers_written(&mut self, now: Millis, id: &str, written: usize, out: &mut Out) {
        let Some(t) = self.txns.get_mut(id) else {
            return;
        };
        t.pending_markers = t.pending_markers.saturating_sub(written);
        if t.pending_markers == 0 {
            let done = match t.state {
                TxnState::PrepareCommit => TxnState::CompleteCommit,
                TxnState::PrepareAbort => TxnState::CompleteAbort,
                _ => return,
            };
            Self::transition(out, t, done, now);
        }
    }

    /// The periodic check: abort transactions open longer than their timeout, fencing their
    /// producer.
    pub fn on_timer(&mut self, now: Millis, available: &dyn Fn(&str) -> bool, out: &mut Out) {
        if self.next_check.is_some_and(|t| t > now) {
            return;
        }
        self.next_check = Some(now + ABORT_CHECK_INTERVAL_MS);
        for (_, t) in self.txns.iter_mut() {
            // A coordinator that is down aborts nothing; its successor will.
            if !available(&t.transactional_id) {
                continue;
            }
            if t.state == TxnState::Ongoing && now.saturating_sub(t.start_ms) > t.timeout_ms {
                out.push(TxnOutput::Event(EventKind::TransactionTimedOut {
                    transactional_id: t.transactional_id.clone(),
                    producer_id: t.producer_id,
                }));
                Self::fence_and_abort(out, t, now);
            }
        }
    }
}
