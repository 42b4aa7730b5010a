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
//! parties, plus the batches nothing later holds (evicted, or rewritten by the cleaner, before
//! its successor was taken). A batch lives in a run of consecutive checkpoints ending at most at
//! the running simulation (a log appends at its end and evicts at its start), so charging each
//! checkpoint for the batches its successor does not share counts every batch once; the newest
//! shares its batches with the running simulation, which holds them anyway. That is the memory
//! the store adds to the page's, and what its bound counts.

use std::collections::HashSet;
use std::sync::Arc;

use crate::ground::Millis;
use crate::sim::Simulation;

/// Virtual time between checkpoints while little happens.
pub const CHECKPOINT_EVERY_MS: Millis = 5_000;
/// The shortest: where a stretch of 5 s of records is a large part of the budget (100,000
/// records/s), checkpoints come closer together so that each costs less and a run of them fits.
pub const CHECKPOINT_EVERY_MS_MIN: Millis = 2_500;
/// Work (queue entries processed) between checkpoints while much happens: a replay of this
/// many entries takes about 50 ms in the page at 100,000 records/s.
pub const CHECKPOINT_EVERY_EVENTS: u64 = 400_000;
/// The store's bound: what the copies add to the running simulation's memory, batches they
/// share counted once (an estimate, see `own_bytes`). The page's aim is 128 MB in all and the
/// running simulation takes up to ~70 MB with its logs at `sim.log.memory.bytes` (64 MB); at
/// 100,000 records/s the page's wasm memory reached 153 MB with 48 MB here (the copy being
/// taken, allocator slack) and stays at 120 MB with 24 (`scripts/bench-memory.sh`). The first
/// checkpoint and the newest are always kept, even if they alone take more.
pub const CHECKPOINT_BUDGET_BYTES: u64 = 24 << 20;
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
    /// What this copy holds that its kept successor (or, for the newest, the running
    /// simulation when it was taken) does not: see the module comment.
    bytes: u64,
    /// What the copy cost when taken, before anything it holds was evicted from the running
    /// simulation: its pointers, queue and parties.
    fixed: u64,
    /// If this one went: what its predecessor would then hold alone (computed when first
    /// needed, forgotten when a neighbour changes).
    predecessor_without: Option<u64>,
    sim: Simulation,
}

#[derive(Clone)]
pub struct Checkpoints {
    list: Vec<Checkpoint>,
    bytes: u64,
    budget: u64,
    /// Virtual time between checkpoints now: halved while the records of one stretch cost more
    /// than a sixth of the budget and more than twice what every copy costs anyway (its
    /// pointers, queue and parties), doubled back while they cost less than a twenty-fourth.
    every_ms: Millis,
}

