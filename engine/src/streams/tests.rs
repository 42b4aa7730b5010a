//! The windowed aggregation against the reference's tables and worked example (section 1):
//! boundaries, lateness, the three ways results leave, session merges, sliding windows, restore.

use super::aggregate::{Emit, Update, WindowedAggregate};
use super::window::{Window, Windows};

fn tw(start: u64, end: u64) -> Window {
    Window {
        start,
        end,
        end_inclusive: false,
    }
}

fn iw(start: u64, end: u64) -> Window {
    Window {
        start,
        end,
        end_inclusive: true,
    }
}

fn shown(u: &[Update<&'static str>]) -> Vec<String> {
    u.iter()
        .map(|u| match u.value {
            Some(v) => format!("{}@{}={v}", u.key, u.window),
            None => format!("{}@{}=null", u.key, u.window),
        })
        .collect()
}

/// One row of the trace: key, seconds, emit-on-update output, suppress output, drops so far.
type Row = (
    &'static str,
    u64,
    &'static [&'static str],
    &'static [&'static str],
    u64,
);

/// Section 1.8, record by record: clicks per user, 1-minute tumbling windows, 10 s grace, with
/// the cache off (every update forwarded) and with suppress (finals only when W0 closes).
#[test]
fn the_worked_example_of_section_1_8_record_by_record() {
    let windows = Windows::tumbling(60_000, 10_000).unwrap();
    let mut update = WindowedAggregate::new(windows, Emit::OnUpdate);
    let mut suppress = WindowedAggregate::new(windows, Emit::UntilWindowCloses);
    let rows: [Row; 8] = [
        ("alice", 5, &["alice@[0,60000)=1"], &[], 0),
        ("bob", 20, &["bob@[0,60000)=1"], &[], 0),
        ("alice", 58, &["alice@[0,60000)=2"], &[], 0),
        ("alice", 61, &["alice@[60000,120000)=1"], &[], 0),
        // Out of order but within grace: W0 ends at 60 > closeTime 51.
        ("bob", 55, &["bob@[0,60000)=2"], &[], 0),
        // W0 still open: 60 > 59.
        ("carol", 69, &["carol@[60000,120000)=1"], &[], 0),
        // closeTime 60: W0 closes, suppress emits its finals.
        (
            "alice",
            70,
            &["alice@[60000,120000)=2"],
            &["alice@[0,60000)=2", "bob@[0,60000)=2"],
            0,
        ),
        // Late: W0 ends at 60 <= closeTime 60.
        ("bob", 59, &[], &[], 1),
    ];
    for (i, (key, secs, on_update, finals, dropped)) in rows.into_iter().enumerate() {
        let t = secs * 1000;
        let a = update.process(Some(key), t, 1);
        let b = suppress.process(Some(key), t, 1);
        assert_eq!(
            shown(&a.forwarded),
            on_update,
            "row {}: emit on update",
            i + 1
        );
        assert_eq!(shown(&b.forwarded), finals, "row {}: suppress", i + 1);
        assert_eq!(
            update.dropped,
            dropped,
            "row {}: dropped-records-total",
            i + 1
        );
    }
    assert_eq!(update.stream_time, Some(70_000));
    let late = update.process(Some("bob"), 59_000, 1);
    assert_eq!(
        late.skipped[0].expiration, 60_000,
        "expiration=[60000] streamTime=[70000]"
    );
    assert_eq!(late.skipped[0].window, Some(tw(0, 60_000)));
    // Row 9: W1 never closes until a record at 130 s or later reaches the task.
    assert!(suppress
        .process(Some("dave"), 129_999, 1)
        .forwarded
        .is_empty());
    let w1 = suppress.process(Some("dave"), 130_000, 1);
    assert_eq!(
        shown(&w1.forwarded),
        ["alice@[60000,120000)=2", "carol@[60000,120000)=1"]
    );
}

