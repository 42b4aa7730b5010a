//! The RabbitMQ node as the page and the lessons read it: exchanges with their bindings, queues
//! with what is ready and unacknowledged and where messages went, consumers with their prefetch
//! and latencies, and the mirrored publishers with their confirms.

use serde::Serialize;

use crate::ground::latency::LatencySummary;
use crate::ground::Millis;
use crate::rabbit::{DeadLetterStrategy, Destination, OnPoison, Overflow, QueueArgs, QueueType};
use crate::sim::Simulation;

/// How many ready messages a queue view lists from its head.
pub const QUEUE_HEAD: usize = 24;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BindingView {
    /// The queue (or `exchange:NAME` for an exchange-to-exchange binding).
    pub destination: String,
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeView {
    pub name: String,
    pub kind: String,
    pub bindings: Vec<BindingView>,
}

/// A ready message near the head of a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub id: u64,
    pub key: Option<String>,
    pub routing_key: String,
    pub redelivered: bool,
    /// Returns counting toward a quorum queue's delivery limit.
    pub delivery_count: u32,
    /// The latest `x-death` reason, for a dead-lettered message.
    pub death: Option<String>,
}

/// Where a queue's messages went.
pub use crate::rabbit::QueueStats as QueueCounts;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueView {
    pub name: String,
    /// `classic` or `quorum`.
    pub queue_type: String,
    /// Its `x-` arguments as `name=value`, for the card.
    pub arguments: Vec<String>,
    pub declared_at: Millis,
    pub ready: u64,
    pub unacked: u64,
    pub consumers: u32,
    pub counts: QueueCounts,
    /// The first ready messages (at most [`QUEUE_HEAD`]).
    pub head: Vec<MessageView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RabbitConsumerView {
    pub name: String,
    pub queue: String,
    pub prefetch: u32,
    pub processing_us: u64,
    /// Delivered and not yet acknowledged (the prefetch caps it).
    pub unacked: u64,
    /// Delivered and not yet processed by the application.
    pub backlog: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub acked: u64,
    pub rejected: u64,
    pub poison_key: Option<String>,
    pub requeue_poison: bool,
    /// From publish to delivery at the consumer.
    pub delivery_latency: LatencySummary,
    /// From publish to the ack reaching the broker.
    pub ack_latency: LatencySummary,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublisherView {
    pub producer: String,
    pub exchange: String,
    pub routing_key: String,
    pub published: u64,
    pub acked: u64,
    pub nacked: u64,
    pub unroutable: u64,
    pub unconfirmed: u64,
    /// From publish to its confirm.
    pub confirm_latency: LatencySummary,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RabbitView {
    pub exchanges: Vec<ExchangeView>,
    pub queues: Vec<QueueView>,
    pub consumers: Vec<RabbitConsumerView>,
    pub publishers: Vec<PublisherView>,
}

/// A queue's arguments as RabbitMQ's management UI lists them.
pub fn describe_arguments(a: &QueueArgs) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = a.message_ttl {
        out.push(format!("x-message-ttl={t}"));
    }
    if let Some(n) = a.max_length {
        out.push(format!("x-max-length={n}"));
    }
    if let Some(n) = a.max_length_bytes {
        out.push(format!("x-max-length-bytes={n}"));
    }
    if a.max_length.is_some() || a.max_length_bytes.is_some() {
        out.push(format!(
            "x-overflow={}",
            match a.overflow {
                Overflow::DropHead => "drop-head",
                Overflow::RejectPublish => "reject-publish",
                Overflow::RejectPublishDlx => "reject-publish-dlx",
            }
        ));
    }
    if let Some(x) = &a.dead_letter_exchange {
        out.push(format!("x-dead-letter-exchange={x}"));
    }
    if let Some(k) = &a.dead_letter_routing_key {
        out.push(format!("x-dead-letter-routing-key={k}"));
    }
    if a.dead_letter_strategy == DeadLetterStrategy::AtLeastOnce {
        out.push("x-dead-letter-strategy=at-least-once".into());
    }
    if a.queue_type == QueueType::Quorum {
        out.push(match a.effective_delivery_limit() {
            Some(n) => format!("x-delivery-limit={n}"),
            None => "x-delivery-limit=-1 (unlimited)".into(),
        });
    }
    if let Some(t) = a.expires {
        out.push(format!("x-expires={t}"));
    }
    if a.single_active_consumer {
        out.push("x-single-active-consumer=true".into());
    }
    out
}

impl Simulation {
    /// RabbitMQ's state, or `None` when the scenario has no RabbitMQ.
    pub fn rabbit_view(&self) -> Option<RabbitView> {
        let node = self.rabbit();
        if node.is_empty() {
            return None;
        }
        let now = self.now();
        let key_text = |k: Option<u32>| k.and_then(|k| self.keys().text(k)).map(|t| t.into_owned());
        let exchanges = node
            .exchanges
            .iter()
            .map(|e| ExchangeView {
                name: e.name.clone(),
                kind: e.kind.as_str().to_string(),
                bindings: e
                    .bindings
                    .iter()
                    .map(|b| BindingView {
                        destination: match &b.destination {
                            Destination::Queue(q) => q.clone(),
                            Destination::Exchange(x) => format!("exchange:{x}"),
                        },
                        key: b.key.clone(),
                    })
                    .collect(),
            })
            .collect();
        let queues = node
            .queues()
            .iter()
            .map(|q| QueueView {
                name: q.queue.name.clone(),
                queue_type: match q.queue.args.queue_type {
                    QueueType::Classic => "classic".into(),
                    QueueType::Quorum => "quorum".into(),
                },
                arguments: describe_arguments(&q.queue.args),
                declared_at: q.declared_at,
                ready: q.queue.ready_len() as u64,
                unacked: q.unacked() as u64,
                consumers: q.dispatcher.subscribers().len() as u32,
                counts: q.stats.clone(),
                head: q
                    .queue
                    .ready()
                    .take(QUEUE_HEAD)
                    .map(|m| MessageView {
                        id: m.id,
                        key: key_text(m.key),
                        routing_key: m.routing_keys.first().cloned().unwrap_or_default(),
                        redelivered: m.redelivered,
                        delivery_count: m.delivery_count,
                        death: m.x_death.first().map(|d| d.reason.as_str().to_string()),
                    })
                    .collect(),
            })
            .collect();
        let consumers = node
            .consumers()
            .map(|c| {
                let unacked = node
                    .queue(&c.queue)
                    .and_then(|q| q.dispatcher.subscribers().iter().find(|s| s.tag == c.name))
                    .map_or(0, |s| s.unacked.len() as u64);
                RabbitConsumerView {
                    name: c.name.clone(),
                    queue: c.queue.clone(),
                    prefetch: c.prefetch,
                    processing_us: c.processing_us,
                    unacked,
                    backlog: c.backlog() as u64,
                    delivered: c.stats.delivered,
                    redelivered: c.stats.redelivered,
                    acked: c.stats.acked,
                    rejected: c.stats.rejected,
                    poison_key: key_text(c.poison_key),
                    requeue_poison: c.on_poison == OnPoison::Requeue,
                    delivery_latency: c.delivery_latency(now),
                    ack_latency: c.ack_latency(now),
                }
            })
            .collect();
        let publishers = node
            .publishers()
            .map(|p| PublisherView {
                producer: p.producer.clone(),
                exchange: p.exchange.clone(),
                routing_key: p.routing_key.0.clone(),
                published: p.stats.published,
                acked: p.stats.acked,
                nacked: p.stats.nacked,
                unroutable: p.stats.unroutable,
                unconfirmed: p.unconfirmed() as u64,
                confirm_latency: p.confirm_latency(now),
            })
            .collect();
        Some(RabbitView {
            exchanges,
            queues,
            consumers,
            publishers,
        })
    }
}
