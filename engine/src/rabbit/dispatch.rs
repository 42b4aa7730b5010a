//! A queue's consumers: push dispatch round-robin, prefetch, acknowledgements (RW
//! `tutorials/tutorial-two-java.md`, `docs/confirms.md`, `docs/consumer-prefetch.md`,
//! `docs/consumers.md`).
//!
//! Competing consumers get the queue's messages in turn, each the next one, however busy they
//! are; `basic.qos(prefetch_count)` caps a consumer's unacknowledged deliveries (0: no cap; a
//! quorum queue caps "unlimited" at 2000), and a consumer at its cap is passed over until it acks.
//! Delivery tags count from 1 per consumer (one channel each). `basic.ack` with `multiple` acks
//! every outstanding tag up to the one given; an unknown tag is a channel error
//! (`PRECONDITION_FAILED - unknown delivery tag`). A consumer that goes away has its
//! unacknowledged messages requeued, marked redelivered. With `x-single-active-consumer` only the
//! first consumer registered gets messages, and the next takes over when it leaves.

use super::queue::{Departures, Message, Queue};
use super::queue_args::QueueType;
use crate::ground::Millis;

/// The quorum queues' cap on an "unlimited" prefetch.
pub const QUORUM_UNLIMITED_PREFETCH: u32 = 2000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscriber {
    pub tag: String,
    /// 0: no cap (but see [`QUORUM_UNLIMITED_PREFETCH`]).
    pub prefetch: u32,
    /// Delivered and not yet acknowledged, by delivery tag, oldest first.
    pub unacked: Vec<(u64, Message)>,
    next_delivery_tag: u64,
}

/// The deliveries an acknowledgement names: one tag, or with `multiple` every outstanding one up
/// to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tags {
    pub tag: u64,
    pub multiple: bool,
}

impl Tags {
    pub fn one(tag: u64) -> Tags {
        Tags {
            tag,
            multiple: false,
        }
    }

    pub fn up_to(tag: u64) -> Tags {
        Tags {
            tag,
            multiple: true,
        }
    }
}

/// What a negative acknowledgement asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Return {
    /// `basic.nack(requeue=true)`: back into the queue; not a failed delivery in 4.3.
    Requeue,
    /// `basic.reject(requeue=true)`: back, counted toward a quorum queue's delivery limit.
    RejectRequeue,
    /// `requeue=false`: dead-lettered (`rejected`), or dropped without a DLX.
    Discard,
}

/// One message handed to a consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub consumer: String,
    pub delivery_tag: u64,
    pub message: Message,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dispatcher {
    subscribers: Vec<Subscriber>,
    /// Whose turn is next.
    cursor: usize,
}

impl Dispatcher {
    pub fn subscribers(&self) -> &[Subscriber] {
        &self.subscribers
    }

    /// `basic.consume` with a prefetch (`basic.qos`) of `prefetch`.
    pub fn subscribe(&mut self, tag: &str, prefetch: u32) -> Result<(), String> {
        if self.subscribers.iter().any(|s| s.tag == tag) {
            return Err(format!(
                "consumer tag {} is in use on this queue (NOT_ALLOWED)",
                crate::ground::quote::quoted(tag)
            ));
        }
        self.subscribers.push(Subscriber {
            tag: tag.to_string(),
            prefetch,
            unacked: Vec::new(),
            next_delivery_tag: 1,
        });
        Ok(())
    }

    fn cap(queue: &Queue, prefetch: u32) -> u32 {
        match (prefetch, queue.args.queue_type) {
            (0, QueueType::Quorum) => QUORUM_UNLIMITED_PREFETCH,
            (0, QueueType::Classic) => u32::MAX,
            (n, _) => n,
        }
    }

