//! Producer configuration with Kafka's names and Kafka 4.0's defaults (`ProducerConfig`).

use serde::Serialize;

use crate::log::Compression;
use crate::protocol::Acks;

use crate::ground::ActionError;

/// `partitioner.class`: the built-in logic (keyed murmur2, sticky for null keys) or the opt-in
/// `RoundRobinPartitioner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartitionerKind {
    BuiltIn,
    RoundRobin,
}

/// Largest `buffer.memory` the playground takes: twice Kafka's default. What the engine keeps
/// per waiting record is a fraction of its size on the wire, so this bounds a producer's memory
/// in the page.
pub const MAX_BUFFER_MEMORY: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerConfig {
    #[serde(rename = "batch.size")]
    pub batch_size: u32,
    #[serde(rename = "linger.ms")]
    pub linger_ms: u64,
    pub acks: Acks,
    #[serde(rename = "max.in.flight.requests.per.connection")]
    pub max_in_flight: u32,
    /// `None` = not set: true unless a conflicting setting turns it off silently (KIP-679).
    #[serde(rename = "enable.idempotence")]
    pub enable_idempotence: Option<bool>,
    #[serde(rename = "partitioner.class")]
    pub partitioner: PartitionerKind,
    #[serde(rename = "partitioner.ignore.keys")]
    pub partitioner_ignore_keys: bool,
    #[serde(rename = "partitioner.adaptive.partitioning.enable")]
    pub adaptive_partitioning: bool,
    #[serde(rename = "request.timeout.ms")]
    pub request_timeout_ms: u64,
    #[serde(rename = "delivery.timeout.ms")]
    pub delivery_timeout_ms: u64,
    pub retries: u32,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
    #[serde(rename = "retry.backoff.max.ms")]
    pub retry_backoff_max_ms: u64,
    #[serde(rename = "max.request.size")]
    pub max_request_size: u32,
    /// Bytes of batches the producer may hold, waiting or in flight (`BufferPool`).
    #[serde(rename = "buffer.memory")]
    pub buffer_memory: u64,
    /// How long `send()` may block for buffer memory before it fails.
    #[serde(rename = "max.block.ms")]
    pub max_block_ms: u64,
    #[serde(rename = "transactional.id")]
    pub transactional_id: Option<String>,
    /// The codec every batch is compressed with (`none` by default).
    #[serde(rename = "compression.type")]
    pub compression_type: Compression,
    #[serde(rename = "transaction.timeout.ms")]
    pub transaction_timeout_ms: u64,
    /// With a load and a transactional.id: how long each automatic transaction lasts (0: begin
    /// and end transactions by hand).
    #[serde(rename = "sim.transaction.ms")]
    pub transaction_ms: u64,
    /// Share of automatic transactions that abort instead of committing.
    #[serde(rename = "sim.abort.percent")]
    pub abort_percent: f64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            batch_size: 16384,
            linger_ms: 5,
            acks: Acks::All,
            max_in_flight: 5,
            enable_idempotence: None,
            partitioner: PartitionerKind::BuiltIn,
            partitioner_ignore_keys: false,
            adaptive_partitioning: true,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: 120_000,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1000,
            max_request_size: 1_048_576,
            buffer_memory: 32 * 1024 * 1024,
            max_block_ms: 60_000,
            transactional_id: None,
            compression_type: Compression::None,
            transaction_timeout_ms: 60_000,
            transaction_ms: 500,
            abort_percent: 0.0,
        }
    }
}

impl ProducerConfig {
    /// Whether the producer ends up idempotent, after `KafkaProducer`'s config post-processing:
    /// a transactional id forces it; an unset value is true unless acks, retries or in-flight
    /// settings conflict, in which case it is silently off.
    pub fn idempotent(&self) -> bool {
        if self.transactional_id.is_some() {
            return true;
        }
        match self.enable_idempotence {
            Some(explicit) => explicit,
            None => self.acks == Acks::All && self.retries > 0 && self.max_in_flight <= 5,
        }
    }

