//! The scenario files in `scenarios/`, run headless through the command line
//! (`brokerlab-cli run FILE --twice`, which also checks that two runs give the same trace), with
//! assertions on their reports.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn run(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(["run", path.to_str().unwrap(), "--twice"])
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

fn group<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == id)
        .unwrap_or_else(|| panic!("group {id} in report"))
}

fn producer<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["producers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["producer"] == name)
        .unwrap()
}

fn sizes(g: &Value) -> Vec<usize> {
    let mut v: Vec<usize> = g["assignment"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a.as_array().unwrap().len())
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_file_parses_runs_and_is_deterministic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            let report = run(&name);
            assert!(report["events"].as_u64().unwrap() > 0, "{name}");
            n += 1;
        }
    }
    assert!(n >= 5, "found {n} scenario files");
}

#[test]
fn rebalance_range_ends_with_three_partitions_each() {
    let r = run("rebalance-range.json");
    let g = group(&r, "billing");
    assert_eq!(g["state"], "Stable");
    assert_eq!(sizes(g), vec![3, 3]);
    // Generations: first join, the third member, the departure.
    assert_eq!(g["generation"], 3);
    assert_eq!(g["audit"]["gaps"], 0);
    assert_eq!(g["audit"]["order_violations"], 0);
}

#[test]
fn slow_consumer_lag_builds_then_drains() {
    let r = run("slow-consumer-lag.json");
    let g = group(&r, "analytics");
    // After draining, the committed lag is at most one auto-commit interval of records.
    assert!(
        g["total_lag"].as_u64().unwrap() <= 5_000,
        "{}",
        g["total_lag"]
    );
    assert_eq!(g["audit"]["duplicates"], 0);
}

#[test]
fn at_least_once_crash_redelivers_without_losing_anything() {
    let r = run("at-least-once-crash.json");
    let a = &group(&r, "ledger")["audit"];
    assert!(a["duplicates"].as_u64().unwrap() > 0, "{a}");
    assert_eq!(a["gaps"], 0, "{a}");
    assert_eq!(sizes(group(&r, "ledger")), vec![6]);
}

#[test]
fn batching_linger_makes_bigger_batches_and_fewer_requests() {
    let r = run("batching-linger.json");
    let (eager, patient) = (producer(&r, "eager"), producer(&r, "patient"));
    let b = |p: &Value| p["avg_records_per_batch"].as_f64().unwrap();
    assert!(
        b(patient) > 3.0 * b(eager),
        "{} vs {}",
        b(patient),
        b(eager)
    );
    assert!(patient["requests"].as_u64().unwrap() * 3 < eager["requests"].as_u64().unwrap());
}

#[test]
fn static_membership_restart_keeps_the_generation() {
    let r = run("static-membership.json");
    let g = group(&r, "stock");
    assert_eq!(g["generation"], 1, "no rebalance after the first: {g}");
    assert_eq!(sizes(g), vec![2, 2]);
}

