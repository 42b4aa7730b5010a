//! A queue's messages: ready ones in FIFO order, and where each goes when it expires, overflows,
//! is rejected or is returned too often (RW `docs/ttl.md`, `docs/maxlength/index.md`,
//! `docs/dlx.md`, `docs/confirms.md`, `docs/quorum-queues/index.md`).
//!
//! The queue is plain data driven by the caller's clock: it never looks at time itself, so the
//! simulation stays deterministic. What it gives back says what happened in RabbitMQ's words: a
//! refused publish (`reject-publish`, a `basic.nack` to a confirming publisher), messages to
//! dead-letter with their `x-death` reason, or messages dropped for want of a dead-letter exchange.

use std::collections::VecDeque;

use super::queue_args::{Overflow, QueueArgs, QueueType};
use crate::ground::Millis;

/// Why a message left its queue for the dead-letter exchange (the `x-death` reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeathReason {
    Rejected,
    Expired,
    Maxlen,
    DeliveryLimit,
}

impl DeathReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeathReason::Rejected => "rejected",
            DeathReason::Expired => "expired",
            DeathReason::Maxlen => "maxlen",
            DeathReason::DeliveryLimit => "delivery_limit",
        }
    }
}

/// One entry of a message's `x-death` header: compressed per (queue, reason), most recent first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Death {
    pub queue: String,
    pub reason: DeathReason,
    pub count: u32,
    /// When it first happened.
    pub time: Millis,
    pub exchange: String,
    pub routing_keys: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The publisher's sequence number (confirms start at 1), for the audit.
    pub id: u64,
    /// The key of the record it mirrors (the simulation's key table), for the order audit and the
    /// consumer's poison key; RabbitMQ itself has no keys.
    pub key: Option<crate::log::KeyId>,
    pub exchange: String,
    pub routing_keys: Vec<String>,
    pub body_bytes: u32,
    pub published_at: Millis,
    /// When it expires in this queue: the earlier of its own `expiration` and the queue's TTL
    /// from when it was enqueued; kept across requeues.
    pub expires_at: Option<Millis>,
    /// Its own `expiration` property (ms), removed when it is dead-lettered.
    pub expiration: Option<u64>,
    /// Delivered before (and returned).
    pub redelivered: bool,
    /// Returns that count toward a quorum queue's delivery limit (`x-delivery-count`).
    pub delivery_count: u32,
    pub x_death: Vec<Death>,
}

/// What enqueueing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Enqueued {
    Accepted,
    /// Full with `reject-publish`: refused (a confirming publisher gets `basic.nack`); with
    /// `reject-publish-dlx` also dead-lettered (in `dead`).
    Refused,
}

/// Messages that left the queue other than by an ack: to the dead-letter exchange if the queue
/// has one (the caller routes them), else dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Departures {
    pub dead_lettered: Vec<Message>,
    pub dropped: Vec<(Message, DeathReason)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    pub name: String,
    pub args: QueueArgs,
    ready: VecDeque<Message>,
}

impl Queue {
    pub fn new(name: &str, args: QueueArgs) -> Queue {
        Queue {
            name: name.to_string(),
            args,
            ready: VecDeque::new(),
        }
    }

    pub fn ready(&self) -> impl Iterator<Item = &Message> {
        self.ready.iter()
    }

    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    fn ready_bytes(&self) -> u64 {
        self.ready.iter().map(|m| u64::from(m.body_bytes)).sum()
    }

    fn over_limit(&self, extra: u64, extra_bytes: u64) -> bool {
        self.args
            .max_length
            .is_some_and(|n| self.ready.len() as u64 + extra > n)
            || self
                .args
                .max_length_bytes
                .is_some_and(|n| self.ready_bytes() + extra_bytes > n)
    }

    /// A published message arrives at `now`. Only ready messages count toward the length limits;
    /// `drop-head` makes room by removing the oldest, `reject-publish` refuses the newest.
    pub fn enqueue(&mut self, mut m: Message, now: Millis, out: &mut Departures) -> Enqueued {
        let bytes = u64::from(m.body_bytes);
        if self.over_limit(1, bytes) {
            match self.args.overflow {
                Overflow::DropHead => {
                    while self.over_limit(1, bytes) {
                        let Some(old) = self.ready.pop_front() else {
                            break;
                        };
                        self.depart(old, DeathReason::Maxlen, now, out);
                    }
                }
                Overflow::RejectPublish => return Enqueued::Refused,
                Overflow::RejectPublishDlx => {
                    self.depart(m, DeathReason::Maxlen, now, out);
                    return Enqueued::Refused;
                }
            }
        }
        let queue_ttl = self.args.message_ttl.map(|t| now + t);
        let own = m.expiration.map(|t| now + t);
        m.expires_at = match (queue_ttl, own) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.ready.push_back(m);
        Enqueued::Accepted
    }

    /// The next message to deliver at `now`. Expired messages are removed only when they reach
    /// the head (so an expired one behind a live one waits there, counted in the length).
    pub fn take(&mut self, now: Millis, out: &mut Departures) -> Option<Message> {
        self.expire_head(now, out);
        self.ready.pop_front()
    }

