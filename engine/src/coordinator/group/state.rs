//! A classic consumer group as its coordinator holds it (`ClassicGroup`, `ClassicGroupMember`).

use crate::coordinator::consumer_group::ConsumerGroup;
use crate::ground::small_map::SmallMap;

use serde::Serialize;

use crate::ground::Millis;
use crate::ground::PartitionIdx;
use crate::protocol::group::Subscription;
use crate::protocol::{AssignorName, TopicPartition};

/// `ClassicGroupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Member {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    /// The consumer client this member is (where responses go).
    pub client: u32,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<(AssignorName, Subscription)>,
    /// A JoinGroup response is owed (the member is waiting in the join phase).
    pub awaiting_join: bool,
    /// A SyncGroup response is owed.
    pub awaiting_sync: bool,
    pub assignment: Vec<TopicPartition>,
    pub last_heartbeat: Millis,
    /// Joined during the current rebalance.
    pub is_new: bool,
    /// Order of joining, for choosing a new leader.
    pub joined_seq: u64,
}

impl Member {
    /// `ClassicGroupMember.vote`: the first of the member's protocols that is a candidate.
    pub fn vote(&self, candidates: &[AssignorName]) -> AssignorName {
        self.protocols
            .iter()
            .map(|(p, _)| *p)
            .find(|p| candidates.contains(p))
            .expect("a member supports every candidate protocol")
    }

    pub fn subscription(&self, protocol: AssignorName) -> Option<&Subscription> {
        self.protocols
            .iter()
            .find(|(p, _)| *p == protocol)
            .map(|(_, s)| s)
    }

    fn keep_alive_until(&self) -> Option<Millis> {
        if self.awaiting_join || self.awaiting_sync {
            None
        } else {
            Some(self.last_heartbeat + self.session_timeout_ms)
        }
    }

    /// When the member's session expires, unless it is waiting for a response.
    pub fn session_deadline(&self) -> Option<Millis> {
        self.keep_alive_until()
    }
}

/// A committed offset (`OffsetAndMetadata`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CommittedOffset {
    pub offset: i64,
    /// The committed leader epoch (KIP-320), when the committer knew it.
    pub leader_epoch: Option<i32>,
    pub commit_time: Millis,
}

/// What the join phase is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinTimer {
    /// `InitialDelayedJoin`: a new group waits `group.initial.rebalance.delay.ms`, again for each
    /// member that arrives meanwhile, until `remaining` runs out.
    Initial {
        deadline: Millis,
        delay: u64,
        remaining: u64,
    },
    /// `DelayedJoin`: completes when everyone rejoined, or at the rebalance timeout.
    Rebalance { deadline: Millis },
}

impl JoinTimer {
    pub fn deadline(self) -> Millis {
        match self {
            JoinTimer::Initial { deadline, .. } | JoinTimer::Rebalance { deadline } => deadline,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub group_id: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<AssignorName>,
    pub leader: Option<String>,
    pub members: SmallMap<String, Member>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, not yet joined, and until when.
    pub pending_members: SmallMap<String, Millis>,
    /// group.instance.id -> member id.
    pub static_members: SmallMap<String, String>,
    pub offsets: SmallMap<PartitionIdx, CommittedOffset>,
    /// Offsets committed inside open transactions, by producer id (KIP-98): applied by the
    /// COMMIT marker, dropped by ABORT.
    pub pending_txn_offsets: SmallMap<i64, SmallMap<PartitionIdx, i64>>,
    pub join_timer: Option<JoinTimer>,
    pub new_member_added: bool,
    /// CompletingRebalance gives up on members that never sent SyncGroup by this time.
    pub sync_deadline: Option<Millis>,
    pub next_join_seq: u64,
    pub state_since: Millis,
    /// The group speaks the consumer group protocol (KIP-848): its members, epochs and target
    /// live here and the classic fields above stay empty.
    pub consumer: Option<ConsumerGroup>,
}

impl Group {
    pub fn new(group_id: String, now: Millis) -> Self {
        Group {
            group_id,
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: SmallMap::new(),
            pending_members: SmallMap::new(),
            static_members: SmallMap::new(),
            offsets: SmallMap::new(),
            pending_txn_offsets: SmallMap::new(),
            join_timer: None,
            new_member_added: false,
            sync_deadline: None,
            next_join_seq: 0,
            state_since: now,
            consumer: None,
        }
    }

    /// The state as `kafka-consumer-groups` prints it, whichever protocol the group speaks.
    pub fn state_name(&self) -> &'static str {
        match &self.consumer {
            Some(c) => c.state().as_str(),
            None => self.state.as_str(),
        }
    }

    /// Has members (offsets cannot be reset nor the group deleted).
    pub fn is_active(&self) -> bool {
        match &self.consumer {
            Some(c) => !c.members.is_empty(),
            None => self.state != GroupState::Empty && self.state != GroupState::Dead,
        }
    }

    /// `group.protocol` the group speaks.
    pub fn group_protocol(&self) -> crate::protocol::GroupProtocol {
        match self.consumer {
            Some(_) => crate::protocol::GroupProtocol::Consumer,
            None => crate::protocol::GroupProtocol::Classic,
        }
    }

    /// The longest rebalance timeout of the members (how long the join phase may take).
    pub fn rebalance_timeout(&self) -> u64 {
        self.members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// Protocols every member supports (`candidateProtocols`), in a fixed order.
    pub fn candidate_protocols(&self) -> Vec<AssignorName> {
        let mut it = self.members.values();
        let Some(first) = it.next() else {
            return Vec::new();
        };
        let mut c: Vec<AssignorName> = first.protocols.iter().map(|(p, _)| *p).collect();
        for m in it {
            c.retain(|p| m.protocols.iter().any(|(q, _)| q == p));
        }
        crate::ground::sort::sort(&mut c);
        c
    }

    /// Whether a joining member's protocols fit the group (some protocol in common).
    pub fn supports_protocols(&self, protocols: &[(AssignorName, Subscription)]) -> bool {
        if self.members.is_empty() {
            return !protocols.is_empty();
        }
        let candidates = self.candidate_protocols();
        protocols.iter().any(|(p, _)| candidates.contains(p))
    }

    /// `selectProtocol`: each member votes for its first candidate; the most votes wins. Kafka
    /// breaks ties by hash map order; here the tie goes to the name that sorts first.
    pub fn select_protocol(&self) -> Option<AssignorName> {
        let candidates = self.candidate_protocols();
        if candidates.is_empty() {
            return None;
        }
        let mut votes: SmallMap<AssignorName, u32> = SmallMap::new();
        for m in self.members.values() {
            *votes.entry(m.vote(&candidates)).or_default() += 1;
        }
        let best = votes.values().copied().max()?;
        votes.into_iter().find(|(_, v)| *v == best).map(|(p, _)| p)
    }

    /// All known members have rejoined and nobody is still between MEMBER_ID_REQUIRED and join.
    pub fn has_all_members_joined(&self) -> bool {
        self.members.values().all(|m| m.awaiting_join) && self.pending_members.is_empty()
    }

    pub fn is_static_member(&self, member_id: &str) -> bool {
        self.members
            .get(member_id)
            .is_some_and(|m| m.group_instance_id.is_some())
    }
}