/// Kafka 4 fidelity, item 5 (KIP-345, `GroupMetadataManager`): after later generations a static
/// member's restart still keeps the generation, since only the selected protocol is compared.
#[test]
fn static_membership_restart_after_later_generations_keeps_the_generation() {
    let r = run("static-membership-2-after-rebalances.json");
    let g = group(&r, "stock");
    assert_eq!(
        g["generation"], 3,
        "a third member came and went, nothing more: {g}"
    );
    assert_eq!(g["state"], "Stable");
    assert_eq!(
        g["assignment"]["stock-a-restarted"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(g["audit"]["duplicates"], 0);
}

#[test]
fn a_broken_scenario_is_refused_with_a_readable_message() {
    let tmp = std::env::temp_dir().join(format!(
        "brokerlab-bad-scenario-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &tmp,
        r#"{"seed": 1, "topics": [{"name": "bad name", "partitions": 2}], "duration_ms": 10}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(["run", tmp.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&tmp);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("setup step 1 (create_topic)") && err.contains("illegal"),
        "{err}"
    );
}

fn audit_of<'a>(r: &'a Value, g: &str) -> &'a Value {
    &group(r, g)["audit"]
}

/// Issue 4, scenario 1: the same seed without and with idempotence.
#[test]
fn eos_1_retries_duplicate_without_idempotence_and_not_with_it() {
    let plain = run("eos-1-duplicates.json");
    let idem = run("eos-1-idempotent.json");
    let (a, b) = (audit_of(&plain, "ledger"), audit_of(&idem, "ledger"));
    assert!(a["duplicates"].as_u64().unwrap() > 0, "{a}");
    assert_eq!(b["duplicates"], 0, "{b}");
    assert_eq!(a["produced"], b["produced"]);
    assert_eq!(
        a["unique_consumed"], b["unique_consumed"],
        "the same set of records"
    );
    assert_eq!(b["unique_consumed"], b["produced"]);
}

/// Scenario 2: an aborted transaction across three partitions.
#[test]
fn eos_2_an_aborted_transaction_is_invisible_to_read_committed() {
    let r = run("eos-2-aborted-transaction.json");
    let (rc, ru) = (audit_of(&r, "rc"), audit_of(&r, "ru"));
    assert_eq!(
        (rc["unique_consumed"].as_u64(), rc["aborted_seen"].as_u64()),
        (Some(3), Some(0)),
        "{rc}"
    );
    assert_eq!(
        (ru["unique_consumed"].as_u64(), ru["aborted_seen"].as_u64()),
        (Some(9), Some(6)),
        "{ru}"
    );
    for p in r["partitions"].as_array().unwrap() {
        // 1 committed record + COMMIT + 2 aborted records + ABORT.
        assert_eq!(p["log_end_offset"], 5, "{p}");
        assert_eq!(p["last_stable_offset"], p["high_watermark"]);
    }
    let tx = producer(&r, "tx");
    assert_eq!(
        (
            tx["transactions_committed"].as_u64(),
            tx["transactions_aborted"].as_u64()
        ),
        (Some(1), Some(1))
    );
}

/// Scenario 3: a zombie producer is fenced by its successor.
#[test]
fn eos_3_the_zombie_is_fenced() {
    let r = run("eos-3-zombie-fencing.json");
    let (old, new) = (producer(&r, "old"), producer(&r, "new"));
    assert_eq!(old["transaction_state"], "FATAL_ERROR", "{old}");
    assert_eq!(new["transaction_state"], "READY", "{new}");
    assert_eq!(old["producer_id"], new["producer_id"]);
    assert!(new["producer_epoch"].as_i64() > old["producer_epoch"].as_i64());
}

/// Scenario 4: consume-transform-produce through crashes, exactly once versus at least once.
#[test]
fn eos_4_the_processor_output_is_exactly_once_only_with_transactions() {
    let eos = run("eos-4-processor-exactly-once.json");
    let alo = run("eos-4-processor-at-least-once.json");
    let (a, b) = (audit_of(&eos, "reporting"), audit_of(&alo, "reporting"));
    for x in [a, b] {
        assert_eq!(x["unique_consumed"], x["produced"], "nothing lost: {x}");
        assert_eq!(x["gaps"], 0);
    }
    assert_eq!(a["duplicates"], 0, "exactly once: {a}");
    assert!(b["duplicates"].as_u64().unwrap() > 0, "at least once: {b}");
    let p = &eos["processors"][0];
    assert_eq!(p["crashes"], 3);
    assert_eq!(p["incarnation"], 4);
}

/// Scenario 5: the coordinator aborts a transaction left open past its timeout.
#[test]
fn eos_5_an_expired_transaction_is_aborted_and_its_producer_fenced() {
    let r = run("eos-5-transaction-timeout.json");
    let p = &r["partitions"][0];
    assert_eq!(
        p["log_end_offset"], 2,
        "the record and the ABORT marker: {p}"
    );
    assert_eq!(p["last_stable_offset"], p["high_watermark"]);
    assert_eq!(producer(&r, "p")["transaction_state"], "FATAL_ERROR");
}

fn partition<'a>(report: &'a Value, topic: &str, p: u64) -> &'a Value {
    report["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["topic"] == topic && x["partition"] == p)
        .unwrap_or_else(|| panic!("{topic}-{p} in report"))
}

/// Issue scenario 1: RF=3, acks=all, min ISR 2, leader killed: a new leader from the ISR and
/// no acknowledged record lost.
#[test]
fn replication_leader_failover_loses_nothing() {
    let r = run("replication-1-leader-failover.json");
    assert_eq!(r["brokers"]["1"], false);
    let mut moved = 0;
    for p in 0..3 {
        let part = partition(&r, "orders", p);
        assert_ne!(part["leader"], 1, "broker 1 leads nothing any more");
        assert_eq!(part["unclean_elections"], 0);
        assert!(!part["isr"].as_array().unwrap().contains(&Value::from(1)));
        if part["leader_epoch"].as_i64().unwrap() > 0 {
            moved += 1;
        }
    }
    assert_eq!(moved, 1, "broker 1 led one partition, which moved");
    let a = &group(&r, "billing")["audit"];
    assert!(a["produced"].as_u64().unwrap() > 30_000);
    assert_eq!(a["lost"], 0);
    assert_eq!(a["gaps"], 0);
    assert_eq!(a["not_yet_consumed"], 0);
    assert_eq!(producer(&r, "checkout")["records_failed"], 0);
}

