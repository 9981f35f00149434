//! Passage alignment: which stretches of two texts are the same words in the same order, as
//! byte ranges of the original texts, so a report can show exactly what was reused.
//!
//! Anchors are the word k-grams the two texts share. Anchors on the same diagonal (the same
//! offset between the texts) that follow each other form a run of identical words. Runs are
//! taken longest first, each only where it overlaps no run already taken in either text
//! (repeated phrases must not be claimed twice), then neighbouring runs are merged into one
//! passage when both texts skip at most `max_gap` words between them, which is how a passage
//! survives the odd changed word, spelling or inserted phrase.

use crate::error::{Error, Result};
use crate::text::normalize::NormalizedText;
use crate::text::shingle::{
    DEFAULT_SHINGLE_SEED, ShingleKind, ShingleParams, Shingler, WordSequence, shingle_sequence,
    word_hashes,
};

/// Validated alignment parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlignParams {
    anchor: usize,
    max_gap: usize,
}

impl Default for AlignParams {
    fn default() -> Self {
        AlignParams {
            anchor: 5,
            max_gap: 4,
        }
    }
}

impl AlignParams {
    /// `anchor` words must match in a row to start a passage (1 to 64; by default 5, the
    /// shingle size); passages merge across gaps of at most `max_gap` words in each text (by
    /// default 4).
    pub fn new(anchor: usize, max_gap: usize) -> Result<Self> {
        if !(1..=64).contains(&anchor) {
            return Err(Error::param(
                "--anchor",
                format!("must be 1 to 64, got {anchor}"),
            ));
        }
        Ok(AlignParams { anchor, max_gap })
    }

    /// Words that must match in a row to start a passage.
    pub fn anchor(&self) -> usize {
        self.anchor
    }

    /// Largest gap, in words of each text, that a passage bridges.
    pub fn max_gap(&self) -> usize {
        self.max_gap
    }
}

/// One reused passage. Byte ranges point into the original (not normalized) texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Passage {
    /// Start byte in text A.
    pub a_start: u32,
    /// End byte (exclusive) in text A.
    pub a_end: u32,
    /// Start byte in text B.
    pub b_start: u32,
    /// End byte (exclusive) in text B.
    pub b_end: u32,
    /// Words of text A inside the passage.
    pub words: u32,
    /// Words of text B inside the passage (they differ from A's by the edits bridged).
    pub b_words: u32,
}

/// A passage in word positions: `[a, a_end)` in A and `[b, b_end)` in B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WordRun {
    a: usize,
    a_end: usize,
    b: usize,
    b_end: usize,
}

impl WordRun {
    fn len(&self) -> usize {
        self.a_end - self.a
    }
}

/// A text prepared for alignment: each word's byte range in the original, its word k-gram
/// hashes in order, and those hashes sorted with their positions. Built once per document and
/// used for every pair it is in.
#[derive(Debug, Clone)]
pub struct AlignText {
    spans: Vec<(u32, u32)>,
    /// Each word's hash, for comparing the words between two runs.
    words: Vec<u64>,
    grams: Vec<u64>,
    /// Open-addressing table of k-gram positions (position + 1; 0 is empty), probed linearly
    /// from the hash's top bits: a look-up touches one or two slots.
    table: Vec<u32>,
    /// Whether the k-gram at each position occurs more than once in the text.
    repeated: Vec<bool>,
}

impl AlignText {
    /// Prepares a normalized text with k-grams of `params.anchor()` words hashed with the
    /// default shingle seed.
    pub fn new(normalized: &NormalizedText, params: &AlignParams) -> Self {
        let shingles = ShingleParams::new(ShingleKind::Words(params.anchor), DEFAULT_SHINGLE_SEED)
            .expect("1 <= anchor <= 64");
        let spans = normalized
            .words
            .iter()
            .map(|w| (w.orig_start, w.orig_end))
            .collect();
        Self::from_parts(WordSequence {
            grams: shingle_sequence(normalized, &shingles),
            spans,
            words: word_hashes(normalized, &shingles),
        })
    }

