//! The main text of a page: the run of lines with the most prose in it (the largest-sum run,
//! prose counting for and the rest against; a comment header ends it).

use std::ops::Range;

use ahash::AHashMap;

use super::LineReason;
use super::shape::LineShape;

/// How much more a line that is not text weighs against the main text than a line of prose
/// of the same length weighs for it, and the characters a prose line needs before it counts
/// for the main text at all (a one-line teaser summary should not pull a teaser grid in).
/// Chosen on the Article Extraction Benchmark's pages flattened to text (`bench/aeb.sh`):
/// F1 moves by less than 0.01 over 1–2 and 0–120.
const AGAINST: f64 = 2.0;

const SHORT_PROSE: f64 = 40.0;

impl LineShape {
    /// How much the line pulls the main text towards (positive) or away from itself.
    pub(super) fn weight(&self, verdict: Option<LineReason>) -> f64 {
        if verdict.is_some() {
            return -(self.chars.max(20) as f64) * AGAINST;
        }
        if self.is_prose() {
            // Prose rich in function words is surer to be text; without any (another
            // language, a list of names) it still counts, for less.
            let sureness = 0.5 + self.function_share.min(0.5);
            (self.chars as f64 - SHORT_PROSE) * sureness
        } else if self.is_list_item() {
            0.0
        } else if self.capitalized_share >= 0.8 || self.words <= 3 {
            -((self.chars as f64).max(15.0)) * AGAINST
        } else {
            -((self.chars as f64) / 2.0).max(10.0) * AGAINST
        }
    }
}

/// Which lines occur more than once in the text: a page lists the same teaser or link in
/// several places, an article rarely repeats a line.
pub(super) fn repeated_lines(keys: &[Option<u64>]) -> Vec<bool> {
    let mut counts: AHashMap<u64, usize> = AHashMap::new();
    for key in keys.iter().flatten() {
        *counts.entry(*key).or_default() += 1;
    }
    keys.iter()
        .map(|k| k.is_some_and(|k| counts[&k] > 1))
        .collect()
}

/// The run of lines with the largest total weight: prose lines count for, short non-sentence
/// lines and boilerplate against. With no prose line at all (a list, a table, a poem) every
/// line is in it: there is nothing to tell the text from the furniture by.
pub(super) fn main_text(
    shapes: &[&LineShape],
    own: &[Option<LineReason>],
    repeated: &[bool],
) -> Range<usize> {
    if !shapes
        .iter()
        .zip(own)
        .any(|(s, o)| o.is_none() && s.is_prose())
    {
        return 0..shapes.len();
    }
    let (mut best, mut best_sum) = (0..0, f64::MIN);
    let (mut start, mut sum) = (0, 0.0);
    for (i, (shape, verdict)) in shapes.iter().zip(own).enumerate() {
        // A comment thread starts here: the main text stops before it.
        if *verdict == Some(LineReason::CommentHeader) {
            sum = 0.0;
            continue;
        }
        if sum <= 0.0 {
            start = i;
            sum = 0.0;
        }
        sum += if repeated[i] {
            -(shape.chars as f64)
        } else {
            shape.weight(*verdict)
        };
        if sum > best_sum {
            best_sum = sum;
            best = start..i + 1;
        }
    }
    // Lists of figures next to the main text belong to it.
    let list = |i: usize| own[i].is_none() && shapes[i].is_list_item();
    while best.start > 0 && list(best.start - 1) {
        best.start -= 1;
    }
    while best.end < shapes.len() && list(best.end) {
        best.end += 1;
    }
    best
}
