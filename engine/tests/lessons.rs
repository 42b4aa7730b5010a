//! Every lesson of `lessons/` walks headless to its end (issue 17): each step entered, its
//! `expect` holding, each task's check false before its solution and true within its time after.
//! And a lesson that no longer holds fails naming its step.
#![cfg(feature = "json")]

use std::path::{Path, PathBuf};

use brokerlab_engine::lesson::{walk, Lesson};
use brokerlab_engine::open_lesson_at;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scenario_file(name: &str) -> Option<String> {
    std::fs::read_to_string(root().join("scenarios").join(format!("{name}.json"))).ok()
}

fn lesson_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("lessons"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> Lesson {
    let name = path.file_stem().unwrap().to_str().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    Lesson::parse(name, &text, scenario_file).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_lesson_walks_to_its_end() {
    let files = lesson_files();
    assert!(!files.is_empty());
    for path in files {
        let lesson = read(&path);
        let reports = walk(&lesson).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(reports.len(), lesson.steps.len());
    }
}

/// Opening a lesson at any step (from the address or the menu) leaves the simulation as walking to
/// it does: earlier tasks done by their solutions, so the step's own `expect` holds there too
/// ("seven consumers" in step 2 of consumer-lag counts on step 1's task adding two).
#[test]
fn a_lesson_opened_at_any_step_is_where_its_text_says() {
    for path in lesson_files() {
        let lesson = read(&path);
        for (k, step) in lesson.steps.iter().enumerate().skip(1) {
            let (t, entered) = open_lesson_at(&lesson, k)
                .unwrap_or_else(|e| panic!("{} step {}: {e}", path.display(), k + 1));
            assert_eq!(entered.len(), k + 1);
            assert!(entered.windows(2).all(|w| w[0] <= w[1]));
            if let Some(expect) = &step.expect {
                let out = expect.eval(&t.sim().snapshot());
                assert!(
                    out.holds,
                    "{} opened at step {}: {:?} does not hold: {}",
                    path.display(),
                    k + 1,
                    expect.text,
                    out.unmet.join("; ")
                );
            }
        }
    }
}

const SMALL: &str = r#"{
  "title": "t",
  "scenario": { "seed": 1, "topics": [{ "name": "orders", "partitions": 2 }], "duration_ms": 0 },
  "steps": [
    { "title": "one", "text": "A step.", "expect": "topic orders partitions == 2" },
    { "title": "two", "text": "Another.", "expect": "topic orders partitions == 3" }
  ]
}"#;

#[test]
fn a_lesson_that_no_longer_holds_names_its_step() {
    let lesson = Lesson::parse("small", SMALL, |_| None).unwrap();
    let e = walk(&lesson).unwrap_err();
    assert_eq!(
        e,
        "step 2 (two): expect \"topic orders partitions == 3\" does not hold: topic orders \
         partitions is 2, not == 3"
    );
}

#[test]
fn a_task_already_done_or_never_done_is_refused() {
    let done = SMALL.replace(
        r#""expect": "topic orders partitions == 3" }"#,
        r#""task": { "goal": "g", "check": "topic orders partitions == 2", "solution": [] } }"#,
    );
    let e = walk(&Lesson::parse("small", &done, |_| None).unwrap()).unwrap_err();
    assert!(e.contains("holds before the learner does anything"), "{e}");
    let never = SMALL.replace(
        r#""expect": "topic orders partitions == 3" }"#,
        r#""task": { "goal": "g", "check": "topic orders partitions == 4", "solution": [
            { "type": "increase_partitions", "topic": "orders", "partitions": 3 } ], "within_ms": 2000 } }"#,
    );
    let e = walk(&Lesson::parse("small", &never, |_| None).unwrap()).unwrap_err();
    assert!(
        e.contains("did not hold within 2000 ms: topic orders partitions is 3, not == 4"),
        "{e}"
    );
}

#[test]
fn a_bad_lesson_file_names_the_field() {
    let cases = [
        (SMALL.replace("\"A step.\"", "\"One. Two. Three. Four.\""), "steps[0].text: 4 sentences; a step says at most 3."),
        (SMALL.replace("partitions == 2\" }", "partitions == 2\", \"point\": \"charts\" }"), "steps[0].point: \"charts\" is not a part of the page"),
        (SMALL.replace("partitions == 2\" }", "partitions == 2\", \"colour\": 1 }"), "steps[0].colour: unknown field \"colour\""),
        (SMALL.replace("topic orders partitions == 2", "topic orders partitionz == 2"), "steps[0].expect: a topic has no metric \"partitionz\""),
        (SMALL.replace("{ \"seed\": 1, \"topics\": [{ \"name\": \"orders\", \"partitions\": 2 }], \"duration_ms\": 0 }", "\"nope\""), "scenario: there is no scenario \"nope\" in scenarios/."),
    ];
    for (text, wanted) in cases {
        let e = Lesson::parse("small", &text, |_| None).unwrap_err();
        assert!(e.starts_with(wanted), "{e}\n wanted: {wanted}");
    }
}

#[cfg(feature = "cli")]
#[test]
fn the_command_line_walks_a_lesson() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args([
            "lesson",
            root().join("lessons/first-look.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("step 3 at 4000 ms: The key picks the partition; shows key user-42 on orders partition == 4"), "{text}");
    assert!(text.ends_with("ok\n"));
}

#[test]
fn a_lag_without_committed_offsets_is_not_known_rather_than_zero() {
    let text = r#"{
      "title": "t",
      "scenario": { "seed": 1, "topics": [{ "name": "t", "partitions": 2 }],
        "producers": [{ "name": "p", "load": { "topic": "t", "rate": 100 } }],
        "consumers": [{ "name": "c", "config": { "group.id": "g" }, "topics": ["t"] }],
        "duration_ms": 0 },
      "steps": [{ "title": "one", "text": "A step.", "advance_ms": 3800, "expect": "group g lag == 0" }]
    }"#;
    let e = walk(&Lesson::parse("small", text, |_| None).unwrap()).unwrap_err();
    assert!(
        e.contains("group g lag is not known yet (a partition without a committed offset)"),
        "{e}"
    );
    let later = text
        .replace("\"advance_ms\": 3800", "\"advance_ms\": 9000")
        .replace("lag == 0", "lag < 1000 and partition t-0 lag < 1000");
    walk(&Lesson::parse("small", &later, |_| None).unwrap()).unwrap();
}
