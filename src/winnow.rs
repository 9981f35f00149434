//! Containment-aware candidates: winnowed shingle fingerprints.
//!
//! Jaccard LSH finds pairs whose whole texts are alike. It misses a short text inside a long
//! one (a regional paper's cut of a wire story) and a paragraph lifted into other text, because
//! their Jaccard is low even though one shares a long passage with the other. Winnowing keeps
//! from each window of `window` consecutive shingles the one with the smallest hash; any
//! passage of at least `window` shingles shared by two texts then yields at least one shared
//! fingerprint, wherever it sits in either text, and a text keeps about 2 / (window + 1) of its
//! shingles. Documents sharing at least `min_shared` fingerprints become candidates.
//!
//! A fingerprint held by more than `max_postings` documents is skipped: text repeated that
//! widely is an outlet template or a stock phrase, and pairing all its holders would cost
//! time quadratic in their number. Copies in large clusters are still found by Jaccard LSH.

use std::collections::VecDeque;

use crate::error::{Error, Result};
use crate::lsh::CandidatePair;
use crate::shingle::avalanche;

/// Validated winnowing parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinnowParams {
    window: usize,
    min_shared: u32,
    max_postings: usize,
}

impl Default for WinnowParams {
    fn default() -> Self {
        WinnowParams {
            window: 16,
            min_shared: 2,
            max_postings: 64,
        }
    }
}

impl WinnowParams {
    /// `window`: shingles per winnowing window (2 to 1024); `min_shared`: fingerprints two
    /// documents must share to become candidates (at least 1); `max_postings`: fingerprints
    /// held by more documents than this are ignored (at least 2).
    pub fn new(window: usize, min_shared: u32, max_postings: usize) -> Result<Self> {
        if !(2..=1024).contains(&window) {
            return Err(Error::param(
                "--winnow-window",
                format!("must be 2 to 1024, got {window}"),
            ));
        }
        if min_shared == 0 {
            return Err(Error::param("--winnow-min-shared", "must be at least 1"));
        }
        if max_postings < 2 {
            return Err(Error::param("--winnow-max-postings", "must be at least 2"));
        }
        Ok(WinnowParams {
            window,
            min_shared,
            max_postings,
        })
    }

    /// Shingles per window.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Fingerprints two documents must share.
    pub fn min_shared(&self) -> u32 {
        self.min_shared
    }

    /// Most documents a fingerprint may have and still pair them.
    pub fn max_postings(&self) -> usize {
        self.max_postings
    }
}

/// A 32-bit fingerprint. Collisions between different shingles only add candidates, which
/// exact verification then drops; 32 bits halve the index's memory.
pub type Fingerprint = u32;

/// Selects fingerprints from a stream of shingle hashes in document order.
#[derive(Debug, Clone)]
pub struct Winnower {
    window: usize,
    /// (position, value) with increasing values: the front is the window's minimum.
    queue: VecDeque<(usize, Fingerprint)>,
    position: usize,
    last_selected: Option<usize>,
    selected: Vec<Fingerprint>,
}

impl Winnower {
    /// An empty winnower.
    pub fn new(params: &WinnowParams) -> Self {
        Winnower {
            window: params.window,
            queue: VecDeque::with_capacity(params.window + 1),
            position: 0,
            last_selected: None,
            selected: Vec::new(),
        }
    }

    /// Adds the next shingle hash.
    #[inline]
    pub fn push(&mut self, shingle: u64) {
        // The sketch and the index must not see correlated values: avalanche with a
        // different constant than the sketch's permutation, keep the high half.
        let value = (avalanche(shingle ^ 0x9e37_79b9_7f4a_7c15) >> 32) as Fingerprint;
        let position = self.position;
        self.position += 1;
        // Ties keep the rightmost minimum, so a run of equal values selects once per window.
        while self.queue.back().is_some_and(|&(_, v)| v >= value) {
            self.queue.pop_back();
        }
        self.queue.push_back((position, value));
        while self
            .queue
            .front()
            .is_some_and(|&(p, _)| p + self.window <= position)
        {
            self.queue.pop_front();
        }
        if position + 1 >= self.window {
            self.select_front();
        }
    }

    fn select_front(&mut self) {
        let (p, v) = *self
            .queue
            .front()
            .expect("the queue holds the newest value");
        if self.last_selected != Some(p) {
            self.last_selected = Some(p);
            self.selected.push(v);
        }
    }

