//! Share groups in the simulation (KIP-932, Kafka 4.2): members of a share group fetch from every
//! partition of the topic (the `simple` assignor of 4.2 gives every member all partitions), the
//! partition's leader acquires records for them under a lock, and each member acknowledges what it
//! processed in its next fetch (`share.acknowledgement.mode=implicit`: the next `poll()` accepts
//! the last batch; a record the application fails on is RELEASEd or REJECTed explicitly).
//!
//! Reference section 6. Each ShareFetch crosses the cluster's network delay each way, as one
//! request for all partitions (Kafka sends one per leader). A fetch that finds nothing waits at
//! the broker up to `fetch.max.wait.ms` for records, as a consumer's fetch does. A crashed member's
//! records stay locked until `share.record.lock.duration.ms` runs out: then another member gets
//! them, with their delivery count raised.

use std::collections::{BTreeMap, VecDeque};

use super::partition::{AcknowledgeType, ShareConfig, SharePartition};
use crate::cluster::Cluster;
use crate::ground::quote::quoted;
use crate::ground::{Millis, PartitionIdx, TopicId};
use crate::log::{KeyId, NULL_KEY};

/// `max.poll.records` of a `KafkaShareConsumer`: records one fetch may acquire.
pub const MAX_POLL_RECORDS: usize = 500;
/// `fetch.max.wait.ms`: how long an empty ShareFetch waits at the broker.
pub const FETCH_MAX_WAIT_MS: Millis = 500;
/// How often a waiting ShareFetch looks again for records.
const RECHECK_MS: Millis = 5;

/// A record handed to a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub partition: u32,
    pub offset: i64,
    pub key: Option<KeyId>,
    pub delivery_count: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShareMemberStats {
    pub fetches: u64,
    /// Records acquired for it (first deliveries and redeliveries).
    pub delivered: u64,
    /// Of those, with a delivery count above 1.
    pub redelivered: u64,
    pub accepted: u64,
    pub released: u64,
    pub rejected: u64,
    /// Acknowledgements refused (`INVALID_RECORD_STATE`): its lock had run out first.
    pub ack_failed: u64,
}

/// A `KafkaShareConsumer`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareMember {
    pub name: String,
    pub processing_us: u64,
    /// Records with this key fail in the application.
    pub poison_key: Option<KeyId>,
    /// What it answers for them: RELEASE (try again elsewhere) or REJECT (archive).
    pub poison_ack: AcknowledgeType,
    /// False once crashed: its locks run out in their own time.
    pub alive: bool,
    inbox: VecDeque<Delivered>,
    free_at_us: u64,
    work_at: Option<Millis>,
    /// Acknowledgements for the next fetch.
    acks: Vec<(u32, i64, AcknowledgeType)>,
    pub stats: ShareMemberStats,
}

impl ShareMember {
    pub fn new(name: &str, processing_us: u64) -> ShareMember {
        ShareMember {
            name: name.to_string(),
            processing_us,
            poison_key: None,
            poison_ack: AcknowledgeType::Release,
            alive: true,
            inbox: VecDeque::new(),
            free_at_us: 0,
            work_at: None,
            acks: Vec::new(),
            stats: ShareMemberStats::default(),
        }
    }

