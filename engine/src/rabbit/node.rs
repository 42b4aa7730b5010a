//! The RabbitMQ node as a party of the simulation: its exchanges and queues, its publishers'
//! channels and its consumers, with every message crossing the same network as Kafka's traffic
//! (the cluster's one-way delay each way), on the simulation's clock.
//!
//! A message's life, as in RabbitMQ 4.x (RW `docs/publishers.md`, `docs/consumers.md`,
//! `docs/confirms.md`, `docs/quorum-queues/index.md`):
//! 1. The publisher sends it; one network delay later the exchange routes it to 0..n queues.
//! 2. A classic queue takes it at once; a quorum queue once a Raft majority has it (one more
//!    round trip to the followers). Each queue's answer makes the channel's confirm (an ack once
//!    every queue accepted, a nack if one refused), which travels back to the publisher.
//! 3. The queue pushes it to a consumer with room under its prefetch, in turn; it travels to the
//!    consumer, waits its turn in the application, is processed, and the ack (or reject) travels
//!    back. An ack removes it for good: a queue keeps nothing to replay.
//!
//! Everything happens in virtual time from one ordered agenda, so the same inputs give the same
//! run. Costs per message beyond the network and the application's time come with the cost
//! model (issue 20).

use std::collections::BTreeMap;

mod consume;
#[cfg(test)]
mod tests;

use super::client::{Publisher, RabbitConsumer, RoutingKeyTemplate};
use super::confirms::{Confirm, Confirms};
use super::dispatch::{Delivery, Dispatcher};
use super::exchange::{Binding, Destination, ExchangeType, Exchanges};
use super::queue::{DeathReason, Departures, Enqueued, Message, Queue};
use super::queue_args::{ArgValue, QueueArgs, QueueType};
use crate::ground::quote::quoted;
use crate::ground::Millis;
use crate::log::KeyId;

/// Longest queue name (AMQP 0-9-1 short string).
pub const MAX_QUEUE_NAME_BYTES: usize = 255;
/// Dead-letter hops one instant may take: a cycle of queues whose messages were once rejected
/// (a TTL of 0, or `drop-head` at the length limit) would otherwise go round for ever within one
/// instant (RabbitMQ drops only cycles without a reject); past it they are lost.
const DEAD_LETTER_HOPS: u32 = 10_000;

/// Where a queue's messages went (the view and the report show it as it is).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueStats {
    pub enqueued: u64,
    /// Publishes refused by `reject-publish`.
    pub refused: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub acked: u64,
    pub dead_lettered: u64,
    /// Left without a dead-letter exchange to go to (expired, overflowed, rejected, too often
    /// returned): gone.
    pub dropped: u64,
    /// Messages processed after a later message with the same key had been (by any consumer of
    /// the queue): competing consumers and requeues reorder.
    pub order_violations: u64,
    /// The highest message id processed per key.
    #[serde(skip)]
    key_order: BTreeMap<KeyId, u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QueueEntry {
    pub queue: Queue,
    pub dispatcher: Dispatcher,
    pub stats: QueueStats,
    /// When it was declared: a queue sees only what is published after its binding.
    pub declared_at: Millis,
    expire_at: Option<Millis>,
}

impl QueueEntry {
    /// Delivered and not yet acknowledged.
    pub fn unacked(&self) -> usize {
        self.dispatcher
            .subscribers()
            .iter()
            .map(|s| s.unacked.len())
            .sum()
    }
}

/// What the node reports for the simulation's event log, counted per instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RabbitEvent {
    /// `count` messages left `queue` for its dead-letter exchange.
    DeadLettered {
        queue: String,
        reason: DeathReason,
        exchange: String,
        count: u64,
    },
    /// `count` messages left `queue` with nowhere to go.
    Dropped {
        queue: String,
        reason: DeathReason,
        count: u64,
    },
}

/// The application's answer to one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Ack,
    Reject { requeue: bool },
}

