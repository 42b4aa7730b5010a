//! How one member moves towards its target assignment in the consumer group protocol (KIP-848,
//! `CurrentAssignmentBuilder`), heartbeat by heartbeat, without waiting for the rest of the
//! group: partitions it must give up are revoked first (it keeps its epoch until its heartbeat
//! no longer reports them), and partitions it gains are handed over only once their previous
//! owner has released them. Members that keep their partitions never stop.

/// `MemberState` of a consumer group member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    /// At its target, or on its way with nothing to wait for.
    Stable,
    /// Told to revoke partitions it still reports owning: its epoch waits for it.
    UnrevokedPartitions,
    /// At the target epoch, waiting for partitions other members still hold.
    UnreleasedPartitions,
    /// A member whose state was lost: it must come back owning nothing.
    Unknown,
}

impl MemberState {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Stable => "STABLE",
            MemberState::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            MemberState::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
            MemberState::Unknown => "UNKNOWN",
        }
    }
}

/// A member's side of the assignment, as the coordinator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberAssignment {
    pub state: MemberState,
    pub member_epoch: i32,
    pub previous_member_epoch: i32,
    /// What the member may use now, sorted.
    pub assigned: Vec<(String, u32)>,
    /// What it was told to give up and has not confirmed yet, sorted.
    pub pending_revocation: Vec<(String, u32)>,
}

impl MemberAssignment {
    /// A member that just joined (epoch 0, nothing assigned).
    pub fn joined() -> Self {
        MemberAssignment {
            state: MemberState::Stable,
            member_epoch: 0,
            previous_member_epoch: 0,
            assigned: Vec::new(),
            pending_revocation: Vec::new(),
        }
    }

    fn with_epoch(&self, epoch: i32) -> Self {
        MemberAssignment {
            previous_member_epoch: self.member_epoch,
            member_epoch: epoch,
            ..self.clone()
        }
    }
}

/// `FencedMemberEpochException`: the member must drop its partitions and join again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FencedMemberEpoch(pub String);

/// The inputs of one step (`CurrentAssignmentBuilder`'s `with...` calls).
pub struct Step<'a> {
    pub target_epoch: i32,
    /// The member's target assignment, sorted.
    pub target: &'a [(String, u32)],
    /// The epoch of the member currently holding a partition, -1 if nobody does.
    pub partition_epoch: &'a dyn Fn(&str, u32) -> i32,
    /// What the member's heartbeat says it owns (`None`: the heartbeat did not say).
    pub owned: Option<&'a [(String, u32)]>,
}

/// `CurrentAssignmentBuilder.build`: the member's next state.
pub fn next(
    member: &MemberAssignment,
    step: &Step<'_>,
) -> Result<MemberAssignment, FencedMemberEpoch> {
    match member.state {
        MemberState::Stable if member.member_epoch == step.target_epoch => Ok(member.clone()),
        MemberState::Stable => Ok(compute(member, step, member.member_epoch)),
        MemberState::UnrevokedPartitions => {
            if owns_any(step.owned, &member.pending_revocation) {
                Ok(member.clone())
            } else {
                Ok(compute(member, step, member.member_epoch + 1))
            }
        }
        MemberState::UnreleasedPartitions => Ok(compute(member, step, member.member_epoch)),
        MemberState::Unknown => {
            if step.owned.is_none_or(|o| !o.is_empty()) {
                return Err(FencedMemberEpoch(
                    "The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.".into(),
                ));
            }
            Ok(compute(member, step, step.target_epoch))
        }
    }
}

/// Whether the heartbeat still reports any of `revoked` (no report counts as yes).
fn owns_any(owned: Option<&[(String, u32)]>, revoked: &[(String, u32)]) -> bool {
    owned.is_none_or(|o| o.iter().any(|tp| revoked.contains(tp)))
}

