//! A share-partition (KIP-932, Kafka 4.2): one partition as a share group reads it, queue-like.
//! Following `core/src/main/java/kafka/server/share/SharePartition.java` (reference section 6.2).
//!
//! Members *acquire* records under a time-limited lock instead of owning the partition; each
//! acquisition raises the record's delivery count. A record is ACCEPTed (done), RELEASEd (back to
//! AVAILABLE, unless its count reached the limit: then ARCHIVED) or REJECTed (ARCHIVED). A lock
//! that runs out acts as a release. The share-partition start offset (SPSO) moves only past
//! records that are all done, and new records are acquired only while the window from the SPSO
//! holds fewer than `max_in_flight`: one stuck record at the SPSO can stall the partition.

use std::collections::VecDeque;

use crate::ground::Millis;

/// `RecordState`: AVAILABLE -> ACQUIRED -> AVAILABLE | ACKNOWLEDGED | ARCHIVED; the last two are
/// terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordState {
    Available,
    Acquired,
    Acknowledged,
    Archived,
}

/// `AcknowledgeType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcknowledgeType {
    Accept,
    Release,
    Reject,
}

/// A share group's settings for its partitions (reference section 6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareConfig {
    /// `group.share.record.lock.duration.ms`.
    pub lock_ms: Millis,
    /// `group.share.delivery.count.limit`.
    pub delivery_limit: u32,
    /// `group.share.partition.max.record.locks`.
    pub max_in_flight: u32,
}

impl Default for ShareConfig {
    fn default() -> Self {
        ShareConfig {
            lock_ms: 30_000,
            delivery_limit: 5,
            max_in_flight: 2_000,
        }
    }
}

