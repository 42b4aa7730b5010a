//! The consumer client and the application loop around it.
//!
//! The application calls `poll()`, processes what it got (taking `sim.processing.time.us` a
//! record), commits if it commits by hand, and polls again. Inside `poll()` the consumer does
//! what `KafkaConsumer` does: keep group membership (join, sync, rejoin), auto-commit when due,
//! look up committed offsets for new partitions, hand out at most `max.poll.records` records from
//! fetched data, and send new fetches for partitions without buffered data. A heartbeat thread
//! runs beside it. Position (next record to hand out) and committed offset (what the group
//! coordinator stored) are separate, as in Kafka.
//!
//! Simplifications: ListOffsets (for `auto.offset.reset`) is answered from current metadata
//! without a round trip; the coordinator is found with one FindCoordinator round trip and never
//! moves; commits are asynchronous except the one before an eager rejoin.

pub mod assignors;
pub mod config;
mod fetcher;
mod group_heartbeat;
mod membership;
pub mod reading;
mod validation;

use serde::Serialize;

pub use config::{ConsumerConfig, OffsetResetStrategy};
pub use membership::{MemberState, Membership};

use crate::ground::{BrokerId, PartitionIdx};
use crate::ground::{Millis, Tp};
use crate::party::Ctx;
use crate::protocol::Message;

/// A partition currently assigned to the consumer.
/// The timeout the application passes to `poll(Duration)`: a poll that got nothing returns after
/// it, and the application's loop polls again. Without it a member with no partitions would never
/// look at the group again (a changed subscription's metadata, a topic created anew).
pub const POLL_TIMEOUT_MS: Millis = 1_000;

#[derive(Clone, Debug)]
pub struct Assigned {
    pub partition: PartitionIdx,
    pub tp: Tp,
    /// Next offset to hand to the application; `None` until fetched or reset.
    pub position: Option<i64>,
    pub offset_lookup: OffsetLookup,
    /// Fetched data not handed out yet: `next..end`.
    pub buffered: Option<(i64, i64)>,
    /// Last offset this consumer committed for the partition.
    pub committed: Option<i64>,
    /// The leader epoch the position was last validated in (`FetchPosition.currentLeader`):
    /// when metadata shows another, the position is validated again (KIP-320).
    pub leader_epoch: Option<i32>,
    /// The leader epoch of the record before the position (`FetchPosition.offsetEpoch`), what
    /// `OffsetsForLeaderEpoch` asks the new leader about; `None` when unknown (after a reset or
    /// a committed offset), and then there is nothing to validate.
    pub offset_epoch: Option<i32>,
    pub validation: Validation,
    /// `pause()`d: not fetched, nothing handed out, heartbeats go on. Per partition as in
    /// Kafka: a partition assigned later starts unpaused, and an eager rebalance, which revokes
    /// everything, ends every pause.
    pub paused: bool,
    /// To be revoked once the commit before revocation is answered (consumer protocol,
    /// `markPendingRevocation`): neither fetched nor handed out meanwhile.
    pub pending_revocation: bool,
}

impl Assigned {
    /// Fetched from and handed out: neither paused nor about to be revoked.
    pub fn fetchable(&self) -> bool {
        !self.paused && !self.pending_revocation
    }
}

