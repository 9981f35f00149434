//! The command-line contract: outputs, errors and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::reprint;

const STORY: &str = "The river authority said on Monday that the old weir at Hollin Bridge would be removed next summer so that salmon can reach their spawning grounds upstream for the first time in a century.";
const OTHER: &str = "A bakery on the high street has won a national award for its sourdough loaf, which is made with flour milled from wheat grown on a farm less than ten miles away from the shop.";

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

fn record(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "text": text}).to_string()
}

fn docs_of(_dir: &Path, inputs: &[&Path]) -> Vec<Value> {
    crate::support::scan_docs(inputs, &[])
}

#[test]
fn missing_input_is_a_one_line_error_with_exit_code_2() {
    let output = reprint().args(["scan", "no/such/folder"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr, "error: no/such/folder: no such file or directory\n");
}

#[test]
fn bad_parameters_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let feed = write(dir.path(), "feed.jsonl", record("a", STORY).as_bytes());
    let output = reprint()
        .args(["scan", "--threshold", "1.5"])
        .arg(&feed)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: invalid parameter --threshold: must be in (0, 1], got 1.5\n"
    );
}

#[test]
fn bad_records_are_rejected_with_file_and_line_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let mut feed = Vec::new();
    for line in [
        record("a", STORY),
        "{broken".to_string(),
        r#"{"text":"no id here at all in this record"}"#.to_string(),
        record("short", "Too short."),
        record("empty", ""),
        record("a", OTHER),
        String::new(),
        record("b", STORY),
    ] {
        feed.extend_from_slice(line.as_bytes());
        feed.push(b'\n');
    }
    feed.extend_from_slice(b"{\"id\":\"bin\",\"text\":\"caf\xe9\"}\n");
    let path = write(dir.path(), "feed.jsonl", &feed);
    let docs = docs_of(dir.path(), &[&path]);
    let file = path.display().to_string();
    let summary: Vec<(Value, Value, Value)> = docs
        .iter()
        .map(|d| (d["id"].clone(), d["status"].clone(), d["reason"].clone()))
        .collect();
    let reason = |line: usize, text: &str| Value::String(format!("{file}:{line}: {text}"));
    assert_eq!(
        summary,
        vec![
            ("a".into(), "original".into(), Value::Null),
            (
                Value::Null,
                "rejected".into(),
                reason(2, "invalid JSON: key must be a string at line 1 column 2")
            ),
            (
                Value::Null,
                "rejected".into(),
                reason(3, r#"missing field "id"; fields seen: text"#)
            ),
            (
                "short".into(),
                "rejected".into(),
                reason(4, "too short: 2 words, fewer than the shingle size 5")
            ),
            ("empty".into(), "rejected".into(), reason(5, "empty text")),
            (
                "a".into(),
                "rejected".into(),
                reason(6, &format!(r#"duplicate id "a" (first used at {file}:1)"#))
            ),
            ("b".into(), "duplicate".into(), Value::Null),
            (
                Value::Null,
                "rejected".into(),
                reason(
                    9,
                    "invalid UTF-8 at byte 23; if the input is in another encoding, name it with --encoding (for example windows-1252)"
                )
            ),
        ]
    );
    assert_eq!(docs[6]["duplicate_of"], "a");
    assert_eq!(docs[6]["similarity"], 1.0);
    // Rejected records carry no quality, whatever rejected them; the others do.
    for doc in &docs {
        assert_eq!(
            doc["quality"].is_null(),
            doc["status"] == "rejected",
            "{doc}"
        );
    }
}

#[test]
fn docs_and_pairs_have_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let feed = format!(
        "{}\n{}\n{}\n",
        record("x", STORY),
        record("y", OTHER),
        record("z", &format!("{STORY} Officials said work starts in May."))
    );
    let path = write(dir.path(), "feed.jsonl", feed.as_bytes());
    let out = dir.path().join("report");
    reprint()
        .arg("scan")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let docs_with_quality = std::fs::read_to_string(out.join("docs.jsonl")).unwrap();
    // The quality object closes each line; its own fields are checked on their own.
    let mut docs = String::new();
    for line in docs_with_quality.lines() {
        let at = line.find(r#","quality":"#).expect("every line has quality");
        docs.push_str(&line[..at]);
        docs.push_str("}\n");
        let quality: Value = serde_json::from_str(&line[at + 11..line.len() - 1]).unwrap();
        let keys: Vec<&str> = quality
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "boilerplate",
                "evidence",
                "flags",
                "padding",
                "score",
                "stuffing"
            ],
            "{line}"
        );
        // One-sentence records are thin.
        assert_eq!(quality["flags"], json!(["thin_content"]), "{line}");
        assert_eq!(quality["evidence"][0]["signal"], "thin_content", "{line}");
    }
    let file = path.display();
    // z is x plus one sentence: it contains all of x, so it is the likely original.
    assert_eq!(
        docs,
        format!(
            concat!(
                r#"{{"id":"x","cluster":0,"duplicate_of":"z","similarity":0.833333,"status":"duplicate","reason":null,"origin":"{f}:1","source":null,"date":null,"title":null,"tokens":"words","reuses":[{{"id":"z","relation":"copy","share":1.0}}]}}"#,
                "\n",
                r#"{{"id":"y","cluster":null,"duplicate_of":null,"similarity":null,"status":"unique","reason":null,"origin":"{f}:2","source":null,"date":null,"title":null,"tokens":"words","reuses":[]}}"#,
                "\n",
                r#"{{"id":"z","cluster":0,"duplicate_of":null,"similarity":null,"status":"original","reason":null,"origin":"{f}:3","source":null,"date":null,"title":null,"tokens":"words","reuses":[]}}"#,
                "\n"
            ),
            f = file
        )
    );
    let pairs = std::fs::read_to_string(out.join("pairs.jsonl")).unwrap();
    assert_eq!(
        pairs,
        concat!(
            r#"{"a":"x","b":"z","jaccard":0.833333,"containment_ab":1.0,"containment_ba":0.833333,"#,
            r#""relation":"copy","share_a":1.0,"share_b":0.85,"from":"z","#,
            r#""direction":"z is the original of cluster 0: no dates; most complete member: contains on average 1.00 of the other members' text","#,
            r#""reason":"copy: Jaccard 0.833 >= threshold 0.5","#,
            r#""passages":[{"a_start":0,"a_end":187,"b_start":0,"b_end":187,"words":34}]}"#,
            "\n"
        )
    );
    // `reprint pairs` prints the same lines.
    reprint()
        .arg("pairs")
        .arg(&path)
        .assert()
        .success()
        .stdout(pairs);
}

