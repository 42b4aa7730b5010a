//! Replication between brokers, as `ReplicaFetcherThread`, `Partition.fetchRecords`,
//! `DelayedProduce` and `ReplicaManager.maybeShrinkIsr` do it: every follower keeps one fetch in
//! flight to each leader it follows, carrying all the partitions it follows there; the leader
//! notes the follower's log end offset, moves the high watermark to the smallest LEO of the ISR
//! and holds the fetch (`replica.fetch.wait.max.ms`) when it has nothing new. An acks=all produce
//! request is answered once the high watermark passes its batches. Every
//! `replica.lag.time.max.ms / 2` the leaders drop followers that have not caught up for longer
//! than `replica.lag.time.max.ms` from the ISR.
//!
//! Simplification: partitions of the internal topics hold no records (the coordinators keep
//! their state in memory), so they are never fetched; only their leaders move.

use super::{Due, Simulation};
use crate::cluster::Appended;
use crate::cluster::ReplicaFetchResult;
use crate::event::EventKind;
use crate::ground::{BrokerId, PartitionIdx};
use crate::ground::{ErrorCode, Millis};
use crate::protocol::{
    Message, Party, ProduceResponse, ReplicaFetchPartition, ReplicaFetchRequest,
    ReplicaFetchResponse, ReplicaFetchedPartition, WriteTxnMarkers,
};

/// A follower fetch the leader holds until data arrives or `replica.fetch.wait.max.ms` passes.
#[derive(Clone, Debug)]
struct ParkedReplicaFetch {
    leader: BrokerId,
    deadline: Millis,
    request: ReplicaFetchRequest,
}

/// An acks=all produce request waiting for the ISR (`DelayedProduce`).
#[derive(Clone, Debug)]
pub(super) struct DelayedProduce {
    pub producer: Party,
    pub broker: BrokerId,
    pub deadline: Millis,
    pub request_id: u64,
    pub results: Vec<(PartitionIdx, u64, Result<Appended, ErrorCode>)>,
    /// (index into `results`, offset the high watermark must reach).
    pub waiting: Vec<(usize, i64)>,
}

/// A transaction marker a leader appended, counted as written only once the high watermark
/// passes it: the coordinator writes markers with acks=all (`KafkaApis`
/// handleWriteTxnMarkersRequest, `requiredAcks = -1`). If the leader changes first, the marker is
/// written again at the new leader.
#[derive(Clone, Debug)]
pub(super) struct DelayedMarker {
    /// The leader that appended it.
    pub broker: BrokerId,
    /// The transaction coordinator's broker, which gets the confirmation.
    pub coordinator: Party,
    /// The request for this one partition.
    pub marker: WriteTxnMarkers,
    pub partition: PartitionIdx,
    /// The high watermark that makes it count: one past the marker.
    pub required: i64,
}

type Pair = (BrokerId, BrokerId);

/// The replication state the brokers keep besides their logs.
#[derive(Clone, Debug, Default)]
pub(super) struct Replication {
    /// (follower, leader, request id) of each fetch in flight.
    in_flight: Vec<(BrokerId, BrokerId, u64)>,
    next_request_id: u64,
    /// Fetchers backing off after a failed fetch, until the given time.
    backoff: Vec<(Pair, Millis)>,
    parked: Vec<ParkedReplicaFetch>,
    pub delayed: Vec<DelayedProduce>,
    /// Which partitions each (follower, leader) pair replicates; rebuilt after any change of
    /// topics, leaders or brokers.
    plan: Option<Vec<(Pair, Vec<PartitionIdx>)>>,
    next_isr_check: Option<Millis>,
    /// Brokers the controller has not fenced yet (killed, or slowed past
    /// `broker.session.timeout.ms`), and when it will.
    pub pending_fence: Vec<(BrokerId, Millis)>,
    /// Fenced brokers that still run, and when their heartbeats and metadata catch up so that
    /// the controller unfences them.
    pub pending_unfence: Vec<(BrokerId, Millis)>,
    /// Brokers slowed down, with the extra one-way delay of every message to or from them.
    pub slow: Vec<(BrokerId, u64)>,
    /// Marker requests waiting for their partitions (or groups) to have a live leader, with the
    /// transaction coordinator that sends them.
    pub pending_markers: Vec<(Party, WriteTxnMarkers)>,
    /// Markers appended but not yet replicated.
    pub delayed_markers: Vec<DelayedMarker>,
    timer_at: Option<Millis>,
}

