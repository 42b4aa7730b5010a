//! What a screen reader hears of a running simulation: a few short sentences about what matters
//! (a group finished rebalancing, a broker died or was fenced, partitions elected leaders, a
//! transaction aborted, a group fell behind or caught up), never the clock or the flood of
//! requests. The page puts the latest lines in a polite live region; the same lines are plain
//! strings here so that they are tested without a browser.

use crate::event::{Event, EventKind};
use crate::view::{ConsumerView, GroupView, Snapshot};

/// A group with more than this many records left to read is announced as falling behind ...
pub const LAG_BEHIND: u64 = 1_000;
/// ... and once it is back under this many, as caught up (apart, so that a lag hovering around
/// one threshold is not announced at every commit).
pub const LAG_CAUGHT_UP: u64 = 100;
/// At most this many sentences are spoken at once; a burst keeps its newest.
pub const MAX_LINES: usize = 3;

/// Remembers which groups were announced as behind, between calls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Narrator {
    behind: Vec<String>,
}

impl Narrator {
    /// Sentences for a run of events, oldest first. Leader elections of one instant (a broker
    /// death moves many leaderships at once) are counted in one sentence.
    pub fn events<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) -> Vec<String> {
        let mut lines = Vec::new();
        let mut elections: Vec<String> = Vec::new();
        let flush = |elections: &mut Vec<String>, lines: &mut Vec<String>| {
            match elections.len() {
                0 => {}
                1..=3 => lines.push(format!("New leader for {}.", elections.join(", "))),
                n => lines.push(format!("{n} partitions elected new leaders.")),
            }
            elections.clear();
        };
        for e in events {
            if let EventKind::LeaderElected {
                tp,
                leader: Some(_),
                unclean: false,
                ..
            } = &e.kind
            {
                elections.push(tp.to_string());
                continue;
            }
            if let Some(line) = sentence(&e.kind) {
                flush(&mut elections, &mut lines);
                lines.push(line);
            }
        }
        flush(&mut elections, &mut lines);
        lines
    }

    /// Sentences for groups whose unread records crossed a threshold since the last call.
    pub fn lag(&mut self, snapshot: &Snapshot) -> Vec<String> {
        let mut lines = Vec::new();
        for g in &snapshot.groups {
            let unread = unread(g, &snapshot.consumers);
            let was_behind = self.behind.contains(&g.group_id);
            if !was_behind && unread > LAG_BEHIND {
                self.behind.push(g.group_id.clone());
                lines.push(format!(
                    "Group {} is falling behind: {unread} records not read yet.",
                    g.group_id
                ));
            } else if was_behind && unread < LAG_CAUGHT_UP {
                self.behind.retain(|b| *b != g.group_id);
                lines.push(format!(
                    "Group {} caught up: {unread} records not read yet.",
                    g.group_id
                ));
            }
        }
        // A deleted group is no longer behind.
        let groups = &snapshot.groups;
        self.behind
            .retain(|b| groups.iter().any(|g| g.group_id == *b));
        lines
    }
}

/// Records the group has not read yet: from each owner's position where a member holds the
/// partition, else from the committed offset. Not the committed lag the card shows: that one
/// climbs between auto commits (5 s of records) even for a group that keeps up.
fn unread(g: &GroupView, consumers: &[ConsumerView]) -> u64 {
    let position = |topic: &str, partition: u32| {
        consumers
            .iter()
            .filter(|c| c.group.as_deref() == Some(g.group_id.as_str()))
            .flat_map(|c| c.assigned.iter())
            .find(|a| a.topic == topic && a.partition == partition)
            .and_then(|a| a.position)
    };
    g.partitions
        .iter()
        .map(|p| {
            let from = position(&p.topic, p.partition).or(p.committed);
            from.map_or(0, |o| (p.end_offset - o).max(0) as u64)
        })
        .sum()
}

/// The newest `MAX_LINES` of `lines`, as one announcement.
pub fn announcement(lines: &[String]) -> String {
    let skip = lines.len().saturating_sub(MAX_LINES);
    lines[skip..].join(" ")
}

fn sentence(kind: &EventKind) -> Option<String> {
    use EventKind::*;
    Some(match kind {
        RebalanceCompleted {
            group,
            generation,
            members,
            ..
        } => format!(
            "Group {group} finished rebalancing: generation {generation}, {members} member{}.",
            if *members == 1 { "" } else { "s" }
        ),
        BrokerKilled { broker } => format!("Broker {broker} was killed."),
        BrokerFenced { broker } => {
            format!("The controller fenced broker {broker}: it loses its leaderships.")
        }
        BrokerRestarted { broker } => format!("Broker {broker} restarted."),
        LeaderElected {
            tp, leader: None, ..
        } => format!("{tp} has no leader: no in-sync replica is alive."),
        LeaderElected {
            tp,
            leader: Some(b),
            unclean: true,
            records_dropped,
            ..
        } => format!(
            "Unclean election: broker {b} leads {tp}, and {records_dropped} records are lost."
        ),
        TxnStateChanged {
            transactional_id,
            to,
            ..
        } if to == "CompleteAbort" => format!("Transaction of {transactional_id} aborted."),
        TransactionTimedOut {
            transactional_id, ..
        } => format!("Transaction of {transactional_id} timed out; the coordinator aborts it."),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::Tp;

    fn event(kind: EventKind) -> Event {
        Event {
            seq: 0,
            time: 0,
            kind,
        }
    }

    fn elected(partition: u32) -> Event {
        event(EventKind::LeaderElected {
            tp: Tp {
                topic: "orders".into(),
                partition,
            },
            leader: Some(2),
            epoch: 1,
            unclean: false,
            isr: vec![2],
            records_dropped: 0,
        })
    }

    #[test]
    fn a_broker_death_is_one_sentence_and_its_elections_another() {
        let mut n = Narrator::default();
        let mut run = vec![event(EventKind::BrokerFenced { broker: 1 })];
        run.extend((0..5).map(elected));
        assert_eq!(
            n.events(&run),
            vec![
                "The controller fenced broker 1: it loses its leaderships.".to_string(),
                "5 partitions elected new leaders.".to_string()
            ]
        );
        assert_eq!(
            n.events(&[elected(3)]),
            vec!["New leader for orders-3.".to_string()]
        );
    }

    #[test]
    fn requests_and_heartbeats_are_not_spoken() {
        let mut n = Narrator::default();
        let quiet = event(EventKind::Heartbeat {
            group: "g".into(),
            member: "m".into(),
            error: None,
        });
        assert!(n.events(&[quiet]).is_empty());
    }

    #[test]
    fn an_announcement_keeps_the_newest_lines() {
        let lines: Vec<String> = (1..=5).map(|i| format!("{i}.")).collect();
        assert_eq!(announcement(&lines), "3. 4. 5.");
    }
}
