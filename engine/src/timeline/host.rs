//! The postMessage protocol between a figure (`?embed=1` in an iframe) and the page around it.
//!
//! A message is a plain object `{ns: "brokerlab", v: 1, id?, type, payload?}`. The host asks
//! (`play`, `seek {ms}`, `apply {action}`, `get-state` ...), the figure answers every request that
//! has an `id` with exactly one `reply`, and tells the host what happens (`ready`, `resize`,
//! `state-changed`, `lesson-step`). This module reads requests and writes replies and events as
//! JSON text; the page only moves them across `postMessage` and carries out what they ask, so the
//! whole protocol is checked here without a browser (`brokerlab-cli message '<json>'`).
//!
//! Anyone can send a message to a window, so reading is strict and never panics: a message that
//! is not brokerlab's is [`Incoming::Foreign`] (the page ignores it with one console warning), and
//! a brokerlab message that asks for something it cannot do carries the reason, which goes back
//! in the reply, naming the field and what it takes. Which senders are heard at all is
//! [`Origins`]' question.

use serde_json::{json, Map, Value};

use super::embed::Theme;
use crate::action::Action;
use crate::ground::quote::quoted;
use crate::ground::Millis;
use crate::scenario::json;
use crate::scenario::Scenario;

/// The `ns` of every message, both ways.
pub const NAMESPACE: &str = "brokerlab";
/// The protocol version this figure speaks (`v`).
pub const VERSION: u64 = 1;
/// Largest message read: a whole scenario fits many times over.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Longest `id` echoed back (a string's characters, or a number's digits).
const MAX_ID_CHARS: usize = 128;
/// Latest time a seek may ask for: a day of virtual time, as for a share link.
pub const MAX_SEEK_MS: Millis = 86_400_000;

/// The request types, as the host writes them, for messages that list them.
pub const REQUEST_TYPES: [&str; 11] = [
    "play",
    "pause",
    "step",
    "seek",
    "set-speed",
    "set-theme",
    "load-scenario",
    "apply",
    "goto-lesson-step",
    "get-state",
    "ping",
];

/// What a host asks a figure to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Play,
    Pause,
    /// On to the end of the next instant in which something happens.
    Step,
    /// To a time of the session, simulating forward past its end if need be.
    Seek {
        ms: Millis,
    },
    /// Virtual milliseconds per real millisecond (the page offers 0.25 to 64).
    SetSpeed {
        speed: f64,
    },
    SetTheme {
        theme: Theme,
    },
    /// A scenario by name: a file of `scenarios/` or a built-in.
    LoadNamed {
        name: String,
    },
    /// A scenario given whole, in the scenario file format.
    LoadScenario {
        scenario: Box<Scenario>,
    },
    /// An action in the scenario file format, applied now as if from a form.
    Apply {
        action: Box<Action>,
    },
    GotoLessonStep {
        lesson: String,
        step: u32,
    },
    GetState,
    /// Answers `{version}`: for a host that missed `ready`.
    Ping,
}

/// A message as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// Not a brokerlab message (another library's, or malformed): ignored, and why.
    Foreign(String),
    /// A brokerlab message: what it asks, or why that cannot be done; `id` (as JSON text) when
    /// the host wants a reply.
    Request {
        id: Option<String>,
        request: Result<Request, String>,
    },
}

/// Reads one message (the JSON text of what `postMessage` delivered).
pub fn read(text: &str) -> Incoming {
    if text.len() > MAX_MESSAGE_BYTES {
        return Incoming::Foreign(format!(
            "a message of {} bytes; a figure reads at most {MAX_MESSAGE_BYTES}",
            text.len()
        ));
    }
    // The engine's one JSON reader (`scenario::json`), shared with scenario files and links.
    let Ok(Value::Object(m)) = json::value(text.as_bytes()) else {
        return Incoming::Foreign("not an object".into());
    };
    if m.get("ns").and_then(Value::as_str) != Some(NAMESPACE) {
        return Incoming::Foreign(format!("its ns is not \"{NAMESPACE}\""));
    }
    let id = match m.get("id") {
        None | Some(Value::Null) => None,
        Some(v) => match id_text(v) {
            Ok(id) => Some(id),
            // No id to answer to: the reason goes to the console.
            Err(e) => return Incoming::Foreign(e),
        },
    };
    let request = match m.get("v") {
        Some(v) if v.as_u64() == Some(VERSION) => request(&m),
        Some(v) => Err(format!(
            "v is {}; this figure speaks version {VERSION} of the protocol",
            shown(v)
        )),
        None => Err(format!(
            "v is missing; this figure speaks version {VERSION}"
        )),
    };
    Incoming::Request { id, request }
}

