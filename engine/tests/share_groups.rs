//! Share groups in the simulation (issue 18, KIP-932 as Kafka 4.2 ships it; reference section 6):
//! members beyond the partition count, acquisition locks that outlive a crashed member, delivery
//! counts up to `share.delivery.count.limit`, ACCEPT, RELEASE and REJECT, and the same topic read
//! by a consumer group beside them. Checked in the lesson checks' words where they have one.
#![cfg(feature = "json")]

use brokerlab_engine::lesson::Check;
use brokerlab_engine::{Action, Scenario, Timeline};

fn scenario(partitions: u32, rate: u64, keys: u32) -> Scenario {
    brokerlab_engine::scenario::json::read(&serde_json::json!({
        "seed": 5,
        "topics": [{"name": "orders", "partitions": partitions}],
        "producers": [{"name": "p", "load": {"topic": "orders", "rate": rate, "keys": {"type": "uniform", "keys": keys}}}],
        "consumers": [{"name": "c1", "config": {"group.id": "billing", "auto.offset.reset": "earliest"}, "topics": ["orders"]}],
        "duration_ms": 0
    }))
    .unwrap()
}

fn act(t: &mut Timeline, json: &str) {
    t.apply(Action::parse(json).unwrap()).unwrap();
}

fn holds(t: &mut Timeline, at: u64, check: &str) {
    t.advance_to(at);
    let out = Check::parse(check).unwrap().eval(&t.sim().snapshot());
    assert!(out.holds, "at {at} ms: {check}: {}", out.unmet.join("; "));
}

fn member(t: &Timeline, name: &str) -> brokerlab_engine::view::ShareMemberView {
    t.sim().snapshot().share_groups[0]
        .members
        .iter()
        .find(|m| m.name == name)
        .unwrap()
        .clone()
}

/// `SimpleAssignor` (4.2): every member is assigned every partition, so four members share one
/// partition, and a consumer group reading the same topic is untouched by them.
#[test]
fn more_members_than_partitions_all_get_records_beside_a_consumer_group() {
    let mut t = Timeline::new(scenario(1, 400, 20)).unwrap();
    for i in 1..=4 {
        act(
            &mut t,
            &format!(
                r#"{{"type": "add_share_consumer", "name": "s{i}", "group": "jobs", "topic": "orders", "processing_us": 6000, "auto_offset_reset": "earliest"}}"#
            ),
        );
    }
    act(
        &mut t,
        r#"{"type": "set_rate", "producer": "p", "rate": 400}"#,
    );
    t.advance_to(5_000);
    act(
        &mut t,
        r#"{"type": "set_rate", "producer": "p", "rate": 0}"#,
    );
    holds(
        &mut t,
        12_000,
        "share_group jobs members == 4 and share_group jobs accepted == 2000",
    );
    holds(
        &mut t,
        12_000,
        "group billing consumed == 2000 and share_group jobs in_flight == 0",
    );
    for i in 1..=4 {
        assert!(
            member(&t, &format!("s{i}")).accepted > 100,
            "s{i} did its share"
        );
    }
    let v = &t.sim().snapshot().share_groups[0];
    assert_eq!(v.partitions.len(), 1);
    assert_eq!(
        v.partitions[0].spso, 2000,
        "the SPSO moved past everything done"
    );
    assert!(
        v.order_violations > 0,
        "several members on one partition: no order"
    );
}

/// `SharePartition.scheduleAcquisitionLockTimeout`: a crashed member's records stay ACQUIRED by
/// it until the lock runs out, then go to another member with their delivery count raised.
#[test]
fn a_crashed_member_s_records_wait_for_their_lock_then_go_to_another() {
    let mut t = Timeline::new(scenario(1, 200, 10)).unwrap();
    act(
        &mut t,
        r#"{"type": "add_share_consumer", "name": "slow", "group": "jobs", "topic": "orders", "processing_us": 50000, "lock_ms": 5000, "auto_offset_reset": "earliest"}"#,
    );
    t.advance_to(1_000);
    act(
        &mut t,
        r#"{"type": "set_rate", "producer": "p", "rate": 0}"#,
    );
    t.advance_to(1_100);
    act(
        &mut t,
        r#"{"type": "crash_share_consumer", "consumer": "slow"}"#,
    );
    act(
        &mut t,
        r#"{"type": "add_share_consumer", "name": "fast", "group": "jobs", "topic": "orders", "processing_us": 100}"#,
    );
    t.advance_to(3_000);
    let v = t.sim().snapshot().share_groups[0].clone();
    let held: Vec<_> = v.partitions[0]
        .window
        .iter()
        .filter(|r| r.owner.as_deref() == Some("slow"))
        .collect();
    assert!(
        !held.is_empty(),
        "the crashed member still holds its records"
    );
    assert!(held.iter().all(|r| r.state == "ACQUIRED"));
    assert_eq!(v.partitions[0].spso, held[0].offset, "they pin the SPSO");
    // The lock (5 s from its acquisition) runs out; fast gets them, redelivered.
    holds(
        &mut t,
        8_000,
        "share_group jobs accepted == 200 and share_group jobs in_flight == 0",
    );
    let fast = member(&t, "fast");
    assert_eq!(fast.redelivered as usize, held.len());
    assert!(!member(&t, "slow").alive);
}

