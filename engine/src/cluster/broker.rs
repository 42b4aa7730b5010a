//! A broker: a node id and whether it is up.

use serde::{Deserialize, Serialize};

/// Kafka's `node.id` / `broker.id`. The playground numbers brokers from 1.
pub type BrokerId = i32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broker {
    pub id: BrokerId,
    pub alive: bool,
}

impl Broker {
    pub fn new(id: BrokerId) -> Self {
        Broker { id, alive: true }
    }
}
