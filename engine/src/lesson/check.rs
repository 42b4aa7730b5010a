//! A lesson's checks: small expressions over the snapshot that say whether a step's point shows
//! ("the lag grew") or a task is done ("the lag fell back to zero"). A check is text in the
//! lesson file, so its format is small and written out in `docs/lessons.md`:
//!
//! ```text
//! check   = clause { "and" clause }
//! clause  = subject metric op value
//! subject = "group" NAME | "partition" TOPIC-N | "topic" NAME | "producer" NAME
//!         | "consumer" NAME | "processor" NAME | "broker" ID | "key" KEY "on" TOPIC
//!         | "queue" NAME | "rabbit_consumer" NAME | "publisher" PRODUCER      (RabbitMQ)
//!         | "share_group" NAME                                                (KIP-932)
//!         | "streams_app" APPLICATION-ID                                      (Kafka Streams)
//!         | "view" NAME                                               (a materialized view)
//! op      = "==" | "!=" | "<" | "<=" | ">" | ">="
//! value   = a number, or a word for `state` (`group billing state == Stable`)
//! ```
//!
//! `group billing lag == 0`, `partition orders-0 hw >= 10`, `key user-42 on orders partition == 3`,
//! `group billing rebalances >= 2 and group billing duplicates == 0`. Every metric is listed in
//! [`METRICS`]; a misspelt one is refused when the lesson is read, naming what exists, so a lesson
//! cannot carry a check that never holds for want of a typo.

use std::fmt;

mod rabbit;

use crate::ground::hash::{murmur2, to_positive};
use crate::ground::quote::quoted;
use crate::view::Snapshot;

/// What each subject can be asked, for messages and the documentation.
pub const METRICS: [(&str, &[&str]); 14] = [
    (
        "group",
        &[
            "lag",
            "generation",
            "rebalances",
            "members",
            "state",
            "produced",
            "consumed",
            "duplicates",
            "lost",
            "gaps",
            "order_violations",
            "aborted_seen",
            "not_yet_consumed",
            "committed",
        ],
    ),
    (
        "partition",
        &[
            "hw",
            "leo",
            "lso",
            "start",
            "records",
            "isr",
            "leader",
            "leader_epoch",
            "lag",
        ],
    ),
    ("topic", &["partitions", "records"]),
    (
        "producer",
        &[
            "sent",
            "acked",
            "failed",
            "batches",
            "requests",
            "retries",
            "avg_batch_records",
            "avg_request_batches",
            "epoch",
            "state",
            "latency_p50",
            "latency_p99",
            "latency_max",
            "committed_transactions",
            "aborted_transactions",
        ],
    ),
    (
        "consumer",
        &["partitions", "lag", "consumed", "commits", "generation"],
    ),
    (
        "processor",
        &["processed", "transactions", "crashes", "incarnation"],
    ),
    ("broker", &["alive", "leader_of"]),
    ("key", &["partition"]),
    (
        "queue",
        &[
            "ready",
            "unacked",
            "consumers",
            "enqueued",
            "refused",
            "delivered",
            "redelivered",
            "acked",
            "dead_lettered",
            "dropped",
            "order_violations",
        ],
    ),
    (
        "rabbit_consumer",
        &[
            "delivered",
            "redelivered",
            "acked",
            "rejected",
            "unacked",
            "backlog",
            "latency_p50",
            "latency_p99",
            "ack_latency_p50",
            "ack_latency_p99",
        ],
    ),
    (
        "share_group",
        &[
            "members",
            "delivered",
            "redelivered",
            "accepted",
            "archived",
            "in_flight",
            "order_violations",
        ],
    ),
    (
        "view",
        &[
            "rows",
            "keys",
            "applied",
            "lag",
            "latency_p50",
            "latency_p99",
        ],
    ),
    (
        "streams_app",
        &[
            "processed",
            "dropped",
            "dead_lettered",
            "skipped",
            "outputs",
            "restored",
            "running",
            "failed",
            "restoring",
            "lag",
            "repartitioned",
        ],
    ),
    (
        "publisher",
        &[
            "published",
            "acked",
            "nacked",
            "unroutable",
            "unconfirmed",
            "confirm_p50",
            "confirm_p99",
        ],
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Word(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// `group`, `partition`, ...
    pub kind: &'static str,
    /// The group's, topic's, client's name; `orders-0` for a partition; the key for `key`.
    pub name: String,
    /// The topic a key is placed on (`key K on T`).
    pub on: Option<String>,
    pub metric: String,
    pub op: Op,
    pub value: Value,
}

/// A parsed check: every clause must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub clauses: Vec<Clause>,
    /// As written, for messages.
    pub text: String,
}

/// How a check came out, clause by clause: whether it holds, and what each subject showed.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub holds: bool,
    /// One line per clause that does not hold ("group billing lag is 37, not == 0"), or what
    /// could not be found ("there is no group billing").
    pub unmet: Vec<String>,
}

