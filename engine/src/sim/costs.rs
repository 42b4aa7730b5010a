//! The resources work queues for: every party's network card (out and in), each broker's
//! request handler threads and disk, and each client's CPU (compression). A message is
//! delivered when the work it needs is done: the sender's CPU and card, the network delay, the
//! receiver's card, then a handler thread at a broker (or a consumer's CPU to decompress).
//! A saturated resource makes work wait: a broker's request queue grows, latency rises and
//! throughput levels off, as in Kafka.
//!
//! Work accumulates in nanoseconds; the clock ticks in milliseconds, so a message is delivered
//! in the millisecond its work ends (a backlog is exact, a single message's delay is rounded
//! down). Work is booked when a message is sent, in the order messages are sent, which is the
//! order they arrive in except under the fault rules' extra delays.
//!
//! Simplifications: requests on one connection are handled in order but may overlap (Kafka
//! mutes a connection until its response is sent); a broker's network threads and the replica
//! fetcher share its request handler threads; costs do not apply to RabbitMQ yet.

use std::collections::HashMap;

use serde::Serialize;

use super::Simulation;
use crate::cluster::costs::{Nanos, MESSAGE_OVERHEAD_BYTES, NANOS_PER_MS};
use crate::cluster::{Cluster, CostConfig};
use crate::ground::{BrokerId, Millis};
use crate::protocol::{Message, Party};

/// One network card and one CPU: when each is next free.
#[derive(Clone, Copy, Debug, Default)]
struct Card {
    out_free: Nanos,
    in_free: Nanos,
    cpu_free: Nanos,
}

/// What a broker did, counted since it started; the view shows rates over the last second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BrokerWork {
    pub requests: u64,
    /// Handler thread time spent, summed over threads.
    pub handler_ns: u64,
    /// Time requests waited for a handler thread, summed.
    pub queue_ns: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Fetched bytes served from the page cache and from the disk.
    pub cache_bytes: u64,
    pub disk_bytes: u64,
}