    /// Removes (or dead-letters) the expired messages at the head.
    pub fn expire_head(&mut self, now: Millis, out: &mut Departures) {
        while self
            .ready
            .front()
            .is_some_and(|m| m.expires_at.is_some_and(|t| t <= now))
        {
            if let Some(m) = self.ready.pop_front() {
                self.depart(m, DeathReason::Expired, now, out);
            }
        }
    }

    /// A delivered message comes back: a `nack`/`reject` with `requeue=true`, or its consumer's
    /// channel closed. `failed` says whether the return counts toward a quorum queue's delivery
    /// limit (4.3: rejects and crashes do, nacks do not). A classic queue puts it back where it
    /// was as far as it can (here: at the head, before anything published after it); a quorum
    /// queue with a delivery limit near the head too; past the limit it is dead-lettered.
    pub fn requeue(&mut self, mut m: Message, failed: bool, now: Millis, out: &mut Departures) {
        m.redelivered = true;
        if failed {
            m.delivery_count += 1;
        }
        if let Some(limit) = self.args.effective_delivery_limit() {
            if u64::from(m.delivery_count) > limit {
                self.depart(m, DeathReason::DeliveryLimit, now, out);
                return;
            }
        }
        if self.args.queue_type == QueueType::Quorum
            && self.args.effective_delivery_limit().is_none()
        {
            // With the limit off, a quorum queue returns it to the back (4.0 to 4.2).
            self.ready.push_back(m);
            return;
        }
        // Back in publication order among the ready messages.
        let at = self
            .ready
            .iter()
            .position(|r| r.id > m.id)
            .unwrap_or(self.ready.len());
        self.ready.insert(at, m);
    }

    /// A delivered message rejected with `requeue=false`: dead-lettered (reason `rejected`) or
    /// dropped.
    pub fn reject(&mut self, m: Message, now: Millis, out: &mut Departures) {
        self.depart(m, DeathReason::Rejected, now, out);
    }

