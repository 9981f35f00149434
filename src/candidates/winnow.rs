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

use crate::candidates::lsh::CandidatePair;
use crate::error::{Error, Result};
use crate::text::shingle::ShingleKind;

/// Validated winnowing parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinnowParams {
    window: usize,
    min_shared: u32,
    max_postings: usize,
}

/// The default window in word shingles. At 8 a run of 12 shared words always yields a common
/// fingerprint. Measured on the syndication corpus (`cargo run --release --example
/// syndication_eval -- 20000 3 W syndication`, 2026-12-02): W = 16 found 0.992 of the copies under
/// 150 words and 0.977 of the lifts, W = 8 all of those copies and 0.988 of the lifts, at the same
/// precision. The index holds 2/9 of the shingles instead of 2/17: on 100,000 generated articles
/// the candidates stage went from 0.43 to 0.62-0.76 s, whole runs within the machine's noise.
pub const DEFAULT_WORD_WINDOW: usize = 8;

impl Default for WinnowParams {
    fn default() -> Self {
        WinnowParams {
            window: DEFAULT_WORD_WINDOW,
            min_shared: 2,
            max_postings: 64,
        }
    }
}

impl WinnowParams {
    /// The defaults for a shingle kind: [`DEFAULT_WORD_WINDOW`] word shingles, or 100
    /// character n-grams (about 20 words of text; the character window was not re-measured when
    /// the word window went from 16 to 8).
    pub fn for_shingles(kind: ShingleKind) -> Self {
        let window = match kind {
            ShingleKind::Words(_) => DEFAULT_WORD_WINDOW,
            ShingleKind::Chars(_) => 100,
        };
        WinnowParams {
            window,
            ..WinnowParams::default()
        }
    }

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
    /// The last `window` values, value at position p in slot p % window.
    ring: Vec<Fingerprint>,
    /// Values pushed so far.
    position: usize,
    /// `position % window`, kept without dividing.
    slot: usize,
    /// Position and value of the current window's minimum (the rightmost on ties).
    min_position: usize,
    min_value: Fingerprint,
    /// Whether the minimum changed since it was last selected. Minimum positions only move
    /// forward, so a changed minimum is always a new selection.
    fresh: bool,
    selected: Vec<Fingerprint>,
}

impl Winnower {
    /// An empty winnower.
    pub fn new(params: &WinnowParams) -> Self {
        Winnower {
            window: params.window,
            ring: vec![0; params.window],
            position: 0,
            slot: 0,
            min_position: 0,
            min_value: Fingerprint::MAX,
            fresh: false,
            selected: Vec::new(),
        }
    }

    /// Adds the next shingle hash.
    #[inline]
    pub fn push(&mut self, shingle: u64) {
        // Shingle hashes are already well mixed; one multiply keeps the selection from
        // lining up with the bits the sketch uses.
        let value = (shingle.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as Fingerprint;
        let position = self.position;
        self.position += 1;
        self.ring[self.slot] = value;
        self.slot += 1;
        if self.slot == self.window {
            self.slot = 0;
        }
        // Ties keep the rightmost minimum, so a run of equal values selects once per window.
        if value <= self.min_value {
            self.min_value = value;
            self.min_position = position;
            self.fresh = true;
        } else if self.min_position + self.window <= position {
            self.rescan(position);
        }
        if self.fresh && position + 1 >= self.window {
            self.selected.push(self.min_value);
            self.fresh = false;
        }
    }

    /// The minimum left the window ending at `position`: find the new one.
    #[cold]
    fn rescan(&mut self, position: usize) {
        // Slots from `self.slot` on hold the window's oldest values, slots before it the
        // newest: scanning the two slices in that order visits positions in order.
        let start = position + 1 - self.window;
        let (newest, oldest) = self.ring.split_at(self.slot);
        let mut best = (Fingerprint::MAX, 0usize);
        for (offset, &value) in oldest.iter().chain(newest).enumerate() {
            if value <= best.0 {
                best = (value, offset);
            }
        }
        self.min_value = best.0;
        self.min_position = start + best.1;
        self.fresh = true;
    }

    /// The document's fingerprints, sorted and deduplicated, and a reset winnower. A text
    /// shorter than one window contributes its single smallest value.
    pub fn finish(&mut self) -> Vec<Fingerprint> {
        if self.fresh && self.position < self.window {
            self.selected.push(self.min_value);
        }
        let mut out = std::mem::take(&mut self.selected);
        out.sort_unstable();
        out.dedup();
        self.position = 0;
        self.slot = 0;
        self.min_value = Fingerprint::MAX;
        self.fresh = false;
        out
    }
}

/// Every document's fingerprints, back to back in document order. Four bytes a fingerprint,
/// half what packed postings take: at a million news articles (about 80 fingerprints each)
/// this is the largest thing the first pass keeps. Postings are made from it one part of the
/// fingerprint space at a time, so they never all exist at once.
#[derive(Debug, Clone, Default)]
pub struct FingerprintTable {
    fingerprints: Vec<Fingerprint>,
    /// Where each document's fingerprints end.
    ends: Vec<usize>,
}

impl FingerprintTable {
    /// Appends the next document's fingerprints (empty for a rejected document).
    pub fn push_document(&mut self, fingerprints: &[Fingerprint]) {
        self.fingerprints.extend_from_slice(fingerprints);
        self.ends.push(self.fingerprints.len());
    }

    /// Documents pushed so far.
    pub fn documents(&self) -> usize {
        self.ends.len()
    }

