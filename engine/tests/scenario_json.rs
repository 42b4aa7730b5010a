//! The scenario format's reader (`scenario::json`) reads back what the derived `Serialize`
//! writes: every field of every config under its own name, every action type and every named
//! setting. Two sources of names, kept in step by these tests.

use brokerlab_engine::scenario::json::{parse, read, FromJson};
use brokerlab_engine::*;
use serde::Serialize;
use serde_json::{json, Value};

/// `value`, read as `T` and written again, is `value`.
fn round_trips<T: FromJson + Serialize>(value: &Value) {
    let t: T = read(value).unwrap_or_else(|e| panic!("{value}: {e}"));
    assert_eq!(&serde_json::to_value(&t).unwrap(), value);
}

/// Every field of a config changed from its default, one at a time, is read into the field
/// that writes it: a name the reader spells differently, or reads into another field, fails.
fn every_field_round_trips<T: FromJson + Serialize + Default>() {
    let base = serde_json::to_value(T::default()).unwrap();
    let Value::Object(fields) = &base else {
        panic!("a config is an object")
    };
    assert!(fields.len() > 2);
    for (key, v) in fields {
        let changed = match v {
            Value::Bool(b) => Value::Bool(!b),
            Value::Number(n) if n.is_f64() => json!(n.as_f64().unwrap() + 0.25),
            Value::Number(n) if n.is_u64() => json!(n.as_u64().unwrap() + 1),
            Value::Number(n) => json!(n.as_i64().unwrap() + 1),
            Value::Null | Value::String(_) => continue,
            _ => continue,
        };
        let mut doc = base.clone();
        doc[key] = changed;
        round_trips::<T>(&doc);
    }
    round_trips::<T>(&base);
}

#[test]
fn every_config_field_is_read_under_its_written_name() {
    every_field_round_trips::<ClusterConfig>();
    every_field_round_trips::<TopicConfig>();
    every_field_round_trips::<ProducerConfig>();
    every_field_round_trips::<ConsumerConfig>();
    every_field_round_trips::<LinkFaults>();
}