    /// Prepares `original` straight from the text with a word shingler, whose k is then the
    /// anchor length; [`Self::shingle_set`] is the document's set under its parameters.
    /// `None` when the shingler uses character n-grams.
    pub fn from_original(original: &str, shingler: &mut Shingler) -> Option<Self> {
        Some(Self::from_parts(shingler.sequence_with_spans(original)?))
    }

    fn from_parts(sequence: WordSequence) -> Self {
        let WordSequence {
            grams,
            spans,
            words,
        } = sequence;
        let size = (grams.len() * 2).next_power_of_two().max(2);
        let mut text = AlignText {
            spans,
            words,
            table: vec![0; size],
            repeated: vec![false; grams.len()],
            grams,
        };
        for position in 0..text.grams.len() {
            let hash = text.grams[position];
            let mut slot = text.slot_of(hash);
            while text.table[slot] != 0 {
                let other = text.table[slot] as usize - 1;
                if text.grams[other] == hash {
                    text.repeated[other] = true;
                    text.repeated[position] = true;
                }
                slot = (slot + 1) & (text.table.len() - 1);
            }
            text.table[slot] = position as u32 + 1;
        }
        text
    }

    #[inline]
    fn slot_of(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & (self.table.len() - 1)
    }

    /// Calls `visit` with every position whose k-gram hash is `hash`.
    #[inline]
    fn positions_of(&self, hash: u64, mut visit: impl FnMut(usize)) {
        let mut slot = self.slot_of(hash);
        while self.table[slot] != 0 {
            let position = self.table[slot] as usize - 1;
            if self.grams[position] == hash {
                visit(position);
            }
            slot = (slot + 1) & (self.table.len() - 1);
        }
    }

    /// The sorted, deduplicated k-gram hashes: the shingle set.
    pub fn shingle_set(&self) -> Vec<u64> {
        let mut set = self.grams.clone();
        set.sort_unstable();
        set.dedup();
        set
    }

    /// Words in the text.
    pub fn words(&self) -> usize {
        self.spans.len()
    }
}

/// The reused passages of `a` and `b`, ordered by their position in `a`.
pub fn align(a: &NormalizedText, b: &NormalizedText, params: &AlignParams) -> Vec<Passage> {
    align_prepared(
        &AlignText::new(a, params),
        &AlignText::new(b, params),
        params,
    )
}

/// [`align`] on prepared texts. Both must be prepared with the same k-gram size, which is
/// the anchor length.
pub fn align_prepared(a: &AlignText, b: &AlignText, params: &AlignParams) -> Vec<Passage> {
    let mut runs = merge_runs(
        claim_runs(diagonal_runs(a, b, params.anchor)),
        params.max_gap,
        (&a.words, &b.words),
    );
    extend_edges(&mut runs, params.max_gap, (&a.words, &b.words));
    let (wa, wb) = (&a.spans, &b.spans);
    runs.into_iter()
        .map(|run| Passage {
            a_start: wa[run.a].0,
            a_end: wa[run.a_end - 1].1,
            b_start: wb[run.b].0,
            b_end: wb[run.b_end - 1].1,
            words: run.len() as u32,
            b_words: (run.b_end - run.b) as u32,
        })
        .collect()
}

/// Share of `text`'s words inside the given word ranges (ranges must not overlap).
pub fn coverage(words: usize, covered: impl IntoIterator<Item = u32>) -> f64 {
    if words == 0 {
        return 0.0;
    }
    covered.into_iter().map(|w| w as usize).sum::<usize>() as f64 / words as f64
}

