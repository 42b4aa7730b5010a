//! A queue's declaration: its type and the `x-` arguments that shape it (RW `docs/queues.md`,
//! `docs/ttl.md`, `docs/maxlength/index.md`, `docs/dlx.md`, `docs/quorum-queues/index.md`), checked
//! as RabbitMQ checks them: a value it would refuse is refused here with the argument's name and
//! what it takes, and the queue is not declared.

use crate::ground::quote::quoted;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueType {
    /// Single copy; requeue near its original place; no delivery limit.
    Classic,
    /// Raft-replicated (group size 3 by default); a delivery limit of 20 by default in 4.x.
    Quorum,
}

/// What a full queue does with one message too many (`x-overflow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Drop (or dead-letter) the oldest ready message: the default.
    DropHead,
    /// Refuse the newest: a confirm-mode publisher gets a `basic.nack`.
    RejectPublish,
    /// Refuse the newest and dead-letter it (classic queues only).
    RejectPublishDlx,
}

/// How a quorum queue dead-letters (`x-dead-letter-strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadLetterStrategy {
    AtMostOnce,
    /// Needs `x-overflow=reject-publish`; with drop-head it falls back to at-most-once.
    AtLeastOnce,
}

/// The quorum queues' default delivery limit since RabbitMQ 4.0.
pub const DEFAULT_DELIVERY_LIMIT: i64 = 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueArgs {
    pub queue_type: QueueType,
    /// `x-message-ttl`: milliseconds a message may wait (0: only if a consumer takes it at once).
    pub message_ttl: Option<u64>,
    /// `x-expires`: an unused queue is deleted after this many milliseconds (at least 1).
    pub expires: Option<u64>,
    /// `x-max-length`: most ready messages.
    pub max_length: Option<u64>,
    /// `x-max-length-bytes`: most bytes of ready message bodies.
    pub max_length_bytes: Option<u64>,
    pub overflow: Overflow,
    /// `x-dead-letter-exchange` (may be `""`, the default exchange).
    pub dead_letter_exchange: Option<String>,
    /// `x-dead-letter-routing-key`; without it the message's own routing keys.
    pub dead_letter_routing_key: Option<String>,
    pub dead_letter_strategy: DeadLetterStrategy,
    /// `x-delivery-limit` (quorum): redeliveries before dead-lettering; -1 turns it off.
    pub delivery_limit: Option<i64>,
    /// `x-single-active-consumer`.
    pub single_active_consumer: bool,
}

impl Default for QueueArgs {
    fn default() -> Self {
        QueueArgs {
            queue_type: QueueType::Classic,
            message_ttl: None,
            expires: None,
            max_length: None,
            max_length_bytes: None,
            overflow: Overflow::DropHead,
            dead_letter_exchange: None,
            dead_letter_routing_key: None,
            dead_letter_strategy: DeadLetterStrategy::AtMostOnce,
            delivery_limit: None,
            single_active_consumer: false,
        }
    }
}

/// An `x-` argument as a declaration gives it: a number, a string or a boolean.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    Int(i64),
    Str(String),
    Bool(bool),
}

impl serde::Serialize for ArgValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ArgValue::Int(n) => s.serialize_i64(*n),
            ArgValue::Str(t) => s.serialize_str(t),
            ArgValue::Bool(b) => s.serialize_bool(*b),
        }
    }
}

/// A declaration's arguments in the order given, written as a JSON object
/// (`{"x-queue-type": "quorum", "x-delivery-limit": 5}`), as scenario files give them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Arguments(pub Vec<(String, ArgValue)>);

