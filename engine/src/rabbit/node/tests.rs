//! The node end to end, on its own clock: routing, confirms, push delivery, acks, requeues,
//! dead-lettering, each at the virtual time the network and the application make it happen.

use super::*;
use crate::rabbit::client::OnPoison;
use crate::rabbit::queue::DeathReason;

fn s(v: &str) -> ArgValue {
    ArgValue::Str(v.to_string())
}

fn args(list: &[(&str, ArgValue)]) -> Vec<(String, ArgValue)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A node with a delay of 1 ms, a topic exchange `orders` and queue `work` bound with `#`.
fn node(queue_args: &[(&str, ArgValue)]) -> RabbitNode {
    let mut n = RabbitNode::new(1);
    n.declare_exchange("orders", "topic").unwrap();
    n.declare_queue("work", &args(queue_args), 0).unwrap();
    n.bind_queue("orders", "work", "#", vec![]).unwrap();
    n.add_publisher("p", "orders", "orders.{region}").unwrap();
    n
}

fn run(n: &mut RabbitNode, to: Millis) {
    while let Some(t) = n.next_deadline().filter(|&t| t <= to) {
        n.on_timer(t);
    }
}

fn consumer(name: &str, prefetch: u32, us: u64) -> RabbitConsumer {
    RabbitConsumer::new(name, "work", prefetch, us)
}

/// RW docs/confirms.md, docs/consumers.md: publish, route, confirm, push, process, ack; each
/// crossing takes the network's delay, and an acked message is gone.
#[test]
fn a_message_crosses_to_the_queue_to_the_consumer_and_is_gone_once_acked() {
    let mut n = node(&[]);
    n.add_consumer(consumer("c", 10, 0), 0).unwrap();
    n.publish(0, "p", Some(7), Some("user-7"), 100);
    run(&mut n, 1);
    assert_eq!(n.queue("work").unwrap().stats.enqueued, 1, "routed at 1 ms");
    run(&mut n, 2);
    let p = n.publisher("p").unwrap();
    assert_eq!(
        (p.stats.acked, p.unconfirmed()),
        (1, 0),
        "confirmed at 2 ms"
    );
    assert_eq!(p.confirm_latency(2).p50_ms, 2);
    let c = n.consumer("c").unwrap();
    assert_eq!(c.stats.delivered, 1, "delivered at 2 ms");
    assert_eq!(c.delivery_latency(2).p50_ms, 2);
    assert_eq!(
        n.queue("work").unwrap().unacked(),
        1,
        "unacked until the ack arrives"
    );
    run(&mut n, 3);
    let q = n.queue("work").unwrap();
    assert_eq!((q.stats.acked, q.unacked(), q.queue.ready_len()), (1, 0, 0));
    assert_eq!(n.consumer("c").unwrap().ack_latency(3).p50_ms, 3);
    assert_eq!(
        n.next_deadline(),
        None,
        "nothing left to do: nothing kept to replay"
    );
}

/// RW docs/quorum-queues: a quorum queue confirms (and delivers) once a Raft majority has the
/// message: one more round trip than a classic queue.
#[test]
fn a_quorum_queue_confirms_after_its_followers() {
    let mut n = node(&[("x-queue-type", s("quorum"))]);
    n.add_consumer(consumer("c", 10, 0), 0).unwrap();
    n.publish(0, "p", None, None, 10);
    run(&mut n, 3);
    assert_eq!(n.publisher("p").unwrap().stats.acked, 0);
    assert_eq!(
        n.queue("work").unwrap().stats.enqueued,
        1,
        "committed at 3 ms"
    );
    run(&mut n, 4);
    assert_eq!(
        n.publisher("p").unwrap().stats.acked,
        1,
        "confirmed at 4 ms"
    );
    assert_eq!(n.consumer("c").unwrap().stats.delivered, 1);
}

