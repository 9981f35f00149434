//! One criterion group per pipeline stage, the hash-only limit, and the whole pipeline, all
//! on generated news-like text so results read as MB/s. Setup stays outside the timed
//! closures; each bench checks its result so a broken stage cannot look fast.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use xxhash_rust::xxh3::xxh3_64;

use reprint::candidates::lsh::{BandKey, LshParams, band_candidates};
use reprint::candidates::minhash::{MinHashParams, MinHasher, SketchScheme};
use reprint::candidates::winnow::{WinnowParams, Winnower};
use reprint::ingest::{
    Corpus, InputSpec, Origin, Payload, RawRecord, ReadOptions, RecordPosition, parse_record,
};
use reprint::pipeline::{self, ScanParams, Silent};
use reprint::quality::assess;
use reprint::quality::boilerplate::{TemplateLines, TextKind, analyze_lines};
use reprint::relate::cluster::{MemberInfo, build_clusters};
use reprint::relate::relation::{RelatedPair, Verdict};
use reprint::synth::{Generator, SynthParams};
use reprint::text::normalize::normalize;
use reprint::text::shingle::{ShingleParams, Shingler, shingle_set};
use reprint::verify::align::{AlignParams, AlignText, align_prepared};
use reprint::verify::verify_pair;

fn texts(docs: usize) -> Vec<String> {
    let generator = Generator::new(SynthParams {
        docs,
        seed: 7,
        ..SynthParams::default()
    })
    .unwrap();
    (0..docs).map(|i| generator.article(i).0.text).collect()
}

/// The texts as JSONL records, as the first pass receives them from the reader.
fn jsonl_records(texts: &[String]) -> Vec<RawRecord> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| RawRecord {
            origin: Origin {
                file: "bench.jsonl".into(),
                line: i as u64 + 1,
            },
            payload: Payload::JsonLine(
                serde_json::to_vec(&serde_json::json!({"id": i, "text": t})).unwrap(),
            ),
            position: RecordPosition::default(),
        })
        .collect()
}

fn total_bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

/// The floor any tokenizer-and-hasher must pay: split on ASCII white space, xxh3 each word,
/// combine 5-grams with the cheapest rolling combination (the one the pipeline uses). No
/// normalization, no sketch.
fn hash_only(text: &str) -> u64 {
    let mut window = [0u64; 5];
    let mut seen = 0usize;
    let mut rolling = 0u64;
    let mut acc = 0u64;
    for word in text
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        let hash = xxh3_64(word);
        rolling = rolling.rotate_left(13) ^ window[seen % 5].rotate_left((5 * 13) % 64) ^ hash;
        window[seen % 5] = hash;
        seen += 1;
        if seen >= 5 {
            acc ^= rolling;
        }
    }
    acc
}