    /// A message leaves for `reason`: with a dead-letter exchange, with its `x-death` updated
    /// and its own expiration removed; else dropped.
    fn depart(&self, mut m: Message, reason: DeathReason, now: Millis, out: &mut Departures) {
        if self.args.dead_letter_exchange.is_none() {
            out.dropped.push((m, reason));
            return;
        }
        match m
            .x_death
            .iter()
            .position(|d| d.queue == self.name && d.reason == reason)
        {
            Some(i) => {
                let mut d = m.x_death.remove(i);
                d.count += 1;
                m.x_death.insert(0, d);
            }
            None => m.x_death.insert(
                0,
                Death {
                    queue: self.name.clone(),
                    reason,
                    count: 1,
                    time: now,
                    exchange: m.exchange.clone(),
                    routing_keys: m.routing_keys.clone(),
                },
            ),
        }
        m.expiration = None;
        m.expires_at = None;
        // Republished with the dead-letter routing key if one is set, else its own keys.
        if let Some(key) = &self.args.dead_letter_routing_key {
            m.routing_keys = vec![key.clone()];
        }
        if let Some(x) = &self.args.dead_letter_exchange {
            m.exchange = x.clone();
        }
        out.dead_lettered.push(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rabbit::queue_args::ArgValue;

    fn msg(id: u64, bytes: u32) -> Message {
        Message {
            id,
            key: None,
            exchange: "orders".into(),
            routing_keys: vec!["orders.eu".into()],
            body_bytes: bytes,
            published_at: 0,
            expires_at: None,
            expiration: None,
            redelivered: false,
            delivery_count: 0,
            x_death: Vec::new(),
        }
    }

    fn queue(pairs: &[(&str, ArgValue)]) -> Queue {
        let args: Vec<(String, ArgValue)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Queue::new("work", QueueArgs::parse(&args).unwrap())
    }

    fn ids(q: &Queue) -> Vec<u64> {
        q.ready().map(|m| m.id).collect()
    }

    #[test]
    fn drop_head_makes_room_by_dead_lettering_the_oldest() {
        // docs/maxlength: drop-head (the default) drops or dead-letters the oldest.
        let mut q = queue(&[
            ("x-max-length", ArgValue::Int(2)),
            ("x-dead-letter-exchange", ArgValue::Str("dlx".into())),
        ]);
        let mut out = Departures::default();
        for id in 1..=3 {
            assert_eq!(q.enqueue(msg(id, 10), 0, &mut out), Enqueued::Accepted);
        }
        assert_eq!(ids(&q), vec![2, 3]);
        assert_eq!(out.dead_lettered.len(), 1);
        let dead = &out.dead_lettered[0];
        assert_eq!((dead.id, dead.exchange.as_str()), (1, "dlx"));
        assert_eq!(dead.x_death[0].reason, DeathReason::Maxlen);
        assert_eq!(
            dead.x_death[0].exchange, "orders",
            "the exchange it was published to"
        );
    }

    #[test]
    fn reject_publish_refuses_the_newest() {
        let mut q = queue(&[
            ("x-max-length-bytes", ArgValue::Int(25)),
            ("x-overflow", ArgValue::Str("reject-publish".into())),
        ]);
        let mut out = Departures::default();
        assert_eq!(q.enqueue(msg(1, 10), 0, &mut out), Enqueued::Accepted);
        assert_eq!(q.enqueue(msg(2, 10), 0, &mut out), Enqueued::Accepted);
        assert_eq!(q.enqueue(msg(3, 10), 0, &mut out), Enqueued::Refused);
        assert_eq!(ids(&q), vec![1, 2]);
        assert_eq!(out, Departures::default(), "refused, not dead-lettered");
    }

    #[test]
    fn expiry_happens_at_the_head_only() {
        // docs/ttl.md: expired messages are removed when they reach the head; an expired one
        // behind a live one waits (and counts).
        let mut q = queue(&[("x-message-ttl", ArgValue::Int(1000))]);
        let mut out = Departures::default();
        let mut long = msg(1, 1);
        long.expiration = None;
        q.enqueue(long, 0, &mut out);
        let mut short = msg(2, 1);
        short.expiration = Some(10);
        q.enqueue(short, 0, &mut out);
        q.expire_head(500, &mut out);
        assert_eq!(ids(&q), vec![1, 2], "2 expired at 10 ms but waits behind 1");
        assert_eq!(q.take(500, &mut out).map(|m| m.id), Some(1));
        assert_eq!(
            q.take(500, &mut out),
            None,
            "2 reached the head expired: gone"
        );
        assert_eq!(
            out.dropped,
            vec![(
                {
                    let mut m = msg(2, 1);
                    m.expiration = Some(10);
                    m.expires_at = Some(10);
                    m
                },
                DeathReason::Expired
            )]
        );
    }

    #[test]
    fn a_quorum_queue_dead_letters_past_its_delivery_limit() {
        // docs/quorum-queues: default limit 20; past it, dead-lettered as delivery_limit.
        let mut q = queue(&[
            ("x-queue-type", ArgValue::Str("quorum".into())),
            ("x-dead-letter-exchange", ArgValue::Str("dlx".into())),
            ("x-dead-letter-routing-key", ArgValue::Str("poison".into())),
        ]);
        let mut out = Departures::default();
        q.enqueue(msg(1, 1), 0, &mut out);
        for n in 1..=20 {
            let m = q.take(n, &mut out).unwrap();
            q.requeue(m, true, n, &mut out);
            assert_eq!(q.ready_len(), 1, "return {n} is within the limit");
        }
        let m = q.take(21, &mut out).unwrap();
        assert!(m.redelivered);
        assert_eq!(m.delivery_count, 20);
        q.requeue(m, true, 21, &mut out);
        assert_eq!(q.ready_len(), 0);
        let dead = &out.dead_lettered[0];
        assert_eq!(dead.routing_keys, vec!["poison"]);
        assert_eq!(dead.x_death[0].reason.as_str(), "delivery_limit");
        assert_eq!(
            dead.x_death[0].routing_keys,
            vec!["orders.eu"],
            "the keys it had"
        );
        // A nack (4.3: not a failed return) does not count.
        let mut q2 = queue(&[("x-queue-type", ArgValue::Str("quorum".into()))]);
        q2.enqueue(msg(7, 1), 0, &mut out);
        for n in 0..50 {
            let m = q2.take(n, &mut out).unwrap();
            q2.requeue(m, false, n, &mut out);
        }
        assert_eq!(q2.ready_len(), 1);
    }

    #[test]
    fn a_requeued_message_goes_back_in_publication_order_and_x_death_compresses() {
        let mut q = queue(&[("x-dead-letter-exchange", ArgValue::Str("dlx".into()))]);
        let mut out = Departures::default();
        for id in 1..=3 {
            q.enqueue(msg(id, 1), 0, &mut out);
        }
        let first = q.take(0, &mut out).unwrap();
        let second = q.take(0, &mut out).unwrap();
        q.requeue(second, false, 1, &mut out);
        q.requeue(first, false, 1, &mut out);
        assert_eq!(ids(&q), vec![1, 2, 3]);
        assert!(q.ready().take(2).all(|m| m.redelivered));
        // Rejected twice from the same queue (dead-lettered back into it, say): one x-death
        // entry for (work, rejected) with count 2, its first time kept, most recent first.
        let m = q.take(2, &mut out).unwrap();
        q.reject(m, 2, &mut out);
        let again = out.dead_lettered.pop().unwrap();
        q.enqueue(again, 3, &mut out);
        assert_eq!(
            ids(&q),
            vec![2, 3, 1],
            "back at the tail: it was published again"
        );
        let m = (0..3).filter_map(|_| q.take(4, &mut out)).last().unwrap();
        assert_eq!(m.id, 1);
        q.reject(m, 5, &mut out);
        let twice = out.dead_lettered.pop().unwrap();
        assert_eq!(twice.x_death.len(), 1);
        assert_eq!((twice.x_death[0].count, twice.x_death[0].time), (2, 2));
    }
}
