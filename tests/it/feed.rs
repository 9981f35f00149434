//! Feed mode (`reprint index`): the relations an index stores equal those of one scan of the
//! whole corpus however it was cut into batches; a killed `add` leaves whole batches and a
//! re-run ends where an uninterrupted run ends; bad input, other parameters and a read-only
//! index are refused clearly without harm to the index.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{reprint, sample_corpus, write_jsonl};
use serde_json::Value;

type RelationSet = BTreeSet<(String, String, String)>;

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `reprint pairs --all-pairs`: every copy and partial pair, unordered.
fn scan_relations(corpus: &Path) -> RelationSet {
    let out = reprint()
        .args(["pairs", "--all-pairs"])
        .arg(corpus)
        .output()
        .unwrap();
    assert!(out.status.success());
    lines(&out.stdout)
        .iter()
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            (
                a.min(b).to_string(),
                a.max(b).to_string(),
                p["relation"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn add(db: &Path, corpus: &Path, batch: usize) -> Vec<Value> {
    let out = reprint()
        .args(["index", "add"])
        .arg(db)
        .arg(corpus)
        .args(["--batch", &batch.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout)
}

fn query(db: &Path, corpus: &Path) -> Vec<u8> {
    let out = reprint()
        .args(["index", "query"])
        .arg(db)
        .arg(corpus)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn stats(db: &Path) -> Value {
    let out = reprint().args(["index", "stats"]).arg(db).output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(db: &Path) {
    let out = reprint().args(["index", "check"]).arg(db).output().unwrap();
    assert!(
        out.status.success(),
        "index check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every relation the index holds: a query of the corpus reports, for each record already
/// indexed, its stored relations with earlier documents.
fn index_relations(db: &Path, corpus: &Path) -> RelationSet {
    let mut set = RelationSet::new();
    for line in lines(&query(db, corpus)) {
        if line["status"] == "rejected" {
            continue;
        }
        assert_eq!(line["status"], "already_indexed", "{line}");
        let id = line["id"].as_str().unwrap();
        for r in line["relations"].as_array().unwrap() {
            let other = r["id"].as_str().unwrap();
            set.insert((
                id.min(other).to_string(),
                id.max(other).to_string(),
                r["relation"].as_str().unwrap().to_string(),
            ));
        }
    }
    set
}

/// Adds `corpus` in batches of each size and compares the stored relations with a scan's.
fn assert_equivalent(corpus: &Path, records: usize) {
    let expected = scan_relations(corpus);
    assert!(!expected.is_empty());
    for batches in [1, 4, 16] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("feed.redb");
        add(&db, corpus, records.div_ceil(batches));
        check(&db);
        let found = index_relations(&db, corpus);
        let missing: Vec<_> = expected.difference(&found).take(5).collect();
        let extra: Vec<_> = found.difference(&expected).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{batches} batches: {} pairs missing (e.g. {missing:?}), {} extra (e.g. {extra:?})",
            expected.difference(&found).count(),
            found.difference(&expected).count()
        );
    }
}

#[test]
fn relations_equal_one_scan_of_the_sample_corpus_in_1_4_or_16_batches() {
    let records = std::fs::read_to_string(sample_corpus().join("news.jsonl"))
        .unwrap()
        .lines()
        .count()
        + std::fs::read_dir(sample_corpus().join("articles"))
            .unwrap()
            .count();
    // The sample corpus is one folder: its files are read in a fixed order.
    assert_equivalent(&sample_corpus(), records);
}

fn syndication_corpus(dir: &Path, docs: usize) -> PathBuf {
    let path = dir.join("syndication.jsonl");
    reprint()
        .args([
            "gen",
            "--syndication",
            "--seed",
            "3",
            "--docs",
            &docs.to_string(),
        ])
        .arg("-o")
        .arg(&path)
        .assert()
        .success();
    path
}

#[test]
fn relations_equal_one_scan_of_20000_generated_articles_in_1_4_or_16_batches() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = syndication_corpus(dir.path(), 20_000);
    assert_equivalent(&corpus, 20_000);
}

#[test]
fn a_record_sent_again_is_skipped_and_an_id_with_another_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.redb");
    let first = add(&db, &sample_corpus(), 10);
    let before = stats(&db);
    let again = add(&db, &sample_corpus(), 10);
    assert_eq!(first.len(), again.len());
    for (a, b) in first.iter().zip(&again) {
        match a["status"].as_str().unwrap() {
            "rejected" => assert_eq!(b["status"], "rejected"),
            _ => {
                assert_eq!(b["status"], "already_indexed", "{b}");
                // The stored relations are the ones first reported, without passages.
                let ids = |l: &Value| -> Vec<String> {
                    l["relations"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["id"].as_str().unwrap().to_string())
                        .collect()
                };
                assert_eq!(ids(a), ids(b));
                assert_eq!(a["duplicate_of"], b["duplicate_of"]);
            }
        }
    }
    assert_eq!(stats(&db), before);

    let changed = dir.path().join("changed.jsonl");
    let first_id = first[0]["id"].as_str().unwrap().to_string();
    write_jsonl(
        &changed,
        &[(
            first_id.clone(),
            "A different text under an id the index already holds, long enough to be read."
                .to_string(),
        )],
    );
    let refused = add(&db, &changed, 10);
    assert_eq!(refused[0]["status"], "rejected");
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(reason.contains("changed.jsonl:1"), "{reason}");
    assert!(reason.contains("already indexed"), "{reason}");
    assert_eq!(stats(&db), before);
    check(&db);
}

/// `add` reads each batch while the one before is being written, so a batch is sorted out
/// against the index before its predecessor is committed, and again after: an id of the
/// batch before is already indexed (same text) or refused (another text), exactly as when
/// the batches are added one command at a time.
#[test]
fn an_id_of_the_batch_before_is_already_indexed_or_refused_while_that_batch_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let story = |n: usize| {
        format!(
            "Story number {n} tells of a harbour town where the ferry {n} left late, the \
             market opened early and the council met to talk about bridges and boats."
        )
    };
    let records: Vec<(String, String)> = vec![
        ("a".into(), story(1)),
        ("b".into(), story(2)),
        ("a".into(), story(1)),
        ("c".into(), story(3)),
        ("a".into(), story(4)),
        ("d".into(), story(5)),
    ];
    let corpus = dir.path().join("repeats.jsonl");
    write_jsonl(&corpus, &records);
    let db = dir.path().join("feed.redb");
    let lines = add(&db, &corpus, 2);
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses[2], "already_indexed", "{:?}", lines[2]);
    assert_eq!(lines[2]["id"], "a");
    assert_eq!(statuses[4], "rejected", "{:?}", lines[4]);
    let reason = lines[4]["reason"].as_str().unwrap();
    assert!(reason.contains("repeats.jsonl:5"), "{reason}");
    assert!(reason.contains("already indexed"), "{reason}");
    for at in [0, 1, 3, 5] {
        assert_ne!(statuses[at], "rejected", "{:?}", lines[at]);
        assert_ne!(statuses[at], "already_indexed", "{:?}", lines[at]);
    }
    assert_eq!(stats(&db)["documents"], 4);
    check(&db);
}

#[test]
fn bad_records_are_rejected_with_file_and_line_and_the_rest_are_added() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.redb");
    let input = dir.path().join("mixed.jsonl");
    let good = "The harbour board approved the dredging plan on Tuesday after a debate that ran \
                late into the evening, with fishermen arguing for a delay.";
    std::fs::write(
        &input,
        format!(
            "{}\n{{\"id\": \"broken\", \"text\": \n{}\n",
            serde_json::json!({"id": "good-1", "text": good}),
            serde_json::json!({"id": "good-2", "text": format!("{good} The vote was close.")}),
        ),
    )
    .unwrap();
    let out = add(&db, &input, 10);
    assert_eq!(out.len(), 3, "every record is accounted for");
    assert_eq!(out[1]["status"], "rejected");
    assert!(
        out[1]["reason"].as_str().unwrap().contains("mixed.jsonl:2"),
        "{}",
        out[1]
    );
    assert_eq!(stats(&db)["documents"], 2);
    assert_eq!(out[2]["relations"][0]["id"], "good-1");
    check(&db);
}

#[test]
fn other_parameters_are_refused_and_a_query_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.redb");
    add(&db, &sample_corpus(), 100);
    let before = stats(&db);
    let out = reprint()
        .args(["index", "add", "--shingle", "4"])
        .arg(&db)
        .arg(sample_corpus())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("shingle is Words(5) in the index, Words(4) here"),
        "{message}"
    );
    let queried = query(&db, &sample_corpus());
    assert!(!queried.is_empty());
    assert_eq!(stats(&db), before);
}

