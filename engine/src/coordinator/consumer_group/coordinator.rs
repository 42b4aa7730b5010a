//! Where the consumer group protocol meets the coordinator: a ConsumerGroupHeartbeat finds (or
//! makes) its group, which must not be a classic group with members, and is answered; the group's
//! state changes are announced as the classic ones are; its timers run beside the classic ones.
//!
//! Simplification: Kafka 4 can convert a group with members from one protocol to the other
//! (`group.consumer.migration.policy`); here a group changes protocol only while it is empty,
//! and a consumer of the other protocol is refused (GROUP_ID_NOT_FOUND for a heartbeat,
//! INCONSISTENT_GROUP_PROTOCOL for a JoinGroup).

use super::heartbeat::{self, Heartbeat, Settings};
use super::ConsumerGroup;
use crate::coordinator::group::join;
use crate::coordinator::group::{Group, GroupCoordinator, Output};
use crate::event::EventKind;
use crate::ground::{ErrorCode, Millis};
use crate::protocol::{ConsumerGroupHeartbeat, ConsumerGroupHeartbeatResponse, GroupResponse};

impl GroupCoordinator {
    pub(in crate::coordinator) fn consumer_settings(&self) -> Settings {
        Settings {
            heartbeat_interval_ms: self.consumer_heartbeat_interval_ms,
            session_timeout_ms: self.consumer_session_timeout_ms,
            max_size: self.max_group_size,
        }
    }

    pub(in crate::coordinator) fn consumer_group_heartbeat(
        &mut self,
        now: Millis,
        client: u32,
        request: ConsumerGroupHeartbeat,
        topics: &dyn Fn(&str) -> Option<u32>,
        out: &mut Vec<Output>,
    ) {
        let settings = self.consumer_settings();
        let group_id = request.group.clone();
        let member_id = request.member_id.clone();
        let joining = request.member_epoch == 0;
        let rng = &mut self.rng;
        let mut new_member_id = |client_id: &str| join::member_id(rng, client_id);
        let result = match self.groups.get_mut(&group_id) {
            None if !joining => Err(ErrorCode::UnknownMemberId),
            Some(g) if g.consumer.is_none() && g.is_active() => Err(ErrorCode::GroupIdNotFound),
            _ => {
                let g = self
                    .groups
                    .entry(group_id.clone())
                    .or_insert_with(|| Group::new(group_id.clone(), now));
                let before = g.state_name();
                let cg = g.consumer.get_or_insert_with(ConsumerGroup::default);
                let hb = Heartbeat {
                    now,
                    client,
                    request,
                    topics,
                    new_member_id: &mut new_member_id,
                };
                let r = heartbeat::heartbeat(cg, settings, hb, out);
                announce_state(now, g, before, out);
                r
            }
        };
        if let Err(error) = result {
            out.push(Output::Event(EventKind::ConsumerGroupHeartbeatFailed {
                group: group_id.clone(),
                member: member_id,
                error,
            }));
        }
        out.push(Output::Respond {
            client,
            response: GroupResponse::ConsumerGroupHeartbeat(ConsumerGroupHeartbeatResponse {
                group: group_id,
                result,
            }),
        });
    }

    /// The timers of consumer-protocol groups whose coordinator is `available`.
    pub(in crate::coordinator) fn consumer_group_timers(
        &mut self,
        now: Millis,
        available: &dyn Fn(&str) -> bool,
        out: &mut Vec<Output>,
    ) {
        let settings = self.consumer_settings();
        for (_, g) in self.groups.iter_mut() {
            if !available(&g.group_id) {
                continue;
            }
            let before = g.state_name();
            if let Some(cg) = g.consumer.as_mut() {
                heartbeat::on_timer(cg, &g.group_id, settings, now, out);
            }
            announce_state(now, g, before, out);
        }
    }

    /// The earliest timer of the consumer-protocol groups whose coordinator is `available`.
    pub(in crate::coordinator) fn consumer_group_deadline(
        &self,
        available: &dyn Fn(&str) -> bool,
    ) -> Option<Millis> {
        self.groups
            .values()
            .filter(|g| available(&g.group_id))
            .filter_map(|g| g.consumer.as_ref())
            .filter_map(|c| c.next_deadline(self.consumer_session_timeout_ms))
            .min()
    }
}

/// `GroupStateChanged` with the group epoch in place of the generation.
fn announce_state(now: Millis, g: &mut Group, before: &'static str, out: &mut Vec<Output>) {
    let after = g.state_name();
    if after == before {
        return;
    }
    g.state_since = now;
    out.push(Output::Event(EventKind::GroupStateChanged {
        group: g.group_id.clone(),
        from: before.to_string(),
        to: after.to_string(),
        generation: g.consumer.as_ref().map_or(g.generation, |c| c.group_epoch),
    }));
}
