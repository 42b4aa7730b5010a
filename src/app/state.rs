//! The playground's state: one engine, the latest snapshot, the time controls and the history
//! read from the engine's events.
//!
//! The engine lives behind an `Rc<RefCell<_>>` and is never cloned: `reduce` applies the message
//! to it and returns a new state value holding a fresh snapshot `Rc`, which is what makes Yew
//! re-render. Effects (the frame loop, the keyboard) live in hooks and only dispatch messages.

use std::cell::RefCell;
use std::rc::Rc;

use brokerlab_engine::{quoted, Action, Scenario, Simulation, Snapshot};
use yew::prelude::*;

use super::demo::{demo_scenario, DEMO_SEED};
use super::log::History;

/// Most queue entries one animation frame may process, so a frame never stalls the page.
pub const FRAME_EVENT_BUDGET: u64 = 200_000;

/// Wall-clock time a frame may spend simulating, checked every [`FRAME_EVENT_CHUNK`] entries: at
/// high speeds the simulation falls behind ("at capacity") instead of the page dropping to a few
/// frames per second and answering clicks late.
const FRAME_SIM_BUDGET_MS: f64 = 8.0;
const FRAME_EVENT_CHUNK: u64 = 4_000;

/// Milliseconds from the page's clock (`performance.now()`); 0 where there is none.
fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Real milliseconds between two refreshes of the panels.
pub const VIEW_REFRESH_MS: f64 = 250.0;

/// Page regions whose panels refresh on successive frames (producers, topics, groups, protocol
/// log): re-rendering all of them in one frame took longer than a frame at 60 Hz.
pub const PANEL_SLOTS: usize = 4;

/// Speeds offered, in virtual milliseconds per real millisecond.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

pub type PlaygroundContext = UseReducerHandle<Playground>;

#[derive(Clone)]
pub struct Playground {
    pub sim: Rc<RefCell<Simulation>>,
    /// Taken every frame: the clock and the strips.
    pub snapshot: Rc<Snapshot>,
    /// Taken four times a second and after every action: the panels.
    pub view_snapshot: Rc<Snapshot>,
    pub history: Rc<History>,
    /// Real milliseconds since `view_snapshot` was taken.
    pub since_view_ms: f64,
    /// What each page region shows: `view_snapshot` and `history` as they were when the region
    /// last refreshed. After a refresh on a frame, the regions catch up one per frame; after an
    /// action, all at once.
    pub panels: [PanelView; PANEL_SLOTS],
    pub scenario: Rc<Scenario>,
    pub playing: bool,
    /// Virtual milliseconds per real millisecond.
    pub speed: f64,
    /// Virtual time not yet simulated (fractions of a millisecond carried between frames).
    pub carry: f64,
    /// The last action's outcome: a confirmation or an error to show inline.
    pub notice: Option<Notice>,
    /// The simulation could not keep up with the requested speed in the last frame.
    pub behind: bool,
    pub show_shortcuts: bool,
    /// Counts notices so that the same message twice still shows as new.
    pub notice_id: u32,
}

/// A region's snapshot and history.
#[derive(Clone)]
pub struct PanelView {
    pub snapshot: Rc<Snapshot>,
    pub history: Rc<History>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u32,
    /// Which form the action came from, so the message shows next to it.
    pub source: &'static str,
    pub result: Result<String, String>,
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.snapshot, &other.snapshot)
            && self.playing == other.playing
            && self.speed == other.speed
            && self.notice == other.notice
            && self.behind == other.behind
            && self.show_shortcuts == other.show_shortcuts
    }
}

