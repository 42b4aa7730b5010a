//! Checkpoints: copies of the simulation at instants along the session, so that going back to
//! any time costs a copy plus a short replay instead of a replay from the start.
//!
//! A checkpoint is taken at the end of an instant (every event due then processed, every action
//! due then applied) when enough virtual time or enough work has passed since the last one. The
//! store has a bound in bytes; when a new checkpoint would exceed it, the one whose removal
//! leaves the smallest stretch of work between its neighbours goes (never the first), so the
//! checkpoints thin out evenly over the session as it grows, as a long video's keyframes would.
//!
//! A copy shares the log's batches with the simulation it was copied from (they never change once
//! appended), so what a checkpoint costs is what it holds alone: its event history, queue and
//! parties, plus the batches its kept predecessor does not hold (appended since, or rewritten by
//! the cleaner). A batch lives in a run of consecutive checkpoints (a log appends at its end and
//! evicts at its start), so these costs add up to what the store holds.

use std::collections::HashSet;
use std::sync::Arc;

use crate::ground::Millis;
use crate::sim::Simulation;

/// Virtual time between checkpoints while little happens.
pub const CHECKPOINT_EVERY_MS: Millis = 5_000;
/// Work (queue entries processed) between checkpoints while much happens: a replay of this
/// many entries takes about 50 ms in the page at 100,000 records/s.
pub const CHECKPOINT_EVERY_EVENTS: u64 = 400_000;
/// The store's bound: what the copies take together, batches they share counted once (an
/// estimate, see `own_bytes`). The first checkpoint and the newest are always kept, even if
/// they alone take more.
pub const CHECKPOINT_BUDGET_BYTES: u64 = 96 << 20;
/// Events of the history a checkpoint keeps: enough for the page's event feed and for stepping
/// back an instant after a seek (the full history is `EVENT_HISTORY`, and at low rates it is
/// most of what a checkpoint would hold).
pub const CHECKPOINT_EVENTS: usize = 2_048;

/// Where a checkpoint stands on the session: its time and how far the action schedules had got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub time: Millis,
    /// Scenario actions applied so far.
    pub scheduled: usize,
    /// Logged (user) actions applied so far.
    pub logged: usize,
}

#[derive(Clone)]
struct Checkpoint {
    cursor: Cursor,
    /// Work done to get here (`Simulation::events_processed`).
    work: u64,
    /// What this copy holds that its kept predecessor does not (see the module comment).
    bytes: u64,
    sim: Simulation,
}

#[derive(Clone)]
pub struct Checkpoints {
    list: Vec<Checkpoint>,
    bytes: u64,
    budget: u64,
}

impl Checkpoints {
    pub fn new(budget: u64) -> Self {
        Checkpoints {
            list: Vec::new(),
            bytes: 0,
            budget,
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Bytes the copies take (estimated).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The times of the checkpoints kept, oldest first.
    pub fn times(&self) -> impl Iterator<Item = Millis> + '_ {
        self.list.iter().map(|c| c.cursor.time)
    }

    /// Whether the simulation at `now` has gone far enough past the last checkpoint to take one.
    pub fn due(&self, sim: &Simulation) -> bool {
        match self.list.last() {
            None => true,
            Some(last) => {
                sim.now() > last.cursor.time
                    && (sim.now() - last.cursor.time >= CHECKPOINT_EVERY_MS
                        || sim.events_processed() - last.work >= CHECKPOINT_EVERY_EVENTS)
            }
        }
    }

    /// The time by which the next checkpoint is due when little happens: a long advance stops
    /// there, so that a jump ahead (a seek, opening a link) leaves checkpoints on its way.
    pub fn due_by(&self) -> Millis {
        self.list
            .last()
            .map_or(0, |c| c.cursor.time.saturating_add(CHECKPOINT_EVERY_MS))
    }

    /// Keeps a copy of `sim` at `cursor` (which must be later than every checkpoint kept).
    pub fn take(&mut self, sim: &Simulation, cursor: Cursor) {
        debug_assert!(self.list.last().is_none_or(|c| c.cursor.time < cursor.time
            || (c.cursor.time == cursor.time && c.cursor.logged < cursor.logged)));
        let mut copy = sim.clone();
        copy.forget_events_but(CHECKPOINT_EVENTS);
        let bytes = own_bytes(&copy, self.list.last().map(|c| &c.sim));
        self.list.push(Checkpoint {
            cursor,
            work: sim.events_processed(),
            bytes,
            sim: copy,
        });
        self.bytes += bytes;
        while self.bytes > self.budget && self.list.len() > 2 {
            self.thin();
        }
    }

    /// Removes the checkpoint (not the first, not the newest) whose neighbours are closest in
    /// work, so that no stretch of replay grows more than it must.
    fn thin(&mut self) {
        let last = self.list.len() - 1;
        let Some(i) = (1..last).min_by_key(|&i| self.list[i + 1].work - self.list[i - 1].work)
        else {
            return;
        };
        let gone = self.list.remove(i);
        // Its successor now follows its predecessor: it holds alone what `gone` held with it.
        let next = own_bytes(&self.list[i].sim, Some(&self.list[i - 1].sim));
        self.bytes = self.bytes - gone.bytes - self.list[i].bytes + next;
        self.list[i].bytes = next;
    }

    /// The latest checkpoint at or before `time` whose logged actions are within the first
    /// `logged` of the log: a copy of its simulation and its cursor.
    pub fn restore(&self, time: Millis, logged: usize) -> Option<(Simulation, Cursor)> {
        self.find(time, logged).map(|c| (c.sim.clone(), c.cursor))
    }

    /// The cursor of the checkpoint `restore` would use, without copying anything.
    pub fn nearest(&self, time: Millis, logged: usize) -> Option<Cursor> {
        self.find(time, logged).map(|c| c.cursor)
    }

    /// What each checkpoint holds alone, oldest first (for tests and benchmarks).
    pub fn own_bytes(&self) -> impl Iterator<Item = u64> + '_ {
        self.list.iter().map(|c| c.bytes)
    }

