//! Browser tests of the wasm boundary, run by wasm-bindgen-test in headless Chromium.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

// The facade's tests need `--features facade` (scripts/test.sh passes it).
#[cfg(feature = "facade")]
use brokerlab::facade::BrokerLab;
#[cfg(feature = "facade")]
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[cfg(feature = "facade")]
fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON parses")
}

#[wasm_bindgen_test]
#[cfg(feature = "facade")]
fn facade_creates_a_topic_produces_and_reports_offsets() {
    let mut lab = BrokerLab::new(7.0).expect("seed accepted");
    lab.apply(obj(
        r#"{"type":"create_topic","name":"orders","partitions":3}"#,
    ))
    .expect("valid topic");
    lab.apply(obj(
        r#"{"type":"add_producer","name":"p","load":{"topic":"orders","rate":1000}}"#,
    ))
    .expect("valid producer");
    lab.advance(2000.0).expect("valid advance");
    let snap = lab.snapshot().expect("snapshot serialises");
    let total =
        js_sys::eval("(s) => s.topics[0].partitions.reduce((a, p) => a + p.log_end_offset, 0)")
            .unwrap()
            .dyn_into::<js_sys::Function>()
            .unwrap()
            .call1(&JsValue::NULL, &snap)
            .unwrap()
            .as_f64()
            .unwrap();
    assert!(total > 1500.0, "records appended: {total}");
}

/// Runs a JS arrow function over a snapshot.
#[cfg(feature = "facade")]
fn eval_on(f: &str, snap: &JsValue) -> JsValue {
    js_sys::eval(f)
        .unwrap()
        .dyn_into::<js_sys::Function>()
        .unwrap()
        .call1(&JsValue::NULL, snap)
        .unwrap()
}

#[wasm_bindgen_test]
#[cfg(feature = "facade")]
fn facade_kills_a_leader_and_the_snapshot_shows_the_failover() {
    let mut lab = BrokerLab::new(3.0).unwrap();
    lab.apply(obj(
        r#"{"type":"create_topic","name":"t","partitions":1,"config":{"replication.factor":3,"min.insync.replicas":2}}"#,
    ))
    .unwrap();
    lab.advance(100.0).unwrap();
    let snap = lab.snapshot().unwrap();
    let leader = eval_on("(s) => s.topics[0].partitions[0].leader", &snap)
        .as_f64()
        .unwrap();
    lab.apply(obj(&format!(
        r#"{{"type":"kill_broker","broker":{leader}}}"#
    )))
    .unwrap();
    lab.advance(10_000.0).unwrap();
    let snap = lab.snapshot().unwrap();
    let after = eval_on("(s) => s.topics[0].partitions[0].leader", &snap)
        .as_f64()
        .unwrap();
    assert_ne!(after, leader, "a new leader");
    let fenced = eval_on(
        &format!("(s) => s.brokers.find(b => b.id === {leader}).fenced"),
        &snap,
    );
    assert_eq!(fenced.as_bool(), Some(true));
    let epoch = eval_on("(s) => s.topics[0].partitions[0].leader_epoch", &snap);
    assert_eq!(epoch.as_f64(), Some(1.0));
    // Killing it again is refused with a message.
    let err = lab
        .apply(obj(&format!(
            r#"{{"type":"kill_broker","broker":{leader}}}"#
        )))
        .expect_err("refused");
    let msg = JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message();
    assert!(String::from(msg).contains("already down"));
}

#[wasm_bindgen_test]
#[cfg(feature = "facade")]
fn facade_rejects_bad_input_with_a_readable_message() {
    let mut lab = BrokerLab::new(1.0).unwrap();
    let err = lab
        .apply(obj(
            r#"{"type":"create_topic","name":"bad name","partitions":3}"#,
        ))
        .expect_err("refused");
    let msg = JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message();
    assert!(String::from(msg).contains("illegal"));
    assert!(BrokerLab::new(-1.0).is_err());
}

