//! End to end over the bundled `corpus/` against `tests/corpus-truth.json` (kept outside the folder, which would read it as a record), plus golden reports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::reprint;

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

struct Scanned {
    _dir: tempfile::TempDir,
    docs: Vec<Value>,
    pairs: Vec<Value>,
    stdout: String,
    out: std::path::PathBuf,
}

/// Runs `reprint` from the repository root (so paths in reports read `corpus/...`) and
/// returns its stdout, failing the test with its stderr when it does not succeed.
fn run_in_repo(args: &[&str]) -> String {
    let output = reprint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn scan_sample() -> Scanned {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let stdout = run_in_repo(&["scan", "corpus", "--out", out.to_str().unwrap()]);
    Scanned {
        docs: read_jsonl(&out.join("docs.jsonl")),
        pairs: read_jsonl(&out.join("pairs.jsonl")),
        stdout,
        out,
        _dir: dir,
    }
}

fn truth() -> Value {
    serde_json::from_str(include_str!("../corpus-truth.json")).unwrap()
}

fn by_id(docs: &[Value]) -> BTreeMap<String, &Value> {
    docs.iter()
        .filter_map(|d| d["id"].as_str().map(|id| (id.to_string(), d)))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_expected_group_is_found_with_its_original() {
    let scanned = scan_sample();
    let docs = by_id(&scanned.docs);
    let truth = truth();
    for group in truth["groups"].as_array().unwrap() {
        let members: BTreeSet<String> = strings(&group["members"]).into_iter().collect();
        let original = group["original"].as_str().unwrap();
        let cluster = &docs[original]["cluster"];
        assert!(cluster.is_number(), "{original} is in no cluster");
        assert_eq!(
            docs[original]["status"], "original",
            "{original} should be the original"
        );
        let found: BTreeSet<String> = docs
            .iter()
            .filter(|(_, d)| &d["cluster"] == cluster)
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(found, members, "cluster of {original}");
        for member in members.iter().filter(|m| m.as_str() != original) {
            assert_eq!(docs[member]["status"], "duplicate", "{member}");
            assert_eq!(docs[member]["duplicate_of"], original, "{member}");
            let similarity = docs[member]["similarity"].as_f64().unwrap();
            assert!(
                similarity > 0.0 && similarity <= 1.0,
                "{member}: {similarity}"
            );
            let reuses = docs[member]["reuses"].as_array().unwrap();
            assert!(
                reuses
                    .iter()
                    .any(|r| r["id"] == original && r["relation"] == "copy"),
                "{member} reuses {reuses:?}"
            );
        }
        // An original takes nothing from its own cluster (it may from an earlier link of an
        // edit chain that was split off).
        for reuse in docs[original]["reuses"].as_array().unwrap() {
            let source = reuse["id"].as_str().unwrap();
            assert!(!members.contains(source), "{original} reuses {source}");
        }
    }
}

#[test]
fn same_event_in_different_words_is_kept_apart() {
    let scanned = scan_sample();
    let docs = by_id(&scanned.docs);
    for pair in truth()["distinct"].as_array().unwrap() {
        let pair = strings(pair);
        let (a, b) = (&docs[&pair[0]], &docs[&pair[1]]);
        assert!(
            a["cluster"].is_null() || a["cluster"] != b["cluster"],
            "{} and {} were grouped",
            pair[0],
            pair[1]
        );
    }
    // Articles written in their own words are unique, not duplicates of anything.
    for id in [
        "marrow-standard-bridge",
        "marrow-standard-meeting",
        "dunmore-weekly-library",
        "rail-news-timetable",
    ] {
        assert_eq!(docs[id]["status"], "unique", "{id}");
    }
}

/// The pair of `x` and `y` in pairs.jsonl, whichever order it is written in.
fn pair_of<'a>(pairs: &'a [Value], x: &str, y: &str) -> &'a Value {
    pairs
        .iter()
        .find(|p| (p["a"] == x && p["b"] == y) || (p["a"] == y && p["b"] == x))
        .unwrap_or_else(|| panic!("no pair {x} {y}"))
}

