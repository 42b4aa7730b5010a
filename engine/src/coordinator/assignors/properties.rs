//! Property checks for assignments (the definitions of `../shared/vectors/README.md`).
//! Placeholder until the port of `props.py` lands.

use std::collections::BTreeMap;

use super::{Assignment, MemberSubscription};

/// Names of the expected properties the assignment fails (placeholder: none checked yet).
#[cfg(feature = "cli")]
pub fn failed(
    _topics: &BTreeMap<String, u32>,
    _members: &[MemberSubscription],
    _got: &Assignment,
    _expected: &serde_json::Value,
) -> Vec<String> {
    vec!["property checks not implemented yet".to_string()]
}
