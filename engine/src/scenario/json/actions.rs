//! Actions, internally tagged by `type` (`{"type": "kill_broker", "broker": 1}`), and what
//! they hold: offset reset targets, partitions, fault rules, headers.

use serde_json::Value;

use super::{invalid, named, At, FromJson, Obj};
use crate::action::{Action, LinkFaults, PartitionRef, ResetTo, StreamsSpec, WindowSpec};
use crate::log::record::Header;
use crate::rabbit::{ArgValue, Arguments};

/// Every action's `type`, in the order of [`Action`]'s variants.
const ACTION_TYPES: [&str; 40] = [
    "create_topic",
    "delete_topic",
    "increase_partitions",
    "add_producer",
    "remove_producer",
    "set_load",
    "set_rate",
    "produce_record",
    "add_consumer",
    "remove_consumer",
    "crash_consumer",
    "pause_consumer",
    "resume_consumer",
    "set_isolation",
    "set_processing_time",
    "begin_transaction",
    "commit_transaction",
    "abort_transaction",
    "add_processor",
    "crash_processor",
    "restart_processor",
    "set_faults",
    "delete_group",
    "reset_offsets",
    "kill_broker",
    "restart_broker",
    "slow_broker",
    "declare_exchange",
    "declare_queue",
    "bind_queue",
    "publish_to_rabbit",
    "add_rabbit_consumer",
    "close_rabbit_consumer",
    "add_share_consumer",
    "crash_share_consumer",
    "add_streams_app",
    "crash_streams_instance",
    "restart_streams_instance",
    "add_materialized_view",
    "set_costs",
];