/// The reply to a request with an `id` (`id` as JSON text, as [`read`] gave it).
pub fn reply(id: &str, outcome: Result<Value, String>) -> String {
    let id = json::value(id.as_bytes()).unwrap_or(Value::Null);
    let mut m = envelope("reply");
    m.insert("id".into(), id);
    match outcome {
        Ok(payload) => {
            m.insert("ok".into(), Value::Bool(true));
            m.insert("payload".into(), payload);
        }
        Err(error) => {
            m.insert("ok".into(), Value::Bool(false));
            m.insert("error".into(), Value::String(error));
        }
    }
    Value::Object(m).to_string()
}

/// An event from the figure (`ready`, `resize`, `state-changed`, `lesson-step`).
pub fn event(kind: &str, payload: Value) -> String {
    let mut m = envelope(kind);
    m.insert("payload".into(), payload);
    Value::Object(m).to_string()
}

/// The figure as `get-state` and `state-changed` report it.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureState {
    pub now_ms: Millis,
    pub playing: bool,
    pub speed: f64,
    pub trace_hash: String,
    /// The full page at this state (a share link).
    pub url: String,
}

impl FigureState {
    pub fn to_json(&self) -> Value {
        json!({
            "now_ms": self.now_ms,
            "playing": self.playing,
            "speed": self.speed,
            "trace_hash": self.trace_hash,
            "url": self.url,
        })
    }
}

fn envelope(kind: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ns".into(), NAMESPACE.into());
    m.insert("v".into(), VERSION.into());
    m.insert("type".into(), kind.into());
    m
}

fn id_text(v: &Value) -> Result<String, String> {
    let text = match v {
        Value::String(s) if s.chars().count() <= MAX_ID_CHARS => v.to_string(),
        Value::Number(_) if v.to_string().len() <= MAX_ID_CHARS => v.to_string(),
        Value::String(_) | Value::Number(_) => {
            return Err(format!("an id longer than {MAX_ID_CHARS} characters"))
        }
        _ => return Err("an id that is neither a string nor a number".into()),
    };
    Ok(text)
}

/// A JSON value as quoted back in a message: short, escaped.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s).to_string(),
        // JSON text escapes control characters; only the length needs a bound.
        _ => {
            let text = v.to_string();
            match text.char_indices().nth(40) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            }
        }
    }
}

