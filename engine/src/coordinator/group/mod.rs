//! The group coordinator of the classic consumer group protocol: `coordinator` takes requests and
//! timers, checks what every state agrees on, and `step` hands the rest to one function per group
//! state (`empty`, `preparing_rebalance`, `completing_rebalance`, `stable`, `dead`).

mod completing_rebalance;
pub mod coordinator;
mod dead;
mod empty;
pub(in crate::coordinator) mod join;
mod offsets;
mod preparing_rebalance;
mod rebalance;
mod stable;
pub mod state;
mod step;
mod timers;
mod validate;

pub use coordinator::GroupCoordinator;
pub use state::{CommittedOffset, Group, GroupState, Member};
pub use step::Output;
