//! The simulation: one virtual clock, one event queue, one seeded random generator, and every
//! party (brokers with their coordinators, producers, consumers) it drives.
//!
//! # How to drive it
//!
//! `Simulation` is a sans-IO state machine, in the manner of quinn-proto's `Connection`.
//!
//! * **Inputs.** [`Simulation::apply`] takes an [`Action`] (validated first: a refused action
//!   changes nothing). [`Simulation::advance_to`], [`Simulation::advance`] and
//!   [`Simulation::step`] move virtual time forward and process every event due on the way:
//!   message deliveries after the network delay, and each party's next wakeup (linger expiry,
//!   heartbeat, session timeout, ...). Time only moves when asked; when nothing is due it jumps
//!   straight to the next event instead of ticking.
//! * **Outputs.** [`Simulation::events_since`] gives the events after a given sequence number (a
//!   bounded history); [`Simulation::trace_hash`] a fingerprint of every event so far; the read
//!   accessors (`cluster`, `producers`, `consumers`, `group_coordinator`, `audit`, ...) the
//!   state as it is. The read model on top (`crate::view`) builds what the page renders from
//!   those accessors: `snapshot`, `records`, `strip` and `describe`.
//!
//! Call order: `apply` any actions for the current time, then `advance_to` the next time of
//! interest, then read `snapshot`/`events_since`. Same seed and same actions at the same times
//! give the same events, bit for bit.

mod admin;
mod apply;
mod broker;
mod controller;
pub mod costs;
mod footprint;
mod history;
mod maintenance;
mod metrics;
pub mod network;
mod processors;
pub mod queue;
mod rabbit;
pub mod rebalances;
mod replication;
mod restore;
mod serving;
mod share;
mod streams;
mod timers;
pub mod trace;

use std::hash::{Hash, Hasher};

use crate::event::{Event, EventKind};
pub use metrics::group_lag;
pub use serving::StoreQuery;

use crate::action::Action;
use crate::audit::DeliveryAudit;
use crate::cluster::{Cluster, ClusterConfig, CONSUMER_OFFSETS, TRANSACTION_STATE};
use crate::consumer::Consumer;
use crate::coordinator::group::GroupCoordinator;
use crate::coordinator::transaction::TransactionCoordinator;
use crate::ground::PartitionIdx;
use crate::ground::{ActionError, ErrorCode, Millis, Rng, Tp};
use crate::log::KeyTable;
use crate::party::{Ctx, Outbox};
use crate::processor::Processor;
use crate::producer::Producer;
use crate::protocol::{Envelope, Message, Party};
use broker::Purgatory;
use metrics::Metrics;
use network::{Fate, Network};
use queue::EventQueue;
use replication::Replication;
use trace::TraceHasher;

/// How many events the simulation keeps for readers.
pub const EVENT_HISTORY: usize = 20_000;

/// What the event queue holds.
#[derive(Clone, Debug)]
enum Due {
    Wakeup(Party),
    Deliver(Envelope),
    GroupCoordinatorTimer,
    TxnCoordinatorTimer,
    FetchPurgatoryTimer,
    ReplicationTimer,
    MaintenanceTimer,
    /// The RabbitMQ node has something due.
    RabbitTimer,
    /// A share group has something due.
    ShareTimer,
    /// A Kafka Streams instance has something due (processing done, a restore finished).
    StreamsTimer,
}

