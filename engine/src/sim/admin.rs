//! Admin operations on consumer groups that `kafka-consumer-groups` performs: resetting a
//! group's committed offsets (replay).

use super::Simulation;
use crate::action::Applied;
use crate::action::ResetTo;
use crate::event::EventKind;
use crate::ground::quote::quoted;
use crate::ground::ActionError;
use crate::ground::PartitionIdx;

impl Simulation {
    /// `--reset-offsets --execute`: computes each partition's new offset the way the tool's
    /// `ListOffsets` calls do (earliest = log start offset, latest = high watermark, by time =
    /// the first record at or after it), then stores them as the group's committed offsets.
    pub(super) fn reset_offsets(
        &mut self,
        group: &str,
        topic: Option<&str>,
        to: &ResetTo,
    ) -> Result<Applied, ActionError> {
        let existing = self.groups.group(group);
        let partitions: Vec<PartitionIdx> = match topic {
            Some(name) => {
                let t = self
                    .cluster
                    .topic_by_name(name)
                    .ok_or_else(|| ActionError::UnknownTopic(name.to_string()))?;
                if t.internal {
                    return Err(ActionError::InvalidState(format!(
                        "Topic {} is internal.",
                        quoted(name)
                    )));
                }
                t.partitions.clone()
            }
            None => existing
                .map(|g| g.offsets.keys().copied().collect())
                .unwrap_or_default(),
        };
        if partitions.is_empty() {
            return Err(ActionError::InvalidState(format!(
                "Group {} has no committed offsets; name a topic to reset.",
                quoted(group)
            )));
        }
        if let ResetTo::Offset { offset } = to {
            if *offset < 0 {
                return Err(ActionError::InvalidConfig(
                    "The offset to reset to must be 0 or more.".into(),
                ));
            }
        }
        let mut offsets = Vec::with_capacity(partitions.len());
        for p in partitions {
            let Some(part) = self.cluster.partition(p) else {
                continue;
            };
            let (start, end) = (part.log.log_start_offset(), part.high_watermark);
            let committed = existing.and_then(|g| g.offsets.get(&p)).map(|c| c.offset);
            let target = match to {
                ResetTo::Earliest => start,
                ResetTo::Latest => end,
                ResetTo::Offset { offset } => *offset,
                ResetTo::Timestamp { ms } => part
                    .log
                    .offset_for_timestamp(*ms)
                    .map_or(end, |o| o.min(end)),
                ResetTo::ShiftBy { by } => match committed {
                    Some(c) => c.saturating_add(*by),
                    None => continue,
                },
            };
            // The tool clamps to what the log holds.
            offsets.push((p, target.clamp(start, end.max(start))));
        }
        self.groups
            .reset_offsets(self.now, group, &offsets)
            .map_err(ActionError::InvalidState)?;
        if let Some(slot) = self.audit.slot_of(group) {
            for &(p, offset) in &offsets {
                self.audit.on_offsets_reset(slot, p, offset);
            }
        }
        let described = match to {
            ResetTo::Earliest => "the earliest offsets".to_string(),
            ResetTo::Latest => "the latest offsets".to_string(),
            ResetTo::Offset { offset } => format!("offset {offset}"),
            ResetTo::Timestamp { ms } => format!("the first records at or after {ms} ms"),
            ResetTo::ShiftBy { by } => format!("their committed offsets shifted by {by}"),
        };
        let list: Vec<String> = offsets
            .iter()
            .map(|&(p, o)| format!("{}={o}", self.cluster.tp(p)))
            .collect();
        self.emit(EventKind::OffsetsReset {
            group: group.to_string(),
            partitions: offsets.len() as u32,
            to: described.clone(),
        });
        Ok(Applied {
            summary: format!(
                "Reset group {} to {described}: {}. Its consumers resume there when they join.",
                quoted(group),
                list.join(", ")
            ),
            partition: None,
        })
    }
}
