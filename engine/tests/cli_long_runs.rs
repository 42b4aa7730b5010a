//! Issue 13, defect 5: `brokerlab-cli run` on long scenarios. A scenario that asks for more work
//! than the documented limit is refused before it starts; a long run shows a progress bar on a
//! terminal and stops on Ctrl-C with the report as things stood.
//!
//! The tests drive the real binary the way a person does: Ctrl-C as a SIGINT (from `kill`), and
//! on a terminal as the ^C character typed into a pseudo-terminal (`script` from util-linux,
//! part of every Debian install), where the terminal itself turns it into the signal.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 10 M records/s into 64 partitions for 100 s: 10^9 records, at the limit, so it is accepted
/// and runs for a minute or more (several in a debug build).
const LONG_RUN: &str = r#"{"seed":1,"topics":[{"name":"t","partitions":64}],
  "producers":[{"name":"p","load":{"topic":"t","rate":10000000}}],
  "consumers":[{"config":{"group.id":"g"},"topics":["t"]}],"duration_ms":100000}"#;

fn scenario_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("brokerlab-cli-long-runs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Waits for the child to exit, killing it after `limit` (a hang is a failure, not a stuck CI).
fn wait(mut child: Child, limit: Duration) -> (Option<i32>, String, String) {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("the CLI did not stop within {limit:?} of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_scenario_above_the_work_limit_is_refused_before_it_starts() {
    let path = scenario_file(
        "a-day-at-ten-million.json",
        r#"{"seed":1,"topics":[{"name":"t","partitions":1}],
            "producers":[{"name":"p","load":{"topic":"t","rate":10000000}}],"duration_ms":86400000}"#,
    );
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .arg("run")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("asks for 864000000000 records") && stderr.contains("at most 1000000000"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "refused at once, not after a run"
    );
}

#[test]
fn ctrl_c_stops_a_long_run_and_prints_the_report_so_far() {
    let path = scenario_file("long.json", LONG_RUN);
    let child = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .arg("run")
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let (code, stdout, stderr) = wait(child, Duration::from_secs(30));
    assert_eq!(code, Some(130), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(report["interrupted"], true);
    let time = report["time_ms"].as_u64().unwrap();
    assert!(time > 0 && time < 100_000, "stopped part way: {time}");
    assert!(report["producers"][0]["records_acked"].as_u64().unwrap() > 0);
    assert!(
        stderr.contains(&format!(
            "interrupted (Ctrl-C) at {time} ms of 100000 ms of simulated time"
        )),
        "{stderr}"
    );
    // Not on a terminal: no progress bar, no control characters in a log.
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('%'),
        "{stderr}"
    );
}

#[test]
fn a_long_run_on_a_terminal_shows_its_progress_and_stops_on_a_typed_ctrl_c() {
    let path = scenario_file("long-on-a-terminal.json", LONG_RUN);
    let out =
        std::env::temp_dir().join(format!("brokerlab-tty-report-{}.json", std::process::id()));
    let command = format!(
        "'{}' run '{}' > '{}'",
        env!("CARGO_BIN_EXE_brokerlab-cli"),
        path.display(),
        out.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs the CLI on a pseudo-terminal");
    // The bar appears after two seconds of wall time; give it a few draws.
    std::thread::sleep(Duration::from_millis(3500));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    let (code, terminal, _) = wait(child, Duration::from_secs(30));
    drop(stdin);
    assert_eq!(code, Some(130), "{terminal}");
    assert!(
        terminal.contains("% ") && terminal.contains("left; Ctrl-C: stop and report"),
        "{terminal}"
    );
    assert!(terminal.contains("interrupted (Ctrl-C) at"), "{terminal}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("a JSON report");
    assert_eq!(report["interrupted"], true);
}