impl Check {
    pub fn parse(text: &str) -> Result<Check, String> {
        let mut clauses = Vec::new();
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Err("the check is empty".into());
        }
        for part in words.split(|w| *w == "and") {
            clauses.push(clause(part)?);
        }
        Ok(Check {
            clauses,
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        })
    }

    /// Evaluates the check against a snapshot.
    pub fn eval(&self, s: &Snapshot) -> Outcome {
        let mut unmet = Vec::new();
        for c in &self.clauses {
            match measure(c, s) {
                Err(e) => unmet.push(e),
                Ok(found) if c.holds_for(&found) => {}
                Ok(found) => unmet.push(format!(
                    "{} {} {} is {found}, not {} {}",
                    c.kind,
                    c.shown_name(),
                    c.metric,
                    c.op,
                    c.value
                )),
            }
        }
        Outcome {
            holds: unmet.is_empty(),
            unmet,
        }
    }
}

impl Clause {
    fn shown_name(&self) -> String {
        match &self.on {
            Some(t) => format!("{} on {t}", self.name),
            None => self.name.clone(),
        }
    }

    fn holds_for(&self, found: &Value) -> bool {
        match (found, &self.value) {
            (Value::Number(a), Value::Number(b)) => match self.op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Lt => a < b,
                Op::Le => a <= b,
                Op::Gt => a > b,
                Op::Ge => a >= b,
            },
            (Value::Word(a), Value::Word(b)) => match self.op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                _ => false,
            },
            _ => false,
        }
    }
}

fn clause(words: &[&str]) -> Result<Clause, String> {
    let usage = "a clause is: subject name metric op value (as `group billing lag == 0`)";
    let (kind, name, on, rest) = match words {
        ["key", key, "on", topic, rest @ ..] => ("key", *key, Some(topic.to_string()), rest),
        ["key", ..] => return Err("a key's clause is: key KEY on TOPIC partition == N".into()),
        [kind, name, rest @ ..] => (*kind, *name, None, rest),
        _ => {
            return Err(format!(
                "{} is too short; {usage}",
                quoted(&words.join(" "))
            ))
        }
    };
    let Some((kind, metrics)) = METRICS.iter().find(|(k, _)| *k == kind) else {
        let kinds: Vec<&str> = METRICS.iter().map(|(k, _)| *k).collect();
        return Err(format!(
            "{} is not a subject; the subjects are {}",
            quoted(kind),
            kinds.join(", ")
        ));
    };
    let [metric, op, value] = rest else {
        return Err(format!(
            "{} should be followed by a metric, an operator and a value; {usage}",
            quoted(&format!("{kind} {name}"))
        ));
    };
    if !metrics.contains(metric) {
        return Err(format!(
            "a {kind} has no metric {}; it has {}",
            quoted(metric),
            metrics.join(", ")
        ));
    }
    let op = match *op {
        "==" => Op::Eq,
        "!=" => Op::Ne,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        other => {
            return Err(format!(
                "{} is not an operator; the operators are == != < <= > >=",
                quoted(other)
            ))
        }
    };
    let value = match value.parse::<f64>() {
        Ok(n) if n.is_finite() => Value::Number(n),
        _ if *metric == "state" && matches!(op, Op::Eq | Op::Ne) => Value::Word(value.to_string()),
        _ => {
            return Err(format!(
                "{} is not a number (only `state` compares with a word, by == or !=)",
                quoted(value)
            ))
        }
    };
    if kind == &"partition" && split_partition(name).is_none() {
        return Err(format!(
            "{} is not a partition; write it as TOPIC-N (orders-0)",
            quoted(name)
        ));
    }
    Ok(Clause {
        kind,
        name: name.to_string(),
        on,
        metric: metric.to_string(),
        op,
        value,
    })
}

