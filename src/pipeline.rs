//! The orchestrator: runs the stages over a corpus and is the only place that uses rayon.
//!
//! Records are read serially in batches; each batch is parsed, normalized, shingled and
//! sketched in parallel (the work per document is serial). LSH runs one band per task,
//! verification one candidate pair per task, clustering serially. Every parallel step
//! collects in input order, so results do not depend on the number of threads.

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::align::{AlignParams, Passage, align};
use crate::cluster::{Cluster, MemberInfo, build_clusters};
use crate::corpus::{
    BATCH_BYTES, Corpus, Document, Origin, RawRecord, ReadOptions, RecordPosition, Rejection,
    changed_input, find_documents, parse_record,
};
use crate::error::{Error, Result};
use crate::lsh::{BandKey, CandidatePair, LshParams, band_candidates, merge_candidates};
use crate::minhash::{MinHashParams, MinHasher};
use crate::normalize::normalize;
use crate::shingle::{ShingleKind, ShingleParams, Shingler, shingle_set};
use crate::synth::{ArticleTruth, Generator};
use crate::verify::{VerifiedPair, verify_pair};

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
    /// Normalized words (characters with `--char-ngrams`).
    pub words: u32,
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
///
/// Memory stays proportional to the number of documents, not to their text: the first pass
/// keeps per document only its metadata and LSH band keys; the second pass reads the corpus
/// again and rebuilds shingle sets only for documents in candidate pairs, holding each set
/// just until its last partner has been verified.
pub fn scan(corpus: &Corpus, params: &ScanParams, progress: &dyn Progress) -> Result<ScanResult> {
    with_threads(params.threads, || scan_in_pool(corpus, params, progress))?
}

fn scan_in_pool(
    corpus: &Corpus,
    params: &ScanParams,
    progress: &dyn Progress,
) -> Result<ScanResult> {
    let bands = params.lsh.bands();
    progress.stage("signatures", corpus.total_bytes());
    let FirstPass {
        mut docs,
        keys,
        warnings,
        positions,
    } = first_pass(corpus, params, progress)?;
    reject_duplicate_ids(&mut docs);
    let accepted: Vec<bool> = docs
        .iter()
        .map(|d| d.status != DocStatus::Rejected)
        .collect();

    progress.stage("candidates", bands as u64);
    let candidates = lsh_candidates(&keys, &accepted, bands, progress);
    drop(keys);
    let candidate_count = candidates.len();

    let threshold = params.threshold;
    let (pairs, shingle_counts) = verify_streaming(
        "verifying",
        corpus,
        params,
        &positions,
        candidates,
        |p| p.jaccard >= threshold,
        progress,
    )?;

    let members: Vec<MemberInfo> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| MemberInfo {
            id: doc.id.as_deref().unwrap_or(""),
            date: doc.date,
            shingles: shingle_counts.get(i).copied().unwrap_or(0),
        })
        .collect();
    let clusters = build_clusters(&members, &pairs);
    drop(members);
    assign_clusters(&mut docs, &clusters, &pairs);
    fill_indirect_similarities(corpus, params, &positions, &mut docs, &clusters, progress)?;
    progress.finish();

    let stats = ScanStats {
        records: docs.len(),
        rejected: docs
            .iter()
            .filter(|d| d.status == DocStatus::Rejected)
            .count(),
        candidates: candidate_count,
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

/// What the first pass keeps: one outcome per record and the band keys of every record
/// (`bands` per record, in record order; zeros for rejected records).
struct FirstPass {
    docs: Vec<DocOutcome>,
    keys: Vec<BandKey>,
    warnings: Vec<String>,
    /// Where each record is, so later passes read only the records they need.
    positions: Vec<RecordPosition>,
}

type Sketched = (DocOutcome, Option<Vec<BandKey>>, Vec<String>);

fn first_pass(corpus: &Corpus, params: &ScanParams, progress: &dyn Progress) -> Result<FirstPass> {
    let hasher = MinHasher::new(params.minhash);
    let bands = params.lsh.bands();
    let mut pass = FirstPass {
        docs: Vec::new(),
        keys: Vec::new(),
        warnings: Vec::new(),
        positions: Vec::new(),
    };
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        let bytes: usize = batch.iter().map(|r| r.payload.len()).sum();
        pass.positions.extend(batch.iter().map(|r| r.position));
        let analyzed: Vec<Sketched> = batch
            .into_par_iter()
            .map_init(
                || Shingler::new(params.shingle),
                |shingler, raw| sketch_record(&raw, params, &hasher, shingler),
            )
            .collect();
        for (doc, keys, warnings) in analyzed {
            pass.docs.push(doc);
            match keys {
                Some(keys) => pass.keys.extend(keys),
                None => pass.keys.extend(std::iter::repeat_n(BandKey(0), bands)),
            }
            pass.warnings.extend(warnings);
        }
        progress.advance(bytes as u64);
        Ok(())
    })?;
    Ok(pass)
}

