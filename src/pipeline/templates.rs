//! Outlet templates across the corpus. The first pass records every short line that is text
//! on its page's own signals ([`LineEntry`]) and keeps the words of lines already seen in
//! several documents as examples ([`LineCounter`], [`Examples`]); once clusters are known, a
//! line recurring in the documents of enough clusters is a template, and each document's
//! report takes its template lines in, with nothing read again.

use std::ops::Range;
use std::sync::atomic::{AtomicU8, Ordering};

use ahash::AHashMap;
use rayon::prelude::*;

use super::*;
use crate::quality::TemplateShare;
use crate::quality::boilerplate::TemplateLines;
use crate::relate::relation::{RelatedPair, Relation};

/// One short line of a document: a line that may turn out to be an outlet template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct LineEntry {
    /// The line's key ([`crate::quality::boilerplate::line_key`]).
    pub(super) key: u64,
    /// The document.
    pub(super) doc: u32,
    /// Whether the line is text on the page's own signals, its position among the
    /// document's lines, characters and words, packed.
    packed: u32,
}

/// Bits of [`LineEntry::packed`] for characters and words: lines of up to
/// [`crate::quality::boilerplate::MAX_TEMPLATE_LINE_CHARS`] (400) characters have at most 400
/// words. One bit says whether the line is text; the line's position takes the rest and
/// saturates.
const COUNT_BITS: u32 = 9;
const COUNT_MAX: u32 = (1 << COUNT_BITS) - 1;
const KEPT_BIT: u32 = 1 << 31;
const ORDINAL_MAX: u32 = (1 << (31 - 2 * COUNT_BITS)) - 1;

impl LineEntry {
    /// A line at position `ordinal` of document `doc`; `kept` when it is text on the page's
    /// own signals (a line already found to be boilerplate still counts towards templates,
    /// but its characters are not counted twice).
    pub(super) fn new(
        key: u64,
        doc: u32,
        kept: bool,
        ordinal: usize,
        chars: usize,
        words: usize,
    ) -> Self {
        let ordinal = (ordinal as u32).min(ORDINAL_MAX);
        let chars = (chars as u32).min(COUNT_MAX);
        let words = (words as u32).min(COUNT_MAX);
        LineEntry {
            key,
            doc,
            packed: if kept { KEPT_BIT } else { 0 }
                | (ordinal << (2 * COUNT_BITS))
                | (chars << COUNT_BITS)
                | words,
        }
    }

    /// A line counted towards the templates only, for a run that does not assess quality
    /// (`pipeline::sharded`): its position, characters and words serve the quality report.
    pub(super) fn counted_only(key: u64, doc: u32) -> Self {
        LineEntry::new(key, doc, true, 0, 0, 0)
    }

    fn kept(&self) -> bool {
        self.packed & KEPT_BIT != 0
    }

    fn ordinal(&self) -> u32 {
        (self.packed & !KEPT_BIT) >> (2 * COUNT_BITS)
    }

    fn chars(&self) -> usize {
        ((self.packed >> COUNT_BITS) & COUNT_MAX) as usize
    }

    fn words(&self) -> usize {
        (self.packed & COUNT_MAX) as usize
    }
}

/// How many documents hold each line key, as a count-min sketch: two rows of saturating
/// 8-bit counters, an estimate never below the true count. It decides, while the first pass
/// runs, which lines are worth keeping words of as examples: lines already seen in
/// `template_min_docs - 1` other documents.
///
/// The pass reads the sketch as it was before each batch (the same whatever the number of
/// threads) and adds a batch's keys after it; additions commute, so the counts do not depend
/// on the order the workers run in.
pub(super) struct LineCounter {
    rows: [Vec<AtomicU8>; 2],
    mask: usize,
}

/// Salts of the sketch's two rows (odd 64-bit constants of the SplitMix64 generator).
const ROW_SALTS: [u64; 2] = [0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9];

impl LineCounter {
    /// A sketch with about two counters per line of a corpus of `bytes` bytes (news averages
    /// over 100 bytes a line), at least 2^16 and at most 2^27 a row.
    pub(super) fn for_corpus(bytes: u64) -> Self {
        let width = ((bytes / 64) as usize)
            .clamp(1 << 16, 1 << 27)
            .next_power_of_two();
        let row = || (0..width).map(|_| AtomicU8::new(0)).collect::<Vec<_>>();
        LineCounter {
            rows: [row(), row()],
            mask: width - 1,
        }
    }

