//! The second pass: only documents in candidate pairs are read again, each prepared once,
//! each pair verified, aligned and related when its later document arrives.

use super::*;
use crate::candidates::lsh::CandidatePair;
use crate::error::{Error, Result};
use crate::ingest::{BATCH_BYTES, Corpus, RecordPosition, parse_record};
use crate::relate::relation::{Overlap, RelatedPair, Relation, Verdict, decide};
use crate::text::normalize::normalize;
use crate::text::shingle::{ShingleKind, Shingler};
use crate::verify::align::{AlignText, Passage, align_prepared};
use crate::verify::{VerifiedPair, verify_pair};
use rayon::prelude::*;

/// A candidate document held in memory during verification: its shingle set and its text
/// prepared for alignment.
pub(super) struct OpenDoc {
    pub(super) set: Vec<u64>,
    pub(super) text: AlignText,
}

impl OpenDoc {
    /// Reads the text once and, when the shingles are the alignment's k-grams (the default),
    /// takes the set from the prepared text instead of shingling a second time.
    pub(super) fn new(text: &str, params: &ScanParams, shingler: &mut Shingler) -> Self {
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
pub(super) const MIN_SHARED_TO_ALIGN: u32 = 2;

/// What two prepared documents share and how they relate.
pub(super) struct PairMeasure {
    pub(super) figures: VerifiedPair,
    pub(super) passages: Option<Vec<Passage>>,
    pub(super) overlap: Option<Overlap>,
    pub(super) verdict: Verdict,
}

/// Exact figures, passages and relation of two prepared documents (corpus indices `a`, `b`).
/// Passages are aligned when `always_align`, when the pair is below the threshold and shares
/// enough to hold a passage (its relation depends on them), or when passages are asked for.
pub(super) fn measure_pair(
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
pub(super) fn relate_pair(
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
        verdict,
    } = measure_pair(a, b, doc_a, doc_b, params, false);
    let floor_link = params.cluster_floor.is_some_and(|f| figures.jaccard >= f);
    if verdict.relation() == Relation::None && !floor_link {
        return None;
    }
    Some(RelatedPair {
        figures,
        verdict,
        shares: overlap.map_or((figures.containment_ab, figures.containment_ba), |o| {
            o.shares()
        }),
        passages,
        direction: None,
    })
}

/// Reads again only the documents in `pairs` (by their first-pass `positions`), computes each
/// pair's exact figures and relation, and keeps the related ones, sorted by `(a, b)`. Each
/// document is dropped as soon as the last pair that needs it is done, so memory follows the
/// span of the pairs, not the size of the corpus. Also returns every document's shingle set
/// size (0 for documents in no pair).
pub(super) fn relate_streaming(
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