    /// Fingerprints held, over all documents.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether no document holds a fingerprint.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// The sorted postings of the fingerprints in part `part` of `parts`, for the documents
    /// whose `include` entry is true. Each fingerprint falls in exactly one part, so the
    /// parts' postings together are all the postings, and no fingerprint's holders are split.
    pub fn part_postings(&self, part: usize, parts: usize, include: &[bool]) -> Vec<Posting> {
        let mut postings = Vec::with_capacity(self.fingerprints.len() / parts.max(1) + 16);
        let mut start = 0;
        for (doc, &end) in self.ends.iter().enumerate() {
            if include.get(doc).copied().unwrap_or(false) {
                postings.extend(
                    self.fingerprints[start..end]
                        .iter()
                        .filter(|&&f| part_of(f, parts) == part)
                        .map(|&f| posting(f, doc as u32)),
                );
            }
            start = end;
        }
        postings.sort_unstable();
        postings
    }
}

/// The part a fingerprint falls in. Fingerprints are window minima, so their high bits lean
/// towards zero; a multiply spreads them before the part is taken from the high bits.
#[inline]
fn part_of(fingerprint: Fingerprint, parts: usize) -> usize {
    let mixed = fingerprint.wrapping_mul(0x9e37_79b9) as u64;
    ((mixed * parts as u64) >> 32) as usize
}

/// One document holding one fingerprint, packed as `fingerprint << 32 | document` so that
/// sorting plain integers groups the holders of each fingerprint.
pub type Posting = u64;

/// Packs a [`Posting`].
#[inline]
pub fn posting(fingerprint: Fingerprint, document: u32) -> Posting {
    u64::from(fingerprint) << 32 | u64::from(document)
}

/// The fingerprint of a posting.
#[inline]
pub fn fingerprint_of(posting: Posting) -> Fingerprint {
    (posting >> 32) as Fingerprint
}

/// Every document pair that shares a fingerprint, once per shared fingerprint, packed as
/// `a << 32 | b` with `a < b`. `postings` are sorted, each document holding a fingerprint
/// once. Fingerprints held by more than `max_postings` documents are skipped.
pub fn posting_pairs(postings: &[Posting], params: &WinnowParams) -> Vec<u64> {
    let mut pairs = Vec::new();
    for run in postings.chunk_by(|&x, &y| fingerprint_of(x) == fingerprint_of(y)) {
        if run.len() < 2 || run.len() > params.max_postings {
            continue;
        }
        for (i, &a) in run.iter().enumerate() {
            let a = a as u32;
            for &b in &run[i + 1..] {
                let b = b as u32;
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
    use crate::text::normalize::normalize;
    use crate::text::shingle::{ShingleParams, shingle_sequence};

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
    fn parts_together_hold_every_posting_once() {
        // Window minima lean towards small values; the parts must still cover them all.
        let mut table = FingerprintTable::default();
        let mut all = Vec::new();
        let mut state = 7u64;
        for doc in 0..300u32 {
            let mut fps: Vec<Fingerprint> = (0..(doc % 40))
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((state >> 40) as u32) >> (doc % 9)
                })
                .collect();
            fps.sort_unstable();
            fps.dedup();
            table.push_document(&fps);
            if doc % 7 != 3 {
                all.extend(fps.iter().map(|&f| posting(f, doc)));
            }
        }
        let include: Vec<bool> = (0..300).map(|doc| doc % 7 != 3).collect();
        all.sort_unstable();
        for parts in [1, 2, 5, 16] {
            let mut joined = Vec::new();
            for part in 0..parts {
                let postings = table.part_postings(part, parts, &include);
                assert!(postings.is_sorted());
                assert!(
                    postings
                        .iter()
                        .all(|&p| part_of(fingerprint_of(p), parts) == part)
                );
                joined.extend(postings);
            }
            joined.sort_unstable();
            assert_eq!(joined, all, "{parts} parts");
        }
        assert_eq!(table.documents(), 300);
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

    /// Winnowing by definition: the rightmost minimum of every window, recorded when it
    /// changes position.
    fn naive_winnow(values: &[Fingerprint], window: usize) -> Vec<Fingerprint> {
        let mut selected = Vec::new();
        let mut last = None;
        if values.len() < window
            && let Some(min) = values.iter().min()
        {
            selected.push(*min);
        }
        for end in window..=values.len() {
            let (mut best, mut at) = (Fingerprint::MAX, 0);
            for (p, &v) in values.iter().enumerate().take(end).skip(end - window) {
                if v <= best {
                    (best, at) = (v, p);
                }
            }
            if last != Some(at) {
                last = Some(at);
                selected.push(best);
            }
        }
        selected.sort_unstable();
        selected.dedup();
        selected
    }

    #[test]
    fn agrees_with_winnowing_by_definition() {
        let mut state = 11u64;
        for window in [2, 3, 5, 16] {
            for length in [0, 1, window - 1, window, window + 1, 100, 1_000] {
                let hashes: Vec<u64> = (0..length)
                    .map(|_| {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                        // Few distinct values, so ties happen.
                        (state >> 60) << 32
                    })
                    .collect();
                let params = WinnowParams::new(window, 1, 64).unwrap();
                let mut winnower = Winnower::new(&params);
                for &h in &hashes {
                    winnower.push(h);
                }
                let values: Vec<Fingerprint> = hashes
                    .iter()
                    .map(|h| (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as Fingerprint)
                    .collect();
                assert_eq!(
                    winnower.finish(),
                    naive_winnow(&values, window),
                    "window {window}, length {length}"
                );
            }
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
        let mut entries: Vec<Posting> = [
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
        ]
        .iter()
        .map(|&(f, d)| posting(f, d))
        .collect();
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
