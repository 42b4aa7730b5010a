//! Share groups as the page and the lessons read them: each member's work, each
//! share-partition's window (SPSO to SPEO, with every in-flight record's state and delivery
//! count), and what the group accepted, archived and got out of order.

use serde::Serialize;

use crate::share::RecordState;
use crate::sim::Simulation;

/// How many in-flight records a share-partition view lists.
pub const WINDOW_SHOWN: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShareMemberView {
    pub name: String,
    pub alive: bool,
    pub processing_us: u64,
    pub in_hand: u64,
    pub fetches: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub accepted: u64,
    pub released: u64,
    pub rejected: u64,
    pub ack_failed: u64,
    pub poison_key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InFlightView {
    pub offset: i64,
    /// AVAILABLE, ACQUIRED, ACKNOWLEDGED or ARCHIVED.
    pub state: String,
    pub delivery_count: u32,
    pub owner: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharePartitionView {
    pub partition: u32,
    /// Share-partition start and end offsets.
    pub spso: i64,
    pub speo: i64,
    pub acquired: u64,
    pub available: u64,
    pub acknowledged: u64,
    pub archived: u64,
    /// The first in-flight records (at most [`WINDOW_SHOWN`]).
    pub window: Vec<InFlightView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShareGroupView {
    pub group: String,
    pub topic: String,
    pub lock_ms: u64,
    pub delivery_limit: u32,
    pub max_in_flight: u32,
    pub members: Vec<ShareMemberView>,
    pub partitions: Vec<SharePartitionView>,
    pub delivered: u64,
    pub redelivered: u64,
    pub accepted: u64,
    pub archived: u64,
    pub in_flight: u64,
    pub order_violations: u64,
}

fn state_name(s: RecordState) -> &'static str {
    match s {
        RecordState::Available => "AVAILABLE",
        RecordState::Acquired => "ACQUIRED",
        RecordState::Acknowledged => "ACKNOWLEDGED",
        RecordState::Archived => "ARCHIVED",
    }
}

impl Simulation {
    pub fn share_group_views(&self) -> Vec<ShareGroupView> {
        let key_text = |k: Option<u32>| k.and_then(|k| self.keys().text(k)).map(|t| t.into_owned());
        self.share_groups()
            .groups
            .iter()
            .map(|g| {
                let partitions: Vec<SharePartitionView> = g
                    .partitions
                    .iter()
                    .enumerate()
                    .map(|(i, (_, sp))| {
                        let count =
                            |s: RecordState| sp.records().filter(|r| r.state == s).count() as u64;
                        SharePartitionView {
                            partition: i as u32,
                            spso: sp.start_offset(),
                            speo: sp.end_offset(),
                            acquired: count(RecordState::Acquired),
                            available: count(RecordState::Available),
                            acknowledged: sp.acknowledged,
                            archived: sp.archived,
                            window: sp
                                .records()
                                .take(WINDOW_SHOWN)
                                .map(|r| InFlightView {
                                    offset: r.offset,
                                    state: state_name(r.state).into(),
                                    delivery_count: r.delivery_count,
                                    owner: r.owner.clone(),
                                })
                                .collect(),
                        }
                    })
                    .collect();
                let members: Vec<ShareMemberView> = g
                    .members
                    .iter()
                    .map(|m| ShareMemberView {
                        name: m.name.clone(),
                        alive: m.alive,
                        processing_us: m.processing_us,
                        in_hand: m.in_hand() as u64,
                        fetches: m.stats.fetches,
                        delivered: m.stats.delivered,
                        redelivered: m.stats.redelivered,
                        accepted: m.stats.accepted,
                        released: m.stats.released,
                        rejected: m.stats.rejected,
                        ack_failed: m.stats.ack_failed,
                        poison_key: key_text(m.poison_key),
                    })
                    .collect();
                ShareGroupView {
                    group: g.name.clone(),
                    topic: self
                        .cluster()
                        .topic(g.topic)
                        .map_or_else(|| "(deleted)".into(), |t| t.name.clone()),
                    lock_ms: g.config.lock_ms,
                    delivery_limit: g.config.delivery_limit,
                    max_in_flight: g.config.max_in_flight,
                    delivered: members.iter().map(|m| m.delivered).sum(),
                    redelivered: members.iter().map(|m| m.redelivered).sum(),
                    accepted: partitions.iter().map(|p| p.acknowledged).sum(),
                    archived: partitions.iter().map(|p| p.archived).sum(),
                    in_flight: partitions.iter().map(|p| p.acquired + p.available).sum(),
                    order_violations: g.order_violations,
                    members,
                    partitions,
                }
            })
            .collect()
    }
}
