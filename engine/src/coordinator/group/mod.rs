//! The group coordinator of the classic consumer group protocol.

pub mod coordinator;
pub mod state;

pub use coordinator::{GroupCoordinator, Output};
pub use state::{CommittedOffset, Group, GroupState, Member};
