//! Issue 13, "and their siblings": random whole scenarios, with everything that once froze the
//! page or exhausted its memory in play at once: broker kills and restarts, slow brokers, lost,
//! refused and delayed produce traffic, zombie producers fenced by a new instance with the same
//! `transactional.id`, hand-driven and automatic transactions, crashing consumers and
//! processors, offset resets, and settings at the edges of their ranges (1 ms and
//! `Integer.MAX_VALUE` timeouts, the smallest `buffer.memory` and `sim.log.memory.bytes`,
//! `max.block.ms` 0).
//!
//! A scenario is generated as the JSON a user would write, parsed by the same decoder, started
//! with `Scenario::start`, and driven action by action; a refused action is skipped, as the page
//! does. After every step (each action and every 500 ms of simulated time):
//! * virtual time reaches the asked time, and no burst of events leaves it where it was;
//! * no party was woken at an instant without progress (`Simulation::stalled_wakeups`);
//! * the memory the engine holds (every byte this thread has allocated and not freed since the
//!   simulation was built, counted by this binary's allocator) stays under a bound derived from
//!   the settings: `sim.log.memory.bytes` and each producer's `buffer.memory`, plus a fixed
//!   allowance for the rest;
//! * the logs and the audit keep their invariants (no overlapping batches, log start <= last stable
//!   offset <= high watermark <= log end; one owner per partition in a Stable group;
//!   deliveries = distinct records + duplicates; a read_committed group never sees an aborted
//!   record; nothing acknowledged is lost while every producer uses acks=all and no topic allows
//!   unclean elections).
//!
//! Every case is bounded: at most 60 s of simulated time at rates up to 200 000 records/s.
//! `WHOLE_SCENARIO_CASES` sets the number of cases (CI: 24, within the wall-time budgets of
//! `budget` below; `WHOLE_SCENARIO_VERBOSE=1` prints
//! each case's memory against its bound, `WHOLE_SCENARIO_CURRENT=FILE` writes each case to FILE
//! before it runs); a shrunk failure prints its
//! scenario as JSON, which goes to `tests/hostile/` with a named test in `regressions.rs`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use brokerlab_engine::{Scenario, Simulation};
use proptest::prelude::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Memory held, per thread: each proptest case runs on one thread and the engine is
// single-threaded, so the bytes a thread allocated and has not freed are what its simulation holds.

struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn count(delta: i64) {
    // `try_with`: allocations while the thread's locals are being torn down are not counted.
    let _ = LIVE.try_with(|l| l.set(l.get() + delta));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as i64);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as i64);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as i64 - layout.size() as i64);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> i64 {
    LIVE.with(Cell::get)
}

// ---------------------------------------------------------------------------------------------
// Random scenarios, as JSON.

const INT_MAX: u64 = i32::MAX as u64;
const DURATION_MS: u64 = 60_000;

fn timeout() -> impl Strategy<Value = u64> {
    prop::sample::select(vec![1u64, 50, 1_000, 30_000, INT_MAX])
}

fn producer(topics: usize, transactional: Option<u8>) -> impl Strategy<Value = Value> {
    (
        0..topics,
        prop::sample::select(vec![0u64, 100, 2_000, 20_000, 200_000]),
        prop::sample::select(vec!["all", "1", "0"]),
        timeout(),
        prop::sample::select(vec![0u64, 5, 100]),
        prop::sample::select(vec![1u64, 16_384, 1 << 20]),
        prop::sample::select(vec![0u64, 1, 1 << 20, 4 << 20]),
        prop::sample::select(vec![0u64, 1_000, 60_000, i64::MAX as u64]),
        (1u32..=5, 0u64..3, prop::sample::select(vec![0u64, 300])),
    )
        .prop_map(
            move |(topic, rate, acks, request_timeout, linger, batch, buffer, block, (in_flight, keys, txn_ms))| {
                let buffer = buffer.max(batch);
                // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms, an int.
                let request_timeout = request_timeout.min(INT_MAX - linger);
                let mut config = json!({
                    "linger.ms": linger,
                    "batch.size": batch,
                    "buffer.memory": buffer,
                    "max.block.ms": block,
                    "request.timeout.ms": request_timeout,
                    "delivery.timeout.ms": (request_timeout + linger).max(120_000),
                    "max.in.flight.requests.per.connection": in_flight,
                });
                let acks = if transactional.is_some() { "all" } else { acks };
                config["acks"] = json!(acks);
                if acks != "all" {
                    config["enable.idempotence"] = json!(false);
                }
                if let Some(id) = transactional {
                    config["transactional.id"] = json!(format!("tx-{id}"));
                    config["sim.transaction.ms"] = json!(txn_ms);
                    config["transaction.timeout.ms"] = json!(10_000);
                }
                let keys = match keys {
                    0 => json!({"type": "none"}),
                    1 => json!({"type": "uniform", "keys": 50}),
                    _ => json!({"type": "hot_key", "keys": 10, "hot_percent": 80.0}),
                };
                json!({
                    "config": config,
                    "load": {"topic": format!("t{topic}"), "rate": rate, "keys": keys, "value_bytes": 100},
                })
            },
        )
}

