//! Entering a step, and walking a whole lesson headless: what the page does when a learner
//! presses Continue, and what `brokerlab-cli lesson` and the tests do to keep lessons honest.

use super::{Lesson, Step, Task};
use crate::ground::Millis;
use crate::timeline::Timeline;

/// How often a task's check is looked at while it is awaited (virtual milliseconds).
const CHECK_EVERY_MS: Millis = 250;

/// Brings the timeline to `step`: its actions applied now, in order, then `advance_ms` simulated.
/// An action the engine refuses stops there with its message (a lesson that worked when written
/// and no longer does says which action broke).
pub fn enter(step: &Step, t: &mut Timeline) -> Result<(), String> {
    for (i, action) in step.actions.iter().enumerate() {
        t.apply(action.clone())
            .map_err(|e| format!("actions[{i}] ({}): {e}", action.name()))?;
    }
    if step.advance_ms > 0 {
        let to = t.now() + step.advance_ms;
        t.advance_to(to);
    }
    Ok(())
}

/// What walking one step found.
#[derive(Clone, Debug, PartialEq)]
pub struct StepReport {
    pub title: String,
    /// The virtual time the step was entered at.
    pub at: Millis,
    /// The step's `expect`, as written, if it has one (it held).
    pub expect: Option<String>,
    /// The task's check, and the virtual time the solution took to make it hold.
    pub task: Option<(String, Millis)>,
}

/// Walks `lesson` from its scenario: every step entered; its `expect` must hold; every task's
/// check must not hold before its solution and must within `within_ms` after. The error names the
/// step (1-based, with its title) and what did not hold.
pub fn walk(lesson: &Lesson) -> Result<Vec<StepReport>, String> {
    let mut t = Timeline::new(lesson.scenario.clone())
        .map_err(|e| format!("the lesson's scenario: {e}"))?;
    let mut reports = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        let name = format!("step {} ({})", i + 1, step.title);
        let at = t.now();
        enter(step, &mut t).map_err(|e| format!("{name}: {e}"))?;
        if let Some(expect) = &step.expect {
            let out = expect.eval(&t.sim().snapshot());
            if !out.holds {
                return Err(format!(
                    "{name}: expect {:?} does not hold: {}",
                    expect.text,
                    out.unmet.join("; ")
                ));
            }
        }
        let mut task = None;
        if let Some(job) = &step.task {
            if job.check.eval(&t.sim().snapshot()).holds {
                return Err(format!(
                    "{name}: the task's check {:?} holds before the learner does anything",
                    job.check.text
                ));
            }
            let held = solve(job, &mut t).map_err(|e| format!("{name}: {e}"))?;
            match held {
                Ok(took) => task = Some((job.check.text.clone(), took)),
                Err(unmet) => {
                    return Err(format!(
                        "{name}: after the solution, the task's check {:?} did not hold within \
                         {} ms: {unmet}",
                        job.check.text, job.within_ms
                    ))
                }
            }
        }
        reports.push(StepReport {
            title: step.title.clone(),
            at,
            expect: step.expect.as_ref().map(|c| c.text.clone()),
            task,
        });
    }
    Ok(reports)
}

/// Applies `job`'s solution, then simulates until its check holds: `Ok(Ok(took))`, or
/// `Ok(Err(unmet))` when it still did not hold after `within_ms`; `Err` when the engine refused
/// one of the solution's actions.
fn solve(job: &Task, t: &mut Timeline) -> Result<Result<Millis, String>, String> {
    apply_solution(job, t)?;
    let from = t.now();
    Ok(loop {
        let out = job.check.eval(&t.sim().snapshot());
        if out.holds {
            break Ok(t.now() - from);
        }
        if t.now() - from >= job.within_ms {
            break Err(out.unmet.join("; "));
        }
        let next = (t.now() + CHECK_EVERY_MS).min(from + job.within_ms);
        t.advance_to(next);
    })
}

/// A fresh timeline at step `step` (from 0) of `lesson`, as a learner who did every step before
/// it would have it: each earlier step entered and its task done by its solution (a lesson's later
/// text counts on it: "seven consumers now" only after the task that adds them), then step `step`
/// entered. Also the virtual time each step was entered at, which Back returns to. Used when a
/// lesson is opened at a step from the address or the menu.
pub fn open_at(lesson: &Lesson, step: usize) -> Result<(Timeline, Vec<Millis>), String> {
    let mut t = Timeline::new(lesson.scenario.clone())
        .map_err(|e| format!("the lesson's scenario: {e}"))?;
    let mut entered = Vec::new();
    for (i, s) in lesson.steps.iter().enumerate().take(step + 1) {
        let name = format!("Step {} of the lesson", i + 1);
        enter(s, &mut t).map_err(|e| format!("{name}: {e}"))?;
        entered.push(t.now());
        if let (Some(job), true) = (&s.task, i < step) {
            // Whether the check then held is the walk's business (and its tests'); a learner who
            // jumps ahead gets the state the solution leaves either way.
            let _ = solve(job, &mut t).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok((t, entered))
}

/// Does `job` for the learner who went on without doing it: its solution applied now, not
/// awaited (the page keeps running). The error names the action the engine refused.
pub fn apply_solution(job: &Task, t: &mut Timeline) -> Result<(), String> {
    for (k, action) in job.solution.iter().enumerate() {
        t.apply(action.clone())
            .map_err(|e| format!("task.solution[{k}] ({}): {e}", action.name()))?;
    }
    Ok(())
}
