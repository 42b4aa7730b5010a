//! Issue 13: settings and names at the edges of their types are refused with a message that
//! names the field and the real limit, and leave the simulation as it was.

mod common;

use brokerlab_engine::cluster::{ClusterConfig, TopicConfig};
use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::producer::{KeyDistribution, ProducerConfig};
use brokerlab_engine::{Action, Simulation};
use common::*;

fn refused(s: &mut Simulation, action: Action) -> String {
    let before = s.snapshot();
    let e = s.apply(action).expect_err("refused").to_string();
    assert_eq!(s.snapshot(), before, "a refused action changes nothing");
    assert!(e.len() < 200, "the message stays short: {e}");
    e
}

fn add_producer(config: ProducerConfig) -> Action {
    Action::AddProducer {
        name: Some("p".into()),
        config,
        load: Some(load("t", 10, KeyDistribution::None)),
    }
}

fn add_consumer(config: ConsumerConfig) -> Action {
    Action::AddConsumer {
        name: Some("c".into()),
        config,
        topics: vec!["t".into()],
        assign: None,
    }
}

/// Defect 3: a duration near the top of u64 wrapped when added to the clock (a hang in release,
/// a panic in debug). Kafka types them as int (or long): anything above is refused.
#[test]
fn durations_past_kafkas_range_are_refused_naming_the_setting() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            delivery_timeout_ms: u64::MAX,
            ..Default::default()
        }),
    );
    assert!(
        e.contains("delivery.timeout.ms must be at most 2147483647"),
        "{e}"
    );
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            request_timeout_ms: u64::MAX,
            delivery_timeout_ms: u64::MAX,
            ..Default::default()
        }),
    );
    assert!(e.contains("request.timeout.ms"), "{e}");
    for (field, config) in [
        (
            "max.poll.interval.ms",
            ConsumerConfig {
                max_poll_interval_ms: u64::MAX,
                ..group_config("g")
            },
        ),
        (
            "session.timeout.ms",
            ConsumerConfig {
                session_timeout_ms: u64::MAX,
                ..group_config("g")
            },
        ),
        (
            "auto.commit.interval.ms",
            ConsumerConfig {
                auto_commit_interval_ms: 1 << 40,
                ..group_config("g")
            },
        ),
    ] {
        let e = refused(&mut s, add_consumer(config));
        assert!(
            e.contains(&format!("{field} must be at most 2147483647")),
            "{e}"
        );
    }
    let e = refused(
        &mut s,
        Action::CreateTopic {
            name: "u".into(),
            partitions: 1,
            config: TopicConfig {
                delete_retention_ms: u64::MAX,
                ..Default::default()
            },
        },
    );
    assert!(
        e.contains("delete.retention.ms must be at most 9223372036854775807"),
        "{e}"
    );
    let cluster = ClusterConfig {
        group_initial_rebalance_delay_ms: u64::MAX,
        ..Default::default()
    };
    let e = Simulation::new(1, cluster)
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("group.initial.rebalance.delay.ms"), "{e}");
}

/// Defect 6: a 50 MB group id was accepted and copied into every request. Ids are limited as
/// topic names are (249 characters), and the refusal does not quote the id back.
#[test]
fn long_ids_are_refused_without_being_echoed() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let long = "x".repeat(100_000);
    let e = refused(&mut s, add_consumer(group_config(&long)));
    assert!(
        e.contains("group.id can't be longer than 249 characters"),
        "{e}"
    );
    let e = refused(
        &mut s,
        add_consumer(ConsumerConfig {
            group_instance_id: Some(long.clone()),
            ..group_config("g")
        }),
    );
    assert!(e.contains("group.instance.id"), "{e}");
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            transactional_id: Some(long.clone()),
            ..Default::default()
        }),
    );
    assert!(e.contains("transactional.id"), "{e}");
    // At the limit it is accepted.
    s.apply(add_consumer(group_config(&"g".repeat(249))))
        .expect("249 characters are fine");
}

/// Defect 7: whatever a refusal quotes back is short and inert: no control character (C0, DEL,
/// C1) and no bidi or invisible format character reaches the terminal or the page.
fn assert_inert(e: &str) {
    let head: String = e.chars().take(200).collect();
    assert!(e.len() < 1024, "{} bytes: {head:?}", e.len());
    let bad = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    assert!(!e.chars().any(bad), "a raw control character in {e:?}");
}

