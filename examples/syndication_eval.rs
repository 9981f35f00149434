//! Scores `scan` on a generated corpus with known truth and prints cluster ARI, pairwise
//! precision and recall, the share of originals picked right, partial lift detection,
//! distractors merged, and recall against exact containment >= 0.5, with and without the
//! passage index; then, for the default mode, copy recall by stratum (edit rate, truncation,
//! reordering, restyling, templates, headline, Jaccard to the original).
//!
//! Two corpora: `classic` (the default: copies with up to 10 % word edits, 40 % of them cut by
//! 20–50 % and 30 % wrapped in fixed outlet lines, 10 % of originals lifting paragraphs), and
//! `syndication` (`SynthParams::syndication`: every transformation of `reprint gen
//! --syndication` at its realistic rate).
//! Run: `cargo run --release --example syndication_eval -- [DOCS] [SEED] [WINNOW_WINDOW]
//! [classic|syndication]`.

use std::io::Write;

use rayon::prelude::*;

use reprint::candidates::winnow::WinnowParams;
use reprint::ingest::{Corpus, InputSpec, parse_record};
use reprint::pipeline::{self, ScanParams, Silent};
use reprint::synth::{ArticleKind, ArticleTruth, Generator, SynthParams};
use reprint::testing::eval::{SyndicationScores, score_syndication};
use reprint::testing::exact::exact_containment_pairs;
use reprint::text::normalize::normalize;
use reprint::text::shingle::shingle_set;

fn main() {
    let mut args = std::env::args().skip(1);
    let docs: usize = args.next().map_or(20_000, |a| a.parse().expect("DOCS"));
    let seed: u64 = args.next().map_or(3, |a| a.parse().expect("SEED"));
    let window: usize = args.next().map_or(WinnowParams::default().window(), |a| {
        a.parse().expect("WINDOW")
    });
    let preset = args.next().unwrap_or_else(|| "classic".to_string());
    let synth = match preset.as_str() {
        "classic" => SynthParams::classic(docs, seed),
        "syndication" => SynthParams::syndication(docs, seed),
        other => panic!("unknown corpus {other:?}: classic or syndication"),
    };
    let generator = Generator::new(synth).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        reprint::report::write_generated(&generator, &mut out, None, 0).unwrap();
        out.flush().unwrap();
    }
    let truths: Vec<_> = (0..docs).map(|i| generator.article(i).1).collect();
    let corpus = Corpus::open(&[InputSpec::Path(path.clone())]).unwrap();

    let mut texts = Vec::with_capacity(docs);
    corpus
        .for_each_batch(8 << 20, |batch| {
            for raw in batch {
                texts.push(parse_record(&raw, &Default::default()).unwrap().text);
            }
            Ok(())
        })
        .unwrap();
    let mut params = ScanParams::default();
    let defaults = WinnowParams::default();
    params.winnow =
        Some(WinnowParams::new(window, defaults.min_shared(), defaults.max_postings()).unwrap());
    let sets: Vec<Vec<u64>> = texts
        .par_iter()
        .map(|t| shingle_set(&normalize(t), &params.shingle))
        .collect();
    let containment = exact_containment_pairs(&sets, 0.5);

    let kinds = |kind: ArticleKind| truths.iter().filter(|t| t.kind == kind).count();
    println!(
        "{docs} generated articles ({preset}, seed {seed}): {} originals, {} copies ({} cut, {} wrapped), {} lifts; {} pairs with exact containment >= 0.5",
        kinds(ArticleKind::Original),
        kinds(ArticleKind::Copy),
        truths.iter().filter(|t| t.truncated > 0.0).count(),
        truths.iter().filter(|t| t.boilerplate).count(),
        kinds(ArticleKind::Partial),
        containment.len()
    );
    println!(
        "\n{:<28} {:>6} {:>9} {:>9} {:>10} {:>12} {:>12} {:>12} {:>12}",
        "mode",
        "ARI",
        "pair P",
        "pair R",
        "originals",
        "lifts found",
        "lifts merged",
        "distr. merged",
        "contain. R"
    );
    let mut strata = None;
    let mut jaccard_only = params.clone();
    jaccard_only.winnow = None;
    for (name, params) in [
        ("with the passage index", params),
        ("--jaccard-only", jaccard_only),
    ] {
        let result = pipeline::scan(&corpus, &params, &Silent).unwrap();
        let s: SyndicationScores = score_syndication(&result, &truths, &containment);
        println!(
            "{name:<28} {:>6.4} {:>9.4} {:>9.4} {:>10.4} {:>12.4} {:>12.4} {:>12.4} {:>12.4}",
            s.ari,
            s.pair_precision,
            s.pair_recall,
            s.originals_share(),
            s.lift_recall(),
            s.lifts_merged_share(),
            s.distractors_merged_share(),
            s.containment_recall()
        );
        strata.get_or_insert(s.copies_found);
    }
    print_strata(&truths, &sets, &strata.unwrap_or_default());
}

