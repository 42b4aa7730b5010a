//! The coordinators' and the purgatory's timers: each keeps one entry in the event queue for its
//! earliest deadline, replaced only by an earlier one (a later stale entry finds nothing to do).

use super::{Due, Simulation};
use crate::cluster::CONSUMER_OFFSETS;

impl Simulation {
    pub(super) fn reschedule_group_timer(&mut self) {
        let cluster = &self.cluster;
        let available = |g: &str| cluster.coordinator_alive(CONSUMER_OFFSETS, g);
        if let Some(t) = self.groups.next_deadline(&available) {
            let t = t.max(self.now);
            if self.group_timer_at.is_none_or(|s| t < s) {
                self.group_timer_at = Some(t);
                self.queue.push(t, Due::GroupCoordinatorTimer);
            }
        }
    }

    pub(super) fn reschedule_txn_timer(&mut self) {
        if let Some(t) = self.txns.next_deadline() {
            let t = t.max(self.now);
            if self.txn_timer_at.is_none_or(|s| t < s) {
                self.txn_timer_at = Some(t);
                self.queue.push(t, Due::TxnCoordinatorTimer);
            }
        }
    }

    /// Outputs of the periodic abort check, each sent from its transaction's coordinator.
    pub(super) fn flush_txn_timer_outputs(
        &mut self,
        out: Vec<crate::coordinator::transaction::TxnOutput>,
    ) {
        use crate::coordinator::transaction::TxnOutput;
        for o in out {
            let coordinator = match &o {
                TxnOutput::WriteMarkers {
                    transactional_id, ..
                } => self
                    .cluster
                    .coordinator_for(crate::cluster::TRANSACTION_STATE, transactional_id),
                _ => self.cluster.brokers.first().map(|b| b.id),
            };
            self.flush_txn_outputs(coordinator.unwrap_or(1), vec![o]);
        }
    }

    pub(super) fn reschedule_purgatory(&mut self) {
        if let Some(t) = self.purgatory.next_deadline() {
            let t = t.max(self.now);
            if self.purgatory_at.is_none_or(|s| t < s) {
                self.purgatory_at = Some(t);
                self.queue.push(t, Due::FetchPurgatoryTimer);
            }
        }
    }
}
