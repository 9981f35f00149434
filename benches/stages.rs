//! One criterion group per pipeline stage, the hash-only limit, and the whole pipeline, all
//! on generated news-like text so results read as MB/s. Setup stays outside the timed
//! closures; each bench checks its result so a broken stage cannot look fast.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use xxhash_rust::xxh3::xxh3_64;

use reprint::cluster::{MemberInfo, build_clusters};
use reprint::corpus::{Corpus, InputSpec};
use reprint::lsh::{BandKey, LshParams, band_candidates};
use reprint::minhash::{MinHashParams, MinHasher, SketchScheme};
use reprint::normalize::normalize;
use reprint::pipeline::{self, ScanParams, Silent};
use reprint::shingle::{ShingleParams, shingle_set};
use reprint::synth::{Generator, SynthParams};
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

fn total_bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

/// The floor any tokenizer-and-hasher must pay: split on ASCII white space, xxh3 each word,
/// fold 5-grams. No normalization, no sketch.
fn hash_only(text: &str) -> u64 {
    let mut window = [0u64; 5];
    let mut seen = 0usize;
    let mut acc = 0u64;
    for word in text
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        window[seen % 5] = xxh3_64(word);
        seen += 1;
        if seen >= 5 {
            acc ^= window.iter().fold(0u64, |h, &w| {
                (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
            });
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
    for scheme in [SketchScheme::OnePermutation, SketchScheme::KPermutation] {
        let hasher = MinHasher::new(MinHashParams::new(128, 42, scheme).unwrap());
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
        group.bench_with_input(
            BenchmarkId::new("signature_stage", format!("{scheme:?}")),
            &hasher,
            |b, hasher| {
                b.iter(|| {
                    let n = texts
                        .iter()
                        .filter_map(|t| hasher.sketch(&shingle_set(&normalize(t), &shingle)))
                        .count();
                    assert_eq!(n, texts.len());
                })
            },
        );
    }
    group.finish();
}

/// Candidate pairs of every band, one list per band.
fn candidates_per_band(
    keys: &[Vec<BandKey>],
    bands: usize,
) -> Vec<Vec<reprint::lsh::CandidatePair>> {
    (0..bands)
        .map(|band| {
            let mut entries: Vec<(BandKey, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (k[band], i as u32))
                .collect();
            band_candidates(&mut entries)
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
    let candidates = reprint::lsh::merge_candidates(candidates_per_band(&keys, lsh.bands()));
    let pairs: Vec<_> = candidates
        .iter()
        .map(|c| verify_pair(c.a, c.b, &sets[c.a as usize], &sets[c.b as usize]))
        .filter(|p| p.jaccard >= 0.5)
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
    group.throughput(Throughput::Elements(texts.len() as u64));
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
    group.bench_function("cluster", |b| {
        b.iter(|| {
            let clusters = build_clusters(&members, &pairs);
            assert!(!clusters.is_empty());
        })
    });
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
    pipeline::generate(&generator, &mut out, None, 0).unwrap();
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

criterion_group!(benches, per_document, corpus_stages, whole_pipeline);
criterion_main!(benches);