/// Copy recall (a copy in its original's cluster) by stratum, for the first mode.
fn print_strata(truths: &[ArticleTruth], sets: &[Vec<u64>], copies: &[(usize, bool)]) {
    let jaccard = |a: &[u64], b: &[u64]| {
        let shared = reprint::text::sets::intersection_size(a, b);
        shared as f64 / (a.len() + b.len() - shared).max(1) as f64
    };
    let parent = |doc: usize| -> usize { truths[doc].cluster[4..].parse().unwrap() };
    type Stratum = (&'static str, fn(&ArticleTruth, f64, usize) -> bool);
    let strata: [Stratum; 20] = [
        ("edit rate < 3 %", |t, _, _| t.edit_rate < 0.03),
        ("edit rate 3-7 %", |t, _, _| {
            (0.03..0.07).contains(&t.edit_rate)
        }),
        ("edit rate 7-11 %", |t, _, _| {
            (0.07..0.11).contains(&t.edit_rate)
        }),
        ("edit rate >= 11 %", |t, _, _| t.edit_rate >= 0.11),
        ("not cut", |t, _, _| t.truncated == 0.0),
        ("cut <= 30 %", |t, _, _| {
            t.truncated > 0.0 && t.truncated <= 0.3
        }),
        ("cut 30-50 %", |t, _, _| {
            t.truncated > 0.3 && t.truncated <= 0.5
        }),
        ("cut > 50 %", |t, _, _| t.truncated > 0.5),
        ("reordered", |t, _, _| t.reordered > 0),
        ("figures restyled", |t, _, _| t.figures_restyled > 0),
        ("spellings switched", |t, _, _| t.spellings_switched > 0),
        ("sentences split/merged", |t, _, _| {
            t.sentences_split + t.sentences_merged > 0
        }),
        ("in an outlet template", |t, _, _| t.boilerplate),
        ("Jaccard < 0.3", |_, j, _| j < 0.3),
        ("Jaccard 0.3-0.5", |_, j, _| (0.3..0.5).contains(&j)),
        ("Jaccard 0.5-0.7", |_, j, _| (0.5..0.7).contains(&j)),
        ("Jaccard >= 0.7", |_, j, _| j >= 0.7),
        ("copy < 150 words", |_, _, n| n < 150),
        ("copy 150-400 words", |_, _, n| (150..400).contains(&n)),
        ("copy >= 400 words", |_, _, n| n >= 400),
    ];
    let jaccards: Vec<f64> = copies
        .iter()
        .map(|&(doc, _)| jaccard(&sets[doc], &sets[parent(doc)]))
        .collect();
    println!("\ncopy recall by stratum (with the passage index): stratum, copies, found, recall");
    for (name, test) in strata {
        let (mut total, mut found) = (0, 0);
        for (&(doc, hit), &j) in copies.iter().zip(&jaccards) {
            // A text of n words has n - 4 five-word shingles, repeats aside.
            if test(&truths[doc], j, sets[doc].len() + 4) {
                total += 1;
                found += usize::from(hit);
            }
        }
        println!(
            "  {name:<24} {total:>7} {found:>7} {:>8.4}",
            found as f64 / total.max(1) as f64
        );
    }
    let found = copies.iter().filter(|c| c.1).count();
    println!(
        "  {:<24} {:>7} {found:>7} {:>8.4}",
        "all copies",
        copies.len(),
        found as f64 / copies.len().max(1) as f64
    );
}
