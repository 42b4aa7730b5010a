//! The throughput lab: one setting swept over a range while the rest of a scenario holds, each
//! point run headless, measuring what the producers got acknowledged per second and how long
//! they waited for it. Answers "how does Kafka reach its throughput, and at what cost" with
//! numbers the user produced: batching raises throughput until something else is the limit,
//! and latency pays for it.
//!
//! A point runs the scenario's setup (its timed actions are left out) for a warm-up, then
//! measures over the next [`WINDOW_MS`]: throughput from the producers' acknowledged records
//! and bytes, latency from the send-to-acknowledgement windows, which then hold exactly the
//! measured span. A [`LabRun`] advances in chunks so a page can run it between frames.

use serde::Serialize;

use super::Scenario;
use crate::ground::latency::{LatencyWindow, WINDOW_MS};
use crate::ground::Millis;
use crate::log::Compression;
use crate::protocol::Acks;
use crate::sim::Simulation;

/// The settings the lab sweeps, by their Kafka names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LabSetting {
    #[serde(rename = "linger.ms")]
    LingerMs,
    #[serde(rename = "batch.size")]
    BatchSize,
    #[serde(rename = "compression.type")]
    CompressionType,
    #[serde(rename = "acks")]
    Acks,
    #[serde(rename = "partitions")]
    Partitions,
    #[serde(rename = "consumers")]
    Consumers,
    #[serde(rename = "replication.factor")]
    ReplicationFactor,
}

impl LabSetting {
    pub const ALL: [LabSetting; 7] = [
        LabSetting::LingerMs,
        LabSetting::BatchSize,
        LabSetting::CompressionType,
        LabSetting::Acks,
        LabSetting::Partitions,
        LabSetting::Consumers,
        LabSetting::ReplicationFactor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LabSetting::LingerMs => "linger.ms",
            LabSetting::BatchSize => "batch.size",
            LabSetting::CompressionType => "compression.type",
            LabSetting::Acks => "acks",
            LabSetting::Partitions => "partitions",
            LabSetting::Consumers => "consumers",
            LabSetting::ReplicationFactor => "replication.factor",
        }
    }

    pub fn parse(name: &str) -> Result<LabSetting, String> {
        LabSetting::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = LabSetting::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "The lab sweeps one of {}, not \"{}\".",
                    names.join(", "),
                    name.escape_debug()
                )
            })
    }

    /// A range worth sweeping.
    pub fn default_values(self) -> Vec<String> {
        let v: &[&str] = match self {
            LabSetting::LingerMs => &["0", "1", "2", "5", "10", "20", "50", "100"],
            LabSetting::BatchSize => &["1024", "4096", "16384", "65536", "262144", "1048576"],
            LabSetting::CompressionType => &["none", "snappy", "lz4", "zstd", "gzip"],
            LabSetting::Acks => &["0", "1", "all"],
            LabSetting::Partitions => &["1", "2", "3", "6", "12", "24", "48"],
            LabSetting::Consumers => &["1", "2", "3", "6"],
            LabSetting::ReplicationFactor => &["1", "2", "3"],
        };
        v.iter().map(|s| s.to_string()).collect()
    }

    /// The setting's value in `scenario` (its first producer's, topic's or group's), written as
    /// the lab writes values: the point a sweep marks as the current one.
    pub fn current(self, scenario: &Scenario) -> Option<String> {
        let producer = scenario.producers.first().map(|p| &p.config);
        let topic = scenario.topics.first();
        Some(match self {
            LabSetting::LingerMs => producer?.linger_ms.to_string(),
            LabSetting::BatchSize => producer?.batch_size.to_string(),
            LabSetting::CompressionType => producer?.compression_type.name().to_string(),
            LabSetting::Acks => match producer?.acks {
                Acks::None => "0".into(),
                Acks::Leader => "1".into(),
                Acks::All => "all".into(),
            },
            LabSetting::Partitions => topic?.partitions.to_string(),
            LabSetting::Consumers => {
                let group = &scenario.consumers.first()?.config.group_id;
                let n = scenario
                    .consumers
                    .iter()
                    .filter(|c| &c.config.group_id == group)
                    .count();
                n.to_string()
            }
            LabSetting::ReplicationFactor => topic?.config.replication_factor.to_string(),
        })
    }

    /// The scenario with this setting at `value`: every producer, every topic or every group's
    /// consumers, as the setting belongs to.
    pub fn apply(self, scenario: &Scenario, value: &str) -> Result<Scenario, String> {
        let mut s = scenario.clone();
        let field = self.name();
        let number = |max: u64| -> Result<u64, String> {
            value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| {
                    format!(
                        "{field} takes a whole number up to {max}, not \"{}\".",
                        value.escape_debug()
                    )
                })
        };
        match self {
            LabSetting::LingerMs => {
                let n = number(60_000)?;
                s.producers.iter_mut().for_each(|p| p.config.linger_ms = n);
            }
            LabSetting::BatchSize => {
                let n = number(i32::MAX as u64)? as u32;
                s.producers.iter_mut().for_each(|p| p.config.batch_size = n);
            }
            LabSetting::CompressionType => {
                let c = Compression::ALL
                    .into_iter()
                    .find(|c| c.name() == value.trim())
                    .ok_or_else(|| {
                        format!(
                            "compression.type is one of none, gzip, snappy, lz4, zstd, not \"{}\".",
                            value.escape_debug()
                        )
                    })?;
                s.producers
                    .iter_mut()
                    .for_each(|p| p.config.compression_type = c);
            }
            LabSetting::Acks => {
                let a = match value.trim() {
                    "0" => Acks::None,
                    "1" => Acks::Leader,
                    "all" | "-1" => Acks::All,
                    _ => {
                        return Err(format!(
                            "acks is 0, 1 or all, not \"{}\".",
                            value.escape_debug()
                        ))
                    }
                };
                for p in &mut s.producers {
                    p.config.acks = a;
                    // As KafkaProducer does when idempotence is not set explicitly.
                    if a != Acks::All && p.config.transactional_id.is_none() {
                        p.config.enable_idempotence = Some(false);
                    }
                }
            }
            LabSetting::Partitions => {
                let n = number(crate::cluster::MAX_PARTITIONS_PER_TOPIC as u64)? as u32;
                s.topics.iter_mut().for_each(|t| t.partitions = n.max(1));
            }
            LabSetting::Consumers => {
                let n = number(64)? as usize;
                let mut consumers = Vec::new();
                let mut groups: Vec<Option<String>> = Vec::new();
                for c in &s.consumers {
                    if groups.contains(&c.config.group_id) {
                        continue;
                    }
                    groups.push(c.config.group_id.clone());
                    for i in 0..n {
                        let mut c = c.clone();
                        c.name = c.name.map(|name| format!("{name}-{}", i + 1));
                        consumers.push(c);
                    }
                }
                s.consumers = consumers;
            }
            LabSetting::ReplicationFactor => {
                let n = number(s.cluster.brokers as u64)? as u32;
                for t in &mut s.topics {
                    t.config.replication_factor = n.max(1);
                    t.config.min_insync_replicas = t.config.min_insync_replicas.min(n.max(1));
                }
            }
        }
        Ok(s)
    }
}

