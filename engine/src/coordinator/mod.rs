//! Coordinators that live on brokers: the group coordinator of the classic consumer group
//! protocol (its assignors run on the group leader client: `consumer::assignors`), the consumer
//! group protocol of Kafka 4 (KIP-848, whose assignors run here), and the transaction
//! coordinator.

pub mod consumer_group;
pub mod group;
pub mod transaction;