/// Where a position stands in KIP-320's validation (`SubscriptionState` FETCHING and
/// AWAIT_VALIDATION): a partition awaiting validation is not fetched from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validation {
    Valid,
    /// The leader changed: ask it where the position's epoch ends.
    Needed,
    /// `OffsetsForLeaderEpoch` sent for this position in this leader epoch.
    InFlight {
        position: i64,
        leader_epoch: i32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetLookup {
    /// Ask the group coordinator for the committed offset.
    NeedsFetch,
    InFlight,
    Done,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConsumerStats {
    /// Records handed to the application (redeliveries counted again).
    pub records_consumed: u64,
    pub polls: u64,
    pub last_poll_records: u32,
    pub fetch_requests: u64,
    pub commits: u64,
    pub rebalances: u64,
    /// End-to-end latency of the last seconds: from a record's timestamp (its `send()`) to
    /// `poll()` handing it to the application.
    #[serde(skip)]
    pub latency: crate::ground::latency::LatencyWindow,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub index: u32,
    /// `client.id`.
    pub name: String,
    pub config: ConsumerConfig,
    /// Subscribed topics (group mode) or the topics of the manual assignment.
    pub topics: Vec<String>,
    /// `assign()` mode: the partitions it was given (topic, partition).
    pub manual: Option<Vec<(String, u32)>>,
    pub membership: Option<Membership>,
    /// Sorted by partition index.
    pub assigned: Vec<Assigned>,
    fetches_in_flight: Vec<(u64, BrokerId)>,
    next_request_id: u64,
    /// The application is busy processing until then.
    next_poll: Millis,
    /// The application is blocked in `poll()`, waiting for data or the group.
    waiting: bool,
    last_poll: Millis,
    last_auto_commit: Millis,
    manual_commit_due: bool,
    /// Audit slot of the group (or of the consumer, without a group).
    pub audit_slot: u32,
    pub stats: ConsumerStats,
    pub scheduled: Option<Millis>,
    /// Retry time after an error that needs a backoff.
    backoff_until: Option<Millis>,
    /// The consumer belongs to a processor: polled records are handed over, not just counted.
    pub forward: bool,
    pub handoff: Vec<DeliveredRecord>,
    /// The application (a processor) is busy with the last poll: no poll until released.
    pub hold: bool,
    /// The processor this consumer belongs to.
    pub owner: Option<u32>,
    /// When it could not read (the rebalance timeline's stops).
    pub reading: reading::ReadingLog,
}

/// A record handed to a processor: what it needs to derive its output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveredRecord {
    pub key: crate::log::KeyId,
    pub value_len: u32,
    pub lineage: crate::log::Lineage,
    /// Where it was read: the partition and offset.
    pub from: PartitionIdx,
    pub offset: i64,
    pub timestamp: Millis,
    /// The value, when a user or an application typed it (load records carry only a size).
    pub value: Option<String>,
}

impl Consumer {
    pub fn new(
        index: u32,
        name: String,
        config: ConsumerConfig,
        topics: Vec<String>,
        manual: Option<Vec<(String, u32)>>,
        audit_slot: u32,
        now: Millis,
    ) -> Self {
        let membership = if manual.is_none() {
            config
                .group_id
                .clone()
                .map(|g| Membership::new(g, config.group_protocol))
        } else {
            None
        };
        Consumer {
            index,
            name,
            config,
            topics,
            manual,
            membership,
            assigned: Vec::new(),
            fetches_in_flight: Vec::new(),
            next_request_id: 0,
            next_poll: now,
            waiting: false,
            last_poll: now,
            last_auto_commit: now,
            manual_commit_due: false,
            audit_slot,
            stats: ConsumerStats::default(),
            scheduled: None,
            backoff_until: None,
            forward: false,
            handoff: Vec::new(),
            hold: false,
            owner: None,
            reading: reading::ReadingLog::new(now),
        }
    }

    pub fn group_id(&self) -> Option<&str> {
        self.config.group_id.as_deref()
    }

    /// Whether the consumer takes part in the group protocol.
    pub fn in_group(&self) -> bool {
        self.membership.is_some()
    }

    pub fn is_busy(&self, now: Millis) -> bool {
        !self.waiting && self.next_poll > now
    }

    /// When the application next returns to `poll()`.
    pub fn next_poll_at(&self) -> Millis {
        self.next_poll
    }

    /// When this consumer next needs to run.
    pub fn next_wakeup(&self) -> Option<Millis> {
        let mut next: Option<Millis> = None;
        let mut take = |t: Millis| next = Some(next.map_or(t, |n| n.min(t)));
        if !self.waiting && !self.hold {
            take(self.next_poll);
        }
        if self.waiting && !self.hold {
            take(self.last_poll + POLL_TIMEOUT_MS);
        }
        if let Some(t) = self.backoff_until {
            take(t);
        }
        if let Some(m) = &self.membership {
            if let Some(t) = m.next_heartbeat_due() {
                take(t);
            }
            // An application blocked in poll() is not late (`heartbeat_thread` leaves the
            // group only while it is still processing): no deadline to wake for.
            if m.is_joined() && self.next_poll > self.last_poll {
                take(self.last_poll + self.config.max_poll_interval_ms + 1);
            }
        }
        if self.waiting && self.config.enable_auto_commit && self.has_positions() {
            take(self.last_auto_commit + self.config.auto_commit_interval_ms);
        }
        next
    }

    fn has_positions(&self) -> bool {
        self.assigned.iter().any(|a| a.position.is_some())
    }

    /// Runs whatever is due at `now`: the heartbeat thread, then the application's poll.
    pub fn run(&mut self, ctx: &mut Ctx<'_>) {
        self.run_inner(ctx);
        self.track_reading(ctx.now);
    }

    /// Notes whether the consumer holds anything it may read from now.
    fn track_reading(&mut self, now: Millis) {
        let reading = self.assigned.iter().any(Assigned::fetchable);
        self.reading.update(now, reading);
    }

    fn run_inner(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        self.heartbeat_thread(ctx);
        if let Some(t) = self.backoff_until {
            if t <= now {
                self.backoff_until = None;
                self.waiting = false;
                self.next_poll = self.next_poll.min(now);
            }
        }
        let auto_commit_due = self.config.enable_auto_commit
            && now >= self.last_auto_commit + self.config.auto_commit_interval_ms;
        if self.hold {
            return;
        }
        let timed_out = self.waiting && now >= self.last_poll + POLL_TIMEOUT_MS;
        if (!self.waiting && now >= self.next_poll)
            || (self.waiting && (auto_commit_due || timed_out))
        {
            self.poll(ctx);
        }
    }

    /// `KafkaConsumer.poll()`, followed by the application processing what it returned.
    fn poll(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        self.last_poll = now;
        self.stats.polls += 1;
        self.waiting = true;
        if self.manual_commit_due {
            self.manual_commit_due = false;
            self.commit_positions(ctx);
        }
        // While the group is not ready (no coordinator, a rebalance in progress) the consumer
        // still fetches what it holds, as `KafkaConsumer.poll()` goes on to `pollForFetches`
        // whatever the coordinator's answer: during a cooperative rebalance the partitions a
        // member keeps go on flowing (KIP-429); an eager one has revoked everything already.
        let group_ready = self.membership.is_none() || self.group_poll(ctx);
        let interval = self.config.auto_commit_interval_ms;
        if self.config.enable_auto_commit && now >= self.last_auto_commit + interval {
            if group_ready {
                self.last_auto_commit = now;
                self.commit_positions(ctx);
            } else {
                // No coordinator to commit to: try again after retry.backoff.ms
                // (`nextAutoCommitTimer.updateAndReset(retryBackoffMs)`).
                self.last_auto_commit =
                    (now + self.config.retry_backoff_ms).saturating_sub(interval);
            }
        }
        if group_ready {
            self.update_positions(ctx);
        } else if !self.config.cooperative()
            && self
                .membership
                .as_ref()
                .is_some_and(|m| m.state == membership::MemberState::CommittingBeforeJoin)
        {
            // An eager member's partitions are pending revocation while it commits before
            // rejoining (`maybeMarkPartitionsPendingRevocation`): poll() returns nothing from
            // them. A cooperative member goes on reading what it owns.
            return;
        }
        self.validate_positions_if_needed(ctx);
        let n = self.collect_records(ctx);
        self.send_fetches(ctx);
        self.stats.last_poll_records = n;
        if n > 0 {
            self.waiting = false;
            let busy_us = n as u64 * self.config.processing_us;
            self.next_poll = now + busy_us.div_ceil(1000);
            if !self.config.enable_auto_commit && self.config.commit_after_poll {
                self.manual_commit_due = true;
            }
        }
    }

    /// A response arrived.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: BrokerId, message: Message) {
        match message {
            Message::FetchResponse(resp) => self.on_fetch_response(ctx, from, resp),
            Message::OffsetsForLeaderEpochResponse(resp) => self.on_epoch_end_offsets(ctx, resp),
            Message::GroupResponse(resp) => self.on_group_response(ctx, resp),
            _ => {}
        }
        // A consumer blocked in poll() reacts at once; a busy one at its next poll.
        if self.waiting && self.backoff_until.is_none() && !self.hold {
            self.poll(ctx);
        }
        self.track_reading(ctx.now);
    }

    /// Changes `isolation.level`; data fetched under the old level is dropped and fetched again.
    pub fn set_isolation(&mut self, level: crate::cluster::IsolationLevel) {
        self.config.isolation_level = level;
        for a in &mut self.assigned {
            a.buffered = None;
        }
    }

    /// Metadata changed (a leader moved, a broker died): a consumer blocked in poll() looks
    /// again now instead of at its next response.
    pub fn nudge(&mut self, now: Millis) {
        if self.waiting && !self.hold && self.backoff_until.is_none() {
            self.waiting = false;
            self.next_poll = self.next_poll.min(now);
        }
    }

    /// The application asks for its position to be committed at the next poll (`commitSync`
    /// after a Kafka Streams commit has flushed its producer).
    pub fn request_commit(&mut self) {
        self.manual_commit_due = true;
    }

    /// The processor finished with the last poll: poll again now.
    pub fn release(&mut self, now: Millis) {
        self.hold = false;
        self.waiting = false;
        self.next_poll = now;
    }

    /// `pause(assignment())`: every partition assigned now.
    pub fn pause(&mut self) {
        for a in &mut self.assigned {
            a.paused = true;
        }
    }

    /// `resume(paused())`.
    pub fn resume(&mut self) {
        for a in &mut self.assigned {
            a.paused = false;
        }
    }

    /// Whether any assigned partition is paused (`paused()` is not empty).
    pub fn is_paused(&self) -> bool {
        self.assigned.iter().any(|a| a.paused)
    }

    /// `close()`: commit (with auto commit) and leave the group (dynamic members only).
    pub fn close(&mut self, ctx: &mut Ctx<'_>) {
        if self.config.enable_auto_commit || self.manual_commit_due {
            self.commit_positions(ctx);
        }
        self.leave_group(ctx, "the consumer is being closed");
    }

    /// Consumer-side view of the partitions a topic lost when it was deleted.
    pub fn on_partitions_deleted(&mut self, gone: &[PartitionIdx]) {
        self.assigned.retain(|a| !gone.contains(&a.partition));
    }

    pub fn assignment(&self) -> impl Iterator<Item = &Assigned> {
        self.assigned.iter()
    }

    /// What `sendOffsetsToTransaction` takes: the position of every assigned partition that has
    /// one, and `groupMetadata()` (member id and generation, empty and 0 outside a group).
    pub fn transaction_offsets(&self) -> (Vec<(PartitionIdx, i64)>, String, i32) {
        let offsets = self
            .assigned
            .iter()
            .filter_map(|a| a.position.map(|p| (a.partition, p)))
            .collect();
        let (member_id, generation) = self
            .membership
            .as_ref()
            .map(|m| (m.member_id.clone(), m.generation))
            .unwrap_or_default();
        (offsets, member_id, generation)
    }
}

impl Consumer {
    /// `assign()`: take the given partitions directly, without a group.
    pub fn assign_manual(&mut self, ctx: &Ctx<'_>, tps: &[(String, u32)]) {
        self.set_assignment(ctx, tps);
    }
}
