//! The first pass: every record read once, parsed, judged and reduced to what later stages
//! need: metadata, band keys, fingerprints, the quality report on the document's own signals,
//! and the short lines that may turn out to be outlet templates.

use super::main_text::{MainTextJudge, blank, boilerplate_ranges, is_judged};
use super::templates::{Examples, LineCounter, LineEntry};
use super::*;
use crate::candidates::lsh::BandKey;
use crate::candidates::minhash::MinHasher;
use crate::candidates::winnow::{Fingerprint, FingerprintTable, Winnower};
use crate::error::Result;
use crate::ingest::PageOrigin;
use crate::ingest::Spool;
use crate::ingest::record::RecordWarning;
use crate::ingest::{
    BATCH_BYTES, Corpus, Origin, RawRecord, RecordPosition, Rejection, parse_record,
};
use crate::quality::boilerplate::LineAnalysis;
use crate::quality::boilerplate::line_key_with_seed;
use crate::quality::scan::{TextScan, scan_text};
use crate::quality::{Assessment, TextWords, assess_judged, combine, huge_text_parts, judge_lines};
use crate::relate::TextIdentity;
use crate::text::normalize::{WordBuffer, normalize, spaceless_chars, word_span};
use crate::text::shingle::{ShingleKind, ShingleParams, Shingler};
use rayon::prelude::*;
use std::ops::Range;

/// What the first pass keeps: one outcome per record and the band keys of every record
/// (`bands` per record, in record order; zeros for rejected records).
pub(super) struct FirstPass {
    pub(super) docs: Vec<DocOutcome>,
    pub(super) keys: Vec<BandKey>,
    pub(super) warnings: Vec<Warning>,
    /// Where each record is, so later passes read only the records they need.
    pub(super) positions: Vec<RecordPosition>,
    /// Every document's winnowed fingerprints, for the passage index (empty when it is off).
    pub(super) fingerprints: FingerprintTable,
    /// The short lines of every document that are text on its own signals (empty when
    /// quality is not assessed).
    pub(super) lines: Vec<LineEntry>,
    /// Words of lines seen in several documents, for template evidence.
    pub(super) examples: Examples,
    /// The main text of every HTML page, extracted once.
    pub(super) spool: Spool,
    /// What identifies each document's text, for grouping exact duplicates (default for
    /// rejected records).
    pub(super) identities: Vec<TextIdentity>,
    /// Whether each document's judgement found boilerplate lines (true for texts not
    /// judged): only those need judging again before verification blanks them.
    pub(super) has_boilerplate: Vec<bool>,
}

/// One record after the first pass.
pub(super) struct Analyzed {
    pub(super) outcome: DocOutcome,
    pub(super) keys: Option<Vec<BandKey>>,
    pub(super) warnings: Vec<Warning>,
    pub(super) fingerprints: Vec<Fingerprint>,
    /// The document's short lines that are text on its own signals, one per key.
    pub(super) lines: Vec<KeptLine>,
    /// The document's text, while its lines may still be kept as examples or it is to be
    /// spooled.
    pub(super) text: String,
    pub(super) identity: TextIdentity,
    pub(super) has_boilerplate: bool,
}

/// A short line, as the first pass hands it on for the template count.
pub(super) struct KeptLine {
    pub(super) key: u64,
    /// Whether it is text on the page's own signals.
    kept: bool,
    ordinal: usize,
    chars: usize,
    words: usize,
    range: Range<usize>,
    /// In how many documents of earlier batches the key was seen (an estimate, never low).
    seen_before: u8,
}

