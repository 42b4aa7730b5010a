//! Conformance: every public vector file through the command line, as a user would run it
//! (`brokerlab-cli vectors FILE`), judged against the answers of Apache Kafka's own classes.

use std::path::PathBuf;
use std::process::Command;

/// The public vectors, copied into the repository so that a clean checkout tests on its own.
fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// Where the shared originals live when the checkout sits beside them.
fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

#[test]
fn the_copied_vectors_equal_the_shared_originals_when_present() {
    for f in [
        "murmur2-public.json",
        "assignors-public.json",
        "coordinator-partition-public.json",
    ] {
        let shared = shared_dir().join(f);
        if shared.exists() {
            let a = std::fs::read(&shared).unwrap();
            let b = std::fs::read(vectors_dir().join(f)).unwrap();
            assert!(
                a == b,
                "{f} differs from {}: copy it again",
                shared.display()
            );
        }
    }
}

fn run_cli(file: &str) -> (bool, String) {
    let path = vectors_dir().join(file);
    assert!(path.exists(), "missing vector file {}", path.display());
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .arg("vectors")
        .arg(&path)
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.success(), stdout)
}

fn assert_all_pass(file: &str, expected_cases: usize) {
    let (ok, stdout) = run_cli(file);
    let last = stdout.lines().last().unwrap_or_default().to_string();
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"pass\":false"))
        .collect();
    assert!(
        ok && failures.is_empty(),
        "{file}: {last}\n{}",
        failures.join("\n")
    );
    assert_eq!(last, format!("{expected_cases} passed, 0 failed"), "{file}");
    // One JSON line per case, each naming its case id.
    let lines = stdout.lines().filter(|l| l.starts_with('{')).count();
    assert_eq!(lines, expected_cases);
}

#[test]
fn murmur2_public_vectors_match_the_java_partitioner() {
    assert_all_pass("murmur2-public.json", 71);
}

/// Range, roundrobin, sticky and cooperative-sticky against Kafka's own assignor classes.
#[test]
fn assignor_public_vectors_match_kafkas_assignors() {
    assert_all_pass("assignors-public.json", 56);
}

#[test]
fn coordinator_partition_public_vectors_match_utils_abs_hash_code() {
    assert_all_pass("coordinator-partition-public.json", 28);
}

#[test]
fn the_cli_fails_loudly_on_a_wrong_expectation() {
    // A copy of a murmur2 case with its expected partition altered must be reported as failed.
    let text = std::fs::read_to_string(vectors_dir().join("murmur2-public.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array_mut().unwrap();
    cases.truncate(2);
    let p = cases[0]["partition"]["12"].as_u64().unwrap();
    cases[0]["partition"]["12"] = serde_json::json!((p + 1) % 12);
    doc["count"] = serde_json::json!(2);
    let tmp =
        std::env::temp_dir().join(format!("brokerlab-bad-vectors-{}.json", std::process::id()));
    std::fs::write(&tmp, doc.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .arg("vectors")
        .arg(&tmp)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&tmp);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");
}