    /// Records in hand, not yet processed.
    pub fn in_hand(&self) -> usize {
        self.inbox.len()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShareGroup {
    pub name: String,
    pub topic: TopicId,
    pub config: ShareConfig,
    /// `share.auto.offset.reset=earliest` (else `latest`).
    pub earliest: bool,
    /// Share-partitions by partition number.
    pub partitions: Vec<(PartitionIdx, SharePartition)>,
    pub members: Vec<ShareMember>,
    /// Records processed after a later record of their key (any member): no order.
    pub order_violations: u64,
    key_order: BTreeMap<KeyId, i64>,
    /// The partition the next fetch starts at, so that members take turns across partitions.
    cursor: usize,
}

impl ShareGroup {
    fn member(&mut self, name: &str) -> Option<&mut ShareMember> {
        self.members.iter_mut().find(|m| m.name == name && m.alive)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Pending {
    /// A ShareFetch (carrying acknowledgements) reaches the leaders.
    Fetch {
        group: String,
        member: String,
        acks: Vec<(u32, i64, AcknowledgeType)>,
        waiting_since: Millis,
    },
    /// Acquired records reach the member.
    Records {
        group: String,
        member: String,
        records: Vec<Delivered>,
    },
    /// The member's application may have finished records.
    Work { group: String, member: String },
    /// Locks may have run out.
    Expire { group: String },
}

/// Every share group of the simulation, on one agenda.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareGroups {
    delay_ms: Millis,
    pub groups: Vec<ShareGroup>,
    agenda: BTreeMap<(Millis, u64), Pending>,
    next: u64,
}

impl ShareGroups {
    pub fn new(delay_ms: Millis) -> ShareGroups {
        ShareGroups {
            delay_ms,
            groups: Vec::new(),
            agenda: BTreeMap::new(),
            next: 0,
        }
    }

    pub fn group(&self, name: &str) -> Option<&ShareGroup> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.agenda.keys().next().map(|(t, _)| *t)
    }

    fn at(&mut self, t: Millis, p: Pending) {
        self.agenda.insert((t, self.next), p);
        self.next += 1;
    }

    fn group_mut(&mut self, name: &str) -> Option<&mut ShareGroup> {
        self.groups.iter_mut().find(|g| g.name == name)
    }

    /// A member joins share group `group` on `topic` (creating the group with `config` and its
    /// start, `earliest` or `latest`, when it is the first); it sends its first ShareFetch now.
    pub fn join(
        &mut self,
        group: &str,
        topic: TopicId,
        config: ShareConfig,
        earliest: bool,
        member: ShareMember,
        now: Millis,
    ) -> Result<(), String> {
        config.validate()?;
        if self
            .groups
            .iter()
            .flat_map(|g| &g.members)
            .any(|m| m.name == member.name)
        {
            return Err(format!(
                "there is a share consumer {} already",
                quoted(&member.name)
            ));
        }
        match self.group_mut(group) {
            Some(g) if g.topic != topic => {
                return Err(format!(
                    "share group {} reads another topic; a share group here reads one",
                    quoted(group)
                ))
            }
            Some(g) => g.members.push(member.clone()),
            None => self.groups.push(ShareGroup {
                name: group.to_string(),
                topic,
                config,
                earliest,
                partitions: Vec::new(),
                members: vec![member.clone()],
                order_violations: 0,
                key_order: BTreeMap::new(),
                cursor: 0,
            }),
        }
        let (group, member) = (group.to_string(), member.name);
        let t = now + self.delay_ms;
        self.at(
            t,
            Pending::Fetch {
                group,
                member,
                acks: Vec::new(),
                waiting_since: t,
            },
        );
        Ok(())
    }

    /// The member's process dies: what it has in hand is never acknowledged, and its locks run
    /// out after `share.record.lock.duration.ms`.
    pub fn crash(&mut self, member: &str) -> Result<(), String> {
        for g in &mut self.groups {
            if let Some(m) = g.member(member) {
                m.alive = false;
                m.inbox.clear();
                m.acks.clear();
                return Ok(());
            }
        }
        Err(format!(
            "there is no running share consumer {}",
            quoted(member)
        ))
    }

    pub fn set_processing_us(&mut self, member: &str, us: u64) -> bool {
        for g in &mut self.groups {
            if let Some(m) = g.member(member) {
                m.processing_us = us;
                return true;
            }
        }
        false
    }

    /// Does everything due up to `now`, reading the logs in `cluster`.
    pub fn on_timer(&mut self, now: Millis, cluster: &Cluster) {
        while let Some(entry) = self.agenda.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((t, _), p) = entry.remove_entry();
            match p {
                Pending::Fetch {
                    group,
                    member,
                    acks,
                    waiting_since,
                } => self.fetch(t, cluster, &group, &member, acks, waiting_since),
                Pending::Records {
                    group,
                    member,
                    records,
                } => self.receive(t, &group, &member, records),
                Pending::Work { group, member } => self.work(t, &group, &member),
                Pending::Expire { group } => {
                    if let Some(g) = self.group_mut(&group) {
                        for (_, sp) in &mut g.partitions {
                            sp.expire_locks(t);
                        }
                    }
                }
            }
        }
    }

    /// At the leaders: the acknowledgements applied, then records acquired for the member.
    fn fetch(
        &mut self,
        now: Millis,
        cluster: &Cluster,
        group: &str,
        member: &str,
        acks: Vec<(u32, i64, AcknowledgeType)>,
        waiting_since: Millis,
    ) {
        let delay = self.delay_ms;
        let Some(g) = self.group_mut(group) else {
            return;
        };
        let Some(topic) = cluster.topic(g.topic) else {
            return;
        };
        // The first fetch initializes the share-partitions at share.auto.offset.reset;
        // partitions added to the topic later start at their beginning.
        let grown = !g.partitions.is_empty();
        for &p in topic.partitions.iter().skip(g.partitions.len()) {
            let part = cluster.partition(p);
            let start = match part {
                Some(part) if g.earliest || grown => part.log.log_start_offset(),
                Some(part) => part.high_watermark,
                None => 0,
            };
            g.partitions.push((p, SharePartition::new(start, g.config)));
        }
        let mut failed = 0;
        let mut done = [0u64; 3];
        for (partition, offset, kind) in acks {
            let Some((_, sp)) = g.partitions.get_mut(partition as usize) else {
                continue;
            };
            match sp.acknowledge(member, offset, kind, now) {
                Ok(()) => done[kind as usize] += 1,
                Err(_) => failed += 1,
            }
        }
        let n = g.partitions.len();
        let mut got = Vec::new();
        for k in 0..n {
            let slot = (g.cursor + k) % n;
            let (p, sp) = &mut g.partitions[slot];
            let Some(part) = cluster.partition(*p).filter(|p| p.leader.is_some()) else {
                continue;
            };
            sp.log_start_moved(part.log.log_start_offset());
            let room = MAX_POLL_RECORDS - got.len();
            for a in sp.acquire(member, part.high_watermark, room, now) {
                let record = part.log.batch_at(a.offset).and_then(|b| {
                    let meta = b.records.get((a.offset - b.base_offset) as usize)?;
                    b.control.is_none().then_some(meta.key)
                });
                match record {
                    Some(key) => got.push(Delivered {
                        partition: slot as u32,
                        offset: a.offset,
                        key: (key != NULL_KEY).then_some(key),
                        delivery_count: a.delivery_count,
                    }),
                    // A transaction marker, or a record compacted away: nothing to deliver.
                    None => {
                        let _ = sp.acknowledge(member, a.offset, AcknowledgeType::Accept, now);
                    }
                }
            }
            if got.len() == MAX_POLL_RECORDS {
                break;
            }
        }
        g.cursor = (g.cursor + 1) % n.max(1);
        let lock_ms = g.config.lock_ms;
        if let Some(m) = g.member(member) {
            m.stats.fetches += 1;
            m.stats.accepted += done[AcknowledgeType::Accept as usize];
            m.stats.released += done[AcknowledgeType::Release as usize];
            m.stats.rejected += done[AcknowledgeType::Reject as usize];
            m.stats.ack_failed += failed;
        }
        let (group, member) = (group.to_string(), member.to_string());
        if got.is_empty() && now < waiting_since + FETCH_MAX_WAIT_MS {
            self.at(
                now + RECHECK_MS,
                Pending::Fetch {
                    group,
                    member,
                    acks: Vec::new(),
                    waiting_since,
                },
            );
            return;
        }
        if !got.is_empty() {
            self.at(
                now + lock_ms,
                Pending::Expire {
                    group: group.clone(),
                },
            );
        }
        self.at(
            now + delay,
            Pending::Records {
                group,
                member,
                records: got,
            },
        );
    }

    fn receive(&mut self, now: Millis, group: &str, member: &str, records: Vec<Delivered>) {
        let delay = self.delay_ms;
        let Some(m) = self.group_mut(group).and_then(|g| g.member(member)) else {
            return; // crashed meanwhile: the locks will run out
        };
        if records.is_empty() {
            // Nothing within fetch.max.wait.ms: poll() returns empty and polls again.
            let t = now + delay;
            let (group, member) = (group.to_string(), member.to_string());
            self.at(
                t,
                Pending::Fetch {
                    group,
                    member,
                    acks: Vec::new(),
                    waiting_since: t,
                },
            );
            return;
        }
        for r in &records {
            m.stats.delivered += 1;
            if r.delivery_count > 1 {
                m.stats.redelivered += 1;
            }
        }
        m.free_at_us = m.free_at_us.max(now * 1000);
        m.inbox.extend(records);
        self.schedule_work(now, group, member);
    }

    fn schedule_work(&mut self, now: Millis, group: &str, member: &str) {
        let Some(m) = self.group_mut(group).and_then(|g| g.member(member)) else {
            return;
        };
        if m.inbox.is_empty() {
            return;
        }
        let t = (m.free_at_us + m.processing_us).div_ceil(1000).max(now);
        if m.work_at.is_some_and(|w| w <= t && w >= now) {
            return;
        }
        m.work_at = Some(t);
        let (group, member) = (group.to_string(), member.to_string());
        self.at(t, Pending::Work { group, member });
    }

    /// The application finishes what is due; once the batch is done, the next poll() sends the
    /// acknowledgements with the next fetch.
    fn work(&mut self, now: Millis, group: &str, member: &str) {
        let delay = self.delay_ms;
        let Some(g) = self.group_mut(group) else {
            return;
        };
        let Some(i) = g.members.iter().position(|m| m.name == member && m.alive) else {
            return;
        };
        let m = &mut g.members[i];
        if m.work_at == Some(now) {
            m.work_at = None;
        }
        let mut accepted = Vec::new();
        while !m.inbox.is_empty() && m.free_at_us + m.processing_us <= now * 1000 {
            let Some(r) = m.inbox.pop_front() else { break };
            m.free_at_us += m.processing_us;
            let poison = r.key.is_some() && r.key == m.poison_key;
            let kind = if poison {
                m.poison_ack
            } else {
                AcknowledgeType::Accept
            };
            m.acks.push((r.partition, r.offset, kind));
            if kind == AcknowledgeType::Accept {
                accepted.push(r);
            }
        }
        let batch_done = m.inbox.is_empty();
        let acks = if batch_done {
            std::mem::take(&mut m.acks)
        } else {
            Vec::new()
        };
        for r in accepted {
            let Some(k) = r.key else { continue };
            let seen = g.key_order.entry(k).or_insert(-1);
            if *seen > r.offset {
                g.order_violations += 1;
            } else {
                *seen = r.offset;
            }
        }
        let (group, member) = (group.to_string(), member.to_string());
        if batch_done {
            let t = now + delay;
            self.at(
                t,
                Pending::Fetch {
                    group,
                    member,
                    acks,
                    waiting_since: t,
                },
            );
        } else {
            self.schedule_work(now, &group, &member);
        }
    }
}
