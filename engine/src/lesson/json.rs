//! Reading a lesson file, with the scenario format's reader (`scenario::json`): every message
//! names the field by its path (`steps[2].task.check: a group has no metric "lagg"; ...`).

use serde_json::Value;

use super::{sentences, Check, Lesson, Point, Step, Task, MAX_SENTENCES, MAX_STEPS, MAX_STEP_MS};
use crate::ground::quote::quoted;
use crate::scenario::json::{invalid, value, At, FromJson, Obj};
use crate::scenario::Scenario;

/// Largest lesson file read.
pub const MAX_LESSON_BYTES: usize = 256 * 1024;
/// Longest title.
const MAX_TITLE: usize = 80;

impl Lesson {
    /// Reads lesson `name` from its file's text; `scenario_file` gives the text of a scenario of
    /// `scenarios/` by name, for a lesson that starts from one.
    pub fn parse(
        name: &str,
        text: &str,
        scenario_file: impl Fn(&str) -> Option<String>,
    ) -> Result<Lesson, String> {
        if text.len() > MAX_LESSON_BYTES {
            return Err(format!(
                "the lesson file is {} bytes; a lesson may take at most {MAX_LESSON_BYTES}",
                text.len()
            ));
        }
        let v = value(text.as_bytes())?;
        let at = At::ROOT;
        let o = Obj::new(&v, &at, "a lesson (an object)")?;
        let order: u32 = o.or_default("order")?;
        let title: String = o.req("title")?;
        let summary: String = o.or_default("summary")?;
        let scenario = o
            .with("scenario", |v, at| match v {
                Value::String(s) => {
                    let text = scenario_file(s).ok_or_else(|| {
                        at.error(format_args!(
                            "there is no scenario {} in scenarios/",
                            quoted(s)
                        ))
                    })?;
                    Scenario::parse(&text)
                        .map_err(|e| at.error(format_args!("scenarios/{s}.json: {e}")))
                }
                v => Scenario::from_json(v, at),
            })?
            .ok_or_else(|| at.error("missing field `scenario`"))?;
        let steps: Vec<Step> = o.req("steps")?;
        let lesson = o.done(Lesson {
            name: name.to_string(),
            order,
            title,
            summary,
            scenario,
            steps,
        })?;
        if lesson.title.chars().count() > MAX_TITLE {
            return Err(at
                .key("title")
                .error(format_args!("longer than {MAX_TITLE} characters")));
        }
        match lesson.steps.len() {
            0 => Err(at.key("steps").error("a lesson needs at least one step")),
            n if n > MAX_STEPS => Err(at.key("steps").error(format_args!(
                "{n} steps; a lesson may have at most {MAX_STEPS}"
            ))),
            _ => Ok(lesson),
        }
    }
}

impl FromJson for Step {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a step (an object)")?;
        let step = Step {
            title: o.req("title")?,
            text: o.req("text")?,
            actions: o.or_default("actions")?,
            advance_ms: o.or_default("advance_ms")?,
            point: o.get("point")?,
            expect: o.get("expect")?,
            task: o.get("task")?,
        };
        let step = o.done(step)?;
        let n = sentences(&step.text);
        if n > MAX_SENTENCES {
            return Err(at.key("text").error(format_args!(
                "{n} sentences; a step says at most {MAX_SENTENCES}"
            )));
        }
        if step.title.chars().count() > MAX_TITLE {
            return Err(at
                .key("title")
                .error(format_args!("longer than {MAX_TITLE} characters")));
        }
        if step.advance_ms > MAX_STEP_MS {
            return Err(at
                .key("advance_ms")
                .error(format_args!("more than {MAX_STEP_MS}")));
        }
        Ok(step)
    }
}

impl FromJson for Task {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a task (an object)")?;
        let task = Task {
            goal: o.req("goal")?,
            check: o.req("check")?,
            solution: o.req("solution")?,
            within_ms: o.or("within_ms", 30_000)?,
        };
        let task = o.done(task)?;
        if task.within_ms > MAX_STEP_MS {
            return Err(at
                .key("within_ms")
                .error(format_args!("more than {MAX_STEP_MS}")));
        }
        Ok(task)
    }
}

impl FromJson for Check {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let Value::String(s) = v else {
            return Err(invalid(
                v,
                at,
                "a check (a string such as \"group billing lag == 0\")",
            ));
        };
        Check::parse(s).map_err(|e| at.error(e))
    }
}

impl FromJson for Point {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let Value::String(s) = v else {
            return Err(invalid(
                v,
                at,
                "a part of the page (a string such as \"group:billing\")",
            ));
        };
        Point::parse(s).map_err(|e| at.error(e))
    }
}