#[derive(Clone, Debug, PartialEq)]
enum Pending {
    Arrive {
        publisher: String,
        message: Message,
    },
    Commit {
        queue: String,
        message: Message,
        confirm: Option<(String, u64)>,
    },
    Confirm {
        publisher: String,
        seq: u64,
        ack: bool,
    },
    Deliver {
        consumer: u64,
        delivery: Delivery,
    },
    Work {
        consumer: u64,
    },
    Settle {
        consumer: u64,
        tag: u64,
        answer: Answer,
        published_at: Millis,
    },
    Expire {
        queue: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct RabbitNode {
    /// One-way network delay, the cluster's.
    delay_ms: Millis,
    pub exchanges: Exchanges,
    queues: Vec<QueueEntry>,
    /// Consumers with their unique id (a re-added name is a new consumer: late acks of the old
    /// one do not count for it).
    consumers: Vec<(u64, RabbitConsumer, Option<Millis>)>,
    /// Publishers with the broker's side of their channel.
    publishers: Vec<(Publisher, Confirms)>,
    agenda: BTreeMap<(Millis, u64), Pending>,
    next_agenda: u64,
    next_message_id: u64,
    next_consumer_id: u64,
    events: BTreeMap<(String, DeathReason, bool), (String, u64)>,
    /// Dead-letter hops taken at one instant (see [`DEAD_LETTER_HOPS`]).
    hops: (Millis, u32),
}

impl RabbitNode {
    pub fn new(delay_ms: Millis) -> RabbitNode {
        RabbitNode {
            delay_ms,
            exchanges: Exchanges::default(),
            queues: Vec::new(),
            consumers: Vec::new(),
            publishers: Vec::new(),
            agenda: BTreeMap::new(),
            next_agenda: 0,
            next_message_id: 0,
            next_consumer_id: 0,
            events: BTreeMap::new(),
            hops: (0, 0),
        }
    }

    /// Whether anything was ever declared (a simulation without RabbitMQ shows no RabbitMQ).
    pub fn is_empty(&self) -> bool {
        self.queues.is_empty() && self.exchanges.iter().next().is_none()
    }

    pub fn queues(&self) -> &[QueueEntry] {
        &self.queues
    }

    pub fn queue(&self, name: &str) -> Option<&QueueEntry> {
        self.queues.iter().find(|q| q.queue.name == name)
    }

    pub fn consumers(&self) -> impl Iterator<Item = &RabbitConsumer> {
        self.consumers.iter().map(|(_, c, _)| c)
    }

    pub fn consumer(&self, name: &str) -> Option<&RabbitConsumer> {
        self.consumers().find(|c| c.name == name)
    }

    pub fn publishers(&self) -> impl Iterator<Item = &Publisher> {
        self.publishers.iter().map(|(p, _)| p)
    }

    pub fn publisher(&self, producer: &str) -> Option<&Publisher> {
        self.publishers().find(|p| p.producer == producer)
    }

    /// When the node next has something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.agenda.keys().next().map(|(t, _)| *t)
    }

    fn at(&mut self, t: Millis, p: Pending) {
        self.agenda.insert((t, self.next_agenda), p);
        self.next_agenda += 1;
    }

    // ---- declarations (each checked first: a refused one changes nothing) ----

    /// `exchange.declare`.
    pub fn declare_exchange(&mut self, name: &str, kind: &str) -> Result<(), String> {
        let kind = ExchangeType::parse(kind)?;
        self.exchanges.declare(name, kind)
    }

    /// `queue.declare` with its `x-` arguments. The same declaration again is a no-op; other
    /// arguments under an existing name are refused, as RabbitMQ refuses them.
    pub fn declare_queue(
        &mut self,
        name: &str,
        arguments: &[(String, ArgValue)],
        now: Millis,
    ) -> Result<(), String> {
        if name.is_empty() {
            return Err("a queue needs a name (server-named queues are not simulated)".into());
        }
        if name.starts_with("amq.") {
            return Err(format!(
                "queue names starting with amq. are reserved (ACCESS_REFUSED): {}",
                quoted(name)
            ));
        }
        if name.len() > MAX_QUEUE_NAME_BYTES {
            return Err(format!(
                "a queue name takes at most {MAX_QUEUE_NAME_BYTES} bytes; this one has {}",
                name.len()
            ));
        }
        let args = QueueArgs::parse(arguments)?;
        if let Some(q) = self.queue(name) {
            if q.queue.args == args {
                return Ok(());
            }
            return Err(format!(
                "PRECONDITION_FAILED - inequivalent arguments for queue {} : it exists with \
                 other x- arguments; delete it first or use another name",
                quoted(name)
            ));
        }
        self.queues.push(QueueEntry {
            queue: Queue::new(name, args),
            dispatcher: Dispatcher::default(),
            stats: QueueStats::default(),
            declared_at: now,
            expire_at: None,
        });
        Ok(())
    }

    /// `queue.bind`: queue `queue` to exchange `exchange` with binding key `key`.
    pub fn bind_queue(
        &mut self,
        exchange: &str,
        queue: &str,
        key: &str,
        arguments: Vec<(String, Option<String>)>,
    ) -> Result<(), String> {
        if key.len() > super::client::MAX_ROUTING_KEY_BYTES {
            return Err(format!(
                "a binding key takes at most {} bytes; this one has {}",
                super::client::MAX_ROUTING_KEY_BYTES,
                key.len()
            ));
        }
        let queues: Vec<String> = self.queues.iter().map(|q| q.queue.name.clone()).collect();
        let exchanges: Vec<String> = self.exchanges.iter().map(|e| e.name.clone()).collect();
        self.exchanges.bind(
            exchange,
            Binding {
                destination: Destination::Queue(queue.to_string()),
                key: key.to_string(),
                arguments,
            },
            |d| match d {
                Destination::Queue(q) => queues.contains(q),
                Destination::Exchange(e) => exchanges.contains(e),
            },
        )
    }

    /// A publisher on its own channel in confirm mode, mirroring Kafka producer `producer`.
    pub fn add_publisher(
        &mut self,
        producer: &str,
        exchange: &str,
        routing_key: &str,
    ) -> Result<(), String> {
        let template = RoutingKeyTemplate::parse(routing_key)?;
        if !exchange.is_empty() && self.exchanges.get(exchange).is_none() {
            return Err(format!(
                "NOT_FOUND - no exchange {}: declare it first",
                quoted(exchange)
            ));
        }
        let p = Publisher::new(producer, exchange, template);
        match self
            .publishers
            .iter_mut()
            .find(|(p, _)| p.producer == producer)
        {
            // A new target for the same producer: a new channel.
            Some(slot) => *slot = (p, Confirms::default()),
            None => self.publishers.push((p, Confirms::default())),
        }
        Ok(())
    }

    pub fn remove_publisher(&mut self, producer: &str) {
        self.publishers.retain(|(p, _)| p.producer != producer);
    }

    /// A consumer with `prefetch` (`basic.qos`; 0 is unlimited) on `queue`.
    pub fn add_consumer(
        &mut self,
        mut consumer: RabbitConsumer,
        now: Millis,
    ) -> Result<(), String> {
        if self.consumer(&consumer.name).is_some() {
            return Err(format!(
                "there is a RabbitMQ consumer {} already",
                quoted(&consumer.name)
            ));
        }
        let Some(i) = self.queue_index(&consumer.queue) else {
            return Err(format!(
                "NOT_FOUND - no queue {}: declare it first",
                quoted(&consumer.queue)
            ));
        };
        self.queues[i]
            .dispatcher
            .subscribe(&consumer.name, consumer.prefetch)?;
        consumer.free_at_us = now * 1000;
        self.next_consumer_id += 1;
        self.consumers.push((self.next_consumer_id, consumer, None));
        self.dispatch(i, now);
        Ok(())
    }

    /// The consumer's channel closes (a crash, or `close()`): what it had not acknowledged goes
    /// back to its queue, marked redelivered; acks still on the way are lost with the channel.
    pub fn close_consumer(&mut self, name: &str, now: Millis) -> Result<(), String> {
        let Some(at) = self.consumers.iter().position(|(_, c, _)| c.name == name) else {
            return Err(format!("there is no RabbitMQ consumer {}", quoted(name)));
        };
        let (_, c, _) = self.consumers.remove(at);
        if let Some(i) = self.queue_index(&c.queue) {
            let mut out = Departures::default();
            let e = &mut self.queues[i];
            e.dispatcher.close(&mut e.queue, name, now, &mut out)?;
            self.depart(i, out, now);
            self.dispatch(i, now);
        }
        Ok(())
    }

    pub fn set_processing_us(&mut self, name: &str, us: u64) -> Result<(), String> {
        match self.consumers.iter_mut().find(|(_, c, _)| c.name == name) {
            Some((_, c, _)) => {
                c.processing_us = us;
                Ok(())
            }
            None => Err(format!("there is no RabbitMQ consumer {}", quoted(name))),
        }
    }

    // ---- traffic ----

    /// Kafka producer `producer` sent a record with key `key` (its text `key_text`) and
    /// `body_bytes` of value: its mirrored publisher publishes it now. No publisher, no publish.
    pub fn publish(
        &mut self,
        now: Millis,
        producer: &str,
        key: Option<KeyId>,
        key_text: Option<&str>,
        body_bytes: u32,
    ) {
        let Some((p, _)) = self
            .publishers
            .iter_mut()
            .find(|(p, _)| p.producer == producer)
        else {
            return;
        };
        p.next_seq += 1;
        p.waiting.insert(p.next_seq, now);
        p.stats.published += 1;
        self.next_message_id += 1;
        let message = Message {
            id: self.next_message_id,
            key,
            exchange: p.exchange.clone(),
            routing_keys: vec![p.routing_key.render(key_text)],
            body_bytes,
            published_at: now,
            expires_at: None,
            expiration: None,
            redelivered: false,
            delivery_count: 0,
            x_death: Vec::new(),
        };
        let publisher = p.producer.clone();
        self.at(now + self.delay_ms, Pending::Arrive { publisher, message });
    }

    /// Does everything due up to `now`.
    pub fn on_timer(&mut self, now: Millis) {
        while let Some(entry) = self.agenda.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((t, _), p) = entry.remove_entry();
            self.handle(t, p);
        }
    }

