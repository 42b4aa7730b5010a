//! A Kafka Streams application's topology as the simulation builds it from a form, not code:
//! source -> parse -> filter by event type -> [selectKey -> repartition topic] -> group by key ->
//! windowed count or sum -> sink,
//! with the names Kafka Streams generates for its nodes, store and changelog topic (reference
//! section 1.5), its processing guarantee and commit interval (1.6), and what it does with a
//! record it cannot parse (section 2: fail, log and continue, or the dead-letter topic of
//! KIP-1034).

use super::aggregate::Emit;
use super::window::Windows;
use crate::ground::Millis;
use crate::producer::events::EventType;

/// What the aggregate adds up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregation {
    /// `count()`.
    Count,
    /// The sum of a purchase's `amount`.
    SumAmount,
}

/// `selectKey`: the new key, read from the event. Grouping by it needs a repartition topic, so
/// that every record of one new key reaches the one task that counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySelector {
    /// The page a click or view is on.
    Page,
    /// The event type: click, view or purchase.
    Type,
}

impl KeySelector {
    pub fn as_str(self) -> &'static str {
        match self {
            KeySelector::Page => "page",
            KeySelector::Type => "type",
        }
    }
}

/// `processing.guarantee`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessingGuarantee {
    AtLeastOnce,
    ExactlyOnceV2,
}

impl ProcessingGuarantee {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessingGuarantee::AtLeastOnce => "at_least_once",
            ProcessingGuarantee::ExactlyOnceV2 => "exactly_once_v2",
        }
    }

    /// `commit.interval.ms` when not set: 30000, or 100 under exactly-once.
    pub fn default_commit_interval_ms(self) -> Millis {
        match self {
            ProcessingGuarantee::AtLeastOnce => 30_000,
            ProcessingGuarantee::ExactlyOnceV2 => 100,
        }
    }
}

/// The processing exception handler's response to a record that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnError {
    /// `LogAndFailProcessingExceptionHandler` (the default): the stream thread dies.
    Fail,
    /// `LogAndContinueProcessingExceptionHandler`: logged and skipped.
    Continue,
    /// Continue, and write the record to `errors.dead.letter.queue.topic.name` (4.2).
    DeadLetter(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    /// `application.id`: the consumer group, and the prefix of internal topics.
    pub application_id: String,
    pub input: String,
    pub output: String,
    /// Keep only records of this type.
    pub filter: Option<EventType>,
    /// Re-key before grouping (`selectKey`), through a repartition topic.
    pub select_key: Option<KeySelector>,
    /// The second aggregate's topic: a running total per key, without a window.
    pub total_output: Option<String>,
    pub aggregation: Aggregation,
    pub windows: Windows,
    pub emit: Emit,
    pub guarantee: ProcessingGuarantee,
    pub commit_interval_ms: Millis,
    pub on_error: OnError,
    /// The application's time per record (microseconds).
    pub processing_us: u64,
}

impl Topology {
    /// The generated name of node `n`: `PREFIX-%010d`.
    fn name(prefix: &str, n: u32) -> String {
        format!("{prefix}-{n:010}")
    }

    /// The number of the window store: after the source, the filter and the key selector; a
    /// session window's `count()` burns one more name first ("we used to burn a topology name
    /// here", `SessionWindowedKStreamImpl.count`). The aggregate processor takes the next number
    /// (`newStoreName` runs before `newProcessorName`).
    fn store_number(&self) -> u32 {
        let mut n = 1 + u32::from(self.filter.is_some()) + u32::from(self.select_key.is_some());
        if matches!(self.windows, Windows::Session { .. }) && self.aggregation == Aggregation::Count
        {
            n += 1;
        }
        n
    }

    pub fn store_name(&self) -> String {
        Topology::name("KSTREAM-AGGREGATE-STATE-STORE", self.store_number())
    }

    /// `<application.id>-<store>-repartition`, when the key changes before grouping: its prefix
    /// is the store name (`GroupedStreamAggregateBuilder.build`).
    pub fn repartition_topic(&self) -> Option<String> {
        self.select_key
            .map(|_| format!("{}-{}-repartition", self.application_id, self.store_name()))
    }

