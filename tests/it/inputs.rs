//! Whatever the input holds, every record is accounted for: JSON arrays, byte-order marks
//! and other encodings, ids as written, nested fields, size limits, unreadable folder
//! entries, and runs that read nothing.

use crate::support::reprint;
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const STORY: &str = "The harbour bridge will close for six weeks from Monday while engineers \
replace corroded cables, the city council said on Tuesday. Ferries will run every twenty \
minutes during the closure.";

const OTHER: &str = "A rare orchid found growing wild in a railway cutting has been moved to \
the botanic gardens, where keepers hope it will set seed next spring, a spokesman said.";

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

fn jsonl(records: &[(&str, &str)]) -> String {
    records
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string() + "\n")
        .collect()
}

/// `scan --output` over the inputs (with extra arguments): the docs.jsonl lines.
fn docs(inputs: &[&Path], extra: &[&str]) -> Vec<Value> {
    crate::support::scan_docs(inputs, extra)
}

/// Runs `scan` expecting exit code 2; its stderr.
fn fails(inputs: &[&Path], extra: &[&str]) -> String {
    let output = reprint()
        .arg("scan")
        .args(inputs)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

fn field<'a>(docs: &'a [Value], name: &str) -> Vec<&'a Value> {
    docs.iter().map(|d| &d[name]).collect()
}

#[test]
fn json_arrays_and_json_files_are_read_as_records() {
    let dir = tempfile::tempdir().unwrap();
    let array = serde_json::to_string_pretty(&serde_json::json!([
        {"id": "a", "text": STORY},
        {"id": "b", "text": OTHER},
    ]))
    .unwrap();
    let file = write(dir.path(), "list.json", array.as_bytes());
    let read = docs(&[&file], &[]);
    assert_eq!(field(&read, "id"), ["a", "b"]);
    assert_eq!(field(&read, "status"), ["unique", "unique"]);
    // The second element starts on line 6 of the pretty-printed file.
    assert!(read[1]["origin"].as_str().unwrap().ends_with("list.json:6"));
    // In a folder, a .json file holding one object is one record.
    let folder = dir.path().join("folder");
    write(
        &folder,
        "one.json",
        serde_json::to_string_pretty(&serde_json::json!({"id": "c", "text": STORY}))
            .unwrap()
            .as_bytes(),
    );
    write(&folder, "two.json", array.as_bytes());
    let read = docs(&[&folder], &[]);
    assert_eq!(field(&read, "id"), ["c", "a", "b"]);
    assert_eq!(
        read[0]["cluster"], read[1]["cluster"],
        "c and a are the same story"
    );
    // The feed holds each array element on a line of its own.
    let output = reprint()
        .args(["dedup", file.to_str().unwrap(), "-o", "-"])
        .output()
        .unwrap();
    let feed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(feed.lines().count(), 2);
    for line in feed.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        assert!(record["text"].is_string());
    }
}

