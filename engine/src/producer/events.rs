//! What a load's records say, for applications that read them (Kafka Streams, issue 19): each
//! record of a load with an event model is a click, a page view or a purchase by the user its key
//! names, and some are broken (a value that does not parse, a missing field), as real sources
//! send them.
//!
//! The content is not stored with the record: it is a pure function of the record's identity
//! (producer, partition, running number), so a million records cost no memory for their values
//! and every reader, on every replay, sees the same content.

use serde::Serialize;

use crate::ground::ActionError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Click,
    View,
    Purchase,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Click => "click",
            EventType::View => "view",
            EventType::Purchase => "purchase",
        }
    }
}

/// What a load's records are (the `events` of a load).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventModel {
    #[serde(rename = "type")]
    pub kind: EventType,
    /// A purchase's amount, drawn evenly from `amount_min..=amount_max` (whole units).
    pub amount_min: u32,
    pub amount_max: u32,
    /// Percent of records whose value does not parse (a truncated JSON document).
    pub malformed_percent: f64,
    /// Percent of records missing a field (`amount` on a purchase, `page` otherwise).
    pub missing_field_percent: f64,
}

/// The largest purchase amount a model may draw.
pub const MAX_AMOUNT: u32 = 1_000_000;

impl EventModel {
    pub fn validate(&self) -> Result<(), ActionError> {
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        for (name, p) in [
            ("malformed_percent", self.malformed_percent),
            ("missing_field_percent", self.missing_field_percent),
        ] {
            if !(0.0..=100.0).contains(&p) {
                return bad(format!("events.{name} is {p}; it takes 0 to 100."));
            }
        }
        if self.malformed_percent + self.missing_field_percent > 100.0 {
            return bad("events.malformed_percent and events.missing_field_percent add up to more than 100.".into());
        }
        if self.amount_min > self.amount_max || self.amount_max > MAX_AMOUNT {
            return bad(format!(
                "events.amount_min ({}) to events.amount_max ({}) must be a range within 0 to {MAX_AMOUNT}.",
                self.amount_min, self.amount_max
            ));
        }
        Ok(())
    }
}

/// The pages a click or a view is on (a purchase is on the checkout page).
pub const PAGES: [&str; 5] = ["/home", "/search", "/product", "/cart", "/checkout"];

/// A record's content as an application's parser finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded {
    Event {
        kind: EventType,
        amount: u32,
        /// An index into [`PAGES`].
        page: u8,
    },
    /// The value is not a JSON document.
    Unparsable,
    /// A field the application needs is not there.
    MissingField(&'static str),
}

/// splitmix64: a well-mixed 64-bit hash of the record's identity.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The content of record number `record` that producer `producer` sent to partition
/// `partition`, under `model`.
pub fn decode(model: &EventModel, producer: u32, partition: u32, record: u64) -> Decoded {
    let h = mix(mix(u64::from(producer) << 32 | u64::from(partition)) ^ record);
    // Percent to two decimals from the low bits; the amount from the high ones.
    let roll = (h % 10_000) as f64 / 100.0;
    if roll < model.malformed_percent {
        return Decoded::Unparsable;
    }
    if roll < model.malformed_percent + model.missing_field_percent {
        return Decoded::MissingField(if model.kind == EventType::Purchase {
            "amount"
        } else {
            "page"
        });
    }
    let span = u64::from(model.amount_max - model.amount_min) + 1;
    let (amount, page) = match model.kind {
        EventType::Purchase => (model.amount_min + ((h >> 32) % span) as u32, 4),
        // Skewed towards the first pages, as real traffic is: /home most, /checkout least.
        _ => (0, [0, 0, 0, 1, 1, 2, 2, 3, 4][((h >> 40) % 9) as usize]),
    };
    Decoded::Event {
        kind: model.kind,
        amount,
        page,
    }
}