fn per_document(c: &mut Criterion) {
    let texts = texts(500);
    let bytes = total_bytes(&texts);
    let shingle = ShingleParams::default();
    let normalized: Vec<_> = texts.iter().map(|t| normalize(t)).collect();
    let sets: Vec<Vec<u64>> = normalized
        .iter()
        .map(|n| shingle_set(n, &shingle))
        .collect();

    let mut group = c.benchmark_group("per_document");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("hash_only_limit", |b| {
        b.iter(|| {
            let acc = texts.iter().fold(0u64, |acc, t| acc ^ hash_only(t));
            assert_ne!(acc, 0);
            acc
        })
    });
    group.bench_function("normalize", |b| {
        b.iter(|| {
            let words: usize = texts.iter().map(|t| normalize(t).words.len()).sum();
            assert!(words > 100_000);
            words
        })
    });
    group.bench_function("normalize+shingle", |b| {
        b.iter(|| {
            let shingles: usize = texts
                .iter()
                .map(|t| shingle_set(&normalize(t), &shingle).len())
                .sum();
            assert!(shingles > 100_000);
            shingles
        })
    });
    // The pipeline's first pass on JSONL records: parse, then normalize, shingle and sketch
    // in one streaming loop (no shingle set is built). Throughput counts the JSONL bytes.
    let records = jsonl_records(&texts);
    let record_bytes: u64 = records.iter().map(|r| r.payload.len() as u64).sum();
    let options = ReadOptions::default();
    for scheme in [SketchScheme::OnePermutation, SketchScheme::KPermutation] {
        let hasher = MinHasher::new(MinHashParams::new(128, 42, scheme).unwrap());
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(
            BenchmarkId::new("sketch_only", format!("{scheme:?}")),
            &hasher,
            |b, hasher| {
                b.iter(|| {
                    let n = sets
                        .iter()
                        .filter_map(|s| hasher.sketch(black_box(s)))
                        .count();
                    assert_eq!(n, sets.len());
                })
            },
        );
        group.throughput(Throughput::Bytes(record_bytes));
        group.bench_with_input(
            BenchmarkId::new("signature_stage", format!("{scheme:?}")),
            &hasher,
            |b, hasher| {
                let mut shingler = Shingler::new(shingle);
                b.iter(|| {
                    let n = records
                        .iter()
                        .filter_map(|r| {
                            let doc = parse_record(r, &options).unwrap();
                            let mut sketch = hasher.builder();
                            shingler.for_each(&doc.text, |shingle| sketch.add(shingle));
                            sketch.finish()
                        })
                        .count();
                    assert_eq!(n, records.len());
                })
            },
        );
    }
    // The default first pass also winnows each shingle stream for the passage index.
    group.throughput(Throughput::Bytes(record_bytes));
    group.bench_function("signature_stage+winnow", |b| {
        let hasher = MinHasher::new(MinHashParams::default());
        let mut shingler = Shingler::new(shingle);
        let mut winnower = Winnower::new(&WinnowParams::default());
        b.iter(|| {
            let mut fingerprints = 0;
            let n = records
                .iter()
                .filter_map(|r| {
                    let doc = parse_record(r, &options).unwrap();
                    let mut sketch = hasher.builder();
                    shingler.for_each(&doc.text, |shingle| {
                        sketch.add(shingle);
                        winnower.push(shingle);
                    });
                    fingerprints += winnower.finish().len();
                    sketch.finish()
                })
                .count();
            assert_eq!(n, records.len());
            assert!(fingerprints > n * 10);
        })
    });
    // The first pass as the scan runs it, per document (parse, one tokenization, signature,
    // passage-index fingerprints), without and with quality: the difference is what quality
    // costs, since it shares the tokenization.
    for (name, quality) in [
        ("first_pass/no_quality", false),
        ("first_pass/quality", true),
    ] {
        let mut params = ScanParams::default();
        if !quality {
            params.quality = false;
        }
        group.throughput(Throughput::Bytes(record_bytes));
        group.bench_function(name, |b| {
            b.iter(|| {
                let accepted = pipeline::first_pass_records(&params, &records);
                assert_eq!(accepted, records.len());
            })
        });
    }
    // Quality on its own: every line judged, then padding and stuffing of what remains, for
    // the same records (parsed outside the timed loop), so its cost reads against the
    // signature stage's in the same units.
    let docs: Vec<_> = records
        .iter()
        .map(|r| parse_record(r, &options).unwrap())
        .collect();
    group.throughput(Throughput::Bytes(record_bytes));
    group.bench_function("quality_stage", |b| {
        b.iter(|| {
            let words: u32 = docs
                .iter()
                .map(|d| assess(&d.text, d.title.as_deref(), d.page).basis.words)
                .sum();
            assert!(words > 100_000);
        })
    });
    group.bench_function("line_analysis", |b| {
        b.iter(|| {
            let lines: usize = docs
                .iter()
                .map(|d| {
                    analyze_lines(&d.text, None, TextKind::Plain, &TemplateLines::none())
                        .lines
                        .len()
                })
                .sum();
            assert!(lines > docs.len());
        })
    });
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            let chars: usize = records
                .iter()
                .map(|r| parse_record(r, &options).unwrap().text.len())
                .sum();
            assert_eq!(chars as u64, bytes);
        })
    });
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("shingle_set_for_verification", |b| {
        let mut shingler = Shingler::new(shingle);
        b.iter(|| {
            let shingles: usize = texts.iter().map(|t| shingler.set(t).0.len()).sum();
            assert!(shingles > 100_000);
        })
    });
    group.finish();
}

/// Candidate pairs of every band, one list per band.
fn candidates_per_band(
    keys: &[Vec<BandKey>],
    bands: usize,
) -> Vec<Vec<reprint::candidates::lsh::CandidatePair>> {
    (0..bands)
        .map(|band| {
            let mut entries: Vec<(BandKey, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (k[band], i as u32))
                .collect();
            band_candidates(&mut entries, None)
        })
        .collect()
}