fn consumer(topics: usize) -> impl Strategy<Value = Value> {
    (
        0..topics,
        0u8..3,
        prop::sample::select(vec!["read_uncommitted", "read_committed"]),
        prop::sample::select(vec![6_000u64, 45_000]),
        prop::sample::select(vec![1u64, 100, 3_000]),
        prop::sample::select(vec![0u64, 500, INT_MAX]),
        prop::sample::select(vec![1u64, 500]),
        prop::sample::select(vec![0u64, 100]),
        any::<bool>(),
    )
        .prop_map(
            |(topic, group, isolation, session, heartbeat, fetch_wait, max_poll, us, earliest)| {
                json!({
                    "config": {
                        "group.id": format!("g{group}"),
                        "isolation.level": isolation,
                        "session.timeout.ms": session,
                        "heartbeat.interval.ms": heartbeat.min(session / 3),
                        "fetch.max.wait.ms": fetch_wait,
                        "max.poll.records": max_poll,
                        "sim.processing.time.us": us,
                        "auto.offset.reset": if earliest { "earliest" } else { "latest" },
                    },
                    "topics": [format!("t{topic}")],
                })
            },
        )
}

/// A timed action; names that do not exist (yet, or any more) are refused and skipped.
fn action(topics: usize) -> impl Strategy<Value = Value> {
    let broker = 1i32..=3;
    let action = prop_oneof![
        3 => broker.clone().prop_map(|b| json!({"type": "kill_broker", "broker": b})),
        3 => broker.clone().prop_map(|b| json!({"type": "restart_broker", "broker": b})),
        1 => (broker, prop::sample::select(vec![0u64, 200, 20_000]))
            .prop_map(|(b, d)| json!({"type": "slow_broker", "broker": b, "delay_ms": d})),
        3 => prop::collection::vec(
                (prop::option::of(0u8..4), prop::option::of(1i32..=3), 0.0f64..60.0, 0.0f64..60.0, 0.0f64..40.0, prop::sample::select(vec![0u64, 300])),
                0..3,
            )
            .prop_map(|rules| json!({"type": "set_faults", "faults": rules.into_iter().map(|(p, b, dq, dr, rj, delay)| {
                let mut r = json!({"drop_requests_percent": dq, "drop_responses_percent": dr,
                                   "reject_requests_percent": rj, "extra_delay_ms": delay});
                if let Some(p) = p { r["producer"] = json!(format!("producer-{}", p + 1)); }
                if let Some(b) = b { r["broker"] = json!(b); }
                r
            }).collect::<Vec<_>>()})),
        2 => (0u8..5, prop::sample::select(vec![0u64, 500, 20_000]))
            .prop_map(|(p, rate)| json!({"type": "set_rate", "producer": format!("producer-{}", p + 1), "rate": rate})),
        // A new instance with a used transactional.id fences the old one (a zombie from then on).
        2 => (0u8..2, prop::sample::select(vec![0u64, 300]), 0..topics)
            .prop_map(|(id, txn_ms, t)| json!({"type": "add_producer", "config": {
                "transactional.id": format!("tx-{id}"), "sim.transaction.ms": txn_ms,
                "transaction.timeout.ms": 10_000, "request.timeout.ms": 1_000, "buffer.memory": 1 << 20},
                "load": {"topic": format!("t{t}"), "rate": 1_000}})),
        2 => (0u8..6, prop::sample::select(vec!["begin_transaction", "commit_transaction", "abort_transaction"]))
            .prop_map(|(p, what)| json!({"type": what, "producer": format!("producer-{}", p + 1)})),
        2 => (0u8..6).prop_map(|c| json!({"type": "crash_consumer", "consumer": format!("consumer-{}", c + 1)})),
        1 => (0u8..6).prop_map(|c| json!({"type": "remove_consumer", "consumer": format!("consumer-{}", c + 1)})),
        2 => consumer(topics).prop_map(|mut c| { c["type"] = json!("add_consumer"); c }),
        1 => (0u8..2).prop_map(|p| json!({"type": "crash_processor", "processor": format!("proc-{p}")})),
        1 => (0u8..2).prop_map(|p| json!({"type": "restart_processor", "processor": format!("proc-{p}")})),
        1 => (0u8..3, prop::sample::select(vec!["earliest", "latest"]))
            .prop_map(|(g, to)| json!({"type": "reset_offsets", "group": format!("g{g}"), "to": {"type": to}})),
        1 => (0..topics, 2u32..6).prop_map(|(t, n)| json!({"type": "increase_partitions", "topic": format!("t{t}"), "partitions": n})),
    ];
    (0..DURATION_MS, action).prop_map(|(at, action)| json!({"at": at, "action": action}))
}

