//! Markers: the moments of a session worth jumping to, read from its events as it runs.
//!
//! Rebalances (by generation), leader elections, broker kills and restarts, transaction commits
//! and aborts, fault rules and offset resets. Markers of one kind close together become one (a
//! broker's death elects a leader for each of its partitions in the same instant; an
//! exactly-once processor commits every 100 ms), so a long session keeps a readable, bounded
//! list.

use serde::Serialize;

use crate::event::{Event, EventKind};
use crate::ground::Millis;

/// Markers of the same kind (and group) this close are shown as one.
pub const MERGE_WITHIN_MS: Millis = 1_000;
/// The most markers a session keeps; the oldest go first.
pub const MAX_MARKERS: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    Rebalance,
    LeaderElection,
    BrokerKilled,
    BrokerRestarted,
    TransactionCommitted,
    TransactionAborted,
    FaultRules,
    OffsetReset,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Marker {
    /// When it happened (the first of those merged).
    pub time: Millis,
    /// The event it was read from (the first of those merged).
    pub seq: u64,
    pub kind: MarkerKind,
    /// The group, for rebalances; empty otherwise.
    pub subject: String,
    /// How many events it stands for.
    pub count: u32,
    /// What happened, in Kafka's words.
    pub text: String,
}

/// The marker an event makes, if any.
fn marker_of(e: &Event) -> Option<(MarkerKind, String, String)> {
    Some(match &e.kind {
        EventKind::RebalanceCompleted {
            group, generation, ..
        } => (
            MarkerKind::Rebalance,
            group.clone(),
            format!("group {group}: rebalance completed, generation {generation}"),
        ),
        EventKind::GroupEpochBumped { group, epoch, .. } => (
            MarkerKind::Rebalance,
            group.clone(),
            format!("group {group}: group epoch {epoch}"),
        ),
        EventKind::LeaderElected {
            tp, leader, epoch, ..
        } => (
            MarkerKind::LeaderElection,
            String::new(),
            match leader {
                Some(b) => format!("{tp}: broker {b} elected leader (epoch {epoch})"),
                None => format!("{tp}: no leader (epoch {epoch})"),
            },
        ),
        EventKind::BrokerKilled { broker } => (
            MarkerKind::BrokerKilled,
            String::new(),
            format!("broker {broker} killed"),
        ),
        EventKind::BrokerRestarted { broker } => (
            MarkerKind::BrokerRestarted,
            String::new(),
            format!("broker {broker} restarted"),
        ),
        EventKind::EndTxn {
            transactional_id,
            commit,
            error: None,
            ..
        } => (
            if *commit {
                MarkerKind::TransactionCommitted
            } else {
                MarkerKind::TransactionAborted
            },
            String::new(),
            format!(
                "transaction of {transactional_id} {}",
                if *commit { "committed" } else { "aborted" }
            ),
        ),
        EventKind::TransactionTimedOut {
            transactional_id, ..
        } => (
            MarkerKind::TransactionAborted,
            String::new(),
            format!("transaction of {transactional_id} timed out and aborted"),
        ),
        EventKind::FaultsChanged { rules } => (
            MarkerKind::FaultRules,
            String::new(),
            match rules {
                0 => "network faults cleared".to_string(),
                1 => "1 network fault rule in force".to_string(),
                n => format!("{n} network fault rules in force"),
            },
        ),
        EventKind::OffsetsReset {
            group,
            partitions,
            to,
        } => (
            MarkerKind::OffsetReset,
            group.clone(),
            format!("group {group}: offsets of {partitions} partition(s) reset to {to}"),
        ),
        _ => return None,
    })
}

/// Adds the marker `e` makes to `markers`, merging it into the last one of its kind and subject
/// when that is close enough.
pub fn collect(markers: &mut Vec<Marker>, e: &Event) {
    let Some((kind, subject, text)) = marker_of(e) else {
        return;
    };
    // Rebalances stay apart: each generation is a moment of its own.
    if kind != MarkerKind::Rebalance {
        if let Some(m) = markers
            .iter_mut()
            .rev()
            .take_while(|m| e.time - m.time <= MERGE_WITHIN_MS)
            .find(|m| m.kind == kind && m.subject == subject)
        {
            m.count += 1;
            m.text = merged_text(&kind, m.count, &m.text);
            return;
        }
    }
    if markers.len() == MAX_MARKERS {
        markers.remove(0);
    }
    markers.push(Marker {
        time: e.time,
        seq: e.seq,
        kind,
        subject,
        count: 1,
        text,
    });
}

fn merged_text(kind: &MarkerKind, n: u32, first: &str) -> String {
    match kind {
        MarkerKind::LeaderElection => format!("leaders elected for {n} partitions"),
        MarkerKind::TransactionCommitted => format!("{n} transactions committed"),
        MarkerKind::TransactionAborted => format!("{n} transactions aborted"),
        MarkerKind::BrokerKilled => format!("{n} brokers killed"),
        MarkerKind::BrokerRestarted => format!("{n} brokers restarted"),
        _ => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::Tp;

    fn ev(seq: u64, time: Millis, kind: EventKind) -> Event {
        Event { seq, time, kind }
    }

    fn elected(p: u32) -> EventKind {
        EventKind::LeaderElected {
            tp: Tp {
                topic: "t".into(),
                partition: p,
            },
            leader: Some(2),
            epoch: 1,
            unclean: false,
            isr: vec![2],
            records_dropped: 0,
        }
    }

    #[test]
    fn elections_in_one_instant_are_one_marker_and_rebalances_stay_apart() {
        let mut m = Vec::new();
        for p in 0..8 {
            collect(&mut m, &ev(p, 5_000, elected(p as u32)));
        }
        for g in 1..=2 {
            collect(
                &mut m,
                &ev(
                    10 + g as u64,
                    5_100,
                    EventKind::RebalanceCompleted {
                        group: "g".into(),
                        generation: g,
                        protocol: "range".into(),
                        leader: "c-1".into(),
                        members: 1,
                    },
                ),
            );
        }
        collect(&mut m, &ev(20, 9_000, elected(0)));
        let kinds: Vec<_> = m.iter().map(|m| (m.time, m.count)).collect();
        assert_eq!(kinds, [(5_000, 8), (5_100, 1), (5_100, 1), (9_000, 1)]);
        assert_eq!(m[0].text, "leaders elected for 8 partitions");
        assert_eq!(m[2].text, "group g: rebalance completed, generation 2");
    }

    #[test]
    fn the_list_is_bounded_and_drops_the_oldest() {
        let mut m = Vec::new();
        for i in 0..(MAX_MARKERS as u64 + 10) {
            collect(&mut m, &ev(i, i * 2_000, elected(0)));
        }
        assert_eq!(m.len(), MAX_MARKERS);
        assert_eq!(m[0].time, 20_000);
    }

    #[test]
    fn events_that_are_no_moment_make_no_marker() {
        let mut m = Vec::new();
        collect(
            &mut m,
            &ev(
                0,
                0,
                EventKind::BrokerSlowed {
                    broker: 1,
                    delay_ms: 5,
                },
            ),
        );
        assert!(m.is_empty());
    }
}
