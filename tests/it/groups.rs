//! Large groups of copies cost work and output linear in their size: identical texts are
//! compared through one member, huge band buckets are paired as stars, and only each
//! member's pair with its cluster's original is reported unless every pair is asked for.

use crate::support::{generated_corpus, reprint, scan, write_jsonl};
use reprint::pipeline::{DocStatus, ScanParams, ScanResult};
use reprint::relate::Relation;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

const STORY: &str = "The harbour bridge will close for six weeks from Monday while engineers \
replace corroded cables, the city council said on Tuesday. Ferries will run every twenty \
minutes during the closure and buses will be diverted through the tunnel. Traders on the \
waterfront fear the loss of passing trade in the busiest month of the year, and the chamber \
of commerce has asked for a rates holiday.";

const OTHER: &str = "A rare orchid found growing wild in a railway cutting has been moved to \
the botanic gardens, where keepers hope it will set seed next spring. Volunteers spent three \
nights lifting the plant with its soil, and the rail company paused maintenance work on the \
line while they did so, a spokesman for the gardens said.";

/// `copies` copies of the story, every third re-cased and re-spaced (the same normalized
/// text, other bytes), then `near` copies each with one word of its own, then one unrelated
/// story.
fn groups_corpus(path: &Path, copies: usize, near: usize) {
    let mut records = Vec::new();
    for i in 0..copies {
        let text = if i % 3 == 1 {
            STORY.to_uppercase().replace(". ", ".\n\n")
        } else {
            STORY.to_string()
        };
        records.push((format!("copy-{i:05}"), text));
    }
    let words: Vec<&str> = STORY.split(' ').collect();
    for i in 0..near {
        let mut edited: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        edited[(i * 7) % words.len()] = format!("word{i}");
        records.push((format!("near-{i:05}"), edited.join(" ")));
    }
    records.push(("other".to_string(), OTHER.to_string()));
    write_jsonl(path, &records);
}

