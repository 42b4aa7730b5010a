//! Components: one per file, each a function of its props and the playground context.

pub mod header;
pub mod topic_view;