fn refused_inert(s: &mut Simulation, action: Action) -> String {
    let e = s.apply(action).expect_err("refused").to_string();
    assert_inert(&e);
    e
}

/// Defect 7: a 50 MB name put 50 MB into the refusal. Every refusal that quotes a name cuts it
/// after a readable length and says how long it was.
#[test]
fn a_huge_name_is_quoted_back_cut_short() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let huge = "a".repeat(50_000_000);
    let e = refused_inert(
        &mut s,
        Action::CreateTopic {
            name: huge.clone(),
            partitions: 1,
            config: Default::default(),
        },
    );
    assert!(e.contains("can't be longer than 249 characters"), "{e}");
    assert!(e.contains("(50000000 characters)"), "{e}");
    for action in [
        Action::DeleteTopic { name: huge.clone() },
        Action::IncreasePartitions {
            topic: huge.clone(),
            partitions: 2,
        },
        Action::RemoveProducer {
            producer: huge.clone(),
        },
        Action::CrashConsumer {
            consumer: huge.clone(),
        },
        Action::CrashProcessor {
            processor: huge.clone(),
        },
        Action::DeleteGroup {
            group: huge.clone(),
        },
        Action::ResetOffsets {
            group: huge.clone(),
            topic: None,
            to: brokerlab_engine::ResetTo::Earliest,
        },
        Action::ResetOffsets {
            group: "g".into(),
            topic: Some(huge.clone()),
            to: brokerlab_engine::ResetTo::Earliest,
        },
        Action::AddConsumer {
            name: Some("c".into()),
            config: Default::default(),
            topics: vec![huge.clone()],
            assign: None,
        },
        Action::AddConsumer {
            name: Some(huge.clone()),
            config: group_config("g"),
            topics: vec!["t".into()],
            assign: None,
        },
        add_producer(ProducerConfig::default()).with_topic(&huge),
    ] {
        refused_inert(&mut s, action);
    }
}

trait WithTopic {
    fn with_topic(self, topic: &str) -> Action;
}

impl WithTopic for Action {
    fn with_topic(self, topic: &str) -> Action {
        match self {
            Action::AddProducer { name, config, load } => Action::AddProducer {
                name,
                config,
                load: load.map(|mut l| {
                    l.topic = topic.into();
                    l
                }),
            },
            other => other,
        }
    }
}

/// Defect 7: NUL, BEL, ESC and a right-to-left override in a name reached the terminal raw. They
/// are escaped wherever a name is quoted back.
#[test]
fn control_characters_in_names_are_escaped_in_refusals() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    topic(&mut s, "u", 1);
    let nasty = "x\0y\u{7}z\u{1b}[2J\u{202e}gnp.exe\u{9b}";
    let e = refused_inert(
        &mut s,
        Action::CreateTopic {
            name: nasty.into(),
            partitions: 1,
            config: Default::default(),
        },
    );
    assert!(
        e.contains(r#""x\0y\u{7}z\u{1b}[2J\u{202e}gnp.exe\u{9b}""#),
        "escaped in quotes: {e}"
    );
    for action in [
        Action::DeleteTopic { name: nasty.into() },
        Action::RemoveProducer {
            producer: nasty.into(),
        },
        Action::RestartProcessor {
            processor: nasty.into(),
        },
        Action::DeleteGroup {
            group: nasty.into(),
        },
        Action::ResetOffsets {
            group: nasty.into(),
            topic: None,
            to: brokerlab_engine::ResetTo::Earliest,
        },
        Action::AddProcessor {
            name: "proc".into(),
            input: "t".into(),
            output: "u".into(),
            group: Some(nasty.into()),
            guarantee: brokerlab_engine::Guarantee::AtLeastOnce,
            processing_us: 0,
        },
        add_producer(ProducerConfig::default()).with_topic(nasty),
    ] {
        refused_inert(&mut s, action);
    }
    // Ids are any string in Kafka: a group with a consumer in it, and a static member's id
    // taken twice.
    let config = ConsumerConfig {
        group_instance_id: Some(nasty.into()),
        ..group_config(nasty)
    };
    s.apply(add_consumer(config.clone()))
        .expect("any id is fine");
    let e = refused_inert(
        &mut s,
        Action::AddConsumer {
            name: Some("c2".into()),
            config,
            topics: vec!["t".into()],
            assign: None,
        },
    );
    assert!(e.contains("group.instance.id"), "{e}");
    refused_inert(
        &mut s,
        Action::DeleteGroup {
            group: nasty.into(),
        },
    );
}

