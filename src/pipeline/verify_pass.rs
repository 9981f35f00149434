//! The second pass: only documents in candidate pairs are read again, each prepared once,
//! each pair verified, aligned and related when its later document arrives.

use super::main_text::MainTextJudge;
use super::templates::KeyedLines;
use super::*;
use crate::candidates::lsh::CandidatePair;
use crate::error::{Error, Result};
use crate::ingest::{BATCH_BYTES, Corpus, RecordPosition, Spool, SpoolRange, parse_record};
use crate::quality::boilerplate::TemplateLines;
use crate::quality::scan::{TextScan, scan_text};
use crate::relate::relation::{
    Overlap, RelatedPair, Relation, Verdict, decide, overrule_recurring,
};
use crate::text::normalize::WordBuffer;
use crate::text::normalize::normalize;
use crate::text::sets::intersection_size;
use crate::text::shingle::{ShingleKind, Shingler};
use crate::verify::align::{AlignText, Passage, align_prepared};
use crate::verify::{VerifiedPair, verify_pair};
use ahash::AHashMap;
use rayon::prelude::*;

/// A candidate document held in memory during verification: its shingle set and its text
/// prepared for alignment.
pub(super) struct OpenDoc {
    pub(super) set: Vec<u64>,
    pub(super) text: AlignText,
    /// The document's text, when quality is assessed: the template keys of its lines are
    /// found from it if it turns out to be in a partial pair (few are).
    pub(super) original: Option<String>,
    /// The shingle set of the document's own text, when some of its lines recur in other
    /// documents (see `MainTextJudge::main_and_own_text`).
    pub(super) own: Option<Vec<u64>>,
}

impl OpenDoc {
    /// Prepares `main`, the text with its boilerplate lines blanked (as long as `text`, so
    /// offsets are the original's; `None` when it is the text itself), once: when the
    /// shingles are the alignment's k-grams (the default), the set is taken from the prepared
    /// text instead of shingled a second time.
    pub(super) fn new(
        text: String,
        main: Option<String>,
        params: &ScanParams,
        shingler: &mut Shingler,
        keep_text: bool,
    ) -> Self {
        debug_assert!(main.as_ref().is_none_or(|m| m.len() == text.len()));
        let doc = Self::prepare(main.as_deref().unwrap_or(&text), params, shingler);
        OpenDoc {
            original: keep_text.then_some(text),
            ..doc
        }
    }

    fn prepare(text: &str, params: &ScanParams, shingler: &mut Shingler) -> Self {
        let same_grams =
            matches!(params.shingle.kind(), ShingleKind::Words(k) if k == params.align.anchor());
        if same_grams && let Some(prepared) = AlignText::from_original(text, shingler) {
            return OpenDoc {
                set: prepared.shingle_set(),
                text: prepared,
                original: None,
                own: None,
            };
        }
        OpenDoc {
            set: shingler.set(text).0,
            text: AlignText::new(&normalize(text), &params.align),
            original: None,
            own: None,
        }
    }
}

