//! The narrator (issue 15): a screen reader hears what matters as the run goes, from the engine's
//! own events and views, in a few sentences: a slow group falling behind and catching up, a
//! rebalance, a broker's death and the elections after it.

use brokerlab_engine::view::narrator::Narrator;
use brokerlab_engine::{Action, Scenario, Simulation};

fn scenario(file: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs to `end` in steps of a quarter second (as the page refreshes), collecting what the
/// narrator says with the time it says it.
fn narrate(
    sim: &mut Simulation,
    narrator: &mut Narrator,
    seq: &mut u64,
    end: u64,
) -> Vec<(u64, String)> {
    let mut said = Vec::new();
    while sim.now() < end {
        sim.advance_to(sim.now() + 250);
        let lines = narrator.events(sim.events_since(*seq));
        *seq = sim.next_event_seq();
        let lag = narrator.lag(&sim.snapshot());
        said.extend(lines.into_iter().chain(lag).map(|l| (sim.now(), l)));
    }
    said
}

#[test]
fn a_slow_group_is_announced_falling_behind_then_caught_up() {
    // The scenario's actions (processing drops to 0.1 ms at 20 s) run, observed as the page
    // refreshes: every quarter second.
    let mut narrator = Narrator::default();
    let (mut said, mut seq) = (Vec::new(), 0);
    scenario("slow-consumer-lag.json")
        .run_observed(250, |sim| {
            let lines = narrator.events(sim.events_since(seq));
            seq = sim.next_event_seq();
            let lag = narrator.lag(&sim.snapshot());
            said.extend(lines.into_iter().chain(lag).map(|l| (sim.now(), l)));
        })
        .unwrap();
    let when = |start: &str| {
        said.iter()
            .find(|(_, l)| l.starts_with(start))
            .map(|(t, _)| *t)
    };
    let behind = when("Group analytics is falling behind:").expect("falling behind");
    let caught_up =
        when("Group analytics caught up").unwrap_or_else(|| panic!("caught up: {said:?}"));
    // 1000/s in, 500/s out: past 1000 records in a few seconds; drained after 20 s.
    assert!(behind < 10_000, "{said:?}");
    assert!(caught_up > 20_000, "{said:?}");
    assert_eq!(
        said.iter()
            .filter(|(_, l)| l.contains("falling behind"))
            .count(),
        1,
        "said once, not at every commit: {said:?}"
    );
    assert!(said
        .iter()
        .any(|(_, l)| l
            .starts_with("Group analytics finished rebalancing: generation 1, 2 members.")));
    // Nothing about requests, fetches or heartbeats.
    assert!(said.len() < 10, "{said:?}");
}

#[test]
fn a_broker_death_is_announced_with_its_elections() {
    let mut sim = scenario("replication-1-leader-failover.json")
        .start()
        .unwrap();
    let mut narrator = Narrator::default();
    let mut seq = 0;
    narrate(&mut sim, &mut narrator, &mut seq, 3_000);
    sim.apply(Action::KillBroker { broker: 1 }).unwrap();
    let said: Vec<String> = narrate(&mut sim, &mut narrator, &mut seq, 15_000)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert!(
        said.contains(&"Broker 1 was killed.".to_string()),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l.starts_with("The controller fenced broker 1")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l.starts_with("New leader for")
                || l.ends_with("partitions elected new leaders.")),
        "{said:?}"
    );
}