impl serde::Serialize for Arguments {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl QueueArgs {
    /// The arguments of a `queue.declare`, read and checked.
    pub fn parse(args: &[(String, ArgValue)]) -> Result<QueueArgs, String> {
        let mut q = QueueArgs::default();
        let get = |name: &str| args.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        // The type first: what is allowed depends on it.
        match get("x-queue-type") {
            None => {}
            Some(ArgValue::Str(t)) if t == "classic" => {}
            Some(ArgValue::Str(t)) if t == "quorum" => q.queue_type = QueueType::Quorum,
            Some(ArgValue::Str(t)) if t == "stream" => {
                return Err(
                    "x-queue-type stream is out of scope here: a stream is a log that \
                            replays, which is what the Kafka side shows"
                        .into(),
                )
            }
            Some(v) => return Err(bad("x-queue-type", v, "classic or quorum")),
        }
        let quorum = q.queue_type == QueueType::Quorum;
        for (name, value) in args {
            match name.as_str() {
                "x-queue-type" => {}
                "x-message-ttl" => q.message_ttl = Some(non_negative(name, value)?),
                "x-expires" => match value {
                    ArgValue::Int(n) if *n >= 1 => q.expires = Some(*n as u64),
                    v => return Err(bad(name, v, "a whole number of milliseconds, at least 1")),
                },
                "x-max-length" => q.max_length = Some(non_negative(name, value)?),
                "x-max-length-bytes" => q.max_length_bytes = Some(non_negative(name, value)?),
                "x-overflow" => {
                    q.overflow = match value {
                        ArgValue::Str(s) if s == "drop-head" => Overflow::DropHead,
                        ArgValue::Str(s) if s == "reject-publish" => Overflow::RejectPublish,
                        ArgValue::Str(s) if s == "reject-publish-dlx" && !quorum => {
                            Overflow::RejectPublishDlx
                        }
                        ArgValue::Str(s) if s == "reject-publish-dlx" => {
                            return Err("x-overflow reject-publish-dlx is for classic queues; a \
                                        quorum queue takes drop-head or reject-publish"
                                .into())
                        }
                        v => {
                            return Err(bad(
                                name,
                                v,
                                "drop-head, reject-publish or reject-publish-dlx",
                            ))
                        }
                    }
                }
                "x-dead-letter-exchange" => q.dead_letter_exchange = Some(string(name, value)?),
                "x-dead-letter-routing-key" => {
                    q.dead_letter_routing_key = Some(string(name, value)?)
                }
                "x-dead-letter-strategy" if !quorum => {
                    return Err("x-dead-letter-strategy is for quorum queues".into())
                }
                "x-dead-letter-strategy" => {
                    q.dead_letter_strategy = match value {
                        ArgValue::Str(s) if s == "at-most-once" => DeadLetterStrategy::AtMostOnce,
                        ArgValue::Str(s) if s == "at-least-once" => DeadLetterStrategy::AtLeastOnce,
                        v => return Err(bad(name, v, "at-most-once or at-least-once")),
                    }
                }
                "x-delivery-limit" if !quorum => {
                    return Err(
                        "x-delivery-limit is for quorum queues (a classic queue has no \
                                poison-message limit)"
                            .into(),
                    )
                }
                "x-delivery-limit" => match value {
                    ArgValue::Int(n) if *n >= -1 => q.delivery_limit = Some(*n),
                    v => return Err(bad(name, v, "a whole number from 0, or -1 for no limit")),
                },
                "x-single-active-consumer" => match value {
                    ArgValue::Bool(b) => q.single_active_consumer = *b,
                    v => return Err(bad(name, v, "true or false")),
                },
                other => {
                    return Err(format!(
                        "{} is not a queue argument this model knows; it takes x-queue-type, \
                         x-message-ttl, x-expires, x-max-length, x-max-length-bytes, x-overflow, \
                         x-dead-letter-exchange, x-dead-letter-routing-key, \
                         x-dead-letter-strategy, x-delivery-limit and x-single-active-consumer",
                        quoted(other)
                    ))
                }
            }
        }
        if q.dead_letter_routing_key.is_some() && q.dead_letter_exchange.is_none() {
            return Err("x-dead-letter-routing-key needs x-dead-letter-exchange".into());
        }
        Ok(q)
    }

    /// The delivery limit in force: a quorum queue's (20 unless set; `None` when -1 turns it
    /// off), none for a classic queue.
    pub fn effective_delivery_limit(&self) -> Option<u64> {
        match (self.queue_type, self.delivery_limit) {
            (QueueType::Classic, _) => None,
            (QueueType::Quorum, Some(-1)) => None,
            (QueueType::Quorum, Some(n)) => Some(n.max(0) as u64),
            (QueueType::Quorum, None) => Some(DEFAULT_DELIVERY_LIMIT as u64),
        }
    }