#[test]
fn paragraph_lifts_are_partial_reuse_outside_clusters() {
    let scanned = scan_sample();
    let docs = by_id(&scanned.docs);
    for lift in truth()["partial"].as_array().unwrap() {
        let (id, source) = (
            lift["id"].as_str().unwrap(),
            lift["source"].as_str().unwrap(),
        );
        assert_eq!(docs[id]["status"], "unique", "{id}");
        let pair = pair_of(&scanned.pairs, id, source);
        assert_eq!(pair["relation"], "partial", "{pair}");
        // The borrower lists the source, or another copy of the same story.
        let source_cluster = &docs[source]["cluster"];
        let reuses = docs[id]["reuses"].as_array().unwrap();
        assert_eq!(reuses.len(), 1, "{id}: {reuses:?}");
        let listed = reuses[0]["id"].as_str().unwrap();
        assert!(
            listed == source
                || (!source_cluster.is_null() && &docs[listed]["cluster"] == source_cluster),
            "{id} lists {listed}"
        );
        assert_eq!(reuses[0]["relation"], "partial");
        let passages = pair["passages"].as_array().unwrap();
        assert!(!passages.is_empty() && passages[0]["words"].as_u64().unwrap() >= 20);
    }
}

#[test]
fn an_edit_chain_is_split_and_its_partial_links_point_back_in_time() {
    let scanned = scan_sample();
    for link in truth()["chain_partial"].as_array().unwrap() {
        let (id, source) = (
            link["id"].as_str().unwrap(),
            link["source"].as_str().unwrap(),
        );
        let pair = pair_of(&scanned.pairs, id, source);
        assert_eq!(pair["relation"], "partial", "{pair}");
        assert_eq!(pair["from"], source, "{pair}");
        assert!(
            pair["direction"]
                .as_str()
                .unwrap()
                .contains("dated earlier")
        );
    }
    let docs = by_id(&scanned.docs);
    // The third version took its text from the second (a copy outside its own cluster).
    let reuses = docs["penwick-post-lighthouse"]["reuses"]
        .as_array()
        .unwrap();
    assert!(
        reuses
            .iter()
            .any(|r| r["id"] == "bayside-courier-lighthouse" && r["relation"] == "copy"),
        "{reuses:?}"
    );
}

#[test]
fn a_regional_cut_below_the_threshold_is_still_a_copy() {
    let scanned = scan_sample();
    for copy in truth()["below_threshold_copies"].as_array().unwrap() {
        let (id, source) = (
            copy["id"].as_str().unwrap(),
            copy["source"].as_str().unwrap(),
        );
        let pair = pair_of(&scanned.pairs, id, source);
        assert!(pair["jaccard"].as_f64().unwrap() < 0.5, "{pair}");
        assert_eq!(pair["relation"], "copy", "{pair}");
        assert!(
            pair["reason"]
                .as_str()
                .unwrap()
                .contains("in the same order")
        );
    }
}

#[test]
fn every_record_is_accounted_for() {
    let scanned = scan_sample();
    // 50 JSONL records and 5 text files.
    assert_eq!(scanned.docs.len(), 55);
    for id in strings(&truth()["rejected"]) {
        let doc = by_id(&scanned.docs)[&id];
        assert_eq!(doc["status"], "rejected");
        assert!(
            doc["reason"].as_str().unwrap().contains("too short"),
            "{doc}"
        );
    }
    for doc in &scanned.docs {
        let status = doc["status"].as_str().unwrap();
        assert_eq!(doc["reason"].is_null(), status != "rejected", "{doc}");
    }
}

/// Compares `actual` with the golden file, or rewrites it when UPDATE_GOLDEN is set.
fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from its golden file; rerun with UPDATE_GOLDEN=1 if intended"
    );
}

#[test]
fn reports_match_golden_files() {
    let scanned = scan_sample();
    for name in [
        "docs.jsonl",
        "pairs.jsonl",
        "clusters.jsonl",
        "outlets.jsonl",
    ] {
        let text = std::fs::read_to_string(scanned.out.join(name)).unwrap();
        check_golden(&format!("sample-{name}"), &text);
    }
    let summary: String = scanned
        .stdout
        .lines()
        .filter(|l| !l.starts_with("wrote "))
        .map(|l| format!("{l}\n"))
        .collect();
    check_golden("sample-summary.txt", &summary);
}