/// One measured point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabPoint {
    pub value: String,
    /// Records the producers got acknowledged, per second.
    pub records_per_s: f64,
    /// Their bytes on the wire (compressed), in MB (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Produce requests per second.
    pub requests_per_s: f64,
    /// Send-to-acknowledgement latency over the measured span.
    pub p50_ms: Millis,
    pub p99_ms: Millis,
    /// Production-to-`poll()` latency of the consumer groups, when there are any.
    pub e2e_p99_ms: Option<Millis>,
}

/// What the producers had done when measuring began.
#[derive(Clone, Copy, Default)]
struct Counters {
    records: u64,
    bytes: u64,
    requests: u64,
}

fn counters(sim: &Simulation) -> Counters {
    let mut c = Counters::default();
    for p in sim.producers() {
        c.records += p.stats.records_acked;
        c.bytes += p.stats.bytes_sent;
        c.requests += p.stats.requests_sent;
    }
    c
}

fn measure(sim: &Simulation, value: &str, before: Counters, span_ms: Millis) -> LabPoint {
    let after = counters(sim);
    let secs = span_ms as f64 / 1000.0;
    let now = sim.now();
    let mut produce = LatencyWindow::default();
    for p in sim.producers() {
        produce.merge(&p.stats.latency, now);
    }
    let mut e2e = LatencyWindow::default();
    let mut consumers = false;
    for c in sim.consumers() {
        consumers = true;
        e2e.merge(&c.stats.latency, now);
    }
    let produce = produce.summary(now);
    LabPoint {
        value: value.to_string(),
        records_per_s: (after.records - before.records) as f64 / secs,
        mb_per_s: (after.bytes - before.bytes) as f64 / secs / 1e6,
        requests_per_s: (after.requests - before.requests) as f64 / secs,
        p50_ms: produce.p50_ms,
        p99_ms: produce.p99_ms,
        e2e_p99_ms: consumers.then(|| e2e.summary(now).p99_ms),
    }
}

/// A sweep in progress.
pub struct LabRun {
    base: Scenario,
    pub setting: LabSetting,
    pub values: Vec<String>,
    warmup_ms: Millis,
    points: Vec<LabPoint>,
    current: Option<(Simulation, Option<Counters>)>,
    /// Records the producers handed to `send()` in the points finished so far: the engine's work,
    /// for a speed measured against wall time.
    records_simulated: u64,
}