pub(super) fn first_pass(
    corpus: &Corpus,
    params: &ScanParams,
    progress: &dyn Progress,
) -> Result<FirstPass> {
    let hasher = MinHasher::new(params.minhash);
    let bands = params.lsh.bands();
    // Quality needs the templates: it counts template lines as boilerplate.
    let counter =
        (params.quality && params.templates).then(|| LineCounter::for_corpus(corpus.total_bytes()));
    // Lines seen in this many other documents have their words kept as examples (for the
    // quality evidence): every line that becomes a template is seen in at least
    // `template_min_docs` documents.
    let example_after = if params.quality {
        params.template_min_docs.saturating_sub(1).min(255) as u8
    } else {
        u8::MAX
    };
    let mut pass = FirstPass {
        docs: Vec::new(),
        keys: Vec::new(),
        warnings: Vec::new(),
        positions: Vec::new(),
        fingerprints: FingerprintTable::default(),
        lines: Vec::new(),
        examples: Examples::default(),
        spool: Spool::new()?,
        identities: Vec::new(),
        has_boilerplate: Vec::new(),
    };
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        let bytes: usize = batch.iter().map(|r| r.payload.len()).sum();
        pass.positions.extend(batch.iter().map(|r| r.position));
        let analyzed: Vec<Analyzed> = batch
            .into_par_iter()
            .map_init(
                || Worker::new(params),
                |worker, raw| analyze_record(&raw, params, &hasher, worker, counter.as_ref()),
            )
            .collect();
        // Serially, in document order: what the batch adds to the corpus-wide state.
        let mut in_batch: ahash::AHashMap<u64, u8> = ahash::AHashMap::new();
        let mut batch_keys: Vec<u64> = Vec::new();
        for analyzed in analyzed {
            let doc = pass.docs.len() as u32;
            let mut outcome = analyzed.outcome;
            match analyzed.keys {
                Some(keys) => pass.keys.extend(keys),
                None => pass.keys.extend(std::iter::repeat_n(BandKey(0), bands)),
            }
            pass.warnings.extend(analyzed.warnings);
            pass.identities.push(analyzed.identity);
            pass.has_boilerplate.push(analyzed.has_boilerplate);
            pass.fingerprints.push_document(&analyzed.fingerprints);
            for line in &analyzed.lines {
                let earlier = in_batch.entry(line.key).or_insert(0);
                if line.seen_before.saturating_add(*earlier) >= example_after {
                    pass.examples
                        .offer(line.key, &analyzed.text[line.range.clone()]);
                }
                *earlier = earlier.saturating_add(1);
                batch_keys.push(line.key);
                pass.lines.push(LineEntry::new(
                    line.key,
                    doc,
                    line.kept,
                    line.ordinal,
                    line.chars,
                    line.words,
                ));
            }
            if outcome.status != DocStatus::Rejected
                && let Some(page) = outcome.page.as_deref_mut()
            {
                page.spooled = Some(pass.spool.append(&analyzed.text)?);
            }
            pass.docs.push(outcome);
        }
        if let Some(counter) = &counter {
            counter.add_all(&batch_keys);
        }
        progress.advance(bytes as u64);
        Ok(())
    })?;
    pass.spool.flush()?;
    Ok(pass)
}

/// What one worker thread keeps from document to document: its shingler and winnower, and
/// the buffers of the scan and of the quality measures.
pub(super) struct Worker {
    shingler: Shingler,
    winnower: Option<Winnower>,
    buffer: WordBuffer,
    scan: TextScan,
    words: TextWords,
}

impl Worker {
    pub(super) fn new(params: &ScanParams) -> Self {
        Worker {
            shingler: Shingler::new(params.shingle),
            winnower: params.winnow.as_ref().map(Winnower::new),
            buffer: WordBuffer::default(),
            scan: TextScan::default(),
            words: TextWords::default(),
        }
    }
}

/// The per-document stages of the first pass, from one tokenization: parse; scan the words
/// and gaps (each word hashed once); judge the lines; shingle, sketch and winnow from the
/// word hashes; cut the signature into band keys; measure quality from the same words. The
/// shingle set is never built.
pub(super) fn analyze_record(
    raw: &RawRecord,
    params: &ScanParams,
    hasher: &MinHasher,
    worker: &mut Worker,
    counter: Option<&LineCounter>,
) -> Analyzed {
    match parse_record(raw, &params.read) {
        Ok(doc) => analyze_document(&raw.origin, doc, params, hasher, worker, counter),
        Err(rejection) => Analyzed {
            outcome: rejected(&raw.origin, rejection),
            keys: None,
            warnings: Vec::new(),
            fingerprints: Vec::new(),
            lines: Vec::new(),
            text: String::new(),
            identity: TextIdentity::default(),
            has_boilerplate: false,
        },
    }
}

