//! What a broker does with a request that reaches it (`KafkaApis`): produce, fetch (with the
//! fetch purgatory for long polls), InitProducerId, FindCoordinator, and group requests for the
//! group coordinator it hosts.

use super::{Due, Simulation};
use crate::cluster::{BrokerId, PartitionIdx, CONSUMER_OFFSETS};
use crate::coordinator::group::{GroupRequest, GroupResponse, Output};
use crate::producer::Acks;
use crate::protocol::{
    FetchRequest, FetchResponse, FetchedPartition, Message, Party, ProduceRequest, ProduceResponse,
};
use crate::sim::{ErrorCode, Millis};

/// A fetch parked until data arrives or `fetch.max.wait.ms` passes (`DelayedFetch`).
#[derive(Debug)]
pub(super) struct ParkedFetch {
    consumer: u32,
    broker: BrokerId,
    deadline: Millis,
    request: FetchRequest,
}

#[derive(Debug, Default)]
pub(super) struct Purgatory {
    parked: Vec<ParkedFetch>,
}

impl Purgatory {
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
                let coordinator = self
                    .cluster
                    .coordinator_for(CONSUMER_OFFSETS, &group)
                    .ok_or(ErrorCode::CoordinatorNotAvailable);
                self.send(
                    Party::Broker(broker),
                    from,
                    Message::GroupResponse(GroupResponse::FindCoordinator { group, coordinator }),
                );
            }
            Message::Group(req) => {
                let Party::Consumer(c) = from else { return };
                let mut out = Vec::new();
                self.groups.handle(self.now, c, req, &mut out);
                self.flush_group_outputs(out);
                self.reschedule_group_timer();
            }
            _ => {}
        }
    }

    /// Sends the coordinator's responses from its broker and records its events.
    pub(super) fn flush_group_outputs(&mut self, out: Vec<Output>) {
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
                        Party::Consumer(client),
                        Message::GroupResponse(response),
                    );
                }
            }
        }
    }

    fn handle_produce(&mut self, broker: BrokerId, from: Party, req: ProduceRequest) {
        let now = self.now;
        let mut results = Vec::with_capacity(req.batches.len());
        let mut appended: Vec<PartitionIdx> = Vec::new();
        for (p, batch_id, batch) in req.batches {
            let result = match self.cluster.partition_mut(p) {
                None => Err(ErrorCode::UnknownTopicOrPartition),
                Some(part) if part.leader != Some(broker) => Err(ErrorCode::NotLeaderOrFollower),
                Some(part) => {
                    let r = part.append_as_leader(batch, now);
                    if matches!(r, Ok(a) if !a.duplicate) && part.maybe_advance_high_watermark() {
                        appended.push(p);
                    }
                    r
                }
            };
            results.push((p, batch_id, result));
        }
        if req.acks != Acks::None {
            self.send(
                Party::Broker(broker),
                from,
                Message::ProduceResponse(ProduceResponse {
                    request_id: req.request_id,
                    results,
                }),
            );
        }
        if !appended.is_empty() && !self.purgatory.parked.is_empty() {
            self.try_complete_parked(&appended);
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
        for &(p, offset) in &req.partitions {
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
    fn try_complete_parked(&mut self, partitions: &[PartitionIdx]) {
        let parked = std::mem::take(&mut self.purgatory.parked);
        for p in parked {
            let relevant = p
                .request
                .partitions
                .iter()
                .any(|(q, _)| partitions.contains(q));
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

fn group_of(r: &GroupResponse) -> &str {
    match r {
        GroupResponse::FindCoordinator { group, .. }
        | GroupResponse::JoinGroup { group, .. }
        | GroupResponse::SyncGroup { group, .. }
        | GroupResponse::Heartbeat { group, .. }
        | GroupResponse::LeaveGroup { group, .. }
        | GroupResponse::OffsetCommit { group, .. }
        | GroupResponse::OffsetFetch { group, .. } => group,
    }
}
