//! A host page's requests (the postMessage API, `brokerlab_engine::HostRequest`), carried out on
//! the playground as the page's own controls would: play and pause, step, seek, speed, theme, a
//! scenario to open, an action to apply. Each is answered once, with the state it left, or with
//! why it could not be done (and then nothing changed). A seek replayed over frames is answered
//! when it arrives, or when something stops it, with where it got to.

use std::rc::Rc;

use brokerlab_engine::{HostRequest, Timeline};
use yew::Callback;

use super::demo::DEMO_SEED;
use super::state::{scenario_named, Msg, Playground, SPEEDS};

/// What a request left: the playground after it, and the outcome's summary if it applied an
/// action; or why it was refused.
pub type Answer = Result<(Playground, Option<String>), String>;

/// Where an answer goes (the bridge turns it into a reply to the request's id).
#[derive(Clone, PartialEq)]
pub struct Reply(pub Callback<Answer>);

impl Playground {
    pub(super) fn answer(self: Rc<Self>, request: HostRequest, reply: Reply) -> Rc<Self> {
        let refuse = |why: String, this: Rc<Self>| {
            reply.0.emit(Err(why));
            this
        };
        let next = match request {
            HostRequest::Play | HostRequest::Pause => {
                let playing = matches!(request, HostRequest::Play);
                if self.playing == playing {
                    self
                } else {
                    self.reduce_now(Msg::TogglePlay)
                }
            }
            HostRequest::Step => self.reduce_now(Msg::Step),
            HostRequest::Seek { ms } => {
                // Answered when the replay arrives (see `Playground::settle`).
                let mut next = (*self.seek_within(ms, true)).clone();
                next.host_waiting = Some(reply);
                return Rc::new(next).settle();
            }
            HostRequest::SetSpeed { speed } => {
                if !SPEEDS.contains(&speed) {
                    let offered: Vec<String> = SPEEDS.iter().map(|s| s.to_string()).collect();
                    return refuse(
                        format!(
                            "payload.speed is {speed}; the figure offers {}",
                            offered.join(", ")
                        ),
                        self,
                    );
                }
                self.reduce_now(Msg::SetSpeed(speed))
            }
            HostRequest::SetTheme { theme } => {
                let mut embed = (*self.embed).clone();
                embed.theme = theme;
                Rc::new(Playground {
                    embed: Rc::new(embed),
                    ..(*self).clone()
                })
            }
            HostRequest::LoadNamed { name } => match scenario_named(&name, DEMO_SEED) {
                Ok(scenario) => match Timeline::new(scenario) {
                    Ok(t) => self.open(t, name),
                    Err(e) => return refuse(e.to_string(), self),
                },
                Err(e) => return refuse(e.replace("; showing first-look.", "."), self),
            },
            HostRequest::LoadScenario { scenario } => {
                let origin = scenario
                    .name
                    .clone()
                    .unwrap_or_else(|| "a scenario from the host page".into());
                match Timeline::new(*scenario) {
                    Ok(t) => self.open(t, origin),
                    Err(e) => return refuse(format!("payload.scenario: {e}"), self),
                }
            }
            HostRequest::Apply { action } => {
                let next = self.reduce_now(Msg::Apply {
                    action: *action,
                    source: "header",
                });
                let outcome = next.notice.as_ref().map(|n| n.result.clone());
                return match outcome {
                    Some(Ok(summary)) => {
                        reply.0.emit(Ok(((*next).clone(), Some(summary))));
                        next
                    }
                    // Refused: nothing changed in the run (the timeline took nothing); the
                    // figure shows the message too.
                    Some(Err(e)) => {
                        reply.0.emit(Err(e));
                        next
                    }
                    None => next,
                };
            }
            HostRequest::GotoLessonStep { lesson, step } => {
                let count = super::scenarios::lesson(&lesson).map(|l| l.steps.len());
                match count {
                    Ok(n) if step as usize > n => {
                        return refuse(
                            format!("payload.step is {step}; the lesson {lesson} has {n} steps"),
                            self,
                        )
                    }
                    _ => match self.try_open_lesson(&lesson, step as usize - 1) {
                        Ok(next) => next,
                        Err(e) => return refuse(e, self),
                    },
                }
            }
            HostRequest::GetState | HostRequest::Ping => self,
        };
        reply.0.emit(Ok(((*next).clone(), None)));
        next
    }

    fn open(self: Rc<Self>, timeline: Timeline, origin: String) -> Rc<Self> {
        let playing = self.playing;
        self.reduce_now(Msg::Open {
            timeline: Box::new(timeline),
            origin,
            playing,
        })
    }

    /// Answers a host's seek once no replay is under way.
    pub(super) fn settle(self: Rc<Self>) -> Rc<Self> {
        if self.seeking.is_some() || self.host_waiting.is_none() {
            return self;
        }
        let mut next = (*self).clone();
        if let Some(Reply(reply)) = next.host_waiting.take() {
            reply.emit(Ok((next.clone(), None)));
        }
        Rc::new(next)
    }
}