    fn slot(&self, row: usize, key: u64) -> usize {
        ((key ^ ROW_SALTS[row]).wrapping_mul(0xff51_afd7_ed55_8ccd) >> 20) as usize & self.mask
    }

    /// At least the number of documents added with this key.
    pub(super) fn estimate(&self, key: u64) -> u8 {
        (0..2)
            .map(|row| self.rows[row][self.slot(row, key)].load(Ordering::Relaxed))
            .min()
            .unwrap_or(0)
    }

    /// Counts one document more for each key (keys distinct per document).
    pub(super) fn add_all(&self, keys: &[u64]) {
        keys.par_iter().for_each(|&key| {
            for row in 0..2 {
                let counter = &self.rows[row][self.slot(row, key)];
                let _ = counter
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_add(1));
            }
        });
    }
}

/// Words of lines seen in several documents, by line key: the examples template evidence
/// shows.
#[derive(Debug, Default)]
pub(super) struct Examples {
    texts: AHashMap<u64, String>,
}

impl Examples {
    /// Keeps `text` for `key` unless a text is kept for it already.
    pub(super) fn offer(&mut self, key: u64, text: &str) {
        self.texts.entry(key).or_insert_with(|| text.to_string());
    }

    fn get(&self, key: u64) -> Option<&str> {
        self.texts.get(&key).map(String::as_str)
    }
}

/// Keeps only the entries of lines found in at least `min_docs` documents (of accepted
/// records), the only ones that can be templates, and frees the rest before the next stages:
/// most lines occur once, and a million documents hold some ten million lines.
pub(super) fn keep_recurring_lines(entries: &mut Vec<LineEntry>, accepted: &[bool], min_docs: u32) {
    entries.retain(|e| accepted[e.doc as usize]);
    entries.par_sort_unstable();
    let mut kept = 0;
    let mut start = 0;
    while start < entries.len() {
        let key = entries[start].key;
        let end = start + entries[start..].partition_point(|entry| entry.key == key);
        if end - start >= min_docs as usize {
            entries.copy_within(start..end, kept);
            kept += end - start;
        }
        start = end;
    }
    entries.truncate(kept);
    entries.shrink_to_fit();
}

/// The lines kept by [`keep_recurring_lines`] with the number of documents holding each: the
/// entries are sorted by key and a document has one entry per key, so a key's run is its
/// documents.
pub(super) fn recurring_lines(entries: &[LineEntry]) -> TemplateLines {
    TemplateLines::from_counts(
        entries
            .chunk_by(|x, y| x.key == y.key)
            .map(|run| (run[0].key, run.len() as u32)),
    )
}

/// Counts the recurring lines by cluster (a document in no cluster is its own), so the copies
/// of one story count once and only a line that recurs in different stories is a template.
pub(super) fn count_templates(
    entries: &[LineEntry],
    docs: &[DocOutcome],
    min_docs: u32,
) -> TemplateLines {
    let groups = docs.len() as u32;
    let grouped: Vec<(u64, u32)> = entries
        .iter()
        .map(|e| {
            let group = docs[e.doc as usize].cluster.unwrap_or(groups + e.doc);
            (e.key, group)
        })
        .collect();
    TemplateLines::count(grouped, min_docs)
}

/// Takes every document's template lines into its quality report.
pub(super) fn apply_templates(
    entries: &[LineEntry],
    templates: &TemplateLines,
    examples: &Examples,
    docs: &mut [DocOutcome],
) {
    let mut found: Vec<(u32, u32, LineEntry, u32)> = entries
        .iter()
        .filter(|e| e.kept())
        .filter_map(|e| templates.docs(e.key).map(|c| (e.doc, e.ordinal(), *e, c)))
        .collect();
    found.par_sort_unstable_by_key(|&(doc, ordinal, entry, _)| (doc, ordinal, entry.key));
    for lines in found.chunk_by(|x, y| x.0 == y.0) {
        let doc = &mut docs[lines[0].0 as usize];
        let Some(assessment) = doc.quality.as_deref_mut() else {
            continue;
        };
        let share = TemplateShare {
            chars: lines.iter().map(|l| l.2.chars()).sum(),
            words: lines.iter().map(|l| l.2.words()).sum(),
            clusters: lines.iter().map(|l| l.3).max().unwrap_or(0),
            example: examples.get(lines[0].2.key).map(str::to_string),
        };
        assessment.report.add_templates(&assessment.basis, &share);
    }
}

/// A document's non-blank lines as the verification pass sees them: each line's key (`None`
/// for lines too long to be templates) and byte range.
pub(super) type KeyedLines = Vec<(Option<u64>, Range<u32>)>;