pub enum Msg {
    /// An animation frame passed `dt_ms` of real time.
    Frame {
        dt_ms: f64,
    },
    /// Apply an action; `source` names the form for the inline message.
    Apply {
        action: Action,
        source: &'static str,
    },
    TogglePlay,
    /// Process the next event.
    Step,
    SetSpeed(f64),
    Faster,
    Slower,
    /// Start the scenario over with this seed.
    Reset {
        seed: u64,
    },
    ToggleShortcuts,
    /// Close the shortcut list if it is open.
    ToggleShortcutsOff,
    DismissNotice,
    /// The user edits the form named: its last outcome is out of date.
    DismissNoticeFrom(&'static str),
}

impl Playground {
    pub fn demo() -> Self {
        Self::from_scenario(demo_scenario(DEMO_SEED))
    }

    /// The scenario named in the page address (`?scenario=NAME&seed=N`), or the demo. Anyone can
    /// write a link: what the address says is quoted back escaped and cut.
    pub fn from_location() -> Self {
        let search = gloo::utils::window()
            .location()
            .search()
            .unwrap_or_default();
        let param = |key: &str| {
            search
                .trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        };
        let mut problems = Vec::new();
        let seed = match param("seed") {
            None => DEMO_SEED,
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|&n| n <= 9_007_199_254_740_991)
                .unwrap_or_else(|| {
                    problems.push(format!(
                        "seed={} is not a whole number from 0 to 2^53 - 1; using {DEMO_SEED}.",
                        quoted(&s)
                    ));
                    DEMO_SEED
                }),
        };
        let scenario = match param("scenario") {
            None => demo_scenario(seed),
            Some(name) => super::demo::builtin(&name, seed).unwrap_or_else(|| {
                problems.push(format!(
                    "There is no built-in scenario {} (there are {}); showing first-look.",
                    quoted(&name),
                    super::demo::BUILTIN.join(", ")
                ));
                demo_scenario(seed)
            }),
        };
        let mut playground = Self::from_scenario(scenario);
        if !problems.is_empty() {
            playground.notice_id += 1;
            playground.notice = Some(Notice {
                id: playground.notice_id,
                source: "header",
                result: Err(problems.join(" ")),
            });
        }
        playground
    }

    pub fn from_scenario(scenario: Scenario) -> Self {
        // Display, not `expect`'s Debug: the page carries no Debug printing of strings otherwise.
        let sim = scenario
            .start()
            .unwrap_or_else(|e| panic!("the built-in scenario is invalid: {e}"));
        let mut history = History::default();
        history.ingest(&sim);
        let snapshot = Rc::new(sim.snapshot());
        let history = Rc::new(history);
        let panel = PanelView {
            snapshot: snapshot.clone(),
            history: history.clone(),
        };
        Playground {
            sim: Rc::new(RefCell::new(sim)),
            view_snapshot: snapshot.clone(),
            snapshot,
            history,
            since_view_ms: 0.0,
            panels: std::array::from_fn(|_| panel.clone()),
            scenario: Rc::new(scenario),
            playing: true,
            speed: 1.0,
            carry: 0.0,
            notice: None,
            behind: false,
            show_shortcuts: false,
            notice_id: 0,
        }
    }

    /// A new state value after the engine changed: fresh snapshots, history caught up, every
    /// region showing them.
    fn refreshed(&self) -> Self {
        let mut next = self.fresh_view();
        let latest = next.latest();
        next.panels = std::array::from_fn(|_| latest.clone());
        next
    }

    /// Fresh snapshots and history; the regions keep what they show.
    fn fresh_view(&self) -> Self {
        let sim = self.sim.borrow();
        let mut history = (*self.history).clone();
        history.ingest(&sim);
        let snapshot = Rc::new(sim.snapshot());
        Playground {
            view_snapshot: snapshot.clone(),
            snapshot,
            history: Rc::new(history),
            since_view_ms: 0.0,
            ..self.clone()
        }
    }

    pub fn latest(&self) -> PanelView {
        PanelView {
            snapshot: self.view_snapshot.clone(),
            history: self.history.clone(),
        }
    }

