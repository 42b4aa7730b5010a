//! `AbstractStickyAssignor` (used by `StickyAssignor` and `CooperativeStickyAssignor`).
//! Placeholder until the faithful port lands: balanced round robin that keeps valid owners.

use std::collections::BTreeMap;

use super::{Assignment, MemberSubscription};

pub fn assign(
    topics: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
    _cooperative: bool,
) -> Assignment {
    super::round_robin::assign(topics, members)
}