/// RW docs/consumer-prefetch.md: with prefetch 1, a consumer gets its next message only after
/// acking the last; competing consumers take turns.
#[test]
fn prefetch_holds_back_deliveries_and_consumers_take_turns() {
    let mut n = node(&[]);
    n.add_consumer(consumer("a", 1, 10_000), 0).unwrap();
    n.add_consumer(consumer("b", 1, 10_000), 0).unwrap();
    for t in 0..6 {
        n.publish(t, "p", None, None, 10);
    }
    run(&mut n, 8);
    let q = n.queue("work").unwrap();
    assert_eq!(q.unacked(), 2, "one each");
    assert_eq!(q.queue.ready_len(), 4);
    for s in q.dispatcher.subscribers() {
        assert!(s.unacked.len() <= 1);
    }
    run(&mut n, 200);
    let (a, b) = (n.consumer("a").unwrap(), n.consumer("b").unwrap());
    assert_eq!((a.stats.acked, b.stats.acked), (3, 3));
    assert_eq!(n.queue("work").unwrap().stats.acked, 6);
}

/// RW docs/exchanges.md: a message no binding matches is lost; a confirming publisher still gets
/// an ack for it (at once).
#[test]
fn an_unroutable_message_is_acked_and_lost() {
    let mut n = RabbitNode::new(1);
    n.declare_exchange("orders", "direct").unwrap();
    n.declare_queue("eu", &[], 0).unwrap();
    n.bind_queue("orders", "eu", "orders.eu", vec![]).unwrap();
    n.add_publisher("p", "orders", "orders.us").unwrap();
    n.publish(0, "p", None, None, 10);
    run(&mut n, 5);
    let p = n.publisher("p").unwrap();
    assert_eq!((p.stats.acked, p.stats.unroutable), (1, 1));
    assert_eq!(n.queue("eu").unwrap().stats.enqueued, 0);
}

/// RW docs/quorum-queues "Poison Message Handling": a message rejected with requeue again and
/// again is dead-lettered once it was returned more than the delivery limit (20 by default),
/// with `x-death` reason `delivery_limit`.
#[test]
fn a_poison_message_on_a_quorum_queue_ends_in_the_dead_letter_queue() {
    let mut n = node(&[
        ("x-queue-type", s("quorum")),
        ("x-dead-letter-exchange", s("dlx")),
    ]);
    n.declare_exchange("dlx", "fanout").unwrap();
    n.declare_queue("parked", &[], 0).unwrap();
    n.bind_queue("dlx", "parked", "", vec![]).unwrap();
    let mut c = consumer("c", 5, 0);
    c.poison_key = Some(13);
    c.on_poison = OnPoison::Requeue;
    n.add_consumer(c, 0).unwrap();
    n.publish(0, "p", Some(13), Some("user-13"), 10);
    n.publish(0, "p", Some(1), Some("user-1"), 10);
    run(&mut n, 1_000);
    let c = n.consumer("c").unwrap();
    assert_eq!(
        c.stats.delivered, 22,
        "the poison one 21 times, the good one once"
    );
    assert_eq!(c.stats.redelivered, 20);
    assert_eq!((c.stats.rejected, c.stats.acked), (21, 1));
    let parked = n.queue("parked").unwrap();
    assert_eq!(parked.queue.ready_len(), 1);
    let m = parked.queue.ready().next().unwrap();
    assert_eq!(m.x_death[0].reason, DeathReason::DeliveryLimit);
    assert_eq!(m.x_death[0].queue, "work");
    let events = n.take_events();
    assert!(events.contains(&RabbitEvent::DeadLettered {
        queue: "work".into(),
        reason: DeathReason::DeliveryLimit,
        exchange: "dlx".into(),
        count: 1,
    }));
}

/// RW docs/dlx.md: `basic.reject(requeue=false)` dead-letters with reason `rejected`; without a
/// dead-letter exchange the message is dropped.
#[test]
fn a_rejected_message_is_dead_lettered_or_dropped() {
    for dlx in [true, false] {
        let mut list = vec![];
        if dlx {
            list.push(("x-dead-letter-exchange", s("dlx")));
        }
        let mut n = node(&list);
        n.declare_exchange("dlx", "fanout").unwrap();
        n.declare_queue("parked", &[], 0).unwrap();
        n.bind_queue("dlx", "parked", "", vec![]).unwrap();
        let mut c = consumer("c", 5, 0);
        c.poison_key = Some(13);
        n.add_consumer(c, 0).unwrap();
        n.publish(0, "p", Some(13), Some("user-13"), 10);
        run(&mut n, 100);
        let work = &n.queue("work").unwrap().stats;
        let parked = n.queue("parked").unwrap();
        if dlx {
            assert_eq!((work.dead_lettered, work.dropped), (1, 0));
            let m = parked.queue.ready().next().unwrap();
            assert_eq!(m.x_death[0].reason, DeathReason::Rejected);
        } else {
            assert_eq!((work.dead_lettered, work.dropped), (0, 1));
            assert_eq!(parked.queue.ready_len(), 0);
        }
    }
}

