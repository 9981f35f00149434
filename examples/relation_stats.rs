//! Measures the signals that separate copies from partial reuse on generated data with known
//! truth: for each planted kind, the exact Jaccard, the containment of the smaller document in
//! the larger, and the share of each document covered by aligned passages. These figures are
//! what the copy/partial decision rule's defaults are chosen from.
//! Run: `cargo run --release --example relation_stats`.

use reprint::align::{AlignParams, align, coverage};
use reprint::normalize::normalize;
use reprint::shingle::{ShingleParams, shingle_set};
use reprint::synth::{Generator, SynthParams};
use reprint::verify::verify_pair;

struct Measured {
    jaccard: f64,
    containment_of_smaller: f64,
    coverage_of_smaller: f64,
    coverage_of_larger: f64,
}

fn measure(a: &str, b: &str) -> Measured {
    let (na, nb) = (normalize(a), normalize(b));
    let params = ShingleParams::default();
    let figures = verify_pair(0, 1, &shingle_set(&na, &params), &shingle_set(&nb, &params));
    let passages = align(&na, &nb, &AlignParams::default());
    let cover_a = coverage(na.words.len(), passages.iter().map(|p| p.words));
    let cover_b = coverage(nb.words.len(), passages.iter().map(|p| p.b_words));
    let a_smaller = na.words.len() <= nb.words.len();
    Measured {
        jaccard: figures.jaccard,
        containment_of_smaller: if a_smaller {
            figures.containment_ab
        } else {
            figures.containment_ba
        },
        coverage_of_smaller: if a_smaller { cover_a } else { cover_b },
        coverage_of_larger: if a_smaller { cover_b } else { cover_a },
    }
}

fn quantiles(mut values: Vec<f64>) -> String {
    if values.is_empty() {
        return "-".to_string();
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    format!(
        "{:.2} {:.2} {:.2} {:.2} {:.2}",
        at(0.05),
        at(0.25),
        at(0.5),
        at(0.75),
        at(0.95)
    )
}

fn main() {
    let docs = 6_000;
    let generator = Generator::new(SynthParams {
        docs,
        seed: 5,
        copy_rate: 0.3,
        max_edit_rate: 0.1,
        truncate_rate: 0.4,
        boilerplate_rate: 0.4,
        lift_rate: 0.15,
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
                ("partial", _, _) => 3,
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
    println!("quantiles p5 p25 p50 p75 p95 over {docs} generated articles (seed 5)");
    println!(
        "{:<26} {:>5}  {:<26} {:<26} {:<26} {:<26}",
        "kind",
        "pairs",
        "jaccard",
        "containment of smaller",
        "aligned share of smaller",
        "aligned share of larger"
    );
    for (name, measured) in groups {
        let column = |f: fn(&Measured) -> f64| quantiles(measured.iter().map(f).collect());
        println!(
            "{:<26} {:>5}  {:<26} {:<26} {:<26} {:<26}",
            name,
            measured.len(),
            column(|m| m.jaccard),
            column(|m| m.containment_of_smaller),
            column(|m| m.coverage_of_smaller),
            column(|m| m.coverage_of_larger),
        );
    }
}