/// [`analyze_record`] after parsing: the stages of one document read from `origin`.
pub(super) fn analyze_document(
    origin: &Origin,
    doc: crate::ingest::Document,
    params: &ScanParams,
    hasher: &MinHasher,
    worker: &mut Worker,
    counter: Option<&LineCounter>,
) -> Analyzed {
    let seed = worker.shingler.seed();
    // Every text but a huge one is scanned and its lines judged: relations are decided on
    // the main text (see `main_text`). A huge text is shingled whole and, with quality,
    // assessed in parts (see `assess_in_parts`).
    let judged = is_judged(&doc.text).then(|| {
        MainTextJudge::judge_into(
            &doc.text,
            doc.title.as_deref(),
            doc.page,
            seed,
            &mut worker.buffer,
            &mut worker.scan,
        )
    });
    let huge = judged.is_none();
    let mut sketch = hasher.builder();
    let mut winnower = worker.winnower.as_mut();
    let mut content = ContentHash::default();
    let mut add = |shingle| {
        sketch.add(shingle);
        content.add(shingle);
        if let Some(winnower) = winnower.as_deref_mut() {
            winnower.push(shingle);
        }
    };
    // The words of the lines that are text are shingled from their hashes; character
    // n-grams are read from the text with its boilerplate lines blanked.
    let is_text: Vec<bool> = judged.as_ref().map_or_else(Vec::new, |analysis| {
        analysis.lines.iter().map(|l| l.reason.is_none()).collect()
    });
    let has_boilerplate = judged.is_none() || is_text.contains(&false);
    let main_words = || {
        worker
            .scan
            .words()
            .iter()
            .filter(|w| is_text[w.line as usize])
    };
    let units = match &judged {
        Some(analysis) => {
            match worker
                .shingler
                .for_each_of_hashes(main_words().map(|w| w.hash), &mut add)
            {
                Some(units) => units,
                None => worker
                    .shingler
                    .for_each(&blank(&doc.text, boilerplate_ranges(analysis)), &mut add),
            }
        }
        None => worker.shingler.for_each(&doc.text, &mut add),
    };
    let fingerprints = worker
        .winnower
        .as_mut()
        .map(|w| w.finish())
        .unwrap_or_default();
    let signature = sketch.finish();
    let warnings = warnings_of(origin, doc.warnings);
    let mut outcome = DocOutcome {
        origin: origin.clone(),
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
        tokens: Some(match params.shingle.kind() {
            ShingleKind::Words(_) => Tokens::of(units, spaceless_chars(&doc.text)),
            ShingleKind::Chars(_) => Tokens::Characters,
        }),
        reuses: Vec::new(),
        quality: None,
        page: doc.page.map(|origin| {
            Box::new(Page {
                origin,
                spooled: None,
            })
        }),
    };
    let keys = match signature {
        Some(signature) if units >= params.shingle.size() => params.lsh.band_keys(&signature),
        _ => {
            outcome.status = DocStatus::Rejected;
            outcome.tokens = None;
            let whole = match (&judged, params.shingle.kind()) {
                (Some(_), ShingleKind::Words(_)) => worker.scan.words().len(),
                (Some(_), ShingleKind::Chars(_)) => worker.shingler.for_each(&doc.text, |_| {}),
                (None, _) => units,
            };
            outcome.reason = Some(Box::new(if whole >= params.shingle.size() {
                RejectReason::NoMainText {
                    units: whole,
                    main_units: units,
                    unit: unit_of(&params.shingle),
                    shingle_size: params.shingle.size(),
                }
            } else {
                too_short_reason(whole, &params.shingle)
            }));
            return Analyzed {
                outcome,
                keys: None,
                warnings,
                fingerprints: Vec::new(),
                lines: Vec::new(),
                text: String::new(),
                identity: TextIdentity::default(),
                has_boilerplate: false,
            };
        }
    };
    // The words of the main text and their span, when the scan found them.
    let main = judged.is_some().then(|| {
        let (count, first, last) = main_words().fold((0, None, None), |(n, first, _), w| {
            (n + 1, first.or(Some(w.start)), Some(w.end))
        });
        (count, (first.unwrap_or(0), last.unwrap_or(0)))
    });
    let identity = identity_of(&doc.text, content, units, params, main);
    let mut lines = Vec::new();
    // Without quality, the lines' keys alone go to the count of recurring lines (relations
    // and outlet templates need it either way); a huge text is left out of it then.
    if counter.is_none() && !huge {
        lines = keyed_lines(&worker.scan);
    }
    if let Some(counter) = counter.filter(|_| huge) {
        let (assessment, kept) =
            assess_in_parts(&doc.text, outcome.title.as_deref(), doc.page, seed, counter);
        lines = kept;
        outcome.quality = Some(Box::new(assessment));
    }
    if let (Some(counter), Some(analysis)) = (counter, judged) {
        let assessment = assess_judged(
            &doc.text,
            &worker.scan,
            &analysis,
            outcome.title.as_deref(),
            doc.page,
            &mut worker.words,
        );
        lines = kept_lines(&analysis, counter);
        outcome.quality = Some(Box::new(assessment));
    }
    Analyzed {
        outcome,
        keys: Some(keys),
        warnings,
        fingerprints,
        lines,
        text: doc.text,
        identity,
        has_boilerplate,
    }
}

