//! Network faults as a user asks for them: which links between producers and brokers lose,
//! refuse or delay produce traffic. The driver's network (`sim::network`, the driver) applies them.

use serde::Serialize;

use crate::ground::{ActionError, BrokerId};

/// A fault setting for the links between producers and brokers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LinkFaults {
    /// Only the links of this producer (every producer when unset).
    pub producer: Option<String>,
    /// Only the links to this broker (every broker when unset).
    pub broker: Option<BrokerId>,
    /// Percent of produce requests lost on the way to the broker.
    pub drop_requests_percent: f64,
    /// Percent of produce responses lost on the way back.
    pub drop_responses_percent: f64,
    /// Percent of produce requests the broker refuses with NOT_LEADER_OR_FOLLOWER.
    pub reject_requests_percent: f64,
    /// Extra one-way delay of produce requests and responses, in ms.
    pub extra_delay_ms: u64,
}

impl LinkFaults {
    pub fn validate(&self) -> Result<(), ActionError> {
        let pct = |x: f64| (0.0..=100.0).contains(&x);
        if !pct(self.drop_requests_percent)
            || !pct(self.drop_responses_percent)
            || !pct(self.reject_requests_percent)
        {
            return Err(ActionError::InvalidConfig(
                "Drop percentages must be between 0 and 100.".into(),
            ));
        }
        if self.extra_delay_ms > 600_000 {
            return Err(ActionError::InvalidConfig(
                "The extra delay must be at most 10 minutes (extra_delay_ms ≤ 600000).".into(),
            ));
        }
        Ok(())
    }
}
