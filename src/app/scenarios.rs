//! The scenario files of `scenarios/`, built into the page (see `build.rs`): the scenario menu
//! lists them and `?scenario=<file name>` opens one.

/// One file of `scenarios/`.
pub struct ScenarioFile {
    /// The file name without `.json`: what `?scenario=` names.
    pub file: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub json: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/scenario_files.rs"));

pub fn by_file(file: &str) -> Option<&'static ScenarioFile> {
    SCENARIO_FILES.iter().find(|f| f.file == file)
}

/// One file of `lessons/` (see `build.rs`): the Lessons menu lists them and `?lesson=<file name>`
/// opens one.
pub struct LessonFile {
    pub file: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub json: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// Lesson `file`, read (its scenario looked up among the scenario files).
pub fn lesson(file: &str) -> Result<brokerlab_engine::Lesson, String> {
    let f = LESSON_FILES
        .iter()
        .find(|f| f.file == file)
        .ok_or_else(|| {
            let names: Vec<&str> = LESSON_FILES.iter().map(|f| f.file).collect();
            format!(
                "There is no lesson {}; the lessons are {}.",
                brokerlab_engine::quoted(file),
                names.join(", ")
            )
        })?;
    brokerlab_engine::Lesson::parse(f.file, f.json, |s| by_file(s).map(|f| f.json.to_string()))
        .map_err(|e| format!("The lesson {} cannot be opened: {e}", f.file))
}
