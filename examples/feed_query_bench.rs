//! Query latency of feed mode: one article at a time checked against an index, as a desk
//! checks a story before it runs. Prints the percentiles, the relations found and peak RSS.
//!
//! `cargo run --release --example feed_query_bench -- DB CORPUS QUERIES`
//!
//! The queries are records of CORPUS under new ids, every `lines / QUERIES`-th line: taken
//! from the indexed corpus they are copies of an indexed article (its text under another id),
//! taken from another corpus they are mostly new stories. Each is one `FeedIndex::query` call
//! of one record, the index opened once, read-only, with the CLI's default parameters.

use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reprint::index::feed::FeedIndex;
use reprint::ingest::{Origin, Payload, RawRecord, RecordPosition};
use reprint::pipeline::ScanParams;

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("DB");
    let corpus = args.next().expect("CORPUS");
    let queries: usize = args.next().map_or(1_000, |a| a.parse().expect("QUERIES"));
    // Two passes over the corpus, so that only the queries are held, not the corpus.
    let read = || std::io::BufReader::new(std::fs::File::open(&corpus).expect("CORPUS")).lines();
    let step = (read().count() / queries).max(1);
    let lines: Vec<String> = read()
        .step_by(step)
        .take(queries)
        .map(|l| l.expect("a line"))
        .collect();
    let file: Arc<str> = Arc::from(corpus.as_str());
    let records: Vec<RawRecord> = lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let mut value: serde_json::Value = serde_json::from_str(line).expect("JSON");
            value["id"] = serde_json::Value::String(format!("query-{n}"));
            RawRecord {
                origin: Origin {
                    file: file.clone(),
                    line: (n * step + 1) as u64,
                },
                payload: Payload::JsonLine(serde_json::to_vec(&value).expect("JSON")),
                position: RecordPosition::default(),
            }
        })
        .collect();
    let params = ScanParams {
        all_pairs: true,
        ..ScanParams::default()
    };
    let index = FeedIndex::open_for_query(std::path::Path::new(&db), &params).expect("the index");
    let pool = rayon::ThreadPoolBuilder::new().build().expect("threads");
    let mut latencies: Vec<Duration> = Vec::with_capacity(records.len());
    let mut related = 0usize;
    let started = Instant::now();
    for record in records {
        let asked = Instant::now();
        let outcomes = pool.install(|| index.query(vec![record])).expect("a query");
        latencies.push(asked.elapsed());
        related += outcomes.iter().filter(|o| !o.relations.is_empty()).count();
    }
    let total = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{} queries in {:.1} s: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} with \
         relations; peak RSS {:.0} MB",
        latencies.len(),
        total.as_secs_f64(),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(0.99)),
        ms(*latencies.last().expect("queries")),
        related,
        peak_rss_mb()
    );
}
