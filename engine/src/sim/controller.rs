//! Brokers dying and coming back, and the controller's answer (KRaft's
//! `ReplicationControlManager`): a killed broker's connections reset at once, but the controller
//! only notices when its heartbeats stop for `broker.session.timeout.ms`. It then fences the
//! broker: drops it from every ISR and elects new leaders for the partitions it led, the first
//! live replica of the ISR in assignment order (`offlinePartitionLeaderElection`). With no live
//! ISR member the partition goes offline, unless `unclean.leader.election.enable` lets any live
//! replica lead, and whatever the old leader had beyond the new leader's log is gone. A restarted
//! broker keeps its log on disk, becomes a follower everywhere (leading only partitions that
//! were offline waiting for it), truncates where its log diverged and catches up.
//!
//! Coordinators move with the leaders of their internal partitions: the group and transaction
//! coordinators hosted by a dead broker stop (their timers freeze) until the new leader loads
//! them, which gives every member a fresh session.

use super::replication::DelayedProduce;
use super::{Due, Simulation};
use crate::action::Applied;
use crate::cluster::{CONSUMER_OFFSETS, TRANSACTION_STATE};
use crate::event::EventKind;
use crate::ground::{ActionError, ErrorCode};
use crate::ground::{BrokerId, PartitionIdx};
use crate::party::Ctx;
use crate::protocol::{
    Envelope, EpochEndOffset, FetchResponse, FetchedPartition, Message,
    OffsetsForLeaderEpochResponse, Party, ProduceResponse, ReplicaFetchResponse,
    ReplicaFetchedPartition,
};

/// Longest extra delay a slowed broker may get.
pub const MAX_SLOW_MS: u64 = 600_000;

/// `broker.heartbeat.interval.ms` (Kafka's default): how often a broker heartbeats to the
/// controller. A broker whose messages are delayed by more than `broker.session.timeout.ms`
/// minus this is fenced: the gap between two heartbeats reaching the controller exceeds the
/// session once.
pub const BROKER_HEARTBEAT_INTERVAL_MS: u64 = 2_000;

impl Simulation {
    fn validate_broker(&self, broker: BrokerId) -> Result<(), ActionError> {
        if self.cluster.broker(broker).is_none() {
            let n = self.cluster.brokers.len();
            return Err(ActionError::InvalidState(format!(
                "There is no broker {broker}; the brokers are 1 to {n}."
            )));
        }
        Ok(())
    }

    /// Whether the controller still counts the broker in: alive and unfenced, or not fenced
    /// yet (dead or late, but its session has not run out).
    fn registered(&self, broker: BrokerId) -> bool {
        self.cluster.broker_eligible(broker)
            || self
                .replication
                .pending_fence
                .iter()
                .any(|(b, _)| *b == broker)
    }

    /// Kills a broker's process: connections to it reset, what it held is lost.
    pub(super) fn kill_broker(&mut self, broker: BrokerId) -> Result<Applied, ActionError> {
        self.validate_broker(broker)?;
        if !self.cluster.broker_alive(broker) {
            return Err(ActionError::InvalidState(format!(
                "Broker {broker} is already down."
            )));
        }
        let now = self.now;
        let timeout = self.cluster.config.broker_session_timeout_ms;
        if let Some(b) = self.cluster.brokers.iter_mut().find(|b| b.id == broker) {
            b.alive = false;
        }
        self.emit(EventKind::BrokerKilled { broker });
        self.replication.pending_fence.push((broker, now + timeout));
        // Requests it was holding fail on the client side as the connections reset.
        for d in self.replication.forget_broker(broker) {
            self.fail_delayed(d);
        }
        self.reset_producer_connections(broker);
        for (consumer, request) in self.purgatory.take_broker(broker) {
            let resp = disconnected_fetch(&request);
            self.send(
                Party::Broker(broker),
                Party::Consumer(consumer),
                Message::FetchResponse(resp),
            );
        }
        self.kick_replica_fetchers();
        self.reschedule_replication();
        self.nudge_clients();
        Ok(Applied {
            summary: format!(
                "Killed broker {broker}; the controller fences it in {timeout} ms (broker.session.timeout.ms)."
            ),
            partition: None,
        })
    }