    /// The processor nodes in the order records flow, as `Topology#describe()` names them. A
    /// repartition takes generated names for its sink, null-key filter and source, in that
    /// order, after the aggregate's ("always need to generate the names to burn index counter
    /// for compatibility", `KStreamImpl.createRepartitionedSource`).
    pub fn nodes(&self) -> Vec<String> {
        let mut out = vec![Topology::name("KSTREAM-SOURCE", 0)];
        let mut n = 1;
        if self.filter.is_some() {
            out.push(Topology::name("KSTREAM-FILTER", n));
            n += 1;
        }
        if self.select_key.is_some() {
            out.push(Topology::name("KSTREAM-KEY-SELECT", n));
        }
        let aggregate = self.store_number() + 1;
        let mut next = aggregate + 1;
        if self.select_key.is_some() {
            out.push(Topology::name("KSTREAM-FILTER", next + 1));
            out.push(Topology::name("KSTREAM-SINK", next));
            out.push(Topology::name("KSTREAM-SOURCE", next + 2));
            next += 3;
        }
        out.push(Topology::name("KSTREAM-AGGREGATE", aggregate));
        if self.emit == Emit::UntilWindowCloses {
            out.push(Topology::name("KTABLE-SUPPRESS", next));
            next += 2; // and its buffer's store
        }
        out.push(Topology::name("KTABLE-TOSTREAM", next));
        out.push(Topology::name("KSTREAM-SINK", next + 1));
        if self.total_output.is_some() {
            // The same grouped stream's second aggregate: its store, processor, toStream, sink.
            let store = next + 2;
            out.push(Topology::name("KSTREAM-AGGREGATE", store + 1));
            out.push(Topology::name("KTABLE-TOSTREAM", store + 2));
            out.push(Topology::name("KSTREAM-SINK", store + 3));
        }
        out
    }

    /// The running total's key-value store, numbered after the windowed chain's sink.
    pub fn total_store_name(&self) -> Option<String> {
        self.total_output.as_ref()?;
        let suppress = if self.emit == Emit::UntilWindowCloses {
            2
        } else {
            0
        };
        let repartition = if self.select_key.is_some() { 3 } else { 0 };
        // store, aggregate, [repartition x3], [suppress + its store], toStream, sink
        let sink = self.store_number() + 1 + repartition + suppress + 2;
        Some(Topology::name("KSTREAM-AGGREGATE-STATE-STORE", sink + 1))
    }

    /// `<application.id>-<total store>-changelog`: compacted, as key-value stores' are.
    pub fn total_changelog_topic(&self) -> Option<String> {
        self.total_store_name()
            .map(|s| format!("{}-{s}-changelog", self.application_id))
    }

    /// The sub-topology whose tasks keep the store: 1 behind a repartition topic, else 0.
    pub fn stateful_subtopology(&self) -> u32 {
        u32::from(self.select_key.is_some())
    }

    /// `<application.id>-<store>-changelog`.
    pub fn changelog_topic(&self) -> String {
        format!("{}-{}-changelog", self.application_id, self.store_name())
    }

