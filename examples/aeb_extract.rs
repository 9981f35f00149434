//! Extracts the main text of every page of the Article Extraction Benchmark (in ../shared)
//! with reprint's HTML extraction and writes the predictions where `bench/aeb_eval.py` reads
//! them. Run: `cargo run --release --example aeb_extract -- OUT.json [precision|recall] &&
//! bench/aeb_eval.py OUT.json`.

use std::io::Read;
use std::path::Path;

use reprint::html::{Focus, extract_with};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/aeb-reprint.json".to_string());
    let focus = match std::env::args().nth(2).as_deref() {
        Some("precision") => Focus::Precision,
        Some("recall") => Focus::Recall,
        _ => Focus::Balanced,
    };
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
        let text = match extract_with(&html, focus) {
            Ok(page) => page.text,
            Err(e) => {
                eprintln!("{id}: {e}");
                failed += 1;
                String::new()
            }
        };
        predictions.insert(id, serde_json::json!({ "articleBody": text }));
    }
    std::fs::write(&out, serde_json::to_string(&predictions).unwrap()).unwrap();
    eprintln!(
        "{} pages in {:.2} s, {failed} failed; wrote {out}",
        paths.len(),
        started.elapsed().as_secs_f64()
    );
}
