//! Recall and precision of `reprint pairs` against an exact all-pairs join.

use std::collections::BTreeSet;

use reprint::ingest::{Corpus, InputSpec, parse_record};
use reprint::pipeline::ScanParams;
use reprint::testing::exact::exact_pairs;
use reprint::text::normalize::normalize;
use reprint::text::shingle::shingle_set;

use crate::support::{generated_corpus, scan};

/// Exact pairs by id, computed without MinHash or LSH.
fn exact_pairs_by_id(path: &std::path::Path, params: &ScanParams) -> BTreeSet<(String, String)> {
    let corpus = Corpus::open(&[InputSpec::Path(path.to_path_buf())]).unwrap();
    let mut ids = Vec::new();
    let mut sets = Vec::new();
    corpus
        .for_each_batch(1 << 20, |batch| {
            for raw in batch {
                let doc = parse_record(&raw, &params.read).unwrap();
                sets.push(shingle_set(&normalize(&doc.text), &params.shingle));
                ids.push(doc.id);
            }
            Ok(())
        })
        .unwrap();
    exact_pairs(&sets, params.threshold)
        .into_iter()
        .map(|p| (ids[p.a as usize].clone(), ids[p.b as usize].clone()))
        .collect()
}

#[test]
fn recall_and_precision_against_exact_join_on_20k_generated_articles() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated_corpus(dir.path(), 20_000, 11);
    // Every pair, as the exact join lists every pair.
    let params = ScanParams {
        all_pairs: true,
        ..ScanParams::default()
    };
    let truth = exact_pairs_by_id(&path, &params);
    let result = scan(&[path], &params);
    let found: BTreeSet<(String, String)> = result
        .pairs
        .iter()
        .filter(|p| p.figures.jaccard >= params.threshold)
        .map(|p| {
            (
                result.id(p.figures.a).unwrap().to_string(),
                result.id(p.figures.b).unwrap().to_string(),
            )
        })
        .collect();
    let hits = found.intersection(&truth).count();
    let recall = hits as f64 / truth.len() as f64;
    let precision = hits as f64 / found.len() as f64;
    println!(
        "20,000 articles, threshold 0.5: {} exact pairs, {} reported, recall {recall:.4}, precision {precision:.4}, {} candidates",
        truth.len(),
        found.len(),
        result.stats.candidates
    );
    assert!(
        truth.len() > 500,
        "the generated corpus plants enough pairs: {}",
        truth.len()
    );
    assert!(recall >= 0.99, "recall {recall}");
    assert_eq!(precision, 1.0);
}

/// Copy clusters, originals, partial lifts and containment recall on generated articles with
/// edited, cut and wrapped copies and paragraph lifts (the targets; the full-size run
/// is `cargo run --release --example syndication_eval`).
#[test]
fn syndication_targets_on_generated_articles() {
    use rayon::prelude::*;
    use reprint::synth::{Generator, SynthParams};
    use reprint::testing::eval::score_syndication;
    use reprint::testing::exact::exact_containment_pairs;

    let docs = 6_000;
    let generator = Generator::new(SynthParams::classic(docs, 21)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    crate::support::write_generated_corpus(&path, &generator);
    let truths: Vec<_> = (0..docs).map(|i| generator.article(i).1).collect();
    let params = ScanParams::default();
    let sets: Vec<Vec<u64>> = (0..docs)
        .into_par_iter()
        .map(|i| shingle_set(&normalize(&generator.article(i).0.text), &params.shingle))
        .collect();
    let containment = exact_containment_pairs(&sets, 0.5);
    let result = scan(&[path], &params);
    let s = score_syndication(&result, &truths, &containment);
    println!("{s:?}");
    assert!(s.lifts > 300 && s.groups > 1000, "{s:?}");
    assert!(s.ari >= 0.95, "ARI {}", s.ari);
    assert!(
        s.originals_share() >= 0.95,
        "originals {}",
        s.originals_share()
    );
    assert!(s.lift_recall() >= 0.9, "lift recall {}", s.lift_recall());
    assert!(
        s.lifts_merged_share() <= 0.02,
        "lifts merged {}",
        s.lifts_merged_share()
    );
    assert!(
        s.containment_recall() >= 0.95,
        "containment recall {}",
        s.containment_recall()
    );
}

/// The syndication corpus (every transformation of `reprint gen --syndication`: dense edits,
/// cuts to 30 %, moved paragraphs, restyled figures and spellings, outlet templates) at a
/// size the suite can afford. With dates, the original is the earliest. Without them it is
/// the most complete text, which a cut copy is not: every copy cut, half of them reordered.
/// (An uncut copy is as complete as its original, so undated, nothing tells them apart.)
#[test]
fn copies_survive_what_papers_do_to_wire_copy() {
    use reprint::synth::{Generator, SynthParams};
    use reprint::testing::eval::score_syndication;

    let docs = 4_000;
    let dir = tempfile::tempdir().unwrap();
    let dated = Generator::new(SynthParams::syndication(docs, 8)).unwrap();
    let cut = Generator::new(SynthParams {
        truncate_rate: 1.0,
        reorder_rate: 0.5,
        ..SynthParams::syndication(docs, 8)
    })
    .unwrap();
    let dated_path = dir.path().join("dated.jsonl");
    crate::support::write_generated_corpus(&dated_path, &dated);
    let undated_path = dir.path().join("undated-cut.jsonl");
    let records: Vec<(String, String)> = (0..docs)
        .map(|i| {
            let article = cut.article(i).0;
            (article.id, article.text)
        })
        .collect();
    crate::support::write_jsonl(&undated_path, &records);
    for (generator, path) in [(dated, dated_path), (cut, undated_path)] {
        let truths: Vec<_> = (0..docs).map(|i| generator.article(i).1).collect();
        let result = scan(std::slice::from_ref(&path), &ScanParams::default());
        let s = score_syndication(&result, &truths, &[]);
        let found = s.copies_found.iter().filter(|c| c.1).count();
        println!(
            "{}: ARI {} P {} R {} originals {} copies found {found} of {}",
            path.display(),
            s.ari,
            s.pair_precision,
            s.pair_recall,
            s.originals_share(),
            s.copies_found.len()
        );
        assert!(s.groups > 500, "{s:?}");
        assert!(s.ari >= 0.98, "ARI {}", s.ari);
        assert!(s.pair_precision >= 0.99, "precision {}", s.pair_precision);
        assert!(s.pair_recall >= 0.98, "recall {}", s.pair_recall);
        assert!(
            s.originals_share() >= 0.98,
            "originals {}",
            s.originals_share()
        );
        assert!(found as f64 >= 0.98 * s.copies_found.len() as f64);
    }
}
