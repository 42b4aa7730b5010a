//! The work a scenario asks for, counted before it runs, so that a file cannot keep the CLI or a
//! browser tab busy for hours.
//!
//! Two things cost the engine time, and neither is bounded by one setting alone:
//! - **records**: every record a load sends is accumulated, replicated, fetched and audited.
//!   The count is each load's `rate` × the time it runs at that rate, summed over producers and
//!   following `add_producer`, `set_load`, `set_rate` and `remove_producer` in time order.
//! - **idle round trips**: a client polls even when nothing is new. A consumer in a group sends a
//!   fetch every `fetch.max.wait.ms` + a network round trip and a heartbeat every
//!   `heartbeat.interval.ms`; a processor is such a consumer; every pair of brokers runs a replica
//!   fetcher every `replica.fetch.wait.max.ms` + a round trip. 250 consumers with
//!   `fetch.max.wait.ms=0` for a day would be 10^10 of them.
//!
//! Each limit is about a minute and a half of `brokerlab-cli run` on a 2-core machine (the engine
//! handles about 12 M records/s there, and 0.6 to 0.8 M idle round trips/s: a heartbeat costs
//! more than a fetch). The estimate counts a
//! client from when it is added until it is removed, and takes a crashed consumer as gone.

use crate::action::Action;
use crate::consumer::ConsumerConfig;
use crate::ground::small_map::SmallMap;
use crate::ground::sort::sort_by_key;
use crate::ground::Millis;

use super::Scenario;

/// Most records the loads of one scenario may send, in total.
pub const MAX_RECORDS: u64 = 1_000_000_000;
/// Most idle round trips (fetches, heartbeats, replica fetches) one scenario may ask for.
pub const MAX_ROUND_TRIPS: u64 = 50_000_000;

/// What a scenario asks the engine to do, estimated from its file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Records its loads send (rate × time).
    pub records: u64,
    /// Fetches, heartbeats and replica fetches that find nothing new.
    pub round_trips: u64,
}

impl Work {
    /// Refuses work above the limits, giving the number, the limit and what to change.
    pub fn check(&self) -> Result<(), String> {
        if self.records > MAX_RECORDS {
            return Err(format!(
                "This scenario asks for {} records (each load's rate × the time it runs at that \
                 rate); a run may ask for at most {MAX_RECORDS}. Lower the rates or shorten \
                 duration_ms.",
                self.records
            ));
        }
        if self.round_trips > MAX_ROUND_TRIPS {
            return Err(format!(
                "This scenario asks for about {} idle round trips (consumers' fetches every \
                 fetch.max.wait.ms and heartbeats every heartbeat.interval.ms, brokers' replica \
                 fetches every replica.fetch.wait.max.ms); a run may ask for at most \
                 {MAX_ROUND_TRIPS}. Raise those intervals, use fewer consumers or shorten \
                 duration_ms.",
                self.round_trips
            ));
        }
        Ok(())
    }
}

/// A client added at `since`, with what it costs while it lives (a rate, or how it polls).
struct Running<T> {
    since: Millis,
    what: T,
}

/// How often an idle consumer goes to a broker: its fetch period and, in a group, its heartbeat.
#[derive(Clone, Copy)]
struct Polling {
    fetch_every: Millis,
    heartbeat_every: Option<Millis>,
}

impl Polling {
    fn of(config: &ConsumerConfig, round_trip: Millis) -> Self {
        Polling {
            fetch_every: config.fetch_max_wait_ms.saturating_add(round_trip).max(1),
            heartbeat_every: config
                .group_id
                .as_ref()
                .map(|_| config.heartbeat_interval_ms.max(1)),
        }
    }

    fn round_trips(&self, ms: Millis) -> u64 {
        ms / self.fetch_every + self.heartbeat_every.map_or(0, |h| ms / h)
    }
}

/// Follows the names the engine gives unnamed clients (`producer-1`, `consumer-2`, ...).
struct Names<T> {
    kind: &'static str,
    issued: u64,
    live: SmallMap<String, Running<T>>,
}

