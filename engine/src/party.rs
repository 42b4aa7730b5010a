//! The context a party runs with: what a producer, consumer, processor or coordinator may read
//! and do while the driver runs it.
//!
//! A party never holds a reference to another party or to the driver. It reads the cluster's
//! metadata and the key table, reports to the delivery audit, and leaves everything else in its
//! outbox: messages (delivered after the network delay, if the network lets them through) and
//! events. The driver (`sim`) builds a `Ctx` for each run of a party and empties the outbox after.

use crate::audit::DeliveryAudit;
use crate::cluster::Cluster;
use crate::event::EventKind;
use crate::ground::{BrokerId, Millis};
use crate::log::KeyTable;
use crate::protocol::{Message, Party};

/// What a party wants sent or recorded while it runs.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    /// Messages in the order they were sent, each with its addressee.
    pub messages: Vec<(Party, Message)>,
    /// Events in the order they happened.
    pub events: Vec<EventKind>,
}

impl Outbox {
    /// Nothing sent and nothing recorded.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.events.is_empty()
    }
}

/// What a party may see and do while it runs: read the cluster and keys, send messages, emit
/// events, report to the audit.
pub struct Ctx<'a> {
    pub now: Millis,
    pub cluster: &'a Cluster,
    pub keys: &'a KeyTable,
    pub audit: &'a mut DeliveryAudit,
    out: &'a mut Outbox,
    /// Connections whose socket send buffer is full, as (producer, broker, until when): the
    /// broker has not read what was sent before, so TCP takes nothing more (the driver's cost
    /// model fills this; empty without it).
    pub full_links: &'a [(u32, BrokerId, Millis)],
}

impl<'a> Ctx<'a> {
    pub fn new(
        now: Millis,
        cluster: &'a Cluster,
        keys: &'a KeyTable,
        audit: &'a mut DeliveryAudit,
        out: &'a mut Outbox,
    ) -> Self {
        Ctx {
            now,
            cluster,
            keys,
            audit,
            out,
            full_links: &[],
        }
    }

    /// Until when `producer`'s connection to `broker` takes nothing more, if it is full now.
    pub fn link_full_until(&self, producer: u32, broker: BrokerId) -> Option<Millis> {
        self.full_links
            .iter()
            .find(|l| l.0 == producer && l.1 == broker && l.2 > self.now)
            .map(|l| l.2)
    }

    /// Sends `message` to `to`; it leaves when the party's run ends.
    pub fn send(&mut self, to: Party, message: Message) {
        self.out.messages.push((to, message));
    }

    /// Records that something happened, in Kafka's words.
    pub fn emit(&mut self, kind: EventKind) {
        self.out.events.push(kind);
    }
}