/// Runs the command line on a scenario (or vector) file written from `text`, at `name` in a
/// fresh temporary directory; returns its exit status, stdout and stderr.
fn cli(args: &[&str], name: &str, text: &str) -> (bool, String, String) {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "brokerlab-hostile-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let mut full: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    full.insert(1, path.clone().into());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(full)
        .output()
        .expect("the CLI runs");
    let _ = std::fs::remove_dir_all(&dir);
    // What it prints ends each line with a newline; the rest must be inert.
    let err = String::from_utf8_lossy(&out.stderr);
    for line in err.lines() {
        assert_inert(line);
    }
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Defect 7: serde's messages quote the input whole and raw ("unknown variant `…`"): a scenario
/// with a 10 MB action type of escape sequences put all of it on stderr. The command line cuts and
/// escapes every message it prints, and still says which field the problem is in.
#[test]
fn the_cli_prints_a_short_inert_message_for_a_hostile_scenario_file() {
    let junk = "\u{1b}[31m\u{7}\u{0}\u{202e}".repeat(1_000_000);
    let text = serde_json::json!({
        "seed": 1,
        "duration_ms": 10,
        "actions": [{"at": 0, "action": {"type": junk}}],
    })
    .to_string();
    let (ok, _, err) = cli(&["run"], "unknown-action.json", &text);
    assert!(!ok);
    assert!(err.len() < 1024 && err.lines().count() == 1, "{err}");
    assert!(err.contains("unknown variant"), "{err}");
    assert!(
        err.contains("actions[0].action.type: unknown variant"),
        "the field's path is kept: {err}"
    );

    let mut doc = serde_json::Map::new();
    doc.insert("seed".into(), 1.into());
    doc.insert("duration_ms".into(), 10.into());
    doc.insert(junk.clone(), 1.into());
    let text = serde_json::Value::Object(doc).to_string();
    let (ok, _, err) = cli(&["run"], "unknown-field.json", &text);
    assert!(!ok);
    assert!(err.len() < 1024 && err.lines().count() == 1, "{err}");
    assert!(err.contains("unknown field"), "{err}");

    // A refusal from the engine, through the runner.
    let text = serde_json::json!({
        "seed": 1,
        "duration_ms": 10,
        "topics": [{"name": junk, "partitions": 1}],
    })
    .to_string();
    let (ok, _, err) = cli(&["run"], "bad-topic.json", &text);
    assert!(!ok);
    assert!(err.len() < 1024 && err.lines().count() == 1, "{err}");
    assert!(err.contains("setup step 1 (create_topic)"), "{err}");

    // The file name is the user's too.
    let (ok, _, err) = cli(&["run"], "\u{1b}]0;owned\u{7}.json", "{");
    assert!(!ok);
    assert!(err.len() < 1024 && err.lines().count() == 1, "{err}");

    // A vector file's schema.
    let text = serde_json::json!({"schema": junk, "cases": []}).to_string();
    let (ok, _, err) = cli(&["vectors"], "vectors.json", &text);
    assert!(!ok);
    assert!(err.len() < 1024 && err.lines().count() == 1, "{err}");
    assert!(err.contains("unknown vector schema"), "{err}");
}

/// Defect 7: `--log` printed a group.id with escape sequences raw into the terminal, one line per
/// event that names the group.
#[test]
fn the_cli_log_escapes_ids() {
    let text = serde_json::json!({
        "seed": 1,
        "duration_ms": 3000,
        "topics": [{"name": "t", "partitions": 1}],
        "consumers": [{"name": "c", "config": {"group.id": "g\u{1b}[2J\u{202e}"}, "topics": ["t"]}],
    })
    .to_string();
    let (ok, out, err) = cli(&["run", "--log"], "log.json", &text);
    assert!(ok, "{err}");
    assert!(out.contains(r"group=g\u{1b}[2J\u{202e}"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
        "{out}"
    );
}

/// Defect 4: the buffer pool's settings have Kafka's types and a playground ceiling.
#[test]
fn buffer_memory_and_max_block_ms_are_checked() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            buffer_memory: 1 << 40,
            ..Default::default()
        }),
    );
    assert!(e.contains("buffer.memory must be at most 67108864"), "{e}");
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            buffer_memory: 1000,
            ..Default::default()
        }),
    );
    assert!(e.contains("at least batch.size (16384)"), "{e}");
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            max_block_ms: u64::MAX,
            ..Default::default()
        }),
    );
    assert!(
        e.contains("max.block.ms must be at most 9223372036854775807"),
        "{e}"
    );
}

