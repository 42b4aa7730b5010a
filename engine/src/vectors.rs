//! Conformance vectors (`../shared/vectors`): runs each case through the same code the
//! simulation uses and judges it against the file's expectation.
//!
//! Three families, told apart by the `schema` field: murmur2 partition selection, consumer group
//! assignors, and coordinator partition selection. Each case yields one JSON line with the case
//! id and the engine's answer.

use crate::ground::small_map::SmallMap;
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::consumer::assignors;
use crate::consumer::assignors::properties::{self, ExpectedProperties};
use crate::ground::hash::{java_string_hash_code, murmur2, to_positive, utils_abs};
use crate::ground::quote::quoted;
use crate::protocol::{AssignorName, MemberSubscription};

/// The outcome of one vector file.
#[derive(Debug, Default)]
pub struct VectorRun {
    /// One JSON object per case: `id`, the engine's answer, `pass`, and `why` on failure.
    pub lines: Vec<Value>,
    pub passed: usize,
    pub failed: usize,
}

impl VectorRun {
    fn record(&mut self, mut line: Value, failure: Option<String>) {
        line["pass"] = json!(failure.is_none());
        match failure {
            None => self.passed += 1,
            Some(why) => {
                line["why"] = json!(why);
                self.failed += 1;
            }
        }
        self.lines.push(line);
    }
}

/// Runs every case of a vector file given as JSON text.
pub fn run_file(text: &str) -> Result<VectorRun, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let schema = doc["schema"].as_str().ok_or("no \"schema\" field")?;
    let cases = doc["cases"].as_array().ok_or("no \"cases\" array")?;
    let mut run = VectorRun::default();
    if schema.contains("murmur2") {
        let counts = partition_counts(&doc)?;
        for c in cases {
            murmur2_case(c, &counts, &mut run)?;
        }
    } else if schema.contains("coordinator-partition") {
        let counts = partition_counts(&doc)?;
        for c in cases {
            coordinator_case(c, &counts, &mut run)?;
        }
    } else if schema.contains("assignor") {
        for c in cases {
            assignor_case(c, &mut run)?;
        }
    } else {
        return Err(format!("unknown vector schema {}", quoted(schema)));
    }
    Ok(run)
}

fn partition_counts(doc: &Value) -> Result<Vec<u32>, String> {
    doc["partition_counts"]
        .as_array()
        .ok_or("no \"partition_counts\" header")?
        .iter()
        .map(|v| {
            v.as_u64()
                .map(|n| n as u32)
                .ok_or_else(|| "bad partition count".to_string())
        })
        .collect()
}

fn id(c: &Value) -> String {
    c["id"].as_str().unwrap_or("?").to_string()
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {}", quoted(s)));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("bad hex {}: {e}", quoted(s)))
        })
        .collect()
}

fn murmur2_case(c: &Value, counts: &[u32], run: &mut VectorRun) -> Result<(), String> {
    let key = hex_bytes(
        c["key_hex"]
            .as_str()
            .ok_or("murmur2 case without key_hex")?,
    )?;
    let h = murmur2(&key);
    let mut partitions = BTreeMap::new();
    for &n in counts {
        // The same expression the producer uses for keyed records.
        partitions.insert(n.to_string(), to_positive(h) as u32 % n);
    }
    let mut failure = None;
    if c["murmur2"].as_i64() != Some(h as i64) {
        failure = Some(format!("murmur2 {h} != expected {}", c["murmur2"]));
    }
    for (n, p) in &partitions {
        if c["partition"][n].as_u64() != Some(*p as u64) {
            failure.get_or_insert(format!(
                "partition for n={n}: {p} != expected {}",
                c["partition"][n]
            ));
        }
    }
    run.record(
        json!({"id": id(c), "murmur2": h, "partition": partitions}),
        failure,
    );
    Ok(())
}

fn coordinator_case(c: &Value, counts: &[u32], run: &mut VectorRun) -> Result<(), String> {
    let key = c["key"].as_str().ok_or("coordinator case without key")?;
    let abs = utils_abs(java_string_hash_code(key));
    let mut partitions = BTreeMap::new();
    for &n in counts {
        partitions.insert(
            n.to_string(),
            crate::ground::hash::coordinator_partition(key, n),
        );
    }
    let mut failure = None;
    if c["utils_abs"].as_i64() != Some(abs as i64) {
        failure = Some(format!(
            "Utils.abs(hashCode) {abs} != expected {}",
            c["utils_abs"]
        ));
    }
    for (n, p) in &partitions {
        if c["partition"][n].as_u64() != Some(*p as u64) {
            failure.get_or_insert(format!(
                "partition for n={n}: {p} != expected {}",
                c["partition"][n]
            ));
        }
    }
    run.record(json!({"id": id(c), "partition": partitions}), failure);
    Ok(())
}

use crate::protocol::Assignment;

fn parse_assignment(v: &Value) -> Result<Assignment, String> {
    let obj = v.as_object().ok_or("assignment is not an object")?;
    let mut out = Assignment::new();
    for (member, list) in obj {
        let mut tps: Vec<(String, u32)> = serde_json::from_value(list.clone())
            .map_err(|e| format!("bad assignment for {}: {e}", quoted(member)))?;
        tps.sort();
        out.insert(member.clone(), tps);
    }
    Ok(out)
}

fn assignor_case(c: &Value, run: &mut VectorRun) -> Result<(), String> {
    let name = c["assignor"]
        .as_str()
        .ok_or("assignor case without assignor")?;
    let assignor =
        AssignorName::parse(name).ok_or_else(|| format!("unknown assignor {}", quoted(name)))?;
    let topics: SmallMap<String, u32> = serde_json::from_value(c["input"]["topics"].clone())
        .map_err(|e| format!("{}: bad topics: {e}", quoted(&id(c))))?;
    let members: Vec<MemberSubscription> = serde_json::from_value(c["input"]["members"].clone())
        .map_err(|e| format!("{}: bad members: {e}", quoted(&id(c))))?;
    let got = assignors::assign(assignor, &topics, &members);
    let expected = &c["expected"];
    let mut failure = None;
    if let Some(partial) = expected.get("partial_assignment") {
        for (m, tps) in parse_assignment(partial)? {
            if got.get(&m) != Some(&tps) {
                failure = Some(format!(
                    "partial assignment of {}: {:?} != expected {tps:?}",
                    quoted(&m),
                    got.get(&m)
                ));
            }
        }
    }
    match expected["compare"].as_str() {
        Some("exact") => {
            let want = parse_assignment(&expected["assignment"])?;
            if got != want {
                failure.get_or_insert(format!("assignment differs: expected {want:?}"));
            }
        }
        Some("properties") => {}
        Some(other) => {
            return Err(format!(
                "{}: unknown compare mode {}",
                quoted(&id(c)),
                quoted(other)
            ))
        }
        None => return Err(format!("{}: no compare mode", quoted(&id(c)))),
    }
    // The sticky family also names the properties Kafka's result has; the port must have them.
    if let Some(props) = expected.get("properties") {
        let want: ExpectedProperties = serde_json::from_value(props.clone())
            .map_err(|e| format!("{}: bad properties: {e}", quoted(&id(c))))?;
        let facts = properties::compute(&topics, &members, &got);
        let failed = properties::check(&want, &facts);
        if !failed.is_empty() {
            failure.get_or_insert(format!("properties not met: {}", failed.join(", ")));
        }
    }
    run.record(json!({"id": id(c), "assignment": got}), failure);
    Ok(())
}
