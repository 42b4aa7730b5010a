//! The session as a timeline (issue 14): going back to a checkpoint and replaying gives the run
//! a straight run gives, for every scenario file and at several cut points; forking keeps the
//! past; an exported session run headless gives the trace hash the session shows.

mod common;

use std::path::PathBuf;

use brokerlab_engine::event::Event;
use brokerlab_engine::{Action, Scenario, Simulation, TimedAction, Timeline};
use proptest::prelude::*;

fn scenario_files() -> Vec<(String, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut out: Vec<(String, Scenario)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let s: Scenario = brokerlab_engine::scenario::json::parse(&text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, s)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 18, "the scenario files are there");
    out
}

/// The scenario run straight (the command line's runner) up to `t`.
fn straight(s: &Scenario, t: u64) -> Simulation {
    Scenario {
        actions: s.actions.iter().filter(|a| a.at <= t).cloned().collect(),
        duration_ms: t,
        ..s.clone()
    }
    .run_to_end()
    .unwrap()
}

fn same(a: &Simulation, b: &Simulation, what: &str) {
    assert_eq!(a.now(), b.now(), "{what}: time");
    assert_eq!(a.trace_hash(), b.trace_hash(), "{what}: trace hash");
    assert_eq!(a.snapshot(), b.snapshot(), "{what}: snapshot");
}

#[test]
fn seeking_back_and_forth_gives_the_straight_run_for_every_scenario_file() {
    for (name, s) in scenario_files() {
        let end = s.duration_ms;
        let mut t = Timeline::new(s.clone()).unwrap();
        t.advance_to(end);
        same(t.sim(), &straight(&s, end), &format!("{name} at its end"));
        assert!(
            t.checkpoints().len() >= 2 || end < 10_000,
            "{name}: checkpoints taken"
        );
        // Backwards, then forwards again, at cut points between checkpoints.
        let cuts = [end * 2 / 3 + 7, end / 3 + 1, end / 10, end - 1, 0, end];
        for cut in cuts {
            t.seek(cut);
            same(t.sim(), &straight(&s, cut), &format!("{name} at {cut} ms"));
        }
        // The export runs headless to the same trace.
        t.seek(end / 2);
        let exported = t.to_scenario();
        same(
            t.sim(),
            &exported.run_to_end().unwrap(),
            &format!("{name} exported at {} ms", end / 2),
        );
    }
}

/// A seek spread over frames (`seek_begin`, then bounded steps, as the page does for a long
/// replay) ends in the state `seek` reaches; stopped half way it is a valid earlier state.
#[test]
fn a_seek_in_small_steps_reaches_the_same_state_as_one_seek() {
    for (name, s) in scenario_files().into_iter().take(6) {
        let end = s.duration_ms;
        let mut t = Timeline::new(s.clone()).unwrap();
        t.advance_to(end);
        for cut in [end / 3 + 1, end * 2 / 3 + 7] {
            let target = t.seek_begin(cut);
            assert_eq!(target, cut);
            let mut steps = 0;
            while !t.advance_to_bounded(target, 500) {
                steps += 1;
                assert!(t.now() <= cut, "{name}: never past the target");
            }
            same(
                t.sim(),
                &straight(&s, cut),
                &format!("{name} at {cut} ms in {steps} steps"),
            );
        }
        // Stopped half way: the state at that time, straight.
        let target = t.seek_begin(end / 5);
        t.advance_to_bounded(target, 200);
        let at = t.now();
        t.advance_to(at);
        same(
            t.sim(),
            &straight(&s, at),
            &format!("{name} stopped at {at} ms"),
        );
    }
}

fn demo() -> Scenario {
    brokerlab_engine::scenario::json::read(&serde_json::json!({
        "seed": 7,
        "topics": [{"name": "orders", "partitions": 4, "config": {"replication.factor": 3}}],
        "cluster": {"brokers": 3},
        "producers": [{"name": "p", "load": {"topic": "orders", "rate": 400, "keys": {"type": "uniform", "keys": 50}, "value_bytes": 40}}],
        "consumers": [
            {"name": "c1", "config": {"group.id": "g"}, "topics": ["orders"]},
            {"name": "c2", "config": {"group.id": "g"}, "topics": ["orders"]}
        ],
        "duration_ms": 0
    }))
    .unwrap()
}