    /// The events of what happened since the last call, one per queue, reason and fate.
    pub fn take_events(&mut self) -> Vec<RabbitEvent> {
        std::mem::take(&mut self.events)
            .into_iter()
            .map(|((queue, reason, dead), (exchange, count))| match dead {
                true => RabbitEvent::DeadLettered {
                    queue,
                    reason,
                    exchange,
                    count,
                },
                false => RabbitEvent::Dropped {
                    queue,
                    reason,
                    count,
                },
            })
            .collect()
    }

    fn queue_index(&self, name: &str) -> Option<usize> {
        self.queues.iter().position(|q| q.queue.name == name)
    }

    fn consumer_slot(&mut self, id: u64) -> Option<&mut (u64, RabbitConsumer, Option<Millis>)> {
        self.consumers.iter_mut().find(|(i, _, _)| *i == id)
    }

    fn handle(&mut self, now: Millis, p: Pending) {
        match p {
            Pending::Arrive { publisher, message } => self.arrive(now, publisher, message),
            Pending::Commit {
                queue,
                message,
                confirm,
            } => {
                if let Some(i) = self.queue_index(&queue) {
                    self.enqueue(i, message, now, confirm);
                }
            }
            Pending::Confirm {
                publisher,
                seq,
                ack,
            } => {
                if let Some((p, _)) = self
                    .publishers
                    .iter_mut()
                    .find(|(p, _)| p.producer == publisher)
                {
                    if let Some(sent) = p.waiting.remove(&seq) {
                        p.confirm_latency.record(now, sent, 1);
                        if ack {
                            p.stats.acked += 1;
                        } else {
                            p.stats.nacked += 1;
                        }
                    }
                }
            }
            Pending::Deliver { consumer, delivery } => self.deliver(now, consumer, delivery),
            Pending::Work { consumer } => self.work(now, consumer),
            Pending::Settle {
                consumer,
                tag,
                answer,
                published_at,
            } => self.settle(now, consumer, tag, answer, published_at),
            Pending::Expire { queue } => {
                if let Some(i) = self.queue_index(&queue) {
                    if self.queues[i].expire_at == Some(now) {
                        self.queues[i].expire_at = None;
                        let mut out = Departures::default();
                        self.queues[i].queue.expire_head(now, &mut out);
                        self.depart(i, out, now);
                        self.dispatch(i, now);
                    }
                }
            }
        }
    }

