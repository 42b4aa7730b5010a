//! What a simulation takes in memory, estimated: the bound on the timeline's checkpoints.

use super::Simulation;
use crate::event::Event;

impl Simulation {
    /// About how many bytes the simulation holds: every replica's log, the event history and
    /// the queue, plus a share for each party. An estimate for bounding copies (the timeline's
    /// checkpoints), within a factor of two of what an allocator counts.
    pub fn approx_bytes(&self) -> u64 {
        let logs: u64 = self
            .cluster
            .partitions()
            .map(|p| {
                p.log.memory_bytes()
                    + p.followers
                        .iter()
                        .map(|r| r.log.memory_bytes())
                        .sum::<u64>()
            })
            .sum();
        let events = self.events.len() as u64 * (std::mem::size_of::<Event>() as u64 + 48);
        let queue = self.queue.len() as u64 * 64;
        let parties = (self.producers.len() + self.consumers.len() + self.processors.len()) as u64;
        logs + events + queue + parties * (16 << 10) + (64 << 10)
    }
}