fn corpus_stages(c: &mut Criterion) {
    let texts = texts(5_000);
    let shingle = ShingleParams::default();
    let hasher = MinHasher::new(MinHashParams::default());
    let lsh = LshParams::for_threshold(0.5, 128).unwrap();
    let sets: Vec<Vec<u64>> = texts
        .iter()
        .map(|t| shingle_set(&normalize(t), &shingle))
        .collect();
    let keys: Vec<Vec<BandKey>> = sets
        .iter()
        .map(|s| lsh.band_keys(&hasher.sketch(s).unwrap()))
        .collect();
    let candidates =
        reprint::candidates::lsh::merge_candidates(candidates_per_band(&keys, lsh.bands()));
    let pairs: Vec<_> = candidates
        .iter()
        .map(|c| verify_pair(c.a, c.b, &sets[c.a as usize], &sets[c.b as usize]))
        .filter(|p| p.jaccard >= 0.5)
        .collect();
    let related: Vec<RelatedPair> = pairs
        .iter()
        .map(|&figures| RelatedPair {
            figures,
            verdict: Verdict::AboveThreshold {
                jaccard: figures.jaccard,
                threshold: 0.5,
            },
            shares: (figures.containment_ab, figures.containment_ba),
            passages: None,
            direction: None,
        })
        .collect();
    let ids: Vec<String> = (0..sets.len()).map(|i| format!("d{i}")).collect();
    let members: Vec<MemberInfo> = sets
        .iter()
        .zip(&ids)
        .map(|(s, id)| MemberInfo {
            id,
            date: None,
            shingles: s.len() as u32,
        })
        .collect();

    let mut group = c.benchmark_group("corpus_stages");
    group.sample_size(20);
    // Bytes of article text behind the 5,000 documents, so these read as MB/s like the rest.
    group.throughput(Throughput::Bytes(total_bytes(&texts)));
    group.bench_function("lsh_banding_5k_docs", |b| {
        b.iter(|| {
            let found: usize = candidates_per_band(&keys, lsh.bands())
                .iter()
                .map(Vec::len)
                .sum();
            assert!(found >= candidates.len());
        })
    });
    group.bench_function("verify_candidates", |b| {
        b.iter(|| {
            let verified = candidates
                .iter()
                .map(|c| verify_pair(c.a, c.b, &sets[c.a as usize], &sets[c.b as usize]))
                .filter(|p| p.jaccard >= 0.5)
                .count();
            assert_eq!(verified, pairs.len());
        })
    });
    // Passages of every verified pair, from texts prepared once per document as the
    // verification pass does.
    let align_params = AlignParams::default();
    let mut shingler = Shingler::new(shingle);
    let prepared: Vec<AlignText> = texts
        .iter()
        .map(|t| AlignText::from_original(t, &mut shingler).unwrap())
        .collect();
    group.bench_function("align_verified_pairs", |b| {
        b.iter(|| {
            let passages: usize = pairs
                .iter()
                .map(|p| {
                    align_prepared(
                        &prepared[p.a as usize],
                        &prepared[p.b as usize],
                        &align_params,
                    )
                    .len()
                })
                .sum();
            assert!(passages >= pairs.len());
        })
    });
    group.bench_function("cluster", |b| {
        b.iter(|| {
            let clusters = build_clusters(&members, &related, None);
            assert!(!clusters.is_empty());
        })
    });
    group.finish();
}

/// The first pass's per-document work on 1 and 2 threads: the stage that should scale with
/// cores (records are independent).
fn signature_scaling(c: &mut Criterion) {
    use rayon::prelude::*;
    let texts = texts(4_000);
    let records = jsonl_records(&texts);
    let bytes: u64 = records.iter().map(|r| r.payload.len() as u64).sum();
    let hasher = MinHasher::new(MinHashParams::default());
    let options = ReadOptions::default();
    let shingle = ShingleParams::default();
    let mut group = c.benchmark_group("signature_scaling");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    for threads in [1, 2] {
        group.bench_with_input(
            BenchmarkId::from_parameter(threads),
            &threads,
            |b, &threads| {
                b.iter(|| {
                    let signed = pipeline::with_threads(threads, || {
                        records
                            .par_iter()
                            .map_init(
                                || Shingler::new(shingle),
                                |shingler, r| {
                                    let doc = parse_record(r, &options).unwrap();
                                    let mut sketch = hasher.builder();
                                    shingler.for_each(&doc.text, |shingle| sketch.add(shingle));
                                    sketch.finish()
                                },
                            )
                            .filter(Option::is_some)
                            .count()
                    })
                    .unwrap();
                    assert_eq!(signed, records.len());
                })
            },
        );
    }
    group.finish();
}

fn whole_pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.jsonl");
    let generator = Generator::new(SynthParams {
        docs: 10_000,
        seed: 3,
        ..SynthParams::default()
    })
    .unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    reprint::report::write_generated(&generator, &mut out, None, 0).unwrap();
    drop(out);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();

    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    for threads in [1, 2] {
        let params = ScanParams {
            threads,
            ..ScanParams::default()
        };
        group.bench_with_input(
            BenchmarkId::new("scan_10k_docs", threads),
            &params,
            |b, params| {
                b.iter(|| {
                    let result = pipeline::scan(&corpus, params, &Silent).unwrap();
                    assert!(result.clusters.len() > 100);
                })
            },
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    per_document,
    corpus_stages,
    signature_scaling,
    whole_pipeline
);
criterion_main!(benches);
