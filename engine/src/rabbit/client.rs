//! RabbitMQ's clients as the simulation runs them: a publisher that mirrors a Kafka producer's
//! load (every record it `send()`s is also published, so both brokers get the same input), and a
//! consumer on one queue with a prefetch, a processing time per message, and the application's
//! answer to each message (ack, or reject a poison key).

use std::collections::{BTreeMap, VecDeque};

use super::dispatch::Delivery;
use crate::ground::latency::{LatencySummary, LatencyWindow};
use crate::ground::{hash, Millis};
use crate::log::KeyId;

/// Longest routing key (AMQP 0-9-1 short string).
pub const MAX_ROUTING_KEY_BYTES: usize = 255;

/// Regions a routing key's `{region}` stands for, chosen by the record's key so that one key
/// always goes to one region (a real application would read it from the event).
pub const REGIONS: [&str; 3] = ["eu", "us", "apac"];

/// What the mirrored publisher puts in the routing key: a template in which `{key}` is the
/// record's key (`none` for a null key) and `{region}` one of [`REGIONS`] picked by the key's
/// murmur2 hash. `orders.{region}` gives `orders.eu`, `orders.us`, ...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingKeyTemplate(pub String);

impl RoutingKeyTemplate {
    pub fn parse(text: &str) -> Result<RoutingKeyTemplate, String> {
        if text.len() > MAX_ROUTING_KEY_BYTES {
            return Err(format!(
                "routing_key takes at most {MAX_ROUTING_KEY_BYTES} bytes; this one has {}",
                text.len()
            ));
        }
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err(format!(
                    "routing_key {} opens a {{ it does not close; it takes {{key}} and {{region}}",
                    crate::ground::quote::quoted(text)
                ));
            };
            let name = &rest[open + 1..open + close];
            if name != "key" && name != "region" {
                return Err(format!(
                    "routing_key {} has {{{name}}}; it takes {{key}} and {{region}}",
                    crate::ground::quote::quoted(text)
                ));
            }
            rest = &rest[open + close + 1..];
        }
        Ok(RoutingKeyTemplate(text.to_string()))
    }

    /// The routing key for a record with key `key`.
    pub fn render(&self, key: Option<&str>) -> String {
        let region = match key {
            Some(k) => REGIONS[hash::to_positive(hash::murmur2(k.as_bytes())) as usize % 3],
            None => REGIONS[0],
        };
        self.0
            .replace("{key}", key.unwrap_or("none"))
            .replace("{region}", region)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublisherStats {
    pub published: u64,
    /// `basic.ack`s received.
    pub acked: u64,
    /// `basic.nack`s received (a queue refused it: `reject-publish`).
    pub nacked: u64,
    /// Routed to no queue (acked at once, and lost).
    pub unroutable: u64,
}

/// A channel in confirm mode publishing every record of a Kafka producer's load.
#[derive(Clone, Debug, PartialEq)]
pub struct Publisher {
    /// The Kafka producer it mirrors.
    pub producer: String,
    pub exchange: String,
    pub routing_key: RoutingKeyTemplate,
    /// Publishes waiting for their confirm: sequence number to publish time.
    pub(super) waiting: BTreeMap<u64, Millis>,
    pub(super) next_seq: u64,
    pub stats: PublisherStats,
    /// From publish to the confirm's arrival.
    pub(super) confirm_latency: LatencyWindow,
}

impl Publisher {
    pub fn new(producer: &str, exchange: &str, routing_key: RoutingKeyTemplate) -> Publisher {
        Publisher {
            producer: producer.to_string(),
            exchange: exchange.to_string(),
            routing_key,
            waiting: BTreeMap::new(),
            next_seq: 0,
            stats: PublisherStats::default(),
            confirm_latency: LatencyWindow::default(),
        }
    }

    pub fn unconfirmed(&self) -> usize {
        self.waiting.len()
    }

    pub fn confirm_latency(&self, now: Millis) -> LatencySummary {
        self.confirm_latency.summary(now)
    }
}

/// What the application does with a message whose key is its poison key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnPoison {
    /// `basic.reject(requeue=true)`: back to the queue, again and again (a quorum queue's delivery
    /// limit ends it).
    Requeue,
    /// `basic.reject(requeue=false)`: dead-lettered (reason `rejected`), or dropped.
    DeadLetter,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumerStats {
    /// Deliveries received (first deliveries and redeliveries).
    pub delivered: u64,
    /// Of those, with the `redelivered` flag.
    pub redelivered: u64,
    pub acked: u64,
    pub rejected: u64,
}

/// A consumer on one queue (`basic.consume` with manual acks after `basic.qos`).
#[derive(Clone, Debug, PartialEq)]
pub struct RabbitConsumer {
    pub name: String,
    pub queue: String,
    pub prefetch: u32,
    /// The application's time per message, in microseconds.
    pub processing_us: u64,
    /// Messages with this key fail in the application.
    pub poison_key: Option<KeyId>,
    pub on_poison: OnPoison,
    /// Delivered and not yet processed, in arrival order.
    pub(super) inbox: VecDeque<Delivery>,
    /// When the application is free again, in virtual microseconds.
    pub(super) free_at_us: u64,
    pub stats: ConsumerStats,
    /// From publish to delivery at this consumer.
    pub(super) delivery_latency: LatencyWindow,
    /// From publish to its ack reaching the broker.
    pub(super) ack_latency: LatencyWindow,
}

impl RabbitConsumer {
    pub fn new(name: &str, queue: &str, prefetch: u32, processing_us: u64) -> RabbitConsumer {
        RabbitConsumer {
            name: name.to_string(),
            queue: queue.to_string(),
            prefetch,
            processing_us,
            poison_key: None,
            on_poison: OnPoison::DeadLetter,
            inbox: VecDeque::new(),
            free_at_us: 0,
            stats: ConsumerStats::default(),
            delivery_latency: LatencyWindow::default(),
            ack_latency: LatencyWindow::default(),
        }
    }

    /// Messages delivered and not yet processed.
    pub fn backlog(&self) -> usize {
        self.inbox.len()
    }

    pub fn delivery_latency(&self, now: Millis) -> LatencySummary {
        self.delivery_latency.summary(now)
    }

    pub fn ack_latency(&self, now: Millis) -> LatencySummary {
        self.ack_latency.summary(now)
    }

    /// When the message at the head of the inbox will be done, in microseconds: the application
    /// started on it when it finished the one before, or when it arrived to an idle application.
    pub(super) fn next_done_us(&self) -> Option<u64> {
        self.inbox
            .front()
            .map(|_| self.free_at_us + self.processing_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_takes_key_and_region_only() {
        let t = RoutingKeyTemplate::parse("orders.{region}.{key}").unwrap();
        let a = t.render(Some("user-1"));
        assert!(a.starts_with("orders.") && a.ends_with(".user-1"), "{a}");
        // One key, one region, every time.
        assert_eq!(t.render(Some("user-1")), a);
        assert_eq!(t.render(None), "orders.eu.none");
        let regions: std::collections::BTreeSet<String> = (0..50)
            .map(|i| t.render(Some(&format!("user-{i}"))))
            .map(|k| k.split('.').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(regions.len(), 3, "every region is used: {regions:?}");
        let e = RoutingKeyTemplate::parse("orders.{user}").unwrap_err();
        assert!(
            e.contains("{user}") && e.contains("{key} and {region}"),
            "{e}"
        );
        let e = RoutingKeyTemplate::parse("orders.{key").unwrap_err();
        assert!(e.contains("does not close"), "{e}");
        let e = RoutingKeyTemplate::parse(&"k".repeat(256)).unwrap_err();
        assert!(e.contains("at most 255 bytes; this one has 256"), "{e}");
    }
}
