//! Kafka's words as brokerlab uses them, one short explanation each. The page shows them where
//! the words appear (a term opens its explanation by click, tap or keyboard) and the intro lists
//! them; the CLI prints them (`brokerlab-cli glossary`). One list, so the page and the command
//! line never explain a word two ways.

/// One entry: a stable key the page refers to, the term as Kafka writes it, and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: &'static str,
    pub term: &'static str,
    pub meaning: &'static str,
}

const fn e(key: &'static str, term: &'static str, meaning: &'static str) -> Entry {
    Entry { key, term, meaning }
}

/// Every entry, in the order a learner meets them.
pub const GLOSSARY: &[Entry] = &[
    e("offset", "Offset",
      "A record's position in its partition: 0, 1, 2 ... in the order the leader appended them. Offsets are never reused, not even after records are deleted."),
    e("log-start-offset", "Log start offset",
      "The first offset the partition still holds. Retention and compaction delete old segments and move it forward; a consumer asking for less is out of range and follows auto.offset.reset."),
    e("high-watermark", "High watermark (HW)",
      "One past the last offset every in-sync replica has copied. Consumers read only below it, so they never see a record that a leader change could still throw away."),
    e("log-end-offset", "Log end offset (LEO)",
      "One past the last offset the leader has appended. Records between the high watermark and the log end offset are written but not yet replicated to the whole ISR."),
    e("last-stable-offset", "Last stable offset (LSO)",
      "The first offset of the oldest transaction still open (or the high watermark if none is). read_committed consumers read only below it, and skip records of aborted transactions."),
    e("replicas", "Replicas",
      "The brokers holding a copy of the partition, in assignment order. The leader (filled) takes every write; followers copy from it, and only in-sync ones (outlined, not dashed) count for acks=all and the high watermark."),
    e("isr", "ISR (in-sync replicas)",
      "The leader and the followers that are caught up with it (within replica.lag.time.max.ms). acks=all waits for all of them; with fewer than min.insync.replicas the leader refuses acks=all writes."),
    e("leader-epoch", "Leader epoch",
      "A number that grows with every leader election of a partition. Followers and consumers use it to notice a new leader and to cut off records the old one wrote that the new one does not have."),
    e("producer-epoch", "Producer epoch",
      "Part of an idempotent or transactional producer's identity (producer id, epoch). A new producer with the same transactional.id bumps it, and the old one, a zombie, is fenced."),
    e("generation", "Generation",
      "The number of a consumer group's assignment: every completed rebalance makes a new one. Commits from an older generation are refused, so a member that missed a rebalance cannot overwrite offsets. (Under KIP-848 it is the group epoch.)"),
    e("state-empty", "Empty",
      "The group has no members. Its committed offsets stay (until offsets.retention.minutes) and can be reset."),
    e("state-preparing-rebalance", "PreparingRebalance",
      "The coordinator is waiting for every member to (re)join with JoinGroup. Members stop fetching until the new assignment arrives (eager) or keep what they keep (cooperative)."),
    e("state-completing-rebalance", "CompletingRebalance",
      "Everyone has joined; the coordinator waits for the leader's assignment in SyncGroup and hands each member its partitions."),
    e("state-stable", "Stable",
      "Every member has its partitions and reads. It stays so until a member joins, leaves, misses its session timeout, or the subscribed topics change."),
    e("state-dead", "Dead",
      "The group is gone: deleted, or its coordinator moved away. Nothing can join it."),
    e("state-assigning", "Assigning (KIP-848)",
      "Consumer protocol: the coordinator is computing a new target assignment after the group epoch changed."),
    e("state-reconciling", "Reconciling (KIP-848)",
      "Consumer protocol: members are moving to the target assignment, each on its own heartbeats: revoking first, then taking partitions once their old owners released them."),
    e("committed-offset", "Committed offset",
      "Where the group will resume: the offset stored in __consumer_offsets by a commit (automatic every auto.commit.interval.ms, or by hand). It moves only when the consumer commits."),
    e("position", "Position",
      "The offset a consumer will fetch next. It runs ahead of the committed offset between commits; after a crash the group restarts from the committed offset and reads that gap again."),
    e("lag", "Lag",
      "How far a group is behind: high watermark minus committed offset, per partition and summed. It climbs between commits even when the group keeps up, and grows for good when it cannot."),
    e("audit-acknowledged", "Acknowledged",
      "Records producers got acknowledged in the group's partitions, also those written before the group started reading. A record whose acknowledgement was lost is written but not counted, so Consumed can be larger."),
    e("audit-consumed", "Consumed",
      "Records handed to the group's consumers, redeliveries included."),
    e("duplicates", "Duplicates",
      "Deliveries of a record already delivered that nobody asked for: a retry appended it twice, or a crash or rebalance came before a commit. Idempotence removes the first kind; committing in a transaction the second."),
    e("reread-after-reset", "Re-read after reset",
      "Records read again because an offset reset moved the group back over them: a replay that was asked for, not duplicates."),
    e("lost", "Lost",
      "Acknowledged records no replica has any more: a leader election (an unclean one, or acks=1) threw them away."),
    e("skipped", "Skipped",
      "Acknowledged records the group never got although it read past them: skipped by an offset reset, or deleted by retention before it read them."),
    e("out-of-order", "Out of order",
      "Deliveries that came after a later record of the same key and partition: retries with max.in.flight.requests.per.connection above 1 and no idempotence can reorder a partition."),
    e("evicted", "Evicted (memory)",
      "Acknowledged records the playground's memory bound (sim.log.memory.bytes, not Kafka's retention) removed before the group read them."),
    e("aborted-seen", "Aborted seen",
      "Records of aborted transactions delivered to read_uncommitted consumers; read_committed ones skip them."),
    e("acks", "acks",
      "How many replicas must have a batch before the producer hears it succeeded: 0 (nobody waits), 1 (the leader) or all (every in-sync replica)."),
    e("produce-latency", "Send-to-ack latency",
      "How long a record waits from send() until the producer hears it is stored: lingering in the accumulator (linger.ms, batch.size), the produce request, and the replication acks asks for. p50: half the records waited at most this long; p99: all but one in a hundred. Over the last five to ten seconds."),
    e("end-to-end-latency", "End-to-end latency",
      "How long a record takes from the producer's send() (its timestamp) to a consumer's poll() returning it: lingering, the produce request, replication up to the high watermark, the consumer's fetch wait (fetch.min.bytes, fetch.max.wait.ms) and any lag. p50 and p99 over the last five to ten seconds, across the group's members."),
    e("exchange", "Exchange (RabbitMQ)",
      "Where a RabbitMQ publisher sends a message, with a routing key. The exchange's type and bindings decide which queues get a copy: direct compares the key, topic matches patterns with * and #, fanout copies to every bound queue."),
    e("binding", "Binding (RabbitMQ)",
      "A rule joining an exchange to a queue, with a binding key (a pattern on a topic exchange). A queue gets only messages published after it was bound: it has no history to read."),
    e("prefetch", "Prefetch (basic.qos)",
      "How many messages RabbitMQ pushes to a consumer before it must acknowledge some. With prefetch above 1, several messages are in a consumer's hands at once, and a message returned to the queue comes back after later ones."),
    e("basic-ack", "Ack (basic.ack)",
      "A RabbitMQ consumer acknowledges each message: the queue then deletes it. Kafka has no per-message ack: a group commits an offset, and one commit covers every record before it."),
    e("requeue", "Requeue, redelivered",
      "A message rejected with requeue, or unacknowledged when its consumer's channel closed, goes back to the queue and is delivered again with the redelivered flag. A quorum queue dead-letters it after its delivery limit (20 by default)."),
    e("dead-letter", "Dead-lettering",
      "A message rejected without requeue, expired (TTL), pushed out by a length limit, or returned too often leaves its queue for the queue's dead-letter exchange, with an x-death header saying why. Without one it is dropped."),
    e("share-group", "Share group (KIP-932)",
      "Kafka's own queue: members of a share group take records from the same partitions, each record acquired by one member under a time lock and acknowledged on its own (ACCEPT, RELEASE, REJECT). More members than partitions is fine; order is not kept."),
    e("acquisition-lock", "Acquisition lock",
      "How long a share group member may hold a record (share.record.lock.duration.ms, 30 s). If it does not acknowledge in time, a crash for instance, the record becomes available to the other members with its delivery count raised."),
    e("spso", "SPSO and SPEO",
      "A share-partition's start offset, below which every record is done, and its end offset, the last one fetched. The window between them is capped (2000 records): one stuck record at the start can stall the partition."),
    e("stream-time", "Stream time",
      "A Kafka Streams task's clock: the largest record timestamp it has seen. It moves only when records arrive, so a window closes when a later record shows up, not when the wall clock passes its end."),
    e("grace-period", "Grace period",
      "How long after a window's end it still takes out-of-order records. A record whose window ended more than the grace period before stream time is dropped as late and counted in dropped-records-total."),
    e("changelog", "Changelog topic",
      "A state store's backup in Kafka: every change to the store is also written to <application.id>-<store>-changelog. A task that moves to another instance rebuilds its store by reading it before processing."),
    e("materialized-view", "Materialized view",
      "The serving table a dashboard reads (Redis, a database, an OLAP store), kept current by a sink that consumes the application's output topic. Its latency is from an event's production to its effect on the view."),
    e("interactive-query", "Interactive query",
      "Asking a Kafka Streams store directly for a key: the key hashes to an input partition, so one task on one instance holds it (KafkaStreams#queryMetadataForKey), and that instance answers."),
];

