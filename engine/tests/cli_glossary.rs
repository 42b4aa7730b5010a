//! `brokerlab-cli glossary` and `run --narrate`: what the page explains and says for a screen
//! reader, headless (issue 15).
#![cfg(feature = "cli")]

use std::process::Command;

fn glossary(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .arg("glossary")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_term_the_page_explains_is_printed() {
    let (ok, out, _) = glossary(&[]);
    assert!(ok);
    for term in [
        "Log start offset",
        "High watermark (HW)",
        "Log end offset (LEO)",
        "Last stable offset (LSO)",
        "ISR (in-sync replicas)",
        "Leader epoch",
        "Generation",
        "PreparingRebalance",
        "Committed offset",
        "Position",
        "Lag",
    ] {
        assert!(
            out.lines().any(|l| l == term),
            "{term} missing from:\n{out}"
        );
    }
}

#[test]
fn a_term_can_be_looked_up_and_an_unknown_one_is_named() {
    let (ok, out, _) = glossary(&["watermark"]);
    assert!(ok);
    assert!(
        out.starts_with("High watermark (HW)\n  One past the last offset every in-sync replica")
    );
    let (ok, _, err) = glossary(&["no-such-term"]);
    assert!(!ok);
    assert!(err.contains("no term matches \"no-such-term\""), "{err}");
}

#[test]
fn narrate_prints_what_the_narrator_says_with_times() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/slow-consumer-lag.json");
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(["run", path.to_str().unwrap(), "--narrate"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("Group analytics finished rebalancing: generation 1, 2 members.")),
        "{text}"
    );
    let behind = lines
        .iter()
        .position(|l| l.contains("Group analytics is falling behind"))
        .expect(&text);
    let caught = lines
        .iter()
        .position(|l| l.contains("Group analytics caught up"))
        .expect(&text);
    assert!(behind < caught, "{text}");
    // Times first, in milliseconds.
    let t: u64 = lines[caught]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(t > 20_000, "{text}");
}