#[test]
fn a_fork_drops_the_later_log_keeps_the_past_and_can_be_undone_once() {
    let mut t = Timeline::new(demo()).unwrap();
    t.advance_to(8_000);
    t.apply(Action::KillBroker { broker: 1 }).unwrap();
    t.advance_to(20_000);
    t.apply(Action::RestartBroker { broker: 1 }).unwrap();
    t.advance_to(30_000);
    let original_end = (t.sim().trace_hash(), t.sim().snapshot());
    assert_eq!(t.log().len(), 2);
    assert!(t
        .markers()
        .iter()
        .any(|m| m.text.contains("broker 1 killed")));
    assert!(t
        .markers()
        .iter()
        .any(|m| m.text.contains("broker 1 restarted")));

    // Back to 12 s: the kill is in the past, the restart in the recorded future.
    t.seek(12_000);
    let at_12 = (t.sim().trace_hash(), t.sim().snapshot());
    assert_eq!(t.applied(), 1);
    assert_eq!(t.end(), 30_000);
    // Playing on replays the recorded future.
    t.advance_to(30_000);
    assert_eq!((t.sim().trace_hash(), t.sim().snapshot()), original_end);

    // Acting at 12 s forks: the restart is gone, the past is kept.
    t.seek(12_000);
    assert_eq!((t.sim().trace_hash(), t.sim().snapshot()), at_12);
    t.apply(Action::CrashConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    assert_eq!(t.log().len(), 2);
    assert_eq!(t.end(), 12_000);
    assert!(t.can_undo_fork());
    assert!(!t.markers().iter().any(|m| m.time > 12_000));
    t.advance_to(25_000);
    assert!(!t.markers().iter().any(|m| m.text.contains("restarted")));
    let fork_hash = t.sim().trace_hash();
    assert_eq!(
        fork_hash,
        t.to_scenario().run_to_end().unwrap().trace_hash()
    );

    // Undo: the crash is gone, the restart is back.
    assert!(t.undo_fork());
    assert!(!t.undo_fork(), "once");
    assert_eq!(t.now(), 12_000);
    assert_eq!((t.sim().trace_hash(), t.sim().snapshot()), at_12);
    t.seek(30_000);
    assert_eq!((t.sim().trace_hash(), t.sim().snapshot()), original_end);
}

#[test]
fn step_and_step_back_move_between_instants_with_events_and_return_to_the_same_state() {
    let mut t = Timeline::new(demo()).unwrap();
    t.advance_to(5_000);
    let here = (t.now(), t.sim().trace_hash(), t.sim().snapshot());
    let next = t.step().unwrap();
    assert!(next > 5_000);
    assert!(t.step_back());
    assert!(t.now() <= 5_000);
    let back = t.now();
    let forward = t.step().unwrap();
    assert!(forward > back);
    // Step forward from the instant before lands on an instant; stepping to 5 s's instant end
    // again gives the same state as before.
    t.seek(5_000);
    assert_eq!((t.now(), t.sim().trace_hash(), t.sim().snapshot()), here);
    // Stepping back runs out at time 0.
    t.seek(0);
    assert!(!t.step_back());
}

#[test]
fn an_action_taken_mid_instant_finishes_the_instant_first_and_exports_the_same_run() {
    let mut t = Timeline::new(demo()).unwrap();
    // Stop a frame after a few queue entries, in the middle of an instant.
    t.advance_to(3_000);
    assert!(!t.advance_to_bounded(10_000, 3));
    t.apply(Action::SetRate {
        producer: "p".into(),
        rate: 50,
    })
    .unwrap();
    t.advance_to(12_000);
    let exported = t.to_scenario();
    assert_eq!(exported.actions.len(), 1);
    same(t.sim(), &exported.run_to_end().unwrap(), "exported");
}

#[test]
fn a_saved_session_replays_to_its_time_with_its_future_kept() {
    let mut t = Timeline::new(demo()).unwrap();
    t.advance_to(4_000);
    t.apply(Action::KillBroker { broker: 2 }).unwrap();
    t.advance_to(9_000);
    t.apply(Action::RestartBroker { broker: 2 }).unwrap();
    t.advance_to(15_000);
    t.seek(6_000);
    let opened = Timeline::replay(demo(), t.timed_log(), 6_000).unwrap();
    same(opened.sim(), t.sim(), "opened at 6 s");
    assert_eq!(opened.log().len(), 2);
    assert_eq!(opened.applied(), 1);
    // A log out of order is refused, naming the entry.
    let rate = |at, rate| TimedAction {
        at,
        action: Action::SetRate {
            producer: "p".into(),
            rate,
        },
    };
    let e = Timeline::replay(demo(), vec![rate(9_000, 10), rate(4_000, 20)], 0)
        .err()
        .unwrap();
    assert!(e.contains("log[1]") && e.contains("time order"), "{e}");
    // So is an action the engine refuses, with the engine's reason.
    let bad = TimedAction {
        at: 1_000,
        action: Action::RestartBroker { broker: 2 },
    };
    let e = Timeline::replay(demo(), vec![rate(500, 10), bad], 0)
        .err()
        .unwrap();
    assert!(e.starts_with("log[1] (restart_broker) at 1000 ms: "), "{e}");
}

#[test]
fn checkpoints_stay_within_their_budget_and_thin_out_evenly() {
    let mut s = demo();
    s.producers[0].load.as_mut().unwrap().rate = 50;
    let budget = 16 << 20;
    let mut t = Timeline::with_budget(s, budget).unwrap();
    for minute in 1..=10 {
        t.advance_to(minute * 60_000);
        assert!(
            t.checkpoints().bytes() <= budget,
            "{} bytes",
            t.checkpoints().bytes()
        );
    }
    let times: Vec<u64> = t.checkpoints().times().collect();
    assert_eq!(times[0], 0, "the first is always kept");
    let own: Vec<u64> = t.checkpoints().own_bytes().collect();
    assert!(times.len() >= 8, "{times:?} {own:?}");
    // No stretch without a checkpoint is more than a few times the average.
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = gaps.iter().sum::<u64>() / gaps.len() as u64;
    assert!(gaps.iter().all(|&g| g <= mean * 4), "{gaps:?}");
}

/// At a rate where a log's window is much of the budget, a checkpoint far from the others holds
/// a whole window alone, and one in a run holds only what its successor no longer does: the
/// store keeps a dense run behind the running simulation (stepping back stays a short replay),
/// sparser into the past, and the first, within the budget.
#[test]
fn when_log_windows_outweigh_the_budget_a_dense_run_stays_behind_the_present() {
    let mut s = demo();
    s.cluster.log_memory_bytes = 4 << 20;
    s.producers[0].load.as_mut().unwrap().rate = 5_000;
    let budget = 6 << 20;
    let mut t = Timeline::with_budget(s, budget).unwrap();
    t.advance_to(120_000);
    let times: Vec<u64> = t.checkpoints().times().collect();
    let own: Vec<u64> = t.checkpoints().own_bytes().collect();
    assert!(t.checkpoints().bytes() <= budget, "{times:?} {own:?}");
    assert_eq!(times[0], 0, "{times:?}");
    // A window here is about 1.4 MB (4 MB of logs over 4 partitions of 3 replicas, 5 s of
    // records holding most of one): the budget holds the first and about four more.
    assert!(
        times.len() >= 4,
        "a run, not only the first and the newest: {times:?} {own:?}"
    );
    let newest = &times[times.len() - 3..];
    assert_eq!(newest[2], 120_000, "{times:?}");
    assert!(
        newest.windows(2).all(|w| w[1] - w[0] <= 5_000),
        "dense behind the present: {times:?}"
    );
    let gaps: Vec<u64> = times[1..].windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.windows(2).all(|g| g[0] >= g[1]),
        "sparser into the past: {times:?}"
    );
}