    /// Pushes ready messages to consumers with room, in turn, until none has room or the queue
    /// is empty.
    pub fn dispatch(
        &mut self,
        queue: &mut Queue,
        now: Millis,
        out: &mut Departures,
    ) -> Vec<Delivery> {
        let mut deliveries = Vec::new();
        let n = self.subscribers.len();
        if n == 0 {
            return deliveries;
        }
        // Single active consumer: only the first registered one is served.
        let candidates = if queue.args.single_active_consumer {
            1
        } else {
            n
        };
        loop {
            let room = (0..candidates)
                .map(|k| (self.cursor + k) % candidates)
                .find(|&i| {
                    let s = &self.subscribers[i];
                    (s.unacked.len() as u64) < u64::from(Self::cap(queue, s.prefetch))
                });
            let Some(i) = room else { break };
            let Some(message) = queue.take(now, out) else {
                break;
            };
            let s = &mut self.subscribers[i];
            let delivery_tag = s.next_delivery_tag;
            s.next_delivery_tag += 1;
            s.unacked.push((delivery_tag, message.clone()));
            deliveries.push(Delivery {
                consumer: s.tag.clone(),
                delivery_tag,
                message,
            });
            self.cursor = (i + 1) % candidates;
        }
        deliveries
    }

    fn subscriber(&mut self, consumer: &str) -> Result<&mut Subscriber, String> {
        self.subscribers
            .iter_mut()
            .find(|s| s.tag == consumer)
            .ok_or_else(|| {
                format!(
                    "there is no consumer {}",
                    crate::ground::quote::quoted(consumer)
                )
            })
    }

