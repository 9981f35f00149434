//! The pipeline's stages one batch at a time, for feed mode (`index`): records sketched as
//! the first pass sketches them, and pairs verified and related as the verification pass does,
//! from texts and counts of recurring lines that the caller holds instead of a corpus.
//!
//! A batch's documents are sketched and prepared in parallel here, like every parallel step of
//! the pipeline, and collected in input order.

use super::first_pass::{Worker, analyze_document};
use super::main_text::MainTextJudge;
use super::templates::LineCounter;
use super::verify_pass::{OpenDoc, relate_pair};
use super::*;
use crate::candidates::lsh::BandKey;
use crate::candidates::minhash::MinHasher;
use crate::candidates::winnow::Fingerprint;
use crate::ingest::{Document, PageOrigin, RawRecord};
use crate::quality::scan::{TextScan, scan_text};
use crate::relate::{Side, direction};
use crate::text::normalize::WordBuffer;
use crate::text::shingle::Shingler;
use rayon::prelude::*;

/// One document as the first pass leaves it, with what feed mode stores of it.
#[derive(Debug)]
pub struct SketchedDoc {
    /// Its outcome so far: status `Unique`, or `Rejected` with the reason.
    pub outcome: DocOutcome,
    /// Its LSH band keys, one per band (empty when rejected).
    pub band_keys: Vec<BandKey>,
    /// Its winnowed fingerprints (empty when rejected or when the passage index is off).
    pub fingerprints: Vec<Fingerprint>,
    /// The keys of its short lines, each once: the lines that may recur in other documents.
    pub line_keys: Vec<u64>,
    /// Its text (for a page, the extracted text): what relations are decided on.
    pub text: String,
    /// Problems that did not reject it.
    pub warnings: Vec<Warning>,
    /// What identifies its text, for grouping identical texts (default when rejected).
    pub identity: TextIdentity,
}

/// A record read: its document, or its outcome when it could not be read.
#[derive(Debug)]
pub enum ParsedRecord {
    /// Read: where from, and the document.
    Read(Origin, Document),
    /// Unreadable: the rejected outcome, with the reason.
    Unreadable(DocOutcome),
}

/// Parses `records` in parallel, in input order: feed mode reads ids and texts first, so that
/// records already indexed are skipped before any work is spent on them.
pub fn parse_records(records: Vec<RawRecord>, params: &ScanParams) -> Vec<ParsedRecord> {
    records
        .into_par_iter()
        .map(
            |raw| match crate::ingest::parse_record(&raw, &params.read) {
                Ok(doc) => ParsedRecord::Read(raw.origin, doc),
                Err(rejection) => {
                    ParsedRecord::Unreadable(first_pass::rejected(&raw.origin, rejection))
                }
            },
        )
        .collect()
}

/// Sketches documents already parsed (the stored documents of an index, sketched again), in
/// parallel, in input order.
pub fn sketch_documents(docs: Vec<(Origin, Document)>, params: &ScanParams) -> Vec<SketchedDoc> {
    let hasher = MinHasher::new(params.minhash);
    let bytes: u64 = docs.iter().map(|(_, d)| d.text.len() as u64).sum();
    let counter = line_counter(params, bytes);
    docs.into_par_iter()
        .map_init(
            || Worker::new(params),
            |worker, (origin, doc)| {
                let analyzed =
                    analyze_document(&origin, doc, params, &hasher, worker, counter.as_ref());
                sketched(analyzed)
            },
        )
        .collect()
}

/// The first pass's line counter serves only the quality evidence's examples here; it is
/// needed for quality to be assessed as a scan assesses it.
fn line_counter(params: &ScanParams, bytes: u64) -> Option<LineCounter> {
    (params.quality && params.templates).then(|| LineCounter::for_corpus(bytes))
}

fn sketched(analyzed: first_pass::Analyzed) -> SketchedDoc {
    SketchedDoc {
        band_keys: analyzed.keys.unwrap_or_default(),
        fingerprints: analyzed.fingerprints,
        line_keys: analyzed.lines.iter().map(|line| line.key).collect(),
        text: analyzed.text,
        warnings: analyzed.warnings,
        identity: analyzed.identity,
        outcome: analyzed.outcome,
    }
}

/// A document's text with what its lines are judged with.
#[derive(Debug, Clone, Copy)]
pub struct TextToRelate<'a> {
    /// The text.
    pub text: &'a str,
    /// Its headline.
    pub title: Option<&'a str>,
    /// What is known of its page, when it came as HTML.
    pub page: Option<PageOrigin>,
}

/// The keys of a text's lines that have one (short lines), each once, as the first pass
/// counts them for the recurring lines.
pub fn line_keys(text: &str, params: &ScanParams) -> Vec<u64> {
    let mut scan = TextScan::keys_only();
    scan_text(
        text,
        params.shingle.seed(),
        &mut WordBuffer::default(),
        &mut scan,
    );
    let mut keys: Vec<u64> = scan.lines().iter().filter_map(|line| line.key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// `work` applied to every item in parallel, each thread with its own state from `init`;
/// the results in order. For the index layer's per-document work outside the stages (texts
/// compressed for storing), so that rayon stays in the pipeline.
pub fn map_in_parallel<T: Sync, S, U: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, &T) -> U + Sync + Send,
) -> Vec<U> {
    items.par_iter().map_init(init, work).collect()
}

