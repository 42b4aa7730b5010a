//! Fetching and handing out records (`Fetcher`, `FetchCollector`), positions and offset resets
//! (`SubscriptionState`), and commits.

use super::{Assigned, Consumer, DeliveredRecord, OffsetLookup, OffsetResetStrategy, Validation};
use crate::audit::ReadAt;
use crate::cluster::IsolationLevel;
use crate::event::EventKind;
use crate::ground::ErrorCode;
use crate::ground::{BrokerId, PartitionIdx};
use crate::log::Lineage;
use crate::party::Ctx;
use crate::protocol::GroupRequest;
use crate::protocol::{FetchPartition, FetchRequest, FetchResponse, Message, Party};

impl Consumer {
    /// The offset `auto.offset.reset` picks: log start (earliest) or the end offset the consumer
    /// can read to (latest: the high watermark, or the LSO with read_committed).
    pub(super) fn reset_offset(&self, ctx: &Ctx<'_>, p: PartitionIdx) -> Option<i64> {
        let part = ctx.cluster.partition(p)?;
        match self.config.auto_offset_reset {
            OffsetResetStrategy::Earliest => Some(part.log.log_start_offset()),
            OffsetResetStrategy::Latest => Some(match self.config.isolation_level {
                IsolationLevel::ReadUncommitted => part.high_watermark,
                IsolationLevel::ReadCommitted => part.last_stable_offset(),
            }),
            OffsetResetStrategy::None => None,
        }
    }

    pub(super) fn reset_position(&mut self, ctx: &mut Ctx<'_>, i: usize, reason: &str) {
        let p = self.assigned[i].partition;
        let offset = self.reset_offset(ctx, p);
        let a = &mut self.assigned[i];
        a.position = offset;
        a.buffered = None;
        a.offset_lookup = OffsetLookup::Done;
        a.offset_epoch = None;
        a.validation = Validation::Valid;
        ctx.emit(EventKind::OffsetReset {
            consumer: self.index,
            tp: a.tp.clone(),
            offset: offset.unwrap_or(-1),
            strategy: format!("{} ({reason})", self.config.auto_offset_reset.as_str()),
        });
    }

    /// Gives every new partition a position: the committed offset, or a reset.
    pub(super) fn update_positions(&mut self, ctx: &mut Ctx<'_>) {
        let in_group = self.config.group_id.is_some();
        let mut lookup = Vec::new();
        for i in 0..self.assigned.len() {
            let a = &self.assigned[i];
            if a.position.is_some() || a.offset_lookup != OffsetLookup::NeedsFetch {
                continue;
            }
            if in_group {
                lookup.push(a.partition);
                self.assigned[i].offset_lookup = OffsetLookup::InFlight;
            } else {
                self.reset_position(ctx, i, "no group to commit to");
            }
        }
        if !lookup.is_empty() {
            if let Some(coordinator) = self.coordinator(ctx) {
                let group = self.config.group_id.clone().expect("in group");
                ctx.send(
                    Party::Broker(coordinator),
                    Message::Group(GroupRequest::OffsetFetch {
                        group,
                        partitions: lookup,
                    }),
                );
            } else {
                for a in self.assigned.iter_mut() {
                    if a.offset_lookup == OffsetLookup::InFlight {
                        a.offset_lookup = OffsetLookup::NeedsFetch;
                    }
                }
            }
        }
    }

    pub(super) fn on_offset_fetch(
        &mut self,
        ctx: &mut Ctx<'_>,
        offsets: Vec<(PartitionIdx, Option<i64>, Option<i32>)>,
    ) {
        for (p, off, epoch) in offsets {
            let Some(i) = self.assigned.iter().position(|a| a.partition == p) else {
                continue;
            };
            if self.assigned[i].offset_lookup != OffsetLookup::InFlight {
                continue;
            }
            match off {
                Some(o) => {
                    let a = &mut self.assigned[i];
                    a.position = Some(o);
                    a.committed = Some(o);
                    // With its leader epoch, a committed offset is validated against the leader
                    // before the first fetch (`seekUnvalidated`, KIP-320): the log may have been
                    // truncated below it since.
                    a.offset_epoch = epoch;
                    a.leader_epoch = None;
                    a.validation = if epoch.is_some() {
                        Validation::Needed
                    } else {
                        Validation::Valid
                    };
                    a.offset_lookup = OffsetLookup::Done;
                }
                None => self.reset_position(ctx, i, "no committed offset"),
            }
        }
    }

    /// Hands out up to `max.poll.records` records from buffered fetches, partition by partition.
    pub(super) fn collect_records(&mut self, ctx: &mut Ctx<'_>) -> u32 {
        let mut remaining = self.config.max_poll_records;
        let count = self.assigned.len();
        if count == 0 {
            return 0;
        }
        let start = (self.stats.polls as usize) % count;
        for k in 0..count {
            if remaining == 0 {
                break;
            }
            let i = (start + k) % count;
            remaining -= self.drain_partition(ctx, i, remaining);
        }
        let n = self.config.max_poll_records - remaining;
        self.stats.records_consumed += n as u64;
        n
    }