/// Defect 4: 2 M records/s into one partition (the cluster takes about 350 k/s) piled every
/// record up in the accumulator (4.5 GB after two minutes). With `buffer.memory` the pool never
/// holds more than its 32 MiB, what waits stays bounded, and the load is held back to what the
/// partition takes: `send()` blocks, and the producer says so.
#[test]
fn a_producer_faster_than_its_partition_is_held_to_buffer_memory() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    producer(&mut s, "p", "t", 2_000_000, KeyDistribution::None);
    let limit = ProducerConfig::default().buffer_memory;
    let mut most_waiting = 0;
    for t in (1..=20).map(|i| i * 1000) {
        s.advance_to(t);
        let p = s.producers().next().unwrap();
        assert!(
            p.buffer_used() <= limit,
            "{} > {limit} at {t} ms",
            p.buffer_used()
        );
        most_waiting = most_waiting.max(p.accumulator.queued_records());
    }
    let p = s.producers().next().unwrap();
    // A 16 KiB batch holds a few hundred of these records: 2048 batches bound what waits.
    assert!(most_waiting < 2_000_000, "{most_waiting} records waiting");
    assert!(
        p.stats.records_sent < 20 * 2_000_000 / 2,
        "the load was held back: {} sent",
        p.stats.records_sent
    );
    let view = s.snapshot();
    let card = view.producers.iter().find(|c| c.name == "p").unwrap();
    assert!(
        card.buffer_used > card.buffer_memory / 2,
        "the card shows the pool filling"
    );
    assert!(
        card.blocked_ms > 0 || p.stats.send_blocked_ms > 0,
        "send() blocked"
    );
}

/// Defect 4: with every broker down nothing completes; `send()` blocks `max.block.ms`, then
/// the record fails with Kafka's BufferExhaustedException and the application goes on (and
/// blocks again). When the brokers come back the pool drains and the load resumes at its
/// rate, without a burst of the records it would have sent meanwhile.
#[test]
fn send_blocks_for_max_block_ms_then_fails_the_record() {
    use brokerlab_engine::event::EventKind;
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let config = ProducerConfig {
        buffer_memory: 1 << 20,
        max_block_ms: 5_000,
        ..Default::default()
    };
    producer_with(
        &mut s,
        "p",
        config,
        load("t", 20_000, KeyDistribution::Uniform { keys: 10 }),
    );
    s.advance_to(1_000);
    for b in 1..=3 {
        s.apply(Action::KillBroker { broker: b }).unwrap();
    }
    s.advance_to(40_000);
    let (mut blocked, mut exhausted) = (0, 0);
    for e in s.events_since(0) {
        match &e.kind {
            EventKind::SendBlocked { .. } => blocked += 1,
            EventKind::BufferExhausted {
                max_block_ms: 5_000,
                available,
                ..
            } => {
                assert!(*available < 16_384);
                exhausted += 1;
            }
            _ => {}
        }
    }
    let p = s.producers().next().unwrap();
    assert!(exhausted >= 6, "a record fails every 5 s: {exhausted}");
    assert_eq!(blocked, exhausted + 1, "and send() blocks again");
    assert_eq!(p.stats.buffer_exhausted, exhausted);
    assert_eq!(p.stats.records_failed, exhausted);
    let sent_while_down = p.stats.records_sent;
    for b in 1..=3 {
        s.apply(Action::RestartBroker { broker: b }).unwrap();
    }
    s.advance_to(60_000);
    let p = s.producers().next().unwrap();
    assert!(p.blocked_since.is_none(), "the pool drained");
    let resumed = p.stats.records_sent - sent_while_down;
    // About 20 s at 20 000/s after the restart, not the 39 s missed while blocked on top.
    assert!(resumed > 200_000 && resumed < 500_000, "{resumed}");
    let first = s
        .events_since(0)
        .find(|e| matches!(e.kind, EventKind::BufferExhausted { .. }))
        .unwrap();
    let described = s.describe(first);
    assert!(
        described.contains("BufferExhaustedException: Failed to allocate 16384 bytes within the configured max blocking time 5000 ms"),
        "{described}"
    );
}
