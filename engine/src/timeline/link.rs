//! Share links: a session (scenario, action log, the time on screen) in an address fragment,
//! `#s=v1.<codec>.<payload>`, so that whoever opens it sees the same state with the same trace
//! hash. The version says how to read what follows; the codec how the payload was packed:
//! `d` is raw deflate (RFC 1951) of the session's JSON, then base64url without padding.
//!
//! A link from an older version must keep opening: a new format gets a new version and this
//! module keeps a reader for every old one (`tests/fixtures/link-v1.txt` holds a v1 link).
//! Whatever arrives is checked before any work: its length, the size it inflates to, its JSON
//! field by field, the virtual time it asks for and the work of the run it describes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Serialize;

use crate::ground::Millis;
use crate::scenario::json::{parse, At, FromJson, Obj};
use crate::scenario::{Scenario, TimedAction};

use super::Timeline;

/// The version this build writes.
pub const VERSION: u32 = 1;
/// Raw deflate, then base64url.
pub const CODEC_DEFLATE: &str = "d";
/// Longest fragment value read (an address bar holds far more; a chat message far less).
pub const MAX_LINK_CHARS: usize = 64 * 1024;
/// Most bytes a payload may inflate to (a session's JSON; guards against deflate bombs).
pub const MAX_JSON_BYTES: usize = 1 << 20;
/// Latest virtual time a link or file may ask for: a day.
pub const MAX_VIRTUAL_MS: Millis = 24 * 60 * 60 * 1000;
/// Links up to this length are offered for copying; longer sessions as a file download.
pub const COPY_LINK_CHARS: usize = 2_000;

/// A session as data: what a link carries and what opening it restores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Session {
    pub scenario: Scenario,
    /// The actions the user took, in time order (including those after `time` when the
    /// link was made scrubbed back: the timeline keeps them until a fork).
    pub log: Vec<TimedAction>,
    /// The time on screen, ms.
    pub time: Millis,
    /// The furthest time the session had reached (the timeline's span); at least `time`.
    pub end: Millis,
}

impl Session {
    /// Most bytes of JSON a session or scenario file may take (`MAX_JSON_BYTES`).
    pub const MAX_JSON_BYTES: usize = MAX_JSON_BYTES;
    /// Links up to this length are offered for copying (`COPY_LINK_CHARS`).
    pub const COPY_LINK_CHARS: usize = COPY_LINK_CHARS;

    /// The session of a timeline as it stands.
    pub fn of(t: &Timeline) -> Session {
        Session {
            scenario: t.scenario().clone(),
            log: t.timed_log(),
            time: t.now(),
            end: t.end(),
        }
    }

    /// The session up to the time on screen as a scenario file the command line runs (the
    /// logged actions merged into its `actions`, `duration_ms` the time on screen): what the
    /// page's Export downloads.
    /// Compact JSON, as links carry it: one serializer, not two, in the page.
    pub fn scenario_file(t: &Timeline) -> String {
        serde_json::to_string(&t.to_scenario()).expect("a scenario serializes")
    }