fn scenario() -> impl Strategy<Value = Value> {
    (1usize..=2).prop_flat_map(|topics| {
        (
            any::<u64>(),
            prop::sample::select(vec![1u64 << 20, 8 << 20]),
            prop::collection::vec(
                (1u32..=4, 1u32..=3, 1u32..=3, any::<bool>(), prop::sample::select(vec!["delete", "compact"])),
                topics,
            ),
            prop::collection::vec(producer(topics, None), 0..3),
            prop::option::of((0u8..2, producer(topics, Some(0)))),
            prop::collection::vec(consumer(topics), 0..4),
            prop::collection::vec((0..topics, 0..topics, any::<bool>()), 0..2),
            prop::collection::vec(action(topics), 0..16),
        )
            .prop_map(
                |(seed, log_memory, topic_specs, mut producers, txn, consumers, processors, actions)| {
                    if let Some((_, p)) = txn {
                        producers.push(p);
                    }
                    let topics: Vec<Value> = topic_specs
                        .iter()
                        .enumerate()
                        .map(|(i, (partitions, rf, min_isr, unclean, policy))| {
                            json!({"name": format!("t{i}"), "partitions": partitions, "config": {
                                "replication.factor": rf, "min.insync.replicas": min_isr,
                                "unclean.leader.election.enable": unclean, "cleanup.policy": policy,
                                "segment.bytes": 65_536}})
                        })
                        .collect();
                    let mut actions = actions;
                    for (i, (input, output, exactly_once)) in processors.into_iter().enumerate() {
                        actions.push(json!({"at": 0, "action": {"type": "add_processor",
                            "name": format!("proc-{i}"), "input": format!("t{input}"),
                            "output": format!("t{output}"),
                            "guarantee": if exactly_once { "exactly_once" } else { "at_least_once" }}}));
                    }
                    json!({
                        "seed": seed,
                        "cluster": {"brokers": 3, "sim.log.memory.bytes": log_memory,
                                    "broker.session.timeout.ms": 6_000},
                        "topics": topics,
                        "producers": producers,
                        "consumers": consumers,
                        "actions": actions,
                        "duration_ms": DURATION_MS,
                    })
                },
            )
    })
}

// ---------------------------------------------------------------------------------------------
// Driving and checking.

/// The clients a scenario adds, at time 0 (`setup`: "producers" or "consumers") and later
/// (actions of type `added`), as their JSON.
fn clients<'a>(
    scenario: &'a Value,
    setup: &str,
    added: &'a str,
) -> impl Iterator<Item = &'a Value> + 'a {
    let later = scenario["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["action"])
        .filter(move |a| a["type"] == added);
    scenario[setup].as_array().unwrap().iter().chain(later)
}

/// What the engine may hold for this scenario: twice the logs' bound, each producer's
/// `buffer.memory` (the engine's records are smaller than Kafka's bytes, which the pool counts),
/// a processor's producer's (32 MiB, the default), and 32 MiB for everything whose size does
/// not follow a setting (event history, groups, interned keys, consumers' fetched records,
/// audit). A producer without a bound at 200 000 records/s passes it within seconds.
fn memory_bound(scenario: &Value) -> i64 {
    let mut bound: i64 = 32 << 20;
    let log = scenario["cluster"]["sim.log.memory.bytes"]
        .as_i64()
        .unwrap_or(64 << 20);
    // Each replica's log keeps at least 16 KiB (LOG_MEMORY_MIN_SHARE): 3 replicas of at most 6
    // partitions of 2 topics after increases.
    bound += 2 * log.max(3 * 6 * 2 * (16 << 10));
    for p in clients(scenario, "producers", "add_producer") {
        bound += p["config"]["buffer.memory"].as_i64().unwrap_or(32 << 20);
    }
    let processors = scenario["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"]["type"] == "add_processor")
        .count() as i64;
    bound += (32 << 20) * processors;
    bound
}

