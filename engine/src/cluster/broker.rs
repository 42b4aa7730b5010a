//! A broker: a node id and whether it is up.

use serde::{Deserialize, Serialize};

use crate::ground::BrokerId;

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
