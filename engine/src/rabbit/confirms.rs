//! Publisher confirms on one channel (RW `docs/confirms.md`, "Publisher Confirms"): after
//! `confirm.select` the broker numbers the channel's publishes from 1 and answers each with
//! `basic.ack`, or `basic.nack` when a queue refused it (`x-overflow=reject-publish`). A routable
//! message is acked once **every** queue it went to has accepted it; an unroutable one at once,
//! after its `basic.return` when it was published `mandatory`. Acks may come out of publish order.
//! (The broker may also coalesce several into one ack with `multiple`; a client counts both alike,
//! so this model acks each number on its own.)

/// What the broker sends the publisher about one publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// `basic.return`: mandatory and unroutable (sent before its ack).
    Return {
        seq: u64,
    },
    Ack {
        seq: u64,
    },
    Nack {
        seq: u64,
    },
}

/// One publish waiting for its queues.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    seq: u64,
    /// Queues that have not accepted it yet.
    waiting: Vec<String>,
    refused: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confirms {
    next_seq: u64,
    pending: Vec<Pending>,
}

impl Confirms {
    /// A publish: its sequence number, and what is sent at once (for an unroutable message).
    pub fn publish(&mut self, queues: &[String], mandatory: bool) -> (u64, Vec<Confirm>) {
        self.next_seq += 1;
        let seq = self.next_seq;
        if queues.is_empty() {
            let mut out = Vec::new();
            if mandatory {
                out.push(Confirm::Return { seq });
            }
            out.push(Confirm::Ack { seq });
            return (seq, out);
        }
        self.pending.push(Pending {
            seq,
            waiting: queues.to_vec(),
            refused: false,
        });
        (seq, Vec::new())
    }

    /// Queue `queue` accepted publish `seq` (persisted, or a Raft majority has it), or refused it.
    pub fn queue_answered(&mut self, seq: u64, queue: &str, accepted: bool) -> Vec<Confirm> {
        let Some(i) = self.pending.iter().position(|p| p.seq == seq) else {
            return Vec::new();
        };
        let p = &mut self.pending[i];
        p.waiting.retain(|q| q != queue);
        p.refused |= !accepted;
        if !p.waiting.is_empty() {
            return Vec::new();
        }
        let p = self.pending.remove(i);
        if p.refused {
            vec![Confirm::Nack { seq }]
        } else {
            vec![Confirm::Ack { seq }]
        }
    }

    /// Publishes not yet confirmed.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qs(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn numbers_start_at_1_and_an_ack_waits_for_every_queue() {
        let mut c = Confirms::default();
        let (seq, now) = c.publish(&qs(&["a", "b"]), false);
        assert_eq!((seq, now), (1, vec![]));
        assert!(
            c.queue_answered(1, "a", true).is_empty(),
            "b has not accepted it yet"
        );
        assert_eq!(
            c.queue_answered(1, "b", true),
            vec![Confirm::Ack { seq: 1 }]
        );
        assert_eq!(c.outstanding(), 0);
    }

    #[test]
    fn an_unroutable_message_is_acked_at_once_after_its_return_if_mandatory() {
        let mut c = Confirms::default();
        assert_eq!(c.publish(&[], false), (1, vec![Confirm::Ack { seq: 1 }]));
        assert_eq!(
            c.publish(&[], true),
            (2, vec![Confirm::Return { seq: 2 }, Confirm::Ack { seq: 2 }])
        );
    }

    #[test]
    fn a_refusing_queue_makes_a_nack_and_acks_come_out_of_order() {
        let mut c = Confirms::default();
        c.publish(&qs(&["slow"]), false);
        c.publish(&qs(&["full", "other"]), false);
        c.publish(&qs(&["fast"]), false);
        // 3 is acked before 1: out of publish order.
        assert_eq!(
            c.queue_answered(3, "fast", true),
            vec![Confirm::Ack { seq: 3 }]
        );
        c.queue_answered(2, "other", true);
        assert_eq!(
            c.queue_answered(2, "full", false),
            vec![Confirm::Nack { seq: 2 }]
        );
        assert_eq!(c.outstanding(), 1);
        assert_eq!(
            c.queue_answered(1, "slow", true),
            vec![Confirm::Ack { seq: 1 }]
        );
        // An answer for a number already settled, or never given, changes nothing.
        assert!(c.queue_answered(1, "slow", true).is_empty());
        assert!(c.queue_answered(99, "q", true).is_empty());
    }
}