/// An order-dependent hash of a document's shingle stream: two texts get the same one when
/// they have the same normalized words in the same order.
#[derive(Default)]
struct ContentHash(u64);

impl ContentHash {
    fn add(&mut self, shingle: u64) {
        // A multiply-xorshift step (the finalizer of SplitMix64) after each shingle, so that
        // order matters and equal shingles do not cancel.
        let mut h = (self.0 ^ shingle).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
        self.0 = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    }
}

/// What identifies an accepted document's text: the hash of its shingle stream and of its
/// bytes, the span of its main text's words and their count (`main` when the scan found
/// them: the count and the byte span).
fn identity_of(
    text: &str,
    content: ContentHash,
    units: usize,
    params: &ScanParams,
    main: Option<(usize, (u32, u32))>,
) -> TextIdentity {
    if let Some((words, span)) = main {
        return TextIdentity {
            content: content.0 ^ units as u64,
            bytes: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
            span,
            words: words as u32,
        };
    }
    let words = match params.shingle.kind() {
        ShingleKind::Words(_) => units,
        // Character n-grams count characters; passages count words.
        ShingleKind::Chars(_) => normalize(text).words.len(),
    };
    let span = word_span(text).unwrap_or((0, 0));
    TextIdentity {
        content: content.0 ^ units as u64,
        bytes: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        span: (span.0 as u32, span.1 as u32),
        words: words as u32,
    }
}

/// The quality of a text over [`HUGE_TEXT_PART_BYTES`], assessed in parts cut at paragraph
/// breaks, in parallel, and combined (`quality::combine`), with its short lines for the
/// template count. Memory follows the size of a part rather than of the text; measures that
/// look across the whole text (a paragraph repeated far apart) see one part at a time.
fn assess_in_parts(
    text: &str,
    title: Option<&str>,
    page: Option<PageOrigin>,
    seed: u64,
    counter: &LineCounter,
) -> (Assessment, Vec<KeptLine>) {
    let title_key = title.and_then(|t| line_key_with_seed(t, seed));
    let assessed: Vec<(Assessment, Vec<KeptLine>, usize)> = huge_text_parts(text)
        .into_par_iter()
        .map_init(
            || {
                (
                    TextScan::default(),
                    WordBuffer::default(),
                    TextWords::default(),
                )
            },
            |(scan, buffer, words), range| {
                let part = &text[range.clone()];
                scan_text(part, seed, buffer, scan);
                let analysis = judge_lines(scan, title_key, None);
                let assessment = assess_judged(part, scan, &analysis, title, None, words);
                let mut kept = kept_lines(&analysis, counter);
                for line in &mut kept {
                    line.range = line.range.start + range.start..line.range.end + range.start;
                }
                (assessment, kept, analysis.lines.len())
            },
        )
        .collect();
    let mut lines: Vec<KeptLine> = Vec::new();
    let mut by_key: ahash::AHashMap<u64, usize> = ahash::AHashMap::new();
    let mut parts = Vec::with_capacity(assessed.len());
    let mut lines_before = 0;
    for (assessment, kept, part_lines) in assessed {
        for mut line in kept {
            line.ordinal += lines_before;
            match by_key.get(&line.key) {
                // One entry per key, as for a text assessed whole.
                Some(&earlier) => {
                    let earlier = &mut lines[earlier];
                    earlier.chars += line.chars;
                    earlier.words += line.words;
                    if line.kept && !earlier.kept {
                        earlier.kept = true;
                        earlier.ordinal = line.ordinal;
                    }
                }
                None => {
                    by_key.insert(line.key, lines.len());
                    lines.push(line);
                }
            }
        }
        lines_before += part_lines;
        parts.push(assessment);
    }
    (combine(parts, page), lines)
}

