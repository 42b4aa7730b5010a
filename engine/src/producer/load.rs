//! Load generation: records a producer sends on its own, at a rate, with a key distribution.
//!
//! A load is what a user would script around `KafkaProducer.send()`: records/s, which keys,
//! how large the values. Everything is drawn from the producer's own seeded generator.
//! Records are produced at millisecond resolution: the k-th record of a load started at `t0`
//! with rate `r` has the timestamp `t0 + floor(1000 k / r)`.

use serde::Serialize;

use crate::ground::{ActionError, Millis, Rng};
use crate::log::keys::MAX_GENERATED_KEYS;
use crate::log::{KeyId, NULL_KEY};

/// Highest load rate one producer may have, in records per second of simulated time.
pub const MAX_RATE: u64 = 10_000_000;
/// Largest generated value.
pub const MAX_VALUE_BYTES: u32 = 1_000_000;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KeyDistribution {
    /// Null keys: the sticky partitioner places them.
    None,
    /// `user-0 .. user-(keys-1)`, each equally likely.
    Uniform { keys: u32 },
    /// `user-0` takes `hot_percent` % of records, the rest are uniform over the other keys.
    HotKey { keys: u32, hot_percent: f64 },
    /// Key rank i (from 1) is drawn with probability proportional to `1 / i^exponent`.
    Zipf { keys: u32, exponent: f64 },
}

impl KeyDistribution {
    pub fn key_space(&self) -> u32 {
        match *self {
            KeyDistribution::None => 0,
            KeyDistribution::Uniform { keys }
            | KeyDistribution::HotKey { keys, .. }
            | KeyDistribution::Zipf { keys, .. } => keys,
        }
    }