impl Replication {
    pub fn next_deadline(&self) -> Option<Millis> {
        let a = self.backoff.iter().map(|(_, t)| *t);
        let b = self.parked.iter().map(|p| p.deadline);
        let c = self.delayed.iter().map(|d| d.deadline);
        let d = self.pending_fence.iter().map(|(_, t)| *t);
        let e = self.pending_unfence.iter().map(|(_, t)| *t);
        a.chain(b)
            .chain(c)
            .chain(d)
            .chain(e)
            .chain(self.next_isr_check)
            .min()
    }

    /// Topics, leaders or brokers changed: recompute who fetches what.
    pub fn invalidate(&mut self) {
        self.plan = None;
    }

    pub fn slow_delay(&self, broker: BrokerId) -> u64 {
        self.slow
            .iter()
            .find(|(b, _)| *b == broker)
            .map_or(0, |(_, d)| *d)
    }

    /// A broker died: its fetches in flight, the fetches it held and its fetchers' back-offs
    /// are gone. Returns the delayed produce requests it held (their clients see the
    /// connection close).
    pub fn forget_broker(&mut self, broker: BrokerId) -> Vec<DelayedProduce> {
        self.in_flight
            .retain(|&(f, l, _)| f != broker && l != broker);
        self.backoff
            .retain(|&((f, l), _)| f != broker && l != broker);
        self.parked
            .retain(|p| p.leader != broker && p.request.follower != broker);
        let (gone, kept) = std::mem::take(&mut self.delayed)
            .into_iter()
            .partition(|d| d.broker == broker);
        self.delayed = kept;
        self.invalidate();
        gone
    }
}

impl Simulation {
    pub(super) fn reschedule_replication(&mut self) {
        if let Some(t) = self.replication.next_deadline() {
            let t = t.max(self.now);
            if self.replication.timer_at.is_none_or(|s| t < s) {
                self.replication.timer_at = Some(t);
                self.queue.push(t, Due::ReplicationTimer);
            }
        }
    }

    pub(super) fn on_replication_timer(&mut self, at: Millis) {
        if self.replication.timer_at != Some(at) {
            return;
        }
        self.replication.timer_at = None;
        let now = self.now;
        let due: Vec<BrokerId> = self
            .replication
            .pending_fence
            .iter()
            .filter(|(_, t)| *t <= now)
            .map(|(b, _)| *b)
            .collect();
        for b in due {
            self.fence_broker(b);
        }
        let back: Vec<BrokerId> = self
            .replication
            .pending_unfence
            .iter()
            .filter(|(_, t)| *t <= now)
            .map(|(b, _)| *b)
            .collect();
        for b in back {
            self.unfence_broker(b);
        }
        self.expire_parked_replica_fetches();
        self.expire_delayed_produces();
        let before = self.replication.backoff.len();
        self.replication.backoff.retain(|(_, t)| *t > now);
        if self.replication.next_isr_check.is_some_and(|t| t <= now) {
            self.replication.next_isr_check = None;
            self.check_isr();
        }
        if self.replication.backoff.len() != before {
            self.kick_replica_fetchers();
        }
        self.reschedule_replication();
    }

    /// Builds the fetch plan if needed: (follower, leader) -> partitions it replicates from it.
    fn fetch_plan(&mut self) -> &[(Pair, Vec<PartitionIdx>)] {
        if self.replication.plan.is_none() {
            let mut plan: Vec<(Pair, Vec<PartitionIdx>)> = Vec::new();
            let mut replicated = false;
            for part in self.cluster.partitions() {
                if part.internal || part.followers.is_empty() {
                    continue;
                }
                replicated = true;
                let Some(l) = part.leader else { continue };
                if !self.cluster.broker_alive(l) {
                    continue;
                }
                for r in &part.followers {
                    if !self.cluster.broker_alive(r.broker) {
                        continue;
                    }
                    let pair = (r.broker, l);
                    match plan.iter_mut().find(|(q, _)| *q == pair) {
                        Some((_, v)) => v.push(part.idx),
                        None => plan.push((pair, vec![part.idx])),
                    }
                }
            }
            if replicated && self.replication.next_isr_check.is_none() {
                self.replication.next_isr_check =
                    Some(self.now + self.cluster.config.replica_lag_time_max_ms / 2);
            }
            self.replication.plan = Some(plan);
        }
        self.replication.plan.as_deref().unwrap_or(&[])
    }

