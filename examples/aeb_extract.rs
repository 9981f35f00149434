//! Extracts the main text of every page of the Article Extraction Benchmark (in ../shared)
//! and writes the predictions where `bench/aeb_eval.py` reads them. Run:
//! `cargo run --release --example aeb_extract -- OUT.json [MODE] && bench/aeb_eval.py OUT.json`.
//!
//! Modes: `html` (default: extraction, then reprint's boilerplate lines removed),
//! `extractor` (the extraction crate alone), `precision` / `recall` (the crate alone, favouring
//! one),
//! `text` (the page flattened to plain text lines, then reprint's line-level boilerplate
//! removal: no markup used), `page` (the flattened page as it is).

use std::io::Read;
use std::path::Path;

use reprint::ingest::html::{Focus, extract_with, page_text};
use reprint::quality::boilerplate::{TemplateLines, TextKind, analyze_lines};

/// The text of `html` that `mode` starts from, and how the line rules read it.
fn source_text(html: &str, mode: &str) -> reprint::Result<(String, TextKind)> {
    Ok(match mode {
        "text" | "page" => (page_text(html), TextKind::Plain),
        // The extraction crate alone, without reprint's fallback for run-on output.
        "extractor" | "precision" | "recall" => {
            let options = rs_trafilatura::Options {
                favor_precision: mode == "precision",
                favor_recall: mode == "recall",
                ..rs_trafilatura::Options::default()
            };
            let result = rs_trafilatura::extract_with_options(html, &options)
                .map_err(|e| reprint::Error::param("html", e.to_string()))?;
            (result.content_text, TextKind::Extracted)
        }
        _ => {
            let page = extract_with(html, Focus::Balanced)?;
            let kind = if page.whole_page {
                TextKind::Plain
            } else {
                TextKind::Extracted
            };
            (page.text, kind)
        }
    })
}

/// The main text of `html` in `mode`.
fn predict(html: &str, mode: &str) -> reprint::Result<String> {
    let (text, kind) = source_text(html, mode)?;
    Ok(match mode {
        "text" | "html" => {
            analyze_lines(&text, None, kind, &TemplateLines::none()).clean_text(&text)
        }
        _ => text,
    })
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/aeb-reprint.json".to_string());
    let mode = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "html".to_string());
    let pages = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/scrapinghub-article-extraction-benchmark/html");
    let mut paths: Vec<_> = std::fs::read_dir(&pages)
        .unwrap_or_else(|e| panic!("{}: {e} (this needs ../shared)", pages.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    paths.sort();
    let mut predictions = serde_json::Map::new();
    let mut failed = 0;
    let started = std::time::Instant::now();
    for path in &paths {
        let mut html = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
            .read_to_string(&mut html)
            .unwrap();
        let id = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".html.gz")
            .to_string();
        let text = match predict(&html, &mode) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{id}: {e}");
                failed += 1;
                String::new()
            }
        };
        predictions.insert(id, serde_json::json!({ "articleBody": text }));
    }
    std::fs::write(&out, serde_json::to_string(&predictions).unwrap()).unwrap();
    if let Ok(dump) = std::env::var("AEB_LINES") {
        write_lines(&paths, &mode, &dump);
    }
    eprintln!(
        "{} pages in {:.2} s, {failed} failed; wrote {out}",
        paths.len(),
        started.elapsed().as_secs_f64()
    );
}

/// With `AEB_LINES=FILE`: every line of every page's text before cleaning, with its verdict,
/// for looking into what the line rules keep and drop.
fn write_lines(paths: &[std::path::PathBuf], mode: &str, dump: &str) {
    let mut pages = serde_json::Map::new();
    for path in paths {
        let mut html = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
            .read_to_string(&mut html)
            .unwrap();
        let id = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".html.gz")
            .to_string();
        let (text, kind) = source_text(&html, mode).unwrap_or((String::new(), TextKind::Plain));
        let analysis = analyze_lines(&text, None, kind, &TemplateLines::none());
        let lines: Vec<_> = analysis
            .lines
            .iter()
            .map(|l| serde_json::json!([&text[l.range.clone()], l.reason.map(|r| r.name())]))
            .collect();
        pages.insert(id, serde_json::Value::Array(lines));
    }
    std::fs::write(dump, serde_json::to_string(&pages).unwrap()).unwrap();
}
