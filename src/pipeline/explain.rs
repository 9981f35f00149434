//! `explain`: one pair measured with the scan's own preparation and rule.

use super::main_text::MainTextJudge;
use super::*;
use crate::error::Error;
use crate::error::Result;
use crate::ingest::{BATCH_BYTES, Corpus, Document, parse_record};
use crate::quality::boilerplate::TemplateLines;
use crate::quality::scan::{TextScan, scan_text};
use crate::relate::relation::{Overlap, Relation, Verdict};
use crate::relate::{Direction, Side, direction};
use crate::text::normalize::WordBuffer;
use crate::text::shingle::Shingler;
use crate::verify::VerifiedPair;
use crate::verify::align::Passage;
use rayon::prelude::*;

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
    /// For `copy` and `partial`: who took the text from whom, and why.
    pub direction: Option<Direction>,
}

/// Explains the pair `id_a`, `id_b` of the corpus with the scan's parameters.
pub fn explain(
    corpus: &Corpus,
    params: &ScanParams,
    id_a: &str,
    id_b: &str,
) -> Result<Explanation> {
    let (docs, recurring) = documents_and_recurring_lines(corpus, params, [id_a, id_b])?;
    let [a, b] = docs;
    // The same preparation and measurement as the scan, so the verdict matches its reports.
    let mut shingler = Shingler::new(params.shingle);
    let mut judge = MainTextJudge::default();
    let mut open = |doc: &Document| {
        let (main, own) = judge.main_and_own_text(
            &doc.text,
            doc.title.as_deref(),
            doc.page,
            params.shingle.seed(),
            &recurring,
        );
        let main = main.into_owned();
        let mut open = OpenDoc::new(doc.text.clone(), Some(main), params, &mut shingler, false);
        open.own = own.map(|own| shingler.set(&own).0);
        open
    };
    let (doc_a, doc_b) = (open(&a), open(&b));
    let measured = measure_pair(0, 1, &doc_a, &doc_b, params, true);
    let (figures, verdict) = (measured.figures, measured.verdict);
    let passages = measured.passages.expect("always aligned");
    let overlap = measured.overlap.expect("always aligned");
    let direction = (verdict.relation() != Relation::None).then(|| {
        let (share_a, share_b) = overlap.shares();
        direction(
            verdict.relation(),
            Side {
                date: a.date,
                share: share_a,
            },
            Side {
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

/// Reads the corpus once for `explain`: the documents with the two ids, and the lines that
/// recur in `--template-min-docs` documents or more, counted as the scan counts them (every
/// record read, short of those the scan goes on to reject), so that the verdict on the pair is
/// the scan's.
fn documents_and_recurring_lines(
    corpus: &Corpus,
    params: &ScanParams,
    ids: [&str; 2],
) -> Result<([Document; 2], TemplateLines)> {
    let mut found: [Option<Document>; 2] = [None, None];
    let mut keys: Vec<(u64, u32)> = Vec::new();
    let mut next_doc = 0u32;
    let seed = params.shingle.seed();
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        let parsed: Vec<Option<(Document, Vec<u64>)>> = batch
            .into_par_iter()
            .map_init(
                || (TextScan::keys_only(), WordBuffer::default()),
                |(scan, buffer), raw| {
                    let doc = parse_record(&raw, &params.read).ok()?;
                    let mut lines = Vec::new();
                    if super::main_text::is_judged(&doc.text) {
                        scan_text(&doc.text, seed, buffer, scan);
                        lines = scan.lines().iter().filter_map(|l| l.key).collect();
                        lines.sort_unstable();
                        lines.dedup();
                    }
                    Some((doc, lines))
                },
            )
            .collect();
        for (doc, lines) in parsed.into_iter().flatten() {
            keys.extend(lines.into_iter().map(|key| (key, next_doc)));
            next_doc += 1;
            for (slot, id) in found.iter_mut().zip(ids) {
                if slot.is_none() && doc.id == id {
                    *slot = Some(doc.clone());
                }
            }
        }
        Ok(())
    })?;
    let recurring = TemplateLines::count(keys, params.template_min_docs);
    let [a, b] = found;
    let missing = |id: &str| Error::UnknownId(id.to_string());
    Ok((
        [
            a.ok_or_else(|| missing(ids[0]))?,
            b.ok_or_else(|| missing(ids[1]))?,
        ],
        recurring,
    ))
}