    fn drain_partition(&mut self, ctx: &mut Ctx<'_>, i: usize, max: u32) -> u32 {
        let a = &mut self.assigned[i];
        let (Some(pos), Some((next, end)), true) = (a.position, a.buffered, a.fetchable()) else {
            return 0;
        };
        if next != pos {
            a.buffered = None;
            return 0;
        }
        let Some(part) = ctx.cluster.partition(a.partition) else {
            a.buffered = None;
            return 0;
        };
        if pos < part.log.log_start_offset() {
            // Retention deleted what was fetched before the application got to it: the
            // position is out of range now, and auto.offset.reset decides (the next fetch
            // would say OFFSET_OUT_OF_RANGE).
            self.reset_position(ctx, i, "offset out of range");
            return 0;
        }
        let read_committed = self.config.isolation_level == IsolationLevel::ReadCommitted;
        let mut position = pos;
        let mut taken = 0u32;
        // The epoch of the last batch passed over, for the position's offset epoch.
        let mut epoch = a.offset_epoch;
        for batch in part.log.batches_from(position) {
            if batch.base_offset >= end || taken == max {
                break;
            }
            epoch = Some(batch.partition_leader_epoch);
            if batch.control.is_some() {
                position = batch.next_offset();
                continue;
            }
            // read_committed drops the records of aborted transactions (the broker sends the
            // aborted transactions of the fetched range along with the data).
            if read_committed
                && batch.is_transactional
                && part.is_aborted(batch.producer_id, batch.base_offset)
            {
                position = batch.next_offset().min(end);
                continue;
            }
            let from = position.max(batch.base_offset);
            let upto = end.min(batch.next_offset());
            let n = ((upto - from) as u32).min(max - taken);
            if n == 0 {
                continue;
            }
            let first = (from - batch.base_offset) as usize;
            let records = &batch.records[first..first + n as usize];
            // One latency for the run, at its middle record's timestamp.
            let mid = records[records.len() / 2].timestamp(batch.first_timestamp);
            self.stats.latency.record(ctx.now, mid, n);
            if let Some(origin) = batch.origin {
                let derived = batch.typed.iter().any(|t| t.lineage.is_some());
                if derived || self.forward {
                    // Record by record: each has its own identity (its lineage, if derived).
                    for (i, r) in records.iter().enumerate() {
                        let delta = (first + i) as u32;
                        let typed = batch.typed.iter().find(|t| t.offset_delta == delta);
                        let lineage = typed.and_then(|t| t.lineage).unwrap_or(Lineage {
                            producer: origin.producer,
                            partition: a.partition,
                            record: origin.first_record + delta as u64,
                        });
                        ctx.audit.on_delivered(
                            self.audit_slot,
                            lineage.producer,
                            lineage.partition,
                            lineage.record,
                            std::slice::from_ref(r),
                            ReadAt {
                                partition: a.partition,
                                offset: from + i as i64,
                            },
                        );
                        if self.forward {
                            self.handoff.push(DeliveredRecord {
                                key: r.key,
                                value_len: r.value_len,
                                lineage,
                                from: a.partition,
                                offset: from + i as i64,
                                timestamp: r.timestamp(batch.first_timestamp),
                                value: typed.and_then(|t| t.value.clone()),
                            });
                        }
                    }
                } else {
                    ctx.audit.on_delivered(
                        self.audit_slot,
                        origin.producer,
                        a.partition,
                        origin.first_record + first as u64,
                        records,
                        ReadAt {
                            partition: a.partition,
                            offset: from,
                        },
                    );
                }
            }
            taken += n;
            position = from + n as i64;
        }
        // Past the data handed out, skip any control batches up to `end`.
        if taken < max {
            position = position.max(end.min(part.log.log_end_offset()));
        }
        if position > pos {
            a.offset_epoch = epoch;
        }
        a.position = Some(position);
        a.buffered = (position < end).then_some((position, end));
        taken
    }

    /// Sends a fetch to every leader of fetchable partitions that has none in flight.
    pub(super) fn send_fetches(&mut self, ctx: &mut Ctx<'_>) {
        let mut by_leader: Vec<(BrokerId, Vec<FetchPartition>)> = Vec::new();
        for a in self.assigned.iter().filter(|a| a.fetchable()) {
            let (Some(pos), None, Validation::Valid, Some(epoch)) =
                (a.position, a.buffered, a.validation, a.leader_epoch)
            else {
                continue;
            };
            let Some(leader) = ctx.cluster.available_leader(a.partition) else {
                continue;
            };
            if self.fetches_in_flight.iter().any(|(_, b)| *b == leader) {
                continue;
            }
            let fetch = FetchPartition {
                partition: a.partition,
                fetch_offset: pos,
                current_leader_epoch: epoch,
            };
            match by_leader.iter_mut().find(|(b, _)| *b == leader) {
                Some((_, v)) => v.push(fetch),
                None => by_leader.push((leader, vec![fetch])),
            }
        }
        for (broker, partitions) in by_leader {
            let id = self.next_request_id;
            self.next_request_id += 1;
            self.fetches_in_flight.push((id, broker));
            self.stats.fetch_requests += 1;
            ctx.emit(EventKind::FetchRequest {
                consumer: self.index,
                broker,
                request_id: id,
                partitions: partitions.len() as u32,
            });
            ctx.send(
                Party::Broker(broker),
                Message::Fetch(FetchRequest {
                    request_id: id,
                    partitions,
                    max_wait_ms: self.config.fetch_max_wait_ms,
                    min_bytes: self.config.fetch_min_bytes,
                    max_bytes: self.config.fetch_max_bytes,
                    max_partition_bytes: self.config.max_partition_fetch_bytes,
                    isolation: self.config.isolation_level,
                }),
            );
        }
    }

