//! Compares the two MinHash schemes' estimate error against exact Jaccard on generated
//! article pairs (planted copies and their originals, plus random pairs), at several
//! signature sizes. Run: `cargo run --release --example sketch_error`.

use reprint::candidates::minhash::{MinHashParams, MinHasher, SketchScheme};
use reprint::synth::{Generator, SynthParams};
use reprint::text::normalize::normalize;
use reprint::text::shingle::{ShingleParams, shingle_set};
use reprint::verify::jaccard;

fn main() {
    let docs = 4_000;
    let generator = Generator::new(SynthParams {
        docs,
        seed: 21,
        copy_rate: 0.4,
        ..SynthParams::default()
    })
    .unwrap();
    let shingle = ShingleParams::default();
    let articles: Vec<_> = (0..docs).map(|i| generator.article(i)).collect();
    let sets: Vec<Vec<u64>> = articles
        .iter()
        .map(|(a, _)| shingle_set(&normalize(&a.text), &shingle))
        .collect();
    let mut pairs: Vec<(usize, usize)> = articles
        .iter()
        .enumerate()
        .filter_map(|(i, (_, truth))| truth.parent.as_ref().map(|p| (i, p[4..].parse().unwrap())))
        .collect();
    // Short-document pairs stress densification: keep only the first 60 words of each.
    let short: Vec<Vec<u64>> = articles
        .iter()
        .map(|(a, _)| {
            let head: String = a
                .text
                .split_whitespace()
                .take(60)
                .collect::<Vec<_>>()
                .join(" ");
            shingle_set(&normalize(&head), &shingle)
        })
        .collect();
    pairs.extend((0..500).map(|i| (i, i + 1)));
    println!("{} pairs (planted copies and neighbours)", pairs.len());
    println!(
        "{:<16} {:>6} {:>10} {:>10} {:>12} {:>12}",
        "scheme", "hashes", "MAE", "RMSE", "MAE (short)", "RMSE (short)"
    );
    for hashes in [64, 128, 256] {
        for scheme in [SketchScheme::OnePermutation, SketchScheme::KPermutation] {
            let hasher = MinHasher::new(MinHashParams::new(hashes, 42, scheme).unwrap());
            let (mae, rmse) = errors(&hasher, &sets, &pairs);
            let (short_mae, short_rmse) = errors(&hasher, &short, &pairs);
            println!(
                "{:<16} {:>6} {:>10.4} {:>10.4} {:>12.4} {:>12.4}",
                format!("{scheme:?}"),
                hashes,
                mae,
                rmse,
                short_mae,
                short_rmse
            );
        }
    }
}

fn errors(hasher: &MinHasher, sets: &[Vec<u64>], pairs: &[(usize, usize)]) -> (f64, f64) {
    let signatures: Vec<_> = sets.iter().map(|s| hasher.sketch(s).unwrap()).collect();
    let (mut abs, mut sq) = (0.0, 0.0);
    for &(a, b) in pairs {
        let error = signatures[a].estimate_jaccard(&signatures[b]) - jaccard(&sets[a], &sets[b]);
        abs += error.abs();
        sq += error * error;
    }
    let n = pairs.len() as f64;
    (abs / n, (sq / n).sqrt())
}
