//! The RabbitMQ subjects of a check: a queue, a RabbitMQ consumer, a mirrored publisher (named
//! by its Kafka producer). Latencies are over the last five to ten seconds, in milliseconds.

use super::{count, Clause, Value};
use crate::view::Snapshot;

pub(super) fn measure(c: &Clause, s: &Snapshot) -> Result<Value, String> {
    let missing = || format!("there is no {} {}", c.kind, c.name);
    let r = s
        .rabbit
        .as_ref()
        .ok_or_else(|| format!("there is no RabbitMQ here, so no {} {}", c.kind, c.name))?;
    let m = c.metric.as_str();
    match c.kind {
        "queue" => {
            let q = r
                .queues
                .iter()
                .find(|q| q.name == c.name)
                .ok_or_else(missing)?;
            let n = &q.counts;
            count(match m {
                "ready" => q.ready,
                "unacked" => q.unacked,
                "consumers" => u64::from(q.consumers),
                "enqueued" => n.enqueued,
                "refused" => n.refused,
                "delivered" => n.delivered,
                "redelivered" => n.redelivered,
                "acked" => n.acked,
                "dead_lettered" => n.dead_lettered,
                "dropped" => n.dropped,
                _ => n.order_violations,
            })
        }
        "rabbit_consumer" => {
            let k = r
                .consumers
                .iter()
                .find(|k| k.name == c.name)
                .ok_or_else(missing)?;
            count(match m {
                "delivered" => k.delivered,
                "redelivered" => k.redelivered,
                "acked" => k.acked,
                "rejected" => k.rejected,
                "unacked" => k.unacked,
                "backlog" => k.backlog,
                "latency_p50" => k.delivery_latency.p50_ms,
                "latency_p99" => k.delivery_latency.p99_ms,
                "ack_latency_p50" => k.ack_latency.p50_ms,
                _ => k.ack_latency.p99_ms,
            })
        }
        _ => {
            let p = r
                .publishers
                .iter()
                .find(|p| p.producer == c.name)
                .ok_or_else(missing)?;
            count(match m {
                "published" => p.published,
                "acked" => p.acked,
                "nacked" => p.nacked,
                "unroutable" => p.unroutable,
                "unconfirmed" => p.unconfirmed,
                "confirm_p50" => p.confirm_latency.p50_ms,
                _ => p.confirm_latency.p99_ms,
            })
        }
    }
}
