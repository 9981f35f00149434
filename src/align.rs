//! Passage alignment: which stretches of two texts are the same words in the same order, as
//! byte ranges of the original texts, so a report can show exactly what was reused.
//!
//! Anchors are the word k-grams the two texts share. Anchors on the same diagonal (the same
//! offset between the texts) that follow each other form a run of identical words. Runs are
//! taken longest first, each only where it overlaps no run already taken in either text
//! (repeated phrases must not be claimed twice), then neighbouring runs are merged into one
//! passage when both texts skip at most `max_gap` words between them, which is how a passage
//! survives the odd changed word, spelling or inserted phrase.

use ahash::AHashMap;

use crate::error::{Error, Result};
use crate::normalize::NormalizedText;
use crate::shingle::{DEFAULT_SHINGLE_SEED, ShingleKind, ShingleParams, shingle_sequence};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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
    #[serde(skip)]
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

/// The reused passages of `a` and `b`, ordered by their position in `a`.
pub fn align(a: &NormalizedText, b: &NormalizedText, params: &AlignParams) -> Vec<Passage> {
    let runs = merge_runs(
        claim_runs(diagonal_runs(a, b, params.anchor)),
        params.max_gap,
    );
    runs.into_iter()
        .map(|run| Passage {
            a_start: a.words[run.a].orig_start,
            a_end: a.words[run.a_end - 1].orig_end,
            b_start: b.words[run.b].orig_start,
            b_end: b.words[run.b_end - 1].orig_end,
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
fn diagonal_runs(a: &NormalizedText, b: &NormalizedText, k: usize) -> Vec<WordRun> {
    // The word k-gram hashes in document order: position i is the k-gram starting at word i.
    let params =
        ShingleParams::new(ShingleKind::Words(k), DEFAULT_SHINGLE_SEED).expect("1 <= k <= 64");
    let a_grams = shingle_sequence(a, &params);
    let b_grams = shingle_sequence(b, &params);
    let mut positions: AHashMap<u64, Vec<u32>> = AHashMap::with_capacity(a_grams.len());
    for (i, &h) in a_grams.iter().enumerate() {
        positions.entry(h).or_default().push(i as u32);
    }
    // For each anchor (i, j), extend only from its start: an anchor whose predecessor
    // (i-1, j-1) is also an anchor lies inside a run already counted.
    let mut runs = Vec::new();
    for (j, h) in b_grams.iter().enumerate() {
        let Some(starts) = positions.get(h) else {
            continue;
        };
        for &i in starts {
            let i = i as usize;
            if i > 0 && j > 0 && a_grams[i - 1] == b_grams[j - 1] {
                continue;
            }
            let mut length = 1;
            while i + length < a_grams.len()
                && j + length < b_grams.len()
                && a_grams[i + length] == b_grams[j + length]
            {
                length += 1;
            }
            runs.push(WordRun {
                a: i,
                a_end: i + length + k - 1,
                b: j,
                b_end: j + length + k - 1,
            });
        }
    }
    runs
}

/// Keeps runs longest first, dropping any that overlaps a kept run in either text.
fn claim_runs(mut runs: Vec<WordRun>) -> Vec<WordRun> {
    runs.sort_by(|x, y| {
        y.len()
            .cmp(&x.len())
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut kept: Vec<WordRun> = Vec::new();
    for run in runs {
        let overlaps = kept
            .iter()
            .any(|k| run.a < k.a_end && k.a < run.a_end || run.b < k.b_end && k.b < run.b_end);
        if !overlaps {
            kept.push(run);
        }
    }
    kept.sort_by_key(|r| (r.a, r.b));
    kept
}

/// Joins runs that follow each other in both texts with small gaps.
fn merge_runs(runs: Vec<WordRun>, max_gap: usize) -> Vec<WordRun> {
    let mut merged: Vec<WordRun> = Vec::with_capacity(runs.len());
    for run in runs {
        if let Some(last) = merged.last_mut() {
            let follows = run.a >= last.a_end && run.b >= last.b_end;
            if follows && run.a - last.a_end <= max_gap && run.b - last.b_end <= max_gap {
                last.a_end = run.a_end;
                last.b_end = run.b_end;
                continue;
            }
        }
        merged.push(run);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

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

    #[test]
    fn coverage_is_a_share_of_words() {
        assert_eq!(coverage(10, [3, 2]), 0.5);
        assert_eq!(coverage(0, []), 0.0);
    }
}