    /// Every producer's connection to a broker that died resets: what it had in flight there
    /// fails with NETWORK_EXCEPTION now, not at its request timeout, including requests whose
    /// response was lost (the client still waits for them). Responses already on their way
    /// left the broker before it died and still arrive.
    fn reset_producer_connections(&mut self, broker: BrokerId) {
        let on_the_wire: Vec<(u32, u64)> = self
            .queue
            .iter()
            .filter_map(|due| match due {
                Due::Deliver(Envelope {
                    from: Party::Broker(b),
                    to: Party::Producer(p),
                    message: Message::ProduceResponse(r),
                    ..
                }) if *b == broker => Some((*p, r.request_id)),
                _ => None,
            })
            .collect();
        for i in 0..self.producers.len() as u32 {
            let Some(Some(p)) = self.producers.get_mut(i as usize) else {
                continue;
            };
            let mut ctx = Ctx::new(
                self.now,
                &self.cluster,
                &self.keys,
                &mut self.audit,
                &mut self.outbox,
            );
            let answered: Vec<u64> = on_the_wire
                .iter()
                .filter(|(p, _)| *p == i)
                .map(|(_, id)| *id)
                .collect();
            p.close_connection(&mut ctx, broker, ErrorCode::NetworkException, &answered);
            self.flush_outbox(Party::Producer(i));
            self.reschedule(Party::Producer(i));
        }
    }

    fn fail_delayed(&mut self, mut d: DelayedProduce) {
        for r in d.results.iter_mut() {
            r.2 = Err(ErrorCode::NetworkException);
        }
        self.answer_delayed(d);
    }

    /// Starts a dead broker again with the log it had.
    pub(super) fn restart_broker(&mut self, broker: BrokerId) -> Result<Applied, ActionError> {
        self.validate_broker(broker)?;
        if self.cluster.broker_alive(broker) {
            return Err(ActionError::InvalidState(format!(
                "Broker {broker} is already running."
            )));
        }
        // A new incarnation registering fences the old one at once.
        if self
            .replication
            .pending_fence
            .iter()
            .any(|(b, _)| *b == broker)
        {
            self.fence_broker(broker);
        }
        if let Some(b) = self.cluster.brokers.iter_mut().find(|b| b.id == broker) {
            b.alive = true;
            b.fenced = false;
        }
        self.replication
            .pending_unfence
            .retain(|(b, _)| *b != broker);
        self.emit(EventKind::BrokerRestarted { broker });
        self.lead_offline_partitions(broker);
        Ok(Applied {
            summary: format!(
                "Restarted broker {broker}: it rejoins as a follower, truncates where it diverged and catches up."
            ),
            partition: None,
        })
    }

    /// Adds `delay_ms` to every message to or from the broker (0 restores it).
    pub(super) fn slow_broker(
        &mut self,
        broker: BrokerId,
        delay_ms: u64,
    ) -> Result<Applied, ActionError> {
        self.validate_broker(broker)?;
        if delay_ms > MAX_SLOW_MS {
            return Err(ActionError::InvalidConfig(format!(
                "A broker can be slowed by at most {MAX_SLOW_MS} ms."
            )));
        }
        self.replication.slow.retain(|(b, _)| *b != broker);
        if delay_ms > 0 {
            self.replication.slow.push((broker, delay_ms));
        }
        self.emit(EventKind::BrokerSlowed { broker, delay_ms });
        self.reschedule_broker_session(broker, delay_ms);
        Ok(Applied {
            summary: if delay_ms == 0 {
                format!("Broker {broker} runs at normal speed again.")
            } else {
                format!(
                    "Broker {broker} now answers {delay_ms} ms late; its followers fall behind."
                )
            },
            partition: None,
        })
    }

    /// A running broker's heartbeats now arrive `delay_ms` late. Past the session timeout, the
    /// controller will fence it when the session runs out (the last heartbeat before the delay
    /// arrived about now); back within it, a pending fence is called off and a fenced broker is
    /// unfenced at its next heartbeat.
    fn reschedule_broker_session(&mut self, broker: BrokerId, delay_ms: u64) {
        if !self.cluster.broker_alive(broker) {
            return;
        }
        let now = self.now;
        let session = self.cluster.config.broker_session_timeout_ms;
        let late = delay_ms + BROKER_HEARTBEAT_INTERVAL_MS > session;
        let fenced = self.cluster.broker(broker).is_some_and(|b| b.fenced);
        self.replication.pending_fence.retain(|(b, _)| *b != broker);
        self.replication
            .pending_unfence
            .retain(|(b, _)| *b != broker);
        match (late, fenced) {
            (true, false) => self.replication.pending_fence.push((broker, now + session)),
            // Already fenced: unfenced once a heartbeat under the new delay, and then the
            // metadata, get through.
            (_, true) => self
                .replication
                .pending_unfence
                .push((broker, now + BROKER_HEARTBEAT_INTERVAL_MS + 2 * delay_ms)),
            (false, false) => {}
        }
        self.reschedule_replication();
    }