#[test]
fn dedup_writes_records_untouched_minus_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let first = format!(
        r#"{{"id":"x","text":{},"extra":{{"n":1.50,"tags":["a"]}},"date":"2024-01-02"}}"#,
        serde_json::to_string(STORY).unwrap()
    );
    let copy = format!(
        r#"{{"id":"y","text":{},"date":"2024-01-01","source":"Wire"}}"#,
        serde_json::to_string(STORY).unwrap()
    );
    let other = format!(
        r#"{{"text":{}, "id":"z"}}"#,
        serde_json::to_string(OTHER).unwrap()
    );
    let feed = format!("{first}\n{copy}\n{other}\n");
    let path = write(dir.path(), "feed.jsonl", feed.as_bytes());
    let output_path = dir.path().join("deduped.jsonl");
    let output = reprint()
        .arg("dedup")
        .arg(&path)
        .arg("-o")
        .arg(&output_path)
        .output()
        .unwrap();
    assert!(output.status.success());
    // y is dated earlier, so it is the original and x is the duplicate dropped.
    assert_eq!(
        std::fs::read_to_string(&output_path).unwrap(),
        format!("{copy}\n{other}\n")
    );
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "3 records: kept 2 documents; dropped 1 duplicates\n"
    );
}

#[test]
fn folders_gzip_and_stdin_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    write(
        &root,
        "b/story.txt",
        format!("Weir to go\n\n{STORY}").as_bytes(),
    );
    write(
        &root,
        "a/notes.md",
        format!("# Bakery\n\n{OTHER}").as_bytes(),
    );
    write(&root, "ignored.csv", b"x,y");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("{}\n", record("wire-1", STORY)).as_bytes())
        .unwrap();
    write(&root, "c/feed.jsonl.gz", &gz.finish().unwrap());
    let docs = docs_of(dir.path(), &[&root]);
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["a/notes.md", "b/story.txt", "wire-1"]);
    assert_eq!(docs[2]["duplicate_of"], "b/story.txt");

    let stdin = format!("{}\n{}\n", record("s1", STORY), record("s2", STORY));
    let output = reprint()
        .args(["pairs", "-"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert!(output.status.success());
    let line: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (line["a"].as_str(), line["b"].as_str()),
        (Some("s1"), Some("s2"))
    );
}