impl LabRun {
    /// A sweep of `setting` over `values` (its default range when empty) on `base`. Every
    /// value is checked now: a bad one is refused before anything runs.
    pub fn new(base: &Scenario, setting: LabSetting, values: Vec<String>) -> Result<Self, String> {
        let values = if values.is_empty() {
            setting.default_values()
        } else {
            values
        };
        if values.len() > 16 {
            return Err(format!(
                "A sweep has at most 16 points, not {}.",
                values.len()
            ));
        }
        for v in &values {
            setting.apply(base, v)?.start()?;
        }
        Ok(LabRun {
            base: base.clone(),
            setting,
            values,
            warmup_ms: WINDOW_MS,
            points: Vec::new(),
            current: None,
            records_simulated: 0,
        })
    }

    pub fn points(&self) -> &[LabPoint] {
        &self.points
    }

    /// Records sent in the points finished so far (every record a producer's load generated).
    pub fn records_simulated(&self) -> u64 {
        self.records_simulated
    }

    pub fn is_done(&self) -> bool {
        self.points.len() == self.values.len()
    }

    /// Runs at most `max_events` of the engine's events; returns whether the sweep is done.
    pub fn step(&mut self, max_events: u64) -> Result<bool, String> {
        if self.is_done() {
            return Ok(true);
        }
        let i = self.points.len();
        if self.current.is_none() {
            let s = self.setting.apply(&self.base, &self.values[i])?;
            self.current = Some((s.start()?, None));
        }
        let (sim, before) = self.current.as_mut().expect("started above");
        let end = self.warmup_ms + WINDOW_MS;
        let target = if before.is_none() {
            self.warmup_ms
        } else {
            end
        };
        if !sim.advance_to_bounded(target, max_events) {
            return Ok(false);
        }
        match before {
            None => *before = Some(counters(sim)),
            Some(b) => {
                let point = measure(sim, &self.values[i], *b, WINDOW_MS);
                self.records_simulated +=
                    sim.producers().map(|p| p.stats.records_sent).sum::<u64>();
                self.points.push(point);
                self.current = None;
            }
        }
        Ok(self.is_done())
    }

    /// Runs the whole sweep.
    pub fn run(self) -> Result<Vec<LabPoint>, String> {
        self.run_counted().map(|(points, _)| points)
    }

    /// Runs the whole sweep; also returns the records simulated.
    pub fn run_counted(mut self) -> Result<(Vec<LabPoint>, u64), String> {
        while !self.step(u64::MAX)? {}
        Ok((self.points, self.records_simulated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ProducerSpec, TopicSpec};

    fn scenario() -> Scenario {
        Scenario {
            name: None,
            description: None,
            seed: 1,
            cluster: crate::cluster::ClusterConfig::default(),
            topics: vec![TopicSpec {
                name: "t".into(),
                partitions: 6,
                config: crate::cluster::TopicConfig {
                    replication_factor: 3,
                    min_insync_replicas: 2,
                    ..Default::default()
                },
            }],
            producers: vec![ProducerSpec {
                name: Some("p".into()),
                config: crate::producer::ProducerConfig::default(),
                load: None,
            }],
            consumers: vec![],
            actions: vec![],
            duration_ms: 1_000,
        }
    }

    #[test]
    fn a_value_applies_to_every_producer_or_topic_and_reads_back_as_current() {
        let base = scenario();
        for (setting, value) in [
            (LabSetting::LingerMs, "20"),
            (LabSetting::BatchSize, "65536"),
            (LabSetting::CompressionType, "zstd"),
            (LabSetting::Acks, "1"),
            (LabSetting::Partitions, "12"),
            (LabSetting::ReplicationFactor, "2"),
        ] {
            let s = setting.apply(&base, value).unwrap();
            assert_eq!(setting.current(&s).as_deref(), Some(value), "{setting:?}");
        }
        // acks below all turns idempotence off, as KafkaProducer does when it is not set.
        let s = LabSetting::Acks.apply(&base, "1").unwrap();
        assert_eq!(s.producers[0].config.enable_idempotence, Some(false));
        // min.insync.replicas follows a smaller replication factor down.
        let s = LabSetting::ReplicationFactor.apply(&base, "1").unwrap();
        assert_eq!(s.topics[0].config.min_insync_replicas, 1);
    }

    #[test]
    fn bad_values_name_the_setting_and_its_limit() {
        let base = scenario();
        let e = LabSetting::LingerMs.apply(&base, "soon").unwrap_err();
        assert!(e.contains("linger.ms") && e.contains("60000"), "{e}");
        let e = LabSetting::ReplicationFactor.apply(&base, "4").unwrap_err();
        assert!(
            e.contains("replication.factor") && e.contains("up to 3"),
            "{e}"
        );
        let e = LabSetting::CompressionType
            .apply(&base, "brotli")
            .unwrap_err();
        assert!(e.contains("none, gzip, snappy, lz4, zstd"), "{e}");
        let e = LabSetting::parse("fetch.min.bytes").unwrap_err();
        assert!(e.contains("linger.ms"), "{e}");
        let too_many = (0..17).map(|i| i.to_string()).collect();
        let e = LabRun::new(&base, LabSetting::LingerMs, too_many)
            .err()
            .unwrap();
        assert!(e.contains("at most 16"), "{e}");
    }
}