impl<T> Names<T> {
    fn new(kind: &'static str) -> Self {
        Names {
            kind,
            issued: 0,
            live: SmallMap::new(),
        }
    }

    fn add(&mut self, name: &Option<String>, at: Millis, what: T) -> Option<Running<T>> {
        let name = match name {
            Some(n) => n.clone(),
            None => loop {
                self.issued += 1;
                let n = format!("{}-{}", self.kind, self.issued);
                if self.live.get(&n).is_none() {
                    break n;
                }
            },
        };
        self.live.insert(name, Running { since: at, what })
    }

    fn remove(&mut self, name: &str) -> Option<Running<T>> {
        self.live.remove(name)
    }
}

impl Scenario {
    /// The work this scenario asks for, from its setup and timed actions.
    pub fn work(&self) -> Work {
        let end = self.duration_ms;
        let round_trip = self.cluster.network_delay_ms.saturating_mul(2);
        let mut work = Work::default();
        let records =
            |r: &Running<u64>, to: Millis| r.what.saturating_mul(to.saturating_sub(r.since)) / 1000;
        let polls =
            |r: &Running<Polling>, to: Millis| r.what.round_trips(to.saturating_sub(r.since));
        let mut producers: Names<u64> = Names::new("producer");
        let mut consumers: Names<Polling> = Names::new("consumer");
        let mut processors: Names<Polling> = Names::new("processor");
        let mut timed: Vec<(Millis, Action)> =
            self.setup_actions().into_iter().map(|a| (0, a)).collect();
        let mut later: Vec<_> = self.actions.iter().filter(|a| a.at <= end).collect();
        sort_by_key(&mut later, |a| a.at);
        timed.extend(later.into_iter().map(|a| (a.at, a.action.clone())));
        let processor_polling = Polling::of(
            &ConsumerConfig {
                group_id: Some(String::new()),
                ..ConsumerConfig::default()
            },
            round_trip,
        );
        for (at, action) in &timed {
            let at = *at;
            let mut set_rate = |name: &str, rate: u64| {
                if let Some(old) = producers.remove(name) {
                    work.records = work.records.saturating_add(records(&old, at));
                }
                producers.add(&Some(name.to_string()), at, rate);
            };
            match action {
                Action::AddProducer { name, load, .. } => {
                    let rate = load.as_ref().map_or(0, |l| l.rate);
                    if let Some(old) = producers.add(name, at, rate) {
                        work.records = work.records.saturating_add(records(&old, at));
                    }
                }
                Action::SetLoad { producer, load } => set_rate(producer, load.rate),
                Action::SetRate { producer, rate } => set_rate(producer, *rate),
                Action::RemoveProducer { producer } => {
                    if let Some(old) = producers.remove(producer) {
                        work.records = work.records.saturating_add(records(&old, at));
                    }
                }
                Action::AddConsumer { name, config, .. } => {
                    let polling = Polling::of(config, round_trip);
                    if let Some(old) = consumers.add(name, at, polling) {
                        work.round_trips = work.round_trips.saturating_add(polls(&old, at));
                    }
                }
                Action::RemoveConsumer { consumer } | Action::CrashConsumer { consumer } => {
                    if let Some(old) = consumers.remove(consumer) {
                        work.round_trips = work.round_trips.saturating_add(polls(&old, at));
                    }
                }
                Action::AddProcessor { name, .. } => {
                    processors.add(&Some(name.clone()), at, processor_polling);
                }
                _ => {}
            }
        }
        for (_, p) in producers.live.iter() {
            work.records = work.records.saturating_add(records(p, end));
        }
        for (_, c) in consumers.live.iter().chain(processors.live.iter()) {
            work.round_trips = work.round_trips.saturating_add(polls(c, end));
        }
        let brokers = u64::from(self.cluster.brokers);
        let fetchers = brokers * brokers.saturating_sub(1);
        let replica_fetch_every = self
            .cluster
            .replica_fetch_wait_max_ms
            .saturating_add(round_trip)
            .max(1);
        work.round_trips = work
            .round_trips
            .saturating_add(fetchers.saturating_mul(end / replica_fetch_every));
        work
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TimedAction;

    fn scenario(json: &str) -> Scenario {
        crate::scenario::json::parse(json).expect("a scenario")
    }

    #[test]
    fn records_follow_the_rate_over_time() {
        let s = scenario(
            r#"{"seed":1,"topics":[{"name":"t","partitions":1}],
                "producers":[{"name":"p","load":{"topic":"t","rate":1000}}],
                "actions":[{"at":10000,"action":{"type":"set_rate","producer":"p","rate":0}},
                           {"at":20000,"action":{"type":"set_rate","producer":"p","rate":500}},
                           {"at":30000,"action":{"type":"add_producer","load":{"topic":"t","rate":100}}},
                           {"at":50000,"action":{"type":"remove_producer","producer":"producer-1"}}],
                "duration_ms":60000,"cluster":{"brokers":1}}"#,
        );
        // p: 1000/s for 10 s, 0 for 10 s, 500/s for 40 s; producer-1: 100/s for 20 s.
        assert_eq!(s.work().records, 10_000 + 20_000 + 2_000);
    }

