//! The orchestrator: runs the stages over a corpus and is the only place that uses rayon.
//!
//! Records are read serially in batches; each batch is parsed, normalized, shingled and
//! sketched in parallel (the work per document is serial). LSH runs one band per task,
//! verification one candidate pair per task, clustering serially. Every parallel step
//! collects in input order, so results do not depend on the number of threads.

use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use crate::candidates::lsh::{
    BandKey, CandidatePair, LshParams, band_candidates, merge_candidates,
};
use crate::candidates::minhash::{MinHashParams, MinHasher};
use crate::candidates::winnow::{
    Fingerprint, Posting, WinnowParams, Winnower, fingerprint_of, posting, posting_pairs,
    shared_enough,
};
use crate::error::{Error, Result};
use crate::ingest::{
    BATCH_BYTES, Corpus, Document, Origin, RawRecord, ReadOptions, RecordPosition, Rejection,
    find_documents, parse_record,
};
use crate::quality::boilerplate::{TemplateLines, TextKind, analyze_lines, line_keys};
use crate::quality::{QualityReport, assess_with_lines};
use crate::relate::cluster::{Cluster, MemberInfo, build_clusters};
use crate::relate::relation::{
    Overlap, RelatedPair, Relation, RelationParams, Side, Verdict, decide, direction,
};
use crate::synth::{ArticleTruth, Generator};
use crate::text::normalize::normalize;
use crate::text::shingle::{ShingleKind, ShingleParams, Shingler};
use crate::verify::align::{AlignParams, AlignText, Passage, align_prepared};
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
    /// The copy / partial decision rule.
    pub relation: RelationParams,
    /// The containment-aware candidate index; `None` keeps only Jaccard LSH candidates (and
    /// misses low-Jaccard copies and partial reuse). By default, on.
    pub winnow: Option<WinnowParams>,
    /// How passages are aligned.
    pub align: AlignParams,
    /// Whether the reused passages of pairs that are copies by Jaccard alone are computed and
    /// reported. Pairs below the threshold are aligned either way, to decide their relation.
    /// By default, true.
    pub passages: bool,
    /// A cluster member must be a copy of the representative, or have at least this exact
    /// Jaccard with it. By default, `None`: copies only.
    pub cluster_floor: Option<f64>,
    /// Quality assessment (boilerplate, padding, stuffing) of every document; `None` skips
    /// it. By default, on.
    pub quality: Option<QualityParams>,
}

/// How documents are assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityParams {
    /// A line recurring in the documents of at least this many clusters (a document in none
    /// is its own) is an outlet template. By default, 3.
    pub template_min_docs: u32,
}

impl Default for QualityParams {
    fn default() -> Self {
        QualityParams {
            template_min_docs: 3,
        }
    }
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
            relation: RelationParams::default(),
            winnow: Some(WinnowParams::for_shingles(shingle.kind())),
            // Passages anchor on as many words as a word shingle has; alignment is word-based,
            // so character n-grams keep the default anchor.
            align: match shingle.kind() {
                ShingleKind::Words(k) => AlignParams::new(k, AlignParams::default().max_gap())?,
                ShingleKind::Chars(_) => AlignParams::default(),
            },
            passages: true,
            cluster_floor: None,
            quality: Some(QualityParams::default()),
        })
    }

    /// Sets the cluster floor, checking it is a similarity.
    pub fn with_cluster_floor(mut self, floor: Option<f64>) -> Result<Self> {
        if let Some(f) = floor
            && !(0.0..=1.0).contains(&f)
        {
            return Err(Error::param(
                "--cluster-floor",
                format!("must be in [0, 1], got {f}"),
            ));
        }
        self.cluster_floor = floor;
        Ok(self)
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
    /// The documents this one took text from, by corpus index (see [`Reuse`]).
    pub reuses: Vec<Reuse>,
    /// Its quality, unless it was rejected or quality was not assessed.
    pub quality: Option<Box<QualityReport>>,
}

/// Text a document took from another one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reuse {
    /// The source document's corpus index.
    pub from: u32,
    /// `Copy` or `Partial`.
    pub relation: Relation,
    /// Share of this document's words that come from the source.
    pub share: f64,
}