fn request(m: &Map<String, Value>) -> Result<Request, String> {
    let kind = match m.get("type") {
        Some(Value::String(s)) => s.as_str(),
        Some(v) => return Err(format!("type is {}; it takes a string", shown(v))),
        None => return Err("type is missing".into()),
    };
    let empty = Map::new();
    let payload = match m.get("payload") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(v) => return Err(format!("payload is {}; it takes an object", shown(v))),
    };
    let field = |name: &str| payload.get(name).filter(|v| !v.is_null());
    Ok(match kind {
        "play" => Request::Play,
        "pause" => Request::Pause,
        "step" => Request::Step,
        "get-state" => Request::GetState,
        "ping" => Request::Ping,
        "seek" => {
            let ms = field("ms").ok_or("seek needs payload.ms (a time in milliseconds)")?;
            match ms.as_u64() {
                Some(ms) if ms <= MAX_SEEK_MS => Request::Seek { ms },
                _ => {
                    return Err(format!(
                        "payload.ms is {}; seek takes a whole number of milliseconds from 0 to \
                         {MAX_SEEK_MS}",
                        shown(ms)
                    ))
                }
            }
        }
        "set-speed" => {
            let v = field("speed").ok_or("set-speed needs payload.speed (0.25 to 64)")?;
            match v.as_f64() {
                Some(speed) if (0.25..=64.0).contains(&speed) => Request::SetSpeed { speed },
                _ => {
                    return Err(format!(
                        "payload.speed is {}; it takes a number from 0.25 to 64",
                        shown(v)
                    ))
                }
            }
        }
        "set-theme" => {
            let v = field("theme").ok_or("set-theme needs payload.theme (auto, light or dark)")?;
            let theme = match v.as_str() {
                Some("auto") => Theme::Auto,
                Some("light") => Theme::Light,
                Some("dark") => Theme::Dark,
                _ => {
                    return Err(format!(
                        "payload.theme is {}; it takes auto, light or dark",
                        shown(v)
                    ))
                }
            };
            Request::SetTheme { theme }
        }
        "load-scenario" => match (field("name"), field("scenario")) {
            (Some(Value::String(name)), None) => Request::LoadNamed { name: name.clone() },
            (Some(v), None) => {
                return Err(format!(
                    "payload.name is {}; it takes a scenario's name",
                    shown(v)
                ))
            }
            (None, Some(s)) => {
                let scenario = json::read::<Scenario>(s)
                    .map_err(|e| format!("payload.scenario is not a valid scenario: {e}"))?;
                Request::LoadScenario {
                    scenario: Box::new(scenario),
                }
            }
            (Some(_), Some(_)) => {
                return Err("load-scenario takes payload.name or payload.scenario, not both".into())
            }
            (None, None) => {
                return Err(
                    "load-scenario needs payload.name (a scenario's name) or payload.scenario \
                     (a scenario object)"
                        .into(),
                )
            }
        },
        "apply" => {
            let v = field("action")
                .ok_or("apply needs payload.action (an action, as in a scenario file)")?;
            let action = json::read::<Action>(v)
                .map_err(|e| format!("payload.action is not a valid action: {e}"))?;
            Request::Apply {
                action: Box::new(action),
            }
        }
        "goto-lesson-step" => {
            let lesson = match field("lesson") {
                Some(Value::String(s)) => s.clone(),
                Some(v) => return Err(format!("payload.lesson is {}; it takes a name", shown(v))),
                None => {
                    return Err("goto-lesson-step needs payload.lesson (a lesson's name)".into())
                }
            };
            let step = match field("step").map(|v| (v, v.as_u64())) {
                None => 1,
                Some((_, Some(n))) if (1..=999).contains(&n) => n as u32,
                Some((v, _)) => {
                    return Err(format!(
                        "payload.step is {}; it takes a step number from 1",
                        shown(v)
                    ))
                }
            };
            Request::GotoLessonStep { lesson, step }
        }
        other => {
            return Err(format!(
                "type {} is not a request; the requests are {}",
                quoted(other),
                REQUEST_TYPES.join(", ")
            ))
        }
    })
}

/// Who a figure takes requests from: the origins its address names (`origin=a,b`), or, when it
/// names none, whoever its parent window is (replies go back to the requester's origin, events
/// to the page that embedded it; never to `*`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    /// The origins named that are origins.
    pub listed: Vec<String>,
    /// The address has `origin=`: only `listed` are heard, even if that leaves none.
    pub named: bool,
}

impl Origins {
    /// Reads `origin=` from a query string, and a message per origin it could not use (a
    /// malformed origin is left out, never widened to "any").
    pub fn parse(query: &str) -> (Origins, Vec<String>) {
        let mut listed = Vec::new();
        let mut problems = Vec::new();
        let mut named = false;
        let values = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|kv| kv.strip_prefix("origin="));
        for value in values {
            named = true;
            for part in percent_decoded(value).split(',').filter(|p| !p.is_empty()) {
                match origin(part) {
                    Some(o) if !listed.contains(&o) => listed.push(o),
                    Some(_) => {}
                    None => problems.push(format!(
                        "origin={} is not an origin (scheme://host[:port], as \
                         https://docs.example.com); requests from it are not taken.",
                        quoted(part)
                    )),
                }
            }
        }
        (Origins { listed, named }, problems)
    }

    /// Whether a request from `origin` is taken: the parent's, whatever its origin, when the
    /// address names none; only those listed when it does.
    pub fn accepts(&self, origin: &str) -> bool {
        !self.named || self.listed.iter().any(|o| o == origin)
    }
}