/// Why a case stopped early (not a failure): its wall-time budget was spent.
const OUT_OF_TIME: &str = "out of wall time";

struct Checks {
    /// When the case stops, checked so far, to keep the run's wall time bounded.
    deadline: Instant,
    /// Live bytes when the simulation had been built.
    baseline: i64,
    bound: i64,
    no_loss_expected: bool,
    read_committed_groups: Vec<String>,
    peak: i64,
}

fn check(sim: &Simulation, c: &mut Checks, at: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(sim.stalled_wakeups(), 0, "{}: a stalled wake-up", at);
    let held = live_bytes() - c.baseline;
    c.peak = c.peak.max(held);
    prop_assert!(
        held <= c.bound,
        "{}: the engine holds {} bytes, over the bound {} derived from the settings",
        at,
        held,
        c.bound
    );
    for p in sim.cluster().partitions() {
        // Offsets only grow; compaction leaves holes, nothing may overlap.
        let mut expected = p.log.log_start_offset();
        for b in p.log.batches_from(0) {
            prop_assert!(
                b.base_offset >= expected,
                "{}: batches overlap in a log",
                at
            );
            expected = b.next_offset();
        }
        prop_assert!(expected <= p.log.log_end_offset());
    }
    let snap = sim.snapshot();
    for t in &snap.topics {
        for p in &t.partitions {
            prop_assert!(
                p.log_start_offset <= p.last_stable_offset.max(p.log_start_offset)
                    && p.last_stable_offset <= p.high_watermark
                    && p.high_watermark <= p.log_end_offset,
                "{}: {}-{} offsets out of order: start {} lso {} hw {} leo {}",
                at,
                &t.name,
                p.partition,
                p.log_start_offset,
                p.last_stable_offset,
                p.high_watermark,
                p.log_end_offset
            );
        }
    }
    for g in &snap.groups {
        let a = &g.audit;
        prop_assert_eq!(
            a.consumed,
            a.unique_consumed + a.duplicates,
            "{}: group {} deliveries",
            at,
            &g.group_id
        );
        if c.read_committed_groups.contains(&g.group_id) {
            prop_assert_eq!(
                a.aborted_seen,
                0,
                "{}: read_committed group {} saw aborted records",
                at,
                &g.group_id
            );
        }
        if c.no_loss_expected {
            prop_assert_eq!(
                a.lost,
                0,
                "{}: group {} lost acknowledged records",
                at,
                &g.group_id
            );
        }
        if g.state == "Stable" {
            let mut owned = std::collections::BTreeSet::new();
            for m in &g.members {
                for tp in &m.assignment {
                    prop_assert!(
                        owned.insert(tp.clone()),
                        "{}: {:?} owned twice in {}",
                        at,
                        tp,
                        &g.group_id
                    );
                }
            }
        }
    }
    Ok(())
}

