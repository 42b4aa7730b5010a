//! Share links (issue 14): a session shared as a link opens to the same state, trace hash and
//! timeline; a link made by an earlier version keeps opening (`tests/fixtures/link-v1.txt`).
//!
//! The fixture holds a v1 link and the trace hash of the state it opens to. The link's format
//! must never stop reading; the hash moves only when the engine's behaviour does, and then
//! `BLESS=1 cargo test -p brokerlab-engine --test share_links` rewrites it with the trace pins.

use std::path::PathBuf;

use brokerlab_engine::{Action, Scenario, Session, Timeline};

fn demo() -> Scenario {
    brokerlab_engine::scenario::json::read(&serde_json::json!({
        "seed": 11,
        "topics": [{"name": "orders", "partitions": 3, "config": {"replication.factor": 3}}],
        "cluster": {"brokers": 3},
        "producers": [{"name": "web", "load": {"topic": "orders", "rate": 200, "keys": {"type": "uniform", "keys": 20}}}],
        "consumers": [
            {"name": "c1", "config": {"group.id": "billing"}, "topics": ["orders"]},
            {"name": "c2", "config": {"group.id": "billing"}, "topics": ["orders"]}
        ],
        "duration_ms": 0
    }))
    .unwrap()
}

/// A session a user could have made: a broker killed and restarted, a member crashed, a rate
/// changed, then scrubbed back to before the restart.
fn session() -> Timeline {
    let mut t = Timeline::new(demo()).unwrap();
    t.advance_to(6_000);
    t.apply(Action::KillBroker { broker: 2 }).unwrap();
    t.advance_to(9_500);
    t.apply(Action::CrashConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    t.advance_to(14_000);
    t.apply(Action::RestartBroker { broker: 2 }).unwrap();
    t.apply(Action::SetRate {
        producer: "web".into(),
        rate: 50,
    })
    .unwrap();
    t.advance_to(20_000);
    t.seek(12_345);
    t
}

#[test]
fn a_shared_link_opens_to_the_same_state_trace_and_timeline() {
    let t = session();
    let link = format!(
        "https://example.org/brokerlab/?speed=4#s={}",
        Session::of(&t).to_fragment()
    );
    assert!(
        link.len() < 2_000,
        "a typical session fits in 2 KB: {} chars",
        link.len()
    );
    let opened = Session::from_link(&link).unwrap().open().unwrap();
    assert_eq!(opened.now(), 12_345);
    assert_eq!(opened.end(), t.end());
    assert_eq!(opened.sim().trace_hash(), t.sim().trace_hash());
    assert_eq!(opened.sim().snapshot(), t.sim().snapshot());
    assert_eq!(
        opened.log(),
        t.log(),
        "the actions after the time on screen come along"
    );
    assert_eq!(opened.markers(), t.markers());
    // And the opened session plays on as the original does.
    let (mut a, mut b) = (t, opened);
    a.seek(20_000);
    b.seek(20_000);
    assert_eq!(a.sim().trace_hash(), b.sim().trace_hash());
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/link-v1.txt")
}

#[test]
fn a_v1_link_kept_as_a_fixture_still_opens_to_its_trace_hash() {
    if std::env::var_os("BLESS").is_some() {
        let t = session();
        let text = format!(
            "# A v1 share link and the trace hash it opens to (tests/share_links.rs; BLESS=1 rewrites the hash, never the link's format)\n{}\n{:016x}\n",
            Session::of(&t).to_fragment(),
            t.sim().trace_hash()
        );
        std::fs::create_dir_all(fixture().parent().unwrap()).unwrap();
        if let Ok(old) = std::fs::read_to_string(fixture()) {
            // Keep the link made by v1; only its hash may move.
            let link = old.lines().nth(1).unwrap().to_string();
            let t = Session::from_link(&link).unwrap().open().unwrap();
            let text = format!(
                "{}\n{link}\n{:016x}\n",
                old.lines().next().unwrap(),
                t.sim().trace_hash()
            );
            std::fs::write(fixture(), text).unwrap();
        } else {
            std::fs::write(fixture(), text).unwrap();
        }
    }
    let text = std::fs::read_to_string(fixture()).unwrap();
    let mut lines = text.lines().skip(1);
    let (link, hash) = (lines.next().unwrap(), lines.next().unwrap());
    assert!(link.starts_with("v1.d."));
    let t = Session::from_link(link).unwrap().open().unwrap();
    assert_eq!(
        format!("{:016x}", t.sim().trace_hash()),
        hash,
        "behaviour changed: BLESS=1 if meant"
    );
    assert_eq!(t.now(), 12_345);
}

#[test]
fn a_link_asking_too_much_is_refused_before_any_work() {
    let mut s = Session::of(&session());
    s.end = 25 * 60 * 60 * 1000;
    let e = Session::from_link(&s.to_fragment()).unwrap_err();
    assert!(
        e.contains("end is 90000000 ms") && e.contains("a day"),
        "{e}"
    );
}

/// The command line opens a link as the page does: the report at the link's time, with its trace
/// hash; the exported session (a scenario file) runs to the same hash; a bad link exits 2 with
/// its message.
#[test]
fn the_command_line_opens_a_link_and_runs_the_export_to_the_same_trace_hash() {
    use std::process::Command;
    let t = session();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
            .args(args)
            .output()
            .unwrap()
    };
    // A successful run's JSON report.
    let report = |args: &[&str]| -> serde_json::Value {
        let out = run(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let hash = format!("{:016x}", t.sim().trace_hash());
    let link = format!("https://example.org/#s={}", Session::of(&t).to_fragment());
    let opened = report(&["run", "--link", &link]);
    assert_eq!(opened["trace_hash"], hash.as_str());
    assert_eq!(opened["time_ms"], 12_345);

    // The file the page's Export downloads.
    let file = std::env::temp_dir().join(format!("brokerlab-export-{}.json", std::process::id()));
    std::fs::write(&file, Session::scenario_file(&t)).unwrap();
    let exported = report(&["run", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(exported["trace_hash"], hash.as_str());

    let out = run(&["run", "--link", "https://example.org/#s=v9.d.AAAA"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("state version v9"));
}

/// RabbitMQ's actions (issue 18) travel in a link like Kafka's: the scenario's declarations
/// (queue arguments included) and an action taken in the page open to the same trace.
#[test]
fn a_session_with_rabbitmq_opens_from_its_link_to_the_same_trace() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/queue-5-poison-message.json"
    );
    let scenario = Scenario::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut t = Timeline::new(scenario).unwrap();
    t.advance_to(1_500);
    t.apply(Action::CloseRabbitConsumer {
        consumer: "worker-1".into(),
    })
    .unwrap();
    t.advance_to(2_500);
    let link = format!("https://example.org/#s={}", Session::of(&t).to_fragment());
    let opened = Session::from_link(&link).unwrap().open().unwrap();
    assert_eq!(opened.sim().trace_hash(), t.sim().trace_hash());
    assert_eq!(opened.sim().snapshot(), t.sim().snapshot());
    assert!(opened.sim().snapshot().rabbit.is_some());
}
