//! The playground's state: one session timeline (the engine with its action log and
//! checkpoints), the latest snapshot, the time controls and the history read from the engine's
//! events.
//!
//! The timeline lives behind an `Rc<RefCell<_>>` and is never cloned: `reduce` applies the
//! message to it and returns a new state value holding a fresh snapshot `Rc`, which is what makes
//! Yew re-render. Effects (the frame loop, the keyboard) live in hooks and only dispatch
//! messages. Every action goes through the timeline, so the action log is the whole session:
//! share links, exports, step back and scrub all derive from it.

use std::cell::RefCell;
use std::rc::Rc;

use brokerlab_engine::{
    quoted, Action, EmbedOptions, HostRequest, Scenario, Session, Snapshot, Timeline,
};
use yew::prelude::*;

use super::demo::{demo_scenario, DEMO_SEED};
use super::lesson::LessonMsg;
use super::log::History;
use super::seeking::Seeking;

/// Most queue entries one animation frame may process, so a frame never stalls the page.
pub const FRAME_EVENT_BUDGET: u64 = 200_000;

/// Wall-clock time a frame may spend simulating, checked every [`FRAME_EVENT_CHUNK`] entries: at
/// high speeds the simulation falls behind ("at capacity") instead of the page dropping to a few
/// frames per second and answering clicks late.
const FRAME_SIM_BUDGET_MS: f64 = 8.0;
const FRAME_EVENT_CHUNK: u64 = 4_000;

/// Milliseconds from the page's clock (`performance.now()`); 0 where there is none.
pub(super) fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Real milliseconds between two refreshes of the panels.
pub const VIEW_REFRESH_MS: f64 = 250.0;

/// Page regions whose panels refresh on successive frames (producers, topics, groups, protocol
/// log): re-rendering all of them in one frame took longer than a frame at 60 Hz.
pub const PANEL_SLOTS: usize = 4;

/// The notice source of the broker cards' buttons, whose outcomes are all kept ...
pub const BROKERS: &str = "brokers";
/// ... up to this many.
pub const BROKER_NOTICES: usize = 6;

/// Speeds offered, in virtual milliseconds per real millisecond.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

pub type PlaygroundContext = UseReducerHandle<Playground>;

#[derive(Clone)]
pub struct Playground {
    pub timeline: Rc<RefCell<Timeline>>,
    /// Where the session came from, for "About this run" and file names: a scenario's file
    /// name, "a shared link" or an imported file's name.
    pub origin: Rc<str>,
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
    /// The three-sentence intro above the columns: on a first visit, or asked for again.
    pub show_intro: bool,
    /// Counts notices so that the same message twice still shows as new.
    pub notice_id: u32,
    /// The outcomes of the latest kills, restarts and delays of brokers, oldest first: each
    /// stays readable when the next broker is killed (one notice would keep only the last).
    pub broker_notices: Rc<Vec<Notice>>,
    /// The last action forked the session (it was taken scrubbed back): when, how many logged
    /// actions it dropped and how far the old run had reached. Shown with an Undo until the
    /// next action.
    pub fork: Option<(u64, usize, u64)>,
    /// A long seek carried on over frames (see `seeking`).
    pub seeking: Option<Seeking>,
    /// Presenter mode (`?present=1` or the header's Present): large type, only what the lesson's
    /// step points at, the step in a caption bar, the keys presenter remotes send.
    pub present: bool,
    /// The lesson under way, if any (see `lesson`).
    pub lesson: Option<Rc<super::lesson::LessonState>>,
    /// A host page's seek, answered when the replay arrives (see `host`).
    pub host_waiting: Option<super::host::Reply>,
    /// The page as a figure (`?embed=1`) and what it shows: read once from the address, kept
    /// when another session opens.
    pub embed: Rc<EmbedOptions>,
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
            && self.show_intro == other.show_intro
            && self.fork == other.fork
            && self.seeking == other.seeking
            && self.lesson == other.lesson
            && self.present == other.present
            && Rc::ptr_eq(&self.timeline, &other.timeline)
    }
}