/// Counts from a scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Input records (one per line of JSONL, one per text file).
    pub records: usize,
    /// Rejected records.
    pub rejected: usize,
    /// Candidate pairs from both indexes together.
    pub candidates: usize,
    /// Candidate pairs from Jaccard LSH.
    pub lsh_candidates: usize,
    /// Candidate pairs from the containment-aware (winnowing) index.
    pub winnow_candidates: usize,
    /// Candidate pairs at or above the threshold after exact verification.
    pub verified: usize,
    /// Pairs in the `copy` relation (those at or above the threshold included).
    pub copies: usize,
    /// Pairs in the `partial` relation.
    pub partials: usize,
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
    /// Pairs in the `copy` or `partial` relation, sorted by `(a, b)`.
    pub pairs: Vec<RelatedPair>,
    /// Clusters ordered by their first member.
    pub clusters: Vec<Cluster>,
    /// Counts.
    pub stats: ScanStats,
    /// Problems that did not reject a record (bad dates, ignored fields), in input order.
    pub warnings: Vec<String>,
    /// The lines found to recur across the corpus (empty when quality was not assessed).
    pub templates: TemplateLines,
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

/// Reads the corpus and finds its copy clusters, partial reuse and who took from whom.
///
/// Memory stays proportional to the number of documents, not to their text: the first pass
/// keeps per document only its metadata, LSH band keys and winnowed fingerprints; the second
/// pass reads again only the documents in candidate pairs, prepares each once for
/// verification and alignment, and holds it just until its last partner is done.
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
        fingerprints,
        mut line_keys,
    } = first_pass(corpus, params, progress)?;
    if let Some(quality) = &params.quality {
        keep_recurring_lines(&mut line_keys, quality.template_min_docs);
    }
    reject_duplicate_ids(&mut docs);
    let accepted: Vec<bool> = docs
        .iter()
        .map(|d| d.status != DocStatus::Rejected)
        .collect();

    progress.stage("candidates", bands as u64);
    let from_lsh = lsh_candidates(&keys, &accepted, bands, progress);
    drop(keys);
    let from_winnow = match &params.winnow {
        Some(winnow) => winnow_candidates(fingerprints, &accepted, winnow),
        None => Vec::new(),
    };
    let (lsh_count, winnow_count) = (from_lsh.len(), from_winnow.len());
    let candidates = merge_candidates(vec![from_lsh, from_winnow]);
    let candidate_count = candidates.len();

    let (mut pairs, shingle_counts) =
        relate_streaming(corpus, params, &positions, candidates, progress)?;
    let verified = pairs
        .iter()
        .filter(|p| p.figures.jaccard >= params.threshold)
        .count();

    let members: Vec<MemberInfo> = docs
        .iter()
        .enumerate()
        .map(|(i, doc)| MemberInfo {
            id: doc.id.as_deref().unwrap_or(""),
            date: doc.date,
            shingles: shingle_counts.get(i).copied().unwrap_or(0),
        })
        .collect();
    let clusters = build_clusters(&members, &pairs, params.cluster_floor);
    drop(members);
    assign_clusters(&mut docs, &clusters, &pairs);
    // Pairs kept only to let the cluster floor admit members are not reuse.
    pairs.retain(|p| p.relation != Relation::None);
    let templates = match &params.quality {
        Some(quality) => {
            let templates = count_templates(line_keys, &docs, clusters.len(), quality);
            progress.stage("quality", corpus.total_bytes());
            let template_ranges = assess_all(corpus, params, &templates, &mut docs, progress)?;
            // Outlet template lines shared by two of its stories are not reuse of either.
            pairs.retain(|p| !only_templates(p, &template_ranges));
            templates
        }
        None => TemplateLines::none(),
    };
    orient_pairs(&mut pairs, &docs, &clusters);
    record_reuses(&mut docs, &pairs, &clusters);
    progress.finish();

    let stats = ScanStats {
        records: docs.len(),
        rejected: docs
            .iter()
            .filter(|d| d.status == DocStatus::Rejected)
            .count(),
        candidates: candidate_count,
        lsh_candidates: lsh_count,
        winnow_candidates: winnow_count,
        verified,
        copies: pairs
            .iter()
            .filter(|p| p.relation == Relation::Copy)
            .count(),
        partials: pairs
            .iter()
            .filter(|p| p.relation == Relation::Partial)
            .count(),
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
        templates,
    })
}