    fn find(&self, time: Millis, logged: usize) -> Option<&Checkpoint> {
        self.list
            .iter()
            .rev()
            .find(|c| c.cursor.time <= time && c.cursor.logged <= logged)
    }

    /// A fork at `time` kept the first `logged` actions of the log: checkpoints later than the
    /// fork, or past the actions dropped, describe a future that no longer exists.
    pub fn forget_after(&mut self, time: Millis, logged: usize) {
        let before = self.list.len();
        self.list
            .retain(|c| c.cursor.time <= time && c.cursor.logged <= logged);
        if self.list.len() != before {
            self.bytes = self.list.iter().map(|c| c.bytes).sum();
        }
    }
}

/// What `sim` holds that `before` does not: what a copy copies (queue, parties, the open chunk
/// of the event history), every replica's pointers to its batches, the leaders' batches
/// `before` does not share with it (a follower's replica shares its leader's), and the sealed
/// history chunks `before` does not share.
///
/// Logs append at their end and evict at their start, so two copies of a leader log share one
/// run of batches: a walk of both in offset order finds it without hashing every batch (a
/// checkpoint at 100,000 records/s holds hundreds of thousands).
fn own_bytes(sim: &Simulation, before: Option<&Simulation>) -> u64 {
    let pointers = sim.shared_batches().count() * std::mem::size_of::<Arc<()>>();
    let mut old_logs = before
        .into_iter()
        .flat_map(Simulation::leader_logs)
        .peekable();
    let mut batches = 0;
    for (idx, log) in sim.leader_logs() {
        while old_logs.peek().is_some_and(|(i, _)| *i < idx) {
            old_logs.next();
        }
        let old = old_logs.peek().filter(|(i, _)| *i == idx).map(|(_, l)| *l);
        let mut old = old
            .into_iter()
            .flat_map(|l| l.segments().flat_map(|s| s.batches()))
            .peekable();
        for b in log.segments().flat_map(|s| s.batches()) {
            while old.peek().is_some_and(|o| o.base_offset < b.base_offset) {
                old.next();
            }
            if !old.peek().is_some_and(|o| Arc::ptr_eq(o, b)) {
                batches += b.memory_bytes();
            }
        }
    }
    let held_chunks: HashSet<_> = before
        .map(|b| b.shared_event_chunks().map(|(p, _)| p).collect())
        .unwrap_or_default();
    let chunks: u64 = sim
        .shared_event_chunks()
        .filter(|(p, _)| !held_chunks.contains(p))
        .map(|(_, bytes)| bytes)
        .sum();
    batches + chunks + pointers as u64 + sim.approx_bytes_copied()
}