/// A message lives for one dispatch: an action held inline costs a copy of its bytes, a boxed
/// one an allocation, and neither is measurable at one per frame.
#[allow(clippy::large_enum_variant)]
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
    /// Apply actions in order, stopping at the first refused one (a form that starts an
    /// application and its view): one notice says what all of them did, or what was refused.
    ApplyAll {
        actions: Vec<Action>,
        source: &'static str,
    },
    TogglePlay,
    /// On to the end of the next instant in which something happens.
    Step,
    /// Back to the end of the latest earlier instant in which something happened.
    StepBack,
    /// To a time of the session (the timeline slider, an action in the log, a marker).
    Seek(u64),
    /// To the previous (false) or next (true) marker.
    Marker(bool),
    /// Bring back what the last fork dropped.
    UndoFork,
    /// Stop a long seek where its replay got to.
    StopSeek,
    /// Replace the session (a scenario from the menu, a link, an imported file); `origin` says
    /// where it came from.
    Open {
        timeline: Box<Timeline>,
        origin: String,
        playing: bool,
    },
    /// Show a message in the header (a refused link or file).
    Say(Result<String, String>),
    SetSpeed(f64),
    Faster,
    Slower,
    /// Start the scenario over with this seed.
    Reset {
        seed: u64,
    },
    ToggleShortcuts,
    /// Show (true) or dismiss (false) the intro.
    Intro(bool),
    /// Close the shortcut list if it is open.
    ToggleShortcutsOff,
    DismissNotice,
    /// The user edits the form named: its last outcome is out of date.
    DismissNoticeFrom(&'static str),
    /// Presenter mode on (true) or off.
    Present(bool),
    /// A learner's move in a lesson.
    Lesson(super::lesson::LessonMsg),
    /// A host page's request (a figure in a frame), answered through the reply.
    Host(HostRequest, super::host::Reply),
}

impl Playground {
    pub fn demo() -> Self {
        Self::from_scenario(demo_scenario(DEMO_SEED), "first-look".into())
    }

    /// The session an address asks for (the page's, or a custom element's attributes): a share link's state (`#s=`), a scenario
    /// (`?scenario=NAME`: a file of `scenarios/` or a built-in), else the demo; `seed=`,
    /// `speed=` and `paused=1` as given. Anyone can write a link: what the address says is quoted
    /// back escaped and cut, and a link that cannot open leaves the demo running with the reason.
    pub fn from_address(search: &str, hash: &str) -> Self {
        let param = |key: &str| {
            search
                .trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        };
        let (embed, mut problems) = EmbedOptions::parse(search);
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
        let mut opened = None;
        if hash.len() > 1 {
            match Session::from_link(hash).and_then(Session::open) {
                Ok(t) => opened = Some((t, "a shared link".to_string())),
                Err(e) => problems.push(format!("This link cannot be opened: {e}")),
            }
        }
        let from_link = opened.is_some();
        let lesson = param("lesson").map(|name| {
            let step = param("step")
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|&s| s >= 1)
                .unwrap_or(1);
            Playground::with_lesson(&name, step - 1)
        });
        let mut playground = match (opened, lesson) {
            (Some((t, origin)), _) => Self::from_timeline(t, origin),
            (None, Some(Ok(p))) => p,
            (None, lesson) => {
                if let Some(Err(e)) = lesson {
                    problems.push(e);
                }
                let (scenario, origin) = match param("scenario") {
                    None => (demo_scenario(seed), "first-look".to_string()),
                    Some(name) => match scenario_named(&name, seed) {
                        Ok(s) => (s, name),
                        Err(e) => {
                            problems.push(e);
                            (demo_scenario(seed), "first-look".to_string())
                        }
                    },
                };
                Self::from_scenario(scenario, origin)
            }
        };
        if let Some(speed) = param("speed").and_then(|s| super::decimal::parse(&s)) {
            if SPEEDS.contains(&speed) {
                playground.speed = speed;
            } else {
                problems.push(format!(
                    "speed={} is not one of the speeds offered; using 1x.",
                    quoted(&param("speed").unwrap_or_default())
                ));
            }
        }
        // A link shows a moment: it opens paused there, whoever made it.
        if param("paused").as_deref() == Some("1") || from_link {
            playground.playing = false;
        }
        if let Some(play) = embed.autoplay {
            playground.playing = play;
        }
        if param("present").as_deref() == Some("1") {
            playground.present = true;
            playground.show_intro = false;
        }
        // A figure is met inside someone else's page: no intro.
        if embed.embed {
            playground.show_intro = false;
        }
        playground.embed = Rc::new(embed);
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

    pub fn from_scenario(scenario: Scenario, origin: String) -> Self {
        // Display, not `expect`'s Debug: the page carries no Debug printing of strings otherwise.
        let timeline = Timeline::new(scenario)
            .unwrap_or_else(|e| panic!("the built-in scenario is invalid: {e}"));
        Self::from_timeline(timeline, origin)
    }