/// RELEASE brings a record back until its delivery count reaches the limit (then ARCHIVED);
/// REJECT archives it at once.
#[test]
fn a_poison_record_is_archived_at_the_delivery_limit_or_at_once_when_rejected() {
    for (reject, limit) in [(false, 3u32), (true, 3)] {
        let mut t = Timeline::new(scenario(2, 100, 10)).unwrap();
        act(
            &mut t,
            &format!(
                r#"{{"type": "add_share_consumer", "name": "s1", "group": "jobs", "topic": "orders", "processing_us": 1000, "poison_key": "user-3", "reject_poison": {reject}, "delivery_limit": {limit}, "auto_offset_reset": "earliest"}}"#
            ),
        );
        t.advance_to(2_000);
        act(
            &mut t,
            r#"{"type": "set_rate", "producer": "p", "rate": 0}"#,
        );
        t.advance_to(6_000);
        let v = t.sim().snapshot().share_groups[0].clone();
        let poison = v.archived;
        assert!(poison > 0 && v.accepted + poison == 200, "{v:?}");
        let s1 = &v.members[0];
        if reject {
            assert_eq!((s1.redelivered, s1.rejected), (0, poison));
        } else {
            assert_eq!(s1.redelivered, poison * u64::from(limit - 1));
            assert_eq!(s1.released, poison * u64::from(limit));
        }
    }
}

#[test]
fn bad_share_consumers_name_the_setting_and_change_nothing() {
    let mut t = Timeline::new(scenario(1, 10, 10)).unwrap();
    act(
        &mut t,
        r#"{"type": "add_share_consumer", "name": "s1", "group": "jobs", "topic": "orders"}"#,
    );
    t.advance_to(100);
    let before = t.sim().trace_hash();
    for (json, says) in [
        (
            r#"{"type": "add_share_consumer", "name": "s2", "group": "g", "topic": "nope"}"#,
            "Topic \"nope\" does not exist.",
        ),
        (
            r#"{"type": "add_share_consumer", "name": "s2", "group": "g", "topic": "orders", "lock_ms": 999}"#,
            "share.record.lock.duration.ms is 999; it takes 1000 to 3600000",
        ),
        (
            r#"{"type": "add_share_consumer", "name": "s2", "group": "g", "topic": "orders", "delivery_limit": 11}"#,
            "share.delivery.count.limit is 11; it takes 2 to 10",
        ),
        (
            r#"{"type": "add_share_consumer", "name": "s2", "group": "g", "topic": "orders", "auto_offset_reset": "none"}"#,
            "share.auto.offset.reset takes earliest or latest",
        ),
        (
            r#"{"type": "add_share_consumer", "name": "s2", "group": "jobs", "topic": "orders", "lock_ms": 60000}"#,
            "Share group \"jobs\" exists with share.record.lock.duration.ms=30000",
        ),
        (
            r#"{"type": "add_share_consumer", "name": "s1", "group": "jobs", "topic": "orders"}"#,
            "there is a share consumer \"s1\" already",
        ),
        (
            r#"{"type": "crash_share_consumer", "consumer": "nobody"}"#,
            "No running share consumer named \"nobody\".",
        ),
    ] {
        let e = t
            .apply(Action::parse(json).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{json}: {e}");
    }
    assert_eq!(t.sim().trace_hash(), before);
    assert_eq!(t.sim().snapshot().share_groups[0].members.len(), 1);
}

/// `SharePartition.canAcquireRecords`: new records are acquired only while the window from the
/// SPSO holds fewer than `share.partition.max.record.locks`; a crashed member's locked records at
/// the SPSO stall the partition for everyone until their lock runs out.
#[test]
fn a_stuck_record_at_the_start_stalls_a_full_window() {
    let mut t = Timeline::new(scenario(1, 1000, 10)).unwrap();
    act(
        &mut t,
        r#"{"type": "add_share_consumer", "name": "doomed", "group": "jobs", "topic": "orders", "processing_us": 1000000, "lock_ms": 10000, "max_record_locks": 100, "auto_offset_reset": "earliest"}"#,
    );
    t.advance_to(300);
    act(
        &mut t,
        r#"{"type": "crash_share_consumer", "consumer": "doomed"}"#,
    );
    act(
        &mut t,
        r#"{"type": "add_share_consumer", "name": "fast", "group": "jobs", "topic": "orders", "processing_us": 10}"#,
    );
    t.advance_to(5_000);
    let g = t.sim().snapshot().share_groups[0].clone();
    let p = &g.partitions[0];
    assert_eq!(p.speo - p.spso + 1, 100, "the window is full: {p:?}");
    assert!(
        g.accepted < 100,
        "fast got only what fits behind the stuck records: {}",
        g.accepted
    );
    // The lock runs out: fast takes the stuck records and the partition flows again.
    t.advance_to(15_000);
    let g = t.sim().snapshot().share_groups[0].clone();
    assert!(g.accepted > 5_000, "{}", g.accepted);
}