    /// The controller lets a fenced broker that runs back in: its heartbeats arrive again and
    /// it has caught up with the metadata log. It leads again through elections (partitions
    /// left without a leader, then preferred-leader balancing) and rejoins ISRs by catching up.
    pub(super) fn unfence_broker(&mut self, broker: BrokerId) {
        self.replication
            .pending_unfence
            .retain(|(b, _)| *b != broker);
        let Some(b) = self.cluster.brokers.iter_mut().find(|b| b.id == broker) else {
            return;
        };
        if !b.alive || !b.fenced {
            return;
        }
        b.fenced = false;
        self.emit(EventKind::BrokerUnfenced { broker });
        // Internal partitions hold no records here (see `replication`): the broker is caught
        // up with them at once and back in their ISRs.
        let internal: Vec<PartitionIdx> = self
            .cluster
            .partitions()
            .filter(|p| p.internal && p.replicas.contains(&broker) && !p.isr.contains(&broker))
            .map(|p| p.idx)
            .collect();
        for p in internal {
            if let Some(part) = self.cluster.partition_mut(p) {
                part.isr.push(broker);
            }
        }
        self.lead_offline_partitions(broker);
    }

    /// Partitions offline for want of `broker` (back, or unfenced) get it as leader.
    fn lead_offline_partitions(&mut self, broker: BrokerId) {
        let offline: Vec<PartitionIdx> = self
            .cluster
            .partitions()
            .filter(|p| p.leader.is_none() && p.replicas.contains(&broker))
            .map(|p| p.idx)
            .collect();
        for p in offline {
            self.elect_leader(p);
        }
        self.after_leadership_change();
    }

    /// The controller fences a broker it stopped hearing from.
    pub(super) fn fence_broker(&mut self, broker: BrokerId) {
        self.replication.pending_fence.retain(|(b, _)| *b != broker);
        let slow = self.slow_delay(broker);
        if let Some(b) = self
            .cluster
            .brokers
            .iter_mut()
            .find(|b| b.id == broker && b.alive)
        {
            // Still running, only late: fenced until its delayed heartbeats and metadata
            // fetches catch up (the first heartbeat after the delay began reaches the
            // controller a heartbeat interval plus the delay after it began).
            b.fenced = true;
            let session = self.cluster.config.broker_session_timeout_ms;
            let began = self.now.saturating_sub(session);
            self.replication
                .pending_unfence
                .push((broker, began + BROKER_HEARTBEAT_INTERVAL_MS + 2 * slow));
        }
        self.emit(EventKind::BrokerFenced { broker });
        let affected: Vec<PartitionIdx> = self
            .cluster
            .partitions()
            .filter(|p| p.leader == Some(broker) || p.isr.contains(&broker))
            .map(|p| p.idx)
            .collect();
        let mut hw_moved = Vec::new();
        let mut coordinators = 0;
        for p in affected {
            let part = self.cluster.partition_mut(p).expect("listed");
            let internal = part.internal;
            if part.leader == Some(broker) {
                self.elect_leader(p);
                coordinators += u32::from(internal);
            } else if part.isr.len() > 1 {
                part.isr.retain(|&b| b != broker);
                let isr = part.isr.clone();
                let under_min_isr = part
                    .is_under_min_isr()
                    .then_some(part.effective_min_isr() as u32);
                if part.maybe_advance_high_watermark() {
                    hw_moved.push(p);
                }
                if !internal {
                    let tp = self.cluster.tp(p);
                    self.emit(EventKind::IsrShrunk {
                        tp,
                        removed: vec![broker],
                        isr,
                        lagging: false,
                        under_min_isr,
                    });
                }
            }
        }
        if coordinators > 0 {
            self.emit(EventKind::CoordinatorsMoved {
                from: broker,
                partitions: coordinators,
            });
        }
        if !hw_moved.is_empty() {
            self.on_high_watermark_moved(&hw_moved);
        }
        self.after_leadership_change();
    }