/// Maximal runs of consecutive shared k-grams on the same diagonal.
fn diagonal_runs(a: &AlignText, b: &AlignText, k: usize) -> Vec<WordRun> {
    let (a_grams, b_grams) = (&a.grams, &b.grams);
    let mut runs = Vec::new();
    // The run that covers position j of b, as (offset from j to its position in a, end in b).
    // Inside it, a position whose k-gram occurs once in a has no other anchor, so the look-up
    // is skipped; this is what makes aligning a copy cost about one look-up per edit.
    let mut cover: Option<(isize, usize)> = None;
    let mut j = 0;
    while j < b_grams.len() {
        if let Some((offset, end)) = cover {
            if j < end {
                if !a.repeated[j.wrapping_add_signed(offset)] {
                    j += 1;
                    continue;
                }
            } else {
                cover = None;
            }
        }
        a.positions_of(b_grams[j], |i| {
            // Extend only from a run's start: an anchor whose predecessor (i-1, j-1) is also
            // an anchor lies inside a run counted from there.
            if i > 0 && j > 0 && a_grams[i - 1] == b_grams[j - 1] {
                return;
            }
            let run = run_from(a_grams, b_grams, i, j, k);
            let length = run.b_end + 1 - k - j;
            runs.push(run);
            if cover.is_none_or(|(_, end)| j + length > end) {
                cover = Some((i as isize - j as isize, j + length));
            }
        });
        j += 1;
    }
    runs
}

/// The run of equal k-grams starting at `a_grams[i]` = `b_grams[j]`, in words.
fn run_from(a_grams: &[u64], b_grams: &[u64], i: usize, j: usize, k: usize) -> WordRun {
    let mut length = 1;
    while i + length < a_grams.len()
        && j + length < b_grams.len()
        && a_grams[i + length] == b_grams[j + length]
    {
        length += 1;
    }
    WordRun {
        a: i,
        a_end: i + length + k - 1,
        b: j,
        b_end: j + length + k - 1,
    }
}

/// Keeps runs longest first, dropping any that overlaps a kept run in either text.
fn claim_runs(mut runs: Vec<WordRun>) -> Vec<WordRun> {
    runs.sort_by(|x, y| {
        y.len()
            .cmp(&x.len())
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    // Words already claimed in each text; checking a run costs its length, not the number
    // of runs kept so far.
    let a_words = runs.iter().map(|r| r.a_end).max().unwrap_or(0);
    let b_words = runs.iter().map(|r| r.b_end).max().unwrap_or(0);
    let (mut in_a, mut in_b) = (vec![false; a_words], vec![false; b_words]);
    let mut kept: Vec<WordRun> = Vec::new();
    for run in runs {
        let free =
            !in_a[run.a..run.a_end].contains(&true) && !in_b[run.b..run.b_end].contains(&true);
        if free {
            in_a[run.a..run.a_end].fill(true);
            in_b[run.b..run.b_end].fill(true);
            kept.push(run);
        }
    }
    kept.sort_by_key(|r| (r.a, r.b));
    kept
}

/// How many times `max_gap` words a gap between two runs may span when most of its words
/// are still shared: a copy edited every six or seven words leaves stretches too short to
/// anchor (fewer than `anchor` words) between its edits, and its runs stand further apart than
/// `max_gap` while only a few words between them changed.
const BRIDGE_FACTOR: usize = 4;

/// Joins runs that follow each other in both texts when the words between them differ in at
/// most `max_gap` places: gaps of up to `max_gap` words in each text, and longer gaps (up to
/// [`BRIDGE_FACTOR`] times that) whose words, aligned with each other, leave at most
/// `max_gap` of the longer side unmatched.
fn merge_runs(runs: Vec<WordRun>, max_gap: usize, words: (&[u64], &[u64])) -> Vec<WordRun> {
    let mut merged: Vec<WordRun> = Vec::with_capacity(runs.len());
    for run in runs {
        if let Some(last) = merged.last_mut() {
            let follows = run.a >= last.a_end && run.b >= last.b_end;
            if follows {
                let (gap_a, gap_b) = (run.a - last.a_end, run.b - last.b_end);
                let longer = gap_a.max(gap_b);
                let bridged = longer <= max_gap
                    || (longer <= BRIDGE_FACTOR * max_gap
                        && longer
                            - common_words(
                                &words.0[last.a_end..run.a],
                                &words.1[last.b_end..run.b],
                            )
                            <= max_gap);
                if bridged {
                    last.a_end = run.a_end;
                    last.b_end = run.b_end;
                    continue;
                }
            }
        }
        merged.push(run);
    }
    merged
}

/// Extends each passage outward over the words beyond its ends that still mostly match: a
/// paragraph edited near its start or end keeps fewer than `anchor` matching words there, so
/// no run reaches them. Each walk may take at most half of the words between the passage and
/// the nearest other passage in each text (so two walks never meet), and at most
/// [`BRIDGE_FACTOR`] × `max_gap` words; see [`walk`]. The result does not depend on which
/// text is `a`: limits come from each text's own order of passages, and the walk treats the
/// two texts alike.
fn extend_edges(runs: &mut [WordRun], max_gap: usize, words: (&[u64], &[u64])) {
    let room_a = half_gaps(runs, words.0.len(), |r| (r.a, r.a_end));
    let room_b = half_gaps(runs, words.1.len(), |r| (r.b, r.b_end));
    let reach = BRIDGE_FACTOR * max_gap;
    for (r, run) in runs.iter_mut().enumerate() {
        let (a_words, b_words) = words;
        let back = walk(
            |x, y| a_words[run.a - 1 - x] == b_words[run.b - 1 - y],
            |x, y| x < room_a[r].0 && y < room_b[r].0,
            reach,
            max_gap,
        );
        let ahead = walk(
            |x, y| a_words[run.a_end + x] == b_words[run.b_end + y],
            |x, y| x < room_a[r].1 && y < room_b[r].1,
            reach,
            max_gap,
        );
        (run.a, run.b) = (run.a - back.0, run.b - back.1);
        (run.a_end, run.b_end) = (run.a_end + ahead.0, run.b_end + ahead.1);
    }
}

/// For each run, half the words between it and its neighbours in one text, as (before,
/// after): all the words to the text's edge where it has no neighbour. `span` gives a run's
/// word range in that text.
fn half_gaps(
    runs: &[WordRun],
    len: usize,
    span: impl Fn(&WordRun) -> (usize, usize),
) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&r| span(&runs[r]));
    let mut room = vec![(0, 0); runs.len()];
    for (rank, &r) in order.iter().enumerate() {
        let (start, end) = span(&runs[r]);
        let before = match rank.checked_sub(1) {
            Some(previous) => start.saturating_sub(span(&runs[order[previous]]).1) / 2,
            None => start,
        };
        let after = match order.get(rank + 1) {
            Some(&next) => span(&runs[next]).0.saturating_sub(end) / 2,
            None => len - end,
        };
        room[r] = (before, after);
    }
    room
}