/// RW docs/confirms.md "Automatic Requeueing": a consumer whose channel closes has its unacked
/// messages requeued, marked redelivered, and another consumer gets them, out of order.
#[test]
fn a_closed_consumer_s_messages_go_to_the_other_out_of_order() {
    let mut n = node(&[]);
    n.add_consumer(consumer("a", 3, 50_000), 0).unwrap();
    n.add_consumer(consumer("b", 3, 1_000), 0).unwrap();
    for t in 0..6 {
        n.publish(t, "p", Some(1), Some("user-1"), 10);
    }
    run(&mut n, 20);
    n.close_consumer("a", 20).unwrap();
    assert!(n.close_consumer("a", 20).is_err());
    run(&mut n, 200);
    let b = n.consumer("b").unwrap();
    assert_eq!(b.stats.acked, 6, "b did all six in the end");
    assert_eq!(b.stats.redelivered, 3, "a's three came back redelivered");
    let q = n.queue("work").unwrap();
    assert_eq!((q.stats.acked, q.queue.ready_len(), q.unacked()), (6, 0, 0));
    assert!(
        q.stats.order_violations > 0,
        "one key's messages processed out of order"
    );
}

/// RW docs/ttl.md: with `x-message-ttl` and nobody consuming, messages expire at the head and are
/// dead-lettered with reason `expired`.
#[test]
fn messages_expire_into_the_dead_letter_exchange() {
    let mut n = node(&[
        ("x-message-ttl", ArgValue::Int(1000)),
        ("x-dead-letter-exchange", s("dlx")),
    ]);
    n.declare_exchange("dlx", "fanout").unwrap();
    n.declare_queue("parked", &[], 0).unwrap();
    n.bind_queue("dlx", "parked", "", vec![]).unwrap();
    n.publish(0, "p", None, None, 10);
    n.publish(500, "p", None, None, 10);
    run(&mut n, 1000);
    assert_eq!(n.queue("work").unwrap().queue.ready_len(), 2);
    run(&mut n, 1001);
    assert_eq!(
        n.queue("work").unwrap().queue.ready_len(),
        1,
        "the first expired at 1001"
    );
    run(&mut n, 2000);
    assert_eq!(n.queue("work").unwrap().queue.ready_len(), 0);
    let parked = n.queue("parked").unwrap();
    assert_eq!(parked.queue.ready_len(), 2);
    assert!(parked
        .queue
        .ready()
        .all(|m| m.x_death[0].reason == DeathReason::Expired && m.expires_at.is_none()));
}

/// RW docs/maxlength: `reject-publish` refuses the newest message; a confirming publisher gets
/// `basic.nack` for it.
#[test]
fn a_full_queue_with_reject_publish_nacks_the_publisher() {
    let mut n = node(&[
        ("x-max-length", ArgValue::Int(2)),
        ("x-overflow", s("reject-publish")),
    ]);
    for t in 0..3 {
        n.publish(t, "p", None, None, 10);
    }
    run(&mut n, 10);
    let p = n.publisher("p").unwrap();
    assert_eq!((p.stats.acked, p.stats.nacked), (2, 1));
    assert_eq!(n.queue("work").unwrap().stats.refused, 1);
}

/// A queue bound after messages went by has none of them: a queue holds what was routed to it.
#[test]
fn a_queue_bound_late_sees_only_what_comes_after() {
    let mut n = node(&[]);
    n.publish(0, "p", None, None, 10);
    run(&mut n, 5);
    n.declare_queue("late", &[], 5).unwrap();
    n.bind_queue("orders", "late", "#", vec![]).unwrap();
    n.publish(5, "p", None, None, 10);
    run(&mut n, 10);
    assert_eq!(n.queue("work").unwrap().queue.ready_len(), 2);
    assert_eq!(n.queue("late").unwrap().queue.ready_len(), 1);
}