#[test]
fn a_read_only_index_is_a_clear_error_and_stays_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.redb");
    let corpus = dir.path().join("one.jsonl");
    write_jsonl(
        &corpus,
        &[(
            "late".to_string(),
            "A late story about the ferry timetable that changes again next week.".to_string(),
        )],
    );
    add(&db, &sample_corpus(), 100);
    let before = stats(&db);
    let mut permissions = std::fs::metadata(&db).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&db, permissions.clone()).unwrap();
    let out = reprint()
        .args(["index", "add"])
        .arg(&db)
        .arg(&corpus)
        .output()
        .unwrap();
    // Root may write to a read-only file; then the add simply succeeds.
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(2));
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(message.contains("feed.redb"), "{message}");
        assert_eq!(stats(&db), before);
    }
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&db, permissions).unwrap();
    check(&db);
}

#[test]
fn expire_drops_old_documents_their_postings_and_relations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feed.redb");
    add(&db, &sample_corpus(), 100);
    let before = stats(&db);
    let cutoff = "2025-09-01";
    let out = reprint()
        .args(["index", "expire"])
        .arg(&db)
        .args(["--before", cutoff])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(&db);
    let after = stats(&db);
    let (docs_before, docs_after) = (
        before["documents"].as_u64().unwrap(),
        after["documents"].as_u64().unwrap(),
    );
    assert!(docs_after < docs_before, "{before} -> {after}");
    assert!(after["bytes_on_disk"].as_u64() < before["bytes_on_disk"].as_u64());
    assert!(after["first_date"].as_str().unwrap() >= cutoff);
    // No remaining document relates to an expired one: every relation names a document
    // still indexed, and the expired ones are new again to a query.
    let queried = lines(&query(&db, &sample_corpus()));
    let still: BTreeSet<&str> = queried
        .iter()
        .filter(|l| l["status"] == "already_indexed")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(still.len() as u64, docs_after);
    for line in queried.iter().filter(|l| l["status"] == "already_indexed") {
        for r in line["relations"].as_array().unwrap() {
            assert!(still.contains(r["id"].as_str().unwrap()), "{line}");
        }
    }
}