/// Matches an extension needs for each mismatch it passes; chance matches of common words in
/// unrelated text come far more sparsely.
const MATCHES_PER_MISMATCH: usize = 3;

/// One outward walk of [`extend_edges`]: `(x, y)` counts the words taken from each text,
/// `same(x, y)` compares the next word of each, `inside(x, y)` says whether both are within
/// the walk's room. A mismatch is passed by a changed word (one from each text) when the
/// words after it match, or else by a word missing from exactly one text when only that leads
/// to a match; a choice that would favour one text ends the walk, so the result is the same
/// whichever text is `a`. The walk stops at the `max_gap`-th mismatch or after `reach` steps
/// and keeps what it took up to its last match, where it holds [`MATCHES_PER_MISMATCH`]
/// matches for each mismatch. Returns the words taken from each text.
fn walk(
    same: impl Fn(usize, usize) -> bool,
    inside: impl Fn(usize, usize) -> bool,
    reach: usize,
    max_gap: usize,
) -> (usize, usize) {
    let lands = |x: usize, y: usize| inside(x, y) && same(x, y);
    let (mut x, mut y, mut best) = (0, 0, (0, 0));
    let (mut matches, mut misses) = (0, 0);
    for _ in 0..reach {
        if !inside(x, y) {
            break;
        }
        if same(x, y) {
            (x, y) = (x + 1, y + 1);
            matches += 1;
            if matches >= MATCHES_PER_MISMATCH * misses {
                best = (x, y);
            }
            continue;
        }
        misses += 1;
        if misses > max_gap {
            break;
        }
        let (dx, dy) = if lands(x + 1, y + 1) {
            (1, 1)
        } else {
            match (lands(x + 1, y), lands(x, y + 1)) {
                (true, false) => (1, 0),
                (false, true) => (0, 1),
                _ => match (lands(x + 2, y + 1), lands(x + 1, y + 2)) {
                    (true, false) => (2, 1),
                    (false, true) => (1, 2),
                    _ => break,
                },
            }
        };
        (x, y) = (x + dx, y + dy);
    }
    best
}

