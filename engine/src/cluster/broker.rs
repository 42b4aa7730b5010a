//! A broker: a node id, whether it is up, and whether the controller fenced it while it ran.

use serde::{Deserialize, Serialize};

use crate::ground::BrokerId;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broker {
    pub id: BrokerId,
    pub alive: bool,
    /// Running, but fenced by the controller: its heartbeats came too late
    /// (`broker.session.timeout.ms`). It leads nothing and cannot join an ISR until the
    /// controller unfences it (KIP-841: only unfenced brokers are eligible).
    #[serde(default)]
    pub fenced: bool,
}

impl Broker {
    pub fn new(id: BrokerId) -> Self {
        Broker {
            id,
            alive: true,
            fenced: false,
        }
    }
}