/// The per-document stages of the first pass: parse, normalize, shingle and sketch in one
/// streaming loop, then cut the signature into band keys. The shingle set is never built.
fn sketch_record(
    raw: &RawRecord,
    params: &ScanParams,
    hasher: &MinHasher,
    shingler: &mut Shingler,
) -> Sketched {
    let doc = match parse_record(raw, &params.read) {
        Ok(doc) => doc,
        Err(rejection) => return (rejected(&raw.origin, rejection), None, Vec::new()),
    };
    let mut sketch = hasher.builder();
    let units = shingler.for_each(&doc.text, |shingle| sketch.add(shingle));
    let signature = sketch.finish();
    let mut outcome = DocOutcome {
        origin: raw.origin.clone(),
        id: Some(doc.id),
        title: doc.title,
        source: doc.source,
        date: doc.date,
        status: DocStatus::Unique,
        cluster: None,
        duplicate_of: None,
        similarity: None,
        reason: None,
        words: units as u32,
    };
    match signature {
        Some(signature) if units >= params.shingle.size() => (
            outcome,
            Some(params.lsh.band_keys(&signature)),
            doc.warnings,
        ),
        _ => {
            outcome.status = DocStatus::Rejected;
            outcome.reason = Some(too_short_reason(&raw.origin, units, &params.shingle));
            (outcome, None, doc.warnings)
        }
    }
}

fn too_short_reason(origin: &Origin, units: usize, shingle: &ShingleParams) -> String {
    let unit = match shingle.kind() {
        ShingleKind::Words(_) => "words",
        ShingleKind::Chars(_) => "characters",
    };
    if units == 0 {
        format!("{origin}: empty text")
    } else {
        format!(
            "{origin}: too short: {units} {unit}, fewer than the shingle size {}",
            shingle.size()
        )
    }
}

fn rejected(origin: &Origin, rejection: Rejection) -> DocOutcome {
    DocOutcome {
        origin: origin.clone(),
        id: rejection.id,
        title: None,
        source: None,
        date: None,
        status: DocStatus::Rejected,
        cluster: None,
        duplicate_of: None,
        similarity: None,
        reason: Some(rejection.reason),
        words: 0,
    }
}

/// Rejects every record whose id was already used by an earlier record.
fn reject_duplicate_ids(docs: &mut [DocOutcome]) {
    let mut first_seen: ahash::AHashMap<String, Origin> =
        ahash::AHashMap::with_capacity(docs.len());
    for doc in docs.iter_mut() {
        if doc.status == DocStatus::Rejected {
            continue;
        }
        let id = doc.id.clone().expect("accepted records have ids");
        match first_seen.get(&id) {
            Some(first) => {
                doc.status = DocStatus::Rejected;
                doc.reason = Some(format!(
                    "{}: duplicate id {id:?} (first used at {first})",
                    doc.origin
                ));
            }
            None => {
                first_seen.insert(id, doc.origin.clone());
            }
        }
    }
}

