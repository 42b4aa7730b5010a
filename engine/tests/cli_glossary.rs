//! `brokerlab-cli glossary`: the explanations the page shows, headless (issue 15).
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