    /// Sends a fetch for every (follower, leader) pair that has none in flight.
    pub(super) fn kick_replica_fetchers(&mut self) {
        let plan = self.fetch_plan().to_vec();
        for ((f, l), partitions) in plan {
            let busy = self
                .replication
                .in_flight
                .iter()
                .any(|&(a, b, _)| (a, b) == (f, l))
                || self.replication.backoff.iter().any(|&(p, _)| p == (f, l));
            if !busy {
                self.send_replica_fetch(f, l, &partitions);
            }
        }
        self.reschedule_replication();
    }

    fn send_replica_fetch(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        partitions: &[PartitionIdx],
    ) {
        let mut wanted = Vec::with_capacity(partitions.len());
        for &p in partitions {
            let Some(part) = self.cluster.partition(p) else {
                continue;
            };
            let Some((fetch_offset, last_fetched_epoch)) = part.follower_position(follower) else {
                continue;
            };
            wanted.push(ReplicaFetchPartition {
                partition: p,
                leader_epoch: part.leader_epoch,
                fetch_offset,
                last_fetched_epoch,
            });
        }
        if wanted.is_empty() {
            return;
        }
        let id = self.replication.next_request_id;
        self.replication.next_request_id += 1;
        self.replication.in_flight.push((follower, leader, id));
        self.send(
            Party::Broker(follower),
            Party::Broker(leader),
            Message::ReplicaFetch(ReplicaFetchRequest {
                request_id: id,
                follower,
                partitions: wanted,
            }),
        );
    }

    /// The leader reads what a follower fetch returns now; `None` if nothing and it may wait.
    fn read_replica_fetch(
        &mut self,
        leader: BrokerId,
        req: &ReplicaFetchRequest,
        may_wait: bool,
    ) -> Option<ReplicaFetchResponse> {
        let now = self.now;
        let max_bytes = self.cluster.config.replica_fetch_max_bytes;
        let eligible = self.cluster.broker_eligible(req.follower);
        let mut out = Vec::with_capacity(req.partitions.len());
        let mut any = false;
        let mut hw_moved = Vec::new();
        let mut events = Vec::new();
        for rp in &req.partitions {
            let Some(part) = self.cluster.partition_mut(rp.partition) else {
                any = true;
                out.push(fetched(rp, Err(ErrorCode::UnknownTopicOrPartition), -1));
                continue;
            };
            if part.leader != Some(leader) {
                any = true;
                out.push(fetched(rp, Err(ErrorCode::NotLeaderOrFollower), -1));
                continue;
            }
            if rp.leader_epoch != part.leader_epoch {
                any = true;
                out.push(fetched(rp, Err(ErrorCode::FencedLeaderEpoch), -1));
                continue;
            }
            let (result, effects) = part.serve_replica_fetch(
                req.follower,
                rp.fetch_offset,
                rp.last_fetched_epoch,
                max_bytes,
                now,
                eligible,
            );
            if effects.high_watermark_moved {
                hw_moved.push(rp.partition);
            }
            if effects.joined_isr {
                events.push((rp.partition, part.isr.clone()));
            }
            any |= !matches!(&result, ReplicaFetchResult::Batches(b) if b.is_empty());
            let hw = part.high_watermark;
            out.push(fetched(rp, Ok(result), hw));
        }
        for (p, isr) in events {
            let tp = self.cluster.tp(p);
            self.emit(EventKind::IsrExpanded {
                tp,
                added: req.follower,
                isr,
            });
        }
        if !hw_moved.is_empty() {
            self.on_high_watermark_moved(&hw_moved);
        }
        if !any && may_wait {
            return None;
        }
        Some(ReplicaFetchResponse {
            request_id: req.request_id,
            partitions: out,
        })
    }

    pub(super) fn handle_replica_fetch(&mut self, leader: BrokerId, req: ReplicaFetchRequest) {
        match self.read_replica_fetch(leader, &req, true) {
            Some(resp) => self.send(
                Party::Broker(leader),
                Party::Broker(req.follower),
                Message::ReplicaFetchResponse(resp),
            ),
            None => {
                let deadline = self.now + self.cluster.config.replica_fetch_wait_max_ms;
                self.replication.parked.push(ParkedReplicaFetch {
                    leader,
                    deadline,
                    request: req,
                });
                self.reschedule_replication();
            }
        }
    }