/// The non-blank lines of `text` with their template keys, words hashed under `seed` as in
/// the first pass.
pub(super) fn keyed_lines_of(text: &str, seed: u64) -> KeyedLines {
    let mut scan = TextScan::keys_only();
    scan_text(text, seed, &mut WordBuffer::default(), &mut scan);
    scan.lines()
        .iter()
        .map(|line| (line.key, line.range.start as u32..line.range.end as u32))
        .collect()
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
    let own_size = |doc: &OpenDoc| doc.own.as_ref().map(|own| own.len() as u32);
    let found = |own: &Option<Vec<u64>>, other: &[u64]| {
        own.as_ref()
            .map_or(0, |own| intersection_size(own, other) as u32)
    };
    let verdict = overrule_recurring(verdict, (own_size(doc_a), own_size(doc_b)), || {
        (found(&doc_a.own, &doc_b.set), found(&doc_b.own, &doc_a.set))
    });
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

/// What the verification pass found: the related pairs, every document's shingle count (0
/// for documents in no pair), and the keyed lines of documents in partial pairs (for the
/// template filter).
pub(super) struct Verified {
    pub(super) pairs: Vec<RelatedPair>,
    pub(super) shingle_counts: Vec<u32>,
    pub(super) partial_lines: AHashMap<u32, KeyedLines>,
}

impl Verified {
    /// Adds what a later verification pass found; the pairs stay sorted by `(a, b)`.
    pub(super) fn absorb(&mut self, later: Verified) {
        self.pairs.extend(later.pairs);
        self.pairs
            .sort_unstable_by_key(|p| (p.figures.a, p.figures.b));
        if self.shingle_counts.len() < later.shingle_counts.len() {
            self.shingle_counts.resize(later.shingle_counts.len(), 0);
        }
        for (count, later) in self.shingle_counts.iter_mut().zip(later.shingle_counts) {
            *count = (*count).max(later);
        }
        for (doc, lines) in later.partial_lines {
            self.partial_lines.entry(doc).or_insert(lines);
        }
    }
}

/// Reads again only the documents in `pairs` (by their first-pass `positions`; the extracted
/// text of HTML pages from the spool), computes each pair's exact figures and relation, and
/// keeps the related ones, sorted by `(a, b)`. Each document is dropped as soon as the last
/// pair that needs it is done, so memory follows the span of the pairs, not the size of the
/// corpus.
pub(super) fn relate_streaming(
    corpus: &Corpus,
    params: &ScanParams,
    sources: &TextSources,
    mut pairs: Vec<CandidatePair>,
    progress: &dyn Progress,
) -> Result<Verified> {
    let mut verified = Verified {
        pairs: Vec::new(),
        shingle_counts: Vec::new(),
        partial_lines: AHashMap::new(),
    };
    if pairs.is_empty() {
        return Ok(verified);
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
    progress.stage("verifying", needed.len() as u64);
    verified.shingle_counts = vec![0; sources.positions.len()];
    // Documents that turn out to be in a partial pair have their lines keyed from it.
    let keep_text = true;
    let mut open_docs: Vec<Option<OpenDoc>> = Vec::new();
    open_docs.resize_with(last_use.len(), || None);
    let mut open: Vec<u32> = Vec::new();
    let mut next_pair = 0usize;
    sources.for_each_text(corpus, &needed, params, |batch| {
        let records = batch.len() as u64;
        let built: Vec<(u32, OpenDoc)> = batch
            .into_par_iter()
            .map_init(
                || (Shingler::new(params.shingle), MainTextJudge::default()),
                |(shingler, judge), (doc, text)| {
                    let (main, own) = if sources.judge[doc as usize] {
                        let outcome = &sources.docs[doc as usize];
                        let page = outcome.page.as_ref().map(|p| p.origin);
                        let (main, own) = judge.main_and_own_text(
                            &text,
                            outcome.title.as_deref(),
                            page,
                            params.shingle.seed(),
                            sources.recurring,
                        );
                        (Some(main.into_owned()), own)
                    } else {
                        (None, None)
                    };
                    let mut open = OpenDoc::new(text, main, params, shingler, keep_text);
                    open.own = own.map(|own| shingler.set(&own).0);
                    (doc, open)
                },
            )
            .collect();
        let end = built.last().map_or(0, |(d, _)| *d as usize + 1);
        for (doc, built) in built {
            verified.shingle_counts[doc as usize] = built.set.len() as u32;
            open_docs[doc as usize] = Some(built);
            open.push(doc);
        }
        // Every needed document up to the last one read is in memory now.
        let upto = next_pair + pairs[next_pair..].partition_point(|p| (p.b as usize) < end);
        let open_ref = &open_docs;
        let doc_of = |d: u32| {
            open_ref[d as usize]
                .as_ref()
                .expect("read before its pairs")
        };
        let related: Vec<RelatedPair> = pairs[next_pair..upto]
            .par_iter()
            .filter_map(|p| relate_pair(p.a, p.b, doc_of(p.a), doc_of(p.b), params))
            .collect();
        // The documents of new partial pairs have their lines keyed, in parallel.
        let mut to_key: Vec<u32> = related
            .iter()
            .filter(|pair| pair.relation() == Relation::Partial)
            .flat_map(|pair| [pair.figures.a, pair.figures.b])
            .filter(|doc| !verified.partial_lines.contains_key(doc))
            .collect();
        to_key.sort_unstable();
        to_key.dedup();
        let keyed: Vec<(u32, KeyedLines)> = to_key
            .into_par_iter()
            .map(|doc| {
                let text = doc_of(doc).original.as_deref().unwrap_or("");
                (doc, keyed_lines_of(text, params.shingle.seed()))
            })
            .collect();
        verified.partial_lines.extend(keyed);
        verified.pairs.extend(related);
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
    verified
        .pairs
        .sort_unstable_by_key(|p| (p.figures.a, p.figures.b));
    Ok(verified)
}

/// Where the verification pass finds each document's text: its record in the corpus, or, for
/// an HTML page, its extracted text in the spool.
pub(super) struct TextSources<'a> {
    pub(super) positions: &'a [RecordPosition],
    pub(super) spooled: Vec<Option<SpoolRange>>,
    pub(super) spool: &'a Spool,
    /// Every document's title and page origin, which its lines are judged with.
    pub(super) docs: &'a [DocOutcome],
    /// Lines found in several documents, which a document's own text leaves out.
    pub(super) recurring: &'a TemplateLines,
    /// Whether each document is judged again: it has boilerplate lines or recurring lines.
    pub(super) judge: Vec<bool>,
}

impl TextSources<'_> {
    /// Hands `consume` the texts of the `needed` documents (in corpus order) in batches of
    /// about [`BATCH_BYTES`], in corpus order: records read again from the corpus and parsed,
    /// spooled texts read from the spool.
    fn for_each_text(
        &self,
        corpus: &Corpus,
        needed: &[u32],
        params: &ScanParams,
        mut consume: impl FnMut(Vec<(u32, String)>) -> Result<()>,
    ) -> Result<()> {
        let (from_spool, from_corpus): (Vec<u32>, Vec<u32>) = needed
            .iter()
            .partition(|&&d| self.spooled[d as usize].is_some());
        let wanted: Vec<RecordPosition> = from_corpus
            .iter()
            .map(|&d| self.positions[d as usize])
            .collect();
        let mut next_corpus = 0usize;
        let mut next_spooled = 0usize;
        // Spooled texts of documents before `before` (all of them when `None`).
        let spooled_until = |next: &mut usize, before: Option<u32>| -> Result<Vec<(u32, String)>> {
            let mut texts = Vec::new();
            while let Some(&doc) = from_spool.get(*next) {
                if before.is_some_and(|b| doc >= b) {
                    break;
                }
                let range = self.spooled[doc as usize].expect("spooled");
                texts.push((doc, self.spool.read(range)?));
                *next += 1;
            }
            Ok(texts)
        };
        corpus.for_each_at(&wanted, BATCH_BYTES, |records| {
            let docs = &from_corpus[next_corpus..next_corpus + records.len()];
            next_corpus += records.len();
            let last = *docs.last().expect("batches are not empty");
            let mut texts: Vec<(u32, String)> = records
                .into_par_iter()
                .zip(docs.par_iter())
                .map(|(raw, &doc)| {
                    let text = parse_record(&raw, &params.read)
                        .map(|doc| doc.text)
                        .unwrap_or_default();
                    (doc, text)
                })
                .collect();
            texts.extend(spooled_until(&mut next_spooled, Some(last))?);
            texts.sort_unstable_by_key(|(doc, _)| *doc);
            consume(texts)
        })?;
        // The spooled texts after the last record read from the corpus, in batches.
        loop {
            let mut batch = Vec::new();
            let mut bytes = 0;
            while bytes < BATCH_BYTES && next_spooled < from_spool.len() {
                let doc = from_spool[next_spooled];
                let range = self.spooled[doc as usize].expect("spooled");
                bytes += range.len as usize;
                batch.push((doc, self.spool.read(range)?));
                next_spooled += 1;
            }
            if batch.is_empty() {
                return Ok(());
            }
            consume(batch)?;
        }
    }
}
