//! Scenario files: the document, its setup lists and its timed actions; and [`parse`], which
//! reads any type of the format from a JSON text.

use serde_json::Value;

use super::{value, At, FromJson, Obj};
use crate::action::Action;
use crate::scenario::{ConsumerSpec, ProducerSpec, Scenario, TimedAction, TopicSpec};

/// A `T` from a whole JSON text (`&str` or bytes): its syntax first, then its fields.
pub fn parse<T: FromJson>(text: impl AsRef<[u8]>) -> Result<T, String> {
    T::from_json(&value(text.as_ref())?, &At::ROOT)
}

/// A `T` from a parsed JSON value (the whole document).
pub fn read<T: FromJson>(v: &Value) -> Result<T, String> {
    T::from_json(v, &At::ROOT)
}

impl Scenario {
    /// A scenario file's text, read; the message says where it is wrong.
    pub fn parse(text: &str) -> Result<Scenario, String> {
        parse(text)
    }
}

impl Action {
    /// One action as JSON (`{"type": "set_rate", "producer": "p", "rate": 10}`), read.
    pub fn parse(text: &str) -> Result<Action, String> {
        parse(text)
    }
}

impl FromJson for Scenario {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a scenario (an object)")?;
        let s = Scenario {
            name: o.or_default("name")?,
            description: o.or_default("description")?,
            seed: o.req("seed")?,
            cluster: o.or_default("cluster")?,
            topics: o.or_default("topics")?,
            producers: o.or_default("producers")?,
            consumers: o.or_default("consumers")?,
            actions: o.or_default("actions")?,
            duration_ms: o.req("duration_ms")?,
        };
        o.done(s)
    }
}

impl FromJson for TopicSpec {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a topic (an object)")?;
        let t = TopicSpec {
            name: o.req("name")?,
            partitions: o.req("partitions")?,
            config: o.or_default("config")?,
        };
        o.done(t)
    }
}

impl FromJson for ProducerSpec {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a producer (an object)")?;
        let p = ProducerSpec {
            name: o.or_default("name")?,
            config: o.or_default("config")?,
            load: o.or_default("load")?,
        };
        o.done(p)
    }
}

impl FromJson for ConsumerSpec {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a consumer (an object)")?;
        let c = ConsumerSpec {
            name: o.or_default("name")?,
            config: o.or_default("config")?,
            topics: o.or_default("topics")?,
            assign: o.or_default("assign")?,
        };
        o.done(c)
    }
}

impl FromJson for TimedAction {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a timed action (an object with at and action)")?;
        let a = TimedAction {
            at: o.req("at")?,
            action: o.req("action")?,
        };
        o.done(a)
    }
}