/// `orders-0` -> ("orders", 0).
fn split_partition(name: &str) -> Option<(&str, u32)> {
    let (topic, n) = name.rsplit_once('-')?;
    Some((topic, n.parse().ok()?))
}

pub(super) fn num(n: impl Into<f64>) -> Result<Value, String> {
    Ok(Value::Number(n.into()))
}

pub(super) fn count(n: u64) -> Result<Value, String> {
    num(n as f64)
}

/// What `c`'s subject shows in `s`.
fn measure(c: &Clause, s: &Snapshot) -> Result<Value, String> {
    let missing = || format!("there is no {} {}", c.kind, c.shown_name());
    let m = c.metric.as_str();
    match c.kind {
        "group" => {
            let g = s
                .groups
                .iter()
                .find(|g| g.group_id == c.name)
                .ok_or_else(missing)?;
            let a = &g.audit;
            match m {
                // Lag needs a committed offset: a group that has not committed a partition yet
                // has no lag there, which is not 0.
                "lag" if g.partitions.iter().any(|p| p.lag.is_none()) => Err(format!(
                    "group {} lag is not known yet (a partition without a committed offset)",
                    c.name
                )),
                "lag" => count(g.total_lag),
                "generation" => num(g.generation),
                "rebalances" => count(g.rebalances.len() as u64),
                "members" => count(g.members.len() as u64),
                "state" => Ok(Value::Word(g.state.clone())),
                "produced" => count(a.produced),
                "consumed" => count(a.consumed),
                "duplicates" => count(a.duplicates),
                "lost" => count(a.lost),
                "gaps" => count(a.gaps),
                "order_violations" => count(a.order_violations),
                "aborted_seen" => count(a.aborted_seen),
                "not_yet_consumed" => count(a.not_yet_consumed),
                _ => count(
                    g.partitions
                        .iter()
                        .filter_map(|p| p.committed)
                        .map(|c| c.max(0) as u64)
                        .sum(),
                ),
            }
        }
        "partition" => {
            let (topic, n) = split_partition(&c.name).ok_or_else(missing)?;
            let p = s
                .topics
                .iter()
                .find(|t| t.name == topic)
                .and_then(|t| t.partitions.iter().find(|p| p.partition == n))
                .ok_or_else(missing)?;
            match m {
                "hw" => num(p.high_watermark as f64),
                "leo" => num(p.log_end_offset as f64),
                "lso" => num(p.last_stable_offset as f64),
                "start" => num(p.log_start_offset as f64),
                "records" => count(p.records),
                "isr" => count(p.isr.len() as u64),
                "leader" => num(p.leader.map_or(-1.0, f64::from)),
                "leader_epoch" => num(p.leader_epoch),
                // Summed over the groups reading it; not known while one has no committed
                // offset there.
                _ => s
                    .groups
                    .iter()
                    .flat_map(|g| &g.partitions)
                    .filter(|gp| gp.topic == topic && gp.partition == n)
                    .map(|gp| gp.lag.map(|l| l.max(0) as u64))
                    .sum::<Option<u64>>()
                    .map_or_else(
                        || {
                            Err(format!(
                                "partition {} lag is not known yet (a group without a committed \
                                 offset there)",
                                c.name
                            ))
                        },
                        count,
                    ),
            }
        }
        "topic" => {
            let t = s
                .topics
                .iter()
                .find(|t| t.name == c.name)
                .ok_or_else(missing)?;
            match m {
                "partitions" => count(t.partitions.len() as u64),
                _ => count(t.partitions.iter().map(|p| p.records).sum()),
            }
        }
        "producer" => {
            let p = s
                .producers
                .iter()
                .find(|p| p.name == c.name)
                .ok_or_else(missing)?;
            let st = &p.stats;
            match m {
                "sent" => count(st.records_sent),
                "acked" => count(st.records_acked),
                "failed" => count(st.records_failed),
                "batches" => count(st.batches_sent),
                "requests" => count(st.requests_sent),
                "retries" => count(st.batch_retries),
                "avg_batch_records" => num(p.avg_batch_records),
                "avg_request_batches" => num(p.avg_request_batches),
                "epoch" => num(p.producer_epoch.map_or(-1.0, f64::from)),
                // Send to acknowledgement, over the last five to ten seconds (ms).
                "latency_p50" => count(p.latency.p50_ms),
                "latency_p99" => count(p.latency.p99_ms),
                "latency_max" => count(p.latency.max_ms),
                // The transaction state (READY, IN_TRANSACTION, FATAL_ERROR, ...); NONE when
                // not transactional.
                "state" => Ok(Value::Word(
                    p.transaction_state.clone().unwrap_or_else(|| "NONE".into()),
                )),
                "committed_transactions" => count(p.transactions_committed),
                _ => count(p.transactions_aborted),
            }
        }
        "consumer" => {
            let k = s
                .consumers
                .iter()
                .find(|k| k.name == c.name)
                .ok_or_else(missing)?;
            match m {
                "partitions" => count(k.assigned.len() as u64),
                // A partition just assigned has no position until its offset is fetched: the
                // consumer's lag is not known then, rather than 0.
                "lag" => match k.assigned.iter().map(|a| a.lag).collect::<Option<Vec<_>>>() {
                    Some(lags) => count(lags.iter().map(|&l| l.max(0) as u64).sum()),
                    None => Err(format!(
                        "consumer {} lag is not known yet (a partition without a position)",
                        c.name
                    )),
                },
                "consumed" => count(k.stats.records_consumed),
                "commits" => count(k.stats.commits),
                _ => num(k.generation.map_or(-1.0, f64::from)),
            }
        }
        "processor" => {
            let p = s
                .processors
                .iter()
                .find(|p| p.name == c.name)
                .ok_or_else(missing)?;
            match m {
                "processed" => count(p.stats.records_processed),
                "transactions" => count(p.stats.transactions_committed),
                "crashes" => count(p.stats.crashes),
                _ => count(u64::from(p.incarnation)),
            }
        }
        "queue" | "rabbit_consumer" | "publisher" => rabbit::measure(c, s),
        "streams_app" => {
            let a = s
                .streams
                .iter()
                .find(|a| a.application_id == c.name)
                .ok_or_else(missing)?;
            let instances =
                |state: &str| a.instances.iter().filter(|i| i.state == state).count() as u64;
            count(match m {
                "processed" => a.processed,
                "dropped" => a.dropped,
                "dead_lettered" => a.dead_lettered,
                "skipped" => a.skipped,
                "outputs" => a.outputs,
                "restored" => a.restored,
                "repartitioned" => a.repartitioned,
                "running" => a.instances.len() as u64 - instances("CRASHED") - instances("FAILED"),
                "failed" => instances("FAILED"),
                "lag" => a
                    .instances
                    .iter()
                    .flat_map(|i| &i.tasks)
                    .filter_map(|t| t.lag)
                    .sum::<i64>() as u64,
                _ => a
                    .instances
                    .iter()
                    .flat_map(|i| &i.tasks)
                    .filter(|t| t.restoring)
                    .count() as u64,
            })
        }
        "view" => {
            let v = s
                .views
                .iter()
                .find(|v| v.name == c.name)
                .ok_or_else(missing)?;
            count(match m {
                "rows" => v.rows,
                "keys" => v.keys,
                "applied" => v.applied,
                "lag" => v.lag as u64,
                "latency_p50" => v.latency.p50_ms,
                _ => v.latency.p99_ms,
            })
        }
        "share_group" => {
            let g = s
                .share_groups
                .iter()
                .find(|g| g.group == c.name)
                .ok_or_else(missing)?;
            count(match m {
                "members" => g.members.iter().filter(|m| m.alive).count() as u64,
                "delivered" => g.delivered,
                "redelivered" => g.redelivered,
                "accepted" => g.accepted,
                "archived" => g.archived,
                "in_flight" => g.in_flight,
                _ => g.order_violations,
            })
        }
        "broker" => {
            let b = s
                .brokers
                .iter()
                .find(|b| b.id.to_string() == c.name)
                .ok_or_else(missing)?;
            match m {
                "alive" => count(u64::from(b.alive)),
                _ => count(u64::from(b.leader_of)),
            }
        }
        _ => {
            let topic = c.on.as_deref().unwrap_or_default();
            let t = s
                .topics
                .iter()
                .find(|t| t.name == topic)
                .ok_or_else(|| format!("there is no topic {topic}"))?;
            let n = t.partitions.len().max(1) as i32;
            count((to_positive(murmur2(c.name.as_bytes())) % n) as u64)
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => write!(f, "{}", *n as i64),
            Value::Number(n) => write!(f, "{n:.2}"),
            Value::Word(w) => f.write_str(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_read_clause_by_clause() {
        let c = Check::parse("group billing lag == 0 and partition orders-3 hw >= 10").unwrap();
        assert_eq!(c.clauses.len(), 2);
        assert_eq!(c.clauses[0].kind, "group");
        assert_eq!(c.clauses[0].metric, "lag");
        assert_eq!(c.clauses[1].name, "orders-3");
        assert_eq!(c.clauses[1].op, Op::Ge);
        let k = Check::parse("key user-42 on orders partition == 3").unwrap();
        assert_eq!(k.clauses[0].on.as_deref(), Some("orders"));
        let s = Check::parse("group billing state == Stable").unwrap();
        assert_eq!(s.clauses[0].value, Value::Word("Stable".into()));
    }

    #[test]
    fn a_bad_check_says_what_exists() {
        let cases = [
            ("", "the check is empty"),
            (
                "group billing lagg == 0",
                "a group has no metric \"lagg\"; it has lag, generation",
            ),
            (
                "groop billing lag == 0",
                "\"groop\" is not a subject; the subjects are group, partition",
            ),
            ("group billing lag = 0", "\"=\" is not an operator"),
            ("group billing lag == lots", "\"lots\" is not a number"),
            (
                "partition orders hw > 1",
                "\"orders\" is not a partition; write it as TOPIC-N",
            ),
            (
                "group billing lag",
                "should be followed by a metric, an operator and a value",
            ),
            (
                "key user-1 partition == 2",
                "a key's clause is: key KEY on TOPIC",
            ),
        ];
        for (text, wanted) in cases {
            let e = Check::parse(text).expect_err(text);
            assert!(e.contains(wanted), "{text}: {e}");
        }
    }

    #[test]
    fn a_key_lands_where_murmur2_puts_it() {
        // Kafka's DefaultPartitioner: toPositive(murmur2(key)) % partitions.
        let n = 6;
        let want = to_positive(murmur2(b"user-42")) % n;
        let mut sim =
            crate::sim::Simulation::new(1, crate::cluster::ClusterConfig::default()).unwrap();
        sim.apply(crate::action::Action::CreateTopic {
            name: "orders".into(),
            partitions: n as u32,
            config: Default::default(),
        })
        .unwrap();
        let s = sim.snapshot();
        let yes = Check::parse(&format!("key user-42 on orders partition == {want}")).unwrap();
        assert!(yes.eval(&s).holds);
        let no = Check::parse(&format!(
            "key user-42 on orders partition == {}",
            (want + 1) % n
        ))
        .unwrap();
        let out = no.eval(&s);
        assert!(!out.holds);
        assert_eq!(
            out.unmet,
            vec![format!(
                "key user-42 on orders partition is {want}, not == {}",
                (want + 1) % n
            )]
        );
        let missing = Check::parse("group billing lag == 0").unwrap().eval(&s);
        assert_eq!(missing.unmet, vec!["there is no group billing"]);
    }
}