#[derive(Clone)]
pub struct Simulation {
    seed: u64,
    now: Millis,
    rng: Rng,
    queue: EventQueue<Due>,
    cluster: Cluster,
    keys: KeyTable,
    producers: Vec<Option<Producer>>,
    consumers: Vec<Option<Consumer>>,
    processors: Vec<Option<Processor>>,
    groups: GroupCoordinator,
    txns: TransactionCoordinator,
    purgatory: Purgatory,
    replication: Replication,
    maintenance: maintenance::Maintenance,
    network: Network,
    /// The fault rules as they were given (for views).
    faults: Vec<crate::action::LinkFaults>,
    audit: DeliveryAudit,
    metrics: Metrics,
    rebalances: rebalances::Rebalances,
    events: history::EventHistory,
    next_event_seq: u64,
    trace: TraceHasher,
    next_producer_id: i64,
    group_timer_at: Option<Millis>,
    txn_timer_at: Option<Millis>,
    purgatory_at: Option<Millis>,
    outbox: Outbox,
    events_processed: u64,
    /// Wake-ups after which a party did nothing and asked to be woken at the same instant again
    /// (see `reschedule`): each would have been a spin, so the driver moved it on by 1 ms.
    stalled_wakeups: u64,
    producer_names: u32,
    consumer_names: u32,
    /// RabbitMQ beside Kafka (issue 18): empty until something is declared.
    rabbit: crate::rabbit::RabbitNode,
    rabbit_timer_at: Option<Millis>,
    /// Share groups (KIP-932) reading the cluster's topics.
    shares: crate::share::ShareGroups,
    share_timer_at: Option<Millis>,
    /// Kafka Streams applications.
    streams: Vec<crate::streams::StreamsApp>,
    streams_timer_at: Option<Millis>,
    /// Materialized views fed from output topics.
    views: Vec<crate::streams::MaterializedView>,
    /// Network cards, request handler threads, disks and client CPUs: what work waits for.
    resources: costs::Resources,
}