    pub fn from_timeline(timeline: Timeline, origin: String) -> Self {
        let sim = timeline.sim();
        let mut history = History::default();
        history.ingest(sim);
        let snapshot = Rc::new(sim.snapshot());
        let history = Rc::new(history);
        let panel = PanelView {
            snapshot: snapshot.clone(),
            history: history.clone(),
        };
        Playground {
            scenario: Rc::new(timeline.scenario().clone()),
            timeline: Rc::new(RefCell::new(timeline)),
            origin: origin.into(),
            view_snapshot: snapshot.clone(),
            snapshot,
            history,
            since_view_ms: 0.0,
            panels: std::array::from_fn(|_| panel.clone()),
            playing: true,
            speed: 1.0,
            carry: 0.0,
            notice: None,
            behind: false,
            show_shortcuts: false,
            show_intro: super::intro::first_visit(),
            notice_id: 0,
            broker_notices: Rc::default(),
            seeking: None,
            host_waiting: None,
            lesson: None,
            present: false,
            embed: Rc::default(),
            fork: None,
        }
    }

    /// A new state value after the engine changed: fresh snapshots, history caught up, every
    /// region showing them.
    pub(super) fn refreshed(&self) -> Self {
        let mut next = self.fresh_view();
        let latest = next.latest();
        next.panels = std::array::from_fn(|_| latest.clone());
        next
    }

    /// Fresh snapshots and history; the regions keep what they show.
    fn fresh_view(&self) -> Self {
        let timeline = self.timeline.borrow();
        let sim = timeline.sim();
        let mut history = (*self.history).clone();
        // After a move back (a seek, a step back, an undone fork) the lines from later events
        // go; the engine numbers events the same on every replay, so the rest stand.
        history.rewind(sim.next_event_seq(), sim.now());
        history.ingest(sim);
        let snapshot = Rc::new(sim.snapshot());
        history.narrate_lag(&snapshot);
        Playground {
            lesson: self.lesson.as_ref().map(|l| l.latched(&snapshot)),
            view_snapshot: snapshot.clone(),
            snapshot,
            history: Rc::new(history),
            since_view_ms: 0.0,
            ..self.clone()
        }
    }

    /// After moving on the timeline (step, step back, seek): paused, everything refreshed.
    fn moved(&self, change: impl FnOnce(&mut Timeline)) -> Rc<Self> {
        Rc::new(self.moved_state(change))
    }

