//! Scores `scan` on a generated corpus with known truth: copies with up to 10 % word edits,
//! 40 % of them cut by 20–50 % and 30 % wrapped in outlet lines; paragraph lifts into other
//! articles; unrelated articles as distractors. Prints cluster ARI, pairwise precision and
//! recall, the share of originals picked right, partial lift detection, and recall against
//! exact containment >= 0.5, with and without the passage index.
//! Run: `cargo run --release --example syndication_eval -- [DOCS] [SEED] [WINNOW_WINDOW]`.

use std::io::Write;

use rayon::prelude::*;

use reprint::candidates::winnow::WinnowParams;
use reprint::ingest::{Corpus, InputSpec, parse_record};
use reprint::pipeline::{self, ScanParams, Silent};
use reprint::synth::{ArticleKind, Generator, SynthParams};
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
    let generator = Generator::new(SynthParams {
        docs,
        seed,
        copy_rate: 0.3,
        max_edit_rate: 0.1,
        truncate_rate: 0.4,
        boilerplate_rate: 0.3,
        lift_rate: 0.1,
        ..SynthParams::default()
    })
    .unwrap();
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
        "{docs} generated articles (seed {seed}): {} originals, {} copies ({} cut, {} wrapped), {} lifts; {} pairs with exact containment >= 0.5",
        kinds(ArticleKind::Original),
        kinds(ArticleKind::Copy),
        truths.iter().filter(|t| t.truncated > 0.0).count(),
        truths.iter().filter(|t| t.boilerplate).count(),
        kinds(ArticleKind::Partial),
        containment.len()
    );
    println!(
        "\n{:<28} {:>6} {:>9} {:>9} {:>10} {:>12} {:>12} {:>12}",
        "mode", "ARI", "pair P", "pair R", "originals", "lifts found", "lifts merged", "contain. R"
    );
    let mut jaccard_only = params.clone();
    jaccard_only.winnow = None;
    for (name, params) in [
        ("with the passage index", params),
        ("--jaccard-only", jaccard_only),
    ] {
        let result = pipeline::scan(&corpus, &params, &Silent).unwrap();
        let s: SyndicationScores = score_syndication(&result, &truths, &containment);
        println!(
            "{name:<28} {:>6.4} {:>9.4} {:>9.4} {:>10.4} {:>12.4} {:>12.4} {:>12.4}",
            s.ari,
            s.pair_precision,
            s.pair_recall,
            s.originals_share(),
            s.lift_recall(),
            s.lifts_merged_share(),
            s.containment_recall()
        );
    }
}