    /// What one record adds to its windows, or `None` if the topology filters it out.
    pub fn value_of(&self, kind: EventType, amount: u32) -> Option<i64> {
        if self.filter.is_some_and(|f| f != kind) {
            return None;
        }
        Some(match self.aggregation {
            Aggregation::Count => 1,
            Aggregation::SumAmount => i64::from(amount),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(filter: Option<EventType>, emit: Emit) -> Topology {
        Topology {
            application_id: "clicks-app".into(),
            input: "clicks".into(),
            output: "clicks-per-minute".into(),
            filter,
            select_key: None,
            total_output: None,
            aggregation: Aggregation::Count,
            windows: Windows::tumbling(60_000, 10_000).unwrap(),
            emit,
            guarantee: ProcessingGuarantee::AtLeastOnce,
            commit_interval_ms: 30_000,
            on_error: OnError::Fail,
            processing_us: 0,
        }
    }

    /// Section 1.8's expected names for `stream -> groupByKey -> windowedBy -> count -> suppress
    /// -> toStream -> to`.
    #[test]
    fn generated_names_follow_kafka_streams() {
        let t = topology(None, Emit::UntilWindowCloses);
        assert_eq!(t.store_name(), "KSTREAM-AGGREGATE-STATE-STORE-0000000001");
        assert_eq!(
            t.nodes(),
            [
                "KSTREAM-SOURCE-0000000000",
                "KSTREAM-AGGREGATE-0000000002",
                "KTABLE-SUPPRESS-0000000003",
                "KTABLE-TOSTREAM-0000000005",
                "KSTREAM-SINK-0000000006"
            ]
        );
        assert_eq!(
            t.changelog_topic(),
            "clicks-app-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog"
        );
        let f = topology(Some(EventType::Click), Emit::Cached);
        assert_eq!(f.store_name(), "KSTREAM-AGGREGATE-STATE-STORE-0000000002");
        assert_eq!(f.nodes()[1], "KSTREAM-FILTER-0000000001");
        assert_eq!(f.value_of(EventType::View, 0), None);
        assert_eq!(
            ProcessingGuarantee::ExactlyOnceV2.default_commit_interval_ms(),
            100
        );
        assert_eq!(f.repartition_topic(), None);
    }

    /// `filter -> selectKey -> groupByKey -> windowedBy -> count -> toStream -> to`: the store is
    /// 3 as in the reference's repartition example, the aggregate 4, then the repartition's sink,
    /// filter and source 5, 6 and 7.
    #[test]
    fn a_key_change_names_a_repartition_topic_after_the_store() {
        let mut t = topology(Some(EventType::View), Emit::Cached);
        t.select_key = Some(KeySelector::Page);
        assert_eq!(t.store_name(), "KSTREAM-AGGREGATE-STATE-STORE-0000000003");
        assert_eq!(
            t.repartition_topic().as_deref(),
            Some("clicks-app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition")
        );
        assert_eq!(
            t.nodes(),
            [
                "KSTREAM-SOURCE-0000000000",
                "KSTREAM-FILTER-0000000001",
                "KSTREAM-KEY-SELECT-0000000002",
                "KSTREAM-FILTER-0000000006",
                "KSTREAM-SINK-0000000005",
                "KSTREAM-SOURCE-0000000007",
                "KSTREAM-AGGREGATE-0000000004",
                "KTABLE-TOSTREAM-0000000008",
                "KSTREAM-SINK-0000000009"
            ]
        );
        assert_eq!(t.stateful_subtopology(), 1);
    }

    /// `groupByKey()` feeding both `windowedBy(...).count()` and `count()`: the second store
    /// follows the first chain's sink.
    #[test]
    fn a_running_total_follows_the_windowed_chain() {
        let mut t = topology(Some(EventType::Click), Emit::Cached);
        t.total_output = Some("clicks-total".into());
        assert_eq!(
            t.nodes()[2..],
            [
                "KSTREAM-AGGREGATE-0000000003",
                "KTABLE-TOSTREAM-0000000004",
                "KSTREAM-SINK-0000000005",
                "KSTREAM-AGGREGATE-0000000007",
                "KTABLE-TOSTREAM-0000000008",
                "KSTREAM-SINK-0000000009"
            ]
        );
        assert_eq!(
            t.total_changelog_topic().as_deref(),
            Some("clicks-app-KSTREAM-AGGREGATE-STATE-STORE-0000000006-changelog")
        );
        t.emit = Emit::UntilWindowCloses;
        assert_eq!(
            t.total_store_name().as_deref(),
            Some("KSTREAM-AGGREGATE-STATE-STORE-0000000008")
        );
    }

    /// A session window's count burns a store name first.
    #[test]
    fn a_session_count_burns_a_store_name() {
        let mut t = topology(None, Emit::Cached);
        t.windows = Windows::session(30_000, 0).unwrap();
        assert_eq!(t.store_name(), "KSTREAM-AGGREGATE-STATE-STORE-0000000002");
        assert_eq!(t.nodes()[1], "KSTREAM-AGGREGATE-0000000003");
        t.aggregation = Aggregation::SumAmount;
        assert_eq!(t.store_name(), "KSTREAM-AGGREGATE-STATE-STORE-0000000001");
    }
}