impl FromJson for Action {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "an action (an object with a type)")?;
        let table: Vec<(&str, usize)> = ACTION_TYPES.iter().copied().zip(0..).collect();
        let Some(kind) = o.with("type", |v, at| named(v, at, &table))? else {
            return Err(at.error("missing field `type`"));
        };
        let a = match ACTION_TYPES[kind] {
            "create_topic" => Action::CreateTopic {
                name: o.req("name")?,
                partitions: o.req("partitions")?,
                config: o.or_default("config")?,
            },
            "delete_topic" => Action::DeleteTopic {
                name: o.req("name")?,
            },
            "increase_partitions" => Action::IncreasePartitions {
                topic: o.req("topic")?,
                partitions: o.req("partitions")?,
            },
            "add_producer" => Action::AddProducer {
                name: o.or_default("name")?,
                config: o.or_default("config")?,
                load: o.or_default("load")?,
            },
            "remove_producer" => Action::RemoveProducer {
                producer: o.req("producer")?,
            },
            "set_load" => Action::SetLoad {
                producer: o.req("producer")?,
                load: o.req("load")?,
            },
            "set_rate" => Action::SetRate {
                producer: o.req("producer")?,
                rate: o.req("rate")?,
            },
            "produce_record" => Action::ProduceRecord {
                producer: o.req("producer")?,
                topic: o.req("topic")?,
                partition: o.or_default("partition")?,
                key: o.or_default("key")?,
                value: o.or_default("value")?,
                headers: o.or_default("headers")?,
            },
            "add_consumer" => Action::AddConsumer {
                name: o.or_default("name")?,
                config: o.or_default("config")?,
                topics: o.or_default("topics")?,
                assign: o.or_default("assign")?,
            },
            "remove_consumer" => Action::RemoveConsumer {
                consumer: o.req("consumer")?,
            },
            "crash_consumer" => Action::CrashConsumer {
                consumer: o.req("consumer")?,
            },
            "pause_consumer" => Action::PauseConsumer {
                consumer: o.req("consumer")?,
            },
            "resume_consumer" => Action::ResumeConsumer {
                consumer: o.req("consumer")?,
            },
            "set_isolation" => Action::SetIsolation {
                consumer: o.req("consumer")?,
                level: o.req("level")?,
            },
            "set_processing_time" => Action::SetProcessingTime {
                consumer: o.req("consumer")?,
                us: o.req("us")?,
            },
            "begin_transaction" => Action::BeginTransaction {
                producer: o.req("producer")?,
            },
            "commit_transaction" => Action::CommitTransaction {
                producer: o.req("producer")?,
            },
            "abort_transaction" => Action::AbortTransaction {
                producer: o.req("producer")?,
            },
            "add_processor" => Action::AddProcessor {
                name: o.req("name")?,
                input: o.req("input")?,
                output: o.req("output")?,
                group: o.or_default("group")?,
                guarantee: o.req("guarantee")?,
                processing_us: o.or_default("processing_us")?,
            },
            "crash_processor" => Action::CrashProcessor {
                processor: o.req("processor")?,
            },
            "restart_processor" => Action::RestartProcessor {
                processor: o.req("processor")?,
            },
            "set_faults" => Action::SetFaults {
                faults: o.req("faults")?,
            },
            "delete_group" => Action::DeleteGroup {
                group: o.req("group")?,
            },
            "reset_offsets" => Action::ResetOffsets {
                group: o.req("group")?,
                topic: o.or_default("topic")?,
                to: o.req("to")?,
            },
            "kill_broker" => Action::KillBroker {
                broker: o.req("broker")?,
            },
            "restart_broker" => Action::RestartBroker {
                broker: o.req("broker")?,
            },
            "slow_broker" => Action::SlowBroker {
                broker: o.req("broker")?,
                delay_ms: o.req("delay_ms")?,
            },
            "declare_exchange" => Action::DeclareExchange {
                name: o.req("name")?,
                kind: o.req("kind")?,
            },
            "declare_queue" => Action::DeclareQueue {
                name: o.req("name")?,
                arguments: o.or_default("arguments")?,
            },
            "bind_queue" => Action::BindQueue {
                exchange: o.req("exchange")?,
                queue: o.req("queue")?,
                routing_key: o.or_default("routing_key")?,
            },
            "publish_to_rabbit" => Action::PublishToRabbit {
                producer: o.req("producer")?,
                exchange: o.req("exchange")?,
                routing_key: o.or_default("routing_key")?,
            },
            "add_rabbit_consumer" => Action::AddRabbitConsumer {
                name: o.req("name")?,
                queue: o.req("queue")?,
                prefetch: o.or_default("prefetch")?,
                processing_us: o.or_default("processing_us")?,
                poison_key: o.or_default("poison_key")?,
                requeue_poison: o.or_default("requeue_poison")?,
            },
            "close_rabbit_consumer" => Action::CloseRabbitConsumer {
                consumer: o.req("consumer")?,
            },
            "add_share_consumer" => Action::AddShareConsumer {
                name: o.req("name")?,
                group: o.req("group")?,
                topic: o.req("topic")?,
                processing_us: o.or_default("processing_us")?,
                poison_key: o.or_default("poison_key")?,
                reject_poison: o.or_default("reject_poison")?,
                lock_ms: o.or_default("lock_ms")?,
                delivery_limit: o.or_default("delivery_limit")?,
                auto_offset_reset: o.or_default("auto_offset_reset")?,
                max_record_locks: o.or_default("max_record_locks")?,
            },
            "crash_share_consumer" => Action::CrashShareConsumer {
                consumer: o.req("consumer")?,
            },
            "add_streams_app" => Action::AddStreamsApp {
                spec: StreamsSpec {
                    application_id: o.req("application_id")?,
                    input: o.req("input")?,
                    output: o.req("output")?,
                    instances: o.or("instances", 1)?,
                    window: o.req("window")?,
                    aggregation: o.or("aggregation", "count".to_string())?,
                    filter: o.or_default("filter")?,
                    select_key: o.or_default("select_key")?,
                    total_output: o.or_default("total_output")?,
                    emit: o.or("emit", "cached".to_string())?,
                    guarantee: o.or("guarantee", "at_least_once".to_string())?,
                    commit_interval_ms: o.or_default("commit_interval_ms")?,
                    on_error: o.or("on_error", "fail".to_string())?,
                    dead_letter_topic: o.or_default("dead_letter_topic")?,
                    processing_us: o.or_default("processing_us")?,
                    session_timeout_ms: o.or_default("session_timeout_ms")?,
                },
            },
            "crash_streams_instance" => Action::CrashStreamsInstance {
                instance: o.req("instance")?,
            },
            "restart_streams_instance" => Action::RestartStreamsInstance {
                instance: o.req("instance")?,
            },
            "set_costs" => Action::SetCosts {
                costs: o.req("costs")?,
            },
            _ => Action::AddMaterializedView {
                name: o.req("name")?,
                topic: o.req("topic")?,
            },
        };
        o.done(a)
    }
}