    pub(super) fn on_fetch_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: BrokerId,
        resp: FetchResponse,
    ) {
        self.fetches_in_flight
            .retain(|(id, _)| *id != resp.request_id);
        let mut records = 0u64;
        let mut bytes = 0u64;
        for fp in resp.partitions {
            let Some(i) = self
                .assigned
                .iter()
                .position(|a| a.partition == fp.partition)
            else {
                continue;
            };
            if self.assigned[i].position != Some(fp.fetch_offset) {
                continue; // the position moved meanwhile (seek, reset, revocation)
            }
            match fp.error {
                Some(ErrorCode::OffsetOutOfRange) => {
                    self.reset_position(ctx, i, "offset out of range");
                }
                Some(_) => {}
                None => {
                    if fp.end_offset > fp.fetch_offset {
                        records += (fp.end_offset - fp.fetch_offset) as u64;
                        bytes += fp.bytes as u64;
                        self.assigned[i].buffered = Some((fp.fetch_offset, fp.end_offset));
                    }
                }
            }
        }
        ctx.emit(EventKind::FetchResponse {
            consumer: self.index,
            broker: from,
            request_id: resp.request_id,
            records,
            bytes,
        });
    }

    /// Commits the current positions (`commitAsync` of `allConsumed()`).
    pub(super) fn commit_positions(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let Some(group) = self.config.group_id.clone() else {
            return false;
        };
        let offsets: Vec<(PartitionIdx, i64, Option<i32>)> = self
            .assigned
            .iter()
            .filter_map(|a| a.position.map(|p| (a.partition, p, a.offset_epoch)))
            .collect();
        if offsets.is_empty() {
            return false;
        }
        let (member_id, generation) = match &self.membership {
            Some(m) if m.is_joined() => (m.member_id.clone(), m.generation),
            Some(_) => return false,
            None => (String::new(), -1),
        };
        let Some(coordinator) = self.coordinator(ctx) else {
            return false;
        };
        self.stats.commits += 1;
        ctx.send(
            Party::Broker(coordinator),
            Message::Group(GroupRequest::OffsetCommit {
                group,
                member_id,
                generation,
                offsets,
            }),
        );
        true
    }

    pub(super) fn on_commit_response(
        &mut self,
        offsets: &[(PartitionIdx, i64)],
        error: Option<ErrorCode>,
    ) {
        if error.is_some() {
            return;
        }
        for &(p, o) in offsets {
            if let Some(a) = self.assigned.iter_mut().find(|a| a.partition == p) {
                a.committed = Some(o);
            }
        }
    }

    /// The group coordinator: found by FindCoordinator in group mode, from metadata otherwise.
    pub(super) fn coordinator(&self, ctx: &Ctx<'_>) -> Option<BrokerId> {
        match &self.membership {
            Some(m) => m.coordinator,
            None => {
                let group = self.config.group_id.as_deref()?;
                ctx.cluster
                    .coordinator_for(crate::cluster::CONSUMER_OFFSETS, group)
            }
        }
    }

    /// Sets the assignment from (topic, partition) names, keeping state of partitions kept.
    pub(super) fn set_assignment(&mut self, ctx: &Ctx<'_>, tps: &[(String, u32)]) {
        let mut next: Vec<Assigned> = Vec::new();
        for (topic, p) in tps {
            let Some(idx) = ctx
                .cluster
                .topic_id(topic)
                .and_then(|t| ctx.cluster.partition_idx(t, *p))
            else {
                continue;
            };
            if let Some(old) = self.assigned.iter().find(|a| a.partition == idx) {
                next.push(old.clone());
            } else {
                next.push(Assigned {
                    partition: idx,
                    tp: ctx.cluster.tp(idx),
                    position: None,
                    offset_lookup: OffsetLookup::NeedsFetch,
                    buffered: None,
                    committed: None,
                    leader_epoch: None,
                    offset_epoch: None,
                    validation: Validation::Valid,
                    paused: false,
                    pending_revocation: false,
                });
            }
        }
        crate::ground::sort::sort_by_key(&mut next, |a| a.partition);
        next.dedup_by_key(|a| a.partition);
        self.assigned = next;
    }
}