#[test]
fn renamed_fields_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let feed = format!(
        "{}\n{}\n",
        serde_json::json!({"guid": "p", "body": STORY}),
        serde_json::json!({"guid": "q", "body": STORY})
    );
    let path = write(dir.path(), "feed.jsonl", feed.as_bytes());
    let output = reprint()
        .args(["pairs", "--id-field", "guid", "--text-field", "body"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with(r#"{"a":"p","b":"q","jaccard":1.0"#)
    );
}

#[test]
fn gen_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let truth = dir.path().join(format!("{name}.truth"));
        reprint()
            .args(["gen", "--docs", "300", "--seed", "9", "-o"])
            .arg(&out)
            .arg("--truth")
            .arg(&truth)
            .assert()
            .success();
        (std::fs::read(out).unwrap(), std::fs::read(truth).unwrap())
    };
    let (corpus, truth) = run("a");
    assert_eq!(run("b"), (corpus.clone(), truth.clone()));
    assert_eq!(corpus.iter().filter(|&&b| b == b'\n').count(), 300);
    let truth: Vec<Value> = String::from_utf8(truth)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(truth.len(), 300);
    let copies = truth.iter().filter(|t| !t["parent"].is_null()).count();
    assert!((30..100).contains(&copies), "{copies} planted copies");
}

/// With the transformations added later left off, a seed writes the bytes it wrote before
/// they existed: the golden file was written by the generator of that time.
#[test]
fn gen_without_the_new_transformations_writes_the_old_bytes() {
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/gen-before-transforms.jsonl");
    let output = reprint()
        .args([
            "gen",
            "--docs",
            "40",
            "--seed",
            "5",
            "--copy-rate",
            "0.4",
            "--max-edit-rate",
            "0.1",
            "--truncate-rate",
            "0.5",
            "--boilerplate-rate",
            "0.5",
            "--lift-rate",
            "0.2",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        output.stdout == std::fs::read(golden).unwrap(),
        "the corpus changed"
    );
}

#[test]
fn gen_syndication_labels_every_transformation() {
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth.jsonl");
    reprint()
        .args(["gen", "--docs", "2000", "--syndication", "-o"])
        .arg(dir.path().join("corpus.jsonl"))
        .arg("--truth")
        .arg(&truth)
        .assert()
        .success();
    let truth: Vec<Value> = std::fs::read_to_string(truth)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let copies: Vec<&Value> = truth.iter().filter(|t| t["kind"] == "copy").collect();
    let share = |test: &dyn Fn(&Value) -> bool| {
        copies.iter().filter(|t| test(t)).count() as f64 / copies.len() as f64
    };
    // Each transformation is present at about its rate.
    assert!((0.25..0.35).contains(&(copies.len() as f64 / 2000.0)));
    assert!(share(&|t| t["truncated"].as_f64().unwrap() > 0.5) > 0.05);
    assert!(share(&|t| t["reordered"].as_u64().unwrap() > 0) > 0.1);
    assert!(share(&|t| t["figures_restyled"].as_u64().unwrap() > 0) > 0.3);
    assert!(share(&|t| t["spellings_switched"].as_u64().unwrap() > 0) > 0.2);
    assert!(
        share(&|t| t["sentences_split"].as_u64().unwrap()
            + t["sentences_merged"].as_u64().unwrap()
            > 0)
            > 0.3
    );
    assert!(share(&|t| t["headline"] == "kept") > 0.5);
    assert!(share(&|t| t["boilerplate"] == true) > 0.4);
    assert!(share(&|t| t["edit_rate"].as_f64().unwrap() > 0.1) > 0.2);
    // Options of the preset cannot be given beside it.
    reprint()
        .args(["gen", "--syndication", "--copy-rate", "0.5", "-o", "-"])
        .assert()
        .failure()
        .code(2);
}

/// Words that never repeat, so Jaccard is easy to reason about.
fn distinct_words(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i}")).collect()
}

