//! Share groups beside the consumer groups (issue 18): their actions and their timer. The groups
//! read the cluster's logs at their leaders' high watermarks, so a share group, a consumer group
//! and a RabbitMQ queue can take the same records side by side.

use super::{Due, Simulation};
use crate::action::Applied;
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::{ActionError, Millis};
use crate::share::{AcknowledgeType, ShareConfig, ShareGroups, ShareMember};

impl Simulation {
    /// The share groups (none unless a scenario adds a share consumer).
    pub fn share_groups(&self) -> &ShareGroups {
        &self.shares
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_share_consumer(
        &mut self,
        name: &str,
        group: &str,
        topic: &str,
        processing_us: u64,
        poison_key: Option<&str>,
        reject_poison: bool,
        settings: (Option<u64>, Option<u32>, Option<&str>, Option<u32>),
    ) -> Result<Applied, ActionError> {
        super::apply::validate_client_name("share consumer", name)?;
        super::apply::validate_client_name("share group", group)?;
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        let max = crate::consumer::config::MAX_PROCESSING_US;
        if processing_us > max {
            return bad(format!(
                "processing_us is {processing_us}; an application takes 0 to {max} microseconds \
                 per record."
            ));
        }
        let t = self
            .cluster
            .topic_by_name(topic)
            .ok_or_else(|| ActionError::UnknownTopic(topic.to_string()))?;
        if t.internal {
            return bad(format!("Topic {} is internal.", quoted(topic)));
        }
        let topic_id = t.id;
        let (lock_ms, delivery_limit, reset, max_locks) = settings;
        let earliest = match reset {
            None | Some("latest") => false,
            Some("earliest") => true,
            Some(other) => {
                return bad(format!(
                    "auto_offset_reset is {}; share.auto.offset.reset takes earliest or latest.",
                    quoted(other)
                ))
            }
        };
        let defaults = ShareConfig::default();
        let config = ShareConfig {
            lock_ms: lock_ms.unwrap_or(defaults.lock_ms),
            delivery_limit: delivery_limit.unwrap_or(defaults.delivery_limit),
            max_in_flight: max_locks.unwrap_or(defaults.max_in_flight),
        };
        if let Some(g) = self.shares.group(group) {
            let differs = lock_ms.is_some_and(|l| l != g.config.lock_ms)
                || delivery_limit.is_some_and(|d| d != g.config.delivery_limit)
                || max_locks.is_some_and(|m| m != g.config.max_in_flight)
                || reset.is_some() && earliest != g.earliest;
            if differs {
                return bad(format!(
                    "Share group {} exists with share.record.lock.duration.ms={}, \
                     share.delivery.count.limit={}, share.partition.max.record.locks={} and \
                     share.auto.offset.reset={}: a group's settings are the group's, not a \
                     member's.",
                    quoted(group),
                    g.config.lock_ms,
                    g.config.delivery_limit,
                    g.config.max_in_flight,
                    if g.earliest { "earliest" } else { "latest" }
                ));
            }
        }
        let mut member = ShareMember::new(name, processing_us);
        member.poison_key = poison_key.map(|k| self.keys.intern(k));
        member.poison_ack = if reject_poison {
            AcknowledgeType::Reject
        } else {
            AcknowledgeType::Release
        };
        self.shares
            .join(group, topic_id, config, earliest, member, self.now)
            .map_err(|e| ActionError::InvalidConfig(format!("{}.", e.trim_end_matches('.'))))?;
        self.emit(EventKind::ShareConsumerAdded {
            name: name.to_string(),
            group: group.to_string(),
            topic: topic.to_string(),
        });
        self.reschedule_shares();
        Ok(Applied {
            summary: format!("{name} joined share group {group} on {topic}."),
            partition: None,
        })
    }

    pub(super) fn crash_share_consumer(&mut self, name: &str) -> Result<Applied, ActionError> {
        let group = self
            .shares
            .groups
            .iter()
            .find(|g| g.members.iter().any(|m| m.name == name && m.alive))
            .map(|g| (g.name.clone(), g.config.lock_ms));
        let Some((group, lock_ms)) = group else {
            return Err(ActionError::UnknownClient {
                kind: "running share consumer".into(),
                name: name.to_string(),
            });
        };
        self.shares.crash(name).map_err(ActionError::InvalidState)?;
        self.emit(EventKind::ShareConsumerCrashed {
            name: name.to_string(),
            group,
            lock_ms,
        });
        Ok(Applied {
            summary: format!("{name} crashed; its locks run out in {lock_ms} ms."),
            partition: None,
        })
    }

    pub(super) fn on_share_timer(&mut self, at: Millis) {
        if self.share_timer_at == Some(at) {
            self.share_timer_at = None;
            self.shares.on_timer(at, &self.cluster);
        }
        self.reschedule_shares();
    }

    pub(super) fn reschedule_shares(&mut self) {
        if let Some(t) = self.shares.next_deadline() {
            let t = t.max(self.now);
            if self.share_timer_at.is_none_or(|s| t < s) {
                self.share_timer_at = Some(t);
                self.queue.push(t, Due::ShareTimer);
            }
        }
    }
}