/// Keeps only the `(line key, document)` entries of lines found in at least `min_docs`
/// documents, the only ones that can be templates, and frees the rest before the next stages:
/// most lines occur once, and a million documents hold some ten million lines.
fn keep_recurring_lines(line_keys: &mut Vec<(u64, u32)>, min_docs: u32) {
    line_keys.par_sort_unstable();
    let mut kept = 0;
    let mut start = 0;
    while start < line_keys.len() {
        let key = line_keys[start].0;
        let end = start + line_keys[start..].partition_point(|entry| entry.0 == key);
        if end - start >= min_docs as usize {
            line_keys.copy_within(start..end, kept);
            kept += end - start;
        }
        start = end;
    }
    line_keys.truncate(kept);
    line_keys.shrink_to_fit();
}

/// Counts the lines of every document by cluster (a document in no cluster is its own), so
/// the copies of one story count once and only a line that recurs in different stories is a
/// template.
fn count_templates(
    line_keys: Vec<(u64, u32)>,
    docs: &[DocOutcome],
    clusters: usize,
    params: &QualityParams,
) -> TemplateLines {
    let mut grouped = line_keys;
    for (_, doc) in &mut grouped {
        *doc = docs[*doc as usize]
            .cluster
            .unwrap_or(clusters as u32 + *doc);
    }
    TemplateLines::count(grouped, params.template_min_docs)
}

/// Whether a partial pair shares nothing but template lines: every passage lies inside the
/// template lines of both documents.
fn only_templates(pair: &RelatedPair, template_ranges: &[Vec<Range<usize>>]) -> bool {
    let inside = |ranges: &[Range<usize>], start: u32, end: u32| {
        ranges
            .iter()
            .any(|r| r.start <= start as usize && end as usize <= r.end)
    };
    let (a, b) = (
        &template_ranges[pair.figures.a as usize],
        &template_ranges[pair.figures.b as usize],
    );
    pair.relation == Relation::Partial
        && !a.is_empty()
        && !b.is_empty()
        && pair.passages.as_ref().is_some_and(|passages| {
            passages
                .iter()
                .all(|p| inside(a, p.a_start, p.a_end) && inside(b, p.b_start, p.b_end))
        })
}

/// Reads the corpus once more and assesses every accepted document, in parallel per batch.
/// Returns the byte ranges of each document's template lines.
fn assess_all(
    corpus: &Corpus,
    params: &ScanParams,
    templates: &TemplateLines,
    docs: &mut [DocOutcome],
    progress: &dyn Progress,
) -> Result<Vec<Vec<Range<usize>>>> {
    let mut template_ranges = vec![Vec::new(); docs.len()];
    let mut index = 0usize;
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        let bytes: usize = batch.iter().map(|r| r.payload.len()).sum();
        let end = index + batch.len();
        let outcomes = docs
            .get_mut(index..end)
            .ok_or_else(|| Error::input_changed("<corpus>"))?;
        batch
            .into_par_iter()
            .zip(outcomes.par_iter_mut())
            .zip(template_ranges[index..end].par_iter_mut())
            .for_each(|((raw, outcome), ranges)| {
                if outcome.status == DocStatus::Rejected {
                    return;
                }
                if let Ok(doc) = parse_record(&raw, &params.read) {
                    let (quality, lines) =
                        assess_with_lines(&doc.text, doc.title.as_deref(), doc.page, templates);
                    outcome.quality = Some(Box::new(quality));
                    *ranges = lines.template_ranges(&doc.text);
                }
            });
        index = end;
        progress.advance(bytes as u64);
        Ok(())
    })?;
    if index != docs.len() {
        return Err(Error::input_changed("<corpus>"));
    }
    Ok(template_ranges)
}