fn lsh_candidates(
    keys: &[BandKey],
    accepted: &[bool],
    bands: usize,
    progress: &dyn Progress,
) -> Vec<CandidatePair> {
    let per_band: Vec<Vec<CandidatePair>> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut entries: Vec<(BandKey, u32)> = accepted
                .iter()
                .enumerate()
                .filter(|(_, ok)| **ok)
                .map(|(doc, _)| (keys[doc * bands + band], doc as u32))
                .collect();
            let pairs = band_candidates(&mut entries);
            progress.advance(1);
            pairs
        })
        .collect();
    merge_candidates(per_band)
}

/// Reads again only the documents in `pairs` (by their first-pass `positions`) and computes
/// exact figures for the pairs, keeping those `keep` accepts, sorted by `(a, b)`. Each set is
/// dropped as soon as the last pair that needs it has been verified, so memory follows the
/// span of the pairs, not the size of the corpus. Also returns every document's shingle set
/// size (0 for documents in no pair).
fn verify_streaming(
    stage: &str,
    corpus: &Corpus,
    params: &ScanParams,
    positions: &[RecordPosition],
    mut pairs: Vec<CandidatePair>,
    keep: impl Fn(&VerifiedPair) -> bool + Sync,
    progress: &dyn Progress,
) -> Result<(Vec<VerifiedPair>, Vec<u32>)> {
    if pairs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    // Each pair is verified when its later document arrives; a set is kept until then.
    pairs.sort_unstable_by_key(|p| (p.b, p.a));
    let mut last_use: Vec<Option<u32>> = vec![None; pairs.last().map_or(0, |p| p.b as usize + 1)];
    for pair in &pairs {
        for doc in [pair.a, pair.b] {
            let last = &mut last_use[doc as usize];
            *last = Some(last.map_or(pair.b, |l| l.max(pair.b)));
        }
    }
    // Only documents in some pair are read again, in corpus order.
    let needed: Vec<u32> = (0..last_use.len() as u32)
        .filter(|&d| last_use[d as usize].is_some())
        .collect();
    let wanted: Vec<RecordPosition> = needed.iter().map(|&d| positions[d as usize]).collect();
    progress.stage(stage, needed.len() as u64);
    let mut shingle_counts: Vec<u32> = vec![0; positions.len()];
    let mut sets: Vec<Option<Vec<u64>>> = vec![None; last_use.len()];
    let mut open: Vec<u32> = Vec::new();
    let mut verified: Vec<VerifiedPair> = Vec::new();
    let mut next_pair = 0usize;
    let mut next_needed = 0usize;
    corpus.for_each_at(&wanted, BATCH_BYTES, |batch| {
        let records = batch.len() as u64;
        let docs = &needed[next_needed..next_needed + batch.len()];
        next_needed += batch.len();
        let built: Vec<Vec<u64>> = batch
            .into_par_iter()
            .map_init(
                || Shingler::new(params.shingle),
                |shingler, raw| {
                    parse_record(&raw, &params.read)
                        .map(|doc| shingler.set(&doc.text).0)
                        .unwrap_or_default()
                },
            )
            .collect();
        for (&doc, set) in docs.iter().zip(built) {
            shingle_counts[doc as usize] = set.len() as u32;
            sets[doc as usize] = Some(set);
            open.push(doc);
        }
        // Every needed document up to the last one read is in memory now.
        let end = docs.last().map_or(0, |&d| d as usize + 1);
        let upto = next_pair + pairs[next_pair..].partition_point(|p| (p.b as usize) < end);
        let sets_ref = &sets;
        let set_of = |doc: u32| sets_ref[doc as usize].as_deref().unwrap_or(&[]);
        verified.par_extend(
            pairs[next_pair..upto]
                .par_iter()
                .map(|p| verify_pair(p.a, p.b, set_of(p.a), set_of(p.b)))
                .filter(|p| keep(p)),
        );
        next_pair = upto;
        open.retain(|&doc| {
            let still_needed = last_use[doc as usize].is_some_and(|last| last as usize >= end);
            if !still_needed {
                sets[doc as usize] = None;
            }
            still_needed
        });
        progress.advance(records);
        Ok(())
    })?;
    if next_pair != pairs.len() {
        return Err(changed_input(Path::new("<corpus>")));
    }
    verified.sort_unstable_by_key(|p| (p.a, p.b));
    Ok((verified, shingle_counts))
}

