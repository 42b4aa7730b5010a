//! A Kafka Streams task's restore (issue 19): what its store's changelogs hold, read as a
//! read_committed consumer would (up to the last stable offset, aborted transactions skipped),
//! the last entry of a key winning. The window store's keys are `user@[start,end)`; the running
//! total's are plain keys.

use std::collections::BTreeMap;

use super::Simulation;
use crate::ground::{Millis, PartitionIdx};
use crate::streams::{Restored, Total, Update};

impl Simulation {
    /// The committed changelogs of each partition newly assigned to instance (a, k).
    pub(super) fn changelogs_to_restore(
        &mut self,
        a: usize,
        k: usize,
    ) -> BTreeMap<PartitionIdx, Restored> {
        let inst = &self.streams[a].instances[k];
        let Some(Some(consumer)) = self.consumers.get(inst.consumer as usize) else {
            return BTreeMap::new();
        };
        // Only the stateful sub-topology's tasks have a store to restore.
        let t = &self.streams[a].topology;
        let source = t.repartition_topic().unwrap_or_else(|| t.input.clone());
        let new: Vec<(PartitionIdx, u32)> = consumer
            .assignment()
            .filter(|x| !inst.tasks.contains_key(&x.partition) && x.tp.topic == source)
            .map(|x| (x.partition, x.tp.partition))
            .collect();
        let (changelog, totals) = (t.changelog_topic(), t.total_changelog_topic());
        let mut out = BTreeMap::new();
        for (p, number) in new {
            let windows = self
                .committed_changelog(&changelog, number)
                .into_iter()
                .filter_map(|(key, value, ts)| {
                    let (user, window) = super::streams::parse_windowed(&key)?;
                    let user = self.keys.intern(user);
                    let (value, timestamp) = match value
                        .as_deref()
                        .and_then(crate::streams::instance::decode_value)
                    {
                        Some((v, t)) => (Some(v), t),
                        None => (None, ts),
                    };
                    Some(Update {
                        key: user,
                        window,
                        value,
                        timestamp,
                    })
                })
                .collect();
            let totals = totals
                .as_deref()
                .map(|topic| self.committed_changelog(topic, number))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(key, value, _)| {
                    let (value, timestamp) =
                        crate::streams::instance::decode_value(value.as_deref()?)?;
                    Some(Total {
                        key: self.keys.intern(&key),
                        value,
                        timestamp,
                    })
                })
                .collect();
            out.insert(p, Restored { windows, totals });
        }
        out
    }

    /// Partition `number` of a changelog as (key text, value, timestamp), committed records only.
    fn committed_changelog(
        &self,
        topic: &str,
        number: u32,
    ) -> Vec<(String, Option<String>, Millis)> {
        let Some(part) = self
            .cluster
            .topic_by_name(topic)
            .and_then(|t| t.partitions.get(number as usize).copied())
            .and_then(|cp| self.cluster.partition(cp))
        else {
            return Vec::new();
        };
        let end = part.last_stable_offset();
        let mut raw = Vec::new();
        for batch in part.log.batches_from(part.log.log_start_offset()) {
            if batch.base_offset >= end {
                break;
            }
            if batch.control.is_some()
                || batch.is_transactional && part.is_aborted(batch.producer_id, batch.base_offset)
            {
                continue;
            }
            for (i, r) in batch.records.iter().enumerate() {
                let typed = batch.typed.iter().find(|t| t.offset_delta == i as u32);
                let key = self
                    .keys
                    .text(r.key)
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                raw.push((
                    key,
                    typed.and_then(|t| t.value.clone()),
                    r.timestamp(batch.first_timestamp),
                ));
            }
        }
        raw
    }
}