    /// Elects a leader for `p` from its live replicas (`offlinePartitionLeaderElection`).
    fn elect_leader(&mut self, p: PartitionIdx) {
        let Some(part) = self.cluster.partition(p) else {
            return;
        };
        let unclean_allowed = !part.internal
            && self
                .cluster
                .topic(part.topic)
                .is_some_and(|t| t.config.unclean_leader_election_enable);
        let live = |b: BrokerId| self.cluster.broker_eligible(b);
        let clean = part
            .replicas
            .iter()
            .copied()
            .find(|&b| live(b) && part.isr.contains(&b));
        let unclean = if clean.is_none() && unclean_allowed {
            part.replicas.iter().copied().find(|&b| live(b))
        } else {
            None
        };
        let leader = clean.or(unclean);
        let now = self.now;
        let registered: Vec<BrokerId> = part
            .replicas
            .iter()
            .copied()
            .filter(|&b| self.registered(b))
            .collect();
        let part = self.cluster.partition_mut(p).expect("exists");
        let outcome = part.elect(leader, |b| registered.contains(&b), now);
        let (epoch, isr) = (part.leader_epoch, part.isr.clone());
        for &(origin, n) in &outcome.dropped {
            self.audit
                .on_dropped(origin.producer, p, origin.first_record, n as u64);
        }
        for &(origin, n) in &outcome.restored {
            self.audit
                .on_appended(origin.producer, p, origin.first_record, n as u64);
        }
        let internal = self.cluster.partition(p).is_some_and(|x| x.internal);
        let tp = self.cluster.tp(p);
        if !internal {
            self.emit(EventKind::LeaderElected {
                tp,
                leader,
                epoch,
                unclean: unclean.is_some(),
                isr,
                records_dropped: outcome.dropped_records,
            });
        }
        let internal_topic = self.cluster.partition(p).and_then(|x| {
            let t = self.cluster.topic(x.topic).filter(|t| t.internal)?;
            Some((t.name.clone(), x.index))
        });
        if let (Some((name, index)), Some(_)) = (internal_topic, leader) {
            self.coordinator_moved(&name, index);
        }
    }

    /// `auto.leader.rebalance.enable`: every partition (internal ones too) whose preferred
    /// replica, the first of its assignment, is alive, registered and in sync but not leading
    /// gets it back as leader in a clean election (`QuorumController` leader balancing; KRaft
    /// ignores `leader.imbalance.per.broker.percentage`).
    pub(super) fn balance_partition_leaders(&mut self) {
        let imbalanced: Vec<(PartitionIdx, BrokerId, BrokerId)> = self
            .cluster
            .partitions()
            .filter_map(|p| {
                let preferred = *p.replicas.first()?;
                let current = p.leader?;
                (current != preferred
                    && self.cluster.broker_eligible(preferred)
                    && self.registered(preferred)
                    && p.isr.contains(&preferred))
                .then_some((p.idx, preferred, current))
            })
            .collect();
        if imbalanced.is_empty() {
            return;
        }
        let now = self.now;
        for (p, preferred, previous) in imbalanced {
            let registered: Vec<BrokerId> = self
                .cluster
                .partition(p)
                .map(|x| x.replicas.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|&b| self.registered(b))
                .collect();
            let part = self.cluster.partition_mut(p).expect("listed");
            let outcome = part.elect(Some(preferred), |b| registered.contains(&b), now);
            let epoch = part.leader_epoch;
            for &(origin, n) in &outcome.dropped {
                self.audit
                    .on_dropped(origin.producer, p, origin.first_record, n as u64);
            }
            let internal_topic = self.cluster.partition(p).and_then(|x| {
                let t = self.cluster.topic(x.topic).filter(|t| t.internal)?;
                Some((t.name.clone(), x.index))
            });
            match internal_topic {
                Some((name, index)) => self.coordinator_moved(&name, index),
                None => {
                    let tp = self.cluster.tp(p);
                    self.emit(EventKind::PreferredLeaderElected {
                        tp,
                        leader: preferred,
                        previous,
                        epoch,
                    });
                }
            }
        }
        self.after_leadership_change();
    }