#[test]
fn an_edit_chain_is_split_and_the_last_version_says_what_it_took() {
    // b replaces the last 15 of a's 60 words, c ten more before those: a~b (41/71) and b~c
    // (42/70) are copies, a~c (31/81, with c's first 35 words a's in order: 0.58 of it) is
    // only partial reuse. a is the earliest, so a's cluster is {a, b}; c is not a copy of a
    // and stays out (no chaining), but lists what it took: b's text and a's passage.
    let a = distinct_words("w", 60);
    let mut b = a.clone();
    b.splice(45.., distinct_words("x", 15));
    let mut c = b.clone();
    c.splice(35..45, distinct_words("y", 10));
    let dir = tempfile::tempdir().unwrap();
    let feed: String = [("a", &a), ("b", &b), ("c", &c)]
        .iter()
        .map(|(id, words)| {
            format!("{}\n", serde_json::json!({"id": id, "text": words.join(" "), "date": format!("2024-01-0{}", id.as_bytes()[0] - b'a' + 1)}))
        })
        .collect();
    let path = write(dir.path(), "feed.jsonl", feed.as_bytes());
    let docs = docs_of(dir.path(), &[&path]);
    let fields: Vec<(Value, Value, Value, Value)> = docs
        .iter()
        .map(|d| {
            (
                d["status"].clone(),
                d["duplicate_of"].clone(),
                d["similarity"].clone(),
                d["reuses"].clone(),
            )
        })
        .collect();
    let round = |x: f64| (x * 1e6).round() / 1e6;
    assert_eq!(
        fields,
        vec![
            ("original".into(), Value::Null, Value::Null, json!([])),
            (
                "duplicate".into(),
                "a".into(),
                round(41.0 / 71.0).into(),
                json!([{"id": "a", "relation": "copy", "share": 0.75}])
            ),
            (
                "unique".into(),
                Value::Null,
                Value::Null,
                json!([
                    {"id": "b", "relation": "copy", "share": round(50.0 / 60.0)},
                    {"id": "a", "relation": "partial", "share": round(35.0 / 60.0)}
                ])
            ),
        ]
    );
}

#[test]
fn explain_names_an_unknown_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "feed.jsonl",
        format!("{}\n", record("x", STORY)).as_bytes(),
    );
    let output = reprint()
        .args(["explain", "x", "nope"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: no document with id \"nope\"\n"
    );
}

#[test]
fn relation_parameters_are_checked() {
    for (flag, value, message) in [
        (
            "--copy-share",
            "1.5",
            "--copy-share: must be in [0, 1], got 1.5",
        ),
        (
            "--partial-words",
            "0",
            "--partial-words: must be at least 1",
        ),
        (
            "--cluster-floor=-0.1",
            "",
            "--cluster-floor: must be in [0, 1], got -0.1",
        ),
        (
            "--winnow-window",
            "1",
            "--winnow-window: must be 2 to 1024, got 1",
        ),
    ] {
        let output = reprint()
            .args(["scan", "corpus", flag])
            .args((!value.is_empty()).then_some(value))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(message), "{flag}: {stderr}");
    }
}

