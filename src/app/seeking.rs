//! Long seeks spread over frames. Going to a time far from every checkpoint means replaying
//! seconds of simulation (at 100,000 records/s, several seconds of wall time in the page): done
//! in one go the page froze with no sign of life. A seek now replays for a slice of each frame,
//! shows how far it got ("Replaying to 5:23.0 — 42%") with a Stop button, and ends in the very
//! state one seek reaches (`Timeline::seek_begin` + `advance_to_bounded`, tested in the engine).
//! Stopping, or acting meanwhile, leaves the run where the replay got to: a valid state of the
//! same session at an earlier time.

use std::rc::Rc;

use brokerlab_engine::Timeline;

use super::state::{wall_ms, Playground};

/// Wall-clock milliseconds a frame spends replaying (the page still draws at ~60 fps) ...
const SEEK_FRAME_MS: f64 = 12.0;
/// ... checked every so many queue entries.
const SEEK_CHUNK: u64 = 2_000;

/// A seek under way: where the replay started and where it goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seeking {
    pub from: u64,
    pub to: u64,
}

impl Seeking {
    /// How far the replay got, 0 to 1.
    pub fn progress(&self, now: u64) -> f64 {
        if self.to <= self.from {
            return 1.0;
        }
        (now.saturating_sub(self.from) as f64 / (self.to - self.from) as f64).clamp(0.0, 1.0)
    }
}

/// Replays toward `to` for at most a frame's slice of wall time: whether it got there.
fn replay_some(timeline: &mut Timeline, to: u64) -> bool {
    let start = wall_ms();
    loop {
        if timeline.advance_to_bounded(to, SEEK_CHUNK) {
            return true;
        }
        if wall_ms() - start > SEEK_FRAME_MS {
            return false;
        }
    }
}

impl Playground {
    /// Starts a seek to `time` (paused): done at once when the replay is short, else carried on
    /// frame by frame.
    pub(super) fn seek_to(&self, time: u64) -> Rc<Self> {
        self.seek_within(time, false)
    }

    /// A seek that may go past the session's end (a host's `seek {ms}`): the run simulates on
    /// to `time`, as playing would.
    pub(super) fn seek_within(&self, time: u64, past_end: bool) -> Rc<Self> {
        let (reached, seeking) = {
            let mut timeline = self.timeline.borrow_mut();
            let within = timeline.seek_begin(time);
            let to = if past_end { time.max(within) } else { within };
            let from = timeline.now();
            (replay_some(&mut timeline, to), Seeking { from, to })
        };
        let mut next = self.refreshed();
        next.playing = false;
        next.carry = 0.0;
        next.seeking = (!reached).then_some(seeking);
        Rc::new(next)
    }

    /// Finishes a seek under way at once (a lesson's next step must start where the step it
    /// returned to began, not wherever the replay had got to).
    pub(super) fn finish_seek(self: Rc<Self>) -> Rc<Self> {
        let Some(seeking) = self.seeking else {
            return self;
        };
        self.timeline.borrow_mut().advance_to(seeking.to);
        let mut next = self.refreshed();
        next.seeking = None;
        Rc::new(next)
    }

    /// A frame of a seek under way.
    pub(super) fn seek_frame(&self, seeking: Seeking) -> Rc<Self> {
        let reached = replay_some(&mut self.timeline.borrow_mut(), seeking.to);
        let mut next = self.refreshed();
        next.seeking = (!reached).then_some(seeking);
        Rc::new(next)
    }
}