    /// New data in `partitions`: answer held follower fetches that now have something.
    pub(super) fn complete_parked_replica_fetches(&mut self, partitions: &[PartitionIdx]) {
        if self.replication.parked.is_empty() {
            return;
        }
        let parked = std::mem::take(&mut self.replication.parked);
        for p in parked {
            let relevant = p
                .request
                .partitions
                .iter()
                .any(|rp| partitions.contains(&rp.partition));
            let resp = if relevant {
                self.read_replica_fetch(p.leader, &p.request, true)
            } else {
                None
            };
            match resp {
                Some(resp) => self.send(
                    Party::Broker(p.leader),
                    Party::Broker(p.request.follower),
                    Message::ReplicaFetchResponse(resp),
                ),
                None => self.replication.parked.push(p),
            }
        }
    }

    fn expire_parked_replica_fetches(&mut self) {
        let now = self.now;
        if !self.replication.parked.iter().any(|p| p.deadline <= now) {
            return;
        }
        let parked = std::mem::take(&mut self.replication.parked);
        for p in parked {
            if p.deadline > now {
                self.replication.parked.push(p);
                continue;
            }
            if let Some(resp) = self.read_replica_fetch(p.leader, &p.request, false) {
                self.send(
                    Party::Broker(p.leader),
                    Party::Broker(p.request.follower),
                    Message::ReplicaFetchResponse(resp),
                );
            }
        }
    }

    /// A follower applies its leader's answer and fetches again.
    pub(super) fn on_replica_fetch_response(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        resp: ReplicaFetchResponse,
    ) {
        let Some(i) = self
            .replication
            .in_flight
            .iter()
            .position(|&x| x == (follower, leader, resp.request_id))
        else {
            return; // an answer to a fetch from before a restart
        };
        self.replication.in_flight.swap_remove(i);
        let now = self.now;
        let mut failed = false;
        for fp in resp.partitions {
            let Some(part) = self.cluster.partition_mut(fp.partition) else {
                continue;
            };
            if part.leader != Some(leader) || part.leader_epoch != fp.leader_epoch {
                continue; // leadership moved meanwhile
            }
            match fp.result {
                Ok(result) => {
                    let truncate = match &result {
                        ReplicaFetchResult::Diverging { truncate_to } => Some(*truncate_to),
                        _ => None,
                    };
                    part.follower_apply(follower, result, fp.high_watermark, now);
                    if let Some(to) = truncate {
                        let to = part
                            .follower(follower)
                            .map_or(to, |r| r.log.log_end_offset());
                        let tp = self.cluster.tp(fp.partition);
                        self.emit(EventKind::FollowerTruncated {
                            tp,
                            broker: follower,
                            to,
                        });
                    }
                }
                Err(ErrorCode::NetworkException) => failed = true,
                Err(_) => {}
            }
        }
        if failed {
            let until = now + self.cluster.config.replica_fetch_backoff_ms;
            self.replication.backoff.push(((follower, leader), until));
            self.reschedule_replication();
            return;
        }
        let partitions = self
            .fetch_plan()
            .iter()
            .find(|(pair, _)| *pair == (follower, leader))
            .map(|(_, v)| v.clone());
        if let Some(partitions) = partitions {
            self.send_replica_fetch(follower, leader, &partitions);
        }
    }

    /// The high watermark of these partitions moved: consumers and acks=all producers waiting
    /// on them may be answered.
    pub(super) fn on_high_watermark_moved(&mut self, partitions: &[PartitionIdx]) {
        if !self.replication.delayed.is_empty() {
            self.complete_delayed_produces(Some(partitions));
        }
        if !self.replication.delayed_markers.is_empty() {
            self.complete_delayed_markers();
        }
        if !self.purgatory.is_empty() {
            self.try_complete_parked(partitions);
        }
    }

    /// Confirms markers the high watermark passed to their coordinator, and sends those whose
    /// leader changed (or died) to the current leader again.
    pub(super) fn complete_delayed_markers(&mut self) {
        let delayed = std::mem::take(&mut self.replication.delayed_markers);
        for d in delayed {
            let (moved, replicated) = match self.cluster.partition(d.partition) {
                None => (false, true),
                Some(part) => (
                    part.leader != Some(d.broker) || !self.cluster.broker_alive(d.broker),
                    part.high_watermark >= d.required,
                ),
            };
            if moved {
                // NOT_LEADER_OR_FOLLOWER: the coordinator retries at the current leader.
                self.route_markers(d.coordinator, d.marker);
            } else if replicated {
                self.send(
                    Party::Broker(d.broker),
                    d.coordinator,
                    Message::WriteTxnMarkersResponse {
                        transactional_id: d.marker.transactional_id,
                        written: 1,
                    },
                );
            } else {
                self.replication.delayed_markers.push(d);
            }
        }
    }