/// The text of a document without its boilerplate lines (for an HTML page, the extracted
/// main text without them).
pub fn clean_text(doc: &Document, templates: &TemplateLines) -> String {
    let kind = TextKind::of_page(doc.page);
    analyze_lines(&doc.text, doc.title.as_deref(), kind, templates).clean_text(&doc.text)
}

/// What the first pass keeps: one outcome per record and the band keys of every record
/// (`bands` per record, in record order; zeros for rejected records).
struct FirstPass {
    docs: Vec<DocOutcome>,
    keys: Vec<BandKey>,
    warnings: Vec<String>,
    /// Where each record is, so later passes read only the records they need.
    positions: Vec<RecordPosition>,
    /// Packed (fingerprint, document) postings for the passage index (empty when it is off).
    fingerprints: Vec<Posting>,
    /// (line key, document) for every distinct line of every document (empty when quality
    /// is not assessed).
    line_keys: Vec<(u64, u32)>,
}

/// One record after the first pass: its outcome, band keys, warnings and fingerprints.
struct Sketched {
    outcome: DocOutcome,
    keys: Option<Vec<BandKey>>,
    warnings: Vec<String>,
    fingerprints: Vec<Fingerprint>,
    line_keys: Vec<u64>,
}

fn first_pass(corpus: &Corpus, params: &ScanParams, progress: &dyn Progress) -> Result<FirstPass> {
    let hasher = MinHasher::new(params.minhash);
    let bands = params.lsh.bands();
    let mut pass = FirstPass {
        docs: Vec::new(),
        keys: Vec::new(),
        warnings: Vec::new(),
        positions: Vec::new(),
        fingerprints: Vec::new(),
        line_keys: Vec::new(),
    };
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        let bytes: usize = batch.iter().map(|r| r.payload.len()).sum();
        pass.positions.extend(batch.iter().map(|r| r.position));
        let analyzed: Vec<Sketched> = batch
            .into_par_iter()
            .map_init(
                || {
                    (
                        Shingler::new(params.shingle),
                        params.winnow.as_ref().map(Winnower::new),
                    )
                },
                |(shingler, winnower), raw| {
                    sketch_record(&raw, params, &hasher, shingler, winnower.as_mut())
                },
            )
            .collect();
        for sketched in analyzed {
            let doc = pass.docs.len() as u32;
            pass.docs.push(sketched.outcome);
            match sketched.keys {
                Some(keys) => pass.keys.extend(keys),
                None => pass.keys.extend(std::iter::repeat_n(BandKey(0), bands)),
            }
            pass.warnings.extend(sketched.warnings);
            pass.fingerprints
                .extend(sketched.fingerprints.into_iter().map(|f| posting(f, doc)));
            pass.line_keys
                .extend(sketched.line_keys.into_iter().map(|key| (key, doc)));
        }
        progress.advance(bytes as u64);
        Ok(())
    })?;
    Ok(pass)
}

