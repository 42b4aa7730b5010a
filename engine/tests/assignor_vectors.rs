//! Conformance of the assignors with `../shared/vectors/assignors-public.json`, whose expected
//! assignments were computed by Apache Kafka's own Java classes (see the vectors' README for the
//! comparison rules). Set `ASSIGNOR_VECTORS` to a file of the same schema (e.g. the held-out
//! split) to check that file instead.

use std::collections::{BTreeMap, BTreeSet};

use brokerlab_engine::consumer::assignors::assign;
use brokerlab_engine::consumer::assignors::properties::{self, ExpectedProperties};
use brokerlab_engine::protocol::{Assignment, AssignorName, MemberSubscription};
use serde::Deserialize;

const PUBLIC_VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/assignors-public.json"
);

#[derive(Deserialize)]
struct VectorFile {
    count: usize,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    assignor: AssignorName,
    input: Input,
    expected: Expected,
}

#[derive(Deserialize)]
struct Input {
    topics: brokerlab_engine::ground::small_map::SmallMap<String, u32>,
    members: Vec<MemberSubscription>,
}

#[derive(Deserialize)]
struct Expected {
    assignment: Assignment,
    compare: Compare,
    partial_assignment: Option<Assignment>,
    properties: Option<ExpectedProperties>,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Compare {
    Exact,
    Properties,
}

type Sets = BTreeMap<String, BTreeSet<(String, u32)>>;

fn as_sets(a: &Assignment) -> Sets {
    a.iter()
        .map(|(m, tps)| (m.clone(), tps.iter().cloned().collect()))
        .collect()
}

/// One line per member whose partitions differ: `member: expected [...] got [...]`.
fn diff(expected: &Sets, actual: &Sets) -> Vec<String> {
    let members: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    let show = |s: Option<&BTreeSet<(String, u32)>>| match s {
        None => "(absent)".to_string(),
        Some(s) => {
            let tps: Vec<String> = s.iter().map(|(t, p)| format!("{t}-{p}")).collect();
            format!("[{}]", tps.join(", "))
        }
    };
    members
        .into_iter()
        .filter(|m| expected.get(*m) != actual.get(*m))
        .map(|m| {
            format!(
                "    {m}: expected {} got {}",
                show(expected.get(m)),
                show(actual.get(m))
            )
        })
        .collect()
}

/// Problems with one case (empty = pass).
fn run(case: &Case) -> Vec<String> {
    let actual = assign(case.assignor, &case.input.topics, &case.input.members);
    let actual_sets = as_sets(&actual);
    let mut problems = Vec::new();

    let lines = diff(&as_sets(&case.expected.assignment), &actual_sets);
    if case.expected.compare == Compare::Exact && !lines.is_empty() {
        problems.push("assignment differs from Kafka's:".to_string());
        problems.extend(lines);
    } else if case.expected.compare == Compare::Properties {
        // Any assignment with the properties passes; report whether it is Kafka's own.
        let same = if lines.is_empty() {
            "equals"
        } else {
            "differs from"
        };
        println!(
            "{}: compared by properties; the output {same} Kafka's",
            case.id
        );
    }
    if let Some(partial) = &case.expected.partial_assignment {
        let partial = as_sets(partial);
        let actual_part: Sets = actual_sets
            .iter()
            .filter(|(m, _)| partial.contains_key(*m))
            .map(|(m, s)| (m.clone(), s.clone()))
            .collect();
        let lines = diff(&partial, &actual_part);
        if !lines.is_empty() {
            problems.push("partial_assignment differs:".to_string());
            problems.extend(lines);
        }
    }
    let sticky_family = matches!(
        case.assignor,
        AssignorName::Sticky | AssignorName::CooperativeSticky
    );
    match &case.expected.properties {
        Some(expected) => {
            let facts = properties::compute(&case.input.topics, &case.input.members, &actual);
            let failed = properties::check(expected, &facts);
            if !failed.is_empty() {
                problems.push(format!("properties fail: {failed:?}; measured {facts:?}"));
            }
        }
        None if sticky_family => problems.push("sticky case without properties".to_string()),
        None => {}
    }
    let missing: Vec<&String> = case
        .input
        .members
        .iter()
        .map(|m| &m.member_id)
        .filter(|m| !actual.contains_key(*m))
        .collect();
    if !missing.is_empty() {
        problems.push(format!("members missing from the output: {missing:?}"));
    }
    problems
}

#[test]
fn public_assignor_vectors() {
    let path = std::env::var("ASSIGNOR_VECTORS").unwrap_or_else(|_| PUBLIC_VECTORS.to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: VectorFile = serde_json::from_str(&text).expect("vector file parses");
    assert_eq!(file.cases.len(), file.count, "header count");

    let mut per_assignor: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &file.cases {
        let problems = run(case);
        let tally = per_assignor.entry(case.assignor.as_str()).or_default();
        tally.1 += 1;
        if problems.is_empty() {
            tally.0 += 1;
        } else {
            failures.push(format!(
                "{} ({}):\n  {}",
                case.id,
                case.assignor.as_str(),
                problems.join("\n  ")
            ));
        }
    }
    for (assignor, (passed, total)) in &per_assignor {
        println!("{assignor}: {passed}/{total} cases pass");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        file.cases.len(),
        failures.join("\n")
    );
}