#[test]
fn a_run_that_reads_no_document_fails_saying_what_it_saw() {
    let dir = tempfile::tempdir().unwrap();
    let nested = write(
        dir.path(),
        "nested.jsonl",
        br#"{"id":"a","title":"T","content":{"body":"one two three four five six"}}
"#,
    );
    let error = fails(&[&nested], &["--text-field", "body"]);
    assert!(
        error.contains(r#"missing field "body" (or "html"); fields seen: content, id, title"#),
        "{error}"
    );
    assert!(error.contains("nested.jsonl:1"), "{error}");
    // The dotted path reaches the nested field.
    let read = docs(&[&nested], &["--text-field", "content.body"]);
    assert_eq!(read[0]["status"], "unique");
    // A folder of files that are not documents.
    let folder = dir.path().join("other");
    write(&folder, "a.csv", b"id,text\n1,hello\n");
    let error = fails(&[&folder], &[]);
    assert!(
        error.contains("no records; 1 files were skipped as not documents, such as"),
        "{error}"
    );
    // An empty file.
    let empty = write(dir.path(), "empty.jsonl", b"");
    assert!(fails(&[&empty], &[]).contains("the input holds no records"));
    // dedup and pairs fail the same way.
    for command in [&["dedup", "-o", "-"][..], &["pairs"][..]] {
        let output = reprint().args(command).arg(&empty).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn ids_stay_exactly_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        format!(r#"{{"id":1e3,"text":"{STORY}"}}"#),
        format!(r#"{{"id":100000000000000000000001,"text":"{OTHER}"}}"#),
        format!(r#"{{"id":100000000000000000000002,"text":"{OTHER} Again."}}"#),
        format!(r#"{{"id":7,"text":"{OTHER} Third."}}"#),
        format!(r#"{{"id":"7","text":"{OTHER} Fourth."}}"#),
    ];
    let file = write(
        dir.path(),
        "ids.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let read = docs(&[&file], &[]);
    assert_eq!(
        field(&read, "id"),
        [
            "1e3",
            "100000000000000000000001",
            "100000000000000000000002",
            "7",
            "7"
        ]
    );
    assert_ne!(read[2]["status"], "rejected", "distinct big numbers");
    // The number 7 and the string "7" are the same id: the second is rejected as a repeat.
    assert_eq!(read[4]["status"], "rejected");
    assert!(
        read[4]["reason"]
            .as_str()
            .unwrap()
            .contains(r#"duplicate id "7""#)
    );
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut bytes = if bom { vec![0xff, 0xfe] } else { Vec::new() };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn utf16be(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xfe, 0xff];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    bytes
}

#[test]
fn encodings_give_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let records = jsonl(&[("a", STORY), ("b", OTHER), ("c", STORY)]);
    let plain = write(dir.path(), "utf8.jsonl", records.as_bytes());
    let expected = docs(&[&plain], &[]);
    let strip = |docs: Vec<Value>| -> Vec<(Value, Value, Value)> {
        docs.into_iter()
            .map(|d| {
                (
                    d["id"].clone(),
                    d["status"].clone(),
                    d["similarity"].clone(),
                )
            })
            .collect()
    };
    let expected = strip(expected);
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(records.as_bytes());
    for (name, bytes) in [
        ("bom.jsonl", with_bom),
        ("le.jsonl", utf16le(&records, true)),
        ("be.jsonl", utf16be(&records)),
    ] {
        let file = write(dir.path(), name, &bytes);
        assert_eq!(strip(docs(&[&file], &[])), expected, "{name}");
        // Records read from a decoded file are found again for verification.
        let gz = dir.path().join(format!("{name}.gz"));
        let mut encoder =
            flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), Default::default());
        std::io::Write::write_all(&mut encoder, &bytes).unwrap();
        encoder.finish().unwrap();
        assert_eq!(strip(docs(&[&gz], &[])), expected, "{name}.gz");
    }
    // A text file in UTF-16 with its mark is read; without it, rejected with a hint.
    let folder = dir.path().join("texts");
    write(&folder, "marked.txt", &utf16le(STORY, true));
    write(&folder, "unmarked.txt", &utf16le(STORY, false));
    write(&folder, "plain.txt", STORY.as_bytes());
    let read = docs(&[&folder], &[]);
    assert_eq!(
        field(&read, "id"),
        ["marked.txt", "plain.txt", "unmarked.txt"]
    );
    assert_eq!(read[1]["status"], "duplicate");
    assert_eq!(read[2]["status"], "rejected");
    assert!(read[2]["reason"].as_str().unwrap().ends_with(
        "looks like UTF-16 without a byte-order mark; read it with --encoding utf-16le"
    ));
    // Windows-1252 is rejected with a hint, or read under --encoding.
    let latin = format!("{{\"id\":\"x\",\"text\":\"Caf\u{e9} {STORY}\"}}\n");
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
    let file = write(dir.path(), "latin.jsonl", &latin);
    let error = fails(&[&file], &[]);
    assert!(error.contains("name it with --encoding"), "{error}");
    let output = reprint()
        .args([
            "dedup",
            file.to_str().unwrap(),
            "-o",
            "-",
            "--encoding",
            "windows-1252",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let record: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(record["text"].as_str().unwrap().starts_with("Café "));
}

#[test]
fn records_over_the_size_limit_are_rejected_with_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let long = STORY.repeat(40);
    let records = jsonl(&[("a", STORY), ("long", &long), ("b", OTHER)]);
    let file = write(dir.path(), "sizes.jsonl", records.as_bytes());
    let read = docs(&[&file], &["--max-doc-bytes", "2K"]);
    assert_eq!(field(&read, "status"), ["unique", "rejected", "unique"]);
    let size = records.lines().nth(1).unwrap().len();
    assert!(
        read[1]["reason"].as_str().unwrap().ends_with(&format!(
            "too large: {size} bytes, over --max-doc-bytes 2048; not read"
        )),
        "{}",
        read[1]["reason"]
    );
    // The same for a whole file.
    let folder = dir.path().join("files");
    write(&folder, "long.txt", long.as_bytes());
    write(&folder, "short.txt", STORY.as_bytes());
    let read = docs(&[&folder], &["--max-doc-bytes", "2K"]);
    assert_eq!(field(&read, "status"), ["rejected", "unique"]);
    // A bad limit is a usage error.
    let output = reprint()
        .args(["scan", file.to_str().unwrap(), "--max-doc-bytes", "12Q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn unreadable_folder_entries_are_rejected_unless_strict() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("crawl");
    write(&folder, "a.txt", STORY.as_bytes());
    write(&folder, "b.txt", OTHER.as_bytes());
    std::os::unix::fs::symlink(folder.join("missing.txt"), folder.join("dangling.txt")).unwrap();
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::os::unix::fs::symlink(&folder, folder.join("sub/loop")).unwrap();
    let read = docs(&[&folder], &[]);
    let statuses: Vec<(String, String)> = read
        .iter()
        .map(|d| {
            (
                d["origin"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|(_, s)| s == "unique").count(),
        2,
        "{statuses:?}"
    );
    let reasons: Vec<&str> = read.iter().filter_map(|d| d["reason"].as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("dangling.txt") && r.contains("cannot be read")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("loop")), "{reasons:?}");
    let error = fails(&[&folder], &["--strict"]);
    assert!(error.contains("dangling.txt"), "{error}");
}

#[test]
fn dedup_keeps_rejected_records_unless_asked_to_drop_them() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!(
        "{}{{broken\n{}",
        jsonl(&[("a", STORY), ("copy", STORY)]),
        jsonl(&[("short", "Too short."), ("b", OTHER)])
    );
    let file = write(dir.path(), "feed.jsonl", input.as_bytes());
    let run = |extra: &[&str]| {
        let output = reprint()
            .args(["dedup", file.to_str().unwrap(), "-o", "-"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success());
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (kept, counts) = run(&[]);
    let expected: Vec<&str> = input.lines().filter(|l| !l.contains("\"copy\"")).collect();
    assert_eq!(kept.lines().collect::<Vec<_>>(), expected);
    assert!(
        counts.starts_with(
            "5 records: kept 2 documents; dropped 1 duplicates; kept 2 rejected records as read"
        ),
        "{counts}"
    );
    let (kept, counts) = run(&["--drop-rejected"]);
    assert_eq!(kept.lines().count(), 2);
    assert!(
        counts.starts_with(
            "5 records: kept 2 documents; dropped 1 duplicates; dropped 2 rejected records"
        ),
        "{counts}"
    );
}

/// A record of the property test: an id from a small pool (so ids repeat), a text from a
/// small pool (so texts repeat), or a line that is not a record.
fn arbitrary_line() -> impl Strategy<Value = String> {
    let texts = [STORY, OTHER, "Too short.", ""];
    prop_oneof![
        8 => (0..12u32, 0..texts.len(), any::<bool>()).prop_map(move |(id, text, number)| {
            let id = if number { Value::from(id) } else { Value::from(format!("d{id}")) };
            serde_json::json!({"id": id, "text": texts[text]}).to_string()
        }),
        1 => Just("{not json".to_string()),
        1 => Just(r#"{"text":"no id"}"#.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// dedup never loses a record that is not a duplicate: the feed is the input minus the
    /// lines docs.jsonl calls duplicates, in order.
    #[test]
    fn dedup_never_loses_a_non_duplicate_record(lines in prop::collection::vec(arbitrary_line(), 1..24)) {
        let dir = tempfile::tempdir().unwrap();
        let input = lines.join("\n") + "\n";
        let file = write(dir.path(), "feed.jsonl", input.as_bytes());
        let report = dir.path().join("report");
        let scanned = reprint()
            .args(["scan", file.to_str().unwrap(), "-o", report.to_str().unwrap()])
            .output()
            .unwrap();
        let feed = reprint()
            .args(["dedup", file.to_str().unwrap(), "-o", "-"])
            .output()
            .unwrap();
        if scanned.status.code() == Some(2) {
            // Nothing usable: both refuse, and say so.
            prop_assert_eq!(feed.status.code(), Some(2));
            return Ok(());
        }
        prop_assert!(feed.status.success());
        let statuses: Vec<String> = std::fs::read_to_string(report.join("docs.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["status"].as_str().unwrap().to_string())
            .collect();
        prop_assert_eq!(statuses.len(), lines.len());
        let expected: Vec<&str> = lines
            .iter()
            .zip(&statuses)
            .filter(|(_, status)| *status != "duplicate")
            .map(|(line, _)| line.as_str())
            .collect();
        let written = String::from_utf8(feed.stdout).unwrap();
        prop_assert_eq!(written.lines().collect::<Vec<_>>(), expected);
    }
}

#[test]
fn pairs_and_dedup_do_not_depend_on_the_quality_pass() {
    let run = |args: &[&str]| {
        let output = reprint()
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(output.status.success());
        output.stdout
    };
    let pairs = run(&["pairs", "corpus"]);
    assert_eq!(pairs, run(&["pairs", "corpus", "--no-quality"]));
    // The outlet's three stories share only template lines: no pair between them.
    let text = String::from_utf8(pairs).unwrap();
    assert!(
        !text
            .lines()
            .any(|l| l.contains("\"a\":\"lakeside-ledger") && l.contains("\"b\":\"lakeside-ledger")),
        "{text}"
    );
    assert_eq!(
        run(&["dedup", "corpus", "-o", "-"]),
        run(&["dedup", "corpus", "-o", "-", "--no-quality"])
    );
}

#[test]
fn a_huge_record_is_assessed_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    // Over a megabyte of one paragraph said again and again, then an ordinary record.
    let padded = vec![STORY; 8_000].join("\n\n");
    assert!(padded.len() > 1 << 20);
    let file = write(
        dir.path(),
        "huge.jsonl",
        jsonl(&[("padded", &padded), ("other", OTHER)]).as_bytes(),
    );
    let read = docs(&[&file], &[]);
    assert_eq!(read[0]["status"], "unique");
    let flags = read[0]["quality"]["flags"].as_array().unwrap();
    assert!(
        flags.iter().any(|f| f == "repetitive"),
        "{}",
        read[0]["quality"]
    );
    assert!(read[0]["quality"]["padding"].as_f64().unwrap() >= 1.0);
}

/// Found by the `input_file` fuzz target: under --encoding, records are found again in the
/// decoded text, not by seeking in the file's bytes.
#[test]
fn decoded_records_are_found_again_for_verification() {
    let dir = tempfile::tempdir().unwrap();
    let edited = STORY.replace("six weeks", "seven weeks");
    let records = jsonl(&[("é-a", STORY), ("é-b", &edited), ("c", OTHER)]);
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&records);
    let file = write(dir.path(), "latin.jsonl", &latin);
    let read = docs(&[&file], &["--encoding", "windows-1252"]);
    assert_eq!(field(&read, "id"), ["é-a", "é-b", "c"]);
    assert_eq!(read[1]["status"], "duplicate");
    assert!(read[1]["similarity"].as_f64().unwrap() > 0.5);
}
