//! One record inside a batch, and Kafka's rule for how many bytes it takes.

use serde::Serialize;

use super::KeyId;

/// `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`: the v2 batch header.
pub const BATCH_OVERHEAD_BYTES: u32 = 61;

/// Value length marker for a null value (a tombstone).
pub const NULL_VALUE: u32 = u32::MAX;

/// What the log keeps of a record: 12 bytes, no heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecordMeta {
    /// Key identity (`NULL_KEY` for a null key).
    pub key: KeyId,
    /// Timestamp minus the batch's first timestamp, as in the v2 format: signed, since a record
    /// may carry an older timestamp than the first of its batch (Kafka Streams forwards the
    /// source record's time to a repartition topic).
    pub ts_delta: i32,
    /// Serialized value length in bytes, or `NULL_VALUE`.
    pub value_len: u32,
}

impl RecordMeta {
    /// The record's timestamp, in a batch whose first timestamp is `first`.
    #[inline]
    pub fn timestamp(&self, first: crate::ground::Millis) -> crate::ground::Millis {
        first.saturating_add_signed(i64::from(self.ts_delta))
    }
}

/// A record header, as typed by a user.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Header {
    pub key: String,
    pub value: String,
}

/// A record whose key, value and headers a user typed (or a processor wrote); kept beside its
/// batch, by offset delta.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypedRecord {
    pub offset_delta: u32,
    pub value: Option<String>,
    pub headers: Vec<Header>,
    /// For a record a processor derived from an input record: that record's identity, so the
    /// delivery audit can tell whether every input reached the output exactly once.
    pub lineage: Option<Lineage>,
}

/// The identity of a produced record: producer, partition, the producer's running number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lineage {
    pub producer: u32,
    pub partition: u32,
    pub record: u64,
}

fn varint_size(v: i32) -> u32 {
    let z = ((v << 1) ^ (v >> 31)) as u32;
    (38 - (z | 1).leading_zeros()) / 7
}

fn varlong_size(v: i64) -> u32 {
    let z = ((v << 1) ^ (v >> 63)) as u64;
    (70 - (z | 1).leading_zeros()) / 7
}

/// `DefaultRecord.sizeInBytes`: the varint-encoded size of one record inside a v2 batch, the
/// number `MemoryRecordsBuilder.hasRoomFor` compares with `batch.size`.
pub fn record_size_in_bytes(
    offset_delta: u32,
    timestamp_delta: i64,
    key_len: Option<u32>,
    value_len: Option<u32>,
    headers_bytes: u32,
    header_count: u32,
) -> u32 {
    let field = |len: Option<u32>| match len {
        Some(n) => varint_size(n as i32) + n,
        None => 1, // varint(-1)
    };
    let body = 1 // attributes
        + varlong_size(timestamp_delta)
        + varint_size(offset_delta as i32)
        + field(key_len)
        + field(value_len)
        + varint_size(header_count as i32)
        + headers_bytes;
    body + varint_size(body as i32)
}

/// Bytes the headers of a typed record take inside the record.
pub fn headers_size_in_bytes(headers: &[Header]) -> u32 {
    headers
        .iter()
        .map(|h| {
            let k = h.key.len() as u32;
            let v = h.value.len() as u32;
            varint_size(k as i32) + k + varint_size(v as i32) + v
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_use_zigzag_sizes() {
        assert_eq!(varint_size(0), 1);
        assert_eq!(varint_size(-1), 1);
        assert_eq!(varint_size(63), 1);
        assert_eq!(varint_size(64), 2);
        assert_eq!(varint_size(8191), 2);
        assert_eq!(varint_size(8192), 3);
        assert_eq!(varlong_size(0), 1);
        assert_eq!(varlong_size(1 << 20), 4);
    }

    #[test]
    fn a_first_record_with_an_8_byte_key_and_100_byte_value_takes_117_bytes() {
        // body = attributes 1 + ts delta 1 + offset delta 1 + key (1 + 8) + value (2 + 100)
        //        + header count 1 = 115; its length, zigzag 230, is a 2-byte varint: 117.
        assert_eq!(record_size_in_bytes(0, 0, Some(8), Some(100), 0, 0), 117);
        // From offset delta 64 on, the delta itself needs 2 bytes.
        assert_eq!(record_size_in_bytes(64, 0, Some(8), Some(100), 0, 0), 118);
    }

    #[test]
    fn null_key_and_null_value_take_one_byte_each() {
        assert_eq!(record_size_in_bytes(0, 0, None, None, 0, 0), 7);
    }
}