#[wasm_bindgen_test]
async fn app_mounts_and_shows_the_demo_topic() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<brokerlab::app::App>::with_root(root.clone()).render();
    yew::platform::time::sleep(Duration::from_millis(100)).await;
    let table = root
        .query_selector("table[aria-label='Partitions of orders']")
        .unwrap()
        .expect("the demo topic's partitions are shown");
    assert_eq!(table.query_selector_all("tbody tr").unwrap().length(), 6);
    let text = root.text_content().unwrap_or_default();
    // The HW column explains itself: its heading is a glossary term that opens a popover.
    let terms = table
        .query_selector_all("th button.term[popovertarget]")
        .unwrap();
    let hw = (0..terms.length())
        .filter_map(|i| terms.item(i)?.dyn_into::<web_sys::Element>().ok())
        .find(|b| b.text_content().as_deref() == Some("HW"))
        .expect("the HW heading is a glossary term");
    let pop = document
        .get_element_by_id(&hw.get_attribute("popovertarget").unwrap())
        .expect("its explanation");
    assert_eq!(pop.get_attribute("popover").as_deref(), Some("auto"));
    // The demo topic is replicated: three replica badges per partition.
    assert_eq!(table.query_selector_all(".replica").unwrap().length(), 18);
    assert!(
        text.contains("billing-1") && text.contains("billing-2"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn numbers_and_times_are_formatted_for_a_projector() {
    use brokerlab::app::format::*;
    assert_eq!(count(0), "0");
    assert_eq!(count(1234567), "1,234,567");
    assert_eq!(signed(-1500), "-1,500");
    assert_eq!(compact(950.0), "950");
    assert_eq!(compact(2_500_000.0), "2.5M");
    assert_eq!(time(12_345), "12.3 s");
    assert_eq!(time(245_000), "4 min 05 s");
    assert_eq!(duration(45_000), "45 s");
    assert_eq!(duration(300_000), "5 min");
    assert_eq!(duration(1_500), "1.5 s");
    assert_eq!(compact(4.25), "4.3");
    assert_eq!(compact(15_400.0), "15k");
}

#[wasm_bindgen_test]
fn decimals_are_written_and_read_without_the_float_machinery() {
    use brokerlab::app::decimal::{fixed, parse, short};
    assert_eq!(fixed(1.25, 1), "1.3");
    assert_eq!(fixed(-0.04, 1), "0.0");
    assert_eq!(fixed(-2.5, 0), "-3");
    assert_eq!(fixed(12.34567, 3), "12.346");
    assert_eq!(fixed(0.05, 2), "0.05");
    assert_eq!(fixed(f64::NAN, 1), "–");
    assert_eq!(short(0.25, 2), "0.25");
    assert_eq!(short(2.0, 2), "2");
    assert_eq!(short(1.10, 3), "1.1");
    // Exact for the decimals people type: the same f64 as the standard parser gives.
    for text in [
        "0",
        "12",
        "-0.5",
        ".25",
        "+3.",
        "1.1",
        "0.1",
        "99.99",
        "123456.789012345",
    ] {
        assert_eq!(parse(text), text.parse::<f64>().ok(), "{text}");
    }
    assert_eq!(parse(" 7 "), Some(7.0));
    for bad in [
        "",
        ".",
        "-",
        "1e3",
        "1.2.3",
        "12a",
        "inf",
        "NaN",
        "1234567890123456",
    ] {
        assert_eq!(parse(bad), None, "{bad}");
    }
}

#[wasm_bindgen_test]
fn strip_buckets_grow_with_the_rate() {
    use brokerlab::components::topic_panel::per_cell;
    assert_eq!(per_cell(2.0), 1);
    assert_eq!(per_cell(8.0), 1);
    assert_eq!(per_cell(100.0), 16);
    assert_eq!(per_cell(100_000.0), 16384);
}

#[wasm_bindgen_test]
fn the_partition_preview_names_the_murmur2_partition() {
    use brokerlab::components::produce_record::partition_preview;
    let p = partition_preview("user-42", false, 6);
    assert!(p.ends_with("partition 4"), "{p}");
    assert!(partition_preview("x", true, 6).contains("sticky"));
    // The key is the user's: quoted back escaped and cut.
    let p = partition_preview(&"\u{1b}[2J\u{202e}".repeat(2_000), false, 6);
    assert!(
        p.len() < 300 && !p.contains('\u{1b}') && !p.contains('\u{202e}'),
        "{p}"
    );
    assert!(p.contains("(10000 characters)"), "{p}");
}

/// The panels refresh region by region: a due refresh reaches one region per frame, an action
/// reaches all of them at once.
#[wasm_bindgen_test]
fn panel_regions_catch_up_one_per_frame_and_all_at_once_after_an_action() {
    use std::rc::Rc;

    use brokerlab::app::state::{Msg, Playground, PANEL_SLOTS, VIEW_REFRESH_MS};
    use yew::Reducible;

    let shows_latest = |p: &Playground| -> Vec<bool> {
        p.panels
            .iter()
            .map(|v| Rc::ptr_eq(&v.snapshot, &p.view_snapshot))
            .collect()
    };
    let frame = |p: Rc<Playground>, dt_ms: f64| p.reduce(Msg::Frame { dt_ms });
    let mut state = Rc::new(Playground::demo());
    assert!(shows_latest(&state).iter().all(|&b| b));
    state = frame(state, VIEW_REFRESH_MS + 1.0);
    let mut want = vec![false; PANEL_SLOTS];
    want[0] = true;
    assert_eq!(
        shows_latest(&state),
        want,
        "the first region refreshes first"
    );
    for slot in 1..PANEL_SLOTS {
        state = frame(state, 1.0);
        want[slot] = true;
        assert_eq!(shows_latest(&state), want, "frame {slot}");
    }
    state = frame(state, VIEW_REFRESH_MS + 1.0);
    assert_eq!(shows_latest(&state).iter().filter(|&&b| b).count(), 1);
    state = state.reduce(Msg::Apply {
        action: brokerlab_engine::Action::CreateTopic {
            name: "fresh".into(),
            partitions: 2,
            config: Default::default(),
        },
        source: "test",
    });
    assert!(
        shows_latest(&state).iter().all(|&b| b),
        "an action shows everywhere"
    );
}

/// Through the page's reducer: actions enter the timeline's log; a seek back restores the
/// engine's state and drops the protocol log's lines from later events; acting there forks and
/// Undo brings the later part back.
#[wasm_bindgen_test]
fn the_playground_scrubs_forks_and_undoes_through_its_timeline() {
    use std::rc::Rc;

    use brokerlab::app::state::{Msg, Playground};
    use brokerlab_engine::Action;
    use yew::Reducible;

    let mut state = Rc::new(Playground::demo());
    for _ in 0..40 {
        state = state.reduce(Msg::Frame { dt_ms: 100.0 });
    }
    let kill = |broker| Msg::Apply {
        action: Action::KillBroker { broker },
        source: "test",
    };
    state = state.reduce(kill(1));
    for _ in 0..20 {
        state = state.reduce(Msg::Frame { dt_ms: 100.0 });
    }
    let end = state.snapshot.time;
    assert_eq!(state.timeline.borrow().log().len(), 1);
    state = state.reduce(Msg::Seek(1_000));
    assert_eq!(state.snapshot.time, 1_000);
    assert!(!state.playing, "a seek pauses");
    let next_seq = state.timeline.borrow().sim().next_event_seq();
    assert_eq!(
        state.history.next_seq, next_seq,
        "the history went back too"
    );
    state = state.reduce(kill(2));
    let fork = state.fork.expect("acting scrubbed back forks");
    assert_eq!((fork.0, fork.1, fork.2), (1_000, 1, end));
    state = state.reduce(Msg::UndoFork);
    assert!(state.fork.is_none());
    let t = state.timeline.borrow();
    assert_eq!((t.log().len(), t.end()), (1, end));
    assert!(matches!(
        t.log()[0].action,
        Action::KillBroker { broker: 1 }
    ));
}

/// The Scenarios menu lists the built-ins and then the files of `scenarios/`; `?scenario=NAME`
/// finds a built-in first, so a file with a built-in's name could never be opened.
#[wasm_bindgen_test]
fn no_built_in_scenario_shares_a_name_with_a_scenario_file() {
    use brokerlab::app::demo::{builtin, BUILTIN};
    use brokerlab::app::scenarios::SCENARIO_FILES;

    for name in BUILTIN {
        assert!(builtin(name, 1).is_some(), "{name} is built in");
        assert!(
            SCENARIO_FILES.iter().all(|f| f.file != *name),
            "{name} is both a built-in and a file of scenarios/"
        );
    }
}

/// Number fields read `1e12` and long runs of digits as numbers, so that the message names the
/// limit, and say what is wrong with the rest in the field's own words (issue 15).
#[wasm_bindgen_test]
fn number_fields_read_what_people_type() {
    use brokerlab::components::fields::{parse_f64, parse_u64};
    assert_eq!(parse_u64("Rate", "1e12"), Ok(1_000_000_000_000));
    assert_eq!(parse_u64("Rate", " 42 "), Ok(42));
    assert_eq!(
        parse_u64("Rate", ""),
        Err("Rate is empty: enter a whole number.".into())
    );
    assert_eq!(
        parse_u64("Rate", "-5"),
        Err("Rate must be 0 or more.".into())
    );
    assert_eq!(
        parse_u64("Rate", "2.5"),
        Err("Rate must be a whole number.".into())
    );
    assert_eq!(
        parse_u64("Rate", "fast"),
        Err("Rate must be a number.".into())
    );
    assert!(parse_u64("Rate", "99999999999999999999999")
        .unwrap_err()
        .contains("far too large"));
    assert_eq!(parse_f64("Share", "2.5e2"), Ok(250.0));
    assert_eq!(parse_f64("Share", "1e12"), Ok(1e12));
    assert_eq!(
        parse_f64("Share", " "),
        Err("Share is empty: enter a number.".into())
    );
}
