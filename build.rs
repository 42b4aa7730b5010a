//! Builds the scenario menu into the page: every file in `scenarios/`, by its file name (the
//! `?scenario=` parameter), its name and description, and its text (parsed when opened); and the
//! lessons of `lessons/` likewise (`?lesson=`).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = String::from("pub const SCENARIO_FILES: &[ScenarioFile] = &[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("readable");
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let field = |k: &str| json[k].as_str().unwrap_or_default().to_string();
        writeln!(
            out,
            "    ScenarioFile {{ file: {stem:?}, name: {:?}, description: {:?}, json: {:?} }},",
            field("name"),
            field("description"),
            // Compact: the page reads it and never shows it; the file's indentation would be
            // bytes every visitor downloads.
            serde_json::to_string(&json).expect("JSON")
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("scenario_files.rs");
    std::fs::write(dest, out).unwrap();
    lessons();
}

/// The lessons of `lessons/`, the same way: file name, title, summary and text.
fn lessons() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("lessons/ exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    // In the lessons' own order (`order`), then by name.
    let mut lessons: Vec<(u64, std::path::PathBuf, serde_json::Value)> = files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let json: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            (json["order"].as_u64().unwrap_or(u64::MAX), path, json)
        })
        .collect();
    lessons.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut out = String::from("pub const LESSON_FILES: &[LessonFile] = &[\n");
    for (_, path, json) in lessons {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let field = |k: &str| json[k].as_str().unwrap_or_default().to_string();
        writeln!(
            out,
            "    LessonFile {{ file: {stem:?}, title: {:?}, summary: {:?}, json: {:?} }},",
            field("title"),
            field("summary"),
            serde_json::to_string(&json).expect("JSON")
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("lesson_files.rs");
    std::fs::write(dest, out).unwrap();
}