fn cluster_sets(result: &ScanResult) -> BTreeSet<Vec<String>> {
    result
        .clusters
        .iter()
        .map(|c| {
            c.members
                .iter()
                .map(|&m| result.id(m).unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_group_of_copies_costs_one_pair_per_member() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.jsonl");
    let (copies, near) = (3_000, 300);
    groups_corpus(&path, copies, near);
    let result = scan(std::slice::from_ref(&path), &ScanParams::default());
    assert_eq!(result.clusters.len(), 1, "one story, one cluster");
    let cluster = &result.clusters[0];
    assert_eq!(cluster.members.len(), copies + near);
    assert_eq!(result.id(cluster.representative), Some("copy-00000"));
    assert_eq!(result.stats.identical, copies - 1);
    // One pair per member, each with the original.
    assert_eq!(result.pairs.len(), copies + near - 1);
    for pair in &result.pairs {
        assert!(
            pair.figures.a == cluster.representative || pair.figures.b == cluster.representative
        );
        assert_eq!(pair.relation(), Relation::Copy);
    }
    // Each member knows its similarity to the original; the identical ones have 1.
    for (i, doc) in result.docs.iter().enumerate() {
        if i as u32 == cluster.representative || doc.id.as_deref() == Some("other") {
            continue;
        }
        assert_eq!(doc.status, DocStatus::Duplicate);
        let similarity = doc
            .similarity
            .unwrap_or_else(|| panic!("{:?} has no pair with the original", doc.id));
        assert_eq!(similarity == 1.0, i < copies, "{:?}", doc.id);
    }
    // A re-cased copy's passage lies at its own offsets, found by verifying it.
    let recased = 1u32;
    let pair = result
        .pairs
        .iter()
        .find(|p| p.figures.b == recased)
        .unwrap();
    let passage = pair.passages.as_ref().unwrap()[0];
    let text = STORY.to_uppercase().replace(". ", ".\n\n");
    assert_eq!(passage.b_end as usize, text.trim_end_matches('.').len());
}

#[test]
fn collapsing_keeps_the_clusters_of_every_pair() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated_corpus(dir.path(), 1_500, 5);
    // Plant identical copies of some generated articles, re-cased, among the others.
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let mut records: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for i in 0..200 {
        let (id, text) = records[i * 7].clone();
        let text = if i % 2 == 0 {
            text.to_lowercase()
        } else {
            text
        };
        records.push((format!("{id}-again-{i}"), text));
    }
    let planted = dir.path().join("planted.jsonl");
    write_jsonl(&planted, &records);
    let default = scan(std::slice::from_ref(&planted), &ScanParams::default());
    let every = scan(
        std::slice::from_ref(&planted),
        &ScanParams {
            all_pairs: true,
            ..ScanParams::default()
        },
    );
    assert!(default.stats.identical >= 200);
    assert_eq!(every.stats.identical, 0);
    // Every cluster found from every pair is within one found by default (which can only
    // gain members: each member's link to the original is verified even when LSH missed it).
    let default_clusters = cluster_sets(&default);
    let every_clusters = cluster_sets(&every);
    let mut gained = 0;
    for cluster in &every_clusters {
        let home = default_clusters
            .iter()
            .find(|c| cluster.iter().all(|m| c.contains(m)));
        assert!(home.is_some(), "{cluster:?} is split by default");
        gained += home.unwrap().len() - cluster.len();
    }
    assert!(
        gained <= every_clusters.len() / 20,
        "{gained} members gained over {} clusters",
        every_clusters.len()
    );
    assert!(default.pairs.len() < every.pairs.len());
    // The partial pairs are the same, and each pair reported by default is one of every
    // pair's, with the same figures.
    let key = |r: &ScanResult, p: &reprint::relate::RelatedPair| {
        (
            r.id(p.figures.a).unwrap().to_string(),
            r.id(p.figures.b).unwrap().to_string(),
        )
    };
    let every_pairs: std::collections::BTreeMap<_, _> =
        every.pairs.iter().map(|p| (key(&every, p), p)).collect();
    for pair in &default.pairs {
        let theirs = every_pairs
            .get(&key(&default, pair))
            .unwrap_or_else(|| panic!("{:?} is not among every pair", key(&default, pair)));
        assert_eq!(pair.relation(), theirs.relation());
        assert!((pair.figures.jaccard - theirs.figures.jaccard).abs() < 1e-12);
        assert_eq!(pair.passages, theirs.passages);
    }
    // Every document in a partial pair is in one by default too (a follower takes over its
    // leader's pairs, not those of the partner's followers).
    let in_partials = |r: &ScanResult| -> BTreeSet<String> {
        r.pairs
            .iter()
            .filter(|p| p.relation() == Relation::Partial)
            .flat_map(|p| [p.figures.a, p.figures.b])
            .map(|d| r.id(d).unwrap().to_string())
            .collect()
    };
    assert_eq!(in_partials(&default), in_partials(&every));
}

#[test]
fn all_pairs_lists_every_pair_of_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.jsonl");
    groups_corpus(&path, 30, 0);
    let output = reprint()
        .args(["pairs", path.to_str().unwrap(), "--all-pairs"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().lines().count(),
        30 * 29 / 2
    );
    let output = reprint()
        .args(["pairs", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().lines().count(),
        29
    );
}

#[test]
fn followers_of_a_member_that_is_not_the_original_take_over_its_pair() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.jsonl");
    // The original is an earlier, slightly different text; the story's copies follow, half
    // of them re-cased (the same bytes as each other, not as the group's leader).
    let mut lines = vec![serde_json::json!({
        "id": "original", "date": "2025-01-01T00:00:00Z",
        "text": STORY.replace("six weeks", "six long weeks"),
    })];
    for i in 0..8 {
        let text = if i % 2 == 0 {
            STORY.to_string()
        } else {
            STORY.to_uppercase()
        };
        lines.push(serde_json::json!({
            "id": format!("copy-{i}"), "date": "2025-01-02T00:00:00Z", "text": text,
        }));
    }
    let mut out = std::fs::File::create(&path).unwrap();
    for line in &lines {
        writeln!(out, "{line}").unwrap();
    }
    drop(out);
    let default = scan(std::slice::from_ref(&path), &ScanParams::default());
    let every = scan(
        std::slice::from_ref(&path),
        &ScanParams {
            all_pairs: true,
            ..ScanParams::default()
        },
    );
    assert_eq!(default.clusters.len(), 1);
    assert_eq!(default.clusters[0].representative, 0);
    assert_eq!(default.stats.identical, 7);
    // Each copy has its pair with the original, with the figures and passages of every pair's.
    assert_eq!(default.pairs.len(), 8);
    for pair in &default.pairs {
        assert_eq!(pair.figures.a, 0);
        let theirs = every
            .pairs
            .iter()
            .find(|p| (p.figures.a, p.figures.b) == (pair.figures.a, pair.figures.b))
            .unwrap();
        assert_eq!(pair.passages, theirs.passages, "{}", pair.figures.b);
        assert_eq!(pair.figures.jaccard, theirs.figures.jaccard);
        assert_eq!(pair.verdict, theirs.verdict);
    }
}
