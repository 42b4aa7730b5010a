//! Guided lessons: a scenario to start from, then steps that each bring the simulation to a
//! point and say what it shows, in at most three sentences. The simulation proves the point
//! itself: a step may carry an `expect` check ("the lag grew") and a task for the learner ("make
//! the lag fall back to zero") with a check and the solution's actions. A lesson is data, a JSON
//! file of `lessons/` in the scenario file's action format (`docs/lessons.md`).
//!
//! [`walk`] plays a lesson headless as a learner would: every step entered, its `expect` checked,
//! every task's solution applied and its check awaited. `brokerlab-cli lesson FILE` runs it, and
//! the engine's tests run it over every lesson, so a lesson cannot rot unnoticed.

pub mod check;
#[cfg(feature = "json")]
mod json;
mod walk;

use crate::action::Action;
use crate::ground::Millis;
use crate::scenario::Scenario;

pub use check::{Check, Outcome};
pub use walk::{apply_solution, enter, open_at, walk, StepReport};

/// Most steps a lesson may have.
pub const MAX_STEPS: usize = 40;
/// Most sentences in a step's text: a step is read at a glance, or on a projector.
pub const MAX_SENTENCES: usize = 3;
/// Longest virtual time a step may advance or a task may wait for its check.
pub const MAX_STEP_MS: Millis = 600_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// The file's name without `.json`: what `?lesson=` takes.
    pub name: String,
    /// Where the lesson comes in the menu (the seed's questions in a learner's order: first look
    /// 1, throughput 2, exactly-once 3, analytics 4, lag 5, Kafka or RabbitMQ 6).
    pub order: u32,
    pub title: String,
    /// One line for the lesson menu.
    pub summary: String,
    pub scenario: Scenario,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub title: String,
    /// At most three sentences.
    pub text: String,
    /// Applied when the step is entered, in order, as if from the forms.
    pub actions: Vec<Action>,
    /// Virtual time simulated after the actions when the step is entered (0: none; the page then
    /// plays on from there).
    pub advance_ms: Millis,
    /// The part of the page the step is about, outlined and scrolled into view.
    pub point: Option<Point>,
    /// What the step shows, checked after `advance_ms` when the lesson is walked headless.
    pub expect: Option<Check>,
    pub task: Option<Task>,
}

/// Something for the learner to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// What to do, in a sentence ("Add a consumer to billing so that the lag falls back to 0").
    pub goal: String,
    pub check: Check,
    /// The actions that do it ("Show me" applies them).
    pub solution: Vec<Action>,
    /// Virtual time the check may take to hold after the solution.
    pub within_ms: Millis,
}

/// A part of the page: a column (`producers`, `topics`, `groups`, `log`, `timeline`) or one thing
/// in it (`topic:orders`, `partition:orders-0`, `group:billing`, `producer:clicks`,
/// `consumer:billing-1`, `processor:enricher`, `broker:1`). The page finds it by its
/// `data-point` attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point(pub String);

/// The kinds a [`Point`] may name.
pub const POINT_KINDS: [&str; 20] = [
    "producers",
    "topics",
    "groups",
    "log",
    "timeline",
    "queues",
    "streams",
    "topic",
    "partition",
    "group",
    "producer",
    "consumer",
    "processor",
    "broker",
    "exchange",
    "queue",
    "rabbit_consumer",
    "share_group",
    "streams_app",
    "view",
];

impl Point {
    pub fn parse(text: &str) -> Result<Point, String> {
        let (kind, name) = match text.split_once(':') {
            Some((k, n)) => (k, Some(n)),
            None => (text, None),
        };
        let whole = POINT_KINDS[..7].contains(&kind);
        let one = POINT_KINDS[7..].contains(&kind);
        match name {
            None if whole => Ok(Point(text.to_string())),
            Some(n) if one && !n.is_empty() && n.len() <= 255 => Ok(Point(text.to_string())),
            _ => Err(format!(
                "{} is not a part of the page; it takes producers, topics, groups, log, timeline, \
                 queues, streams, or one of topic:NAME, partition:TOPIC-N, group:NAME, \
                 producer:NAME, consumer:NAME, processor:NAME, broker:ID, exchange:NAME, \
                 queue:NAME, rabbit_consumer:NAME, share_group:NAME, streams_app:NAME, view:NAME",
                crate::ground::quote::quoted(text)
            )),
        }
    }
}

/// How many sentences `text` has: a `.`, `!` or `?` followed by a space or the end ends one
/// (so `0.5` and `acks=all.` count as they read).
pub fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    let ends = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
        })
        .count();
    let unterminated = chars.last().is_some_and(|c| !matches!(c, '.' | '!' | '?'));
    ends + usize::from(unterminated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_counted_as_they_read() {
        assert_eq!(sentences("One. Two! Three?"), 3);
        assert_eq!(sentences("linger.ms is 5 and 0.5 is a half. Then more"), 2);
        assert_eq!(sentences(""), 0);
    }

    #[test]
    fn points_name_a_part_of_the_page() {
        assert!(Point::parse("groups").is_ok());
        assert!(Point::parse("partition:orders-0").is_ok());
        assert!(Point::parse("topic:").is_err());
        assert!(Point::parse("charts")
            .unwrap_err()
            .contains("\"charts\" is not a part of the page"));
    }
}