    /// Answers delayed produce requests whose batches the high watermark passed (or whose
    /// partition lost its leadership). `None` checks them all.
    pub(super) fn complete_delayed_produces(&mut self, partitions: Option<&[PartitionIdx]>) {
        let delayed = std::mem::take(&mut self.replication.delayed);
        for mut d in delayed {
            let cluster = &self.cluster;
            d.waiting.retain(|&(i, required)| {
                let p = d.results[i].0;
                if partitions.is_some_and(|ps| !ps.contains(&p)) {
                    return true;
                }
                let verdict = match cluster.partition(p) {
                    None => Some(Err(ErrorCode::UnknownTopicOrPartition)),
                    Some(part) if part.leader != Some(d.broker) => {
                        Some(Err(ErrorCode::NotLeaderOrFollower))
                    }
                    Some(part) if part.high_watermark >= required => {
                        // `DelayedProduce`: the data is replicated, but the ISR shrank under its
                        // minimum meanwhile (a narrow race now that the high watermark stops).
                        part.is_under_min_isr()
                            .then_some(Err(ErrorCode::NotEnoughReplicasAfterAppend))
                            .or(Some(Ok(())))
                    }
                    Some(_) => None,
                };
                match verdict {
                    None => true,
                    Some(Ok(())) => false,
                    Some(Err(e)) => {
                        d.results[i].2 = Err(e);
                        false
                    }
                }
            });
            if d.waiting.is_empty() {
                self.answer_delayed(d);
            } else {
                self.replication.delayed.push(d);
            }
        }
    }

    /// Sends a delayed produce request's response, as it stands.
    pub(super) fn answer_delayed(&mut self, d: DelayedProduce) {
        self.send(
            Party::Broker(d.broker),
            d.producer,
            Message::ProduceResponse(ProduceResponse {
                request_id: d.request_id,
                results: d.results,
            }),
        );
    }

    fn expire_delayed_produces(&mut self) {
        let now = self.now;
        if !self.replication.delayed.iter().any(|d| d.deadline <= now) {
            return;
        }
        let delayed = std::mem::take(&mut self.replication.delayed);
        for mut d in delayed {
            if d.deadline > now {
                self.replication.delayed.push(d);
                continue;
            }
            for &(i, _) in &d.waiting {
                d.results[i].2 = Err(ErrorCode::RequestTimedOut);
            }
            self.answer_delayed(d);
        }
    }

    /// `maybeShrinkIsr` on every leader, then schedules the next check.
    fn check_isr(&mut self) {
        let now = self.now;
        let lag_max = self.cluster.config.replica_lag_time_max_ms;
        let mut moved = Vec::new();
        let mut events = Vec::new();
        let mut replicated = false;
        for part in self.cluster.partitions_mut() {
            if part.internal || part.followers.is_empty() {
                continue;
            }
            replicated = true;
            if part.leader.is_none() {
                continue;
            }
            let out = part.out_of_sync_replicas(now, lag_max);
            if out.is_empty() {
                continue;
            }
            if part.shrink_isr(&out) {
                moved.push(part.idx);
            }
            let under = part
                .is_under_min_isr()
                .then_some(part.effective_min_isr() as u32);
            events.push((part.idx, out, part.isr.clone(), under));
        }
        for (p, removed, isr, under_min_isr) in events {
            let tp = self.cluster.tp(p);
            self.emit(EventKind::IsrShrunk {
                tp,
                removed,
                isr,
                lagging: true,
                under_min_isr,
            });
        }
        if !moved.is_empty() {
            self.on_high_watermark_moved(&moved);
        }
        if !self.replication.delayed.is_empty() {
            // A smaller ISR may now be below min.insync.replicas for waiting requests.
            self.complete_delayed_produces(None);
        }
        if replicated {
            self.replication.next_isr_check = Some(now + lag_max / 2);
        }
    }
}

fn fetched(
    rp: &ReplicaFetchPartition,
    result: Result<ReplicaFetchResult, ErrorCode>,
    high_watermark: i64,
) -> ReplicaFetchedPartition {
    ReplicaFetchedPartition {
        partition: rp.partition,
        leader_epoch: rp.leader_epoch,
        result,
        high_watermark,
    }
}