#[test]
fn explain_output_matches_golden_files() {
    for (a, b, name) in [
        (
            "thorne-observer-honey",
            "thorne-opinion-subsidies",
            "explain-lift.txt",
        ),
        ("wire-bridge", "harbour-gazette-bridge", "explain-copy.txt"),
        (
            "wire-bridge",
            "saltmere-mercury-bridge",
            "explain-regional-cut.txt",
        ),
        (
            "greyhaven-gazette-lighthouse",
            "penwick-post-lighthouse",
            "explain-chain.txt",
        ),
        (
            "wire-bridge",
            "marrow-standard-bridge",
            "explain-same-event.txt",
        ),
    ] {
        check_golden(name, &run_in_repo(&["explain", a, b, "corpus"]));
    }
}

fn flags_of(doc: &Value) -> Vec<&str> {
    doc["quality"]["flags"]
        .as_array()
        .unwrap_or_else(|| panic!("no quality: {doc}"))
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect()
}

#[test]
fn quality_flags_and_evidence_match_the_truth() {
    let scanned = scan_sample();
    let truth = truth();
    let cases = &truth["quality"];
    let docs = by_id(&scanned.docs);
    for (id, flags) in cases["flagged"].as_object().unwrap() {
        for flag in strings(flags) {
            assert!(
                flags_of(docs[id]).contains(&flag.as_str()),
                "{id}: {}",
                docs[id]
            );
        }
    }
    for id in strings(&cases["not_flagged"]) {
        assert_eq!(
            flags_of(docs[&id]),
            Vec::<&str>::new(),
            "{id}: {}",
            docs[&id]
        );
    }
    for (id, phrase) in cases["stuffed_phrase"].as_object().unwrap() {
        let evidence = docs[id]["quality"]["evidence"].as_array().unwrap();
        let stuffing = evidence
            .iter()
            .find(|e| e["signal"] == "stuffing")
            .unwrap_or_else(|| panic!("{id}: {}", docs[id]));
        assert_eq!(&stuffing["text"], phrase);
        assert!(stuffing["count"].as_u64().unwrap() >= 10, "{stuffing}");
    }
    for id in strings(&cases["clean"]) {
        let quality = &docs[&id]["quality"];
        assert_eq!(quality["boilerplate"], 0.0, "{id}: {quality}");
        assert!(
            quality["score"].as_f64().unwrap() >= 0.95,
            "{id}: {quality}"
        );
    }
}

#[test]
fn template_lines_are_stripped_and_the_story_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean.jsonl");
    run_in_repo(&[
        "dedup",
        "corpus",
        "-o",
        out.to_str().unwrap(),
        "--strip-boilerplate",
    ]);
    let written = read_jsonl(&out);
    let records = by_id(&written);
    let truth = truth();
    for (id, lines) in truth["quality"]["template_lines"].as_object().unwrap() {
        let record = records[id];
        let clean = record["clean_text"].as_str().unwrap();
        for line in strings(lines) {
            assert!(record["text"].as_str().unwrap().contains(&line));
            assert!(!clean.contains(&line), "{id} kept {line:?}:\n{clean}");
        }
        // The story itself is all there.
        let text = record["text"].as_str().unwrap();
        let first_paragraph = text.split("\n\n").nth(1).unwrap();
        assert!(clean.starts_with(first_paragraph), "{id}:\n{clean}");
    }
}

#[test]
fn score_output_matches_golden_files() {
    let output = reprint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["score", "corpus"])
        .output()
        .unwrap();
    assert!(output.status.success());
    check_golden(
        "sample-scores.jsonl",
        &String::from_utf8(output.stdout).unwrap(),
    );
    check_golden(
        "sample-score-table.txt",
        &String::from_utf8(output.stderr).unwrap(),
    );
}

#[test]
fn score_with_clean_text_matches_its_golden_file_and_keeps_every_record() {
    let output = reprint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["score", "corpus", "--clean-text"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    check_golden("sample-scores-clean.jsonl", &text);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One line per record, duplicates included; the rejected record has no clean text.
    assert_eq!(lines.len(), 55);
    for line in &lines {
        assert_eq!(
            line["clean_text"].is_null(),
            line["quality"].is_null(),
            "{line}"
        );
    }
    // An outlet's template line is gone from its stories' clean text, the story kept.
    let ledger = lines
        .iter()
        .find(|l| l["id"] == "lakeside-ledger-ferry")
        .unwrap();
    let clean = ledger["clean_text"].as_str().unwrap();
    assert!(
        !clean.contains("independent news for the lake towns"),
        "{clean}"
    );
    assert!(clean.split_whitespace().count() > 50, "{clean}");
}
