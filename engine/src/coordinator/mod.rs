//! Coordinators that live on brokers: the group coordinator (classic consumer group protocol)
//! and, from issue 4 on, the transaction coordinator. The assignors run on the group leader
//! client but are kept here beside the protocol they serve.

pub mod group;
pub mod transaction;