    /// A coordinator partition got a new leader: the new coordinator loads its groups (members
    /// get a fresh session) or transactions.
    fn coordinator_moved(&mut self, topic: &str, index: u32) {
        let partitions = self
            .cluster
            .topic_by_name(topic)
            .map_or(1, |t| t.partitions.len() as u32);
        let on = |key: &str| crate::ground::hash::coordinator_partition(key, partitions) == index;
        if topic == CONSUMER_OFFSETS {
            self.groups.reload(self.now, on);
            self.reschedule_group_timer();
        } else if topic == TRANSACTION_STATE {
            self.reschedule_txn_timer();
        }
    }

    /// After elections: fetchers, waiting requests, markers and clients follow the new leaders.
    fn after_leadership_change(&mut self) {
        self.replication.invalidate();
        if !self.replication.delayed.is_empty() {
            self.complete_delayed_produces(None);
        }
        if !self.replication.delayed_markers.is_empty() {
            self.complete_delayed_markers();
        }
        self.retry_pending_markers();
        self.kick_replica_fetchers();
        self.reschedule_group_timer();
        self.reschedule_txn_timer();
        self.nudge_clients();
    }

    /// Clients refresh metadata and try again now.
    fn nudge_clients(&mut self) {
        let now = self.now;
        let mut parties = Vec::new();
        for p in self.producers.iter_mut().flatten() {
            p.wake(now);
            parties.push(Party::Producer(p.index));
        }
        for c in self.consumers.iter_mut().flatten() {
            c.nudge(now);
            parties.push(Party::Consumer(c.index));
        }
        for party in parties {
            self.reschedule(party);
        }
    }

    /// A message reached a broker that is down. A request fails on the sender's side as its
    /// connection resets; anything else is lost.
    pub(super) fn bounce(&mut self, env: Envelope) {
        let Party::Broker(broker) = env.to else {
            return;
        };
        let reply = match env.message {
            Message::Produce(req) => {
                if req.acks == crate::protocol::Acks::None {
                    return;
                }
                Message::ProduceResponse(ProduceResponse {
                    request_id: req.request_id,
                    results: req
                        .batches
                        .iter()
                        .map(|(p, id, _)| (*p, *id, Err(ErrorCode::NetworkException)))
                        .collect(),
                })
            }
            Message::Fetch(req) => Message::FetchResponse(disconnected_fetch(&req)),
            Message::OffsetsForLeaderEpoch(req) => {
                Message::OffsetsForLeaderEpochResponse(OffsetsForLeaderEpochResponse {
                    partitions: req
                        .partitions
                        .into_iter()
                        .map(|query| EpochEndOffset {
                            query,
                            result: Err(ErrorCode::NetworkException),
                        })
                        .collect(),
                })
            }
            Message::InitProducerIdRequest { .. } => Message::InitProducerIdResponse {
                result: Err(ErrorCode::NetworkException),
            },
            Message::Group(req) => Message::GroupResponse(req.failed(ErrorCode::NetworkException)),
            Message::Txn(req) => Message::TxnResponse(req.failed(ErrorCode::NetworkException)),
            Message::ReplicaFetch(req) => Message::ReplicaFetchResponse(ReplicaFetchResponse {
                request_id: req.request_id,
                partitions: req
                    .partitions
                    .iter()
                    .map(|rp| ReplicaFetchedPartition {
                        partition: rp.partition,
                        leader_epoch: rp.leader_epoch,
                        result: Err(ErrorCode::NetworkException),
                        high_watermark: -1,
                    })
                    .collect(),
            }),
            Message::WriteTxnMarkers(m) => {
                self.replication.pending_markers.push((env.from, m));
                self.retry_pending_markers();
                return;
            }
            _ => return,
        };
        self.send(Party::Broker(broker), env.from, reply);
    }

    /// Marker requests that could not be delivered go to the partitions' current leaders.
    pub(super) fn retry_pending_markers(&mut self) {
        let pending = std::mem::take(&mut self.replication.pending_markers);
        for (coordinator, m) in pending {
            self.route_markers(coordinator, m);
        }
    }
}

fn disconnected_fetch(req: &crate::protocol::FetchRequest) -> FetchResponse {
    FetchResponse {
        request_id: req.request_id,
        partitions: req
            .partitions
            .iter()
            .map(|f| FetchedPartition {
                partition: f.partition,
                error: Some(ErrorCode::NetworkException),
                fetch_offset: f.fetch_offset,
                end_offset: f.fetch_offset,
                bytes: 0,
                high_watermark: -1,
                last_stable_offset: -1,
                log_start_offset: -1,
            })
            .collect(),
    }
}