/// Issue scenario 2: acks=1, followers out of the ISR, unclean election: acknowledged records
/// are lost and reported; the old leader truncates and the replicas converge.
#[test]
fn replication_unclean_election_loses_acknowledged_records() {
    let r = run("replication-2-unclean-election.json");
    let part = partition(&r, "payments", 0);
    assert_eq!(part["unclean_elections"], 1);
    assert_ne!(part["leader"], 1);
    assert_eq!(
        part["replicas_in_sync"], true,
        "broker 1 truncated and caught up"
    );
    assert_eq!(part["isr"].as_array().unwrap().len(), 3);
    let lost = group(&r, "ledger")["audit"]["lost"].as_u64().unwrap();
    // Everything acknowledged while the followers were out of the ISR: 48 s at 500/s.
    assert!((20_000..=24_500).contains(&lost), "lost {lost}");
}

/// Issue scenario 3: min.insync.replicas not met: NOT_ENOUGH_REPLICAS, nothing acknowledged.
#[test]
fn replication_min_isr_not_met_acknowledges_nothing() {
    let r = run("replication-3-not-enough-replicas.json");
    let part = partition(&r, "payments", 0);
    assert_eq!(part["isr"].as_array().unwrap().len(), 1);
    assert_eq!(part["log_end_offset"], 0, "nothing appended");
    let p = producer(&r, "gateway");
    assert_eq!(p["records_acked"], 0);
    assert!(p["retries"].as_u64().unwrap() > 10);
    assert_eq!(group(&r, "ledger")["audit"]["produced"], 0);
}

/// Issue scenario 4: retention by time and by bytes advances the log start offset, and the
/// lagging group is reset past the deleted data.
#[test]
fn storage_retention_moves_log_start_and_resets_the_lagging_group() {
    let r = run("storage-4-retention.json");
    let clicks = partition(&r, "clicks", 0);
    let start = clicks["log_start_offset"].as_i64().unwrap();
    let end = clicks["log_end_offset"].as_i64().unwrap();
    assert!(start > 0, "time retention moved the start");
    // About 10 s of 500 records/s kept, give or take a segment and a check interval.
    assert!(
        (3_000..=7_500).contains(&(end - start)),
        "kept {}",
        end - start
    );
    let metrics = partition(&r, "metrics", 0);
    assert!(
        metrics["log_start_offset"].as_i64().unwrap() > 0,
        "size retention moved the start"
    );
    let a = &group(&r, "analytics")["audit"];
    assert!(
        a["gaps"].as_u64().unwrap() > 0,
        "deleted before it was read"
    );
    assert_eq!(a["lost"], 0, "retention is not loss of acknowledged data");
    // It read ~100 records/s, yet its committed offset is far ahead: resets skipped the rest.
    let committed = group(&r, "analytics")["committed"]["clicks-0"]
        .as_i64()
        .unwrap();
    let read = a["unique_consumed"].as_i64().unwrap();
    assert!(
        committed > read + 5_000,
        "committed {committed}, read {read}"
    );
}

/// Issue scenario 5: compaction keeps exactly the latest value per key and drops the tombstone
/// after delete.retention.ms.
#[test]
fn storage_compaction_keeps_latest_per_key() {
    let r = run("storage-5-compaction.json");
    let users = partition(&r, "users", 0);
    assert_eq!(users["log_end_offset"], 21, "offsets are never reused");
    // user-0..2 once each (user-3's tombstone is gone), plus the 8 fillers.
    assert_eq!(users["records"], 11);
}

/// Issue scenario 6: a group reset to earliest reads everything again, counted as a replay.
#[test]
fn storage_replay_rereads_history() {
    let r = run("storage-6-replay.json");
    let billing = &group(&r, "billing")["audit"];
    let produced = billing["produced"].as_u64().unwrap();
    assert!(produced > 2_000);
    // Read twice, and the second time because the reset asked for it: a replay, not
    // duplicates (issue 15: they were counted as duplicates in red).
    assert_eq!(
        billing["reread_after_reset"], produced,
        "every record read again"
    );
    assert_eq!(billing["duplicates"], 0);
    assert_eq!(billing["unique_consumed"], produced);
    let fresh = &group(&r, "audit")["audit"];
    assert_eq!(
        fresh["unique_consumed"], produced,
        "a new group reads from the start"
    );
    assert_eq!(fresh["duplicates"], 0);
}

