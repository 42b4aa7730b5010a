//! What a simulation takes in memory, estimated, and what a copy of it shares: the timeline's
//! checkpoints are bounded by what each holds alone (`timeline/checkpoints.rs`).

use std::sync::Arc;

use super::Simulation;
use crate::event::Event;
use crate::log::{PartitionLog, RecordBatch};

/// An event in the history, with what its strings hold on the heap (estimated).
const EVENT_BYTES: u64 = std::mem::size_of::<Event>() as u64 + 48;

impl Simulation {
    /// What a copy of the simulation copies rather than shares: the queue, the parties and the
    /// open chunk of the event history (it shares sealed history chunks and log batches).
    pub fn approx_bytes_copied(&self) -> u64 {
        let open_events = self.events.chunks().1 as u64 * EVENT_BYTES;
        let queue = self.queue.len() as u64 * 64;
        let parties = (self.producers.len() + self.consumers.len() + self.processors.len()) as u64;
        open_events + queue + parties * (16 << 10) + (64 << 10)
    }

    /// Forgets all but the newest `n` events of the history (a checkpoint keeps only what a
    /// view reads after a seek: the run itself never reads its history).
    pub fn forget_events_but(&mut self, n: usize) {
        self.events.keep_last(n);
    }

    /// The sealed chunks of the event history (shared by copies) and the bytes each holds.
    pub fn shared_event_chunks(&self) -> impl Iterator<Item = (*const Event, u64)> + use<'_> {
        self.events
            .chunks()
            .0
            .map(|c| (c.as_ptr(), c.len() as u64 * EVENT_BYTES))
    }

    /// Each partition's leader log, by the partition's global index, in index order.
    pub fn leader_logs(
        &self,
    ) -> impl Iterator<Item = (crate::ground::PartitionIdx, &PartitionLog)> {
        self.cluster.partitions().map(|p| (p.idx, &p.log))
    }

    /// Every batch every replica holds, once per replica that holds it (a follower's replica
    /// shares its leader's batches, so the same batch can come more than once).
    pub fn shared_batches(&self) -> impl Iterator<Item = &Arc<RecordBatch>> {
        self.cluster.partitions().flat_map(|p| {
            std::iter::once(&p.log)
                .chain(p.followers.iter().map(|r| &r.log))
                .flat_map(|log| log.segments().flat_map(|s| s.batches()))
        })
    }
}
