//! Time never stops: every run reaches the time it was asked for, with a bounded number of
//! queue entries, and no party is ever woken at an instant, does nothing, and asks for the same
//! instant again (`Simulation::stalled_wakeups`, which the driver counts when it has to move such
//! a party on by itself).

use std::path::PathBuf;

use brokerlab_engine::Scenario;

fn load(path: PathBuf) -> Scenario {
    let text = std::fs::read_to_string(&path).unwrap();
    brokerlab_engine::scenario::json::parse(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a scenario with at most `max_events` queue entries between actions, so that a spin
/// fails the test instead of hanging it.
fn run_bounded(scenario: &Scenario, max_events: u64) -> brokerlab_engine::Simulation {
    let mut sim = scenario.start().unwrap();
    let mut actions: Vec<_> = scenario.actions.iter().collect();
    actions.sort_by_key(|a| a.at);
    for ta in actions {
        assert!(
            sim.advance_to_bounded(ta.at, max_events),
            "stuck at {} ms before the action at {} ms",
            sim.now(),
            ta.at
        );
        sim.apply(ta.action.clone()).unwrap();
    }
    assert!(
        sim.advance_to_bounded(scenario.duration_ms, max_events),
        "stuck at {} ms, asked for {} ms",
        sim.now(),
        scenario.duration_ms
    );
    sim
}

/// Issue 13, defect 1, end to end. The zombie's produce to partition 0 loses its response; the
/// new instance's initTransactions bumps the epoch; the zombie's next request is fenced while the
/// lost one is still in flight. At that request's deadline (1000 + request.timeout.ms) the driver
/// used to wake the zombie at 3000 ms for ever: on the commit before 6eb2b76 the CLI never
/// returns on this file.
#[test]
fn a_zombie_fenced_with_a_lost_request_in_flight_lets_time_move() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scenario = load(root.join("tests/hostile/zombie-fenced-with-a-lost-request.json"));
    let sim = run_bounded(&scenario, 100_000);
    assert_eq!(sim.now(), 10_000);
    assert_eq!(sim.stalled_wakeups(), 0);
    let old = sim
        .producers()
        .find(|p| p.name == "old")
        .expect("the zombie is still there");
    assert!(old.is_fenced(), "the zombie was fenced");
}

/// No built-in scenario file has a party that stalls: the driver's guard never fires.
#[test]
fn no_scenario_file_has_a_stalled_wakeup() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let scenario = load(path.clone());
        let sim = run_bounded(&scenario, 50_000_000);
        assert_eq!(
            sim.stalled_wakeups(),
            0,
            "{}: a party was woken without progress",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 20, "only {n} scenario files");
}