/// A hopping record late for two windows counts two drops, and still updates the open one.
#[test]
fn a_hopping_record_is_dropped_once_per_closed_window() {
    let mut a = WindowedAggregate::new(Windows::hopping(5_000, 3_000, 0).unwrap(), Emit::OnUpdate);
    a.process(Some("k"), 8_000, 1);
    // t = 4000 falls in [0,5000) and [3000,8000): stream time 8000 closes both (end <= 8000).
    let p = a.process(Some("k"), 4_000, 1);
    assert_eq!(a.dropped, 2);
    assert!(p.forwarded.is_empty());
    // t = 6500 falls in [3000,8000) (closed) and [6000,11000) (open).
    let p = a.process(Some("k"), 6_500, 1);
    assert_eq!(a.dropped, 3);
    assert_eq!(shown(&p.forwarded), ["k@[6000,11000)=2"]);
    // A null key is dropped too.
    let p = a.process(None, 9_000, 1);
    assert_eq!((a.dropped, p.skipped[0].window), (4, None));
}

/// `SlidingWindows` javadoc: d = 5000, records at 8000, 9200 and 12400 make five windows.
#[test]
fn sliding_windows_are_made_by_the_records() {
    let mut a = WindowedAggregate::new(Windows::sliding(5_000, 0).unwrap(), Emit::OnUpdate);
    for t in [8_000, 9_200, 12_400] {
        a.process(Some("k"), t, 1);
    }
    assert_eq!(
        a.windows_of(&"k"),
        vec![
            (iw(3_000, 8_000), 1),
            (iw(4_200, 9_200), 2),
            (iw(7_400, 12_400), 3),
            (iw(8_001, 13_001), 2),
            (iw(9_201, 14_201), 1),
        ]
    );
    // Records before d share one window [0, d] (`processEarly`).
    let mut e = WindowedAggregate::new(Windows::sliding(5_000, 0).unwrap(), Emit::OnUpdate);
    e.process(Some("k"), 1_000, 1);
    e.process(Some("k"), 3_000, 1);
    assert_eq!(e.windows_of(&"k")[0], (iw(0, 5_000), 2));
}

/// `SessionWindows` javadoc: gap 5, records at 10, 12 and 20 give [10,12] and [20,20]; a record
/// at 16 merges them, forwarding a delete for each old session, then the merged one.
#[test]
fn sessions_merge_and_forward_deletes_for_the_old_ones() {
    // Grace 10 keeps [10,12] open at stream time 20, as the javadoc example assumes.
    let mut a = WindowedAggregate::new(Windows::session(5, 10).unwrap(), Emit::OnUpdate);
    for t in [10, 12, 20] {
        a.process(Some("k"), t, 1);
    }
    assert_eq!(a.windows_of(&"k"), vec![(iw(10, 12), 2), (iw(20, 20), 1)]);
    let p = a.process(Some("k"), 16, 1);
    assert_eq!(
        shown(&p.forwarded),
        ["k@[10,12]=null", "k@[20,20]=null", "k@[10,20]=4"]
    );
    assert_eq!(a.windows_of(&"k"), vec![(iw(10, 20), 4)]);
    // Exactly gap apart still merges (the test is inclusive).
    let p = a.process(Some("k"), 25, 1);
    assert_eq!(shown(&p.forwarded), ["k@[10,20]=null", "k@[10,25]=5"]);
}

/// With the record cache (the default), updates coalesce: a flush (at a commit) sends the latest
/// value of each window once.
#[test]
fn the_cache_sends_the_latest_value_per_window_at_each_flush() {
    let mut a = WindowedAggregate::new(Windows::tumbling(60_000, 0).unwrap(), Emit::Cached);
    for (k, t) in [
        ("alice", 1_000),
        ("alice", 2_000),
        ("bob", 3_000),
        ("alice", 4_000),
    ] {
        assert!(a.process(Some(k), t, 1).forwarded.is_empty());
    }
    assert_eq!(shown(&a.flush()), ["alice@[0,60000)=3", "bob@[0,60000)=1"]);
    assert!(a.flush().is_empty(), "nothing dirty since");
}