/// A random session: actions at random times, then a fork at a random earlier time.
#[derive(Clone, Debug)]
enum Op {
    Rate(u64),
    Kill(i32),
    Restart(i32),
    Crash,
    Join(u32),
}

fn action(op: &Op, n: usize) -> Action {
    match op {
        Op::Rate(r) => Action::SetRate {
            producer: "p".into(),
            rate: *r,
        },
        Op::Kill(b) => Action::KillBroker { broker: *b },
        Op::Restart(b) => Action::RestartBroker { broker: *b },
        Op::Crash => Action::CrashConsumer {
            consumer: "c1".into(),
        },
        Op::Join(k) => Action::AddConsumer {
            name: Some(format!("j{n}")),
            config: brokerlab_engine::ConsumerConfig {
                group_id: Some(format!("g{k}")),
                ..Default::default()
            },
            topics: vec!["orders".into()],
            assign: None,
        },
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        prop::sample::select(vec![0u64, 100, 2_000]).prop_map(Op::Rate),
        (1i32..=3).prop_map(Op::Kill),
        (1i32..=3).prop_map(Op::Restart),
        Just(Op::Crash),
        (0u32..2).prop_map(Op::Join),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn forking_at_any_point_keeps_the_trace_of_the_kept_prefix(
        ops in prop::collection::vec((op(), 1u64..9_000), 1..8),
        fork_at in 1u64..40_000,
        fork_op in op(),
    ) {
        let mut t = Timeline::new(demo()).unwrap();
        for (i, (o, gap)) in ops.iter().enumerate() {
            t.advance_to(t.now() + gap);
            let _ = t.apply(action(o, i));
        }
        t.advance_to(t.now() + 5_000);
        let fork_at = fork_at.min(t.end());
        t.seek(fork_at);
        let original = t.clone();
        let seq = t.sim().next_event_seq();
        let prefix: Vec<Event> = t.sim().events_since(0).cloned().collect();
        let _ = t.apply(action(&fork_op, 99));
        t.advance_to(t.now() + 10_000);
        // The forked session, exported, runs headless to the trace it shows.
        prop_assert_eq!(t.sim().trace_hash(), t.to_scenario().run_to_end().unwrap().trace_hash());
        // Its past is the original's: the same events up to the fork ...
        t.seek(fork_at);
        let kept: Vec<Event> = t.sim().events_since(0).filter(|e| e.seq < seq).cloned().collect();
        // (The history keeps the latest events only: compare what both still hold.)
        let from = kept.first().map_or(0, |e| e.seq).max(prefix.first().map_or(0, |e| e.seq));
        let prefix: Vec<Event> = prefix.into_iter().filter(|e| e.seq >= from).collect();
        let kept: Vec<Event> = kept.into_iter().filter(|e| e.seq >= from).collect();
        prop_assert!(!kept.is_empty() || seq == 0);
        prop_assert_eq!(kept, prefix);
        // ... and the same state a millisecond before.
        let mut before = original.clone();
        before.seek(fork_at - 1);
        t.seek(fork_at - 1);
        prop_assert_eq!(t.sim().trace_hash(), before.sim().trace_hash());
        prop_assert_eq!(t.sim().snapshot(), before.sim().snapshot());
    }
}

/// Acting while scrubbed back with no later action in the log still changes the future: the
/// checkpoints and markers of the old future must go, or a later seek would restore them.
#[test]
fn acting_in_the_past_with_no_later_actions_forgets_the_old_future() {
    let mut t = Timeline::new(demo()).unwrap();
    t.advance_to(20_000);
    t.seek(7_000);
    t.apply(Action::KillBroker { broker: 1 }).unwrap();
    assert_eq!(t.end(), 7_000, "the old future is gone");
    assert!(t.markers().iter().all(|m| m.time <= 7_000));
    t.seek(20_000);
    t.advance_to(20_000);
    let mut s = demo();
    s.actions.push(brokerlab_engine::TimedAction {
        at: 7_000,
        action: Action::KillBroker { broker: 1 },
    });
    same(t.sim(), &straight(&s, 20_000), "after acting in the past");
    assert!(t.can_undo_fork(), "the old future can be brought back once");
    assert!(t.undo_fork());
    assert_eq!(t.end(), 20_000);
}
