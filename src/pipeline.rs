//! The orchestrator: runs the stages over a corpus and is the only place that uses rayon.
//!
//! Records are read serially in batches; each batch is parsed, normalized, shingled and
//! sketched in parallel (the work per document is serial). LSH runs one band per task,
//! verification one candidate pair per task, clustering serially. Every parallel step
//! collects in input order, so results do not depend on the number of threads.

use std::io::Write;

use rayon::prelude::*;

use crate::cluster::{Cluster, MemberInfo, build_clusters};
use crate::corpus::{Corpus, Document, Origin, ReadOptions, Rejection, parse_record};
use crate::error::{Error, Result};
use crate::lsh::{BandKey, CandidatePair, LshParams, band_candidates, merge_candidates};
use crate::minhash::{MinHashParams, MinHasher};
use crate::normalize::normalize;
use crate::shingle::{ShingleKind, ShingleParams, shingle_set};
use crate::synth::{Generator, PlantedCopy};
use crate::verify::{VerifiedPair, jaccard, verify_pair};

/// Everything a scan needs to know. Build with [`ScanParams::new`].
#[derive(Debug, Clone)]
pub struct ScanParams {
    /// How records are read.
    pub read: ReadOptions,
    /// How texts are shingled.
    pub shingle: ShingleParams,
    /// How signatures are computed.
    pub minhash: MinHashParams,
    /// Least exact Jaccard for two documents to count as near-duplicates. By default, 0.5.
    pub threshold: f64,
    /// The band shape, derived from the threshold unless given.
    pub lsh: LshParams,
    /// Worker threads; 0 means one per core. By default, 0.
    pub threads: usize,
}

impl ScanParams {
    /// Validates the threshold and derives the band shape from it when `lsh` is `None`.
    pub fn new(
        read: ReadOptions,
        shingle: ShingleParams,
        minhash: MinHashParams,
        threshold: f64,
        lsh: Option<LshParams>,
        threads: usize,
    ) -> Result<Self> {
        let derived = LshParams::for_threshold(threshold, minhash.num_hashes())?;
        Ok(ScanParams {
            read,
            shingle,
            minhash,
            threshold,
            lsh: lsh.unwrap_or(derived),
            threads,
        })
    }
}

impl Default for ScanParams {
    fn default() -> Self {
        ScanParams::new(
            ReadOptions::default(),
            ShingleParams::default(),
            MinHashParams::default(),
            0.5,
            None,
            0,
        )
        .expect("defaults are valid")
    }
}

/// Receives progress from a long run. The library never prints; the binary draws a bar.
pub trait Progress: Sync {
    /// A stage starts; `total` is in the stage's unit (bytes for reading, items otherwise).
    fn stage(&self, name: &str, total: u64);
    /// `amount` more units are done.
    fn advance(&self, amount: u64);
    /// The run is over.
    fn finish(&self);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// What became of one input record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocStatus {
    /// In no cluster.
    Unique,
    /// The representative of a cluster.
    Original,
    /// A member of a cluster that is not its representative.
    Duplicate,
    /// Not usable; see the reason.
    Rejected,
}

/// One input record's outcome, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct DocOutcome {
    /// Where the record came from.
    pub origin: Origin,
    /// Its id, when one could be read.
    pub id: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Publication time, seconds since the epoch.
    pub date: Option<i64>,
    /// Status.
    pub status: DocStatus,
    /// Cluster number, for originals and duplicates.
    pub cluster: Option<u32>,
    /// The representative's corpus index, for duplicates.
    pub duplicate_of: Option<u32>,
    /// Exact Jaccard to the representative, for duplicates.
    pub similarity: Option<f64>,
    /// Why the record was rejected.
    pub reason: Option<String>,
    /// Normalized words.
    pub words: u32,
    /// Distinct shingles.
    pub shingles: u32,
}

/// Counts from a scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Input records (one per line of JSONL, one per text file).
    pub records: usize,
    /// Rejected records.
    pub rejected: usize,
    /// Candidate pairs from LSH.
    pub candidates: usize,
    /// Candidate pairs at or above the threshold after exact verification.
    pub verified: usize,
    /// Bytes of input files.
    pub input_bytes: u64,
    /// Files skipped in input folders because they are not documents.
    pub ignored_files: usize,
}

/// Everything a scan found.
#[derive(Debug, Clone)]
pub struct ScanResult {
    /// The parameters used, including the band shape.
    pub params: ScanParams,
    /// One outcome per input record, in input order.
    pub docs: Vec<DocOutcome>,
    /// Verified pairs sorted by `(a, b)`.
    pub pairs: Vec<VerifiedPair>,
    /// Clusters ordered by their first member.
    pub clusters: Vec<Cluster>,
    /// Counts.
    pub stats: ScanStats,
    /// Problems that did not reject a record (bad dates, ignored fields), in input order.
    pub warnings: Vec<String>,
}

