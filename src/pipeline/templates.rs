//! Quality across the corpus: outlet template lines counted by cluster, and every document
//! assessed.

use super::*;
use crate::error::{Error, Result};
use crate::ingest::{BATCH_BYTES, Corpus, parse_record};
use crate::quality::assess_with_lines;
use crate::quality::boilerplate::TemplateLines;
use crate::relate::relation::{RelatedPair, Relation};
use rayon::prelude::*;
use std::ops::Range;

/// Keeps only the `(line key, document)` entries of lines found in at least `min_docs`
/// documents, the only ones that can be templates, and frees the rest before the next stages:
/// most lines occur once, and a million documents hold some ten million lines.
pub(super) fn keep_recurring_lines(line_keys: &mut Vec<(u64, u32)>, min_docs: u32) {
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
pub(super) fn count_templates(
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
pub(super) fn only_templates(pair: &RelatedPair, template_ranges: &[Vec<Range<usize>>]) -> bool {
    let inside = |ranges: &[Range<usize>], start: u32, end: u32| {
        ranges
            .iter()
            .any(|r| r.start <= start as usize && end as usize <= r.end)
    };
    let (a, b) = (
        &template_ranges[pair.figures.a as usize],
        &template_ranges[pair.figures.b as usize],
    );
    pair.relation() == Relation::Partial
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
pub(super) fn assess_all(
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