    pub fn validate(&self) -> Result<(), ActionError> {
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        let keys = self.key_space();
        if !matches!(self, KeyDistribution::None) && !(1..=MAX_GENERATED_KEYS).contains(&keys) {
            return bad(format!(
                "A key distribution needs 1 to {MAX_GENERATED_KEYS} keys."
            ));
        }
        match *self {
            KeyDistribution::HotKey { hot_percent, keys } => {
                if !(0.0..=100.0).contains(&hot_percent) {
                    return bad("hot_percent must be between 0 and 100.".into());
                }
                if keys < 2 && hot_percent < 100.0 {
                    return bad("A hot key distribution needs at least 2 keys.".into());
                }
            }
            KeyDistribution::Zipf { exponent, .. } if !(exponent > 0.0 && exponent <= 10.0) => {
                return bad("The Zipf exponent must be above 0 and at most 10.".into());
            }
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadConfig {
    pub topic: String,
    /// Records per second of simulated time.
    pub rate: u64,
    /// [`LoadConfig::DEFAULT_KEYS`] when a file leaves it out.
    pub keys: KeyDistribution,
    /// [`LoadConfig::DEFAULT_VALUE_BYTES`] when a file leaves it out.
    pub value_bytes: u32,
    /// What the records say, for applications that parse them (none: opaque bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<super::events::EventModel>,
    /// How well this load's data compresses (uncompressed size over compressed size), when the
    /// producer sets `compression.type`: data-dependent, so a property of the load. `None`: the
    /// codec's illustrative default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression_ratio: Option<f64>,
}

impl LoadConfig {
    /// The keys of a load that does not say: 100 keys, each equally likely.
    pub const DEFAULT_KEYS: KeyDistribution = KeyDistribution::Uniform { keys: 100 };
    /// The value size of a load that does not say.
    pub const DEFAULT_VALUE_BYTES: u32 = 100;

    pub fn validate(&self) -> Result<(), ActionError> {
        if self.rate > MAX_RATE {
            return Err(ActionError::InvalidConfig(format!(
                "A producer's rate must be at most {MAX_RATE} records/s."
            )));
        }
        if let Some(r) = self.compression_ratio {
            if !(1.0..=20.0).contains(&r) {
                return Err(ActionError::InvalidConfig(format!(
                    "compression_ratio must be between 1 and 20 (uncompressed over compressed \
                     size), not {r}."
                )));
            }
        }
        if self.value_bytes > MAX_VALUE_BYTES {
            return Err(ActionError::InvalidConfig(format!(
                "Value size (value_bytes) must be at most {MAX_VALUE_BYTES} bytes."
            )));
        }
        if let Some(e) = &self.events {
            e.validate()?;
        }
        self.keys.validate()
    }
}

/// A prepared sampler for a key distribution.
#[derive(Clone, Debug)]
pub enum KeySampler {
    Null,
    Uniform(u32),
    Hot {
        keys: u32,
        hot: f64,
    },
    /// Cumulative weights, scaled to `u32::MAX`.
    Table(Vec<u32>),
}

impl KeySampler {
    pub fn new(dist: &KeyDistribution) -> Self {
        match *dist {
            KeyDistribution::None => KeySampler::Null,
            KeyDistribution::Uniform { keys } => KeySampler::Uniform(keys),
            KeyDistribution::HotKey { keys, hot_percent } => KeySampler::Hot {
                keys,
                hot: hot_percent / 100.0,
            },
            KeyDistribution::Zipf { keys, exponent } => {
                let weights: Vec<f64> = (1..=keys).map(|i| (i as f64).powf(-exponent)).collect();
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                let table = weights
                    .iter()
                    .map(|w| {
                        acc += w;
                        ((acc / total) * u32::MAX as f64) as u32
                    })
                    .collect();
                KeySampler::Table(table)
            }
        }
    }

    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> KeyId {
        match self {
            KeySampler::Null => NULL_KEY,
            KeySampler::Uniform(n) => rng.below(*n),
            KeySampler::Hot { keys, hot } => {
                if rng.unit() < *hot {
                    0
                } else {
                    1 + rng.below(keys - 1)
                }
            }
            KeySampler::Table(cdf) => {
                let x = (rng.next_u64() >> 32) as u32;
                (cdf.partition_point(|&c| c < x) as u32).min(cdf.len() as u32 - 1)
            }
        }
    }
}

/// Where a running load stands: records generated since the rate was last set.
#[derive(Clone, Debug)]
pub struct LoadClock {
    pub rate: u64,
    epoch: Millis,
    generated: u64,
}

impl LoadClock {
    pub fn new(rate: u64, now: Millis) -> Self {
        LoadClock {
            rate,
            epoch: now,
            generated: 0,
        }
    }

    /// A clock whose first record is due at `now` (an application let go after blocking in
    /// `send()` calls it again at once, then keeps its rate).
    pub fn starting_at(rate: u64, now: Millis) -> Self {
        let gap = if rate == 0 { 1 } else { 1000u64.div_ceil(rate) };
        LoadClock::new(rate, (now + 1).saturating_sub(gap))
    }

    /// Records due with timestamps up to and including `now`, not yet generated.
    pub fn due(&self, now: Millis) -> u64 {
        if self.rate == 0 || now < self.epoch {
            return 0;
        }
        let target = self.rate * (now - self.epoch + 1) / 1000;
        target.saturating_sub(self.generated)
    }

    /// Timestamp of the next not yet generated record.
    pub fn next_record_at(&self) -> Option<Millis> {
        if self.rate == 0 {
            return None;
        }
        // Smallest t with rate * (t - epoch + 1) / 1000 > generated.
        let need = (self.generated + 1) * 1000;
        Some(self.epoch + need.div_ceil(self.rate) - 1)
    }

    /// Timestamp of the `k`-th record still to generate (0 = the next one).
    #[inline]
    pub fn timestamp_of(&self, k: u64) -> Millis {
        let idx = self.generated + k + 1;
        self.epoch + (idx * 1000).div_ceil(self.rate) - 1
    }

    pub fn advance(&mut self, n: u64) {
        self.generated += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_per_second_is_one_per_millisecond() {
        let c = LoadClock::new(1000, 10);
        assert_eq!(c.due(10), 1);
        assert_eq!(c.due(14), 5);
        assert_eq!(c.next_record_at(), Some(10));
        assert_eq!(c.timestamp_of(3), 13);
    }

    #[test]
    fn slow_rates_wait_between_records() {
        let mut c = LoadClock::new(2, 0);
        assert_eq!(c.due(0), 0);
        assert_eq!(c.next_record_at(), Some(499));
        assert_eq!(c.due(499), 1);
        c.advance(1);
        assert_eq!(c.next_record_at(), Some(999));
    }

    #[test]
    fn high_rates_put_many_records_in_one_millisecond() {
        let c = LoadClock::new(100_000, 0);
        assert_eq!(c.due(0), 100);
        assert_eq!(c.timestamp_of(99), 0);
        assert_eq!(c.timestamp_of(100), 1);
    }

    #[test]
    fn hot_key_takes_its_share() {
        let s = KeySampler::new(&KeyDistribution::HotKey {
            keys: 10,
            hot_percent: 50.0,
        });
        let mut rng = Rng::new(1);
        let hot = (0..10_000).filter(|_| s.sample(&mut rng) == 0).count();
        assert!((4500..5500).contains(&hot), "{hot}");
    }

    #[test]
    fn zipf_favours_low_ranks_and_stays_in_range() {
        let s = KeySampler::new(&KeyDistribution::Zipf {
            keys: 100,
            exponent: 1.0,
        });
        let mut rng = Rng::new(2);
        let mut counts = [0u32; 100];
        for _ in 0..20_000 {
            counts[s.sample(&mut rng) as usize] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[99]);
    }
}