/// Kafka 4 fidelity, item 1 (`Partition.maybeIncrementLeaderHW`, KAFKA-15583): under min ISR the
/// leader acknowledges acks=1 records but holds the high watermark, so the group reads nothing;
/// once the brokers return and rejoin the ISR it reads everything.
#[test]
fn replication_high_watermark_stands_still_under_min_isr() {
    let file = "replication-4-high-watermark-under-min-isr.json";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let mut scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    // Just before the brokers return.
    scenario.actions.retain(|a| a.at < 24_000);
    scenario.duration_ms = 24_000;
    let before = serde_json::to_value(scenario.run().unwrap()).unwrap();
    let part = partition(&before, "clicks", 0);
    assert_eq!(part["under_min_isr"], true);
    assert!(part["log_end_offset"].as_i64().unwrap() > 1_500);
    assert_eq!(part["high_watermark"], 0);
    assert!(producer(&before, "web")["records_acked"].as_u64().unwrap() > 1_500);
    assert_eq!(group(&before, "dashboard")["audit"]["consumed"], 0);

    let after = run(file);
    let part = partition(&after, "clicks", 0);
    assert_eq!(part["under_min_isr"], false);
    assert_eq!(part["high_watermark"], part["log_end_offset"]);
    let audit = &group(&after, "dashboard")["audit"];
    assert_eq!(audit["consumed"], part["log_end_offset"]);
    assert_eq!(audit["lost"], 0);
}

/// Kafka 4 fidelity, item 2 (KIP-360, `TransactionManager.bumpIdempotentProducerEpoch`): after an
/// outage longer than delivery.timeout.ms the idempotent producer bumps its epoch and produces
/// again, without duplicates.
#[test]
fn eos_6_the_idempotent_producer_bumps_its_epoch_and_recovers() {
    let r = run("eos-6-idempotent-epoch-bump.json");
    let p = producer(&r, "gateway");
    assert!(p["producer_epoch"].as_i64().unwrap() >= 1, "{p}");
    assert!(
        p["records_failed"].as_u64().unwrap() > 1_000,
        "batches expired"
    );
    // 5 s before the outage and 20 s after it at 200 records/s.
    assert!(p["records_acked"].as_u64().unwrap() > 4_500, "{p}");
    let a = &group(&r, "ledger")["audit"];
    assert_eq!(a["duplicates"], 0);
    assert_eq!(a["lost"], 0);
    assert_eq!(a["consumed"], p["records_acked"]);
}

/// Kafka 4 fidelity, item 3 (`KafkaApis` handleWriteTxnMarkersRequest with `requiredAcks = -1`,
/// `ProducerStateManager` unreplicated transactions): a COMMIT marker the new leader lacks is
/// written again there, so no transaction stays open and read_committed readers go on.
#[test]
fn eos_7_a_marker_the_new_leader_lacks_is_written_again() {
    let file = "eos-7-marker-failover.json";
    let r = run(file);
    let part = partition(&r, "orders", 0);
    assert_ne!(part["leader"], 3, "a new leader");
    assert_eq!(part["last_stable_offset"], part["high_watermark"]);
    let a = &group(&r, "billing")["audit"];
    assert_eq!(a["not_yet_consumed"], 0, "{a}");
    assert_eq!(a["duplicates"], 0);
    assert!(a["consumed"].as_u64().unwrap() > 5_000);

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    let sim = scenario.run_to_end().unwrap();
    use brokerlab_engine::event::EventKind;
    let offsets: Vec<i64> = sim
        .events_since(0)
        .filter_map(|e| match &e.kind {
            EventKind::TxnMarkerWritten {
                tp,
                commit: true,
                offset,
                ..
            } if tp.topic == "orders" => Some(*offset),
            _ => None,
        })
        .collect();
    // Markers go up the log, except the one written again at the new leader, whose log is
    // shorter than the old leader's was.
    let rewritten = offsets.windows(2).filter(|w| w[1] <= w[0]).count();
    assert_eq!(rewritten, 1, "one COMMIT marker written again: {offsets:?}");
}

