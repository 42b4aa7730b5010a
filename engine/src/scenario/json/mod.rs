//! Reading the scenario format (scenario files, sessions, actions) from JSON, field by field.
//!
//! The text is parsed into a [`serde_json::Value`] once, then walked by plain functions that
//! know the format: one per type, each asking an [`Obj`] for its fields by name. This replaces
//! serde's derived `Deserialize`, whose visitors were compiled once per deserializer (the
//! internally tagged `Action` buffers through serde's `Content`, so every config it holds was
//! compiled twice) and cost the page ~60 KB of gzip; a walk over a `Value` is one copy of small
//! non-generic code. It also knows where it is: every message starts with the path of the field
//! it is about (`producers[0].load.rate: invalid type: string "fast", expected an unsigned
//! integer.`), where serde could say only a line and column.
//!
//! The names and defaults are those the derived `Serialize` writes: `tests/scenario_json.rs`
//! reads back what is written, for every type and variant.

mod actions;
mod configs;
mod files;
mod syntax;

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use serde_json::{Map, Value};

use crate::ground::quote::quoted;

pub use files::{parse, read};

/// A field's place in the document, as a chain from the root: printed only for a message.
#[derive(Clone, Copy)]
pub struct At<'a> {
    up: Option<&'a At<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    /// The document itself.
    pub const ROOT: At<'static> = At {
        up: None,
        step: Step::Root,
    };

    /// Field `key` of the object here.
    pub fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            up: Some(self),
            step: Step::Key(key),
        }
    }

    /// Element `i` of the array here.
    pub fn index(&'a self, i: usize) -> At<'a> {
        At {
            up: Some(self),
            step: Step::Index(i),
        }
    }

    /// `what` about the value here, with its path first when it is not the whole document.
    pub fn error(&self, what: impl fmt::Display) -> String {
        let path = self.to_string();
        if path.is_empty() {
            format!("{what}.")
        } else {
            format!("{path}: {what}.")
        }
    }
}

/// `scenario.producers[0].load.rate`; a key that is not a plain name is quoted.
impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(up) = self.up {
            up.fmt(f)?;
        }
        match self.step {
            Step::Root => Ok(()),
            Step::Index(i) => write!(f, "[{i}]"),
            Step::Key(k) => {
                let plain = !k.is_empty()
                    && k.len() <= 64
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                let dot = if self.up.is_some_and(|u| !matches!(u.step, Step::Root)) {
                    "."
                } else {
                    ""
                };
                if plain {
                    write!(f, "{dot}{k}")
                } else {
                    write!(f, "{dot}{}", quoted(k))
                }
            }
        }
    }
}

/// A type of the scenario format, read from the JSON value at `at`.
pub trait FromJson: Sized {
    fn from_json(v: &Value, at: &At) -> Result<Self, String>;
}

/// What a value is, for "invalid type: {found}, expected {want}" (serde's words).
fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {}", quoted(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// The message for a value of the wrong kind.
pub fn invalid(v: &Value, at: &At, want: &str) -> String {
    at.error(format_args!("invalid type: {}, expected {want}", found(v)))
}

/// An integer in `T`'s range; `what` names the range in a message.
fn integer<T: TryFrom<i128>>(v: &Value, at: &At, what: &str) -> Result<T, String> {
    let n = match v {
        Value::Number(n) => n.as_u64().map(i128::from).or(n.as_i64().map(i128::from)),
        _ => None,
    };
    let Some(n) = n else {
        return Err(invalid(v, at, what));
    };
    T::try_from(n).map_err(|_| {
        at.error(format_args!(
            "invalid value: integer `{n}`, expected {what}"
        ))
    })
}

impl FromJson for u32 {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        integer(v, at, "an unsigned integer up to 4294967295 (u32)")
    }
}

impl FromJson for u64 {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        integer(v, at, "an unsigned integer (u64)")
    }
}

impl FromJson for i32 {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        integer(v, at, "an integer from -2147483648 to 2147483647 (i32)")
    }
}

