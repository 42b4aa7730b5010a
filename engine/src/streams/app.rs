//! A Kafka Streams application: its topology and its instances (each a consumer and a producer
//! in the simulation), addressed by the instance names `<application.id>-1`, `-2`, ...

use super::instance::StreamsInstance;
use super::topology::Topology;

#[derive(Clone, Debug, PartialEq)]
pub struct StreamsApp {
    pub topology: Topology,
    pub instances: Vec<StreamsInstance>,
    /// The instances' consumers' `session.timeout.ms`.
    pub session_timeout_ms: u64,
}

impl StreamsApp {
    pub fn instance_name(app: &str, n: usize) -> String {
        format!("{app}-{n}")
    }

    /// Records dropped as too late, over every live task (`dropped-records-total`).
    pub fn dropped(&self) -> u64 {
        self.instances
            .iter()
            .flat_map(|i| i.tasks.values())
            .map(|t| t.agg.dropped)
            .sum()
    }
}