/// The short lines of a document scanned for keys alone, one per key, for the template count
/// (no judgement: none is marked as text, no characters or words are counted).
fn keyed_lines(scan: &TextScan) -> Vec<KeptLine> {
    let mut seen = ahash::AHashSet::new();
    scan.lines()
        .iter()
        .enumerate()
        .filter_map(|(ordinal, line)| {
            let key = line.key?;
            seen.insert(key).then(|| KeptLine {
                key,
                kept: false,
                ordinal,
                chars: 0,
                words: 0,
                range: line.range.clone(),
                seen_before: 0,
            })
        })
        .collect()
}

/// The short lines of a document, one per key: whether any is text on the page's own
/// signals, the characters and words of those that are (summed over repeats), and the first
/// one's position.
fn kept_lines(analysis: &LineAnalysis, counter: &LineCounter) -> Vec<KeptLine> {
    let mut kept: Vec<KeptLine> = Vec::new();
    for (ordinal, line) in analysis.lines.iter().enumerate() {
        let Some(key) = line.key else {
            continue;
        };
        let is_text = line.reason.is_none();
        let (chars, words) = if is_text {
            (line.chars, line.words)
        } else {
            (0, 0)
        };
        match kept.iter_mut().find(|k| k.key == key) {
            Some(earlier) => {
                earlier.chars += chars;
                earlier.words += words;
                if is_text && !earlier.kept {
                    earlier.kept = true;
                    earlier.ordinal = ordinal;
                }
            }
            None => kept.push(KeptLine {
                key,
                kept: is_text,
                ordinal,
                chars,
                words,
                range: line.range.clone(),
                seen_before: counter.estimate(key),
            }),
        }
    }
    kept
}

pub(super) fn too_short_reason(units: usize, shingle: &ShingleParams) -> RejectReason {
    if units == 0 {
        return RejectReason::Empty;
    }
    RejectReason::TooShort {
        units,
        unit: unit_of(shingle),
        shingle_size: shingle.size(),
    }
}

/// What a text's length is counted in under these shingles.
fn unit_of(shingle: &ShingleParams) -> Unit {
    match shingle.kind() {
        ShingleKind::Words(_) => Unit::Words,
        ShingleKind::Chars(_) => Unit::Characters,
    }
}

fn warnings_of(origin: &Origin, warnings: Vec<RecordWarning>) -> Vec<Warning> {
    warnings
        .into_iter()
        .map(|warning| Warning {
            origin: origin.clone(),
            warning,
        })
        .collect()
}

pub(super) fn rejected(origin: &Origin, rejection: Rejection) -> DocOutcome {
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
        reason: Some(Box::new(RejectReason::Unreadable(rejection.problem))),
        words: 0,
        tokens: None,
        reuses: Vec::new(),
        quality: None,
        page: None,
    }
}

/// Rejects every record whose id was already used by an earlier record (a rejected record has
/// no quality).
pub(super) fn reject_duplicate_ids(docs: &mut [DocOutcome]) {
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
                doc.quality = None;
                doc.tokens = None;
                doc.reason = Some(Box::new(RejectReason::DuplicateId {
                    id,
                    first: first.clone(),
                }));
            }
            None => {
                first_seen.insert(id, doc.origin.clone());
            }
        }
    }
}

/// The first pass's work on each record, on this thread, without the corpus-wide state: what
/// the benches time per document. Returns the number of records accepted.
#[cfg(feature = "testing")]
pub fn first_pass_records(params: &ScanParams, records: &[RawRecord]) -> usize {
    let hasher = MinHasher::new(params.minhash);
    let counter = params.quality.then(|| LineCounter::for_corpus(0));
    let mut worker = Worker::new(params);
    records
        .iter()
        .filter(|raw| {
            let analyzed = analyze_record(raw, params, &hasher, &mut worker, counter.as_ref());
            analyzed.outcome.status != DocStatus::Rejected
        })
        .count()
}
