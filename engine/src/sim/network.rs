//! The network between clients and brokers: a fixed one-way delay, and fault rules that decide
//! each produce request's and response's fate (pass, delay, drop), in the manner of turmoil's
//! ordered rules.
//!
//! A connection is a TCP stream: when a message on it is lost, the connection is broken and
//! nothing more gets through in either direction until the producer gives up on it at
//! `request.timeout.ms`, closes it, fails every request in flight on it and retries their
//! batches on a new one. If the broker had appended them (the response was what got lost), the
//! retries append them again unless the producer is idempotent: that is how duplicates come
//! about, by mechanism, not by drawing. (It is also why the broker remembers five batches per
//! producer: at most five requests are in flight on a connection.) A rejected request is
//! answered with NOT_LEADER_OR_FOLLOWER without being appended, as during a leadership change:
//! retried while later requests succeed, its batches land out of order unless idempotence
//! refuses the gap. Each decision draws from the network's own seeded generator.
//!
//! Simplification: faults apply to produce traffic only; fetches and group requests always pass.

use crate::ground::BrokerId;
use crate::ground::{Millis, Rng};

/// A rule with the producer resolved to its index.
#[derive(Clone, Debug)]
pub(super) struct Rule {
    pub producer: Option<u32>,
    pub broker: Option<BrokerId>,
    pub drop_requests: f64,
    pub drop_responses: f64,
    pub reject_requests: f64,
    pub extra_delay_ms: u64,
}

/// What happens to one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    Deliver {
        at: Millis,
    },
    Drop,
    /// Answer at `at` with a retriable error instead of delivering.
    Reject {
        at: Millis,
    },
}

#[derive(Clone)]
pub(super) struct Network {
    pub delay_ms: Millis,
    pub rules: Vec<Rule>,
    rng: Rng,
    /// Broken connections (producer, broker): nothing gets through until the producer closes it.
    broken: Vec<(u32, BrokerId)>,
}

impl Network {
    pub fn new(delay_ms: Millis, rng: Rng) -> Self {
        Network {
            delay_ms,
            rules: Vec::new(),
            rng,
            broken: Vec::new(),
        }
    }

    /// The producer closed its connection to the broker (after a request timeout).
    pub fn reconnect(&mut self, producer: u32, broker: BrokerId) {
        self.broken.retain(|&l| l != (producer, broker));
    }

    pub fn is_broken(&self, producer: u32, broker: BrokerId) -> bool {
        self.broken.contains(&(producer, broker))
    }

    /// The fate of a produce message between `producer` and `broker` sent at `now`; the first
    /// matching rule decides.
    pub fn produce_fate(
        &mut self,
        now: Millis,
        producer: u32,
        broker: BrokerId,
        response: bool,
    ) -> Fate {
        let base = now + self.delay_ms;
        if self.is_broken(producer, broker) {
            return Fate::Drop;
        }
        let Some(rule) = self.rules.iter().find(|r| {
            r.producer.is_none_or(|p| p == producer) && r.broker.is_none_or(|b| b == broker)
        }) else {
            return Fate::Deliver { at: base };
        };
        let drop = if response {
            rule.drop_responses
        } else {
            rule.drop_requests
        };
        if drop > 0.0 && self.rng.unit() * 100.0 < drop {
            self.broken.push((producer, broker));
            return Fate::Drop;
        }
        if !response && rule.reject_requests > 0.0 && self.rng.unit() * 100.0 < rule.reject_requests
        {
            return Fate::Reject {
                at: base + self.delay_ms + 2 * rule.extra_delay_ms,
            };
        }
        Fate::Deliver {
            at: base + rule.extra_delay_ms,
        }
    }
}
