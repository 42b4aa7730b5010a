//! The ranges Kafka gives its settings, checked where a setting enters the engine, so that no
//! sum of times can overflow and no name can grow without bound.
//!
//! Kafka types most durations as `int` (at most 2147483647 ms, about 24.8 days) and some as
//! `long`; the engine keeps them in `u64`, where a value near the top would wrap when added to
//! the current time. Ids that are copied into every request (`group.id`, `transactional.id`,
//! `group.instance.id`) are limited as topic names are.

use super::ActionError;

/// `Integer.MAX_VALUE`: the largest value of an `int` setting.
pub const INT_MAX: u64 = i32::MAX as u64;
/// `Long.MAX_VALUE`: the largest value of a `long` setting.
pub const LONG_MAX: u64 = i64::MAX as u64;
/// Longest `group.id`, `transactional.id` or `group.instance.id`, as for a topic name.
pub const MAX_ID_LENGTH: usize = 249;

/// Refuses `value` above `max`, naming the setting and the limit.
pub fn at_most(name: &str, value: u64, max: u64) -> Result<(), ActionError> {
    if value > max {
        return Err(ActionError::InvalidConfig(format!(
            "{name} must be at most {max} (Kafka's {} range); it is {value}.",
            if max == INT_MAX { "int" } else { "long" }
        )));
    }
    Ok(())
}

/// Refuses an id longer than `MAX_ID_LENGTH` characters, without quoting it back.
pub fn id_length(name: &str, value: &str) -> Result<(), ActionError> {
    let n = value.chars().count();
    if n > MAX_ID_LENGTH {
        return Err(ActionError::InvalidConfig(format!(
            "{name} can't be longer than {MAX_ID_LENGTH} characters; it has {n}."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_the_setting_and_the_range() {
        assert!(at_most("request.timeout.ms", INT_MAX, INT_MAX).is_ok());
        let e = at_most("request.timeout.ms", INT_MAX + 1, INT_MAX).unwrap_err();
        assert!(e
            .to_string()
            .contains("request.timeout.ms must be at most 2147483647"));
        let long = "g".repeat(10_000);
        let e = id_length("group.id", &long).unwrap_err().to_string();
        assert!(
            e.contains("249") && e.contains("10000") && e.len() < 100,
            "{e}"
        );
    }
}
