//! The session as a timeline: a scenario, the actions a user took at their virtual times, and
//! the simulation they give, with checkpoints to go back to any earlier time.
//!
//! Inputs: [`Timeline::apply`] (an action now), [`Timeline::advance_to_bounded`] (time passes),
//! [`Timeline::step`] and [`Timeline::step_back`] (one instant with events on or back),
//! [`Timeline::seek`] (any time the session has reached), [`Timeline::undo_fork`]. Outputs:
//! [`Timeline::sim`] to read the state, [`Timeline::log`] and [`Timeline::markers`] to draw the
//! timeline, [`Timeline::to_scenario`] to export.
//!
//! Positions are instant ends: "the state at T" is every event due at or before T processed and
//! every action stamped at or before T applied, scenario actions before the user's at the same
//! time. That is exactly what `Scenario::run` does, so an exported session run headless gives
//! the trace hash the page shows. An action a user takes first finishes the current instant
//! (the page may have stopped a frame in the middle of one), then applies and is logged at it.

use crate::action::{Action, Applied};
use crate::ground::{ActionError, Millis};
use crate::scenario::{Scenario, TimedAction};
use crate::sim::Simulation;

use super::checkpoints::{Checkpoints, Cursor, CHECKPOINT_BUDGET_BYTES};
use super::marker::{self, Marker};

/// Queue entries processed between two looks at the event history for markers: far fewer
/// than the history keeps, so none is missed.
const SCAN_EVERY_EVENTS: u64 = 2_000;

/// An action the user took, when, and what the engine said of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub at: Millis,
    pub action: Action,
    /// The engine's confirmation, in Kafka's words.
    pub summary: String,
}

/// What a fork dropped, kept until the next action so that it can be undone once.
#[derive(Clone)]
struct Dropped {
    /// When the fork happened.
    at: Millis,
    log: Vec<Logged>,
    markers: Vec<Marker>,
    checkpoints: Checkpoints,
    reached: Millis,
    scanned: u64,
}

#[derive(Clone)]
pub struct Timeline {
    scenario: Scenario,
    /// The scenario's own actions, in the order they apply (by time, then file order).
    schedule: Vec<TimedAction>,
    log: Vec<Logged>,
    sim: Simulation,
    /// Scenario actions applied so far.
    scheduled: usize,
    /// Logged actions applied so far; the rest are the recorded future, replayed as time
    /// passes until a new action forks the session.
    logged: usize,
    /// The furthest time the session has been to.
    reached: Millis,
    checkpoints: Checkpoints,
    markers: Vec<Marker>,
    /// Events before this sequence number have been read for markers. Sequence numbers are the
    /// same on every replay of the same actions, so a replay does not read them twice.
    scanned: u64,
    dropped: Option<Dropped>,
}

impl Timeline {
    /// A session at time 0 of `scenario`, with its setup applied.
    pub fn new(scenario: Scenario) -> Result<Self, String> {
        Self::with_budget(scenario, CHECKPOINT_BUDGET_BYTES)
    }

    /// As [`Timeline::new`], with a bound in bytes for the checkpoints.
    pub fn with_budget(scenario: Scenario, budget: u64) -> Result<Self, String> {
        let sim = scenario.start()?;
        let mut schedule = scenario.actions.clone();
        crate::ground::sort::sort_by_key(&mut schedule, |a| a.at);
        let mut t = Timeline {
            scenario,
            schedule,
            log: Vec::new(),
            sim,
            scheduled: 0,
            logged: 0,
            reached: 0,
            checkpoints: Checkpoints::new(budget),
            markers: Vec::new(),
            scanned: 0,
            dropped: None,
        };
        t.scan();
        t.checkpoints.take(&t.sim, t.cursor());
        Ok(t)
    }

    /// A session opened from a saved one: `scenario`, then `log` replayed up to `time`, with the
    /// rest of the log as its recorded future. Refuses a log out of time order or an action the
    /// engine refuses, naming it.
    pub fn replay(scenario: Scenario, log: Vec<TimedAction>, time: Millis) -> Result<Self, String> {
        let mut t = Self::new(scenario)?;
        let mut last = 0;
        for (i, ta) in log.into_iter().enumerate() {
            if ta.at < last {
                return Err(format!(
                    "log[{i}] ({}) at {} ms comes before the action ahead of it ({last} ms): the log must be in time order.",
                    ta.action.name(),
                    ta.at
                ));
            }
            last = ta.at;
            t.advance_to(ta.at);
            let name = ta.action.name();
            t.apply(ta.action)
                .map_err(|e| format!("log[{i}] ({name}) at {} ms: {e}", ta.at))?;
        }
        t.seek(time);
        Ok(t)
    }

    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn now(&self) -> Millis {
        self.sim.now()
    }

    /// The furthest time the session has been to: the timeline spans 0 to this.
    pub fn end(&self) -> Millis {
        self.reached.max(self.sim.now())
    }

    /// Every action the user took, including those after the time on screen when scrubbed back.
    pub fn log(&self) -> &[Logged] {
        &self.log
    }