/// The entry with this key.
pub fn entry(key: &str) -> Option<&'static Entry> {
    GLOSSARY.iter().find(|e| e.key == key)
}

/// The entry that explains a consumer group state as the coordinator names it.
pub fn group_state(state: &str) -> Option<&'static Entry> {
    entry(match state {
        "Empty" => "state-empty",
        "PreparingRebalance" => "state-preparing-rebalance",
        "CompletingRebalance" => "state-completing-rebalance",
        "Stable" => "state-stable",
        "Dead" => "state-dead",
        "Assigning" => "state-assigning",
        "Reconciling" => "state-reconciling",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_explanations_short() {
        for (i, a) in GLOSSARY.iter().enumerate() {
            assert!(
                GLOSSARY[i + 1..].iter().all(|b| b.key != a.key),
                "{}",
                a.key
            );
            let sentences = a.meaning.matches(". ").count() + 1;
            assert!(sentences <= 3, "{}: {sentences} sentences", a.key);
        }
    }

    #[test]
    fn every_group_state_the_coordinator_names_is_explained() {
        for state in [
            "Empty",
            "PreparingRebalance",
            "CompletingRebalance",
            "Stable",
            "Dead",
            "Assigning",
            "Reconciling",
        ] {
            assert!(group_state(state).is_some(), "{state}");
        }
    }
}
