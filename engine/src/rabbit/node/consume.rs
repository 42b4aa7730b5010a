//! The consuming half of the node: deliveries crossing to their consumer, the application
//! working through them at its pace, and acks or rejects crossing back (RW `docs/consumers.md`,
//! `docs/confirms.md` "Consumer Acknowledgements"). One ack per message: a queue has no offset
//! that one commit could move past many.

use super::{Answer, Pending, RabbitNode};
use crate::ground::Millis;
use crate::rabbit::client::OnPoison;
use crate::rabbit::dispatch::{Delivery, Return, Tags};
use crate::rabbit::queue::Departures;

impl RabbitNode {
    pub(super) fn deliver(&mut self, now: Millis, consumer: u64, d: Delivery) {
        let Some((_, c, _)) = self.consumer_slot(consumer) else {
            return; // its channel closed on the way: the queue has it back already
        };
        c.stats.delivered += 1;
        if d.message.redelivered {
            c.stats.redelivered += 1;
        }
        c.delivery_latency.record(now, d.message.published_at, 1);
        if c.inbox.is_empty() {
            // Idle until now: it starts on this one as it arrives.
            c.free_at_us = c.free_at_us.max(now * 1000);
        }
        c.inbox.push_back(d);
        self.schedule_work(now, consumer);
    }

    pub(super) fn schedule_work(&mut self, now: Millis, consumer: u64) {
        let Some((_, c, work_at)) = self.consumer_slot(consumer) else {
            return;
        };
        let Some(done_us) = c.next_done_us() else {
            return;
        };
        let t = done_us.div_ceil(1000).max(now);
        if work_at.is_some_and(|w| w <= t && w >= now) {
            return;
        }
        *work_at = Some(t);
        self.at(t, Pending::Work { consumer });
    }

    /// The application finishes what is due by `now`, answering each message.
    pub(super) fn work(&mut self, now: Millis, consumer: u64) {
        let delay = self.delay_ms;
        let mut answers = Vec::new();
        let queue;
        {
            let Some((_, c, work_at)) = self.consumer_slot(consumer) else {
                return;
            };
            if *work_at == Some(now) {
                *work_at = None;
            }
            while let Some(done) = c.next_done_us().filter(|&d| d <= now * 1000) {
                let Some(d) = c.inbox.pop_front() else { break };
                c.free_at_us = done;
                let poison = c.poison_key.is_some() && d.message.key == c.poison_key;
                let answer = match (poison, c.on_poison) {
                    (false, _) => Answer::Ack,
                    (true, OnPoison::Requeue) => Answer::Reject { requeue: true },
                    (true, OnPoison::DeadLetter) => Answer::Reject { requeue: false },
                };
                answers.push((d, answer));
            }
            queue = c.queue.clone();
        }
        if let Some(i) = self.queue_index(&queue) {
            let stats = &mut self.queues[i].stats;
            for (d, answer) in &answers {
                let (Some(k), Answer::Ack) = (d.message.key, answer) else {
                    continue;
                };
                let seen = stats.key_order.entry(k).or_insert(0);
                if *seen > d.message.id {
                    stats.order_violations += 1;
                } else {
                    *seen = d.message.id;
                }
            }
        }
        for (d, answer) in answers {
            self.at(
                now + delay,
                Pending::Settle {
                    consumer,
                    tag: d.delivery_tag,
                    answer,
                    published_at: d.message.published_at,
                },
            );
        }
        self.schedule_work(now, consumer);
    }

    pub(super) fn settle(
        &mut self,
        now: Millis,
        consumer: u64,
        tag: u64,
        answer: Answer,
        sent: Millis,
    ) {
        let Some((_, c, _)) = self.consumer_slot(consumer) else {
            return; // the channel closed: its unacked messages were requeued then
        };
        let (name, queue) = (c.name.clone(), c.queue.clone());
        let Some(i) = self.queue_index(&queue) else {
            return;
        };
        let mut out = Departures::default();
        let e = &mut self.queues[i];
        let settled = match answer {
            Answer::Ack => e.dispatcher.ack(&name, tag, false).map(|m| m.len() as u64),
            Answer::Reject { requeue } => {
                let how = if requeue {
                    Return::RejectRequeue
                } else {
                    Return::Discard
                };
                let tags = Tags::one(tag);
                e.dispatcher
                    .nack(&mut e.queue, &name, tags, how, now, &mut out)
                    .map(|_| 0)
            }
        };
        let Ok(acked) = settled else {
            return;
        };
        e.stats.acked += acked;
        if let Some((_, c, _)) = self.consumer_slot(consumer) {
            match answer {
                Answer::Ack => {
                    c.stats.acked += acked;
                    c.ack_latency.record(now, sent, acked as u32);
                }
                Answer::Reject { .. } => c.stats.rejected += 1,
            }
        }
        self.depart(i, out, now);
        self.dispatch(i, now);
    }
}
