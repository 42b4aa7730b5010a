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