/// The per-document stages of the first pass: parse, normalize, shingle, sketch and winnow in
/// one streaming loop, then cut the signature into band keys. The shingle set is never built.
fn sketch_record(
    raw: &RawRecord,
    params: &ScanParams,
    hasher: &MinHasher,
    shingler: &mut Shingler,
    mut winnower: Option<&mut Winnower>,
) -> Sketched {
    let doc = match parse_record(raw, &params.read) {
        Ok(doc) => doc,
        Err(rejection) => {
            return Sketched {
                outcome: rejected(&raw.origin, rejection),
                keys: None,
                warnings: Vec::new(),
                fingerprints: Vec::new(),
                line_keys: Vec::new(),
            };
        }
    };
    let mut sketch = hasher.builder();
    let units = match winnower.as_deref_mut() {
        Some(winnower) => shingler.for_each(&doc.text, |shingle| {
            sketch.add(shingle);
            winnower.push(shingle);
        }),
        None => shingler.for_each(&doc.text, |shingle| sketch.add(shingle)),
    };
    let fingerprints = winnower.map(|w| w.finish()).unwrap_or_default();
    let line_keys = if params.quality.is_some() {
        line_keys(&doc.text)
    } else {
        Vec::new()
    };
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
        reuses: Vec::new(),
        quality: None,
    };
    match signature {
        Some(signature) if units >= params.shingle.size() => Sketched {
            outcome,
            keys: Some(params.lsh.band_keys(&signature)),
            warnings: doc.warnings,
            fingerprints,
            line_keys,
        },
        _ => {
            outcome.status = DocStatus::Rejected;
            outcome.reason = Some(too_short_reason(&raw.origin, units, &params.shingle));
            Sketched {
                outcome,
                keys: None,
                warnings: doc.warnings,
                fingerprints: Vec::new(),
                line_keys: Vec::new(),
            }
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
        reuses: Vec::new(),
        quality: None,
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

/// Candidates from the winnowing index: documents sharing at least `min_shared` fingerprints.
/// Sorting and pairing run in parallel over slices that never split a fingerprint's postings.
fn winnow_candidates(
    mut entries: Vec<Posting>,
    accepted: &[bool],
    params: &WinnowParams,
) -> Vec<CandidatePair> {
    entries.retain(|&p| accepted[p as u32 as usize]);
    entries.par_sort_unstable();
    let slices = slices_at_runs(&entries, rayon::current_num_threads() * 8);
    let mut pairs: Vec<u64> = slices
        .into_par_iter()
        .flat_map_iter(|slice| posting_pairs(slice, params))
        .collect();
    drop(entries);
    pairs.par_sort_unstable();
    shared_enough(&pairs, params)
}

/// Cuts sorted `entries` into about `parts` slices, each cut placed between two fingerprints.
fn slices_at_runs(entries: &[Posting], parts: usize) -> Vec<&[Posting]> {
    let step = entries.len().div_ceil(parts.max(1)).max(1);
    let mut slices = Vec::with_capacity(parts);
    let mut start = 0;
    while start < entries.len() {
        let mut end = (start + step).min(entries.len());
        while end < entries.len()
            && fingerprint_of(entries[end]) == fingerprint_of(entries[end - 1])
        {
            end += 1;
        }
        slices.push(&entries[start..end]);
        start = end;
    }
    slices
}

/// A candidate document held in memory during verification: its shingle set and its text
/// prepared for alignment.
struct OpenDoc {
    set: Vec<u64>,
    text: AlignText,
}

impl OpenDoc {
    /// Reads the text once and, when the shingles are the alignment's k-grams (the default),
    /// takes the set from the prepared text instead of shingling a second time.
    fn new(text: &str, params: &ScanParams, shingler: &mut Shingler) -> Self {
        let same_grams =
            matches!(params.shingle.kind(), ShingleKind::Words(k) if k == params.align.anchor());
        if same_grams && let Some(text) = AlignText::from_original(text, shingler) {
            return OpenDoc {
                set: text.shingle_set(),
                text,
            };
        }
        OpenDoc {
            set: shingler.set(text).0,
            text: AlignText::new(&normalize(text), &params.align),
        }
    }
}

/// Pairs below the threshold sharing fewer shingles than this are not aligned: they cannot
/// hold a passage long enough to matter.
const MIN_SHARED_TO_ALIGN: u32 = 2;

/// What two prepared documents share and how they relate.
struct PairMeasure {
    figures: VerifiedPair,
    passages: Option<Vec<Passage>>,
    overlap: Option<Overlap>,
    verdict: Verdict,
}

/// Exact figures, passages and relation of two prepared documents (corpus indices `a`, `b`).
/// Passages are aligned when `always_align`, when the pair is below the threshold and shares
/// enough to hold a passage (its relation depends on them), or when passages are asked for.
fn measure_pair(
    a: u32,
    b: u32,
    doc_a: &OpenDoc,
    doc_b: &OpenDoc,
    params: &ScanParams,
    always_align: bool,
) -> PairMeasure {
    let figures = verify_pair(a, b, &doc_a.set, &doc_b.set);
    let aligned = always_align
        || if figures.jaccard >= params.threshold {
            params.passages
        } else {
            figures.intersection >= MIN_SHARED_TO_ALIGN
        };
    let passages = aligned.then(|| align_prepared(&doc_a.text, &doc_b.text, &params.align));
    let overlap = passages
        .as_ref()
        .map(|p| Overlap::new((doc_a.text.words() as u32, doc_b.text.words() as u32), p));
    let verdict = decide(
        figures.jaccard,
        params.threshold,
        overlap.as_ref(),
        &params.relation,
    );
    PairMeasure {
        figures,
        passages,
        overlap,
        verdict,
    }
}

/// One candidate pair as the scan keeps it; `None` when the pair is not worth keeping (no
/// reuse, and below the cluster floor).
fn relate_pair(
    a: u32,
    b: u32,
    doc_a: &OpenDoc,
    doc_b: &OpenDoc,
    params: &ScanParams,
) -> Option<RelatedPair> {
    let PairMeasure {
        figures,
        passages,
        overlap,
        verdict: Verdict { relation, reason },
    } = measure_pair(a, b, doc_a, doc_b, params, false);
    let floor_link = params.cluster_floor.is_some_and(|f| figures.jaccard >= f);
    if relation == Relation::None && !floor_link {
        return None;
    }
    Some(RelatedPair {
        figures,
        relation,
        reason,
        shares: overlap.map_or((figures.containment_ab, figures.containment_ba), |o| {
            o.shares()
        }),
        passages,
        from: None,
        direction: String::new(),
    })
}

/// Reads again only the documents in `pairs` (by their first-pass `positions`), computes each
/// pair's exact figures and relation, and keeps the related ones, sorted by `(a, b)`. Each
/// document is dropped as soon as the last pair that needs it is done, so memory follows the
/// span of the pairs, not the size of the corpus. Also returns every document's shingle set
/// size (0 for documents in no pair).
fn relate_streaming(
    corpus: &Corpus,
    params: &ScanParams,
    positions: &[RecordPosition],
    mut pairs: Vec<CandidatePair>,
    progress: &dyn Progress,
) -> Result<(Vec<RelatedPair>, Vec<u32>)> {
    if pairs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    // Each pair is verified when its later document arrives; a document is kept until then.
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
    progress.stage("verifying", needed.len() as u64);
    let mut shingle_counts: Vec<u32> = vec![0; positions.len()];
    let mut open_docs: Vec<Option<OpenDoc>> = Vec::new();
    open_docs.resize_with(last_use.len(), || None);
    let mut open: Vec<u32> = Vec::new();
    let mut related: Vec<RelatedPair> = Vec::new();
    let mut next_pair = 0usize;
    let mut next_needed = 0usize;
    corpus.for_each_at(&wanted, BATCH_BYTES, |batch| {
        let records = batch.len() as u64;
        let docs = &needed[next_needed..next_needed + batch.len()];
        next_needed += batch.len();
        let built: Vec<OpenDoc> = batch
            .into_par_iter()
            .map_init(
                || Shingler::new(params.shingle),
                |shingler, raw| {
                    let text = parse_record(&raw, &params.read)
                        .map(|doc| doc.text)
                        .unwrap_or_default();
                    OpenDoc::new(&text, params, shingler)
                },
            )
            .collect();
        for (&doc, built) in docs.iter().zip(built) {
            shingle_counts[doc as usize] = built.set.len() as u32;
            open_docs[doc as usize] = Some(built);
            open.push(doc);
        }
        // Every needed document up to the last one read is in memory now.
        let end = docs.last().map_or(0, |&d| d as usize + 1);
        let upto = next_pair + pairs[next_pair..].partition_point(|p| (p.b as usize) < end);
        let open_ref = &open_docs;
        let doc_of = |d: u32| {
            open_ref[d as usize]
                .as_ref()
                .expect("read before its pairs")
        };
        related.par_extend(
            pairs[next_pair..upto]
                .par_iter()
                .filter_map(|p| relate_pair(p.a, p.b, doc_of(p.a), doc_of(p.b), params)),
        );
        next_pair = upto;
        open.retain(|&doc| {
            let still_needed = last_use[doc as usize].is_some_and(|last| last as usize >= end);
            if !still_needed {
                open_docs[doc as usize] = None;
            }
            still_needed
        });
        progress.advance(records);
        Ok(())
    })?;
    if next_pair != pairs.len() {
        return Err(Error::input_changed("<corpus>"));
    }
    related.sort_unstable_by_key(|p| (p.figures.a, p.figures.b));
    Ok((related, shingle_counts))
}

/// Looks up the related pair of documents `x` and `y` in pairs sorted by `(a, b)`.
fn find_pair(pairs: &[RelatedPair], x: u32, y: u32) -> Option<&RelatedPair> {
    let key = (x.min(y), x.max(y));
    pairs
        .binary_search_by(|p| (p.figures.a, p.figures.b).cmp(&key))
        .ok()
        .map(|i| &pairs[i])
}

fn assign_clusters(docs: &mut [DocOutcome], clusters: &[Cluster], pairs: &[RelatedPair]) {
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
            // Every member is linked to its representative directly (no chaining).
            doc.similarity = find_pair(pairs, member, rep).map(|p| p.figures.jaccard);
        }
    }
}

