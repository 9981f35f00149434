//! Wrap invariance on real text: the gold bodies of the Article Extraction Benchmark and the
//! gold main text of the WCXB development split (both in `../shared`, not needed by the
//! tests), each hard-wrapped at every fifth width from 40 to 100 columns, with and without
//! indented paragraphs and CRLF endings. Prints the share of cases whose quality keeps its
//! flags and stays within 0.02 on every score, per source, and the worst cases.
//!
//! `cargo run --release --example wrap_invariance`

use reprint::quality::Flag;
use reprint::quality::assess;
use reprint::testing::wrap::{quality_change, rewrap};
use std::path::Path;

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let mut sources: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    let aeb = shared.join("scrapinghub-article-extraction-benchmark/ground-truth.json");
    if let Ok(json) = std::fs::read_to_string(&aeb) {
        let pages: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&json).expect("the benchmark's ground truth");
        let mut texts: Vec<(String, String)> = pages
            .iter()
            .filter_map(|(id, page)| {
                page["articleBody"]
                    .as_str()
                    .map(|body| (id.clone(), body.to_string()))
            })
            .collect();
        texts.sort();
        sources.push(("Article Extraction Benchmark", texts));
    }
    let wcxb = shared.join("wcxb-dev/dev/ground-truth");
    if let Ok(entries) = std::fs::read_dir(&wcxb) {
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let texts = paths
            .iter()
            .filter_map(|path| {
                let json: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
                let body = json["ground_truth"]["main_content"].as_str()?;
                Some((path.display().to_string(), body.to_string()))
            })
            .collect();
        sources.push(("WCXB development split", texts));
    }
    if sources.is_empty() {
        eprintln!("no data in {}", shared.display());
        std::process::exit(2);
    }
    for (name, texts) in sources {
        let (mut cases, mut kept) = (0usize, 0usize);
        let mut worst: Vec<(f64, String)> = Vec::new();
        for (id, text) in &texts {
            let whole = assess(text, None, None).report;
            for width in (40..=100).step_by(5) {
                for (indent, crlf) in [(false, false), (true, false), (false, true), (true, true)] {
                    let wrapped = assess(&rewrap(text, width, indent, crlf), None, None).report;
                    let change = quality_change(&whole, &wrapped);
                    cases += 1;
                    if change <= 0.02 {
                        kept += 1;
                    } else {
                        worst.push((
                            change,
                            format!(
                                "{id} at {width} (indent {indent}, crlf {crlf}): score {:.3} -> {:.3}, flags {:?} -> {:?}",
                                whole.score, wrapped.score, whole.flags, wrapped.flags
                            ),
                        ));
                    }
                }
            }
        }
        println!(
            "{name}: {} texts, {cases} wrapped cases, {kept} kept their quality ({:.4})",
            texts.len(),
            kept as f64 / cases.max(1) as f64
        );
        worst.sort_by(|x, y| y.0.total_cmp(&x.0));
        for (_, case) in worst.iter().take(5) {
            println!("  {case}");
        }
        // Hard-wrapped news: these texts as written, wrapped as 1980s wire copy was (65
        // columns, paragraphs indented, no blank lines between them) and as e-mail is (65
        // columns, blank lines): texts of 100 words or more.
        let long: Vec<&String> = texts
            .iter()
            .map(|(_, text)| text)
            .filter(|text| text.split_whitespace().count() >= 100)
            .collect();
        let styles = [
            ("as written", None),
            ("wire (indented)", Some(true)),
            ("e-mail (blank lines)", Some(false)),
        ];
        for (style, wrap) in styles {
            let reports: Vec<_> = long
                .iter()
                .map(|text| {
                    let Some(indent) = wrap else {
                        return assess(text, None, None).report;
                    };
                    let wrapped = rewrap(text, 65, indent, false);
                    let wrapped = if indent {
                        wrapped.replace("\n\n", "\n")
                    } else {
                        wrapped
                    };
                    assess(&wrapped, None, None).report
                })
                .collect();
            let mut boilerplate: Vec<f64> = reports.iter().map(|r| r.boilerplate).collect();
            boilerplate.sort_by(f64::total_cmp);
            let share = |flag: Flag| {
                reports.iter().filter(|r| r.flags.contains(&flag)).count() as f64
                    / reports.len().max(1) as f64
            };
            println!(
                "  {style}: {} texts of 100+ words; median boilerplate \
                 {:.3}, boilerplate_heavy {:.3}, thin_content {:.3}",
                reports.len(),
                boilerplate
                    .get(boilerplate.len() / 2)
                    .copied()
                    .unwrap_or(0.0),
                share(Flag::BoilerplateHeavy),
                share(Flag::ThinContent),
            );
        }
    }
}
