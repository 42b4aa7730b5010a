//! Every word the page explains (`<Term of="...">` in its components) is in the one glossary the
//! CLI prints too: a key missing from it would show the word with no explanation.

use brokerlab_engine::view::glossary;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

#[test]
fn every_term_the_page_uses_is_in_the_glossary() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../src"),
        &mut files,
    );
    let mut used = 0;
    for (path, text) in &files {
        for piece in text.split("<Term of=\"").skip(1) {
            let key = &piece[..piece.find('"').unwrap()];
            assert!(
                glossary::entry(key).is_some(),
                "{path}: {key:?} is not in the glossary"
            );
            used += 1;
        }
    }
    assert!(used >= 8, "the page explains its words: {used} found");
}