impl Simulation {
    /// A new cluster with no topics or clients. The seed is required: there is no default.
    pub fn new(seed: u64, config: ClusterConfig) -> Result<Self, ActionError> {
        config.validate()?;
        let mut rng = Rng::new(seed);
        let placement_start = rng.below(config.brokers);
        let group_rng = rng.fork();
        let network = Network::new(config.network_delay_ms, rng.fork());
        let config_delay = config.network_delay_ms;
        let mut groups = GroupCoordinator::new(
            group_rng,
            config.group_initial_rebalance_delay_ms,
            config.group_min_session_timeout_ms,
            config.group_max_session_timeout_ms,
            config.group_max_size,
        );
        groups.consumer_heartbeat_interval_ms = config.group_consumer_heartbeat_interval_ms;
        groups.consumer_session_timeout_ms = config.group_consumer_session_timeout_ms;
        Ok(Simulation {
            seed,
            now: 0,
            rng,
            queue: EventQueue::default(),
            cluster: Cluster::new(config, placement_start, 0),
            keys: KeyTable::default(),
            producers: Vec::new(),
            consumers: Vec::new(),
            processors: Vec::new(),
            groups,
            txns: TransactionCoordinator::default(),
            purgatory: Purgatory::default(),
            replication: Replication::default(),
            maintenance: maintenance::Maintenance::default(),
            network,
            faults: Vec::new(),
            audit: DeliveryAudit::default(),
            metrics: Metrics::new(250, 240),
            rebalances: rebalances::Rebalances::default(),
            events: history::EventHistory::new(EVENT_HISTORY),
            next_event_seq: 0,
            trace: TraceHasher::default(),
            next_producer_id: 0,
            group_timer_at: None,
            txn_timer_at: None,
            purgatory_at: None,
            outbox: Outbox::default(),
            events_processed: 0,
            stalled_wakeups: 0,
            producer_names: 0,
            consumer_names: 0,
            rabbit: crate::rabbit::RabbitNode::new(config_delay),
            rabbit_timer_at: None,
            shares: crate::share::ShareGroups::new(config_delay),
            share_timer_at: None,
            streams: Vec::new(),
            streams_timer_at: None,
            views: Vec::new(),
            resources: costs::Resources::default(),
        })
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn keys(&self) -> &KeyTable {
        &self.keys
    }

    pub fn audit(&self) -> &DeliveryAudit {
        &self.audit
    }

    /// The group's recent rebalances, measured (see `rebalances`).
    pub fn rebalances(&self, group: &str) -> Vec<rebalances::Rebalance> {
        self.rebalances.of(group, self.now, &self.consumers)
    }

    pub fn group_coordinator(&self) -> &GroupCoordinator {
        &self.groups
    }

    pub fn producers(&self) -> impl Iterator<Item = &Producer> {
        self.producers.iter().flatten()
    }

    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> {
        self.consumers.iter().flatten()
    }

    pub fn producer(&self, index: u32) -> Option<&Producer> {
        self.producers.get(index as usize).and_then(Option::as_ref)
    }

    pub fn consumer(&self, index: u32) -> Option<&Consumer> {
        self.consumers.get(index as usize).and_then(Option::as_ref)
    }

    pub fn processors(&self) -> impl Iterator<Item = &Processor> {
        self.processors.iter().flatten()
    }

    pub fn processor(&self, index: u32) -> Option<&Processor> {
        self.processors.get(index as usize).and_then(Option::as_ref)
    }

    /// The network fault rules in force, as they were given.
    pub fn faults(&self) -> &[crate::action::LinkFaults] {
        &self.faults
    }

    /// When the controller will fence `broker`, which died and has not been noticed yet.
    pub fn fence_at(&self, broker: crate::ground::BrokerId) -> Option<Millis> {
        self.replication
            .pending_fence
            .iter()
            .find(|(b, _)| *b == broker)
            .map(|(_, t)| *t)
    }

    /// Extra delay on every message to or from `broker` (a slowed broker).
    pub fn slow_delay(&self, broker: crate::ground::BrokerId) -> u64 {
        self.replication.slow_delay(broker)
    }

    /// Fingerprint of every event so far.
    pub fn trace_hash(&self) -> u64 {
        self.trace.finish()
    }

    /// How many times a party woken at an instant did nothing and asked for that instant again.
    /// Always 0 for a correct party; the driver moves such a party on by 1 ms so that time
    /// cannot stop, and the property tests check the count stays 0.
    pub fn stalled_wakeups(&self) -> u64 {
        self.stalled_wakeups
    }

    /// Events processed from the queue so far (a measure of work).
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Sequence number the next event will get.
    pub fn next_event_seq(&self) -> u64 {
        self.next_event_seq
    }

    /// Events with a sequence number at or after `seq` still in the history.
    pub fn events_since(&self, seq: u64) -> impl DoubleEndedIterator<Item = &Event> {
        let first = self.events.front().map_or(0, |e| e.seq);
        self.events.iter_from(seq.saturating_sub(first) as usize)
    }

    /// Entries waiting in the event queue (a measure of the simulation's memory).
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Time of the next event in the queue, if any.
    pub fn next_event_time(&self) -> Option<Millis> {
        self.queue.peek_time()
    }

    fn emit(&mut self, kind: EventKind) {
        if let EventKind::GroupStateChanged { group, to, .. } = &kind {
            self.rebalances
                .on_state(self.now, group, to, &self.consumers);
        }
        let event = Event {
            seq: self.next_event_seq,
            time: self.now,
            kind,
        };
        self.next_event_seq += 1;
        event.time.hash(&mut self.trace);
        event.kind.hash(&mut self.trace);
        self.events.push(event);
    }

    /// Moves time to `t`, processing every event due up to and including `t`.
    pub fn advance_to(&mut self, t: Millis) {
        self.advance_to_bounded(t, u64::MAX);
    }

    /// Like `advance_to`, but stops after `max_events` queue entries. Returns true if time
    /// reached `t` (false: stopped early, `now()` tells where).
    pub fn advance_to_bounded(&mut self, t: Millis, max_events: u64) -> bool {
        let mut budget = max_events;
        while let Some(at) = self.queue.peek_time() {
            if at > t {
                break;
            }
            if budget == 0 {
                return false;
            }
            budget -= 1;
            self.process_next(at);
        }
        if t > self.now {
            self.metrics.sample_until(t, &self.cluster, &self.groups);
            self.now = t;
        }
        true
    }

    /// Moves time forward by `by` milliseconds.
    pub fn advance(&mut self, by: Millis) {
        self.advance_to(self.now.saturating_add(by));
    }

    /// Processes the next event that does something, jumping time to it. Returns its time, or
    /// `None` if nothing is scheduled.
    pub fn step(&mut self) -> Option<Millis> {
        let before = self.next_event_seq;
        while let Some(at) = self.queue.peek_time() {
            self.process_next(at);
            if self.next_event_seq != before {
                return Some(self.now);
            }
        }
        None
    }

    fn process_next(&mut self, at: Millis) {
        if at > self.now {
            self.metrics.sample_until(at, &self.cluster, &self.groups);
            self.now = at;
        }
        let Some((_, due)) = self.queue.pop_due(at) else {
            return;
        };
        self.events_processed += 1;

        match due {
            Due::Wakeup(party) => self.wake(party, at),
            Due::Deliver(env) => self.deliver(env),
            Due::GroupCoordinatorTimer => {
                if self.group_timer_at == Some(at) {
                    self.group_timer_at = None;
                    let mut out = Vec::new();
                    let cluster = &self.cluster;
                    let available = |g: &str| cluster.coordinator_alive(CONSUMER_OFFSETS, g);
                    self.groups.on_timer(self.now, &available, &mut out);
                    self.flush_group_outputs(out);
                }
                self.reschedule_group_timer();
            }
            Due::TxnCoordinatorTimer => {
                if self.txn_timer_at == Some(at) {
                    self.txn_timer_at = None;
                    let mut out = Vec::new();
                    let cluster = &self.cluster;
                    let available = |t: &str| cluster.coordinator_alive(TRANSACTION_STATE, t);
                    self.txns.on_timer(self.now, &available, &mut out);
                    // Timer work happens on each transaction's coordinator; the outputs carry
                    // their own transactional ids, so route from the first coordinator found.
                    self.flush_txn_timer_outputs(out);
                }
                self.reschedule_txn_timer();
            }
            Due::FetchPurgatoryTimer => {
                if self.purgatory_at == Some(at) {
                    self.purgatory_at = None;
                    self.expire_parked_fetches();
                }
                self.reschedule_purgatory();
            }
            Due::ReplicationTimer => self.on_replication_timer(at),
            Due::MaintenanceTimer => self.on_maintenance_timer(at),
            Due::RabbitTimer => self.on_rabbit_timer(at),
            Due::ShareTimer => self.on_share_timer(at),
            Due::StreamsTimer => self.on_streams_timer(at),
        }
    }

    fn wake(&mut self, party: Party, at: Millis) {
        let work_before = self.work_of(party);
        match party {
            Party::Producer(i) => {
                let Some(Some(p)) = self.producers.get_mut(i as usize) else {
                    return;
                };
                if p.scheduled != Some(at) {
                    return;
                }
                p.scheduled = None;
                let mut ctx = Ctx::new(
                    self.now,
                    &self.cluster,
                    &self.keys,
                    &mut self.audit,
                    &mut self.outbox,
                );
                ctx.full_links = &self.resources.full_links;
                p.poll(&mut ctx);
            }
            Party::Consumer(i) => {
                let Some(Some(c)) = self.consumers.get_mut(i as usize) else {
                    return;
                };
                if c.scheduled != Some(at) {
                    return;
                }
                c.scheduled = None;
                let mut ctx = Ctx::new(
                    self.now,
                    &self.cluster,
                    &self.keys,
                    &mut self.audit,
                    &mut self.outbox,
                );
                c.run(&mut ctx);
            }
            Party::Broker(_) => {}
            Party::Processor(i) => {
                // drive_processor judges progress and reschedules its three parties itself.
                let due = matches!(self.processors.get(i as usize), Some(Some(p)) if p.scheduled == Some(at));
                if !due {
                    return;
                }
                if let Some(Some(p)) = self.processors.get_mut(i as usize) {
                    p.scheduled = None;
                }
                self.drive_processor(i);
                return;
            }
        }
        let progressed = !self.outbox.is_empty() || self.work_of(party) != work_before;
        self.flush_outbox(party);
        self.reschedule_after_wake(party, progressed);
        self.after_client(party);
    }

    /// Reschedules a party that has just been woken. A party that sent nothing, recorded nothing
    /// and still asks for the current instant would be woken again and again without time
    /// moving: the page would freeze. Whatever bug in a party causes it, the driver makes it
    /// impossible by waking such a party 1 ms later, and counts it (`stalled_wakeups`).
    fn reschedule_after_wake(&mut self, party: Party, progressed: bool) {
        if !progressed && self.next_wakeup_of(party).is_some_and(|t| t <= self.now) {
            self.stalled_wakeups += 1;
            let at = self.now + 1;
            if let Some(scheduled) = self.scheduled_of(party) {
                *scheduled = Some(at);
                self.queue.push(at, Due::Wakeup(party));
            }
            return;
        }
        self.reschedule(party);
    }

    /// A count that grows whenever a party does work that sends nothing: records handed to
    /// `send()` or to the application, batches sent, records processed.
    fn work_of(&self, party: Party) -> u64 {
        match party {
            Party::Producer(i) => self.producer(i).map_or(0, |p| {
                let s = &p.stats;
                s.records_sent + s.records_acked + s.records_failed + s.batches_sent
            }),
            Party::Consumer(i) => self.consumer(i).map_or(0, |c| c.stats.records_consumed),
            Party::Processor(i) => self.processor(i).map_or(0, |p| {
                p.stats.records_processed + p.stats.transactions_committed + p.stats.crashes
            }),
            Party::Broker(_) => 0,
        }
    }

    fn next_wakeup_of(&self, party: Party) -> Option<Millis> {
        match party {
            Party::Producer(i) => self.producer(i)?.next_wakeup(),
            Party::Consumer(i) => self.consumer(i)?.next_wakeup(),
            Party::Processor(i) => self.processor(i)?.next_wakeup(),
            Party::Broker(_) => None,
        }
    }

    fn scheduled_of(&mut self, party: Party) -> Option<&mut Option<Millis>> {
        match party {
            Party::Producer(i) => {
                Some(&mut self.producers.get_mut(i as usize)?.as_mut()?.scheduled)
            }
            Party::Consumer(i) => {
                Some(&mut self.consumers.get_mut(i as usize)?.as_mut()?.scheduled)
            }
            Party::Processor(i) => {
                Some(&mut self.processors.get_mut(i as usize)?.as_mut()?.scheduled)
            }
            Party::Broker(_) => None,
        }
    }

    fn deliver(&mut self, env: Envelope) {
        match env.to {
            Party::Broker(b) => {
                if let Message::WriteTxnMarkersResponse { .. } = env.message {
                    // Simplification: the transaction coordinator's state survives its broker
                    // (as it does in the log), so the confirmation reaches whichever broker
                    // coordinates the transaction now.
                    self.handle_broker_request(b, env.from, env.message);
                    return;
                }
                if !self.cluster.broker_alive(b) {
                    self.bounce(env);
                    return;
                }
                self.handle_broker_request(b, env.from, env.message);
            }
            Party::Processor(_) => {}
            Party::Producer(i) => {
                let Party::Broker(from) = env.from else {
                    return;
                };
                let Some(Some(p)) = self.producers.get_mut(i as usize) else {
                    return;
                };
                let mut ctx = Ctx::new(
                    self.now,
                    &self.cluster,
                    &self.keys,
                    &mut self.audit,
                    &mut self.outbox,
                );
                ctx.full_links = &self.resources.full_links;
                p.on_message(&mut ctx, from, env.message);
                self.flush_outbox(env.to);
                self.reschedule(env.to);
                self.after_client(env.to);
            }
            Party::Consumer(i) => {
                let Party::Broker(from) = env.from else {
                    return;
                };
                let Some(Some(c)) = self.consumers.get_mut(i as usize) else {
                    return;
                };
                let mut ctx = Ctx::new(
                    self.now,
                    &self.cluster,
                    &self.keys,
                    &mut self.audit,
                    &mut self.outbox,
                );
                c.on_message(&mut ctx, from, env.message);
                self.flush_outbox(env.to);
                self.reschedule(env.to);
                self.after_client(env.to);
            }
        }
    }

    /// Sends what a party queued (after the network delay) and records its events.
    fn flush_outbox(&mut self, from: Party) {
        let mut out = std::mem::take(&mut self.outbox);
        for kind in out.events.drain(..) {
            if let EventKind::ProduceRequestTimedOut {
                producer, broker, ..
            }
            | EventKind::ProduceRequestDisconnected {
                producer, broker, ..
            } = kind
            {
                // The producer closed the connection; the next one starts whole.
                self.network.reconnect(producer, broker);
            }
            self.emit(kind);
        }
        for (to, message) in out.messages.drain(..) {
            self.send(from, to, message);
        }
        self.outbox = out;
    }

    fn send(&mut self, from: Party, to: Party, message: Message) {
        let mut at = self.now + self.network.delay_ms;
        if !self.replication.slow.is_empty() {
            for party in [from, to] {
                if let Party::Broker(b) = party {
                    at += self.replication.slow_delay(b);
                }
            }
        }
        // Fault rules decide the fate of produce traffic.
        let produce_link = match (&message, from, to) {
            (Message::Produce(r), Party::Producer(p), Party::Broker(b)) => {
                Some((p, b, false, r.request_id))
            }
            (Message::ProduceResponse(r), Party::Broker(b), Party::Producer(p)) => {
                Some((p, b, true, r.request_id))
            }
            _ => None,
        };
        if let Some((producer, broker, response, request_id)) = produce_link {
            let fate = self
                .network
                .produce_fate(self.now, producer, broker, response);
            if let (Fate::Reject { at }, Message::Produce(req)) = (fate, &message) {
                let results = req
                    .batches
                    .iter()
                    .map(|(p, id, _)| (*p, *id, Err(ErrorCode::NotLeaderOrFollower)))
                    .collect();
                let response = Message::ProduceResponse(crate::protocol::ProduceResponse {
                    request_id,
                    results,
                });
                self.queue.push(
                    at,
                    Due::Deliver(Envelope {
                        from: to,
                        to: from,
                        sent_at: self.now,
                        message: response,
                    }),
                );
                return;
            }
            match fate {
                Fate::Reject { .. } => return,
                Fate::Drop => {
                    self.emit(if response {
                        EventKind::ProduceResponseLost {
                            producer,
                            broker,
                            request_id,
                        }
                    } else {
                        EventKind::ProduceRequestLost {
                            producer,
                            broker,
                            request_id,
                        }
                    });
                    return;
                }
                Fate::Deliver { at: t } => at = t,
            }
        }
        let at = self.costed_delivery(from, to, &message, at);
        self.queue.push(
            at,
            Due::Deliver(Envelope {
                from,
                to,
                sent_at: self.now,
                message,
            }),
        );
    }

    /// Asks a party for its next deadline and schedules a wakeup if it is earlier than the one
    /// already scheduled.
    fn reschedule(&mut self, party: Party) {
        let now = self.now;
        let (next, scheduled) = match party {
            Party::Producer(i) => match self.producers.get_mut(i as usize) {
                Some(Some(p)) => (p.next_wakeup(), &mut p.scheduled),
                _ => return,
            },
            Party::Consumer(i) => match self.consumers.get_mut(i as usize) {
                Some(Some(c)) => (c.next_wakeup(), &mut c.scheduled),
                _ => return,
            },
            Party::Processor(i) => match self.processors.get_mut(i as usize) {
                Some(Some(p)) => (p.next_wakeup(), &mut p.scheduled),
                _ => return,
            },
            Party::Broker(_) => return,
        };
        let Some(next) = next else {
            return;
        };
        let next = next.max(now);
        if scheduled.is_some_and(|s| s <= next && s >= now) {
            return;
        }
        *scheduled = Some(next);
        self.queue.push(next, Due::Wakeup(party));
    }

    /// Applies an action at the current time. A refused action changes nothing.
    pub fn apply(&mut self, action: Action) -> Result<crate::action::Applied, ActionError> {
        self.apply_action(action)
    }

    /// `topic-partition` of a partition index (for events and views).
    pub fn tp(&self, p: PartitionIdx) -> Tp {
        self.cluster.tp(p)
    }

    /// Mutable access to a producer's scheduled time, for rescheduling after actions.
    fn ctx_parts(
        &mut self,
    ) -> (
        Ctx<'_>,
        &mut Vec<Option<Producer>>,
        &mut Vec<Option<Consumer>>,
    ) {
        (
            Ctx::new(
                self.now,
                &self.cluster,
                &self.keys,
                &mut self.audit,
                &mut self.outbox,
            ),
            &mut self.producers,
            &mut self.consumers,
        )
    }
}

impl Cluster {
    /// `topic-partition` of a partition index.
    pub fn tp(&self, p: PartitionIdx) -> Tp {
        match self.partition(p) {
            Some(part) => Tp {
                topic: self
                    .topic(part.topic)
                    .map_or_else(String::new, |t| t.name.clone()),
                partition: part.index,
            },
            None => Tp {
                topic: String::from("(deleted)"),
                partition: 0,
            },
        }
    }
}