/// The byte ranges of a document's template lines, runs of them with nothing but white space
/// between joined into one.
fn template_ranges(lines: &KeyedLines, templates: &TemplateLines) -> Vec<Range<u32>> {
    let mut ranges: Vec<Range<u32>> = Vec::new();
    let mut previous_was_template = false;
    for (key, range) in lines {
        let is_template = key.is_some_and(|k| templates.docs(k).is_some());
        if is_template {
            match ranges.last_mut() {
                Some(last) if previous_was_template => last.end = range.end,
                _ => ranges.push(range.clone()),
            }
        }
        previous_was_template = is_template;
    }
    ranges
}

/// Whether a partial pair shares nothing but template lines: every passage lies inside the
/// template lines of both documents.
pub(super) fn only_templates(
    pair: &RelatedPair,
    lines: &AHashMap<u32, KeyedLines>,
    templates: &TemplateLines,
) -> bool {
    if pair.relation() != Relation::Partial {
        return false;
    }
    let ranges = |doc: u32| {
        lines
            .get(&doc)
            .map(|l| template_ranges(l, templates))
            .unwrap_or_default()
    };
    let (a, b) = (ranges(pair.figures.a), ranges(pair.figures.b));
    let inside = |ranges: &[Range<u32>], start: u32, end: u32| {
        ranges.iter().any(|r| r.start <= start && end <= r.end)
    };
    !a.is_empty()
        && !b.is_empty()
        && pair.passages.as_ref().is_some_and(|passages| {
            passages
                .iter()
                .all(|p| inside(&a, p.a_start, p.a_end) && inside(&b, p.b_start, p.b_end))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurring_lines_count_the_documents_of_each_kept_key() {
        let mut entries: Vec<LineEntry> = [(7, 0), (9, 1), (7, 2), (9, 3), (7, 4), (5, 5)]
            .into_iter()
            .map(|(key, doc)| LineEntry::new(key, doc, true, 0, 10, 2))
            .collect();
        keep_recurring_lines(&mut entries, &[true; 6], 2);
        let recurring = recurring_lines(&entries);
        assert_eq!(recurring.docs(7), Some(3));
        assert_eq!(recurring.docs(9), Some(2));
        assert_eq!(recurring.docs(5), None);
    }

    #[test]
    fn only_lines_in_enough_documents_are_kept_for_template_counting() {
        let entry = |key, doc| LineEntry::new(key, doc, true, 0, 10, 2);
        let mut entries = vec![
            entry(7, 0),
            entry(9, 0),
            entry(7, 1),
            entry(5, 1),
            entry(7, 2),
            entry(9, 2),
            entry(3, 3),
        ];
        let accepted = [true; 4];
        keep_recurring_lines(&mut entries, &accepted, 2);
        let keys = |entries: &[LineEntry]| -> Vec<(u64, u32)> {
            entries.iter().map(|e| (e.key, e.doc)).collect()
        };
        assert_eq!(keys(&entries), [(7, 0), (7, 1), (7, 2), (9, 0), (9, 2)]);
        keep_recurring_lines(&mut entries, &[true, true, false, true], 2);
        assert_eq!(keys(&entries), [(7, 0), (7, 1)]);
    }

    #[test]
    fn entries_pack_and_saturate() {
        let entry = LineEntry::new(1, 2, true, 3, 400, 77);
        assert_eq!(
            (entry.kept(), entry.ordinal(), entry.chars(), entry.words()),
            (true, 3, 400, 77)
        );
        let big = LineEntry::new(1, 2, false, 1 << 20, 9999, 9999);
        assert_eq!(
            (big.kept(), big.ordinal(), big.chars(), big.words()),
            (false, ORDINAL_MAX, 511, 511)
        );
    }

    #[test]
    fn the_counter_never_counts_less_than_was_added() {
        let counter = LineCounter::for_corpus(0);
        let keys: Vec<u64> = (0..5000u64).map(|k| k.wrapping_mul(0x9e37_79b9)).collect();
        counter.add_all(&keys);
        counter.add_all(&keys[..100]);
        assert!(keys[..100].iter().all(|&k| counter.estimate(k) >= 2));
        assert!(keys.iter().all(|&k| counter.estimate(k) >= 1));
        let unseen = (0..5000u64)
            .filter(|k| counter.estimate(k ^ 0xdead_beef_0000) > 0)
            .count();
        assert!(unseen < 500, "{unseen} false counts of 5000");
    }
}
