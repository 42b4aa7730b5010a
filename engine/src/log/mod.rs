//! The partition log: record batches in segments, with offsets as Kafka assigns them.
//!
//! Storage is batch-granular. A batch keeps Kafka's v2 header fields (base offset, producer id,
//! epoch, base sequence, transactional and control flags) plus 12 bytes a record (key id,
//! timestamp delta, value length). Generated values are never stored: they are synthesised from
//! the seed when a record is shown. What a user types is stored as typed.

pub mod batch;
pub mod compression;
pub mod keys;
pub mod partition_log;
pub mod producer_state;
pub mod record;
pub mod segment;

pub use batch::{BatchOrigin, ControlType, RecordBatch};
pub use compression::Compression;
pub use keys::{KeyId, KeyTable, NULL_KEY};
pub use partition_log::{AbortedTxn, CleanerStats, Compaction, Evicted, LogConfig, PartitionLog};
pub use record::{record_size_in_bytes, Lineage, RecordMeta, TypedRecord, BATCH_OVERHEAD_BYTES};
pub use segment::Segment;