    /// The session as a file Import opens (and `from_file` reads): for sessions whose link
    /// would be too long to paste.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session serializes")
    }

    /// The link's fragment value: `v1.d.<payload>` (without `#s=`).
    pub fn to_fragment(&self) -> String {
        let json = self.to_json().into_bytes();
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        format!(
            "v{VERSION}.{CODEC_DEFLATE}.{}",
            URL_SAFE_NO_PAD.encode(packed)
        )
    }

    /// Reads a link: a whole address, a fragment (`#s=...`) or the value alone (`v1.d....`).
    /// Says what is wrong (length, version, codec, payload, which field) if it cannot.
    pub fn from_link(link: &str) -> Result<Session, String> {
        let value = fragment_value(link.trim())?;
        if value.len() > MAX_LINK_CHARS {
            return Err(format!(
                "The link's state is {} characters long; a link may carry at most \
                 {MAX_LINK_CHARS}. Share long sessions as a file (Export).",
                value.len()
            ));
        }
        let mut parts = value.splitn(3, '.');
        let (version, codec, payload) = (parts.next(), parts.next(), parts.next());
        let version = version.unwrap_or_default();
        let number = version
            .strip_prefix('v')
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or_else(|| {
                format!(
                    "The link's state starts with {}, not a version such as v{VERSION}: it was not \
                     made by brokerlab, or it was cut.",
                    shown(version)
                )
            })?;
        if number == 0 || number > VERSION {
            return Err(format!(
                "The link was made by a newer brokerlab (state version v{number}); this brokerlab \
                 reads versions up to v{VERSION}. Open it on the brokerlab that made it."
            ));
        }
        let (Some(codec), Some(payload)) = (codec, payload) else {
            return Err(format!(
                "The link's state has a version (v{number}) but no codec and payload after it \
                 (expected v{number}.<codec>.<payload>): the link was cut."
            ));
        };
        if codec != CODEC_DEFLATE {
            return Err(format!(
                "The link's state uses codec {}; version v{number} knows only \
                 \"{CODEC_DEFLATE}\" (deflate, base64url).",
                shown(codec)
            ));
        }
        let packed = URL_SAFE_NO_PAD.decode(payload).map_err(|e| {
            format!("The link's payload is not base64url ({e}): it was cut or altered.")
        })?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES)
            .map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                    "The link's payload inflates to more than {MAX_JSON_BYTES} bytes, the \
                         most a session may take."
                ),
                _ => "The link's payload does not inflate (deflate data damaged or cut \
                          short): it was cut or altered."
                    .to_string(),
            })?;
        Session::from_json(&json).map_err(|e| format!("The link's session: {e}"))
    }

    /// Reads a session file: either a session (`scenario`, `log`, `time`) or a scenario file
    /// (which opens at its `duration_ms`, its actions as the scenario's own).
    pub fn from_file(text: &str) -> Result<Session, String> {
        if text.len() > MAX_JSON_BYTES {
            return Err(format!(
                "The file is {} bytes; a session or scenario file may take at most \
                 {MAX_JSON_BYTES}.",
                text.len()
            ));
        }
        let json = text.as_bytes();
        if is_session(json) {
            return Session::from_json(json);
        }
        let scenario: Scenario =
            parse(json).map_err(|e| format!("The file is not a valid scenario: {e}"))?;
        let session = Session {
            time: scenario.duration_ms,
            end: scenario.duration_ms,
            scenario,
            log: Vec::new(),
        };
        session.check()?;
        Ok(session)
    }

    fn from_json(json: &[u8]) -> Result<Session, String> {
        let session: Session = parse(json)?;
        session.check()?;
        Ok(session)
    }

    /// What a session asks for, refused before any work: times past a day, a log out of
    /// order, a run over the work limits.
    pub fn check(&self) -> Result<(), String> {
        let day = |field: &str, ms: Millis| {
            if ms > MAX_VIRTUAL_MS {
                Err(format!(
                    "{field} is {ms} ms; a session may run at most a day of virtual time \
                     ({MAX_VIRTUAL_MS} ms)."
                ))
            } else {
                Ok(())
            }
        };
        day("time", self.time)?;
        day("end", self.end)?;
        let mut last = 0;
        for (i, a) in self.log.iter().enumerate() {
            day(&format!("log[{i}].at"), a.at)?;
            if a.at < last {
                return Err(format!(
                    "log[{i}].at is {} ms, before the action ahead of it ({last} ms): the log \
                     must be in time order.",
                    a.at
                ));
            }
            last = a.at;
        }
        for (i, a) in self.scenario.actions.iter().enumerate() {
            day(&format!("scenario.actions[{i}].at"), a.at)?;
        }
        // The run it describes, as one scenario up to the furthest time it reaches.
        let mut whole = self.scenario.clone();
        whole.actions.extend(self.log.iter().cloned());
        whole.duration_ms = self.reach();
        whole.work().check()
    }

    /// The furthest time opening the session plays to.
    pub fn reach(&self) -> Millis {
        let last_action = self.log.last().map_or(0, |a| a.at);
        self.end.max(self.time).max(last_action)
    }

    /// Plays the session: every logged action at its time, on to its furthest time, then back
    /// to the time it was shared at.
    pub fn open(self) -> Result<Timeline, String> {
        self.check()?;
        let (time, reach) = (self.time, self.reach());
        let mut t = Timeline::replay(self.scenario, self.log, reach)?;
        t.advance_to(reach);
        t.seek(time);
        Ok(t)
    }
}

impl FromJson for Session {
    fn from_json(v: &serde_json::Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a session (an object with scenario, log and time)")?;
        let s = Session {
            scenario: o.req("scenario")?,
            log: o.or_default("log")?,
            time: o.req("time")?,
            end: o.or_default("end")?,
        };
        o.done(s)
    }
}

/// Whether a JSON text is a session (an object whose first key is `scenario`, as `to_fragment`
/// and the page's downloads write it) rather than a scenario file.
fn is_session(json: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&json[..json.len().min(64)]);
    text.trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"scenario\""))
}

/// The state part of a link: after `#s=` in an address or fragment, or the value itself.
fn fragment_value(link: &str) -> Result<&str, String> {
    if let Some(at) = link.find("#") {
        let fragment = &link[at + 1..];
        return fragment
            .split('&')
            .find_map(|p| p.strip_prefix("s="))
            .ok_or_else(|| {
                "The link has no session state: its fragment has no s= (expected \
                 #s=v1.<codec>.<payload>)."
                    .to_string()
            });
    }
    if link.starts_with('v') && !link.contains('/') {
        return Ok(link);
    }
    Err(
        "The link has no session state: expected an address ending in #s=v1.<codec>.<payload>."
            .to_string(),
    )
}