/// The length of the longest common subsequence of two short word sequences.
fn common_words(a: &[u64], b: &[u64]) -> usize {
    let mut previous = vec![0usize; b.len() + 1];
    let mut current = vec![0usize; b.len() + 1];
    for &word in a {
        for (j, &other) in b.iter().enumerate() {
            current[j + 1] = if word == other {
                previous[j] + 1
            } else {
                previous[j + 1].max(current[j])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;

    /// Aligns and returns the reused passages as text pairs.
    fn check(a: &str, b: &str, expected: &[(&str, &str)]) {
        let passages = align(&normalize(a), &normalize(b), &AlignParams::default());
        let texts: Vec<(&str, &str)> = passages
            .iter()
            .map(|p| {
                (
                    &a[p.a_start as usize..p.a_end as usize],
                    &b[p.b_start as usize..p.b_end as usize],
                )
            })
            .collect();
        assert_eq!(texts, expected);
    }

    #[test]
    fn identical_text_is_one_passage() {
        let text = "The harbour bridge will close for six weeks from Monday.";
        check(
            text,
            text,
            &[(
                "The harbour bridge will close for six weeks from Monday",
                "The harbour bridge will close for six weeks from Monday",
            )],
        );
    }

    #[test]
    fn a_lifted_paragraph_is_found_inside_other_text() {
        let source = "Shop owners said they feared a quiet summer after the bridge closed.";
        let borrower = "In other news, a cat was rescued. Shop owners said they feared a quiet summer after \
                        the bridge closed. The fire service thanked the public.";
        check(
            source,
            borrower,
            &[(
                "Shop owners said they feared a quiet summer after the bridge closed",
                "Shop owners said they feared a quiet summer after the bridge closed",
            )],
        );
    }

    #[test]
    fn small_edits_inside_a_passage_do_not_split_it() {
        let a = "Drivers will be sent along the coast road through Elmsford, a detour that adds about twenty minutes.";
        let b = "Motorists will be sent along the coast road through Elmsford, a long detour that adds about twenty minutes.";
        check(
            a,
            b,
            &[(
                "will be sent along the coast road through Elmsford, a detour that adds about twenty minutes",
                "will be sent along the coast road through Elmsford, a long detour that adds about twenty minutes",
            )],
        );
    }

    /// Distinct words `w0 w1 ...`, with the word at every position in `changed` replaced.
    fn numbered(count: usize, changed: &[usize]) -> String {
        (0..count)
            .map(|i| {
                if changed.contains(&i) {
                    format!("x{i}")
                } else {
                    format!("w{i}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_passage_survives_a_changed_word_every_few_words() {
        // Three changed words within eight leave no five matching words in a row there: the
        // runs around them stand eight words apart, which only three words tell apart.
        let a = numbered(60, &[]);
        let changed = [10, 13, 17, 30, 34, 37];
        let b = numbered(60, &changed);
        let passages = align(&normalize(&a), &normalize(&b), &AlignParams::default());
        assert_eq!(passages.len(), 1, "{passages:?}");
        assert_eq!(passages[0].words, 60);
    }

    #[test]
    fn a_passage_takes_in_matching_words_before_and_after_an_edit_near_its_ends() {
        // Words 0-2 and 27-29 match but are too few to anchor a run of their own.
        let a = numbered(30, &[]);
        let b = numbered(30, &[3, 26]);
        let passages = align(&normalize(&a), &normalize(&b), &AlignParams::default());
        assert_eq!(passages.len(), 1, "{passages:?}");
        assert_eq!((passages[0].a_start, passages[0].words), (0, 30));
        // The same, whichever text comes first.
        let swapped = align(&normalize(&b), &normalize(&a), &AlignParams::default());
        assert_eq!(swapped.len(), 1);
        assert_eq!(
            (
                swapped[0].a_start,
                swapped[0].a_end,
                swapped[0].b_start,
                swapped[0].b_end
            ),
            (
                passages[0].b_start,
                passages[0].b_end,
                passages[0].a_start,
                passages[0].a_end
            )
        );
    }

    #[test]
    fn a_passage_does_not_reach_into_words_that_match_by_chance() {
        // After the shared stretch, the texts go on with different words, one in four of them
        // the same ("the"): too few matches per mismatch to extend over.
        let shared = numbered(20, &[]);
        let a = format!("{shared} the k1 k2 k3 the k4 k5 k6 the k7");
        let b = format!("{shared} the m1 m2 m3 the m4 m5 m6 the m7");
        let passages = align(&normalize(&a), &normalize(&b), &AlignParams::default());
        assert_eq!(passages.len(), 1);
        assert!(passages[0].words <= 21, "{passages:?}");
    }

    #[test]
    fn a_gap_of_other_words_is_not_bridged() {
        // Twelve different words between two shared stretches: two passages.
        let a = numbered(40, &[]);
        let b = numbered(40, &(14..26).collect::<Vec<_>>());
        let passages = align(&normalize(&a), &normalize(&b), &AlignParams::default());
        assert_eq!(passages.len(), 2, "{passages:?}");
        assert_eq!(common_words(&[1, 2, 3, 4], &[1, 9, 3, 4, 8]), 3);
        assert_eq!(common_words(&[], &[1]), 0);
    }

    #[test]
    fn unrelated_texts_share_no_passage() {
        check(
            "The council approved the budget on Monday night.",
            "A comet was seen over the hills last week.",
            &[],
        );
    }

    #[test]
    fn repeated_phrases_are_not_claimed_twice() {
        // "share this article on social media" appears twice in b but once in a.
        let a = "Read more. Share this article on social media today.";
        let b = "Share this article on social media today. Weather: rain. Share this article on social media today.";
        let passages = align(&normalize(a), &normalize(b), &AlignParams::default());
        assert_eq!(passages.len(), 1);
        assert_eq!(passages[0].words, 7);
    }

    /// Every run start found by comparing all position pairs.
    fn naive_runs(a: &AlignText, b: &AlignText, k: usize) -> Vec<WordRun> {
        let mut runs = Vec::new();
        for i in 0..a.grams.len() {
            for j in 0..b.grams.len() {
                let starts = a.grams[i] == b.grams[j]
                    && (i == 0 || j == 0 || a.grams[i - 1] != b.grams[j - 1]);
                if starts {
                    runs.push(run_from(&a.grams, &b.grams, i, j, k));
                }
            }
        }
        runs
    }

    #[test]
    fn skipping_inside_runs_finds_every_run() {
        // Texts over a tiny vocabulary repeat k-grams often, the hard case for skipping.
        let mut state = 5u64;
        let mut text = |n: usize| -> String {
            (0..n)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ["a", "b", "c", "d"][(state >> 62) as usize]
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let params = AlignParams::new(3, 4).unwrap();
        for round in 0..200 {
            let a = text(5 + round % 60);
            let b = if round % 3 == 0 {
                format!("{} {a} {}", text(4), text(7))
            } else {
                text(5 + round % 45)
            };
            let (a, b) = (
                AlignText::new(&normalize(&a), &params),
                AlignText::new(&normalize(&b), &params),
            );
            let sorted = |mut runs: Vec<WordRun>| {
                runs.sort_by_key(|r| (r.a, r.b));
                runs
            };
            assert_eq!(
                sorted(diagonal_runs(&a, &b, 3)),
                sorted(naive_runs(&a, &b, 3)),
                "round {round}"
            );
        }
    }

    #[test]
    fn coverage_is_a_share_of_words() {
        assert_eq!(coverage(10, [3, 2]), 0.5);
        assert_eq!(coverage(0, []), 0.0);
    }
}
