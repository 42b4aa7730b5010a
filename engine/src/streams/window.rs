//! Kafka Streams' windows, with their exact boundaries (reference section 1.2; `TimeWindows`,
//! `SlidingWindows`, `SessionWindows` in `streams/.../kstream/`).
//!
//! * Time windows (tumbling, or hopping with `advance < size`): `[start, start + size)`, end
//!   exclusive, aligned to the epoch: the n-th starts at `n * advance`.
//! * Sliding windows: `[start, end]`, both ends inclusive, `end - start = d`, made by the records
//!   themselves (each record's left window `[t - d, t]`, and the right window `[t + 1, t + 1 + d]`
//!   of a record that has later records within `d`).
//! * Session windows: `[first, last]` of a key's records with no gap longer than `gap`.

use crate::ground::Millis;

/// A window: `[start, end)` for time windows, `[start, end]` for sliding and session windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub start: Millis,
    pub end: Millis,
    /// Whether `end` belongs to the window (sliding and session windows).
    pub end_inclusive: bool,
}

impl Window {
    pub fn contains(&self, t: Millis) -> bool {
        t >= self.start && (t < self.end || self.end_inclusive && t == self.end)
    }
}

impl std::fmt::Display for Window {
    /// As Kafka Streams logs it: `[start,end)` or `[start,end]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let close = if self.end_inclusive { ']' } else { ')' };
        write!(f, "[{},{}{close}", self.start, self.end)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Windows {
    /// `TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance)`; tumbling when
    /// `advance == size`.
    Time {
        size: Millis,
        advance: Millis,
        grace: Millis,
    },
    /// `SlidingWindows.ofTimeDifferenceAndGrace(d, grace)`.
    Sliding { difference: Millis, grace: Millis },
    /// `SessionWindows.ofInactivityGapAndGrace(gap, grace)`.
    Session { gap: Millis, grace: Millis },
}

impl Windows {
    /// Tumbling windows, checked as `TimeWindows` checks them (sizes in milliseconds, signed as
    /// a user may give them).
    pub fn tumbling(size: i64, grace: i64) -> Result<Windows, String> {
        Windows::hopping(size, size, grace)
    }

    /// Hopping windows, checked as `TimeWindows` checks them.
    pub fn hopping(size: i64, advance: i64, grace: i64) -> Result<Windows, String> {
        if size <= 0 {
            return Err("Window size (sizeMs) must be larger than zero.".into());
        }
        if advance <= 0 || advance > size {
            return Err(format!(
                "Window advancement interval should be more than zero and less than window \
                 duration which is {size} ms, but given advancement interval is: {advance} ms"
            ));
        }
        if grace < 0 {
            return Err("Grace period must not be negative.".into());
        }
        Ok(Windows::Time {
            size: size as Millis,
            advance: advance as Millis,
            grace: grace as Millis,
        })
    }

    /// Sliding windows, checked as `SlidingWindows` checks them.
    pub fn sliding(difference: i64, grace: i64) -> Result<Windows, String> {
        if difference < 0 {
            return Err("Window time difference must not be negative.".into());
        }
        if grace < 0 {
            return Err("Window grace period must not be negative.".into());
        }
        Ok(Windows::Sliding {
            difference: difference as Millis,
            grace: grace as Millis,
        })
    }

    /// Session windows, checked as `SessionWindows` checks them.
    pub fn session(gap: i64, grace: i64) -> Result<Windows, String> {
        if gap <= 0 {
            return Err("Gap time cannot be zero or negative.".into());
        }
        if grace < 0 {
            return Err("Grace period must not be negative.".into());
        }
        Ok(Windows::Session {
            gap: gap as Millis,
            grace: grace as Millis,
        })
    }

    pub fn grace(&self) -> Millis {
        match *self {
            Windows::Time { grace, .. }
            | Windows::Sliding { grace, .. }
            | Windows::Session { grace, .. } => grace,
        }
    }

    /// What the kind is called, for messages and the page.
    pub fn kind(&self) -> &'static str {
        match *self {
            Windows::Time { size, advance, .. } if size == advance => "tumbling",
            Windows::Time { .. } => "hopping",
            Windows::Sliding { .. } => "sliding",
            Windows::Session { .. } => "session",
        }
    }

    /// The time windows a record at `t` belongs to, oldest first (`TimeWindows.windowsFor`).
    /// Empty for sliding and session windows, which the records themselves make.
    pub fn windows_for(&self, t: Millis) -> Vec<Window> {
        let Windows::Time { size, advance, .. } = *self else {
            return Vec::new();
        };
        let first = (t + advance).saturating_sub(size) / advance * advance;
        (first..=t)
            .step_by(advance as usize)
            .map(|start| Window {
                start,
                end: start + size,
                end_inclusive: false,
            })
            .collect()
    }

