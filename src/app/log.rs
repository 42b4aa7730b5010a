//! The protocol log and the group timelines, fed from the engine's events after every frame.
//!
//! Only the newest lines of each category are kept (and described), so a flood of produce and
//! fetch requests never pushes the rare group events out, and a frame never describes more than
//! a few hundred events however fast the simulation runs.

use brokerlab_engine::SmallMap;
use std::collections::VecDeque;
use std::rc::Rc;

use brokerlab_engine::view::narrator::{announcement, Narrator};
use brokerlab_engine::view::{Category, Event, EventKind, Snapshot};
use brokerlab_engine::Simulation;

/// Lines kept per category.
pub const LINES_PER_CATEGORY: usize = 250;
/// Phases kept per group.
pub const PHASES_PER_GROUP: usize = 60;

pub const CATEGORIES: [Category; 10] = [
    Category::Replication,
    Category::Storage,
    Category::Group,
    Category::Transaction,
    Category::Offsets,
    Category::Produce,
    Category::Fetch,
    Category::Heartbeat,
    Category::Admin,
    Category::Rabbit,
];

pub fn category_label(c: Category) -> &'static str {
    match c {
        Category::Admin => "Admin",
        Category::Produce => "Produce",
        Category::Fetch => "Fetch",
        Category::Group => "Group",
        Category::Heartbeat => "Heartbeat",
        Category::Offsets => "Offsets",
        Category::Transaction => "Transactions",
        Category::Replication => "Brokers",
        Category::Storage => "Log",
        Category::Rabbit => "RabbitMQ",
    }
}

fn slot(c: Category) -> usize {
    CATEGORIES.iter().position(|&x| x == c).unwrap_or(0)
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub seq: u64,
    pub time: u64,
    pub category: Category,
    pub text: Rc<str>,
}

/// A span of a group's life in one state.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    pub from: u64,
    pub state: String,
    pub generation: i32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    buffers: [VecDeque<LogLine>; CATEGORIES.len()],
    pub phases: SmallMap<String, VecDeque<Phase>>,
    /// Sequence number of the next event to read.
    pub next_seq: u64,
    narrator: Narrator,
    /// What the live region says now: the newest few sentences of the narrator (rebalances,
    /// broker deaths, elections, aborts, a group falling behind), and a count that changes
    /// with each announcement so the same words twice are spoken twice.
    pub spoken: (u32, Rc<str>),
}

impl History {
    /// Reads the events after the last call.
    pub fn ingest(&mut self, sim: &Simulation) {
        let events: Vec<&Event> = sim.events_since(self.next_seq).collect();
        self.next_seq = sim.next_event_seq();
        let lines = self.narrator.events(events.iter().copied());
        self.speak(&lines);
        let mut remaining = [0usize; CATEGORIES.len()];
        for e in &events {
            remaining[slot(e.kind.category())] += 1;
        }
        for e in events {
            let s = slot(e.kind.category());
            remaining[s] -= 1;
            if let EventKind::GroupStateChanged {
                group,
                to,
                generation,
                ..
            } = &e.kind
            {
                let phases = self.phases.entry(group.clone()).or_default();
                if phases.len() == PHASES_PER_GROUP {
                    phases.pop_front();
                }
                phases.push_back(Phase {
                    from: e.time,
                    state: to.clone(),
                    generation: *generation,
                });
            }
            // Skip describing what would be pushed out anyway.
            if remaining[s] >= LINES_PER_CATEGORY {
                continue;
            }
            let buf = &mut self.buffers[s];
            if buf.len() == LINES_PER_CATEGORY {
                buf.pop_front();
            }
            buf.push_back(LogLine {
                seq: e.seq,
                time: e.time,
                category: e.kind.category(),
                text: sim.describe(e).into(),
            });
        }
    }

    /// Announces groups whose unread records crossed the narrator's thresholds.
    pub fn narrate_lag(&mut self, snapshot: &Snapshot) {
        let lines = self.narrator.lag(snapshot);
        self.speak(&lines);
    }

    fn speak(&mut self, lines: &[String]) {
        if !lines.is_empty() {
            self.spoken = (self.spoken.0.wrapping_add(1), announcement(lines).into());
        }
    }

    /// Forgets what came from events numbered `next_seq` or later, and group phases after
    /// `now`: the simulation went back (the engine numbers events the same on every replay).
    pub fn rewind(&mut self, next_seq: u64, now: u64) {
        if next_seq >= self.next_seq {
            return;
        }
        for buf in &mut self.buffers {
            while buf.back().is_some_and(|l| l.seq >= next_seq) {
                buf.pop_back();
            }
        }
        for (_, phases) in self.phases.iter_mut() {
            while phases.back().is_some_and(|p| p.from > now) {
                phases.pop_back();
            }
        }
        self.next_seq = next_seq;
    }

    /// The newest `max` lines of the enabled categories containing `filter`, oldest first.
    pub fn lines(&self, enabled: &[Category], filter: &str, max: usize) -> Vec<LogLine> {
        let filter = filter.to_ascii_lowercase();
        let mut out: Vec<LogLine> = CATEGORIES
            .iter()
            .filter(|c| enabled.contains(c))
            .flat_map(|&c| self.buffers[slot(c)].iter())
            .filter(|l| filter.is_empty() || l.text.to_ascii_lowercase().contains(&filter))
            .cloned()
            .collect();
        brokerlab_engine::sort_by_key(&mut out, |l| l.seq);
        let skip = out.len().saturating_sub(max);
        out.split_off(skip)
    }
}
