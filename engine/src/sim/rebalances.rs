//! Each group's recent rebalances, measured: from the moment the group leaves Stable until it is
//! Stable again, how long each member could not read and how many records it read meanwhile.
//! That is the difference between the eager, cooperative and consumer protocols, in numbers.
//!
//! A rebalance that starts within `CONTINUES_WITHIN_MS` of the last one's end continues it: the
//! cooperative protocol's second round (KIP-429) is part of the same hand-over.

use std::collections::VecDeque;

use serde::Serialize;

use crate::consumer::Consumer;
use crate::ground::small_map::SmallMap;
use crate::ground::Millis;

/// Rebalances kept per group.
const KEPT: usize = 8;
const CONTINUES_WITHIN_MS: Millis = 1_000;

/// One member during one rebalance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberDuring {
    pub consumer: String,
    /// Time within the rebalance without a partition to read from.
    pub stopped_ms: Millis,
    /// Records it handed to the application within the rebalance.
    pub records: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rebalance {
    pub start: Millis,
    /// `None` while it goes on.
    pub end: Option<Millis>,
    /// Filled in when it ends (see `Rebalances::measure` for one that goes on).
    pub members: Vec<MemberDuring>,
    /// Records each consumer (by index) had read when the rebalance began.
    #[serde(skip)]
    baseline: Vec<(u32, u64)>,
}

#[derive(Clone, Debug, Default)]
pub struct Rebalances {
    by_group: SmallMap<String, VecDeque<Rebalance>>,
}

fn members_of<'a>(
    consumers: &'a [Option<Consumer>],
    group: &'a str,
) -> impl Iterator<Item = &'a Consumer> {
    consumers
        .iter()
        .flatten()
        .filter(move |c| c.group_id() == Some(group) && c.in_group())
}

impl Rebalances {
    /// A group changed state.
    pub fn on_state(&mut self, now: Millis, group: &str, to: &str, consumers: &[Option<Consumer>]) {
        let list = self.by_group.entry(group.to_string()).or_default();
        let open = list.back().is_some_and(|r| r.end.is_none());
        match to {
            "Stable" | "Empty" | "Dead" => {
                if let Some(r) = list.back_mut().filter(|_| open) {
                    r.end = Some(now);
                    r.members = measure(r, group, now, consumers);
                }
            }
            _ if !open => {
                if let Some(r) = list
                    .back_mut()
                    .filter(|r| r.end.is_some_and(|e| now <= e + CONTINUES_WITHIN_MS))
                {
                    r.end = None;
                    return;
                }
                if list.len() == KEPT {
                    list.pop_front();
                }
                list.push_back(Rebalance {
                    start: now,
                    end: None,
                    members: Vec::new(),
                    baseline: members_of(consumers, group)
                        .map(|c| (c.index, c.stats.records_consumed))
                        .collect(),
                });
            }
            _ => {}
        }
    }

    /// The group's rebalances, oldest first, one that goes on measured up to `now`.
    pub fn of(&self, group: &str, now: Millis, consumers: &[Option<Consumer>]) -> Vec<Rebalance> {
        self.by_group
            .get(group)
            .map(|l| {
                l.iter()
                    .map(|r| match r.end {
                        Some(_) => r.clone(),
                        None => Rebalance {
                            members: measure(r, group, now, consumers),
                            ..r.clone()
                        },
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Each current member's stop and records within `[r.start, to]`; a member that joined during
/// the rebalance counts from its start.
fn measure(
    r: &Rebalance,
    group: &str,
    to: Millis,
    consumers: &[Option<Consumer>],
) -> Vec<MemberDuring> {
    members_of(consumers, group)
        .map(|c| {
            let before = r
                .baseline
                .iter()
                .find(|(i, _)| *i == c.index)
                .map_or(0, |(_, n)| *n);
            MemberDuring {
                consumer: c.name.clone(),
                stopped_ms: c.reading.stopped_within(r.start, to),
                records: c.stats.records_consumed.saturating_sub(before),
            }
        })
        .collect()
}