    pub fn validate(&self) -> Result<(), ActionError> {
        let bad = |m: &str| Err(ActionError::InvalidConfig(m.to_string()));
        use crate::ground::limits::{at_most, id_length, INT_MAX, LONG_MAX};
        at_most("request.timeout.ms", self.request_timeout_ms, INT_MAX)?;
        at_most("delivery.timeout.ms", self.delivery_timeout_ms, INT_MAX)?;
        at_most("retry.backoff.ms", self.retry_backoff_ms, LONG_MAX)?;
        at_most("retry.backoff.max.ms", self.retry_backoff_max_ms, LONG_MAX)?;
        if let Some(id) = &self.transactional_id {
            id_length("transactional.id", id)?;
        }
        if self.batch_size > 16 * 1024 * 1024 {
            return bad("batch.size must be at most 16777216 in the playground.");
        }
        at_most("max.block.ms", self.max_block_ms, LONG_MAX)?;
        if self.buffer_memory > MAX_BUFFER_MEMORY {
            return bad(&format!(
                "buffer.memory must be at most {MAX_BUFFER_MEMORY} (64 MiB) in the playground; it is {}.",
                self.buffer_memory
            ));
        }
        if self.buffer_memory < self.batch_size as u64 {
            return bad(&format!(
                "buffer.memory ({}) must be at least batch.size ({}): not one batch would fit in it.",
                self.buffer_memory, self.batch_size
            ));
        }
        if self.linger_ms > 60_000 {
            return bad("linger.ms must be at most 60000 in the playground.");
        }
        if self.max_in_flight == 0 {
            return bad("max.in.flight.requests.per.connection must be at least 1.");
        }
        if self.request_timeout_ms == 0 {
            return bad("request.timeout.ms must be at least 1.");
        }
        if self.delivery_timeout_ms < self.linger_ms + self.request_timeout_ms {
            return bad("delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms");
        }
        if self.max_request_size == 0 {
            return bad("max.request.size must be at least 1.");
        }
        let explicit = self.enable_idempotence == Some(true) || self.transactional_id.is_some();
        if explicit {
            if self.max_in_flight > 5 {
                return bad("Must set max.in.flight.requests.per.connection to at most 5 when using the idempotent producer.");
            }
            if self.retries == 0 {
                return bad("Must set retries to non-zero when using the idempotent producer.");
            }
            if self.acks != Acks::All {
                return bad("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.");
            }
        }
        if self.transactional_id.is_some() && self.enable_idempotence == Some(false) {
            return bad("Cannot set a transactional.id without also enabling idempotence.");
        }
        if let Some(id) = &self.transactional_id {
            if id.is_empty() {
                return bad("transactional.id must not be empty.");
            }
        }
        if !(0.0..=100.0).contains(&self.abort_percent) {
            return bad("sim.abort.percent must be between 0 and 100.");
        }
        if self.transaction_ms > 3_600_000 {
            return bad("sim.transaction.ms must be at most 3600000.");
        }
        if self.transaction_timeout_ms == 0 || self.transaction_timeout_ms > 900_000 {
            return bad(
                "transaction.timeout.ms must be between 1 and transaction.max.timeout.ms (900000).",
            );
        }
        Ok(())
    }

    /// `retry.backoff.ms` grown exponentially up to `retry.backoff.max.ms`
    /// (`ExponentialBackoff`, without its jitter so that runs stay easy to read).
    pub fn retry_backoff(&self, attempts: u32) -> u64 {
        let base = self.retry_backoff_ms.max(1);
        let max = self.retry_backoff_max_ms.max(base);
        let exp = attempts.min(20);
        (base.saturating_mul(1u64 << exp)).min(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafka_4_defaults() {
        let c = ProducerConfig::default();
        assert_eq!(c.batch_size, 16384);
        assert_eq!(c.linger_ms, 5);
        assert_eq!(c.acks, Acks::All);
        assert!(c.idempotent());
    }

    #[test]
    fn acks_1_silently_disables_default_idempotence() {
        let c = ProducerConfig {
            acks: Acks::Leader,
            ..ProducerConfig::default()
        };
        assert!(!c.idempotent());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn explicit_idempotence_with_acks_1_is_refused() {
        let c = ProducerConfig {
            acks: Acks::Leader,
            enable_idempotence: Some(true),
            ..ProducerConfig::default()
        };
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("Must set acks to all"));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = ProducerConfig::default();
        assert_eq!(c.retry_backoff(0), 100);
        assert_eq!(c.retry_backoff(1), 200);
        assert_eq!(c.retry_backoff(5), 1000);
    }
}