/// Decides for every pair which document the text came from: a cluster's representative for
/// pairs with it, otherwise by date or, without dates, by the shape of the overlap.
fn orient_pairs(pairs: &mut [RelatedPair], docs: &[DocOutcome], clusters: &[Cluster]) {
    pairs.par_iter_mut().for_each(|pair| {
        let (a, b) = (pair.figures.a, pair.figures.b);
        let (doc_a, doc_b) = (&docs[a as usize], &docs[b as usize]);
        let same_cluster = doc_a.cluster.is_some() && doc_a.cluster == doc_b.cluster;
        if same_cluster && pair.relation == Relation::Copy {
            let cluster = &clusters[doc_a.cluster.expect("in a cluster") as usize];
            let rep = cluster.representative;
            if rep == a || rep == b {
                pair.from = Some(rep);
                pair.direction = format!(
                    "{} is the original of cluster {}: {}",
                    docs[rep as usize].id.as_deref().unwrap_or(""),
                    cluster.id,
                    cluster.reason
                );
                return;
            }
        }
        fn side(doc: &DocOutcome, share: f64) -> Side<'_> {
            Side {
                id: doc.id.as_deref().unwrap_or(""),
                date: doc.date,
                share,
            }
        }
        let (from_a, reason) = direction(
            pair.relation,
            side(doc_a, pair.shares.0),
            side(doc_b, pair.shares.1),
        );
        pair.from = from_a.map(|from_a| if from_a { a } else { b });
        pair.direction = reason;
    });
}