impl ScanResult {
    /// The id of the document at `index` (rejected records may have none).
    pub fn id(&self, index: u32) -> Option<&str> {
        self.docs[index as usize].id.as_deref()
    }
}

/// A record after the per-document stages.
struct Analyzed {
    origin: Origin,
    outcome: std::result::Result<(Document, Vec<u64>, Vec<BandKey>, u32), Rejection>,
}

fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::param("--threads", e.to_string()))
}

/// Runs `work` on a pool of `threads` threads (0: one per core).
pub fn with_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> Result<T> {
    Ok(thread_pool(threads)?.install(work))
}

/// Reads the corpus and finds its near-duplicate clusters.
pub fn scan(corpus: &Corpus, params: &ScanParams, progress: &dyn Progress) -> Result<ScanResult> {
    with_threads(params.threads, || scan_in_pool(corpus, params, progress))?
}

fn scan_in_pool(
    corpus: &Corpus,
    params: &ScanParams,
    progress: &dyn Progress,
) -> Result<ScanResult> {
    let hasher = MinHasher::new(params.minhash);
    progress.stage("reading", corpus.total_bytes());
    let mut analyzed: Vec<Analyzed> = Vec::new();
    corpus.for_each_batch(8 << 20, |batch| {
        let bytes: usize = batch.iter().map(|r| r.payload.len()).sum();
        let done: Vec<Analyzed> = batch
            .into_par_iter()
            .map(|raw| Analyzed {
                outcome: analyze(&raw, params, &hasher),
                origin: raw.origin,
            })
            .collect();
        analyzed.extend(done);
        progress.advance(bytes as u64);
        Ok(())
    })?;
    reject_duplicate_ids(&mut analyzed);

    let shingle_sets: Vec<&[u64]> = analyzed
        .iter()
        .map(|a| match &a.outcome {
            Ok((_, set, _, _)) => set.as_slice(),
            Err(_) => &[],
        })
        .collect();

    progress.stage("candidates", params.lsh.bands() as u64);
    let candidates = lsh_candidates(&analyzed, params.lsh.bands(), progress);
    progress.stage("verifying", candidates.len() as u64);
    let pairs: Vec<VerifiedPair> = candidates
        .par_iter()
        .map(|c| {
            verify_pair(
                c.a,
                c.b,
                shingle_sets[c.a as usize],
                shingle_sets[c.b as usize],
            )
        })
        .filter(|p| p.jaccard >= params.threshold)
        .collect();
    progress.advance(candidates.len() as u64);

    let members: Vec<MemberInfo> = analyzed
        .iter()
        .map(|a| match &a.outcome {
            Ok((doc, set, _, _)) => MemberInfo {
                id: doc.id.clone(),
                date: doc.date,
                shingles: set.len() as u32,
            },
            Err(_) => MemberInfo {
                id: String::new(),
                date: None,
                shingles: 0,
            },
        })
        .collect();
    let clusters = build_clusters(&members, &pairs);
    let docs = outcomes(&analyzed, &clusters, &pairs, &shingle_sets);
    progress.finish();

    let warnings = analyzed
        .iter()
        .filter_map(|a| a.outcome.as_ref().ok())
        .flat_map(|(doc, _, _, _)| doc.warnings.iter().cloned())
        .collect();
    let stats = ScanStats {
        records: docs.len(),
        rejected: docs
            .iter()
            .filter(|d| d.status == DocStatus::Rejected)
            .count(),
        candidates: candidates.len(),
        verified: pairs.len(),
        input_bytes: corpus.total_bytes(),
        ignored_files: corpus.ignored_files().len(),
    };
    Ok(ScanResult {
        params: params.clone(),
        docs,
        pairs,
        clusters,
        stats,
        warnings,
    })
}

/// The per-document stages: parse, normalize, shingle, sketch, band.
fn analyze(
    raw: &crate::corpus::RawRecord,
    params: &ScanParams,
    hasher: &MinHasher,
) -> std::result::Result<(Document, Vec<u64>, Vec<BandKey>, u32), Rejection> {
    let doc = parse_record(raw, &params.read)?;
    let normalized = normalize(&doc.text);
    let units = params.shingle.units(&normalized);
    if units < params.shingle.size() {
        let unit = match params.shingle.kind() {
            ShingleKind::Words(_) => "words",
            ShingleKind::Chars(_) => "characters",
        };
        let reason = if units == 0 {
            format!("{}: empty text", raw.origin)
        } else {
            format!(
                "{}: too short: {units} {unit}, fewer than the shingle size {}",
                raw.origin,
                params.shingle.size()
            )
        };
        return Err(Rejection {
            id: Some(doc.id),
            reason,
        });
    }
    let set = shingle_set(&normalized, &params.shingle);
    let signature = hasher
        .sketch(&set)
        .expect("a text with one shingle has a non-empty set");
    let keys = params.lsh.band_keys(&signature);
    Ok((doc, set, keys, normalized.words.len() as u32))
}