    /// How many of [`Timeline::log`] the state on screen includes.
    pub fn applied(&self) -> usize {
        self.logged
    }

    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    pub fn checkpoints(&self) -> &Checkpoints {
        &self.checkpoints
    }

    /// Whether the last action dropped a recorded future that [`Timeline::undo_fork`] can bring
    /// back.
    pub fn can_undo_fork(&self) -> bool {
        self.dropped.is_some()
    }

    /// What the last fork dropped, while it can be undone: when it forked, how many logged
    /// actions it dropped and how far the old run had reached.
    pub fn last_fork(&self) -> Option<(Millis, usize, Millis)> {
        self.dropped
            .as_ref()
            .map(|d| (d.at, d.log.len(), d.reached))
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            time: self.sim.now(),
            scheduled: self.scheduled,
            logged: self.logged,
        }
    }

    /// The next action due and its time: the scenario's (true) before the log's at equal times.
    fn next_action(&self) -> Option<(Millis, bool)> {
        let s = self.schedule.get(self.scheduled).map(|a| (a.at, true));
        let l = self.log.get(self.logged).map(|a| (a.at, false));
        match (s, l) {
            (Some(s), Some(l)) => Some(if s.0 <= l.0 { s } else { l }),
            (s, l) => s.or(l),
        }
    }

    fn next_action_at(&self) -> Option<Millis> {
        self.next_action().map(|(at, _)| at)
    }

    /// Applies the next action due. A scenario action the engine refuses is skipped (the file
    /// is at fault, not the session); a logged one cannot be refused, since it was accepted on
    /// this very path.
    fn apply_next(&mut self) {
        let action = match self.next_action() {
            Some((_, true)) => {
                self.scheduled += 1;
                self.schedule[self.scheduled - 1].action.clone()
            }
            Some((_, false)) => {
                self.logged += 1;
                self.log[self.logged - 1].action.clone()
            }
            None => return,
        };
        let _ = self.sim.apply(action);
    }

    fn scan(&mut self) {
        let Timeline {
            sim,
            markers,
            scanned,
            ..
        } = self;
        for e in sim.events_since(*scanned) {
            marker::collect(markers, e);
        }
        *scanned = (*scanned).max(sim.next_event_seq());
    }

    /// Lets time pass up to `t`, applying the actions due on the way, but processes at most
    /// `max_events` queue entries: returns whether `t` was reached. Checkpoints are taken here.
    pub fn advance_to_bounded(&mut self, t: Millis, max_events: u64) -> bool {
        let start = self.sim.events_processed();
        loop {
            let next = self.next_action_at().filter(|&a| a <= t);
            let stop = next.unwrap_or(t);
            loop {
                // A checkpoint falls due on the way: stop at its time (the end of an instant
                // before `stop`, so no action is due there) and take it.
                let slice = stop.min(self.checkpoints.due_by().max(self.sim.now()));
                let done = self.sim.events_processed() - start;
                let Some(left) = max_events.checked_sub(done).filter(|&l| l > 0) else {
                    // Out of budget: is there anything left to do before `stop`?
                    if self.sim.next_event_time().is_some_and(|n| n <= stop) {
                        self.reached = self.reached.max(self.sim.now());
                        return false;
                    }
                    self.sim.advance_to(stop);
                    break;
                };
                let reached = self
                    .sim
                    .advance_to_bounded(slice, left.min(SCAN_EVERY_EVENTS));
                self.scan();
                if reached && slice < stop {
                    self.reached = self.reached.max(self.sim.now());
                    if self.checkpoints.due(&self.sim) {
                        self.checkpoints.take(&self.sim, self.cursor());
                    }
                    continue;
                }
                if reached {
                    break;
                }
            }
            if next.is_none() {
                break;
            }
            self.apply_next();
            self.scan();
        }
        self.reached = self.reached.max(self.sim.now());
        if self.checkpoints.due(&self.sim) && self.next_action_at().is_none_or(|a| a > t) {
            self.checkpoints.take(&self.sim, self.cursor());
        }
        true
    }

    pub fn advance_to(&mut self, t: Millis) {
        self.advance_to_bounded(t, u64::MAX);
    }

    /// Applies `action` now and logs it. If the time on screen is before the end of the log (the
    /// user went back), the later part of the log is dropped: the session forks here. A refused
    /// action changes nothing but finishing the current instant.
    pub fn apply(&mut self, action: Action) -> Result<Applied, ActionError> {
        // Finish the instant the page may have stopped in, with its actions.
        self.advance_to(self.sim.now());
        let seq = self.sim.next_event_seq();
        let applied = self.sim.apply(action.clone())?;
        let now = self.sim.now();
        // Acting before the furthest time reached forks, later actions in the log or not: the
        // future recorded (checkpoints, markers) was the old one.
        if self.logged < self.log.len() || now < self.reached {
            let kept_markers = self
                .markers
                .iter()
                .take_while(|m| m.time <= now && m.seq < seq)
                .count();
            let mut checkpoints = self.checkpoints.clone();
            checkpoints.forget_after(now, self.logged);
            self.dropped = Some(Dropped {
                at: now,
                log: self.log.split_off(self.logged),
                markers: self.markers.split_off(kept_markers),
                checkpoints: std::mem::replace(&mut self.checkpoints, checkpoints),
                reached: self.reached,
                scanned: self.scanned,
            });
            self.reached = now;
            self.scanned = seq;
        } else {
            self.dropped = None;
        }
        self.log.push(Logged {
            at: now,
            action,
            summary: applied.summary.clone(),
        });
        self.logged += 1;
        self.scan();
        Ok(applied)
    }

    /// Brings back what the last fork dropped, at the time it forked: the action that forked is
    /// gone, the recorded future is back. Returns false if there is nothing to undo.
    pub fn undo_fork(&mut self) -> bool {
        let Some(d) = self.dropped.take() else {
            return false;
        };
        let at = d.at;
        self.log.truncate(self.log.len() - 1);
        self.log.extend(d.log);
        self.markers.extend(d.markers);
        self.checkpoints = d.checkpoints;
        self.reached = d.reached;
        self.scanned = d.scanned;
        self.restore(at);
        true
    }

    /// Goes to the end of instant `t` (at most the session's end): from the state on screen if
    /// `t` is ahead of it and no checkpoint is closer, otherwise from the latest checkpoint at or
    /// before `t`, replaying the actions logged since.
    pub fn seek(&mut self, t: Millis) {
        let t = self.seek_begin(t);
        self.advance_to(t);
    }

    /// The first half of [`Timeline::seek`], for a caller that spreads a long replay over
    /// frames: restores the checkpoint the seek starts from (if it does not go on from the
    /// state on screen) and returns the target, `t` cut to the session's end. Calling
    /// [`Timeline::advance_to_bounded`] with the target until it returns true finishes the seek,
    /// with the same result as `seek`; stopping half way leaves a valid state at an earlier time.
    pub fn seek_begin(&mut self, t: Millis) -> Millis {
        let t = t.min(self.end());
        let best = self.checkpoints.nearest(t, self.log.len());
        let ahead = self.sim.now() <= t;
        if !(ahead && best.is_none_or(|c| c.time <= self.sim.now())) {
            self.restore_checkpoint(t);
        }
        t
    }

    /// Restores the latest checkpoint at or before `t` (there is always the one at time 0) and
    /// replays to `t`.
    fn restore(&mut self, t: Millis) {
        self.restore_checkpoint(t);
        self.advance_to(t);
    }

    fn restore_checkpoint(&mut self, t: Millis) {
        if let Some((sim, c)) = self.checkpoints.restore(t, self.log.len()) {
            self.sim = sim;
            self.scheduled = c.scheduled;
            self.logged = c.logged;
        }
    }

    /// On to the end of the next instant in which something happens. Returns its time, or
    /// `None` if nothing is left to happen.
    pub fn step(&mut self) -> Option<Millis> {
        let before = self.sim.next_event_seq();
        loop {
            let next = match (self.sim.next_event_time(), self.next_action_at()) {
                (Some(e), Some(a)) => e.min(a),
                (e, a) => e.or(a)?,
            };
            self.advance_to(next.max(self.sim.now()));
            if self.sim.next_event_seq() > before {
                return Some(self.sim.now());
            }
        }
    }

    /// Back to the end of the latest earlier instant in which something happened (time 0 if
    /// none). Returns false at time 0.
    pub fn step_back(&mut self) -> bool {
        let now = self.sim.now();
        if now == 0 {
            return false;
        }
        let before = self
            .sim
            .events_since(0)
            .rev()
            .find(|e| e.time < now)
            .map_or(0, |e| e.time);
        self.restore(before);
        true
    }

    /// The session as a scenario file the command line runs: the scenario's actions and the
    /// logged ones applied so far, in the order they were applied, ending now.
    pub fn to_scenario(&self) -> Scenario {
        let mut actions = Vec::with_capacity(self.schedule.len() + self.logged);
        let (mut s, mut l) = (0, 0);
        let now = self.sim.now();
        loop {
            let sa = self.schedule.get(s).filter(|a| a.at <= now);
            let la = self.log[..self.logged].get(l);
            match (sa, la) {
                (Some(a), Some(b)) if a.at <= b.at => {
                    actions.push(a.clone());
                    s += 1;
                }
                (_, Some(b)) => {
                    actions.push(TimedAction {
                        at: b.at,
                        action: b.action.clone(),
                    });
                    l += 1;
                }
                (Some(a), None) => {
                    actions.push(a.clone());
                    s += 1;
                }
                (None, None) => break,
            }
        }
        Scenario {
            actions,
            duration_ms: now,
            ..self.scenario.clone()
        }
    }

    /// The logged actions as timed actions (what a share link carries).
    pub fn timed_log(&self) -> Vec<TimedAction> {
        self.log
            .iter()
            .map(|l| TimedAction {
                at: l.at,
                action: l.action.clone(),
            })
            .collect()
    }
}