/// `computeNextAssignment`: keep what stays, revoke what goes first, then add what is free.
fn compute(member: &MemberAssignment, step: &Step<'_>, epoch_if_revoking: i32) -> MemberAssignment {
    let keep: Vec<(String, u32)> = member
        .assigned
        .iter()
        .filter(|tp| step.target.contains(tp))
        .cloned()
        .collect();
    let revoke: Vec<(String, u32)> = member
        .assigned
        .iter()
        .filter(|tp| !step.target.contains(tp))
        .cloned()
        .collect();
    let wanted: Vec<&(String, u32)> = step.target.iter().filter(|tp| !keep.contains(tp)).collect();
    // A wanted partition another member still holds (its partition epoch is set) waits.
    let (free, held): (Vec<_>, Vec<_>) = wanted
        .into_iter()
        .partition(|(t, p)| (step.partition_epoch)(t, *p) == -1);
    let unreleased = !held.is_empty();
    if !revoke.is_empty() && owns_any(step.owned, &revoke) {
        return MemberAssignment {
            state: MemberState::UnrevokedPartitions,
            assigned: keep,
            pending_revocation: revoke,
            ..member.with_epoch(epoch_if_revoking)
        };
    }
    let mut assigned = keep;
    assigned.extend(free.into_iter().cloned());
    crate::ground::sort::sort(&mut assigned);
    MemberAssignment {
        state: if unreleased {
            MemberState::UnreleasedPartitions
        } else {
            MemberState::Stable
        },
        assigned,
        pending_revocation: Vec::new(),
        ..member.with_epoch(step.target_epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tps(ps: &[u32]) -> Vec<(String, u32)> {
        ps.iter().map(|&p| ("orders".to_string(), p)).collect()
    }

    fn stable(epoch: i32, ps: &[u32]) -> MemberAssignment {
        MemberAssignment {
            member_epoch: epoch,
            previous_member_epoch: epoch - 1,
            assigned: tps(ps),
            ..MemberAssignment::joined()
        }
    }

    /// A member that must give up partition 2 keeps its epoch and uses only what stays until its
    /// heartbeat no longer reports partition 2; then it moves to the target epoch.
    #[test]
    fn revocation_comes_first_and_holds_the_epoch() {
        let target = tps(&[0, 1]);
        let free = |_: &str, _: u32| -1;
        let owned = tps(&[0, 1, 2]);
        let step = Step {
            target_epoch: 11,
            target: &target,
            partition_epoch: &free,
            owned: Some(&owned),
        };
        let m = next(&stable(10, &[0, 1, 2]), &step).unwrap();
        assert_eq!(m.state, MemberState::UnrevokedPartitions);
        assert_eq!(m.member_epoch, 10);
        assert_eq!(
            (m.assigned.clone(), m.pending_revocation.clone()),
            (tps(&[0, 1]), tps(&[2]))
        );
        // Still reporting partition 2: nothing changes.
        assert_eq!(next(&m, &step).unwrap(), m);
        let released = tps(&[0, 1]);
        let step = Step {
            owned: Some(&released),
            ..step
        };
        let m = next(&m, &step).unwrap();
        assert_eq!((m.state, m.member_epoch), (MemberState::Stable, 11));
        assert!(m.pending_revocation.is_empty());
    }

    /// A newcomer gets at once what nobody holds and waits for the rest
    /// (UNRELEASED_PARTITIONS), at the target epoch; once released, it gets them.
    #[test]
    fn a_partition_moves_only_once_its_owner_released_it() {
        let target = tps(&[2, 5]);
        let held_5 = |_: &str, p: u32| if p == 5 { 10 } else { -1 };
        let none: Vec<(String, u32)> = Vec::new();
        let step = Step {
            target_epoch: 11,
            target: &target,
            partition_epoch: &held_5,
            owned: Some(&none),
        };
        let m = next(&MemberAssignment::joined(), &step).unwrap();
        assert_eq!(
            (m.state, m.member_epoch),
            (MemberState::UnreleasedPartitions, 11)
        );
        assert_eq!(m.assigned, tps(&[2]));
        let free = |_: &str, _: u32| -1;
        let step = Step {
            partition_epoch: &free,
            ..step
        };
        let m = next(&m, &step).unwrap();
        assert_eq!(
            (m.state, m.assigned.clone()),
            (MemberState::Stable, tps(&[2, 5]))
        );
    }

    #[test]
    fn a_member_in_an_unknown_state_owning_partitions_is_fenced() {
        let m = MemberAssignment {
            state: MemberState::Unknown,
            ..stable(3, &[0])
        };
        let target = tps(&[0]);
        let free = |_: &str, _: u32| -1;
        let owned = tps(&[0]);
        let step = Step {
            target_epoch: 4,
            target: &target,
            partition_epoch: &free,
            owned: Some(&owned),
        };
        assert!(next(&m, &step).is_err());
    }
}
