//! The layering rules of ARCHITECTURE.md, checked on the source: each folder imports only the
//! phases below it, only `pipeline` spawns parallel work, and only `ingest` and `report` touch
//! files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules each layer may name (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("date", &[]),
    ("text", &["error"]),
    ("ingest", &["error", "date"]),
    ("candidates", &["error", "text"]),
    ("verify", &["error", "text"]),
    ("relate", &["error", "date", "verify"]),
    // Quality reads documents as ingest delivers them (a page's size), never files.
    ("quality", &["error", "text", "ingest"]),
    ("synth", &["error", "date", "text"]),
    (
        "pipeline",
        &[
            "error",
            "date",
            "text",
            "ingest",
            "candidates",
            "verify",
            "relate",
            "quality",
            "synth",
        ],
    ),
    // Feed mode: above the passes, below the report that formats what it finds.
    (
        "index",
        &[
            "error",
            "date",
            "text",
            "ingest",
            "candidates",
            "verify",
            "relate",
            "quality",
            "pipeline",
        ],
    ),
    (
        "report",
        &[
            "error",
            "date",
            "text",
            "ingest",
            "candidates",
            "verify",
            "relate",
            "quality",
            "synth",
            "pipeline",
            "index",
        ],
    ),
];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a source file belongs to: its top folder, or its file stem at the top.
fn layer_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The code of a file without comments and without its `#[cfg(test)]` module (tests may use
/// anything).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::X` named in `code`.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

#[test]
fn layers_import_only_the_phases_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in &files {
        let layer = layer_of(&src, file);
        let Some((_, allowed)) = ALLOWED.iter().find(|(name, _)| *name == layer) else {
            continue;
        };
        checked += 1;
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for module in crate_modules(&code) {
            // Re-exports at the crate root.
            if module == layer || module == "Error" || module == "Result" {
                continue;
            }
            if !allowed.contains(&module.as_str()) {
                violations.push(format!("{}: {layer} imports {module}", file.display()));
            }
        }
    }
    assert!(checked > 30, "only {checked} files checked");
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn only_the_pipeline_spawns_work_and_only_ingest_and_report_touch_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let layer = layer_of(&src, file);
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        if code.contains("rayon") && layer != "pipeline" {
            violations.push(format!("{}: uses rayon", file.display()));
        }
        let touches_files = ["std::fs", "File::", "tempfile"]
            .iter()
            .any(|marker| code.contains(marker));
        // The index's store owns its one file (the redb database), as `index` promises.
        let is_index_store = file.ends_with("index/store.rs");
        if touches_files
            && !is_index_store
            && !["ingest", "report", "main"].contains(&layer.as_str())
        {
            violations.push(format!("{}: touches files", file.display()));
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}