    /// The document's fingerprints, sorted and deduplicated, and a reset winnower. A text
    /// shorter than one window contributes its single smallest value.
    pub fn finish(&mut self) -> Vec<Fingerprint> {
        if self.position > 0 && self.position < self.window {
            self.select_front();
        }
        let mut out = std::mem::take(&mut self.selected);
        out.sort_unstable();
        out.dedup();
        self.queue.clear();
        self.position = 0;
        self.last_selected = None;
        out
    }
}

/// Every document pair that shares a fingerprint, once per shared fingerprint, packed as
/// `a << 32 | b` with `a < b`. `entries` are `(fingerprint, document)` sorted, each
/// document listing a fingerprint once. Fingerprints held by more than `max_postings`
/// documents are skipped.
pub fn posting_pairs(entries: &[(Fingerprint, u32)], params: &WinnowParams) -> Vec<u64> {
    let mut pairs = Vec::new();
    for run in entries.chunk_by(|x, y| x.0 == y.0) {
        if run.len() < 2 || run.len() > params.max_postings {
            continue;
        }
        for (i, &(_, a)) in run.iter().enumerate() {
            for &(_, b) in &run[i + 1..] {
                pairs.push(u64::from(a.min(b)) << 32 | u64::from(a.max(b)));
            }
        }
    }
    pairs
}

/// The candidate pairs among sorted packed `pairs` (from [`posting_pairs`]) that occur at
/// least `min_shared` times, i.e. share that many fingerprints.
pub fn shared_enough(sorted_pairs: &[u64], params: &WinnowParams) -> Vec<CandidatePair> {
    sorted_pairs
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() >= params.min_shared as usize)
        .map(|run| CandidatePair::new((run[0] >> 32) as u32, run[0] as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use crate::shingle::{ShingleParams, shingle_sequence};

    fn fingerprints(text: &str, params: &WinnowParams) -> Vec<Fingerprint> {
        let mut winnower = Winnower::new(params);
        for h in shingle_sequence(&normalize(text), &ShingleParams::default()) {
            winnower.push(h);
        }
        winnower.finish()
    }

    fn words(seed: usize, n: usize) -> String {
        (0..n)
            .map(|i| format!("w{}", (i * 7919 + seed * 104_729) % 100_003))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_shared_passage_of_one_window_always_shares_a_fingerprint() {
        let params = WinnowParams::new(8, 1, 64).unwrap();
        // 8 shingles of 5 words need 12 words; embed them at many offsets in other text.
        for seed in 0..50 {
            let passage = words(1_000 + seed, 12);
            let a = format!("{} {passage} {}", words(seed, 37), words(seed + 100, 20));
            let b = format!(
                "{} {passage} {}",
                words(seed + 200, 3 + seed),
                words(seed + 300, 9)
            );
            let (fa, fb) = (fingerprints(&a, &params), fingerprints(&b, &params));
            let shared = fa.iter().filter(|f| fb.binary_search(f).is_ok()).count();
            assert!(shared >= 1, "seed {seed}: no shared fingerprint");
        }
    }

    #[test]
    fn density_is_about_two_over_window_plus_one() {
        let params = WinnowParams::new(16, 2, 64).unwrap();
        let text = words(7, 20_004);
        let density = fingerprints(&text, &params).len() as f64 / 20_000.0;
        assert!((density - 2.0 / 17.0).abs() < 0.02, "density {density}");
    }

    #[test]
    fn short_texts_get_one_fingerprint_and_empty_ones_none() {
        let params = WinnowParams::default();
        assert_eq!(fingerprints(&words(3, 8), &params).len(), 1);
        assert!(fingerprints("", &params).is_empty());
    }

    #[test]
    fn pairs_need_enough_shared_fingerprints_and_skip_crowded_ones() {
        let params = WinnowParams::new(4, 2, 3).unwrap();
        let mut entries = vec![
            (10, 0),
            (10, 1),
            (20, 0),
            (20, 1),
            (30, 1),
            (30, 2),
            // Held by four documents: more than max_postings, ignored.
            (40, 0),
            (40, 2),
            (40, 3),
            (40, 4),
        ];
        entries.sort_unstable();
        let mut pairs = posting_pairs(&entries, &params);
        pairs.sort_unstable();
        assert_eq!(
            shared_enough(&pairs, &params),
            vec![CandidatePair::new(0, 1)]
        );
    }

    #[test]
    fn parameters_are_checked() {
        assert!(WinnowParams::new(1, 2, 64).is_err());
        assert!(WinnowParams::new(16, 0, 64).is_err());
        assert!(WinnowParams::new(16, 2, 1).is_err());
    }
}
