//! Measures the signals that separate copies from partial reuse on generated data with known
//! truth: for each planted kind, the exact Jaccard and the shape of the aligned passages (the
//! in-order share of the shorter text, the share of the shorter text, the longest passage),
//! and how the default decision rule classifies each kind. These figures are what the
//! copy/partial defaults are chosen from.
//! Run: `cargo run --release --example relation_stats`.

use reprint::relate::relation::{Overlap, Relation, RelationParams, decide};
use reprint::synth::{ArticleKind, Generator, SynthParams};
use reprint::text::normalize::normalize;
use reprint::text::shingle::{ShingleParams, shingle_set};
use reprint::verify::align::{AlignParams, align};
use reprint::verify::verify_pair;

/// Reads one figure of a measured pair.
type Column = fn(&Measured) -> f64;

struct Measured {
    jaccard: f64,
    overlap: Overlap,
}

fn measure(a: &str, b: &str) -> Measured {
    let (na, nb) = (normalize(a), normalize(b));
    let params = ShingleParams::default();
    let figures = verify_pair(0, 1, &shingle_set(&na, &params), &shingle_set(&nb, &params));
    let passages = align(&na, &nb, &AlignParams::default());
    Measured {
        jaccard: figures.jaccard,
        overlap: Overlap::new((na.words.len() as u32, nb.words.len() as u32), &passages),
    }
}

fn quantiles(mut values: Vec<f64>) -> String {
    if values.is_empty() {
        return "-".to_string();
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0]
        .iter()
        .map(|&q| format!("{:.2}", at(q)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let docs = 20_000;
    let generator = Generator::new(SynthParams {
        docs,
        seed: 5,
        copy_rate: 0.3,
        max_edit_rate: 0.1,
        truncate_rate: 0.4,
        boilerplate_rate: 0.4,
        lift_rate: 0.15,
        ..SynthParams::default()
    })
    .unwrap();
    let articles: Vec<_> = (0..docs).map(|i| generator.article(i)).collect();
    let mut groups: Vec<(&str, Vec<Measured>)> = vec![
        ("copy, edited only", Vec::new()),
        ("copy, truncated", Vec::new()),
        ("copy, with outlet lines", Vec::new()),
        ("partial lift", Vec::new()),
        ("unrelated neighbours", Vec::new()),
    ];
    for (i, (article, truth)) in articles.iter().enumerate() {
        if let Some(parent) = &truth.parent {
            let parent: usize = parent[4..].parse().unwrap();
            let group = match (truth.kind, truth.truncated > 0.0, truth.boilerplate) {
                (ArticleKind::Partial, _, _) => 3,
                (_, true, _) => 1,
                (_, false, true) => 2,
                _ => 0,
            };
            groups[group]
                .1
                .push(measure(&articles[parent].0.text, &article.text));
        } else if i > 0 && articles[i - 1].1.parent.is_none() && i % 3 == 0 {
            groups[4]
                .1
                .push(measure(&articles[i - 1].0.text, &article.text));
        }
    }
    println!("{docs} generated articles (seed 5); quantiles min p1 p5 p50 p95 p99 max");
    let columns: [(&str, Column); 4] = [
        ("jaccard", |m| m.jaccard),
        ("in-order share of shorter", |m| {
            m.overlap.ordered_share_of_shorter()
        }),
        ("share of shorter", |m| m.overlap.share_of_shorter()),
        ("longest passage (words)", |m| f64::from(m.overlap.longest)),
    ];
    for (name, measured) in &groups {
        println!("\n{name}: {} pairs", measured.len());
        for (column, f) in columns {
            println!(
                "  {column:<28} {}",
                quantiles(measured.iter().map(f).collect())
            );
        }
        let params = RelationParams::default();
        let mut decided = [0usize; 3];
        for m in measured {
            let verdict = decide(m.jaccard, 0.5, Some(&m.overlap), &params);
            decided[match verdict.relation() {
                Relation::Copy => 0,
                Relation::Partial => 1,
                Relation::None => 2,
            }] += 1;
        }
        println!(
            "  default rule: copy {} / partial {} / none {}",
            decided[0], decided[1], decided[2]
        );
    }

    // Sweeps: how each threshold trades copies lost against lifts merged, and lifts missed.
    let copies: Vec<&Measured> = groups[..3].iter().flat_map(|(_, m)| m).collect();
    let lifts = &groups[3].1;
    println!("\ncopy_share sweep: copies below it (lost) / lifts at or above it (merged)");
    for copy_share in [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9] {
        let lost = copies
            .iter()
            .filter(|m| m.jaccard < 0.5 && m.overlap.ordered_share_of_shorter() < copy_share)
            .count();
        let merged = lifts
            .iter()
            .filter(|m| m.jaccard >= 0.5 || m.overlap.ordered_share_of_shorter() >= copy_share)
            .count();
        println!(
            "  {copy_share:.2}: {lost} of {} copies lost, {merged} of {} lifts merged",
            copies.len(),
            lifts.len()
        );
    }
    println!("\npartial sweep: lifts missed (longest passage or share too small)");
    for words in [12, 16, 20, 25, 30] {
        for share in [0.0, 0.02, 0.04, 0.06] {
            let missed = lifts
                .iter()
                .filter(|m| m.overlap.longest < words || m.overlap.share_of_shorter() < share)
                .count();
            print!("  {words} words, share {share:.2}: {missed}");
        }
        println!();
    }
}