    fn arrive(&mut self, now: Millis, publisher: String, message: Message) {
        let key = message.routing_keys.first().cloned().unwrap_or_default();
        let names: Vec<String> = self.queues.iter().map(|q| q.queue.name.clone()).collect();
        let targets = self.exchanges.route(&message.exchange, &key, &[], |q| {
            names.iter().any(|n| n == q)
        });
        let delay = self.delay_ms;
        let mut confirm = None;
        if let Some((p, channel)) = self
            .publishers
            .iter_mut()
            .find(|(p, _)| p.producer == publisher)
        {
            let (seq, now_out) = channel.publish(&targets, false);
            if targets.is_empty() {
                p.stats.unroutable += 1;
            }
            confirm = Some(seq);
            for c in now_out {
                if let Confirm::Ack { seq } = c {
                    let publisher = publisher.clone();
                    let p = Pending::Confirm {
                        publisher,
                        seq,
                        ack: true,
                    };
                    self.agenda.insert((now + delay, self.next_agenda), p);
                    self.next_agenda += 1;
                }
            }
        }
        for q in targets {
            let Some(i) = self.queue_index(&q) else {
                continue;
            };
            let confirm = confirm.map(|seq| (publisher.clone(), seq));
            if self.queues[i].queue.args.queue_type == QueueType::Quorum {
                // The leader appends, a follower majority acknowledges: one more round trip.
                let message = message.clone();
                self.at(
                    now + 2 * delay,
                    Pending::Commit {
                        queue: q,
                        message,
                        confirm,
                    },
                );
            } else {
                self.enqueue(i, message.clone(), now, confirm);
            }
        }
    }

