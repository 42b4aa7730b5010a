//! A Kafka Streams application's topology as the simulation builds it from a form, not code:
//! source -> parse -> filter by event type -> group by key -> windowed count or sum -> sink,
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

    /// The window store: its number comes before the aggregate processor's
    /// (`InternalStreamsBuilder.newStoreName`), after the source and the filter.
    pub fn store_name(&self) -> String {
        let n = if self.filter.is_some() { 2 } else { 1 };
        Topology::name("KSTREAM-AGGREGATE-STATE-STORE", n)
    }

    /// The processor nodes in order, as `Topology#describe()` names them.
    pub fn nodes(&self) -> Vec<String> {
        let mut out = vec![Topology::name("KSTREAM-SOURCE", 0)];
        let mut n = 1;
        if self.filter.is_some() {
            out.push(Topology::name("KSTREAM-FILTER", n));
            n += 1;
        }
        n += 1; // the store's number
        out.push(Topology::name("KSTREAM-AGGREGATE", n));
        n += 1;
        if self.emit == Emit::UntilWindowCloses {
            out.push(Topology::name("KTABLE-SUPPRESS", n));
            n += 2; // and its buffer's store
        }
        out.push(Topology::name("KTABLE-TOSTREAM", n));
        out.push(Topology::name("KSTREAM-SINK", n + 1));
        out
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
    }
}