#[test]
fn jaccard_only_misses_the_cut_copy_and_no_passages_drops_passages() {
    let run = |extra: &[&str]| -> Vec<Value> {
        let output = reprint()
            .args(["pairs", "corpus"])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // The copy cut to three of ten paragraphs, against another copy of the same wire story:
    // Jaccard 0.28, where 30 bands of 3 rows propose a pair about half the time.
    let is_cut = |p: &&Value| p["a"] == "tyneside-gazette-port" && p["b"] == "coast-record-port";
    let all_pairs = run(&["--all-pairs"]);
    assert!(
        all_pairs
            .iter()
            .any(|p| is_cut(&p) && p["relation"] == "copy")
    );
    // Jaccard LSH alone does not pair them...
    let jaccard_only = run(&["--jaccard-only", "--all-pairs"]);
    assert!(!jaccard_only.iter().any(|p| is_cut(&p)));
    // ...but the cut copy still joins the cluster through its pair with the wire story, and
    // each member of a cluster is verified against the original.
    let through_cluster = run(&["--jaccard-only"]);
    assert!(through_cluster.iter().any(|p| p["a"] == "wire-port"
        && p["b"] == "coast-record-port"
        && p["relation"] == "copy"));
    // Without passages, pairs that are copies by Jaccard carry none; the others still do.
    for pair in run(&["--no-passages"]) {
        let by_jaccard = pair["jaccard"].as_f64().unwrap() >= 0.5;
        assert_eq!(pair["passages"].is_null(), by_jaccard, "{pair}");
    }
}

/// Three stories of one outlet, each between the same header and footer lines, and a story
/// syndicated to two outlets with its own closing line.
fn outlet_feed() -> String {
    let stories = [
        "The parks committee met on Thursday evening and agreed to plant two hundred oaks along the river meadow this winter.\n\n\
         Volunteers will dig the holes in November, and the county forester offered young trees grown from acorns collected in the old deer park.\n\n\
         Dog walkers asked for the main path to stay open, which the committee promised in writing.",
        "Roadworks on the high street will start after the Easter holiday and last about nine weeks, the highways office said in a letter to traders.\n\n\
         Buses will stop at the station instead of the market square, and deliveries to the shops must arrive before eight in the morning.\n\n\
         The café owners said they would put tables on the green so customers can still sit outside.",
        "The harbour master reported that a seal pup has been resting on the slipway every afternoon since the storm last week.\n\n\
         Visitors have crowded the quay to see it, so the harbour has roped off a corner and asked people to keep their dogs on leads.\n\n\
         A marine rescue volunteer checked the pup on Sunday and said it was healthy and would swim off when it was ready.",
    ];
    let footer = "Support local reporting: become a member of the Tarn Times today.\n\nGot a story? Write to news@tarntimes.example";
    let wire = "The library reopened on Saturday after a year of repairs to its roof and windows, with a queue of readers at the door before nine.\n\n\
        The librarian said the new children's corner has twice as many shelves, and the reading room now has a lift for visitors who cannot use the stairs.\n\n\
        The council paid for most of the work, and a book sale raised the rest.\n\nThis story first ran on Coast Wire.";
    [
        json!({"id": "parks", "title": "Oaks for the meadow", "text": format!("{}\n\n{footer}", stories[0])}),
        json!({"id": "roads", "title": "High street roadworks", "text": format!("{}\n\n{footer}", stories[1])}),
        json!({"id": "harbour", "title": "Seal pup on the slipway", "text": format!("{}\n\n{footer}", stories[2])}),
        json!({"id": "wire", "text": wire}),
        json!({"id": "wire-copy", "text": wire}),
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect()
}

#[test]
fn score_writes_quality_per_record_and_names_template_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "feed.jsonl", outlet_feed().as_bytes());
    let out = dir.path().join("scores.jsonl");
    let assert = reprint()
        .args(["score", path.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.starts_with("5 documents assessed"), "{stderr}");
    assert!(stderr.contains("boilerplate.template"), "{stderr}");
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["parks", "roads", "harbour", "wire", "wire-copy"]);
    for line in &lines[..3] {
        let evidence = &line["quality"]["evidence"][0];
        assert_eq!(evidence["signal"], "boilerplate.template", "{line}");
        assert_eq!(evidence["count"], 3, "{line}");
        assert!(
            line["quality"]["boilerplate"].as_f64().unwrap() > 0.2,
            "{line}"
        );
    }
    // The syndicated closing line recurs in two documents of one cluster: not a template.
    for line in &lines[3..] {
        let signals: Vec<&str> = line["quality"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["signal"].as_str().unwrap())
            .collect();
        assert!(!signals.contains(&"boilerplate.template"), "{line}");
    }
    // stdout without -o, and the minimum is checked.
    let stdout = reprint()
        .args(["score", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(stdout.stdout, std::fs::read(&out).unwrap());
    reprint()
        .args(["score", path.to_str().unwrap(), "--template-min-docs", "1"])
        .assert()
        .code(2);
}

#[test]
fn strip_boilerplate_adds_clean_text_and_leaves_the_record_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "feed.jsonl", outlet_feed().as_bytes());
    let out = dir.path().join("clean.jsonl");
    reprint()
        .args(["dedup", path.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .arg("--strip-boilerplate")
        .assert()
        .success();
    let input: Vec<Value> = outlet_feed()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let written: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // wire-copy is a duplicate of wire and is dropped.
    assert_eq!(written.len(), 4);
    for (record, original) in written.iter().zip(&input) {
        let mut without = record.clone();
        let clean = without
            .as_object_mut()
            .unwrap()
            .remove("clean_text")
            .unwrap();
        assert_eq!(&without, original);
        let clean = clean.as_str().unwrap();
        let story = original["text"].as_str().unwrap();
        assert!(clean.starts_with(&story[..40]), "{clean}");
        assert!(!clean.contains("Support local reporting"), "{clean}");
        assert!(!clean.contains("Got a story"), "{clean}");
        // Paragraph breaks stay.
        assert_eq!(clean.matches("\n\n").count(), 2, "{clean}");
    }
}

const PAGE: &str = "<html><head><title>Weir to go</title></head><body>\
    <nav><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/sport'>Sport</a></nav>\
    <article><h1>Hollin Bridge weir to be removed</h1>\
    <p>The river authority said on Monday that the old weir at Hollin Bridge would be removed next summer so that salmon can reach their spawning grounds upstream for the first time in a century.</p>\
    <p>Anglers have asked for the change for twenty years. The authority said the work would take six weeks and that the footpath beside the river would stay open while it was done.</p>\
    <p>A survey last autumn counted no salmon above the weir, against several hundred in the pools below it, which engineers said showed the fish could not climb the old stone step.</p></article>\
    <footer>Copyright 2025 Dale Gazette. All rights reserved. Privacy policy. Cookie settings.</footer></body></html>";

#[test]
fn html_files_and_html_fields_are_extracted_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pages");
    write(&folder, "weir.html", PAGE.as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(PAGE.as_bytes()).unwrap();
    write(&folder, "weir-again.html.gz", &gz.finish().unwrap());
    let feed = write(
        dir.path(),
        "crawl.jsonl",
        format!(
            "{}\n",
            json!({"id": "crawled", "html": PAGE, "url": "http://x"})
        )
        .as_bytes(),
    );
    let docs = docs_of(dir.path(), &[&folder, &feed]);
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["weir-again.html.gz", "weir.html", "crawled"]);
    // The three are one page: one original and two duplicates.
    let mut statuses: Vec<&str> = docs.iter().map(|d| d["status"].as_str().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, ["duplicate", "duplicate", "original"]);
    for doc in &docs {
        let quality = &doc["quality"];
        let dropped = quality["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["signal"] == "boilerplate.dropped_by_extraction")
            .unwrap_or_else(|| panic!("{doc}"));
        assert!(dropped["value"].as_f64().unwrap() > 0.0, "{doc}");
        assert!(quality["boilerplate"].as_f64().unwrap() > 0.0, "{doc}");
    }
    // The feed written from HTML files carries the extracted text.
    let out = dir.path().join("feed.jsonl");
    reprint()
        .args([
            "dedup",
            folder.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let record: Value =
        serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    let text = record["text"].as_str().unwrap();
    assert!(
        text.contains("salmon can reach their spawning grounds"),
        "{text}"
    );
    assert!(!text.contains("<p>"), "{text}");
    assert!(!text.contains("All rights reserved"), "{text}");
    assert_eq!(record["title"], "Weir to go");
    // A non-string html field is a rejection naming the line.
    let bad = write(
        dir.path(),
        "bad.jsonl",
        format!(
            "{{\"id\":\"b\",\"html\":5}}\n{}\n",
            super::cli::record("fine", STORY)
        )
        .as_bytes(),
    );
    let docs = docs_of(dir.path(), &[&bad]);
    assert_eq!(
        docs[0]["reason"],
        format!(
            "{}:1: field \"html\" must be a string, found a number",
            bad.display()
        )
    );
}

/// `explain --json` says what `pairs.jsonl` says of the same pair.
#[test]
fn explain_json_agrees_with_the_pairs_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    reprint()
        .args(["scan", "--no-report", "--out"])
        .arg(&out)
        .arg(crate::support::sample_corpus())
        .assert()
        .success();
    let pairs = std::fs::read_to_string(out.join("pairs.jsonl")).unwrap();
    let mut checked = 0;
    for line in pairs.lines() {
        let pair: Value = serde_json::from_str(line).unwrap();
        if pair["relation"] != "partial" {
            continue;
        }
        let output = reprint()
            .args(["explain", "--json"])
            .arg(pair["a"].as_str().unwrap())
            .arg(pair["b"].as_str().unwrap())
            .arg(crate::support::sample_corpus())
            .output()
            .unwrap();
        assert!(output.status.success());
        let explained: Value = serde_json::from_slice(&output.stdout).unwrap();
        for field in [
            "relation",
            "reason",
            "jaccard",
            "containment_ab",
            "containment_ba",
            "from",
            "passages",
        ] {
            assert_eq!(explained[field], pair[field], "{field} of {line}");
        }
        checked += 1;
    }
    assert!(checked >= 5, "{checked} partial pairs");
}