/// `scheme://host[:port]` in the form browsers give `MessageEvent.origin` (lower case, no path,
/// no default port spelled out is not required: the comparison is exact, as the browser's).
fn origin(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/');
    let (scheme, rest) = text.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") || rest.is_empty() {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || p.is_empty() => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    (host_ok && port_ok).then(|| format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

/// `%3A` -> `:` and so on (an address may encode the origins it lists).
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> (Option<String>, Result<Request, String>) {
        match read(text) {
            Incoming::Request { id, request } => (id, request),
            Incoming::Foreign(why) => panic!("{text} read as foreign: {why}"),
        }
    }

    #[test]
    fn requests_are_read_with_their_ids() {
        let (id, r) = req(r#"{"ns":"brokerlab","v":1,"id":7,"type":"pause"}"#);
        assert_eq!(id.as_deref(), Some("7"));
        assert_eq!(r, Ok(Request::Pause));
        let (id, r) =
            req(r#"{"ns":"brokerlab","v":1,"id":"a-1","type":"seek","payload":{"ms":5000}}"#);
        assert_eq!(id.as_deref(), Some("\"a-1\""));
        assert_eq!(r, Ok(Request::Seek { ms: 5000 }));
        let (_, r) = req(r#"{"ns":"brokerlab","v":1,"type":"set-speed","payload":{"speed":0.5}}"#);
        assert_eq!(r, Ok(Request::SetSpeed { speed: 0.5 }));
        let (_, r) =
            req(r#"{"ns":"brokerlab","v":1,"type":"set-theme","payload":{"theme":"dark"}}"#);
        assert_eq!(r, Ok(Request::SetTheme { theme: Theme::Dark }));
        let (_, r) = req(
            r#"{"ns":"brokerlab","v":1,"type":"apply","payload":{"action":{"type":"create_topic","name":"t","partitions":3}}}"#,
        );
        assert!(matches!(r, Ok(Request::Apply { .. })), "{r:?}");
        let (_, r) = req(
            r#"{"ns":"brokerlab","v":1,"type":"load-scenario","payload":{"name":"first-look"}}"#,
        );
        assert_eq!(
            r,
            Ok(Request::LoadNamed {
                name: "first-look".into()
            })
        );
        let (_, r) = req(
            r#"{"ns":"brokerlab","v":1,"type":"goto-lesson-step","payload":{"lesson":"first-look","step":2}}"#,
        );
        assert_eq!(
            r,
            Ok(Request::GotoLessonStep {
                lesson: "first-look".into(),
                step: 2
            })
        );
    }

    #[test]
    fn a_whole_scenario_can_be_loaded() {
        let text = r#"{"ns":"brokerlab","v":1,"type":"load-scenario","payload":{"scenario":
            {"name":"mine","seed":3,"duration_ms":1000,"topics":[{"name":"orders","partitions":2}]}}}"#;
        let (_, r) = req(text);
        match r {
            Ok(Request::LoadScenario { scenario }) => {
                assert_eq!(scenario.name.as_deref(), Some("mine"));
                assert_eq!(scenario.seed, 3);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_is_not_brokerlabs_is_foreign() {
        for text in [
            "[1,2]",
            "\"play\"",
            "not json",
            r#"{"type":"play"}"#,
            r#"{"ns":"other","v":1,"type":"play"}"#,
            r#"{"ns":"brokerlab","v":1,"id":{"x":1},"type":"play"}"#,
        ] {
            assert!(matches!(read(text), Incoming::Foreign(_)), "{text}");
        }
        let huge = format!(
            r#"{{"ns":"brokerlab","v":1,"type":"play","pad":"{}"}}"#,
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert!(matches!(read(&huge), Incoming::Foreign(_)));
    }

    #[test]
    fn a_bad_request_says_which_field_and_what_it_takes() {
        let cases = [
            (
                r#"{"ns":"brokerlab","v":2,"id":1,"type":"play"}"#,
                "v is 2; this figure speaks version 1",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"rewind"}"#,
                "type \"rewind\" is not a request; the requests are play, pause",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"seek"}"#,
                "seek needs payload.ms",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"seek","payload":{"ms":-5}}"#,
                "payload.ms is -5; seek takes a whole number of milliseconds from 0 to 86400000",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"seek","payload":{"ms":1e12}}"#,
                "from 0 to 86400000",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"set-speed","payload":{"speed":1000}}"#,
                "payload.speed is 1000; it takes a number from 0.25 to 64",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"set-theme","payload":{"theme":"neon"}}"#,
                "payload.theme is \"neon\"; it takes auto, light or dark",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"apply","payload":{"action":{"type":"create_topic","name":"t","partitions":"many"}}}"#,
                "payload.action is not a valid action",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"apply","payload":{"action":{"type":"explode"}}}"#,
                "payload.action is not a valid action",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"load-scenario","payload":{}}"#,
                "load-scenario needs payload.name",
            ),
            (
                r#"{"ns":"brokerlab","v":1,"id":1,"type":"play","payload":[1]}"#,
                "payload is [1]; it takes an object",
            ),
        ];
        for (text, wanted) in cases {
            let (id, r) = req(text);
            assert_eq!(id.as_deref(), Some("1"));
            let e = r.expect_err(text);
            assert!(e.contains(wanted), "{text}: {e}");
        }
    }

    #[test]
    fn replies_and_events_are_enveloped_and_echo_the_id() {
        let ok: Value = serde_json::from_str(&reply("\"a-1\"", Ok(json!({"now_ms": 5})))).unwrap();
        assert_eq!(
            ok,
            json!({"ns":"brokerlab","v":1,"type":"reply","id":"a-1","ok":true,"payload":{"now_ms":5}})
        );
        let err: Value = serde_json::from_str(&reply("7", Err("no".into()))).unwrap();
        assert_eq!(
            err,
            json!({"ns":"brokerlab","v":1,"type":"reply","id":7,"ok":false,"error":"no"})
        );
        let ev: Value = serde_json::from_str(&event("resize", json!({"height": 480}))).unwrap();
        assert_eq!(
            ev,
            json!({"ns":"brokerlab","v":1,"type":"resize","payload":{"height":480}})
        );
        let state = FigureState {
            now_ms: 1500,
            playing: false,
            speed: 2.0,
            trace_hash: "00ff".into(),
            url: "https://x/#s=v1".into(),
        };
        assert_eq!(
            state.to_json(),
            json!({"now_ms":1500,"playing":false,"speed":2.0,"trace_hash":"00ff","url":"https://x/#s=v1"})
        );
    }

    #[test]
    fn origins_are_listed_checked_and_never_widened() {
        let (o, problems) =
            Origins::parse("?embed=1&origin=https://docs.example.com,http://localhost:8123/");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            o.listed,
            vec!["https://docs.example.com", "http://localhost:8123"]
        );
        assert!(o.accepts("http://localhost:8123"));
        assert!(!o.accepts("http://localhost:8124"));
        assert!(!o.accepts("https://evil.example.com"));
        let (o, _) = Origins::parse("origin=https%3A%2F%2FDocs.Example.com");
        assert_eq!(o.listed, vec!["https://docs.example.com"]);
        let (o, problems) =
            Origins::parse("origin=*,javascript:alert(1),https://a.b/path,https://a.b:99999999");
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("origin=\"*\" is not an origin"));
        assert!(o.listed.is_empty());
        assert!(
            !o.accepts("https://a.b"),
            "nothing valid named: nobody heard, not everybody"
        );
        let (o, _) = Origins::parse("embed=1");
        assert!(!o.named);
        assert!(o.accepts("https://anyone.example"));
    }
}
