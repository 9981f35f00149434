//! Measures the feed index's store on its own: documents added per second in batches, the
//! latency of looking up one document's keys (30 band keys and 130 fingerprints) against
//! everything indexed, and the bytes per document on disk, texts included and apart.
//! Synthetic keys spread like hashes, a third of the documents sharing most keys with an
//! earlier one; texts from `reprint gen`.
//!
//! Run: `cargo run --release --example index_store_bench -- [DOCS] [BATCH]`
//! (default 100,000 documents in batches of 10,000). Prints peak RSS from /proc.

use std::time::{Duration, Instant};

use reprint::index::postings::PostingKey;
use reprint::index::store::{
    DocRecord, IndexStore, IndexedStatus, NewDoc, StoredParams, TextCompressor,
};
use reprint::synth::{Generator, SynthParams};

/// SplitMix64, so every run makes the same keys.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Document `n`'s keys: a copy (every third document) shares 20 of 30 band keys and 100 of 130
/// fingerprints with an earlier document.
fn keys(n: u64) -> Vec<PostingKey> {
    let source = if n % 3 == 1 { mix(n) % n } else { n };
    let bands = (0..30u64).map(move |b| {
        let owner = if b < 20 { source } else { n };
        PostingKey::band(b as usize, mix(owner << 8 | b))
    });
    let fingerprints = (0..130u64).map(move |f| {
        let owner = if f < 100 { source } else { n };
        PostingKey::fingerprint(mix(owner << 16 | f | 1 << 40) as u32)
    });
    bands.chain(fingerprints).collect()
}

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

fn main() {
    let mut args = std::env::args().skip(1);
    let docs: u64 = args.next().map_or(100_000, |a| a.parse().expect("DOCS"));
    let batch: u64 = args.next().map_or(10_000, |a| a.parse().expect("BATCH"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("index.redb");
    let params = StoredParams(vec![("bench".to_string(), "1".to_string())]);
    let mut store = IndexStore::open(&path, &params).expect("the index");
    let generator = Generator::new(SynthParams::classic(2_000, 1)).expect("the generator");
    let texts: Vec<String> = (0..2_000).map(|i| generator.article(i).0.text).collect();
    // What the texts take compressed as the store compresses them, to tell them from the rest.
    let mut compressor = TextCompressor::new().expect("a compressor");
    let packed: Vec<Vec<u8>> = texts
        .iter()
        .map(|t| compressor.compress(t).expect("zstd"))
        .collect();
    let compressed: Vec<u64> = packed.iter().map(|p| p.len() as u64).collect();
    let mut compressed_bytes = 0u64;

    let started = Instant::now();
    let mut text_bytes = 0u64;
    let mut next = 0u64;
    while next < docs {
        let end = (next + batch).min(docs);
        let new: Vec<NewDoc> = (next..end)
            .map(|n| {
                let text = texts[n as usize % texts.len()].clone();
                text_bytes += text.len() as u64;
                compressed_bytes += compressed[n as usize % texts.len()];
                NewDoc {
                    record: DocRecord {
                        id: format!("doc-{n:09}"),
                        date: Some(1_700_000_000 + n as i64),
                        text_hash: mix(n),
                        title: None,
                        source: None,
                        page: None,
                        words: 300,
                        status: IndexedStatus::Unique,
                    },
                    compressed_text: packed[n as usize % texts.len()].clone(),
                    keys: keys(n),
                }
            })
            .collect();
        store.add_batch(&new).expect("a batch");
        next = end;
    }
    let adding = started.elapsed();

    let mut latencies: Vec<Duration> = (0..1_000u64)
        .map(|q| {
            let probe = keys(mix(q ^ 0xabc) % docs);
            let t = Instant::now();
            let found = store.documents_with(&probe).expect("a query");
            assert!(!found.is_empty());
            t.elapsed()
        })
        .collect();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64()
            * 1e3
    };
    let report = store.check().expect("a sound index");
    let size_before = std::fs::metadata(&path).expect("the index file").len();
    store.compact().expect("compaction");
    drop(store);
    let size = std::fs::metadata(&path).expect("the index file").len();
    println!(
        "before compaction {:.0} bytes/doc",
        size_before as f64 / docs as f64
    );
    println!(
        "{docs} documents in batches of {batch}: {:.0} docs/s ({:.1} s); {} segments; query \
         p50 {:.2} ms, p99 {:.2} ms; {:.0} bytes/doc on disk ({:.0} MB; texts {:.0} bytes/doc \
         raw, {:.0} compressed, so {:.0} bytes/doc besides them); peak RSS {:.0} MB",
        docs as f64 / adding.as_secs_f64(),
        adding.as_secs_f64(),
        report.segments,
        percentile(0.5),
        percentile(0.99),
        size as f64 / docs as f64,
        size as f64 / 1e6,
        text_bytes as f64 / docs as f64,
        compressed_bytes as f64 / docs as f64,
        (size as f64 - compressed_bytes as f64) / docs as f64,
        peak_rss_mb(),
    );
}