    /// After a frame: a fresh fast snapshot; when the panels' view is due, a fresh one too,
    /// shown by the first region still behind it (one region per frame).
    fn after_frame(&self, dt_ms: f64) -> Self {
        let mut next = if self.since_view_ms + dt_ms >= VIEW_REFRESH_MS {
            self.fresh_view()
        } else {
            Playground {
                snapshot: Rc::new(self.sim.borrow().snapshot()),
                since_view_ms: self.since_view_ms + dt_ms,
                ..self.clone()
            }
        };
        if let Some(slot) = next
            .panels
            .iter()
            .position(|p| !Rc::ptr_eq(&p.snapshot, &next.view_snapshot))
        {
            next.panels[slot] = next.latest();
        }
        next
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
                if whole < 1.0 {
                    return Rc::new(Playground {
                        carry: wanted,
                        ..(*self).clone()
                    });
                }
                let (reached, target) = {
                    let mut sim = self.sim.borrow_mut();
                    let target = sim.now() + whole as u64;
                    let start = wall_ms();
                    let mut spent = 0;
                    let reached = loop {
                        if sim.advance_to_bounded(target, FRAME_EVENT_CHUNK) {
                            break true;
                        }
                        spent += FRAME_EVENT_CHUNK;
                        if spent >= FRAME_EVENT_BUDGET || wall_ms() - start > FRAME_SIM_BUDGET_MS {
                            break false;
                        }
                    };
                    (reached, target)
                };
                let mut next = self.after_frame(dt_ms);
                next.carry = if reached { wanted - whole } else { 0.0 };
                next.behind = !reached && target > next.snapshot.time;
                Rc::new(next)
            }
            Msg::Apply { action, source } => {
                let result = self.sim.borrow_mut().apply(action);
                let mut next = self.refreshed();
                next.notice_id += 1;
                next.notice = Some(Notice {
                    id: next.notice_id,
                    source,
                    result: result.map(|a| a.summary).map_err(|e| e.to_string()),
                });
                Rc::new(next)
            }
            Msg::TogglePlay => Rc::new(Playground {
                playing: !self.playing,
                carry: 0.0,
                ..(*self).clone()
            }),
            Msg::Step => {
                self.sim.borrow_mut().step();
                let mut next = self.refreshed();
                next.playing = false;
                Rc::new(next)
            }
            Msg::SetSpeed(speed) => Rc::new(Playground {
                speed: speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
                ..(*self).clone()
            }),
            Msg::Faster | Msg::Slower => {
                let i = SPEEDS.iter().position(|&s| s >= self.speed).unwrap_or(2);
                let j = if matches!(msg, Msg::Faster) {
                    (i + 1).min(SPEEDS.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                Rc::new(Playground {
                    speed: SPEEDS[j],
                    ..(*self).clone()
                })
            }
            Msg::Reset { seed } => {
                let mut scenario = (*self.scenario).clone();
                scenario.seed = seed;
                let mut next = Playground::from_scenario(scenario);
                next.speed = self.speed;
                // A restart keeps the clock as it was: paused stays paused.
                next.playing = self.playing;
                next.notice_id = self.notice_id + 1;
                next.notice = Some(Notice {
                    id: next.notice_id,
                    source: "header",
                    result: Ok(format!("Started over with seed {seed}.")),
                });
                Rc::new(next)
            }
            Msg::ToggleShortcuts => Rc::new(Playground {
                show_shortcuts: !self.show_shortcuts,
                ..(*self).clone()
            }),
            Msg::ToggleShortcutsOff if !self.show_shortcuts => self,
            Msg::ToggleShortcutsOff => Rc::new(Playground {
                show_shortcuts: false,
                ..(*self).clone()
            }),
            Msg::DismissNotice => Rc::new(Playground {
                notice: None,
                ..(*self).clone()
            }),
            Msg::DismissNoticeFrom(source) => {
                if self.notice.as_ref().is_some_and(|n| n.source == source) {
                    Rc::new(Playground {
                        notice: None,
                        ..(*self).clone()
                    })
                } else {
                    self
                }
            }
        }
    }
}
