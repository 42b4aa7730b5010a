//! The coordinator's timers: sessions that expire without a heartbeat, member ids handed out and
//! never used, the join phase's delay and timeout, and the sync phase's timeout. The timers of a
//! group whose coordinator is down stand still.

use super::coordinator::GroupCoordinator;
use super::rebalance::remove_member;
use super::step::{step, Input, Out, Output};
use crate::event::{EventKind, RebalanceReason};
use crate::ground::Millis;

impl GroupCoordinator {
    /// Earliest time `on_timer` has work, for groups whose coordinator is `available`.
    pub fn next_deadline(&self, available: &dyn Fn(&str) -> bool) -> Option<Millis> {
        let mut next: Option<Millis> = None;
        let mut take = |t: Millis| next = Some(next.map_or(t, |n| n.min(t)));
        for g in self.groups.values().filter(|g| available(&g.group_id)) {
            if let Some(t) = g.join_timer {
                take(t.deadline());
            }
            if let Some(t) = g.sync_deadline {
                take(t);
            }
            for m in g.members.values() {
                if let Some(t) = m.session_deadline() {
                    take(t);
                }
            }
            for &t in g.pending_members.values() {
                take(t);
            }
        }
        if let Some(t) = self.consumer_group_deadline(available) {
            take(t);
        }
        next
    }

    /// A new coordinator loaded these groups (`onGroupLoaded`): every member's session starts
    /// afresh, so nobody is expelled for the time the coordinator was down.
    pub fn reload(&mut self, now: Millis, which: impl Fn(&str) -> bool) {
        for (_, group) in self.groups.iter_mut() {
            if !which(&group.group_id) {
                continue;
            }
            for (_, m) in group.members.iter_mut() {
                m.last_heartbeat = now;
            }
            for (_, m) in group.consumer.iter_mut().flat_map(|c| c.members.iter_mut()) {
                m.last_heartbeat = now;
            }
        }
    }

    pub fn on_timer(&mut self, now: Millis, available: &dyn Fn(&str) -> bool, out: &mut Out) {
        self.consumer_group_timers(now, available, out);
        let s = self.step_context(now);
        for (_, group) in self.groups.iter_mut() {
            if !available(&group.group_id) {
                continue;
            }
            group.pending_members.retain(|_, deadline| *deadline > now);
            let expired: Vec<String> = group
                .members
                .values()
                .filter(|m| m.session_deadline().is_some_and(|d| d <= now))
                .map(|m| m.member_id.clone())
                .collect();
            for id in expired {
                out.push(Output::Event(EventKind::MemberRemoved {
                    group: group.group_id.clone(),
                    member: id.clone(),
                    reason: "session timeout expired (no heartbeat)".into(),
                }));
                remove_member(group, &id);
                let reason = RebalanceReason::SessionTimeout(id);
                step(s, group, Input::MemberGone { reason }, out);
            }
            // Only a group preparing a rebalance has a join timer, and only one completing a
            // rebalance has a sync deadline: each state's step knows what its timer means.
            if group.join_timer.is_some_and(|t| t.deadline() <= now) {
                step(s, group, Input::JoinTimerExpired, out);
            }
            if group.sync_deadline.is_some_and(|d| d <= now) {
                step(s, group, Input::SyncTimerExpired, out);
            }
        }
    }
}