impl ShareConfig {
    /// The ranges Kafka allows (`ShareGroupConfig`).
    pub fn validate(&self) -> Result<(), String> {
        if !(1_000..=3_600_000).contains(&self.lock_ms) {
            return Err(format!(
                "share.record.lock.duration.ms is {}; it takes 1000 to 3600000",
                self.lock_ms
            ));
        }
        if !(2..=10).contains(&self.delivery_limit) {
            return Err(format!(
                "share.delivery.count.limit is {}; it takes 2 to 10",
                self.delivery_limit
            ));
        }
        if !(100..=10_000).contains(&self.max_in_flight) {
            return Err(format!(
                "share.partition.max.record.locks is {}; it takes 100 to 10000",
                self.max_in_flight
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlightRecord {
    pub offset: i64,
    pub state: RecordState,
    pub delivery_count: u32,
    /// The member holding it while ACQUIRED.
    pub owner: Option<String>,
    /// When the acquisition lock runs out.
    pub lock_until: Option<Millis>,
}

/// A record handed to a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acquired {
    pub offset: i64,
    pub delivery_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharePartition {
    pub config: ShareConfig,
    /// The share-partition start offset: every record below it is done.
    spso: i64,
    /// The records from the SPSO that have been fetched, in offset order.
    in_flight: VecDeque<InFlightRecord>,
    /// Records that ended ACKNOWLEDGED, and ARCHIVED (rejected, at the delivery limit, or passed
    /// by the log start), since the share-partition began: what left the window is counted here.
    pub acknowledged: u64,
    pub archived: u64,
}

impl SharePartition {
    /// A share-partition starting at `start` (`share.auto.offset.reset`: the log end for
    /// `latest`, the log start for `earliest`).
    pub fn new(start: i64, config: ShareConfig) -> SharePartition {
        SharePartition {
            config,
            spso: start,
            in_flight: VecDeque::new(),
            acknowledged: 0,
            archived: 0,
        }
    }

    /// The share-partition start offset (SPSO).
    pub fn start_offset(&self) -> i64 {
        self.spso
    }

    /// The share-partition end offset (SPEO): the last offset fetched, or SPSO - 1.
    pub fn end_offset(&self) -> i64 {
        self.spso + self.in_flight.len() as i64 - 1
    }

    pub fn records(&self) -> impl Iterator<Item = &InFlightRecord> {
        self.in_flight.iter()
    }

    /// Up to `max` records for `member` at `now`, from those below `available_end` (the high
    /// watermark, or the last stable offset under read_committed): released records first, then
    /// new ones while the in-flight window has room.
    pub fn acquire(
        &mut self,
        member: &str,
        available_end: i64,
        max: usize,
        now: Millis,
    ) -> Vec<Acquired> {
        self.expire_locks(now);
        let lock_until = now + self.config.lock_ms;
        let mut got = Vec::new();
        for r in self.in_flight.iter_mut() {
            if got.len() == max {
                return got;
            }
            if r.state == RecordState::Available {
                take(r, member, lock_until, &mut got);
            }
        }
        while got.len() < max {
            let next = self.spso + self.in_flight.len() as i64;
            let window_full = self.in_flight.len() as u64 >= u64::from(self.config.max_in_flight);
            if next >= available_end || window_full {
                break;
            }
            let mut r = InFlightRecord {
                offset: next,
                state: RecordState::Available,
                delivery_count: 0,
                owner: None,
                lock_until: None,
            };
            take(&mut r, member, lock_until, &mut got);
            self.in_flight.push_back(r);
        }
        got
    }

    /// `member` acknowledges `offset`. Only the member holding it may, and only while it holds
    /// it (after its lock ran out it is someone else's to take: `INVALID_RECORD_STATE`).
    pub fn acknowledge(
        &mut self,
        member: &str,
        offset: i64,
        kind: AcknowledgeType,
        now: Millis,
    ) -> Result<(), String> {
        self.expire_locks(now);
        let limit = self.config.delivery_limit;
        let r = self
            .in_flight
            .iter_mut()
            .find(|r| r.offset == offset)
            .filter(|r| r.state == RecordState::Acquired && r.owner.as_deref() == Some(member))
            .ok_or_else(|| {
                format!(
                    "INVALID_RECORD_STATE: offset {offset} is not acquired by {}",
                    crate::ground::quote::quoted(member)
                )
            })?;
        r.owner = None;
        r.lock_until = None;
        r.state = match kind {
            AcknowledgeType::Accept => RecordState::Acknowledged,
            AcknowledgeType::Reject => RecordState::Archived,
            AcknowledgeType::Release => released(r.delivery_count, limit),
        };
        match r.state {
            RecordState::Acknowledged => self.acknowledged += 1,
            RecordState::Archived => self.archived += 1,
            _ => {}
        }
        self.advance_start();
        Ok(())
    }

    /// Locks that ran out by `now` release their records (archived at the delivery limit).
    pub fn expire_locks(&mut self, now: Millis) {
        self.give_back(|r| r.lock_until.is_some_and(|t| t <= now));
    }

    /// A member left (or its session expired): what it held goes back as a lock expiry would.
    pub fn release_member(&mut self, member: &str) {
        self.give_back(|r| r.owner.as_deref() == Some(member));
    }

    /// Releases the acquired records `which` picks, as a RELEASE would.
    fn give_back(&mut self, which: impl Fn(&InFlightRecord) -> bool) {
        let limit = self.config.delivery_limit;
        for r in self.in_flight.iter_mut() {
            if r.state == RecordState::Acquired && which(r) {
                r.owner = None;
                r.lock_until = None;
                r.state = released(r.delivery_count, limit);
                if r.state == RecordState::Archived {
                    self.archived += 1;
                }
            }
        }
        self.advance_start();
    }

    /// Retention moved the log start past the SPSO: the records in between are archived and the
    /// SPSO jumps to it.
    pub fn log_start_moved(&mut self, log_start: i64) {
        while self.spso < log_start {
            let done = self.in_flight.pop_front().is_some_and(|r| {
                matches!(r.state, RecordState::Acknowledged | RecordState::Archived)
            });
            if !done {
                self.archived += 1;
            }
            self.spso += 1;
        }
    }

    /// The SPSO moves past the done records at the front.
    fn advance_start(&mut self) {
        while self
            .in_flight
            .front()
            .is_some_and(|r| matches!(r.state, RecordState::Acknowledged | RecordState::Archived))
        {
            self.in_flight.pop_front();
            self.spso += 1;
        }
    }
}

/// Where a released record goes: back to AVAILABLE, or ARCHIVED once its delivery count has
/// reached the limit.
fn released(delivery_count: u32, limit: u32) -> RecordState {
    if delivery_count >= limit {
        RecordState::Archived
    } else {
        RecordState::Available
    }
}

fn take(r: &mut InFlightRecord, member: &str, lock_until: Millis, got: &mut Vec<Acquired>) {
    r.state = RecordState::Acquired;
    r.delivery_count += 1;
    r.owner = Some(member.to_string());
    r.lock_until = Some(lock_until);
    got.push(Acquired {
        offset: r.offset,
        delivery_count: r.delivery_count,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(a: &[Acquired]) -> Vec<i64> {
        a.iter().map(|r| r.offset).collect()
    }

    #[test]
    fn members_share_a_partition_and_the_start_moves_past_what_is_done() {
        let mut sp = SharePartition::new(0, ShareConfig::default());
        assert_eq!(offsets(&sp.acquire("m1", 10, 3, 0)), vec![0, 1, 2]);
        assert_eq!(
            offsets(&sp.acquire("m2", 10, 3, 0)),
            vec![3, 4, 5],
            "one partition, two members"
        );
        sp.acknowledge("m2", 3, AcknowledgeType::Accept, 1).unwrap();
        assert_eq!(
            sp.start_offset(),
            0,
            "0..2 are still in flight: the SPSO waits"
        );
        for o in 0..3 {
            sp.acknowledge("m1", o, AcknowledgeType::Accept, 1).unwrap();
        }
        assert_eq!(sp.start_offset(), 4);
        assert_eq!(sp.end_offset(), 5);
        // Only the holder acknowledges.
        assert!(sp
            .acknowledge("m1", 4, AcknowledgeType::Accept, 1)
            .unwrap_err()
            .starts_with("INVALID_RECORD_STATE"));
    }

    #[test]
    fn a_released_record_comes_back_until_its_delivery_count_reaches_the_limit() {
        // Delivery count rises on acquire; a release at the limit archives (SharePartition).
        let mut sp = SharePartition::new(0, ShareConfig::default());
        for n in 1..=5u32 {
            let got = sp.acquire("m", 1, 1, 0);
            assert_eq!(
                got,
                vec![Acquired {
                    offset: 0,
                    delivery_count: n
                }]
            );
            sp.acknowledge("m", 0, AcknowledgeType::Release, 0).unwrap();
        }
        assert!(
            sp.acquire("m", 1, 1, 0).is_empty(),
            "archived after 5 deliveries"
        );
        assert_eq!(sp.start_offset(), 1);
    }

    #[test]
    fn a_lock_that_runs_out_releases_the_record_to_another_member() {
        let mut sp = SharePartition::new(0, ShareConfig::default());
        sp.acquire("crashed", 1, 1, 0);
        assert!(sp.acquire("other", 1, 1, 29_999).is_empty(), "still locked");
        let got = sp.acquire("other", 1, 1, 30_000);
        assert_eq!(
            got,
            vec![Acquired {
                offset: 0,
                delivery_count: 2
            }]
        );
        assert!(
            sp.acknowledge("crashed", 0, AcknowledgeType::Accept, 30_001)
                .is_err(),
            "too late"
        );
    }

    #[test]
    fn a_stuck_record_at_the_start_stalls_a_full_window() {
        // canAcquireRecords: new records only while the window has room.
        let config = ShareConfig {
            max_in_flight: 100,
            ..ShareConfig::default()
        };
        let mut sp = SharePartition::new(0, config);
        sp.acquire("slow", 1_000, 1, 0);
        let fast = sp.acquire("fast", 1_000, 500, 0);
        assert_eq!(fast.len(), 99);
        for r in &fast {
            sp.acknowledge("fast", r.offset, AcknowledgeType::Accept, 1)
                .unwrap();
        }
        assert_eq!(sp.start_offset(), 0, "offset 0 is still acquired");
        assert!(
            sp.acquire("fast", 1_000, 500, 2).is_empty(),
            "head-of-line: the window is full"
        );
        sp.acknowledge("slow", 0, AcknowledgeType::Reject, 3)
            .unwrap();
        assert_eq!(sp.start_offset(), 100);
        assert_eq!(sp.acquire("fast", 1_000, 500, 4).len(), 100);
    }

    #[test]
    fn the_settings_are_bounded_as_kafka_bounds_them() {
        assert!(ShareConfig::default().validate().is_ok());
        let bad = ShareConfig {
            delivery_limit: 11,
            ..ShareConfig::default()
        };
        assert_eq!(
            bad.validate().unwrap_err(),
            "share.delivery.count.limit is 11; it takes 2 to 10"
        );
        let bad = ShareConfig {
            lock_ms: 10,
            ..ShareConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("1000 to 3600000"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// A record is never held by two members at once, the SPSO never goes back, and every
        /// offset below the end is either done (below the SPSO) or in flight once.
        #[test]
        fn no_record_is_held_twice(
            ops in proptest::collection::vec((0u8..4, 0usize..3, 0i64..40, 1usize..6), 1..150),
        ) {
            let config = ShareConfig { lock_ms: 1_000, delivery_limit: 3, max_in_flight: 100 };
            let mut sp = SharePartition::new(0, config);
            let mut now = 0;
            let mut last_start = 0;
            for (op, m, offset, n) in ops {
                let member = format!("m{m}");
                now += 100;
                match op {
                    0 => { sp.acquire(&member, 40, n, now); }
                    1 => { let _ = sp.acknowledge(&member, offset, AcknowledgeType::Accept, now); }
                    2 => { let _ = sp.acknowledge(&member, offset, AcknowledgeType::Release, now); }
                    _ => sp.release_member(&member),
                }
                proptest::prop_assert!(sp.start_offset() >= last_start);
                last_start = sp.start_offset();
                let offs: Vec<i64> = sp.records().map(|r| r.offset).collect();
                let want: Vec<i64> = (sp.start_offset()..=sp.end_offset()).collect();
                proptest::prop_assert_eq!(offs, want);
                for r in sp.records() {
                    proptest::prop_assert_eq!(r.state == RecordState::Acquired, r.owner.is_some());
                    proptest::prop_assert!(r.delivery_count <= 3);
                }
            }
        }
    }
}