    fn enqueue(&mut self, i: usize, m: Message, now: Millis, confirm: Option<(String, u64)>) {
        let mut out = Departures::default();
        let e = &mut self.queues[i];
        let accepted = e.queue.enqueue(m, now, &mut out) == Enqueued::Accepted;
        if accepted {
            e.stats.enqueued += 1;
        } else {
            e.stats.refused += 1;
        }
        let name = e.queue.name.clone();
        if let Some((publisher, seq)) = confirm {
            let answers = self
                .publishers
                .iter_mut()
                .find(|(p, _)| p.producer == publisher)
                .map(|(_, channel)| channel.queue_answered(seq, &name, accepted))
                .unwrap_or_default();
            for c in answers {
                let (seq, ack) = match c {
                    Confirm::Ack { seq } => (seq, true),
                    Confirm::Nack { seq } => (seq, false),
                    Confirm::Return { .. } => continue,
                };
                let publisher = publisher.clone();
                self.at(
                    now + self.delay_ms,
                    Pending::Confirm {
                        publisher,
                        seq,
                        ack,
                    },
                );
            }
        }
        self.depart(i, out, now);
        self.dispatch(i, now);
    }

    /// Messages that left queue `i` otherwise than by an ack: counted, and the dead-lettered ones
    /// republished to the dead-letter exchange (at most once: no confirms, as by default).
    fn depart(&mut self, i: usize, out: Departures, now: Millis) {
        let mut work: Vec<(usize, Departures)> = vec![(i, out)];
        if self.hops.0 != now {
            self.hops = (now, 0);
        }
        while let Some((from, out)) = work.pop() {
            let name = self.queues[from].queue.name.clone();
            for (_, reason) in &out.dropped {
                self.queues[from].stats.dropped += 1;
                self.count_event(&name, *reason, false, "");
            }
            for m in out.dead_lettered {
                self.queues[from].stats.dead_lettered += 1;
                let reason = m
                    .x_death
                    .first()
                    .map_or(DeathReason::Rejected, |d| d.reason);
                self.count_event(&name, reason, true, &m.exchange.clone());
                self.hops.1 += 1;
                if self.hops.1 > DEAD_LETTER_HOPS {
                    continue;
                }
                let key = m.routing_keys.first().cloned().unwrap_or_default();
                let names: Vec<String> = self.queues.iter().map(|q| q.queue.name.clone()).collect();
                let targets = self
                    .exchanges
                    .route(&m.exchange, &key, &[], |q| names.iter().any(|n| n == q));
                // A cycle without a reject on the way is dropped (RS rabbit_dead_letter).
                let rejected = m.x_death.iter().any(|d| d.reason == DeathReason::Rejected);
                for q in targets {
                    if !rejected && m.x_death.iter().any(|d| d.queue == q) {
                        continue;
                    }
                    let Some(to) = self.queue_index(&q) else {
                        continue;
                    };
                    let mut more = Departures::default();
                    let e = &mut self.queues[to];
                    if e.queue.enqueue(m.clone(), now, &mut more) == Enqueued::Accepted {
                        e.stats.enqueued += 1;
                    } else {
                        e.stats.refused += 1;
                    }
                    work.push((to, more));
                    self.dispatch(to, now);
                }
            }
        }
        self.schedule_expiry(i);
    }