    fn moved_state(&self, change: impl FnOnce(&mut Timeline)) -> Self {
        change(&mut self.timeline.borrow_mut());
        let mut next = self.refreshed();
        next.playing = false;
        next.carry = 0.0;
        next
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
                snapshot: Rc::new(self.timeline.borrow().sim().snapshot()),
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

impl Playground {
    /// Applies `actions` in order until one is refused; one notice for `source` says what they
    /// did (their summaries) or why the first refused one was.
    fn apply_all(self: Rc<Self>, actions: Vec<Action>, source: &'static str) -> Rc<Self> {
        let (result, fork) = {
            let mut timeline = self.timeline.borrow_mut();
            let mut done: Vec<String> = Vec::new();
            let mut result = Ok(String::new());
            for action in actions {
                match timeline.apply(action) {
                    Ok(a) => done.push(a.summary),
                    Err(e) => {
                        result = Err(e.to_string());
                        break;
                    }
                }
            }
            (result.map(|_| done.join(" ")), timeline.last_fork())
        };
        let mut next = self.refreshed();
        if result.is_ok() {
            next.fork = fork;
        }
        next.notice_id += 1;
        let notice = Notice {
            id: next.notice_id,
            source,
            result,
        };
        if source == BROKERS {
            let mut kept = (*self.broker_notices).clone();
            if kept.len() == BROKER_NOTICES {
                kept.remove(0);
            }
            kept.push(notice.clone());
            next.broker_notices = Rc::new(kept);
        }
        next.notice = Some(notice);
        Rc::new(next)
    }
}

impl Msg {
    /// Whether the message acts on the run, so that a seek under way stops where it got to.
    fn stops_seek(&self) -> bool {
        matches!(
            self,
            Msg::Apply { .. }
                | Msg::ApplyAll { .. }
                | Msg::TogglePlay
                | Msg::Step
                | Msg::StepBack
                | Msg::UndoFork
                | Msg::StopSeek
                | Msg::Open { .. }
                | Msg::Reset { .. }
                | Msg::Lesson(LessonMsg::Back | LessonMsg::Open { .. } | LessonMsg::Close)
        ) || matches!(self, Msg::Host(r, _) if !matches!(r, HostRequest::GetState | HostRequest::Ping))
    }
}

impl Reducible for Playground {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let this = match self.seeking {
            Some(_) if msg.stops_seek() => {
                let mut next = self.refreshed();
                next.seeking = None;
                // A host waiting on the stopped seek hears where it got to.
                Rc::new(next).settle()
            }
            _ => self,
        };
        this.reduce_now(msg).settle()
    }
}

impl Playground {
    pub(super) fn reduce_now(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        match msg {
            Msg::Host(request, reply) => self.answer(request, reply),
            Msg::Lesson(m) => self.lesson_msg(m),
            Msg::Present(present) => Rc::new(Playground {
                present,
                ..(*self).clone()
            }),
            Msg::StopSeek => self,
            Msg::Frame { .. } if self.seeking.is_some() => {
                self.seek_frame(self.seeking.expect("a seek under way"))
            }
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
                    let mut timeline = self.timeline.borrow_mut();
                    let target = timeline.now() + whole as u64;
                    let start = wall_ms();
                    let mut spent = 0;
                    let reached = loop {
                        if timeline.advance_to_bounded(target, FRAME_EVENT_CHUNK) {
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
            Msg::Apply { action, source } => self.apply_all(vec![action], source),
            Msg::ApplyAll { actions, source } => self.apply_all(actions, source),
            Msg::TogglePlay => Rc::new(Playground {
                playing: !self.playing,
                carry: 0.0,
                ..(*self).clone()
            }),
            Msg::Step => self.moved(|t| {
                t.step();
            }),
            Msg::StepBack => self.moved(|t| {
                t.step_back();
            }),
            Msg::Seek(time) => self.seek_to(time),
            Msg::Marker(forward) => {
                let target = {
                    let t = self.timeline.borrow();
                    let now = t.now();
                    if forward {
                        t.markers().iter().find(|m| m.time > now).map(|m| m.time)
                    } else {
                        t.markers()
                            .iter()
                            .rev()
                            .find(|m| m.time < now)
                            .map(|m| m.time)
                    }
                };
                match target {
                    Some(time) => self.seek_to(time),
                    None => self,
                }
            }
            Msg::UndoFork => {
                let mut next = self.moved_state(|t| {
                    t.undo_fork();
                });
                next.fork = None;
                next.notice_id += 1;
                next.notice = Some(Notice {
                    id: next.notice_id,
                    source: "timeline",
                    result: Ok(
                        "The later part of the run is back; the action that forked it is gone."
                            .into(),
                    ),
                });
                Rc::new(next)
            }
            Msg::Open {
                timeline,
                origin,
                playing,
            } => {
                let mut next = Playground::from_timeline(*timeline, origin);
                next.speed = self.speed;
                next.embed = self.embed.clone();
                next.show_intro = self.show_intro;
                next.playing = playing;
                next.notice_id = self.notice_id + 1;
                next.notice = Some(Notice {
                    id: next.notice_id,
                    source: "header",
                    result: Ok(format!("Opened {}.", next.origin)),
                });
                Rc::new(next)
            }
            Msg::Say(result) => {
                let mut next = (*self).clone();
                next.notice_id += 1;
                next.notice = Some(Notice {
                    id: next.notice_id,
                    source: "header",
                    result,
                });
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
                let mut next = Playground::from_scenario(scenario, self.origin.to_string());
                next.speed = self.speed;
                next.embed = self.embed.clone();
                next.show_intro = self.show_intro;
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
            Msg::Intro(show) => {
                if !show {
                    super::intro::remember_seen();
                }
                Rc::new(Playground {
                    show_intro: show,
                    ..(*self).clone()
                })
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

/// A scenario by the name `?scenario=` gives: a file of `scenarios/` or a built-in.
pub fn scenario_named(name: &str, seed: u64) -> Result<Scenario, String> {
    if let Some(s) = super::demo::builtin(name, seed) {
        return Ok(s);
    }
    match super::scenarios::by_file(name) {
        Some(f) => Session::from_file(f.json)
            .map(|s| s.scenario)
            .map_err(|e| format!("The scenario {} cannot be opened: {e}", quoted(name))),
        None => Err(format!(
            "There is no scenario {} (built in: {}; the Scenarios menu lists the files of \
             scenarios/ too); showing first-look.",
            quoted(name),
            super::demo::BUILTIN.join(", ")
        )),
    }
}