/// A piece of a foreign link, quoted and cut short for a message.
fn shown(s: &str) -> String {
    let cut: String = s.chars().take(16).collect();
    if cut.len() < s.len() {
        format!("\"{cut}...\"")
    } else {
        format!("\"{cut}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario::parse(
            r#"{"seed": 3, "topics": [{"name": "t", "partitions": 2}],
                "producers": [{"name": "p", "load": {"topic": "t", "rate": 100}}],
                "duration_ms": 0}"#,
        )
        .unwrap()
    }

    fn session() -> Session {
        Session {
            scenario: scenario(),
            log: vec![parse(
                br#"{"at": 2000, "action": {"type": "set_rate", "producer": "p", "rate": 10}}"#,
            )
            .unwrap()],
            time: 1500,
            end: 3000,
        }
    }

    #[test]
    fn a_session_goes_through_a_link_and_back() {
        let s = session();
        let f = s.to_fragment();
        assert!(f.starts_with("v1.d."), "{f}");
        assert_eq!(Session::from_link(&f).unwrap(), s);
        let url = format!("https://example.org/brokerlab/?speed=2#s={f}");
        assert_eq!(Session::from_link(&url).unwrap(), s);
        assert_eq!(Session::from_link(&format!("#s={f}")).unwrap(), s);
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let f = session().to_fragment();
        let err = |l: &str| Session::from_link(l).unwrap_err();
        assert!(err("https://example.org/").contains("no session state"));
        assert!(err("https://example.org/#x=1").contains("no s="));
        assert!(err("#s=hello").contains("not a version"));
        assert!(err(&f.replacen("v1", "v2", 1)).contains("newer brokerlab (state version v2)"));
        assert!(err("#s=v1").contains("no codec and payload"));
        assert!(err(&f.replacen(".d.", ".zz.", 1)).contains("codec \"zz\""));
        assert!(err(&format!("{f}*")).contains("not base64url"));
        for cut in [f.len() / 2, f.len() / 2 + 1, f.len() - 1] {
            let e = err(&f[..cut]);
            assert!(e.contains("cut"), "{e}");
        }
        let long = format!("v1.d.{}", "A".repeat(MAX_LINK_CHARS));
        assert!(err(&long).contains("at most 65536"));
    }

    #[test]
    fn a_bad_field_is_named_by_its_path() {
        let mut json = serde_json::to_value(session()).unwrap();
        json["scenario"]["producers"][0]["load"]["rate"] = "fast".into();
        let packed = miniz_oxide::deflate::compress_to_vec(json.to_string().as_bytes(), 6);
        let link = format!("v1.d.{}", URL_SAFE_NO_PAD.encode(packed));
        let e = Session::from_link(&link).unwrap_err();
        assert!(
            e.contains("scenario.producers[0].load.rate: invalid type"),
            "{e}"
        );
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        let json = format!("{{\"pad\": \"{}\"}}", " ".repeat(2 * MAX_JSON_BYTES));
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
        let link = format!("v1.d.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(link.len() < 10_000);
        assert!(Session::from_link(&link)
            .unwrap_err()
            .contains("more than 1048576 bytes"));
    }

    #[test]
    fn more_than_a_day_or_too_much_work_is_refused_before_any_work() {
        let mut s = session();
        s.time = MAX_VIRTUAL_MS + 1;
        assert!(s.check().unwrap_err().starts_with("time is 86400001 ms"));
        let mut s = session();
        s.log[0].at = MAX_VIRTUAL_MS * 2;
        assert!(s.check().unwrap_err().starts_with("log[0].at is"));
        let mut s = session();
        s.scenario.producers[0].load.as_mut().unwrap().rate = 1_000_000;
        s.log.clear();
        s.end = MAX_VIRTUAL_MS;
        assert!(
            s.check().unwrap_err().contains("records"),
            "{:?}",
            s.check()
        );
    }

    #[test]
    fn a_scenario_file_opens_at_its_duration() {
        let s = Session::from_file(
            r#"{"seed": 1, "topics": [{"name": "t", "partitions": 1}], "duration_ms": 4000}"#,
        )
        .unwrap();
        assert_eq!((s.time, s.end, s.log.len()), (4000, 4000, 0));
        let session = session();
        assert_eq!(Session::from_file(&session.to_json()).unwrap(), session);
        let e = Session::from_file(r#"{"seed": 1, "topics": [{"name": 5}], "duration_ms": 1}"#)
            .unwrap_err();
        assert!(e.contains("topics[0].name: invalid type"), "{e}");
    }
}
