//! `brokerlab-cli message`: a host page's postMessage read as a figure reads it (issue 16),
//! headless.
#![cfg(feature = "cli")]

use std::process::Command;

fn message(text: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(["message", text])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_request_is_read_with_its_id() {
    let (ok, out, _) =
        message(r#"{"ns":"brokerlab","v":1,"id":"s1","type":"seek","payload":{"ms":5000}}"#);
    assert!(ok);
    assert_eq!(out.trim(), r#"request "s1": Seek { ms: 5000 }"#);
}

#[test]
fn a_refused_request_prints_the_reply_the_host_gets() {
    let (ok, out, _) = message(
        r#"{"ns":"brokerlab","v":1,"id":9,"type":"apply","payload":{"action":{"type":"reboot"}}}"#,
    );
    assert!(!ok);
    let reply: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(reply["type"], "reply");
    assert_eq!(reply["id"], 9);
    assert_eq!(reply["ok"], false);
    let error = reply["error"].as_str().unwrap();
    assert!(
        error.starts_with("payload.action is not a valid action"),
        "{error}"
    );
}

#[test]
fn a_foreign_message_is_ignored_with_a_reason() {
    let (ok, out, err) = message(r#"{"source":"react-devtools","payload":{}}"#);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("its ns is not \"brokerlab\""), "{err}");
}