/// A deterministic sequence of pseudo-random numbers (SplitMix64).
struct Moments(u64);

impl Moments {
    fn next_below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound.max(1)
    }
}

/// The crash harness: `index add` killed with SIGKILL at random moments. After each kill the
/// index is sound, holds whole batches only (the first records of the input, in order, as a
/// query shows), and a final re-run ends byte for byte where an uninterrupted run ends.
/// `REPRINT_CRASH_DOCS` and `REPRINT_CRASH_KILLS` set its size (CI: 3,000 articles, 8 kills;
/// the full run: 200,000 and 50, see README).
#[test]
fn a_killed_add_keeps_whole_batches_and_a_re_run_ends_where_an_uninterrupted_run_ends() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let docs = env("REPRINT_CRASH_DOCS", 3_000);
    let kills = env("REPRINT_CRASH_KILLS", 8);
    let batch = (docs / 20).max(1);
    let dir = tempfile::tempdir().unwrap();
    let corpus = syndication_corpus(dir.path(), docs);
    let ids: Vec<String> = std::fs::read_to_string(&corpus)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();

    let whole = dir.path().join("whole.redb");
    let started = std::time::Instant::now();
    add(&whole, &corpus, batch);
    let run_time = started.elapsed();

    let killed = dir.path().join("killed.redb");
    let nothing = dir.path().join("nothing.jsonl");
    std::fs::write(&nothing, "").unwrap();
    let mut moments = Moments(15);
    let mut previous = 0u64;
    let mut finished_early = 0;
    for _ in 0..kills {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("reprint"))
            .args(["index", "add"])
            .arg(&killed)
            .arg(&corpus)
            .args(["--batch", &batch.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A moment within what is left to add (a re-run skips the indexed records quickly), so
        // that kills land in the middle of the work rather than after it.
        let whole_ms = run_time.as_millis() as u64;
        let left = whole_ms * (docs as u64 - previous) / docs as u64 + whole_ms / 20;
        std::thread::sleep(Duration::from_millis(moments.next_below(left.max(10))));
        if killed.exists() {
            // Beside the writer: a reader sees whole batches, and a second writer is refused.
            let seen = reprint()
                .args(["index", "stats"])
                .arg(&killed)
                .output()
                .unwrap();
            if seen.status.success() {
                let documents = serde_json::from_slice::<Value>(&seen.stdout).unwrap()["documents"]
                    .as_u64()
                    .unwrap();
                assert!(documents.is_multiple_of(batch as u64) || documents == docs as u64);
            }
            // With no records: should it get the file first, it changes nothing.
            let second = reprint()
                .args(["index", "add"])
                .arg(&killed)
                .arg(&nothing)
                .output()
                .unwrap();
            if !second.status.success() {
                let message = String::from_utf8_lossy(&second.stderr);
                assert!(message.contains("another reprint process"), "{message}");
            }
        }
        // SIGKILL: no destructor, no flush, no commit of the batch at work.
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            finished_early += 1;
        }
        check(&killed);
        let documents = if killed.exists() {
            stats(&killed)["documents"].as_u64().unwrap()
        } else {
            0
        };
        assert!(
            documents.is_multiple_of(batch as u64) || documents == docs as u64,
            "{documents} documents: not whole batches of {batch}"
        );
        assert!(documents >= previous, "committed batches were lost");
        previous = documents;
        if killed.exists() {
            // Exactly the first `documents` records are indexed.
            let queried = lines(&query(&killed, &corpus));
            for (at, (line, id)) in queried.iter().zip(&ids).enumerate() {
                assert_eq!(line["id"].as_str().unwrap(), id);
                let indexed = line["status"] == "already_indexed";
                assert_eq!(indexed, (at as u64) < documents, "record {at}: {line}");
            }
        }
    }
    assert!(
        finished_early < kills,
        "every run finished before its kill: the harness killed nothing"
    );
    eprintln!(
        "{kills} kills over {docs} articles in batches of {batch}: {} landed while adding, \
         {previous} documents committed before the final run",
        kills - finished_early
    );
    add(&killed, &corpus, batch);
    check(&killed);
    assert_eq!(stats(&killed), stats(&whole));
    assert_eq!(query(&killed, &corpus), query(&whole, &corpus));
}