/// Kafka 4 fidelity, item 4 (KIP-320, `SubscriptionState.maybeCompleteValidation`): after an
/// unclean election both groups validate their positions against the new leader, find the log
/// truncated below them and seek to the divergence point: no group re-reads (earliest) or skips
/// (latest) anything the new leader has.
#[test]
fn replication_5_consumers_detect_truncation_and_seek_to_the_divergence_point() {
    let file = "replication-5-truncation-detection.json";
    let r = run(file);
    let part = partition(&r, "payments", 0);
    assert_eq!(part["unclean_elections"], 1);
    for g in ["ledger", "notifications"] {
        let a = &group(&r, g)["audit"];
        assert!(a["lost"].as_u64().unwrap() > 5_000, "{g}: {a}");
        assert_eq!(a["duplicates"], 0, "{g}: {a}");
        assert_eq!(a["gaps"], 0, "{g}: {a}");
        assert_eq!(group(&r, g)["total_lag"], 0, "{g}");
    }
    let ledger = &group(&r, "ledger")["audit"];
    assert_eq!(
        ledger["consumed"], ledger["produced"],
        "all the new leader has, once"
    );

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    use brokerlab_engine::event::{EventKind, ValidationOutcome};
    let (mut truncated, mut next) = (Vec::new(), 0);
    scenario
        .run_observed(1_000, |sim| {
            for e in sim.events_since(next) {
                next = e.seq + 1;
                if let EventKind::PositionValidated {
                    position,
                    outcome: ValidationOutcome::Truncated { seek_to },
                    ..
                } = &e.kind
                {
                    truncated.push((*position, *seek_to));
                }
            }
        })
        .unwrap();
    assert_eq!(truncated.len(), 2, "one detection per group: {truncated:?}");
    for (position, seek_to) in truncated {
        assert!(position > seek_to + 5_000, "{position} -> {seek_to}");
        assert_eq!(seek_to, 400, "where epoch 0 ends on the new leader");
    }
}

/// The last rebalance of `group`: consumer -> (stopped ms, records read meanwhile), and its
/// length.
fn last_rebalance(
    report: &Value,
    id: &str,
) -> (std::collections::BTreeMap<String, (u64, u64)>, u64) {
    let r = group(report, id)["rebalances"]
        .as_array()
        .unwrap()
        .last()
        .expect("a rebalance")
        .clone();
    let length = r["end"].as_u64().expect("ended") - r["start"].as_u64().unwrap();
    let members = r["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["consumer"].as_str().unwrap().to_string(),
                (
                    m["stopped_ms"].as_u64().unwrap(),
                    m["records"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    (members, length)
}

/// The same join under three protocols (issue 12, KIP-429 and KIP-848): a third consumer joins
/// two, one of them slow. Eager: the fast member revokes everything and stops for the whole
/// rebalance, reading (almost) nothing. Cooperative: the old members never stop, but the hand-over
/// takes two rounds, each waiting for the slow member's JoinGroup. Consumer protocol: nobody but
/// the newcomer stops, and the newcomer waits less than the cooperative one.
#[test]
fn rebalance_protocols_compare_who_stops_and_for_how_long() {
    let r = run("rebalance-protocols.json");
    for g in ["eager", "cooperative", "consumer"] {
        assert_eq!(group(&r, g)["state"], "Stable", "{g}");
        assert_eq!(group(&r, g)["audit"]["lost"], 0, "{g}");
    }
    assert_eq!(group(&r, "consumer")["group_protocol"], "consumer");
    let (eager, eager_len) = last_rebalance(&r, "eager");
    assert!(
        eager_len > 3_000,
        "the eager rebalance waits for the slow member: {eager_len}"
    );
    let (stopped, read) = eager["eager-1"];
    assert!(
        stopped + 100 >= eager_len && read < 10,
        "eager-1 stopped: {stopped} ms, read {read}"
    );
    let (coop, coop_len) = last_rebalance(&r, "cooperative");
    assert!(
        coop_len > eager_len,
        "two rounds: {coop_len} vs {eager_len}"
    );
    assert_eq!(coop["coop-1"].0, 0);
    assert!(coop["coop-1"].1 > 500);
    let (kip848, _) = last_rebalance(&r, "consumer");
    assert_eq!((kip848["kip848-1"].0, kip848["kip848-2"].0), (0, 0));
    assert!(kip848["kip848-1"].1 > 500);
    assert!(kip848["kip848-3"].0 < coop["coop-3"].0);
}
