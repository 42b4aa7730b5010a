//! Every scenario in `scenarios/` pinned by two fingerprints: the trace hash (every event, in
//! order) and a hash of its JSON report (the state it ends in: audit, groups, partitions,
//! producers). A change that is meant to leave behaviour alone, such as moving code between
//! modules, must leave every line of `tests/golden/trace-pins.txt` as it is.
//!
//! A change that is meant to alter behaviour updates the file on purpose:
//! `BLESS=1 cargo test -p brokerlab-engine --test trace_pins`, and says in its commit which
//! scenarios moved and why.

use std::collections::BTreeMap;
use std::path::PathBuf;

use brokerlab_engine::Scenario;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// FNV-1a over the report's JSON text: fixed by definition, so the pin means the same on every
/// machine and Rust release.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn current() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("../scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let scenario: Scenario = brokerlab_engine::scenario::json::parse(&text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = scenario.run().unwrap_or_else(|e| panic!("{name}: {e}"));
        let json = serde_json::to_string(&report).unwrap();
        out.insert(
            stem.to_string(),
            format!(
                "trace {} report {:016x}",
                report.trace_hash,
                fnv1a(json.as_bytes())
            ),
        );
    }
    out
}

fn pinned_path() -> PathBuf {
    root().join("tests/golden/trace-pins.txt")
}

fn pinned() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(pinned_path()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn every_scenario_keeps_its_trace_and_report() {
    let now = current();
    assert!(now.len() >= 18, "found {} scenario files", now.len());
    if std::env::var_os("BLESS").is_some() {
        let mut text = String::from(
            "# scenario  trace hash  report hash  (engine/tests/trace_pins.rs; BLESS=1 rewrites)\n",
        );
        for (k, v) in &now {
            text.push_str(&format!("{k} {v}\n"));
        }
        std::fs::create_dir_all(pinned_path().parent().unwrap()).unwrap();
        std::fs::write(pinned_path(), text).unwrap();
        return;
    }
    let was = pinned();
    let mut diffs = Vec::new();
    for (k, v) in &now {
        match was.get(k) {
            Some(w) if w == v => {}
            Some(w) => diffs.push(format!("{k}: pinned {w}, now {v}")),
            None => diffs.push(format!("{k}: not pinned (now {v})")),
        }
    }
    for k in was.keys().filter(|k| !now.contains_key(*k)) {
        diffs.push(format!("{k}: pinned but no longer in scenarios/"));
    }
    assert!(
        diffs.is_empty(),
        "behaviour changed:\n  {}\nIf the change is meant, rerun with BLESS=1 and say why in the commit.",
        diffs.join("\n  ")
    );
}

/// Watching a run (`Scenario::run_observed`, as `brokerlab-cli run --log` does every 100 ms)
/// must not change it: stepping in slices gives the same trace and report as one stride.
#[test]
fn observing_a_run_in_slices_does_not_change_it() {
    use brokerlab_engine::scenario::Report;
    for name in ["replication-5-truncation-detection", "rebalance-range"] {
        let path = root().join(format!("../scenarios/{name}.json"));
        let scenario: Scenario =
            brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap())
                .unwrap();
        let whole = Report::from_simulation(&scenario.run_to_end().unwrap());
        let mut looks = 0;
        let sliced = scenario.run_observed(100, |_| looks += 1).unwrap();
        let sliced = Report::from_simulation(&sliced);
        assert!(looks > 100, "{name}: observed {looks} times");
        assert_eq!(
            serde_json::to_string(&whole).unwrap(),
            serde_json::to_string(&sliced).unwrap(),
            "{name}"
        );
    }
}