/// Rejects every record whose id was already used by an earlier record.
fn reject_duplicate_ids(analyzed: &mut [Analyzed]) {
    let mut first_seen: ahash::AHashMap<String, Origin> = ahash::AHashMap::new();
    for record in analyzed.iter_mut() {
        let id = match &record.outcome {
            Ok((doc, ..)) => doc.id.clone(),
            Err(_) => continue,
        };
        match first_seen.get(&id) {
            Some(first) => {
                record.outcome = Err(Rejection {
                    reason: format!(
                        "{}: duplicate id {id:?} (first used at {first})",
                        record.origin
                    ),
                    id: Some(id),
                });
            }
            None => {
                first_seen.insert(id, record.origin.clone());
            }
        }
    }
}

fn lsh_candidates(
    analyzed: &[Analyzed],
    bands: usize,
    progress: &dyn Progress,
) -> Vec<CandidatePair> {
    let per_band: Vec<Vec<CandidatePair>> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut entries: Vec<(BandKey, u32)> = analyzed
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    a.outcome
                        .as_ref()
                        .ok()
                        .map(|(_, _, keys, _)| (keys[band], i as u32))
                })
                .collect();
            let pairs = band_candidates(&mut entries);
            progress.advance(1);
            pairs
        })
        .collect();
    merge_candidates(per_band)
}

fn outcomes(
    analyzed: &[Analyzed],
    clusters: &[Cluster],
    pairs: &[VerifiedPair],
    sets: &[&[u64]],
) -> Vec<DocOutcome> {
    let mut docs: Vec<DocOutcome> = analyzed
        .iter()
        .map(|a| match &a.outcome {
            Ok((doc, set, _, words)) => DocOutcome {
                origin: a.origin.clone(),
                id: Some(doc.id.clone()),
                title: doc.title.clone(),
                source: doc.source.clone(),
                date: doc.date,
                status: DocStatus::Unique,
                cluster: None,
                duplicate_of: None,
                similarity: None,
                reason: None,
                words: *words,
                shingles: set.len() as u32,
            },
            Err(rejection) => DocOutcome {
                origin: a.origin.clone(),
                id: rejection.id.clone(),
                title: None,
                source: None,
                date: None,
                status: DocStatus::Rejected,
                cluster: None,
                duplicate_of: None,
                similarity: None,
                reason: Some(rejection.reason.clone()),
                words: 0,
                shingles: 0,
            },
        })
        .collect();
    for cluster in clusters {
        let rep = cluster.representative;
        for &member in &cluster.members {
            let doc = &mut docs[member as usize];
            doc.cluster = Some(cluster.id);
            if member == rep {
                doc.status = DocStatus::Original;
                continue;
            }
            doc.status = DocStatus::Duplicate;
            doc.duplicate_of = Some(rep);
            let key = (member.min(rep), member.max(rep));
            doc.similarity = Some(match pairs.binary_search_by(|p| (p.a, p.b).cmp(&key)) {
                Ok(found) => pairs[found].jaccard,
                // Joined through other members: measure against the representative directly.
                Err(_) => jaccard(sets[member as usize], sets[rep as usize]),
            });
        }
    }
    docs
}

/// Writes a generated corpus as JSONL, and the planted copies' truth when `truth` is given.
/// Articles are generated in parallel chunks and written in order.
pub fn generate(
    generator: &Generator,
    corpus_out: &mut dyn Write,
    mut truth_out: Option<&mut dyn Write>,
    threads: usize,
) -> Result<usize> {
    const CHUNK: usize = 4096;
    let docs = generator.params().docs;
    let write_error = |e: std::io::Error| Error::io("<output>", e);
    let pool = thread_pool(threads)?;
    let mut planted_total = 0;
    for chunk_start in (0..docs).step_by(CHUNK) {
        let chunk_end = (chunk_start + CHUNK).min(docs);
        let rendered: Vec<(Vec<u8>, Option<PlantedCopy>)> = pool.install(|| {
            (chunk_start..chunk_end)
                .into_par_iter()
                .map(|i| {
                    let (article, planted) = generator.article(i);
                    let mut line = serde_json::to_vec(&article).expect("articles serialize");
                    line.push(b'\n');
                    (line, planted)
                })
                .collect()
        });
        for (line, planted) in rendered {
            corpus_out.write_all(&line).map_err(write_error)?;
            if let (Some(out), Some(planted)) = (truth_out.as_deref_mut(), planted) {
                planted_total += 1;
                let mut line = serde_json::to_vec(&planted).expect("truth serializes");
                line.push(b'\n');
                out.write_all(&line).map_err(write_error)?;
            }
        }
    }
    Ok(planted_total)
}