    /// Whether dead-lettering is at least once: a quorum queue asking for it with
    /// `reject-publish` overflow (with drop-head it falls back to at most once).
    pub fn dead_letters_at_least_once(&self) -> bool {
        self.queue_type == QueueType::Quorum
            && self.dead_letter_strategy == DeadLetterStrategy::AtLeastOnce
            && self.overflow == Overflow::RejectPublish
    }
}

fn shown(v: &ArgValue) -> String {
    match v {
        ArgValue::Int(n) => n.to_string(),
        ArgValue::Str(s) => quoted(s).to_string(),
        ArgValue::Bool(b) => b.to_string(),
    }
}

fn bad(name: &str, v: &ArgValue, takes: &str) -> String {
    format!("{name} is {}; it takes {takes}", shown(v))
}

fn non_negative(name: &str, v: &ArgValue) -> Result<u64, String> {
    match v {
        ArgValue::Int(n) if *n >= 0 => Ok(*n as u64),
        v => Err(bad(name, v, "a whole number from 0")),
    }
}

fn string(name: &str, v: &ArgValue) -> Result<String, String> {
    match v {
        ArgValue::Str(s) if s.len() <= super::exchange::MAX_NAME_BYTES => Ok(s.clone()),
        v => Err(bad(name, v, "a name of at most 255 bytes")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, ArgValue)]) -> Vec<(String, ArgValue)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_quorum_queue_has_a_delivery_limit_of_20_unless_told() {
        // docs/quorum-queues/index.md: "default 20 since 4.0"; -1 disables it.
        let q =
            QueueArgs::parse(&args(&[("x-queue-type", ArgValue::Str("quorum".into()))])).unwrap();
        assert_eq!(q.effective_delivery_limit(), Some(20));
        let off = QueueArgs::parse(&args(&[
            ("x-queue-type", ArgValue::Str("quorum".into())),
            ("x-delivery-limit", ArgValue::Int(-1)),
        ]))
        .unwrap();
        assert_eq!(off.effective_delivery_limit(), None);
        assert_eq!(
            QueueArgs::default().effective_delivery_limit(),
            None,
            "classic: none"
        );
    }

    #[test]
    fn the_arguments_are_read() {
        let q = QueueArgs::parse(&args(&[
            ("x-queue-type", ArgValue::Str("quorum".into())),
            ("x-message-ttl", ArgValue::Int(60_000)),
            ("x-max-length", ArgValue::Int(1000)),
            ("x-overflow", ArgValue::Str("reject-publish".into())),
            ("x-dead-letter-exchange", ArgValue::Str("dlx".into())),
            (
                "x-dead-letter-routing-key",
                ArgValue::Str("orders.dead".into()),
            ),
            (
                "x-dead-letter-strategy",
                ArgValue::Str("at-least-once".into()),
            ),
            ("x-single-active-consumer", ArgValue::Bool(true)),
        ]))
        .unwrap();
        assert_eq!(q.message_ttl, Some(60_000));
        assert_eq!(q.max_length, Some(1000));
        assert_eq!(q.overflow, Overflow::RejectPublish);
        assert!(q.dead_letters_at_least_once());
        assert!(q.single_active_consumer);
        // docs/dlx.md: at-least-once needs reject-publish; with drop-head it is at most once.
        let drop = QueueArgs::parse(&args(&[
            ("x-queue-type", ArgValue::Str("quorum".into())),
            ("x-dead-letter-exchange", ArgValue::Str("dlx".into())),
            (
                "x-dead-letter-strategy",
                ArgValue::Str("at-least-once".into()),
            ),
        ]))
        .unwrap();
        assert!(!drop.dead_letters_at_least_once());
    }

    #[test]
    fn a_bad_argument_is_named_with_what_it_takes() {
        let cases = [
            (vec![("x-message-ttl", ArgValue::Int(-5))], "x-message-ttl is -5; it takes a whole number from 0"),
            (vec![("x-expires", ArgValue::Int(0))], "x-expires is 0; it takes a whole number of milliseconds, at least 1"),
            (vec![("x-overflow", ArgValue::Str("drop-tail".into()))], "x-overflow is \"drop-tail\"; it takes drop-head, reject-publish or reject-publish-dlx"),
            (vec![("x-queue-type", ArgValue::Str("lazy".into()))], "x-queue-type is \"lazy\"; it takes classic or quorum"),
            (vec![("x-delivery-limit", ArgValue::Int(5))], "x-delivery-limit is for quorum queues"),
            (
                vec![("x-queue-type", ArgValue::Str("quorum".into())), ("x-overflow", ArgValue::Str("reject-publish-dlx".into()))],
                "reject-publish-dlx is for classic queues",
            ),
            (
                vec![("x-queue-type", ArgValue::Str("quorum".into())), ("x-delivery-limit", ArgValue::Int(-2))],
                "x-delivery-limit is -2; it takes a whole number from 0, or -1 for no limit",
            ),
            (vec![("x-dead-letter-routing-key", ArgValue::Str("k".into()))], "needs x-dead-letter-exchange"),
            (vec![("x-max-priority", ArgValue::Int(10))], "\"x-max-priority\" is not a queue argument this model knows"),
            (vec![("x-single-active-consumer", ArgValue::Str("yes".into()))], "takes true or false"),
            (vec![("x-queue-type", ArgValue::Str("stream".into()))], "out of scope"),
        ];
        for (pairs, wanted) in cases {
            let e = QueueArgs::parse(&args(&pairs)).unwrap_err();
            assert!(e.contains(wanted), "{e}\n wanted: {wanted}");
        }
    }
}
