//! RabbitMQ beside the log (issue 18): a faithful model of RabbitMQ 4.x's queues, fed the same
//! input as a Kafka topic, so that the differences between a log and a queue happen on screen
//! rather than being recited. Reference: section 3 of `streams-queues-cli-reference.md`
//! (RW: the RabbitMQ website's docs; RS: the rabbitmq-server sources).
//!
//! So far: routing (exchanges of the four types, bindings, the default exchange, exchange-to-
//! exchange bindings), queue declarations (type and `x-` arguments), each checked as RabbitMQ
//! checks it, and a queue's messages (FIFO, TTL at the head, length limits and overflow, requeue,
//! the quorum delivery limit, dead-lettering with `x-death`), and its consumers (round-robin push,
//! prefetch, ack/nack/reject, requeue on close, single active consumer). Publisher confirms too.
//! Costs and latency, and the broker as a party of the simulation, come next.

pub mod client;
pub mod confirms;
pub mod dispatch;
pub mod exchange;
pub mod node;
pub mod queue;
pub mod queue_args;
pub mod topic;

pub use client::{OnPoison, Publisher, RabbitConsumer, RoutingKeyTemplate};
pub use confirms::{Confirm, Confirms};
pub use dispatch::{Delivery, Dispatcher, Return, Subscriber, Tags};
pub use exchange::{Binding, Destination, Exchange, ExchangeType, Exchanges};
pub use node::{QueueEntry, QueueStats, RabbitEvent, RabbitNode};
pub use queue::{DeathReason, Departures, Enqueued, Message, Queue};
pub use queue_args::{ArgValue, Arguments, DeadLetterStrategy, Overflow, QueueArgs, QueueType};