/// A declaration's `x-` arguments: an object of numbers, strings and booleans, kept sorted by
/// name (their order means nothing to RabbitMQ, and a share link reads back what it wrote).
impl FromJson for Arguments {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let Value::Object(map) = v else {
            return Err(invalid(
                v,
                at,
                "an object of x- arguments ({\"x-message-ttl\": 60000})",
            ));
        };
        let mut list = Vec::new();
        for (k, value) in map {
            let here = at.key(k);
            let arg = match value {
                Value::Bool(b) => ArgValue::Bool(*b),
                Value::String(s) => ArgValue::Str(s.clone()),
                Value::Number(_) => ArgValue::Int(i64::from_json(value, &here)?),
                other => return Err(invalid(other, &here, "a number, a string or true/false")),
            };
            list.push((k.clone(), arg));
        }
        list.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Arguments(list))
    }
}

impl FromJson for WindowSpec {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a window (an object with a kind)")?;
        let w = WindowSpec {
            kind: o.req("kind")?,
            size_ms: o.req("size_ms")?,
            advance_ms: o.or_default("advance_ms")?,
            grace_ms: o.or_default("grace_ms")?,
        };
        o.done(w)
    }
}

impl FromJson for ResetTo {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "an offset reset target (an object with a type)")?;
        let kinds = [
            ("earliest", 0),
            ("latest", 1),
            ("offset", 2),
            ("timestamp", 3),
            ("shift_by", 4),
        ];
        let to = match o.with("type", |v, at| named(v, at, &kinds))? {
            None => return Err(at.error("missing field `type`")),
            Some(0) => ResetTo::Earliest,
            Some(1) => ResetTo::Latest,
            Some(2) => ResetTo::Offset {
                offset: o.req("offset")?,
            },
            Some(3) => ResetTo::Timestamp { ms: o.req("ms")? },
            Some(_) => ResetTo::ShiftBy { by: o.req("by")? },
        };
        o.done(to)
    }
}

impl FromJson for PartitionRef {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a partition (an object with topic and partition)")?;
        let p = PartitionRef {
            topic: o.req("topic")?,
            partition: o.req("partition")?,
        };
        o.done(p)
    }
}

impl FromJson for LinkFaults {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a fault rule (an object)")?;
        let f = LinkFaults {
            producer: o.or_default("producer")?,
            broker: o.or_default("broker")?,
            drop_requests_percent: o.or_default("drop_requests_percent")?,
            drop_responses_percent: o.or_default("drop_responses_percent")?,
            reject_requests_percent: o.or_default("reject_requests_percent")?,
            extra_delay_ms: o.or_default("extra_delay_ms")?,
        };
        o.done(f)
    }
}

/// Headers are not `deny_unknown_fields` in the format: extra fields are ignored.
impl FromJson for Header {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a header (an object with key and value)")?;
        Ok(Header {
            key: o.req("key")?,
            value: o.req("value")?,
        })
    }
}
