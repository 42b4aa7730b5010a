//! JoinGroup before the group's state has its say: the session timeout and protocols are
//! checked, a new dynamic member is handed an id to rejoin with (KIP-394), and a static member
//! that restarted takes over its old identity (KIP-345). What is left goes to the state's step.

use super::coordinator::GroupCoordinator;
use super::rebalance::add_member;
use super::state::Group;
use super::step::{fail_join, step, Input, Join, Out, Output};
use super::validate;
use crate::event::EventKind;
use crate::ground::{ErrorCode, Millis};

impl GroupCoordinator {
    pub(super) fn join_group(&mut self, now: Millis, group_id: String, join: Join, out: &mut Out) {
        let s = self.step_context(now);
        let client = join.client;
        let (min, max) = (self.min_session_timeout_ms, self.max_session_timeout_ms);
        if let Err(e) = validate::session_timeout(&join, min, max) {
            return fail_join(out, client, &group_id, join.member_id, e);
        }
        let group = self
            .groups
            .entry(group_id.clone())
            .or_insert_with(|| Group::new(group_id.clone(), now));
        if let Err(e) = validate::join(group, &join) {
            return fail_join(out, client, &group_id, join.member_id, e);
        }
        // An empty consumer-protocol group becomes a classic one (its offsets stay).
        group.consumer = None;
        if join.member_id.is_empty() {
            if let Some(instance) = join.group_instance_id.clone() {
                if let Some(old_id) = group.static_members.get(&instance).cloned() {
                    return self.static_rejoin(now, &group_id, instance, old_id, join, out);
                }
                let member_id = self.new_member_id(&join.client_id);
                let group = self.groups.get_mut(&group_id).expect("just inserted");
                group.static_members.insert(instance, member_id.clone());
                add_member(s, group, &member_id, join, out);
                return step(s, group, Input::MemberAdded { member_id }, out);
            }
            // KIP-394: a new dynamic member first gets an id and must rejoin with it.
            if group.members.len() as u32 >= self.max_group_size {
                let e = ErrorCode::GroupMaxSizeReached;
                return fail_join(out, client, &group_id, String::new(), e);
            }
            let member_id = self.new_member_id(&join.client_id);
            let group = self.groups.get_mut(&group_id).expect("exists");
            group
                .pending_members
                .insert(member_id.clone(), now + join.session_timeout_ms);
            return fail_join(
                out,
                client,
                &group_id,
                member_id,
                ErrorCode::MemberIdRequired,
            );
        }
        let member_id = join.member_id.clone();
        if group.pending_members.remove(&member_id).is_some() {
            add_member(s, group, &member_id, join, out);
            return step(s, group, Input::MemberAdded { member_id }, out);
        }
        if !group.members.contains_key(&member_id) {
            return fail_join(
                out,
                client,
                &group_id,
                member_id,
                ErrorCode::UnknownMemberId,
            );
        }
        step(s, group, Input::Rejoin { join }, out)
    }

    fn new_member_id(&mut self, client_id: &str) -> String {
        member_id(&mut self.rng, client_id)
    }

    /// KIP-345: a static member restarted with a new member id takes over its old identity:
    /// its partitions, its place as leader. Whether that needs a rebalance is the state's call.
    fn static_rejoin(
        &mut self,
        now: Millis,
        group_id: &str,
        instance: String,
        old_id: String,
        join: Join,
        out: &mut Out,
    ) {
        let s = self.step_context(now);
        let new_id = self.new_member_id(&join.client_id);
        let group = self.groups.get_mut(group_id).expect("exists");
        let Some(mut member) = group.members.remove(&old_id) else {
            // The mapping was stale: join as a new static member.
            group.static_members.insert(instance, new_id.clone());
            add_member(s, group, &new_id, join, out);
            return step(s, group, Input::MemberAdded { member_id: new_id }, out);
        };
        member.member_id = new_id.clone();
        member.client = join.client;
        member.client_id = join.client_id.clone();
        member.last_heartbeat = now;
        member.session_timeout_ms = join.session_timeout_ms;
        member.rebalance_timeout_ms = join.rebalance_timeout_ms;
        member.protocols = join.protocols;
        let was_leader = group.leader.as_deref() == Some(old_id.as_str());
        if was_leader {
            group.leader = Some(new_id.clone());
        }
        group.static_members.insert(instance, new_id.clone());
        out.push(Output::Event(EventKind::JoinGroup {
            group: group_id.to_string(),
            consumer: join.client,
            member: new_id.clone(),
            owned: 0,
        }));
        group.members.insert(new_id.clone(), member);
        // Only the protocol the group would select next counts, not the subscription: a restarted
        // consumer knows no generation and owns no partitions, so its bytes always differ
        // (`updateStaticMemberThenRebalanceOrCompleteJoin`).
        let selected_protocol_unchanged =
            group.protocol.is_some() && group.select_protocol() == group.protocol;
        let input = Input::StaticMemberRejoined {
            member_id: new_id,
            client: join.client,
            selected_protocol_unchanged,
            was_leader,
        };
        step(s, group, input, out)
    }
}

/// A member id the coordinator hands out: the client id and a random suffix, for both
/// protocols.
pub(in crate::coordinator) fn member_id(rng: &mut crate::ground::Rng, client_id: &str) -> String {
    format!("{client_id}-{:08x}", rng.next_u64() as u32)
}