impl FromJson for i64 {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        integer(v, at, "an integer (i64)")
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        v.as_f64().ok_or_else(|| invalid(v, at, "a number"))
    }
}

impl FromJson for bool {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        v.as_bool().ok_or_else(|| invalid(v, at, "true or false"))
    }
}

impl FromJson for String {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| invalid(v, at, "a string"))
    }
}

/// `null` is `None`, as serde reads an `Option`.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_json(v, at).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let Value::Array(items) = v else {
            return Err(invalid(v, at, "a list"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_json(item, &at.index(i)))
            .collect()
    }
}

/// One of a fixed set of names (an enum without data): `names` pairs each accepted spelling
/// with its value, the first spelling of each value being the one written.
pub fn named<T: Copy>(v: &Value, at: &At, names: &[(&str, T)]) -> Result<T, String> {
    let Some(s) = v.as_str() else {
        return Err(invalid(v, at, &one_of(names.iter().map(|n| n.0))));
    };
    names.iter().find(|n| n.0 == s).map(|n| n.1).ok_or_else(|| {
        at.error(format_args!(
            "unknown variant {}, expected {}",
            quoted(s),
            one_of(names.iter().map(|n| n.0))
        ))
    })
}

/// `` `a`, `b` or `c` `` for a message.
fn one_of<'n>(names: impl Iterator<Item = &'n str>) -> String {
    let names: Vec<&str> = names.collect();
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        let sep = match i {
            0 => "",
            i if i + 1 == names.len() => " or ",
            _ => ", ",
        };
        let _ = write!(out, "{sep}`{n}`");
    }
    if names.len() > 1 {
        format!("one of {out}")
    } else {
        out
    }
}

/// An object being read: each field is asked for by name, and [`Obj::done`] then refuses any
/// field nobody asked for (serde's `deny_unknown_fields`), listing those that exist.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    at: &'a At<'a>,
    asked: RefCell<Vec<&'static str>>,
}

impl<'a> Obj<'a> {
    /// The object at `at`; `what` names it if `v` is something else ("a topic").
    pub fn new(v: &'a Value, at: &'a At<'a>, what: &str) -> Result<Obj<'a>, String> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                at,
                asked: RefCell::new(Vec::new()),
            }),
            v => Err(invalid(v, at, what)),
        }
    }

    /// The field `key`, read, or `None` when it is absent.
    pub fn get<T: FromJson>(&self, key: &'static str) -> Result<Option<T>, String> {
        self.asked.borrow_mut().push(key);
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => T::from_json(v, &self.at.key(key)).map(Some),
        }
    }

    /// The field `key`, which must be there.
    pub fn req<T: FromJson>(&self, key: &'static str) -> Result<T, String> {
        self.get(key)?
            .ok_or_else(|| self.at.error(format_args!("missing field `{key}`")))
    }

    /// Reads the field `key` into `dst` when it is there (a config's field keeps its default
    /// when it is not).
    pub fn set<T: FromJson>(&self, key: &'static str, dst: &mut T) -> Result<(), String> {
        if let Some(v) = self.get(key)? {
            *dst = v;
        }
        Ok(())
    }

    /// The field `key`, or `default` when it is absent.
    pub fn or<T: FromJson>(&self, key: &'static str, default: T) -> Result<T, String> {
        Ok(self.get(key)?.unwrap_or(default))
    }

    /// The field `key`, or its type's default when it is absent.
    pub fn or_default<T: FromJson + Default>(&self, key: &'static str) -> Result<T, String> {
        Ok(self.get(key)?.unwrap_or_default())
    }

    /// The field `key` read with `read` (for a value that is not a [`FromJson`] type), or `None`.
    pub fn with<T>(
        &self,
        key: &'static str,
        read: impl FnOnce(&Value, &At) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        self.asked.borrow_mut().push(key);
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => read(v, &self.at.key(key)).map(Some),
        }
    }

    /// Ends the read: `value` if every field of the object was asked for, else which is unknown.
    pub fn done<T>(self, value: T) -> Result<T, String> {
        let asked = self.asked.borrow();
        match self.map.keys().find(|k| !asked.contains(&k.as_str())) {
            None => Ok(value),
            Some(k) => Err(self.at.key(k).error(format_args!(
                "unknown field {}, expected {}",
                quoted(k),
                one_of(asked.iter().copied())
            ))),
        }
    }
}

