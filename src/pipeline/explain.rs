//! `explain`: one pair measured with the scan's own preparation and rule.

use super::main_text::MainTextJudge;
use super::*;
use crate::error::Result;
use crate::ingest::{Corpus, Document, find_documents};
use crate::relate::relation::{Overlap, Relation, Verdict};
use crate::relate::{Direction, Side, direction};
use crate::text::shingle::Shingler;
use crate::verify::VerifiedPair;
use crate::verify::align::Passage;

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
    let mut docs = find_documents(corpus, &params.read, &[id_a, id_b])?.into_iter();
    let (a, b) = (docs.next().expect("two ids"), docs.next().expect("two ids"));
    // The same preparation and measurement as the scan, so the verdict matches its reports.
    let mut shingler = Shingler::new(params.shingle);
    let mut judge = MainTextJudge::default();
    let mut open = |doc: &Document| {
        let main = judge
            .main_text(
                &doc.text,
                doc.title.as_deref(),
                doc.page,
                params.shingle.seed(),
            )
            .into_owned();
        OpenDoc::new(doc.text.clone(), Some(main), params, &mut shingler, false)
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