/// Fills each document's `reuses`: its representative for a duplicate, every source of
/// partial reuse, and any copy source outside its own cluster. Text reused from a cluster is
/// listed once, from its original (or, when no pair with the original has a direction, from
/// the member it shares most with): the copies of a story all hold the same passage.
fn record_reuses(docs: &mut [DocOutcome], pairs: &[RelatedPair], clusters: &[Cluster]) {
    for pair in pairs {
        let Some(from) = pair.from else { continue };
        let (a, b) = (pair.figures.a, pair.figures.b);
        let (borrower, share) = if from == a {
            (b, pair.shares.1)
        } else {
            (a, pair.shares.0)
        };
        let (doc, source) = (&docs[borrower as usize], &docs[from as usize]);
        let listed = match pair.relation {
            Relation::Partial => true,
            Relation::Copy => {
                doc.duplicate_of == Some(from)
                    || doc.cluster.is_none()
                    || doc.cluster != source.cluster
            }
            Relation::None => false,
        };
        if listed {
            docs[borrower as usize].reuses.push(Reuse {
                from,
                relation: pair.relation,
                share,
            });
        }
    }
    let cluster_of: Vec<Option<u32>> = docs.iter().map(|d| d.cluster).collect();
    for doc in docs.iter_mut() {
        if doc.reuses.len() > 1 {
            doc.reuses = one_per_cluster(std::mem::take(&mut doc.reuses), &cluster_of, clusters);
        }
    }
}