    /// Takes the deliveries `tag` names (with `multiple`, every outstanding one up to it).
    fn settle(&mut self, consumer: &str, tag: u64, multiple: bool) -> Result<Vec<Message>, String> {
        let s = self.subscriber(consumer)?;
        if !s.unacked.iter().any(|(t, _)| *t == tag) {
            return Err(format!(
                "PRECONDITION_FAILED - unknown delivery tag {tag} (acknowledged twice, or never \
                 delivered to {consumer})"
            ));
        }
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut s.unacked)
            .into_iter()
            .partition(|(t, _)| *t == tag || (multiple && *t < tag));
        s.unacked = kept;
        Ok(taken.into_iter().map(|(_, m)| m).collect())
    }

    /// `basic.ack`: the messages are done and gone from the queue for good.
    pub fn ack(
        &mut self,
        consumer: &str,
        tag: u64,
        multiple: bool,
    ) -> Result<Vec<Message>, String> {
        self.settle(consumer, tag, multiple)
    }

    /// `basic.nack` or `basic.reject` (`multiple=false`): see [`Return`].
    pub fn nack(
        &mut self,
        queue: &mut Queue,
        consumer: &str,
        tags: Tags,
        how: Return,
        now: Millis,
        out: &mut Departures,
    ) -> Result<(), String> {
        for m in self.settle(consumer, tags.tag, tags.multiple)? {
            match how {
                Return::Requeue => queue.requeue(m, false, now, out),
                Return::RejectRequeue => queue.requeue(m, true, now, out),
                Return::Discard => queue.reject(m, now, out),
            }
        }
        Ok(())
    }

    /// The consumer's channel closed (a crash, a lost connection, or a cancel): its
    /// unacknowledged messages go back, redelivered, and count as failed returns.
    pub fn close(
        &mut self,
        queue: &mut Queue,
        consumer: &str,
        now: Millis,
        out: &mut Departures,
    ) -> Result<(), String> {
        let i = self
            .subscribers
            .iter()
            .position(|s| s.tag == consumer)
            .ok_or_else(|| {
                format!(
                    "there is no consumer {}",
                    crate::ground::quote::quoted(consumer)
                )
            })?;
        let s = self.subscribers.remove(i);
        for (_, m) in s.unacked {
            queue.requeue(m, true, now, out);
        }
        // The turn stays with whoever was next.
        if self.cursor > i {
            self.cursor -= 1;
        }
        if self.cursor >= self.subscribers.len() {
            self.cursor = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rabbit::queue_args::{ArgValue, QueueArgs};

    fn msg(id: u64) -> Message {
        Message {
            id,
            key: None,
            exchange: String::new(),
            routing_keys: vec!["work".into()],
            body_bytes: 1,
            published_at: 0,
            expires_at: None,
            expiration: None,
            redelivered: false,
            delivery_count: 0,
            x_death: Vec::new(),
        }
    }

    fn work(n: u64, args: &[(&str, ArgValue)]) -> Queue {
        let args: Vec<(String, ArgValue)> = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let mut q = Queue::new("work", QueueArgs::parse(&args).unwrap());
        let mut out = Departures::default();
        for id in 1..=n {
            q.enqueue(msg(id), 0, &mut out);
        }
        q
    }

    fn who(ds: &[Delivery]) -> Vec<(String, u64)> {
        ds.iter()
            .map(|d| (d.consumer.clone(), d.message.id))
            .collect()
    }

    #[test]
    fn competing_consumers_take_turns() {
        // Tutorial two, "Round-robin dispatching": each consumer gets the next n-th message.
        let mut q = work(6, &[]);
        let mut d = Dispatcher::default();
        for c in ["c1", "c2", "c3"] {
            d.subscribe(c, 0).unwrap();
        }
        let ds = d.dispatch(&mut q, 0, &mut Departures::default());
        let order: Vec<String> = ds
            .iter()
            .map(|x| format!("{}:{}", x.consumer, x.message.id))
            .collect();
        assert_eq!(order, ["c1:1", "c2:2", "c3:3", "c1:4", "c2:5", "c3:6"]);
        assert_eq!(ds[3].delivery_tag, 2, "tags count per consumer from 1");
    }

    #[test]
    fn prefetch_caps_unacked_deliveries_until_an_ack() {
        // docs/confirms.md, "Channel Prefetch Setting": at the cap, nothing more until an ack.
        let mut q = work(5, &[]);
        let mut d = Dispatcher::default();
        d.subscribe("slow", 1).unwrap();
        d.subscribe("fast", 2).unwrap();
        let mut out = Departures::default();
        let ds = d.dispatch(&mut q, 0, &mut out);
        assert_eq!(
            who(&ds),
            vec![("slow".into(), 1), ("fast".into(), 2), ("fast".into(), 3)]
        );
        assert_eq!(q.ready_len(), 2);
        // fast acks both at once (multiple): two more for it; slow still holds its one.
        let done = d.ack("fast", 2, true).unwrap();
        assert_eq!(done.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2, 3]);
        let ds = d.dispatch(&mut q, 0, &mut out);
        assert_eq!(who(&ds), vec![("fast".into(), 4), ("fast".into(), 5)]);
        // Twice, or a tag never given: a channel error.
        assert!(d
            .ack("fast", 2, false)
            .unwrap_err()
            .starts_with("PRECONDITION_FAILED - unknown delivery tag 2"));
    }

    #[test]
    fn a_nack_with_requeue_reorders_what_another_consumer_sees() {
        // docs/queues.md, "Message ordering": with several consumers a redelivery is seen out
        // of order, marked redelivered.
        let mut q = work(4, &[]);
        let mut d = Dispatcher::default();
        d.subscribe("a", 1).unwrap();
        d.subscribe("b", 3).unwrap();
        let mut out = Departures::default();
        d.dispatch(&mut q, 0, &mut out);
        d.nack(&mut q, "a", Tags::one(1), Return::Requeue, 0, &mut out)
            .unwrap();
        d.ack("b", 3, true).unwrap();
        let ds = d.dispatch(&mut q, 0, &mut out);
        assert_eq!(who(&ds), vec![("a".into(), 1)]);
        assert!(ds[0].message.redelivered);
    }

    #[test]
    fn a_closed_consumers_messages_come_back_redelivered() {
        // docs/confirms.md, "Automatic Requeueing".
        let mut q = work(3, &[]);
        let mut d = Dispatcher::default();
        d.subscribe("crashy", 0).unwrap();
        let mut out = Departures::default();
        d.dispatch(&mut q, 0, &mut out);
        d.subscribe("steady", 0).unwrap();
        d.close(&mut q, "crashy", 5, &mut out).unwrap();
        let ds = d.dispatch(&mut q, 5, &mut out);
        assert_eq!(
            who(&ds),
            vec![
                ("steady".into(), 1),
                ("steady".into(), 2),
                ("steady".into(), 3)
            ]
        );
        assert!(ds
            .iter()
            .all(|x| x.message.redelivered && x.message.delivery_count == 1));
    }

    #[test]
    fn a_single_active_consumer_gets_everything_until_it_leaves() {
        let mut q = work(4, &[("x-single-active-consumer", ArgValue::Bool(true))]);
        let mut d = Dispatcher::default();
        d.subscribe("first", 2).unwrap();
        d.subscribe("second", 10).unwrap();
        let mut out = Departures::default();
        let ds = d.dispatch(&mut q, 0, &mut out);
        assert_eq!(who(&ds), vec![("first".into(), 1), ("first".into(), 2)]);
        d.close(&mut q, "first", 1, &mut out).unwrap();
        let ds = d.dispatch(&mut q, 1, &mut out);
        assert_eq!(ds.len(), 4, "second takes over, in order");
        assert_eq!(
            ds.iter().map(|x| x.message.id).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
    }

    #[test]
    fn a_quorum_queue_caps_unlimited_prefetch_at_2000() {
        let mut q = work(2500, &[("x-queue-type", ArgValue::Str("quorum".into()))]);
        let mut d = Dispatcher::default();
        d.subscribe("greedy", 0).unwrap();
        let ds = d.dispatch(&mut q, 0, &mut Departures::default());
        assert_eq!(ds.len(), 2000);
        assert_eq!(q.ready_len(), 500);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// No message is lost or delivered twice unless it was requeued (and then it says so),
        /// and no consumer ever holds more than its prefetch.
        #[test]
        fn deliveries_are_conserved_and_prefetch_holds(
            ops in proptest::collection::vec((0u8..5, 0usize..3, proptest::bool::ANY), 1..120),
        ) {
            let mut q = work(0, &[]);
            let mut d = Dispatcher::default();
            let prefetch = [1u32, 2, 5];
            for (i, p) in prefetch.iter().enumerate() {
                d.subscribe(&format!("c{i}"), *p).unwrap();
            }
            let mut out = Departures::default();
            let mut published = 0u64;
            let mut acked: Vec<u64> = Vec::new();
            let mut first_deliveries: Vec<u64> = Vec::new();
            for (op, who, flag) in ops {
                let c = format!("c{who}");
                match op {
                    0 => {
                        published += 1;
                        q.enqueue(msg(published), 0, &mut out);
                    }
                    1 => {
                        for x in d.dispatch(&mut q, 0, &mut out) {
                            if !x.message.redelivered {
                                proptest::prop_assert!(!first_deliveries.contains(&x.message.id));
                                first_deliveries.push(x.message.id);
                            }
                        }
                    }
                    2 => {
                        let tag = d.subscribers().iter().find(|s| s.tag == c).and_then(|s| s.unacked.first().map(|(t, _)| *t));
                        if let Some(tag) = tag {
                            acked.extend(d.ack(&c, tag, flag).unwrap().iter().map(|m| m.id));
                        }
                    }
                    3 => {
                        let tag = d.subscribers().iter().find(|s| s.tag == c).and_then(|s| s.unacked.last().map(|(t, _)| *t));
                        if let Some(tag) = tag {
                            d.nack(&mut q, &c, Tags { tag, multiple: flag }, Return::Requeue, 0, &mut out).unwrap();
                        }
                    }
                    _ => {
                        if d.subscribers().iter().any(|s| s.tag == c) {
                            d.close(&mut q, &c, 0, &mut out).unwrap();
                            d.subscribe(&c, prefetch[who]).unwrap();
                        }
                    }
                }
                for s in d.subscribers() {
                    proptest::prop_assert!(s.unacked.len() as u32 <= s.prefetch);
                }
                // Every message published is in exactly one place.
                let mut seen: Vec<u64> = q.ready().map(|m| m.id).collect();
                seen.extend(d.subscribers().iter().flat_map(|s| s.unacked.iter().map(|(_, m)| m.id)));
                seen.extend(acked.iter().copied());
                seen.sort_unstable();
                proptest::prop_assert_eq!(seen, (1..=published).collect::<Vec<_>>());
            }
            proptest::prop_assert_eq!(out, Departures::default(), "nothing dead-lettered or dropped");
        }
    }
}