/// The text of a document as a JSON value, or where its syntax breaks.
pub fn value(text: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(text).map_err(|e| syntax::located(text, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_path(keys: &[&str]) -> String {
        fn go(at: &At, rest: &[&str]) -> String {
            match rest.split_first() {
                None => at.to_string(),
                Some((k, rest)) => match k.parse::<usize>() {
                    Ok(i) => go(&at.index(i), rest),
                    Err(_) => go(&at.key(k), rest),
                },
            }
        }
        go(&At::ROOT, keys)
    }

    #[test]
    fn paths_read_as_in_javascript() {
        assert_eq!(at_path(&[]), "");
        assert_eq!(at_path(&["topics", "0", "name"]), "topics[0].name");
        assert_eq!(
            at_path(&["producers", "1", "config", "linger.ms"]),
            "producers[1].config.linger.ms"
        );
        assert_eq!(at_path(&["a b\u{1b}"]), "\"a b\\u{1b}\"");
    }

    #[test]
    fn wrong_kinds_and_ranges_are_named_with_the_field() {
        let v: Value = serde_json::json!({"n": -1, "s": "fast", "f": 1.5, "big": 5_000_000_000u64});
        let o = Obj::new(&v, &At::ROOT, "an object").unwrap();
        assert_eq!(
            o.req::<u32>("n").unwrap_err(),
            "n: invalid value: integer `-1`, expected an unsigned integer up to 4294967295 (u32)."
        );
        assert_eq!(
            o.req::<u64>("s").unwrap_err(),
            "s: invalid type: string \"fast\", expected an unsigned integer (u64)."
        );
        assert!(o
            .req::<u64>("f")
            .unwrap_err()
            .contains("floating point `1.5`"));
        assert!(o
            .req::<u32>("big")
            .unwrap_err()
            .contains("integer `5000000000`"));
        assert_eq!(o.req::<u64>("big"), Ok(5_000_000_000));
        assert_eq!(o.req::<f64>("n"), Ok(-1.0));
        assert_eq!(o.req::<u32>("none").unwrap_err(), "missing field `none`.");
        assert_eq!(o.get::<u64>("none"), Ok(None));
    }

    #[test]
    fn unknown_fields_are_refused_with_the_known_ones_listed() {
        let v: Value = serde_json::json!({"a": 1, "bb": 2});
        let o = Obj::new(&v, &At::ROOT, "an object").unwrap();
        o.req::<u32>("a").unwrap();
        o.get::<u32>("c").unwrap();
        assert_eq!(
            o.done(()).unwrap_err(),
            "bb: unknown field \"bb\", expected one of `a` or `c`."
        );
        let o = Obj::new(&v, &At::ROOT, "an object").unwrap();
        let (_, _) = (o.get::<u32>("a"), o.get::<u32>("bb"));
        assert_eq!(o.done(7), Ok(7));
    }

    #[test]
    fn names_say_which_exist() {
        let table = [("0", 0), ("1", 1), ("all", 2), ("-1", 2)];
        let at = At::ROOT;
        let k = at.key("acks");
        assert_eq!(named(&Value::from("-1"), &k, &table), Ok(2));
        assert_eq!(
            named(&Value::from("2"), &k, &table).unwrap_err(),
            "acks: unknown variant \"2\", expected one of `0`, `1`, `all` or `-1`."
        );
        assert!(named(&Value::from(1), &k, &table)
            .unwrap_err()
            .starts_with("acks: invalid type: integer `1`"));
    }
}