/// Keeps, among partial reuses of members of one cluster, only the one from its original, or
/// else the largest; sorts the result by relation, then source.
fn one_per_cluster(
    mut reuses: Vec<Reuse>,
    cluster_of: &[Option<u32>],
    clusters: &[Cluster],
) -> Vec<Reuse> {
    let rank = |r: &Reuse| {
        let group = match (r.relation, cluster_of[r.from as usize]) {
            (Relation::Partial, Some(c)) => Some(c),
            _ => None,
        };
        let is_rep = group.is_some_and(|c| clusters[c as usize].representative == r.from);
        (
            r.relation,
            group.map_or(r.from, |c| c),
            group.is_none(),
            !is_rep,
        )
    };
    reuses.sort_by(|x, y| {
        rank(x)
            .cmp(&rank(y))
            .then(y.share.total_cmp(&x.share))
            .then(x.from.cmp(&y.from))
    });
    reuses.dedup_by(|later, kept| {
        let (l, k) = (rank(later), rank(kept));
        l.0 == k.0 && l.1 == k.1 && !l.2 && !k.2
    });
    reuses.sort_by_key(|r| (r.relation, r.from));
    reuses
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
    /// What the passages amount to.
    pub overlap: Overlap,
    /// Whether the pair reaches the scan threshold.
    pub above_threshold: bool,
    /// The relation and the figures that decided it.
    pub verdict: Verdict,
    /// For `copy` and `partial`: whether `a` is the source (`None`: unknown), and why.
    pub direction: Option<(Option<bool>, String)>,
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
    // The same preparation and measurement as the scan, so the verdict matches its reports.
    let mut shingler = Shingler::new(params.shingle);
    let (doc_a, doc_b) = (
        OpenDoc::new(&a.text, params, &mut shingler),
        OpenDoc::new(&b.text, params, &mut shingler),
    );
    let measured = measure_pair(0, 1, &doc_a, &doc_b, params, true);
    let (figures, verdict) = (measured.figures, measured.verdict);
    let passages = measured.passages.expect("always aligned");
    let overlap = measured.overlap.expect("always aligned");
    let direction = (verdict.relation != Relation::None).then(|| {
        let (share_a, share_b) = overlap.shares();
        direction(
            verdict.relation,
            Side {
                id: &a.id,
                date: a.date,
                share: share_a,
            },
            Side {
                id: &b.id,
                date: b.date,
                share: share_b,
            },
        )
    });
    Ok(Explanation {
        figures,
        shingles: (doc_a.set.len(), doc_b.set.len()),
        words: (doc_a.text.words(), doc_b.text.words()),
        passages,
        overlap,
        above_threshold: figures.jaccard >= params.threshold,
        verdict,
        direction,
        a,
        b,
    })
}

/// Writes a generated corpus as JSONL, and one truth line per article when `truth_out` is
/// given. Returns the number of planted copies and partial lifts.
/// Articles are generated in parallel chunks and written in order.
pub fn generate(
    generator: &Generator,
    corpus_out: &mut dyn Write,
    mut truth_out: Option<&mut dyn Write>,
    threads: usize,
) -> Result<(usize, usize)> {
    const CHUNK: usize = 4096;
    let docs = generator.params().docs;
    let write_error = |e: std::io::Error| Error::io("<output>", e);
    let pool = thread_pool(threads)?;
    let (mut planted_total, mut lifts_total) = (0, 0);
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
            planted_total += usize::from(truth.kind == "copy");
            lifts_total += usize::from(truth.kind == "partial");
            if let Some(out) = truth_out.as_deref_mut() {
                let mut line = serde_json::to_vec(&truth).expect("truth serializes");
                line.push(b'\n');
                out.write_all(&line).map_err(write_error)?;
            }
        }
    }
    Ok((planted_total, lifts_total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_in_enough_documents_are_kept_for_template_counting() {
        let mut keys = vec![(7, 0), (9, 0), (7, 1), (5, 1), (7, 2), (9, 2), (3, 3)];
        keep_recurring_lines(&mut keys, 2);
        assert_eq!(keys, [(7, 0), (7, 1), (7, 2), (9, 0), (9, 2)]);
        keep_recurring_lines(&mut keys, 3);
        assert_eq!(keys, [(7, 0), (7, 1), (7, 2)]);
    }
}