/// `first` and `second` run side by side: for the index layer, a batch's first pass beside
/// the commit of the batch before.
pub fn both<A: Send, B: Send>(
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B + Send,
) -> (A, B) {
    rayon::join(first, second)
}

/// `items` sorted (unstably) in parallel: for the index layer's look-ups of a batch's keys.
pub fn sort_in_parallel<T: Ord + Send>(items: &mut [T]) {
    items.par_sort_unstable();
}

/// [`line_keys`] of every text, in parallel, in order.
pub fn line_keys_of_all(texts: &[&str], params: &ScanParams) -> Vec<Vec<u64>> {
    texts
        .par_iter()
        .map(|text| line_keys(text, params))
        .collect()
}

/// A document prepared for verification: its main text's shingles and words, as the
/// verification pass prepares it.
pub struct PreparedDoc(OpenDoc);

impl PreparedDoc {
    /// Shingles in its main text.
    pub fn shingles(&self) -> usize {
        self.0.set.len()
    }
}

/// Prepares `texts` for verification in parallel, in order: each text's boilerplate lines
/// blanked and, where some of its lines are in `recurring` (the lines found in at least
/// `--template-min-docs` documents, with their counts), its own text found as a scan finds it.
pub fn prepare(
    texts: &[TextToRelate<'_>],
    recurring: &TemplateLines,
    params: &ScanParams,
) -> Vec<PreparedDoc> {
    texts
        .par_iter()
        .map_init(
            || (Shingler::new(params.shingle), MainTextJudge::default()),
            |(shingler, judge), doc| {
                PreparedDoc(open_doc(doc, recurring, params, shingler, judge, false))
            },
        )
        .collect()
}

/// One text prepared for verification, as the verification pass prepares it: its boilerplate
/// lines blanked and its own text found against `recurring`; `keep_text` keeps the text for
/// keying its lines later.
pub(super) fn open_doc(
    doc: &TextToRelate<'_>,
    recurring: &TemplateLines,
    params: &ScanParams,
    shingler: &mut Shingler,
    judge: &mut MainTextJudge,
    keep_text: bool,
) -> OpenDoc {
    let (main, own) = judge.main_and_own_text(
        doc.text,
        doc.title,
        doc.page,
        params.shingle.seed(),
        recurring,
    );
    let main = match main {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(main) => Some(main),
    };
    let mut open = OpenDoc::new(doc.text.to_string(), main, params, shingler, keep_text);
    open.own = own.map(|own| shingler.set(&own).0);
    open
}

/// The copy or partial relation of documents `a` < `b` (numbers the caller gives them), with
/// its figures and passages; `None` when they do not reuse each other's text.
pub fn relate(
    a: u32,
    b: u32,
    doc_a: &PreparedDoc,
    doc_b: &PreparedDoc,
    params: &ScanParams,
) -> Option<RelatedPair> {
    let pair = relate_pair(a, b, &doc_a.0, &doc_b.0, params)?;
    (pair.relation() != Relation::None).then_some(pair)
}

/// Decides which document of a related pair the text came from, by date or, without dates,
/// by the shape of the overlap, as a scan does for pairs outside a cluster.
pub fn orient(pair: &mut RelatedPair, date_a: Option<i64>, date_b: Option<i64>) {
    let side = |date, share| Side { date, share };
    pair.direction = Some(direction(
        pair.relation(),
        side(date_a, pair.shares.0),
        side(date_b, pair.shares.1),
    ));
}

/// Relates every pair `(a, b)` of `pairs` (`a < b`) whose documents are `prepared` by
/// number, in parallel; the related ones in the order of `pairs`.
pub fn relate_pairs(
    pairs: &[(u32, u32)],
    prepared: &ahash::AHashMap<u32, PreparedDoc>,
    params: &ScanParams,
) -> Vec<RelatedPair> {
    pairs
        .par_iter()
        .filter_map(|&(a, b)| relate(a, b, &prepared[&a], &prepared[&b], params))
        .collect()
}

/// Whether a partial pair shares nothing but outlet template lines (`templates`: lines in the
/// documents of at least `--template-min-docs` different clusters), as a scan drops such pairs.
pub fn shares_only_templates(
    pair: &RelatedPair,
    text_a: &str,
    text_b: &str,
    templates: &TemplateLines,
    params: &ScanParams,
) -> bool {
    let seed = params.shingle.seed();
    let lines: ahash::AHashMap<u32, super::templates::KeyedLines> = [
        (
            pair.figures.a,
            super::verify_pass::keyed_lines_of(text_a, seed),
        ),
        (
            pair.figures.b,
            super::verify_pass::keyed_lines_of(text_b, seed),
        ),
    ]
    .into_iter()
    .collect();
    super::templates::only_templates(pair, &lines, templates)
}