/// Bad declarations are refused with the field and the limit, and change nothing.
#[test]
fn bad_declarations_name_what_is_wrong_and_change_nothing() {
    let mut n = node(&[]);
    let before = n.clone();
    let e = n.declare_exchange("x", "fan-out").unwrap_err();
    assert!(e.contains("direct, fanout, topic or headers"), "{e}");
    let e = n
        .declare_queue("q", &args(&[("x-message-ttl", ArgValue::Int(-1))]), 0)
        .unwrap_err();
    assert!(e.contains("x-message-ttl"), "{e}");
    let e = n
        .declare_queue("q", &args(&[("x-overflow", s("drop-tail"))]), 0)
        .unwrap_err();
    assert!(e.contains("x-overflow") && e.contains("drop-head"), "{e}");
    let e = n.bind_queue("nowhere", "work", "#", vec![]).unwrap_err();
    assert!(e.contains("nowhere"), "{e}");
    let e = n.bind_queue("orders", "nothing", "#", vec![]).unwrap_err();
    assert!(e.contains("nothing"), "{e}");
    let e = n
        .declare_queue("work", &args(&[("x-max-length", ArgValue::Int(5))]), 0)
        .unwrap_err();
    assert!(
        e.contains("PRECONDITION_FAILED - inequivalent arguments"),
        "{e}"
    );
    let e = n.add_publisher("p2", "missing", "k").unwrap_err();
    assert!(e.contains("NOT_FOUND - no exchange \"missing\""), "{e}");
    let e = n
        .add_consumer(RabbitConsumer::new("c", "missing", 1, 0), 0)
        .unwrap_err();
    assert!(e.contains("NOT_FOUND - no queue \"missing\""), "{e}");
    let e = n.declare_queue("amq.x", &[], 0).unwrap_err();
    assert!(e.contains("reserved"), "{e}");
    assert_eq!(n, before);
    // The same declaration again is fine.
    n.declare_queue("work", &[], 0).unwrap();
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever is published, consumed, rejected or crashed: every message routed to the queue is
    /// in exactly one place (ready, unacked, acked or dropped), no consumer ever holds more than
    /// its prefetch, and a message comes again only marked redelivered (after a closed channel or a
    /// reject with requeue).
    #[test]
    fn messages_are_conserved_and_prefetch_holds(
        ops in proptest::collection::vec((0u8..6, 0u64..4, 1u64..30), 1..60),
    ) {
        let mut n = node(&[]);
        let mut now = 0;
        let mut names = 0;
        let mut closed = false;
        for (op, k, dt) in ops {
            match op {
                0..=2 => n.publish(now, "p", Some(k as u32), Some("k"), 10),
                3 => {
                    names += 1;
                    let mut c = consumer(&format!("c{names}"), k as u32, dt * 300);
                    c.poison_key = Some(3);
                    c.on_poison = if dt % 2 == 0 { OnPoison::Requeue } else { OnPoison::DeadLetter };
                    n.add_consumer(c, now).unwrap();
                }
                4 => {
                    let first = n.consumers().next().map(|c| c.name.clone());
                    if let Some(c) = first {
                        n.close_consumer(&c, now).unwrap();
                        closed = true;
                    }
                }
                _ => {}
            }
            now += dt;
            run(&mut n, now);
            let q = n.queue("work").unwrap();
            for s in q.dispatcher.subscribers() {
                let cap = if s.prefetch == 0 { u32::MAX } else { s.prefetch };
                proptest::prop_assert!(s.unacked.len() as u64 <= u64::from(cap));
            }
            let st = &q.stats;
            proptest::prop_assert_eq!(
                st.enqueued,
                q.queue.ready_len() as u64 + q.unacked() as u64 + st.acked + st.dropped
            );
            // A message is delivered without the redelivered flag once at most.
            proptest::prop_assert!(st.delivered - st.redelivered <= st.enqueued);
            if !closed && st.redelivered > 0 {
                // Without a closed channel, only a poison message comes back.
                proptest::prop_assert!(n.consumers().any(|c| c.stats.rejected > 0));
            }
        }
    }
}