/// Wall-time budgets, so that CI (a debug build, where a case at 200 000 records/s can take
/// minutes) stays bounded: `WHOLE_SCENARIO_SECONDS` for the whole run (90 by default; cases
/// after it are skipped) and `WHOLE_SCENARIO_CASE_SECONDS` for one case (30; a case past it
/// stops where it is, checked so far, and says so). By hand, raise both.
fn budget(name: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

fn started() -> Instant {
    static STARTED: OnceLock<Instant> = OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

/// Advances to `target`, at most 200 000 events at a time, failing on a burst that does not
/// move time.
fn advance(sim: &mut Simulation, target: u64, c: &mut Checks) -> Result<(), TestCaseError> {
    if Instant::now() > c.deadline {
        return Err(TestCaseError::reject(OUT_OF_TIME));
    }
    loop {
        let before = sim.now();
        let reached = sim.advance_to_bounded(target, 200_000);
        check(sim, c, &format!("at {} ms", sim.now()))?;
        if reached {
            prop_assert_eq!(sim.now(), target, "time reached the asked time");
            return Ok(());
        }
        prop_assert!(sim.now() > before, "livelock at {} ms", before);
    }
}

/// Runs one scenario with every check; returns the most memory it held and its bound.
fn run(json: &Value) -> Result<(i64, i64), TestCaseError> {
    let scenario: Scenario = brokerlab_engine::scenario::json::read(&json.clone())
        .map_err(|e| TestCaseError::fail(format!("the generator made an invalid file: {e}")))?;
    let no_loss_expected = clients(json, "producers", "add_producer")
        .all(|p| p["config"]["acks"].as_str().unwrap_or("all") == "all")
        && json["topics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["config"]["unclean.leader.election.enable"] == false);
    let groups_reading = |committed: bool| -> Vec<String> {
        clients(json, "consumers", "add_consumer")
            .filter(|c| (c["config"]["isolation.level"] == "read_committed") == committed)
            .filter_map(|c| c["config"]["group.id"].as_str().map(String::from))
            .collect()
    };
    // A group with read_uncommitted members too may deliver aborted records through them.
    let uncommitted = groups_reading(false);
    let mut read_committed_groups = groups_reading(true);
    read_committed_groups.retain(|g| !uncommitted.contains(g));
    let before = live_bytes();
    let mut sim = match scenario.start() {
        Ok(sim) => sim,
        // A refused file is a clean refusal; nothing to run.
        Err(_) => return Ok((0, 0)),
    };
    let case_started = Instant::now();
    let mut c = Checks {
        deadline: (case_started + budget("WHOLE_SCENARIO_CASE_SECONDS", 30))
            .min(started() + budget("WHOLE_SCENARIO_SECONDS", 90)),
        baseline: before,
        bound: memory_bound(json),
        no_loss_expected,
        read_committed_groups,
        peak: 0,
    };
    check(&sim, &mut c, "after setup")?;
    let mut actions = scenario.actions.clone();
    actions.sort_by_key(|a| a.at);
    let mut next_look = 500;
    for ta in &actions {
        while next_look < ta.at {
            advance(&mut sim, next_look, &mut c)?;
            next_look += 500;
        }
        advance(&mut sim, ta.at, &mut c)?;
        // Refused (a name that does not exist yet or any more): skipped, as the page does.
        let _ = sim.apply(ta.action.clone());
        check(
            &sim,
            &mut c,
            &format!("after {} at {} ms", ta.action.name(), ta.at),
        )?;
    }
    while next_look < scenario.duration_ms {
        advance(&mut sim, next_look, &mut c)?;
        next_look += 500;
    }
    advance(&mut sim, scenario.duration_ms, &mut c)?;
    Ok((c.peak, c.bound))
}

fn cases() -> u32 {
    std::env::var("WHOLE_SCENARIO_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 300,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn random_whole_scenarios_finish_in_bounded_memory_with_their_invariants(json in scenario()) {
        if let Some(path) = std::env::var_os("WHOLE_SCENARIO_CURRENT") {
            // By hand: the case being run, to catch one that takes too long.
            std::fs::write(path, serde_json::to_string(&json).unwrap()).unwrap();
        }
        if started().elapsed() > budget("WHOLE_SCENARIO_SECONDS", 90) {
            return Ok(()); // the run's budget is spent: the cases so far were checked
        }
        let result = run(&json);
        let result = match result {
            Err(TestCaseError::Reject(why)) if why.message() == OUT_OF_TIME => {
                eprintln!("a case stopped after its wall-time budget (slow: {})", serde_json::to_string(&json).unwrap());
                Ok((0, 0))
            }
            other => other,
        };
        match &result {
            Err(_) => eprintln!("scenario:\n{}", serde_json::to_string(&json).unwrap()),
            // By hand: WHOLE_SCENARIO_VERBOSE=1 shows how close each case came to its bound.
            Ok((peak, bound)) if std::env::var_os("WHOLE_SCENARIO_VERBOSE").is_some() => {
                eprintln!("held at most {} KiB of {} KiB", peak >> 10, bound >> 10)
            }
            Ok(_) => {}
        }
        result?;
    }
}

/// By hand: runs the scenario in `WHOLE_SCENARIO_FILE` (one a failure printed) with every check,
/// to see which check fails and where:
/// `WHOLE_SCENARIO_FILE=case.json cargo test --release -p brokerlab-engine --test whole_scenarios -- --ignored`.
#[test]
#[ignore = "a tool: needs WHOLE_SCENARIO_FILE"]
fn replay_a_case_from_a_file() {
    let path = std::env::var("WHOLE_SCENARIO_FILE").expect("WHOLE_SCENARIO_FILE=case.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if let Err(e) = run(&json) {
        panic!("{e}");
    }
}