/// A task moved to another instance restores its store from the changelog before processing,
/// and counts on from there.
#[test]
fn a_store_restored_from_its_changelog_counts_on() {
    let windows = Windows::tumbling(60_000, 10_000).unwrap();
    let mut a = WindowedAggregate::new(windows, Emit::OnUpdate);
    let mut changelog = Vec::new();
    for (k, t) in [
        ("alice", 5_000),
        ("bob", 20_000),
        ("alice", 58_000),
        ("alice", 61_000),
    ] {
        changelog.extend(a.process(Some(k), t, 1).changelog);
    }
    let mut b = WindowedAggregate::new(windows, Emit::OnUpdate);
    b.restore(&changelog);
    assert_eq!(
        b.entries().map(|(k, w, v)| (*k, *w, v)).collect::<Vec<_>>(),
        a.entries().map(|(k, w, v)| (*k, *w, v)).collect::<Vec<_>>()
    );
    assert_eq!(b.stream_time, Some(61_000));
    let p = b.process(Some("bob"), 55_000, 1);
    assert_eq!(shown(&p.forwarded), ["bob@[0,60000)=2"]);
}

/// Sums add a field's value instead of 1.
#[test]
fn a_sum_adds_the_field() {
    let mut a = WindowedAggregate::new(Windows::tumbling(60_000, 0).unwrap(), Emit::OnUpdate);
    a.process(Some("alice"), 1_000, 250);
    let p = a.process(Some("alice"), 2_000, 1_999);
    assert_eq!(shown(&p.forwarded), ["alice@[0,60000)=2249"]);
    assert_eq!(
        p.forwarded[0].timestamp, 2_000,
        "the newest record's timestamp"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
    /// Whatever the order of arrival: the three ways results leave agree. The last update of a
    /// window (cache off) is what the cache flushes and, once the window closed, what suppress
    /// emits; and every record is counted in its windows or dropped from them, never both.
    #[test]
    fn emit_modes_agree_and_every_record_is_counted_or_dropped(
        records in proptest::collection::vec((0u8..4, 0u64..200_000), 1..80),
        hopping in proptest::bool::ANY,
    ) {
        let windows = if hopping {
            Windows::hopping(60_000, 20_000, 10_000).unwrap()
        } else {
            Windows::tumbling(60_000, 10_000).unwrap()
        };
        let keys = ["a", "b", "c", "d"];
        let mut update = WindowedAggregate::new(windows, Emit::OnUpdate);
        let mut cached = WindowedAggregate::new(windows, Emit::Cached);
        let mut suppress = WindowedAggregate::new(windows, Emit::UntilWindowCloses);
        let mut last = std::collections::BTreeMap::new();
        let mut finals = std::collections::BTreeMap::new();
        let mut placed = 0u64;
        for (k, t) in records {
            let key = Some(keys[k as usize]);
            for u in update.process(key, t, 1).forwarded {
                last.insert((u.key, u.window), u.value);
                placed += 1;
            }
            cached.process(key, t, 1);
            for u in suppress.process(key, t, 1).forwarded {
                proptest::prop_assert!(finals.insert((u.key, u.window), u.value).is_none(), "one final per window");
            }
        }
        let flushed: std::collections::BTreeMap<_, _> =
            cached.flush().into_iter().map(|u| ((u.key, u.window), u.value)).collect();
        proptest::prop_assert_eq!(&flushed, &last);
        for (w, v) in &finals {
            proptest::prop_assert_eq!(last.get(w), Some(v));
        }
        // Each update added one record to one window; each drop missed one window.
        let per_record = if hopping { 3 } else { 1 };
        let counted: i64 = last.values().map(|v| v.unwrap_or(0)).sum();
        proptest::prop_assert_eq!(counted as u64, placed);
        proptest::prop_assert!(placed + update.dropped <= per_record * 80);
        proptest::prop_assert_eq!(update.dropped, suppress.dropped);
    }
}
