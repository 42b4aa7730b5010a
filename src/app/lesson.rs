//! A lesson in the playground: which lesson, which step, and where on the timeline each step
//! was entered, so that Back returns there. Entering a step applies its actions through the
//! timeline like any other (they are in the action log and share links); after Back, Continue
//! forks the session from there, as acting while scrubbed back always does.

use std::rc::Rc;

use brokerlab_engine::{
    apply_lesson_solution, enter_lesson_step, open_lesson_at, EmbedRegion, Lesson, Snapshot,
};

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
    /// Where the step's task is, on this visit of the step (Continue, Back and opening start
    /// a visit afresh).
    pub task: TaskProgress,
}

/// A step's task on one visit of the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskProgress {
    /// Not done yet: Continue does it for the learner (as "Show me" does), so that the next
    /// step finds the simulation its text describes.
    Open,
    /// "Show me" applied the solution; the check has not held yet.
    Shown,
    /// The check held once. It stays done: a lag that met "below 2000" saws above it again
    /// between commits.
    Done,
}

impl LessonState {
    /// This state with the task latched done if its check holds in `snapshot`.
    pub fn latched(self: &Rc<Self>, snapshot: &Snapshot) -> Rc<Self> {
        match &self.lesson.steps[self.step].task {
            Some(t) if self.task != TaskProgress::Done && t.check.eval(snapshot).holds => {
                Rc::new(LessonState {
                    task: TaskProgress::Done,
                    ..(**self).clone()
                })
            }
            _ => self.clone(),
        }
    }
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

impl Playground {
    /// A new playground at step `step` of lesson `name` (from the address or the menu).
    pub fn with_lesson(name: &str, step: usize) -> Result<Playground, String> {
        let lesson = super::scenarios::lesson(name)?;
        let step = step.min(lesson.steps.len() - 1);
        // Earlier steps entered and their tasks done by their solutions, as a learner who did
        // them would have it.
        let (timeline, entered) = open_lesson_at(&lesson, step)?;
        let mut p = Playground::from_timeline(timeline, format!("the lesson {name}"));
        p.show_intro = false;
        p.lesson = Some(Rc::new(LessonState {
            lesson: Rc::new(lesson),
            step,
            entered,
            finished: false,
            task: TaskProgress::Open,
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
                // A task left undone is done now, so that the next step starts where its text
                // says ("seven consumers" after the task that adds them).
                let undone = match &l.lesson.steps[l.step].task {
                    Some(t) if l.task == TaskProgress::Open => Some(t),
                    _ => None,
                };
                let entered = {
                    let mut t = self.timeline.borrow_mut();
                    undone
                        .map_or(Ok(()), |job| apply_lesson_solution(job, &mut t))
                        .and_then(|_| enter_lesson_step(&l.lesson.steps[step], &mut t))
                        .map(|_| t.now())
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
                            task: TaskProgress::Open,
                            ..(*l).clone()
                        }));
                        next.playing = true;
                        if undone.is_some() {
                            next.say(Ok(format!(
                                "Step {}'s task was not done yet, so it was done for you, as \
                                 Show me does it.",
                                l.step + 1
                            )));
                        }
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
                    task: TaskProgress::Open,
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
                if result.is_ok() {
                    let done = next.lesson.as_ref().map(|n| n.task) == Some(TaskProgress::Done);
                    next.lesson = Some(Rc::new(LessonState {
                        task: if done {
                            TaskProgress::Done
                        } else {
                            TaskProgress::Shown
                        },
                        ..(*l).clone()
                    }));
                }
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
        "queues" | "queue" | "exchange" | "rabbit_consumer" | "share_group" | "streams"
        | "streams_app" | "view" => Some(EmbedRegion::Queues),
        _ => None,
    }
}
