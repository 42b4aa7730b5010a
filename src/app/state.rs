//! The playground's state: one engine, the latest snapshot, and the time controls.
//!
//! The engine lives behind an `Rc<RefCell<_>>` and is never cloned: `reduce` applies the message
//! to it and returns a new state value holding a fresh snapshot `Rc`, which is what makes Yew
//! re-render.

use std::cell::RefCell;
use std::rc::Rc;

use brokerlab_engine::{Action, Simulation, Snapshot};
use yew::prelude::*;

use super::demo::{demo_scenario, DEMO_SEED};

/// Most queue entries one animation frame may process, so a frame never stalls the page.
pub const FRAME_EVENT_BUDGET: u64 = 200_000;

pub type PlaygroundContext = UseReducerHandle<Playground>;

#[derive(Clone)]
pub struct Playground {
    pub sim: Rc<RefCell<Simulation>>,
    pub snapshot: Rc<Snapshot>,
    pub playing: bool,
    /// Virtual milliseconds per real millisecond.
    pub speed: f64,
    /// Virtual time not yet simulated (fractions of a millisecond carried between frames).
    pub carry: f64,
    /// The last action's outcome: a confirmation or an error to show inline.
    pub notice: Option<Result<String, String>>,
    /// The simulation could not keep up with the requested speed in the last frame.
    pub behind: bool,
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.snapshot, &other.snapshot)
            && self.playing == other.playing
            && self.speed == other.speed
            && self.notice == other.notice
            && self.behind == other.behind
    }
}

pub enum Msg {
    /// An animation frame passed `dt_ms` of real time.
    Frame {
        dt_ms: f64,
    },
    Apply(Action),
    TogglePlay,
    /// Process the next event.
    Step,
    SetSpeed(f64),
    /// Start over with the demo scenario and this seed.
    Reset {
        seed: u64,
    },
}

impl Playground {
    pub fn demo() -> Self {
        Self::with_seed(DEMO_SEED)
    }

    pub fn with_seed(seed: u64) -> Self {
        let sim = demo_scenario(seed)
            .start()
            .expect("the demo scenario is valid");
        let snapshot = Rc::new(sim.snapshot());
        Playground {
            sim: Rc::new(RefCell::new(sim)),
            snapshot,
            playing: true,
            speed: 1.0,
            carry: 0.0,
            notice: None,
            behind: false,
        }
    }

    fn refreshed(&self) -> Self {
        let snapshot = Rc::new(self.sim.borrow().snapshot());
        Playground {
            snapshot,
            ..self.clone()
        }
    }
}

impl Reducible for Playground {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        match msg {
            Msg::Frame { dt_ms } => {
                if !self.playing {
                    return self;
                }
                // A long pause (background tab) does not turn into a burst of simulation.
                let wanted = self.carry + dt_ms.min(100.0) * self.speed;
                let whole = wanted.floor();
                let (reached, target) = {
                    let mut sim = self.sim.borrow_mut();
                    let target = sim.now() + whole as u64;
                    (sim.advance_to_bounded(target, FRAME_EVENT_BUDGET), target)
                };
                let mut next = self.refreshed();
                next.carry = if reached { wanted - whole } else { 0.0 };
                next.behind = !reached && target > next.snapshot.time;
                Rc::new(next)
            }
            Msg::Apply(action) => {
                let result = self.sim.borrow_mut().apply(action);
                let mut next = self.refreshed();
                next.notice = Some(result.map(|a| a.summary).map_err(|e| e.to_string()));
                Rc::new(next)
            }
            Msg::TogglePlay => Rc::new(Playground {
                playing: !self.playing,
                ..(*self).clone()
            }),
            Msg::Step => {
                self.sim.borrow_mut().step();
                let mut next = self.refreshed();
                next.playing = false;
                Rc::new(next)
            }
            Msg::SetSpeed(speed) => Rc::new(Playground {
                speed: speed.clamp(0.25, 64.0),
                ..(*self).clone()
            }),
            Msg::Reset { seed } => {
                let mut next = Playground::with_seed(seed);
                next.speed = self.speed;
                Rc::new(next)
            }
        }
    }
}
