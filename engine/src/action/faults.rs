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

    /// The rule in a few words: where it applies (when not everywhere), then every setting that
    /// is not zero: `producer "web" → broker 2: 20% responses lost · +50 ms`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.drop_requests_percent > 0.0 {
            parts.push(format!(
                "{}% requests lost",
                percent(self.drop_requests_percent)
            ));
        }
        if self.drop_responses_percent > 0.0 {
            parts.push(format!(
                "{}% responses lost",
                percent(self.drop_responses_percent)
            ));
        }
        if self.reject_requests_percent > 0.0 {
            parts.push(format!(
                "{}% refused",
                percent(self.reject_requests_percent)
            ));
        }
        if self.extra_delay_ms > 0 {
            parts.push(format!("+{} ms", self.extra_delay_ms));
        }
        let effect = if parts.is_empty() {
            "no effect".to_string()
        } else {
            parts.join(" · ")
        };
        let scope = match (&self.producer, self.broker) {
            (None, None) => return effect,
            (Some(p), None) => format!("producer {}", crate::ground::quote::quoted(p)),
            (None, Some(b)) => format!("broker {b}"),
            (Some(p), Some(b)) => {
                format!("producer {} → broker {b}", crate::ground::quote::quoted(p))
            }
        };
        format!("{scope}: {effect}")
    }

    /// Every rule in force, in a few words each (`None` when the network is healthy).
    pub fn summarize(rules: &[LinkFaults]) -> Option<String> {
        match rules {
            [] => None,
            [one] => Some(one.summary()),
            many => Some(format!(
                "{} rules: {}",
                many.len(),
                many.iter()
                    .map(LinkFaults::summary)
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
}

/// A percentage with at most two decimals and no trailing zeros (`20`, `2.5`, `0.25`), printed
/// with integers.
fn percent(x: f64) -> String {
    let hundredths = (x * 100.0).round() as u64;
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_in_force_is_summarised_with_where_it_applies() {
        assert_eq!(LinkFaults::summarize(&[]), None);
        let everywhere = LinkFaults {
            drop_responses_percent: 20.0,
            ..LinkFaults::default()
        };
        assert_eq!(everywhere.summary(), "20% responses lost");
        let narrow = LinkFaults {
            producer: Some("web".into()),
            broker: Some(2),
            drop_requests_percent: 2.5,
            reject_requests_percent: 0.25,
            extra_delay_ms: 50,
            ..LinkFaults::default()
        };
        assert_eq!(
            LinkFaults::summarize(&[everywhere, narrow]).unwrap(),
            "2 rules: 20% responses lost; producer \"web\" → broker 2: 2.5% requests lost · \
             0.25% refused · +50 ms"
        );
        assert_eq!(LinkFaults::default().summary(), "no effect");
    }
}