    fn count_event(&mut self, queue: &str, reason: DeathReason, dead: bool, exchange: &str) {
        let slot = self
            .events
            .entry((queue.to_string(), reason, dead))
            .or_insert_with(|| (exchange.to_string(), 0));
        slot.1 += 1;
    }

    fn schedule_expiry(&mut self, i: usize) {
        let e = &mut self.queues[i];
        let Some(t) = e.queue.ready().next().and_then(|m| m.expires_at) else {
            return;
        };
        if e.expire_at.is_some_and(|s| s <= t) {
            return;
        }
        e.expire_at = Some(t);
        let queue = e.queue.name.clone();
        self.at(t, Pending::Expire { queue });
    }

    /// Pushes what queue `i` can deliver now to its consumers, each over the network.
    fn dispatch(&mut self, i: usize, now: Millis) {
        let mut out = Departures::default();
        let e = &mut self.queues[i];
        let deliveries = e.dispatcher.dispatch(&mut e.queue, now, &mut out);
        for d in &deliveries {
            e.stats.delivered += 1;
            if d.message.redelivered {
                e.stats.redelivered += 1;
            }
        }
        let queue = e.queue.name.clone();
        for d in deliveries {
            let id = self
                .consumers
                .iter()
                .find(|(_, c, _)| c.name == d.consumer && c.queue == queue)
                .map(|(id, _, _)| *id);
            if let Some(consumer) = id {
                let t = now + self.delay_ms;
                self.at(
                    t,
                    Pending::Deliver {
                        consumer,
                        delivery: d,
                    },
                );
            }
        }
        if !out.dead_lettered.is_empty() || !out.dropped.is_empty() {
            self.depart(i, out, now);
        }
        self.schedule_expiry(i);
    }
}