impl Checkpoints {
    pub fn new(budget: u64) -> Self {
        Checkpoints {
            list: Vec::new(),
            bytes: 0,
            budget,
            every_ms: CHECKPOINT_EVERY_MS,
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
                    && (sim.now() - last.cursor.time >= self.every_ms
                        || sim.events_processed() - last.work >= CHECKPOINT_EVERY_EVENTS)
            }
        }
    }

    /// The time by which the next checkpoint is due when little happens: a long advance stops
    /// there, so that a jump ahead (a seek, opening a link) leaves checkpoints on its way.
    pub fn due_by(&self) -> Millis {
        self.list
            .last()
            .map_or(0, |c| c.cursor.time.saturating_add(self.every_ms))
    }

    /// Keeps a copy of `sim` at `cursor` (which must be later than every checkpoint kept).
    pub fn take(&mut self, sim: &Simulation, cursor: Cursor) {
        debug_assert!(self.list.last().is_none_or(|c| c.cursor.time < cursor.time
            || (c.cursor.time == cursor.time && c.cursor.logged < cursor.logged)));
        let mut copy = sim.clone();
        copy.forget_events_but(CHECKPOINT_EVENTS);
        // The newest so far is followed by this copy from now on: it holds alone what this
        // copy no longer holds.
        if let Some(last) = self.list.last_mut() {
            let held = own_bytes(&last.sim, Some(&copy));
            self.bytes = self.bytes - last.bytes + held;
            last.bytes = held;
            last.predecessor_without = None;
            let records = held.saturating_sub(last.fixed);
            if records > self.budget / 6 && records > 2 * last.fixed {
                self.every_ms = (self.every_ms / 2).max(CHECKPOINT_EVERY_MS_MIN);
            } else if records < self.budget / 24 {
                self.every_ms = (self.every_ms * 2).min(CHECKPOINT_EVERY_MS);
            }
        }
        let bytes = own_bytes(&copy, Some(sim));
        self.list.push(Checkpoint {
            cursor,
            work: sim.events_processed(),
            bytes,
            fixed: bytes,
            predecessor_without: None,
            sim: copy,
        });
        self.bytes += bytes;
        while self.bytes > self.budget && self.list.len() > 2 {
            self.thin();
        }
    }

    /// Removes the checkpoint (not the first, not the newest) that frees the most memory for
    /// the replay it adds, weighed by its age: its score is the bytes its removal frees, times
    /// the work since it, over the work between its neighbours. Where copies cost about the
    /// same (low rates) the checkpoints thin out with age, dense behind the present (stepping
    /// back is a short replay) and sparser into the past. Where a log's window is much of the
    /// budget (high rates), a checkpoint far from the others holds a whole window alone while
    /// one in a run holds only what its successor no longer does, so the far ones go first and
    /// a dense run stays behind the present, as far back as the budget reaches.
    fn thin(&mut self) {
        let last = self.list.len() - 1;
        let now = self.list[last].work;
        let mut best: Option<(usize, f64)> = None;
        for i in 1..last {
            let freed = self.freed_without(i);
            let gap = self.list[i + 1].work - self.list[i - 1].work;
            let age = now - self.list[i].work;
            let score = freed as f64 * (age + 1) as f64 / (gap + 1) as f64;
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((i, score));
            }
        }
        let Some((i, _)) = best else {
            return;
        };
        let held = self.held_without(i);
        let gone = self.list.remove(i);
        self.bytes = self.bytes - gone.bytes - self.list[i - 1].bytes + held;
        self.list[i - 1].bytes = held;
        // Both neighbours now have another neighbour.
        self.list[i - 1].predecessor_without = None;
        self.list[i].predecessor_without = None;
    }

    /// Without checkpoint `i`, its predecessor is followed by its successor: what the
    /// predecessor would then hold alone.
    fn held_without(&mut self, i: usize) -> u64 {
        if let Some(held) = self.list[i].predecessor_without {
            return held;
        }
        let held = own_bytes(&self.list[i - 1].sim, Some(&self.list[i + 1].sim));
        self.list[i].predecessor_without = Some(held);
        held
    }

    /// The bytes removing checkpoint `i` would free.
    fn freed_without(&mut self, i: usize) -> u64 {
        let before = self.list[i].bytes + self.list[i - 1].bytes;
        before.saturating_sub(self.held_without(i))
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

/// What `sim` holds that `other` (the next checkpoint, or the running simulation) does not:
/// what a copy copies (queue, parties, the open chunk of the event history), every replica's
/// pointers to its batches, the leaders' batches `other` does not share with it (a follower's
/// replica shares its leader's), and the sealed history chunks `other` does not share.
///
/// Logs append at their end and evict at their start, so two copies of a leader log share one
/// run of batches: a walk of both in offset order finds it without hashing every batch (a
/// checkpoint at 100,000 records/s holds hundreds of thousands).
fn own_bytes(sim: &Simulation, other: Option<&Simulation>) -> u64 {
    let pointers = sim.shared_batches().count() * std::mem::size_of::<Arc<()>>();
    let mut other_logs = other
        .into_iter()
        .flat_map(Simulation::leader_logs)
        .peekable();
    let mut batches = 0;
    for (idx, log) in sim.leader_logs() {
        while other_logs.peek().is_some_and(|(i, _)| *i < idx) {
            other_logs.next();
        }
        let theirs = other_logs
            .peek()
            .filter(|(i, _)| *i == idx)
            .map(|(_, l)| *l);
        let mut theirs = theirs
            .into_iter()
            .flat_map(|l| l.segments().flat_map(|s| s.batches()))
            .peekable();
        for b in log.segments().flat_map(|s| s.batches()) {
            while theirs.peek().is_some_and(|o| o.base_offset < b.base_offset) {
                theirs.next();
            }
            if !theirs.peek().is_some_and(|o| Arc::ptr_eq(o, b)) {
                batches += b.memory_bytes();
            }
        }
    }
    let held_chunks: HashSet<_> = other
        .map(|b| b.shared_event_chunks().map(|(p, _)| p).collect())
        .unwrap_or_default();
    let chunks: u64 = sim
        .shared_event_chunks()
        .filter(|(p, _)| !held_chunks.contains(p))
        .map(|(_, bytes)| bytes)
        .sum();
    batches + chunks + pointers as u64 + sim.approx_bytes_copied()
}
