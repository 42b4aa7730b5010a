//! A lesson in the playground: which lesson, which step, and where on the timeline each step
//! was entered, so that Back returns there. Entering a step applies its actions through the
//! timeline like any other (they are in the action log and share links); after Back, Continue
//! forks the session from there, as acting while scrubbed back always does.

use std::rc::Rc;

use brokerlab_engine::{enter_lesson_step, EmbedRegion, Lesson, Timeline};

use super::state::{Notice, Playground};

#[derive(Clone, Debug, PartialEq)]
pub struct LessonState {
    pub lesson: Rc<Lesson>,
    /// The step on screen, from 0.
    pub step: usize,
    /// The virtual time each step up to `step` was entered at (after its actions and advance).
    pub entered: Vec<u64>,
    /// The learner finished the last step.
    pub finished: bool,
    /// Counts the steps entered (Continue, Back, opening): a task done on one visit of a step is
    /// not done on the next.
    pub visit: u32,
}

/// What a learner does in a lesson.
pub enum LessonMsg {
    /// Open lesson `name` at step `step` (from 0), entering every step before it.
    Open {
        name: String,
        step: usize,
    },
    Next,
    Back,
    /// Apply the task's solution ("Show me").
    ShowMe,
    Close,
}

/// Enters steps `0..=step` of `lesson` on a fresh timeline: the timeline and the entry times, or
/// the step whose actions fail with the message.
fn walk_to(lesson: &Lesson, step: usize) -> Result<(Timeline, Vec<u64>), String> {
    let mut t = Timeline::new(lesson.scenario.clone())?;
    let mut entered = Vec::new();
    for (i, s) in lesson.steps.iter().enumerate().take(step + 1) {
        enter_lesson_step(s, &mut t).map_err(|e| format!("Step {} of the lesson: {e}", i + 1))?;
        entered.push(t.now());
    }
    Ok((t, entered))
}

impl Playground {
    /// A new playground at step `step` of lesson `name` (from the address or the menu).
    pub fn with_lesson(name: &str, step: usize) -> Result<Playground, String> {
        let lesson = super::scenarios::lesson(name)?;
        let step = step.min(lesson.steps.len() - 1);
        let (timeline, entered) = walk_to(&lesson, step)?;
        let mut p = Playground::from_timeline(timeline, format!("the lesson {name}"));
        p.show_intro = false;
        p.lesson = Some(Rc::new(LessonState {
            lesson: Rc::new(lesson),
            step,
            entered,
            finished: false,
            visit: 0,
        }));
        Ok(p)
    }

    pub(super) fn lesson_msg(self: Rc<Self>, msg: LessonMsg) -> Rc<Self> {
        let Some(l) = self.lesson.clone() else {
            return match msg {
                LessonMsg::Open { name, step } => self.open_lesson(&name, step),
                _ => self,
            };
        };
        match msg {
            LessonMsg::Open { name, step } => self.open_lesson(&name, step),
            LessonMsg::Close => Rc::new(Playground {
                lesson: None,
                ..(*self).clone()
            }),
            LessonMsg::Next if l.step + 1 >= l.lesson.steps.len() => {
                let mut next = (*self).clone();
                next.lesson = Some(Rc::new(LessonState {
                    finished: true,
                    ..(*l).clone()
                }));
                Rc::new(next)
            }
            LessonMsg::Next if self.seeking.is_some() => self.finish_seek().lesson_msg(msg),
            LessonMsg::ShowMe if self.seeking.is_some() => self.finish_seek().lesson_msg(msg),
            LessonMsg::Next => {
                let step = l.step + 1;
                let entered = {
                    let mut t = self.timeline.borrow_mut();
                    enter_lesson_step(&l.lesson.steps[step], &mut t).map(|_| t.now())
                };
                let mut next = self.refreshed();
                next.fork = None;
                match entered {
                    Ok(at) => {
                        let mut times = l.entered[..=l.step].to_vec();
                        times.push(at);
                        next.lesson = Some(Rc::new(LessonState {
                            step,
                            entered: times,
                            finished: false,
                            visit: l.visit + 1,
                            ..(*l).clone()
                        }));
                        next.playing = true;
                    }
                    Err(e) => next.say(Err(format!("Step {} of the lesson: {e}", step + 1))),
                }
                Rc::new(next)
            }
            LessonMsg::Back if l.step == 0 => self,
            LessonMsg::Back => {
                let step = l.step - 1;
                let at = l.entered[step];
                let mut next = (*self.seek_to(at)).clone();
                next.lesson = Some(Rc::new(LessonState {
                    step,
                    finished: false,
                    visit: l.visit + 1,
                    ..(*l).clone()
                }));
                Rc::new(next)
            }
            LessonMsg::ShowMe => {
                let Some(task) = &l.lesson.steps[l.step].task else {
                    return self;
                };
                let result = {
                    let mut t = self.timeline.borrow_mut();
                    task.solution
                        .iter()
                        .try_for_each(|a| t.apply(a.clone()).map(|_| ()))
                };
                let mut next = self.refreshed();
                next.playing = true;
                next.say(
                    result
                        .map(|_| "Done as the solution does it: watch the check below.".to_string())
                        .map_err(|e| e.to_string()),
                );
                Rc::new(next)
            }
        }
    }

    fn open_lesson(self: Rc<Self>, name: &str, step: usize) -> Rc<Self> {
        match self.try_open_lesson(name, step) {
            Ok(next) => next,
            Err(e) => {
                let mut next = (*self).clone();
                next.say(Err(e));
                Rc::new(next)
            }
        }
    }

    /// Lesson `name` at `step` (from 0) in place of the session, keeping the speed and the
    /// figure's options; or why it cannot open (and nothing changed).
    pub(super) fn try_open_lesson(&self, name: &str, step: usize) -> Result<Rc<Self>, String> {
        let mut next = Playground::with_lesson(name, step)?;
        if let (Some(l), Some(before)) = (next.lesson.as_mut(), &self.lesson) {
            Rc::make_mut(l).visit = before.visit + 1;
        }
        next.speed = self.speed;
        next.embed = self.embed.clone();
        next.present = self.present;
        next.notice_id = self.notice_id;
        next.playing = self.playing || !self.embed.embed;
        Ok(Rc::new(next))
    }

    /// Shows a message in the lesson panel.
    fn say(&mut self, result: Result<String, String>) {
        self.notice_id += 1;
        self.notice = Some(Notice {
            id: self.notice_id,
            source: "lesson",
            result,
        });
    }
}

/// The column a step's point is in (presenter mode shows only that one); `None` for the timeline,
/// which is in the header.
pub fn region_of(point: &str) -> Option<EmbedRegion> {
    match point.split(':').next().unwrap_or_default() {
        "producers" | "producer" => Some(EmbedRegion::Producers),
        "topics" | "topic" | "partition" | "broker" | "processor" => Some(EmbedRegion::Topics),
        "groups" | "group" | "consumer" => Some(EmbedRegion::Groups),
        "log" => Some(EmbedRegion::Log),
        _ => None,
    }
}