/// The settings with names, each name as written, in the config that holds it.
#[test]
fn every_named_setting_round_trips() {
    let cases: &[(Value, &[Value])] = &[
        (
            serde_json::to_value(ProducerConfig::default()).unwrap(),
            &[
                json!({"acks": "0"}),
                json!({"acks": "1"}),
                json!({"acks": "all"}),
                json!({"partitioner.class": "round-robin"}),
                json!({"partitioner.class": "built-in"}),
                json!({"enable.idempotence": false}),
                json!({"transactional.id": "tx"}),
            ],
        ),
        (
            serde_json::to_value(TopicConfig::default()).unwrap(),
            &[
                json!({"cleanup.policy": "delete"}),
                json!({"cleanup.policy": "compact"}),
                json!({"cleanup.policy": "compact,delete"}),
            ],
        ),
        (
            serde_json::to_value(ConsumerConfig::default()).unwrap(),
            &[
                json!({"group.protocol": "consumer", "group.remote.assignor": "uniform"}),
                json!({"group.protocol": "classic", "group.remote.assignor": "range"}),
                json!({"partition.assignment.strategy":
                    ["range", "roundrobin", "sticky", "cooperative-sticky"]}),
                json!({"auto.offset.reset": "earliest"}),
                json!({"auto.offset.reset": "latest"}),
                json!({"auto.offset.reset": "none"}),
                json!({"isolation.level": "read_committed"}),
                json!({"isolation.level": "read_uncommitted"}),
                json!({"group.id": "g", "group.instance.id": "i"}),
            ],
        ),
    ];
    for (base, changes) in cases {
        for change in *changes {
            let mut doc = base.clone();
            for (k, v) in change.as_object().unwrap() {
                doc[k] = v.clone();
            }
            if doc.get("batch.size").is_some() {
                round_trips::<ProducerConfig>(&doc);
            } else if doc.get("cleanup.policy").is_some() {
                round_trips::<TopicConfig>(&doc);
            } else {
                round_trips::<ConsumerConfig>(&doc);
            }
        }
    }
    // The spellings Kafka also accepts read as the written one.
    let c: ProducerConfig = parse(r#"{"acks": "-1"}"#).unwrap();
    assert_eq!(c.acks, Acks::All);
    let c: TopicConfig = parse(r#"{"cleanup.policy": "delete,compact"}"#).unwrap();
    assert_eq!(c.cleanup_policy, CleanupPolicy::CompactDelete);
}

/// One action of every type, every field set away from its default.
fn one_of_each_action() -> Vec<Action> {
    let load = LoadConfig {
        topic: "t".into(),
        rate: 7,
        keys: KeyDistribution::Zipf {
            keys: 9,
            exponent: 1.5,
        },
        value_bytes: 33,
        compression_ratio: None,
        events: None,
    };
    let producer = ProducerConfig {
        linger_ms: 9,
        ..Default::default()
    };
    let consumer = ConsumerConfig {
        group_id: Some("g".into()),
        ..Default::default()
    };
    let topic = TopicConfig {
        retention_ms: 5,
        ..Default::default()
    };
    vec![
        Action::CreateTopic {
            name: "t".into(),
            partitions: 3,
            config: topic,
        },
        Action::DeleteTopic { name: "t".into() },
        Action::IncreasePartitions {
            topic: "t".into(),
            partitions: 4,
        },
        Action::AddProducer {
            name: Some("p".into()),
            config: producer,
            load: Some(load.clone()),
        },
        Action::RemoveProducer {
            producer: "p".into(),
        },
        Action::SetLoad {
            producer: "p".into(),
            load: LoadConfig {
                keys: KeyDistribution::HotKey {
                    keys: 4,
                    hot_percent: 50.5,
                },
                ..load.clone()
            },
        },
        Action::SetRate {
            producer: "p".into(),
            rate: 3,
        },
        Action::ProduceRecord {
            producer: "p".into(),
            topic: "t".into(),
            partition: Some(1),
            key: Some("k".into()),
            value: Some("v".into()),
            headers: vec![brokerlab_engine::log::record::Header {
                key: "h".into(),
                value: "x".into(),
            }],
        },
        Action::AddConsumer {
            name: Some("c".into()),
            config: consumer,
            topics: vec!["t".into()],
            assign: Some(vec![PartitionRef {
                topic: "t".into(),
                partition: 2,
            }]),
        },
        Action::RemoveConsumer {
            consumer: "c".into(),
        },
        Action::CrashConsumer {
            consumer: "c".into(),
        },
        Action::PauseConsumer {
            consumer: "c".into(),
        },
        Action::ResumeConsumer {
            consumer: "c".into(),
        },
        Action::SetIsolation {
            consumer: "c".into(),
            level: IsolationLevel::ReadCommitted,
        },
        Action::SetProcessingTime {
            consumer: "c".into(),
            us: 12,
        },
        Action::BeginTransaction {
            producer: "p".into(),
        },
        Action::CommitTransaction {
            producer: "p".into(),
        },
        Action::AbortTransaction {
            producer: "p".into(),
        },
        Action::AddProcessor {
            name: "x".into(),
            input: "a".into(),
            output: "b".into(),
            group: Some("g".into()),
            guarantee: Guarantee::AtLeastOnce,
            processing_us: 4,
        },
        Action::CrashProcessor {
            processor: "x".into(),
        },
        Action::RestartProcessor {
            processor: "x".into(),
        },
        Action::SetFaults {
            faults: vec![LinkFaults {
                producer: Some("p".into()),
                broker: Some(2),
                drop_requests_percent: 1.5,
                drop_responses_percent: 2.5,
                reject_requests_percent: 3.5,
                extra_delay_ms: 4,
            }],
        },
        Action::DeleteGroup { group: "g".into() },
        Action::ResetOffsets {
            group: "g".into(),
            topic: Some("t".into()),
            to: ResetTo::ShiftBy { by: -3 },
        },
        Action::KillBroker { broker: 1 },
        Action::RestartBroker { broker: 1 },
        Action::SlowBroker {
            broker: 2,
            delay_ms: 40,
        },
    ]
}

#[test]
fn every_action_type_round_trips() {
    let actions = one_of_each_action();
    let mut names: Vec<&str> = actions.iter().map(Action::name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 27, "one action of every type");
    for a in actions {
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(Action::parse(&text), Ok(a), "{text}");
    }
    for to in [
        ResetTo::Earliest,
        ResetTo::Latest,
        ResetTo::Offset { offset: 5 },
        ResetTo::Timestamp { ms: 6 },
        ResetTo::ShiftBy { by: 7 },
    ] {
        round_trips::<ResetTo>(&serde_json::to_value(&to).unwrap());
    }
    for keys in [
        KeyDistribution::None,
        KeyDistribution::Uniform { keys: 3 },
        KeyDistribution::HotKey {
            keys: 3,
            hot_percent: 10.0,
        },
        KeyDistribution::Zipf {
            keys: 3,
            exponent: 0.5,
        },
    ] {
        round_trips::<KeyDistribution>(&serde_json::to_value(&keys).unwrap());
    }
}

#[test]
fn every_scenario_file_reads_back_as_written() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let s = Scenario::parse(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let again: Scenario = parse(serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s, "{}", path.display());
        n += 1;
    }
    assert!(n >= 18, "{n} scenario files");
}

#[test]
fn messages_name_the_field_and_what_it_takes() {
    let e = |text: &str| Scenario::parse(text).unwrap_err();
    assert_eq!(
        e(r#"{"seed": 1, "duration_ms": 1, "topics": [{"name": "t", "partitions": -2}]}"#),
        "topics[0].partitions: invalid value: integer `-2`, expected an unsigned integer up to \
         4294967295 (u32)."
    );
    assert_eq!(
        e(
            r#"{"seed": 1, "duration_ms": 1, "actions": [{"at": 0, "action": {"type": "kill_broker"}}]}"#
        ),
        "actions[0].action: missing field `broker`."
    );
    assert_eq!(
        e(r#"{"seed": 1, "duration_ms": 1, "producers": [{"load": {"topic": "t", "rate": "fast"}}]}"#),
        "producers[0].load.rate: invalid type: string \"fast\", expected an unsigned integer (u64)."
    );
    assert_eq!(e(r#"{"duration_ms": 1}"#), "missing field `seed`.");
    assert_eq!(
        e("[1, 2]"),
        "invalid type: a list, expected a scenario (an object)."
    );
    let cut = e(r#"{"seed": 1, "topics": [{"name": "t""#);
    assert!(
        cut.starts_with("topics[0].name: EOF while parsing"),
        "a broken text says where: {cut}"
    );
}