impl BrokerWork {
    fn minus(&self, o: &BrokerWork) -> BrokerWork {
        BrokerWork {
            requests: self.requests - o.requests,
            handler_ns: self.handler_ns - o.handler_ns,
            queue_ns: self.queue_ns - o.queue_ns,
            bytes_in: self.bytes_in - o.bytes_in,
            bytes_out: self.bytes_out - o.bytes_out,
            cache_bytes: self.cache_bytes - o.cache_bytes,
            disk_bytes: self.disk_bytes - o.disk_bytes,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct BrokerLoad {
    card: Card,
    /// When each request handler thread is next free.
    threads: Vec<Nanos>,
    disk_free: Nanos,
    work: BrokerWork,
    /// The counters when the current second began, and the difference over the last full one.
    at_mark: BrokerWork,
    mark_at: Millis,
    last_second: BrokerWork,
}

impl BrokerLoad {
    fn roll(&mut self, now: Millis) {
        if now >= self.mark_at + 1_000 {
            // A second without work in between leaves an empty last second.
            self.last_second = if now < self.mark_at + 2_000 {
                self.work.minus(&self.at_mark)
            } else {
                BrokerWork::default()
            };
            self.at_mark = self.work;
            self.mark_at = now - now % 1_000;
        }
    }

    /// Books `service` on the thread free first, no earlier than `ready`; returns when it ends.
    fn handle(&mut self, ready: Nanos, service: Nanos, threads: u32) -> Nanos {
        if self.threads.len() != threads as usize {
            self.threads.resize(threads as usize, 0);
        }
        let (i, free) = self
            .threads
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(i, t)| (t, i))
            .expect("at least one thread");
        let start = ready.max(free);
        self.threads[i] = start + service;
        self.work.requests += 1;
        self.work.handler_ns += service;
        self.work.queue_ns += start - ready;
        start + service
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Resources {
    brokers: Vec<BrokerLoad>,
    clients: HashMap<Party, Card>,
    /// When the last message on each connection to a broker was handled: a connection's
    /// requests are handled in order.
    connections: HashMap<(Party, Party), Nanos>,
    /// Whether any batch was compressed yet (consumers' decompression is only looked for then).
    any_compressed: bool,
    /// Producer connections whose socket send buffer is full, until when (see `Ctx`).
    pub full_links: Vec<(u32, BrokerId, Millis)>,
}

/// A producer's `send.buffer.bytes` (Kafka's default): the data TCP holds for a broker that
/// has not read it yet. A connection with more than this waiting takes nothing more.
const SEND_BUFFER_BYTES: u64 = 128 * 1024;

/// A broker's load over the last full second, for the view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BrokerLoadView {
    pub broker: BrokerId,
    pub last_second: BrokerWork,
    /// Since the broker started.
    pub total: BrokerWork,
    /// Share of the handler threads' time spent working over the last second (0 to 1).
    pub handler_utilisation: f64,
    /// How long a request arriving now would wait for a handler thread (ms).
    pub queue_ms: f64,
    /// Share of the network card's bandwidth used over the last second, in and out.
    pub network_in_utilisation: f64,
    pub network_out_utilisation: f64,
}

fn wire_bytes(m: &Message) -> u64 {
    MESSAGE_OVERHEAD_BYTES
        + match m {
            Message::Produce(r) => r.batches.iter().map(|(_, _, b)| b.size_bytes as u64).sum(),
            Message::FetchResponse(r) => r.partitions.iter().map(|p| p.bytes as u64).sum(),
            Message::ReplicaFetchResponse(r) => r
                .partitions
                .iter()
                .map(|p| match &p.result {
                    Ok(crate::cluster::ReplicaFetchResult::Batches(b)) => {
                        b.iter().map(|b| b.size_bytes as u64).sum()
                    }
                    _ => 0,
                })
                .sum(),
            _ => 0,
        }
}

/// Bytes of data a partition holds after `offset` (at the partition's mean record size).
fn bytes_after(cluster: &Cluster, p: crate::ground::PartitionIdx, offset: i64) -> u64 {
    let Some(part) = cluster.partition(p) else {
        return 0;
    };
    let log = &part.log;
    let records = log.records().max(1);
    let behind = (log.log_end_offset() - offset).max(0) as u64;
    behind.saturating_mul(log.size_bytes()) / records
}

/// Replicas per broker, the page cache's sharers.
fn replicas_per_broker(cluster: &Cluster) -> u32 {
    let replicas: u64 = cluster
        .topics()
        .filter(|t| !t.internal)
        .map(|t| t.partitions.len() as u64 * t.config.replication_factor as u64)
        .sum();
    (replicas / cluster.brokers.len().max(1) as u64).max(1) as u32
}

impl Simulation {
    /// When a message sent now and due at `at` (after the network delay and the fault rules)
    /// is delivered, once the work it needs is booked.
    pub(super) fn costed_delivery(
        &mut self,
        from: Party,
        to: Party,
        message: &Message,
        at: Millis,
    ) -> Millis {
        let costs = &self.cluster.config.costs;
        if !costs.enabled {
            return at;
        }
        let now = self.now * NANOS_PER_MS;
        // The network's own delay comes before the receiver's queues; what a slow broker or a
        // fault rule adds comes after them, so that a message held back does not hold the
        // receiver's card or threads for everyone else.
        let base = self.network.delay_ms.min(at - self.now);
        let extra = at - self.now - base;
        let delay = base * NANOS_PER_MS;
        let bytes = wire_bytes(message);
        let tx = costs.transfer_ns(bytes);
        let res = &mut self.resources;
        // The sender's work before the message leaves.
        let mut ready = now;
        match (from, message) {
            (Party::Producer(_), Message::Produce(r)) => {
                let work: Nanos = r
                    .batches
                    .iter()
                    .map(|(_, _, b)| {
                        costs.codec_ns(b.uncompressed_bytes as u64, b.compression, true)
                    })
                    .sum();
                if work > 0 {
                    res.any_compressed = true;
                    let card = res.clients.entry(from).or_default();
                    ready = ready.max(card.cpu_free) + work;
                    card.cpu_free = ready;
                }
            }
            (Party::Broker(b), Message::FetchResponse(r)) => {
                let share = replicas_per_broker(&self.cluster);
                let (mut cold, mut hot) = (0u64, 0u64);
                for p in &r.partitions {
                    let behind = bytes_after(&self.cluster, p.partition, p.fetch_offset);
                    if costs.in_page_cache(behind, share) {
                        hot += p.bytes as u64;
                    } else {
                        cold += p.bytes as u64;
                    }
                }
                ready = send_fetched(res, costs, b, ready, hot + cold, cold);
            }
            (Party::Broker(b), Message::ReplicaFetchResponse(_)) => {
                // Followers read what was just written: from the page cache.
                ready = send_fetched(res, costs, b, ready, bytes - MESSAGE_OVERHEAD_BYTES, 0);
            }
            _ => {}
        }
        // The sender's card, the wire, the receiver's card.
        let sent = {
            let card = card_of(res, from);
            let sent = ready.max(card.out_free) + tx;
            card.out_free = sent;
            sent
        };
        let arrived = {
            // The receiver's card, in the sender's time (the delay is the same for everyone).
            let card = card_of(res, to);
            let received = sent.max(card.in_free + tx);
            card.in_free = received;
            received + delay
        };
        if let Party::Broker(b) = from {
            let l = broker_load(res, b);
            l.roll(self.now);
            l.work.bytes_out += bytes;
        }
        // The receiver's work.
        let done = match to {
            Party::Broker(b) => {
                let extra = match message {
                    Message::Produce(r) => r
                        .batches
                        .iter()
                        .map(|(p, _, batch)| {
                            let stored = self
                                .cluster
                                .partition(*p)
                                .and_then(|x| self.cluster.topic(x.topic))
                                .map_or(batch.compression, |t| {
                                    t.config.compression_type.stored(batch.compression)
                                });
                            costs.validation_ns(
                                batch.uncompressed_bytes as u64,
                                batch.compression,
                                stored,
                            )
                        })
                        .sum(),
                    _ => 0,
                };
                let service = costs.request_ns(bytes, extra);
                let after = res.connections.get(&(from, to)).copied().unwrap_or(0);
                let threads = costs.num_io_threads;
                let l = broker_load(res, b);
                l.roll(self.now);
                l.work.bytes_in += bytes;
                let done = l.handle(arrived.max(after), service, threads);
                res.connections.insert((from, to), done);
                if let (Party::Producer(p), Message::Produce(_)) = (from, message) {
                    // Full while the broker is more than a send buffer behind.
                    let slack = delay + costs.transfer_ns(SEND_BUFFER_BYTES);
                    let until = done.saturating_sub(slack).div_ceil(NANOS_PER_MS);
                    res.full_links
                        .retain(|l| !(l.0 == p && l.1 == b) && l.2 > self.now);
                    if until > self.now {
                        res.full_links.push((p, b, until));
                    }
                }
                done
            }
            Party::Consumer(_) if res.any_compressed => {
                let Message::FetchResponse(r) = message else {
                    return arrived / NANOS_PER_MS + extra;
                };
                let work = decompression_ns(&self.cluster, costs, r);
                let card = res.clients.entry(to).or_default();
                let done = arrived.max(card.cpu_free) + work;
                card.cpu_free = done;
                done
            }
            _ => arrived,
        };
        (done / NANOS_PER_MS + extra).max(at)
    }

    /// Every broker's load over the last full second.
    pub fn broker_loads(&self) -> Vec<BrokerLoadView> {
        let costs = &self.cluster.config.costs;
        let now = self.now * NANOS_PER_MS;
        let card_ns_per_s = 1_000_000_000f64;
        self.cluster
            .brokers
            .iter()
            .map(|b| {
                let Some(l) = self.resources.brokers.get(b.id as usize) else {
                    return BrokerLoadView {
                        broker: b.id,
                        ..Default::default()
                    };
                };
                let w = if self.now < l.mark_at + 2_000 {
                    l.last_second
                } else {
                    BrokerWork::default()
                };
                let free = l.threads.iter().copied().min().unwrap_or(0);
                BrokerLoadView {
                    broker: b.id,
                    last_second: w,
                    total: l.work,
                    handler_utilisation: (w.handler_ns as f64
                        / (card_ns_per_s * costs.num_io_threads as f64))
                        .min(1.0),
                    queue_ms: free.saturating_sub(now) as f64 / NANOS_PER_MS as f64,
                    network_in_utilisation: (costs.transfer_ns(w.bytes_in) as f64 / card_ns_per_s)
                        .min(1.0),
                    network_out_utilisation: (costs.transfer_ns(w.bytes_out) as f64
                        / card_ns_per_s)
                        .min(1.0),
                }
            })
            .collect()
    }
}

fn card_of(res: &mut Resources, party: Party) -> &mut Card {
    match party {
        Party::Broker(b) => &mut broker_load(res, b).card,
        other => res.clients.entry(other).or_default(),
    }
}

fn broker_load(res: &mut Resources, b: BrokerId) -> &mut BrokerLoad {
    let i = b.max(0) as usize;
    if res.brokers.len() <= i {
        res.brokers.resize_with(i + 1, BrokerLoad::default);
    }
    &mut res.brokers[i]
}

/// A broker sends `bytes` of records, `cold` of them read from its disk first; under TLS a
/// handler thread encrypts them. Returns when they are ready for the network card.
fn send_fetched(
    res: &mut Resources,
    costs: &CostConfig,
    b: BrokerId,
    ready: Nanos,
    bytes: u64,
    cold: u64,
) -> Nanos {
    let (disk, cpu) = costs.fetch_send_ns(bytes, cold);
    let threads = costs.num_io_threads;
    let l = broker_load(res, b);
    l.work.cache_bytes += bytes - cold;
    l.work.disk_bytes += cold;
    let mut t = ready;
    if disk > 0 {
        t = t.max(l.disk_free) + disk;
        l.disk_free = t;
    }
    if cpu > 0 {
        t = l.handle(t, cpu, threads);
    }
    t
}

/// A consumer's CPU to decompress the compressed batches a fetch returned.
fn decompression_ns(
    cluster: &Cluster,
    costs: &CostConfig,
    r: &crate::protocol::FetchResponse,
) -> Nanos {
    let mut work = 0;
    for p in &r.partitions {
        if p.bytes == 0 {
            continue;
        }
        let Some(part) = cluster.partition(p.partition) else {
            continue;
        };
        for b in part.log.batches_from(p.fetch_offset) {
            if b.base_offset >= p.end_offset {
                break;
            }
            work += costs.codec_ns(b.uncompressed_bytes as u64, b.compression, false);
        }
    }
    work
}