    #[test]
    fn idle_consumers_count_their_fetches_and_heartbeats() {
        let s = scenario(
            r#"{"seed":1,"topics":[{"name":"t","partitions":1}],
                "consumers":[{"config":{"group.id":"g"},"topics":["t"]},
                             {"topics":["t"]}],
                "actions":[{"at":30000,"action":{"type":"crash_consumer","consumer":"consumer-1"}}],
                "duration_ms":60000,"cluster":{"brokers":1}}"#,
        );
        // consumer-1 (in a group) for 30 s: 30000/502 fetches + 30000/3000 heartbeats;
        // consumer-2 (no group) for 60 s: 60000/502 fetches; one broker has no replica fetcher.
        assert_eq!(s.work().round_trips, 59 + 10 + 119);
    }

    #[test]
    fn the_documented_maxima_together_are_refused_with_the_number_and_the_limit() {
        let mut s = scenario(
            r#"{"seed":1,"topics":[{"name":"t","partitions":1}],
                "producers":[{"name":"p","load":{"topic":"t","rate":10000000}}],
                "duration_ms":86400000}"#,
        );
        let e = s.work().check().unwrap_err();
        assert!(
            e.contains("864000000000 records") && e.contains("at most 1000000000"),
            "{e}"
        );
        assert!(s.start().err().unwrap().contains("864000000000 records"));
        // Paused after 100 s it is fine.
        s.actions.push(TimedAction {
            at: 100_000,
            action: Action::SetRate {
                producer: "p".into(),
                rate: 0,
            },
        });
        assert_eq!(s.work().records, 1_000_000_000);
        assert!(s.work().check().is_ok());
    }

    #[test]
    fn busy_polling_consumers_are_refused() {
        let consumers: Vec<String> = (0..250)
            .map(|i| {
                format!(
                    r#"{{"config":{{"group.id":"g{i}","fetch.max.wait.ms":0}},"topics":["t"]}}"#
                )
            })
            .collect();
        let s = scenario(&format!(
            r#"{{"seed":1,"topics":[{{"name":"t","partitions":8}}],"consumers":[{}],"duration_ms":86400000}}"#,
            consumers.join(",")
        ));
        let e = s.work().check().unwrap_err();
        assert!(
            e.contains("idle round trips") && e.contains("at most 50000000"),
            "{e}"
        );
    }

    #[test]
    fn replica_fetchers_without_a_wait_are_refused_over_a_day() {
        let s = scenario(
            r#"{"seed":1,"cluster":{"brokers":9,"replica.fetch.wait.max.ms":0},"duration_ms":86400000}"#,
        );
        assert!(s.work().check().is_err());
        let s = scenario(r#"{"seed":1,"cluster":{"brokers":9},"duration_ms":86400000}"#);
        assert!(s.work().check().is_ok(), "{:?}", s.work());
    }
}