    /// Whether window `w` is closed once stream time is `stream_time`: no record may update it
    /// any more, and `suppress(untilWindowCloses)` emits its final result at that instant.
    /// Time windows: `end <= streamTime - grace`; sliding: `end < streamTime - grace`; sessions
    /// also wait the gap (`end < streamTime - grace - gap`).
    pub fn is_closed(&self, w: &Window, stream_time: Option<Millis>) -> bool {
        let Some(now) = stream_time else {
            return false;
        };
        match *self {
            Windows::Time { grace, .. } => w.end + grace <= now,
            Windows::Sliding { grace, .. } => w.end + grace < now,
            Windows::Session { gap, grace } => w.end + grace + gap < now,
        }
    }

    /// How long the window store keeps a window after its end: `size + grace` for time windows
    /// (`WindowStoreMaterializer`'s default retention), `d + grace` for sliding, `gap + grace`
    /// for sessions.
    pub fn retention(&self) -> Millis {
        match *self {
            Windows::Time { size, grace, .. } => size + grace,
            Windows::Sliding { difference, grace } => difference + grace,
            Windows::Session { gap, grace } => gap + grace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(w: &Windows, t: Millis) -> Vec<(Millis, Millis)> {
        w.windows_for(t).iter().map(|w| (w.start, w.end)).collect()
    }

    /// Section 1.2: tumbling windows are epoch-aligned and end-exclusive.
    #[test]
    fn a_record_at_a_boundary_belongs_to_the_next_tumbling_window() {
        let w = Windows::tumbling(60_000, 10_000).unwrap();
        assert_eq!(starts(&w, 0), vec![(0, 60_000)]);
        assert_eq!(starts(&w, 59_999), vec![(0, 60_000)]);
        assert_eq!(starts(&w, 60_000), vec![(60_000, 120_000)]);
        assert_eq!(starts(&w, 119_999), vec![(60_000, 120_000)]);
    }

    /// `TimeWindows` javadoc: size 5000, advance 3000 gives [0;5000), [3000;8000), ..., never
    /// [1000;6000); a record at 1000 falls only into [0,5000).
    #[test]
    fn hopping_windows_are_aligned_to_the_advance() {
        let w = Windows::hopping(5_000, 3_000, 0).unwrap();
        assert_eq!(starts(&w, 1_000), vec![(0, 5_000)]);
        assert_eq!(starts(&w, 3_000), vec![(0, 5_000), (3_000, 8_000)]);
        assert_eq!(starts(&w, 4_999), vec![(0, 5_000), (3_000, 8_000)]);
        assert_eq!(starts(&w, 5_000), vec![(3_000, 8_000)]);
        assert_eq!(starts(&w, 6_000), vec![(3_000, 8_000), (6_000, 11_000)]);
        assert_eq!(starts(&w, 7_999), vec![(3_000, 8_000), (6_000, 11_000)]);
        assert_eq!(starts(&w, 8_000), vec![(6_000, 11_000)]);
    }

    #[test]
    fn windows_close_when_stream_time_passes_end_and_grace() {
        let w = Windows::tumbling(60_000, 10_000).unwrap();
        let w0 = w.windows_for(0)[0];
        assert!(!w.is_closed(&w0, None));
        assert!(!w.is_closed(&w0, Some(69_999)));
        assert!(w.is_closed(&w0, Some(70_000)), "60 <= 70 - 10: closed");
        let s = Windows::sliding(5_000, 0).unwrap();
        let left = Window {
            start: 3_000,
            end: 8_000,
            end_inclusive: true,
        };
        assert!(!s.is_closed(&left, Some(8_000)), "the end is inclusive");
        assert!(s.is_closed(&left, Some(8_001)));
        let g = Windows::session(5, 2).unwrap();
        let session = Window {
            start: 10,
            end: 12,
            end_inclusive: true,
        };
        assert!(
            !g.is_closed(&session, Some(19)),
            "12 + 2 + 5 = 19: a record at 17 could still merge"
        );
        assert!(g.is_closed(&session, Some(20)));
    }

    /// The constructors refuse what Kafka Streams refuses, with its words.
    #[test]
    fn bad_windows_are_refused_in_kafka_streams_words() {
        assert_eq!(
            Windows::tumbling(0, 0).unwrap_err(),
            "Window size (sizeMs) must be larger than zero."
        );
        assert_eq!(
            Windows::hopping(5_000, 6_000, 0).unwrap_err(),
            "Window advancement interval should be more than zero and less than window duration \
             which is 5000 ms, but given advancement interval is: 6000 ms"
        );
        assert_eq!(
            Windows::tumbling(1_000, -1).unwrap_err(),
            "Grace period must not be negative."
        );
        assert_eq!(
            Windows::sliding(-1, 0).unwrap_err(),
            "Window time difference must not be negative."
        );
        assert_eq!(
            Windows::session(0, 0).unwrap_err(),
            "Gap time cannot be zero or negative."
        );
        assert_eq!(Windows::hopping(5_000, 3_000, 0).unwrap().kind(), "hopping");
        assert_eq!(Windows::tumbling(5_000, 0).unwrap().kind(), "tumbling");
    }
}
