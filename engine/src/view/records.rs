//! Records as a reader sees them, with generated values made from the seed when shown.

use serde::Serialize;

use crate::ground::{Millis, PartitionIdx};
use crate::log::{ControlType, NULL_KEY};
use crate::sim::Simulation;

/// One record as a reader sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordView {
    pub offset: i64,
    pub timestamp: Millis,
    pub key: Option<String>,
    /// Key identity (for colouring); `None` for a null key.
    pub key_id: Option<u32>,
    pub value: Option<String>,
    pub value_bytes: Option<u32>,
    pub headers: Vec<(String, String)>,
    pub batch_base_offset: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// Sequence number of the record (`-1` without idempotence).
    pub sequence: i32,
    pub transactional: bool,
    pub control: Option<ControlType>,
    pub producer: Option<String>,
}

impl Simulation {
    /// Records of `topic`-`partition` from offset `from` (at most `max`), as a reader sees them.
    /// Control records (transaction markers) are included and flagged.
    pub fn records(&self, topic: &str, partition: u32, from: i64, max: usize) -> Vec<RecordView> {
        let Some(idx) = self
            .cluster()
            .topic_id(topic)
            .and_then(|t| self.cluster().partition_idx(t, partition))
        else {
            return Vec::new();
        };
        let Some(part) = self.cluster().partition(idx) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for b in part.log.batches_from(from) {
            if out.len() >= max {
                break;
            }
            let producer = b
                .origin
                .and_then(|o| self.producer(o.producer))
                .map(|p| p.name.clone());
            if let Some(control) = b.control {
                if b.base_offset >= from {
                    out.push(RecordView {
                        offset: b.base_offset,
                        timestamp: b.first_timestamp,
                        key: None,
                        key_id: None,
                        value: None,
                        value_bytes: None,
                        headers: Vec::new(),
                        batch_base_offset: b.base_offset,
                        producer_id: b.producer_id,
                        producer_epoch: b.producer_epoch,
                        sequence: -1,
                        transactional: true,
                        control: Some(control),
                        producer,
                    });
                }
                continue;
            }
            for (i, r) in b.records.iter().enumerate() {
                let offset = b.base_offset + i as i64;
                if offset < from {
                    continue;
                }
                if out.len() >= max {
                    break;
                }
                let typed = b.typed.iter().find(|t| t.offset_delta == i as u32);
                let value_bytes =
                    (r.value_len != crate::log::record::NULL_VALUE).then_some(r.value_len);
                let value = match typed {
                    Some(t) => t.value.clone(),
                    None => value_bytes.map(|n| {
                        synth_value(
                            self.seed(),
                            b.origin.map_or(0, |o| o.producer),
                            idx,
                            b.origin.map_or(0, |o| o.first_record) + i as u64,
                            n,
                        )
                    }),
                };
                out.push(RecordView {
                    offset,
                    timestamp: r.timestamp(b.first_timestamp),
                    key: self.keys().text(r.key).map(|k| k.into_owned()),
                    key_id: (r.key != NULL_KEY).then_some(r.key),
                    value,
                    value_bytes,
                    headers: typed
                        .map(|t| {
                            t.headers
                                .iter()
                                .map(|h| (h.key.clone(), h.value.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    batch_base_offset: b.base_offset,
                    producer_id: b.producer_id,
                    producer_epoch: b.producer_epoch,
                    sequence: if b.base_sequence < 0 {
                        -1
                    } else {
                        crate::log::batch::increment_sequence(b.base_sequence, i as i32)
                    },
                    transactional: b.is_transactional,
                    control: None,
                    producer: producer.clone(),
                });
            }
        }
        out
    }
}

/// A generated value, made from the seed when it is shown (never stored): readable text of
/// exactly `len` bytes.
fn synth_value(seed: u64, producer: u32, partition: PartitionIdx, n: u64, len: u32) -> String {
    let mut rng =
        crate::ground::Rng::new(seed ^ ((producer as u64) << 48) ^ ((partition as u64) << 32) ^ n);
    let head = format!("{{\"n\":{n},\"data\":\"");
    let mut s = String::with_capacity(len as usize);
    s.push_str(&head);
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    while s.len() + 2 < len as usize {
        s.push(ALPHABET[rng.below(ALPHABET.len() as u32) as usize] as char);
    }
    if s.len() + 2 <= len as usize {
        s.push_str("\"}");
    }
    s.truncate(len as usize);
    s
}