/// Reads back a value [`render`] wrote (a Kafka Streams repartition record carries the source
/// record's value): `None` if it is not one.
pub fn parse(value: &str) -> Option<Decoded> {
    let field = |name: &str| {
        let at = value.find(&format!("\"{name}\":"))? + name.len() + 3;
        let rest = &value[at..];
        Some(match rest.strip_prefix('"') {
            Some(s) => &s[..s.find('"')?],
            None => &rest[..rest.find([',', '}'])?],
        })
    };
    let kind = match field("type")? {
        "click" => EventType::Click,
        "view" => EventType::View,
        "purchase" => EventType::Purchase,
        _ => return None,
    };
    let amount = match kind {
        EventType::Purchase => field("amount")?.parse().ok()?,
        _ => 0,
    };
    let page = match kind {
        EventType::Purchase => 4,
        _ => PAGES.iter().position(|p| Some(*p) == field("page"))? as u8,
    };
    Some(Decoded::Event { kind, amount, page })
}

/// The value as the source wrote it, for the page and for a dead-letter record.
pub fn render(decoded: Decoded, user: &str) -> String {
    match decoded {
        Decoded::Event {
            kind: EventType::Purchase,
            amount,
            ..
        } => format!(r#"{{"type":"purchase","user":"{user}","amount":{amount}}}"#),
        Decoded::Event { kind, page, .. } => {
            format!(
                r#"{{"type":"{}","user":"{user}","page":"{}"}}"#,
                kind.as_str(),
                PAGES[usize::from(page).min(PAGES.len() - 1)]
            )
        }
        Decoded::Unparsable => r#"{"type":"cli"#.to_string(),
        Decoded::MissingField("amount") => format!(r#"{{"type":"purchase","user":"{user}"}}"#),
        Decoded::MissingField(_) => format!(r#"{{"type":"click","user":"{user}"}}"#),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(kind: EventType, malformed: f64, missing: f64) -> EventModel {
        EventModel {
            kind,
            amount_min: 5,
            amount_max: 500,
            malformed_percent: malformed,
            missing_field_percent: missing,
        }
    }

    #[test]
    fn content_is_a_function_of_identity_and_the_shares_hold() {
        let m = model(EventType::Purchase, 2.0, 3.0);
        assert_eq!(decode(&m, 1, 2, 77), decode(&m, 1, 2, 77));
        let n = 100_000;
        let (mut bad, mut missing, mut total) = (0, 0, 0u64);
        for r in 0..n {
            match decode(&m, 3, r as u32 % 12, r) {
                Decoded::Unparsable => bad += 1,
                Decoded::MissingField("amount") => missing += 1,
                Decoded::Event { amount, .. } => {
                    assert!((5..=500).contains(&amount));
                    total += u64::from(amount);
                }
                other => panic!("{other:?}"),
            }
        }
        assert!((1_800..2_200).contains(&bad), "{bad}");
        assert!((2_700..3_300).contains(&missing), "{missing}");
        let mean = total as f64 / f64::from(n as u32 - bad - missing);
        assert!((240.0..265.0).contains(&mean), "{mean}");
        assert!(render(
            decode(&model(EventType::Click, 0.0, 0.0), 0, 0, 1),
            "user-1"
        )
        .starts_with(r#"{"type":"click","user":"user-1""#));
    }

    #[test]
    fn rendered_values_parse_back() {
        for kind in [EventType::Click, EventType::View, EventType::Purchase] {
            let m = model(kind, 0.0, 0.0);
            for r in 0..200 {
                let d = decode(&m, 1, 3, r);
                assert_eq!(parse(&render(d, "user-9")), Some(d), "{d:?}");
            }
        }
        assert_eq!(parse(r#"{"type":"cli"#), None);
        assert_eq!(parse("hello"), None);
        assert_eq!(parse(r#"{"type":"click","user":"u"}"#), None, "no page");
    }

    #[test]
    fn a_bad_model_names_the_field() {
        let mut m = model(EventType::Click, 60.0, 50.0);
        assert!(m
            .validate()
            .unwrap_err()
            .to_string()
            .contains("add up to more than 100"));
        m.malformed_percent = -1.0;
        assert!(m
            .validate()
            .unwrap_err()
            .to_string()
            .contains("events.malformed_percent is -1"));
        m = model(EventType::Purchase, 0.0, 0.0);
        m.amount_min = 600;
        assert!(m
            .validate()
            .unwrap_err()
            .to_string()
            .contains("events.amount_min (600)"));
    }
}