fn assign_clusters(docs: &mut [DocOutcome], clusters: &[Cluster], pairs: &[VerifiedPair]) {
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
            if let Ok(found) = pairs.binary_search_by(|p| (p.a, p.b).cmp(&key)) {
                doc.similarity = Some(pairs[found].jaccard);
            }
        }
    }
}

/// Duplicates joined to their representative only through other members have no verified
/// pair with it: measure those pairs exactly with one more, targeted read.
fn fill_indirect_similarities(
    corpus: &Corpus,
    params: &ScanParams,
    positions: &[RecordPosition],
    docs: &mut [DocOutcome],
    clusters: &[Cluster],
    progress: &dyn Progress,
) -> Result<()> {
    let missing: Vec<CandidatePair> = clusters
        .iter()
        .flat_map(|c| {
            c.members
                .iter()
                .filter(|&&m| m != c.representative && docs[m as usize].similarity.is_none())
                .map(|&m| CandidatePair::new(m, c.representative))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let (measured, _) = verify_streaming(
        "similarity",
        corpus,
        params,
        positions,
        missing,
        |_| true,
        progress,
    )?;
    for pair in measured {
        let member = if docs[pair.a as usize].status == DocStatus::Duplicate {
            pair.a
        } else {
            pair.b
        };
        docs[member as usize].similarity = Some(pair.jaccard);
    }
    Ok(())
}

/// Why two documents do or do not count as reusing each other: exact figures and the
/// reused passages.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The first document.
    pub a: Document,
    /// The second document.
    pub b: Document,
    /// Exact Jaccard and containment (indices are 0 for `a`, 1 for `b`).
    pub figures: VerifiedPair,
    /// Shingles in each document.
    pub shingles: (usize, usize),
    /// Normalized words in each document.
    pub words: (usize, usize),
    /// Reused passages, by position in `a`.
    pub passages: Vec<Passage>,
    /// Whether the pair reaches the scan threshold.
    pub above_threshold: bool,
}

/// Explains the pair `id_a`, `id_b` of the corpus with the scan's parameters.
pub fn explain(
    corpus: &Corpus,
    params: &ScanParams,
    id_a: &str,
    id_b: &str,
) -> Result<Explanation> {
    let mut docs = find_documents(corpus, &params.read, &[id_a, id_b])?.into_iter();
    let (a, b) = (docs.next().expect("two ids"), docs.next().expect("two ids"));
    let (norm_a, norm_b) = (normalize(&a.text), normalize(&b.text));
    let (set_a, set_b) = (
        shingle_set(&norm_a, &params.shingle),
        shingle_set(&norm_b, &params.shingle),
    );
    let figures = verify_pair(0, 1, &set_a, &set_b);
    let anchor = params.shingle.size().min(64);
    let passages = align(
        &norm_a,
        &norm_b,
        &AlignParams::new(anchor, AlignParams::default().max_gap())?,
    );
    Ok(Explanation {
        figures,
        shingles: (set_a.len(), set_b.len()),
        words: (norm_a.words.len(), norm_b.words.len()),
        passages,
        above_threshold: figures.jaccard >= params.threshold,
        a,
        b,
    })
}

/// Writes a generated corpus as JSONL, and one truth line per article when `truth_out` is
/// given. Returns the number of planted copies.
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
        let rendered: Vec<(Vec<u8>, ArticleTruth)> = pool.install(|| {
            (chunk_start..chunk_end)
                .into_par_iter()
                .map(|i| {
                    let (article, truth) = generator.article(i);
                    let mut line = serde_json::to_vec(&article).expect("articles serialize");
                    line.push(b'\n');
                    (line, truth)
                })
                .collect()
        });
        for (line, truth) in rendered {
            corpus_out.write_all(&line).map_err(write_error)?;
            planted_total += usize::from(truth.parent.is_some());
            if let Some(out) = truth_out.as_deref_mut() {
                let mut line = serde_json::to_vec(&truth).expect("truth serializes");
                line.push(b'\n');
                out.write_all(&line).map_err(write_error)?;
            }
        }
    }
    Ok(planted_total)
}
