//! The session as a replayable timeline: the action log is the one source of truth, and any
//! earlier time is a checkpoint and a short replay away. Step back, scrub, fork, share links and
//! exports all derive from it.

pub mod checkpoints;
pub mod embed;
#[cfg(feature = "json")]
pub mod host;
#[cfg(feature = "link")]
pub mod link;
pub mod marker;
pub mod session;

pub use checkpoints::Checkpoints;
#[cfg(feature = "link")]
pub use link::Session;
pub use marker::{Marker, MarkerKind};
pub use session::{Logged, Timeline};
