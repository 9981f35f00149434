//! Output does not depend on thread count, and cluster membership not on input order.

use std::collections::BTreeSet;
use std::io::Write;

use reprint::pipeline::{ScanParams, ScanResult};

use crate::support::{generated_corpus, reprint, scan};

fn report_bytes(corpus: &std::path::Path, threads: &str, dir: &std::path::Path) -> Vec<Vec<u8>> {
    let out = dir.join(format!("out-{threads}"));
    reprint()
        .args(["scan", "--threads", threads, "--out"])
        .arg(&out)
        .arg(corpus)
        .assert()
        .success();
    ["docs.jsonl", "pairs.jsonl", "clusters.jsonl"]
        .iter()
        .map(|name| std::fs::read(out.join(name)).unwrap())
        .collect()
}

#[test]
fn reports_are_byte_identical_for_1_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated_corpus(dir.path(), 3000, 5);
    let one = report_bytes(&corpus, "1", dir.path());
    let eight = report_bytes(&corpus, "8", dir.path());
    assert!(one[1].len() > 1000, "the corpus has pairs to compare");
    assert_eq!(one, eight);
}

/// Clusters as sets of member ids, each with its representative.
fn clusters_by_id(result: &ScanResult) -> BTreeSet<(String, BTreeSet<String>)> {
    result
        .clusters
        .iter()
        .map(|c| {
            let members = c
                .members
                .iter()
                .map(|&m| result.id(m).unwrap().to_string())
                .collect();
            (result.id(c.representative).unwrap().to_string(), members)
        })
        .collect()
}

#[test]
fn clusters_do_not_depend_on_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated_corpus(dir.path(), 3000, 6);
    let text = std::fs::read_to_string(&corpus).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // A fixed shuffle: reverse, then interleave halves.
    lines.reverse();
    let (front, back) = lines.split_at(lines.len() / 2);
    let shuffled: Vec<&str> = back.iter().zip(front).flat_map(|(a, b)| [*a, *b]).collect();
    assert_eq!(shuffled.len(), lines.len());
    let shuffled_path = dir.path().join("shuffled.jsonl");
    let mut out = std::fs::File::create(&shuffled_path).unwrap();
    for line in &shuffled {
        writeln!(out, "{line}").unwrap();
    }
    let params = ScanParams::default();
    let original = scan(&[corpus], &params);
    let reordered = scan(&[shuffled_path], &params);
    assert!(original.clusters.len() > 50);
    assert_eq!(clusters_by_id(&original), clusters_by_id(&reordered));
}

#[test]
fn gzip_and_plain_input_give_the_same_results() {
    // The second pass seeks to records in plain files and filters a read-through of
    // compressed ones; both must find the same records.
    let dir = tempfile::tempdir().unwrap();
    let plain = generated_corpus(dir.path(), 2000, 8);
    let gz_path = dir.path().join("corpus.jsonl.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path).unwrap(),
        flate2::Compression::fast(),
    );
    std::io::copy(&mut std::fs::File::open(&plain).unwrap(), &mut encoder).unwrap();
    encoder.finish().unwrap();
    let params = ScanParams {
        all_pairs: true,
        ..ScanParams::default()
    };
    let from_plain = scan(&[plain], &params);
    let from_gz = scan(&[gz_path], &params);
    let pairs = |r: &ScanResult| -> Vec<(u32, u32, f64)> {
        r.pairs
            .iter()
            .map(|p| (p.figures.a, p.figures.b, p.figures.jaccard))
            .collect()
    };
    let above = from_plain
        .pairs
        .iter()
        .filter(|p| p.figures.jaccard >= 0.5)
        .count();
    assert_eq!(above, 100, "the generated corpus has 100 pairs at 0.5");
    assert_eq!(pairs(&from_plain), pairs(&from_gz));
    assert_eq!(clusters_by_id(&from_plain), clusters_by_id(&from_gz));
}
