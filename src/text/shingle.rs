//! Shingling: a normalized text becomes the sorted, deduplicated set of 64-bit hashes of its
//! word k-grams (default) or character n-grams.
//!
//! Words are hashed once with xxh3; a k-gram's hash combines its k word hashes as a cyclic
//! polynomial, the XOR of each word hash rotated by its distance from the window's end:
//! `rotl(w₀, (k-1)·R) ^ … ^ rotl(w_{k-1}, 0)`. Sliding the window costs one rotate and two
//! XORs, whatever k is. Because every input is already a well-mixed xxh3 value, the result is
//! as good a 64-bit key for set equality; the sketch stage avalanches it before use.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::text::normalize::{NormalizedText, WordBuffer, for_each_word};

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShingleKind {
    /// k consecutive normalized words. The default, with k = 5.
    Words(usize),
    /// n consecutive characters of the normalized text (words joined by single spaces).
    Chars(usize),
}

/// Validated shingling parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleParams {
    kind: ShingleKind,
    seed: u64,
}

/// The seed for word hashing. Part of a shingle's identity: changing it changes every set.
pub const DEFAULT_SHINGLE_SEED: u64 = 0x7265_7072_696e_7431;

impl Default for ShingleParams {
    fn default() -> Self {
        ShingleParams {
            kind: ShingleKind::Words(5),
            seed: DEFAULT_SHINGLE_SEED,
        }
    }
}

impl ShingleParams {
    /// Checks the size: 1 to 64 words, or 1 to 64 characters.
    pub fn new(kind: ShingleKind, seed: u64) -> Result<Self> {
        let size = match kind {
            ShingleKind::Words(k) | ShingleKind::Chars(k) => k,
        };
        if !(1..=64).contains(&size) {
            return Err(Error::param(
                "--shingle",
                format!("size must be 1 to 64, got {size}"),
            ));
        }
        Ok(ShingleParams { kind, seed })
    }

    /// The shingle kind and size.
    pub fn kind(&self) -> ShingleKind {
        self.kind
    }

    /// The seed words are hashed with. By default, [`DEFAULT_SHINGLE_SEED`].
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The fewest units (words or characters) a document needs for one shingle.
    pub fn size(&self) -> usize {
        match self.kind {
            ShingleKind::Words(k) | ShingleKind::Chars(k) => k,
        }
    }

    /// How many units (words or characters) `text` has, to compare with [`Self::size`].
    pub fn units(&self, text: &NormalizedText) -> usize {
        match self.kind {
            ShingleKind::Words(_) => text.words.len(),
            ShingleKind::Chars(_) => text.text.chars().count(),
        }
    }
}

/// Rotation between neighbouring words of a shingle. Odd, so the k rotations of a window are
/// distinct for every k up to 64.
const ROTATION: u32 = 13;

/// The final avalanche of a folded k-gram hash (the MurmurHash3 64-bit finalizer constants).
#[inline]
pub(crate) fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The hash of one window of word hashes, computed from scratch.
#[inline]
fn fold(window: &[u64]) -> u64 {
    window
        .iter()
        .fold(0u64, |acc, &h| acc.rotate_left(ROTATION) ^ h)
}

/// The hash of a normalized word under `seed`: what shingles are built from, and what
/// quality counts words by.
#[inline]
pub fn word_hash(word: &str, seed: u64) -> u64 {
    xxh3_64_with_seed(word.as_bytes(), seed)
}

/// A word's byte range `(start, end)` in the original text.
pub type WordRange = (u32, u32);

/// A text's word shingles in order with its words: what alignment works on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordSequence {
    /// The k-gram hashes, one per position from the first word to the k-th last.
    pub grams: Vec<u64>,
    /// Each word's byte range in the original.
    pub spans: Vec<WordRange>,
    /// Each word's hash ([`word_hash`] under the shingler's seed).
    pub words: Vec<u64>,
}

/// The last k word hashes, folded as they arrive: the window slides by one rotate and two XORs
/// per word, without a second pass.
struct Window {
    k: usize,
    leaving_rotation: u32,
    // The last 64 word hashes in a ring (k ≤ 64).
    ring: [u64; 64],
    count: usize,
    acc: u64,
}

impl Window {
    fn new(k: usize) -> Self {
        Window {
            k,
            leaving_rotation: (k as u32 * ROTATION) % 64,
            ring: [0; 64],
            count: 0,
            acc: 0,
        }
    }

    /// Takes the next word's hash; hands on the k-gram it completes.
    #[inline]
    fn push(&mut self, hash: u64, visit: &mut impl FnMut(u64)) {
        self.acc = self.acc.rotate_left(ROTATION) ^ hash;
        if self.count >= self.k {
            self.acc ^= self.ring[(self.count - self.k) & 63].rotate_left(self.leaving_rotation);
        }
        self.ring[self.count & 63] = hash;
        self.count += 1;
        if self.count >= self.k {
            visit(self.acc);
        }
    }
}

/// Computes shingles straight from original text, reusing its buffers across documents so
/// the per-document hot loop does not allocate. Yields the same shingles as
/// [`shingle_sequence`] over [`crate::text::normalize::normalize`]d text.
#[derive(Debug)]
pub struct Shingler {
    params: ShingleParams,
    words: WordBuffer,
}

impl Shingler {
    /// A shingler for `params`.
    pub fn new(params: ShingleParams) -> Self {
        Shingler {
            params,
            words: WordBuffer::default(),
        }
    }

    /// The parameters in use.
    pub fn params(&self) -> &ShingleParams {
        &self.params
    }

    /// Calls `visit` with every shingle hash of `original` in document order (repeats
    /// included) and returns the number of units (words or characters) in the text.
    pub fn for_each(&mut self, original: &str, visit: impl FnMut(u64)) -> usize {
        match self.params.kind {
            ShingleKind::Words(k) => self.for_each_word_shingle(original, k, visit, |_, _, _| {}),
            ShingleKind::Chars(_) => {
                let normalized = crate::text::normalize::normalize(original);
                shingle_sequence(&normalized, &self.params)
                    .into_iter()
                    .for_each(visit);
                normalized.text.chars().count()
            }
        }
    }

    /// For word shingles: every shingle hash in document order and every word's byte range
    /// and hash in `original`, in one pass. `None` for character n-grams.
    pub fn sequence_with_spans(&mut self, original: &str) -> Option<WordSequence> {
        let ShingleKind::Words(k) = self.params.kind else {
            return None;
        };
        let mut sequence = WordSequence {
            grams: Vec::with_capacity(original.len() / 5),
            spans: Vec::with_capacity(original.len() / 5),
            words: Vec::with_capacity(original.len() / 5),
        };
        self.for_each_word_shingle(
            original,
            k,
            |h| sequence.grams.push(h),
            |start, end, hash| {
                sequence.spans.push((start, end));
                sequence.words.push(hash);
            },
        );
        Some(sequence)
    }

    /// The word-shingle loop: `on_word` sees each word's byte range and hash, `visit` each
    /// k-gram.
    #[inline]
    fn for_each_word_shingle(
        &mut self,
        original: &str,
        k: usize,
        mut visit: impl FnMut(u64),
        mut on_word: impl FnMut(u32, u32, u64),
    ) -> usize {
        let seed = self.params.seed;
        let mut window = Window::new(k);
        for_each_word(original, &mut self.words, |word, start, end| {
            let hash = word_hash(word, seed);
            on_word(start, end, hash);
            window.push(hash, &mut visit);
        });
        window.count
    }

    /// For word shingles: calls `visit` with every shingle of a text whose words were hashed
    /// already (with [`word_hash`] under this shingler's seed), in order, and returns the
    /// number of words. The first pass tokenizes a document once and shingles the words it
    /// keeps from their hashes. `None` for character n-grams, which are not made of words.
    pub fn for_each_of_hashes(
        &self,
        hashes: impl Iterator<Item = u64>,
        mut visit: impl FnMut(u64),
    ) -> Option<usize> {
        let ShingleKind::Words(k) = self.params.kind else {
            return None;
        };
        let mut window = Window::new(k);
        for hash in hashes {
            window.push(hash, &mut visit);
        }
        Some(window.count)
    }

    /// The seed words are hashed with.
    pub fn seed(&self) -> u64 {
        self.params.seed
    }

    /// The sorted, deduplicated shingle set of `original`, and its number of units.
    pub fn set(&mut self, original: &str) -> (Vec<u64>, usize) {
        let mut set = Vec::new();
        let units = self.for_each(original, |h| set.push(h));
        set.sort_unstable();
        set.dedup();
        (set, units)
    }
}

/// The xxh3 hash of every normalized word, in order.
pub fn word_hashes(text: &NormalizedText, params: &ShingleParams) -> Vec<u64> {
    text.iter_words()
        .map(|w| xxh3_64_with_seed(w.as_bytes(), params.seed))
        .collect()
}

/// The hash of every shingle in document order, duplicates included (one per position).
/// Empty when the text is shorter than one shingle.
pub fn shingle_sequence(text: &NormalizedText, params: &ShingleParams) -> Vec<u64> {
    match params.kind {
        ShingleKind::Words(k) => {
            let hashes = word_hashes(text, params);
            hashes.windows(k).map(fold).collect()
        }
        ShingleKind::Chars(n) => {
            let boundaries: Vec<usize> = text
                .text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.text.len()))
                .collect();
            boundaries
                .windows(n + 1)
                .map(|w| xxh3_64_with_seed(&text.text.as_bytes()[w[0]..w[n]], params.seed))
                .collect()
        }
    }
}

/// The document's shingle set: sorted, deduplicated hashes.
pub fn shingle_set(text: &NormalizedText, params: &ShingleParams) -> Vec<u64> {
    let mut set = shingle_sequence(text, params);
    set.sort_unstable();
    set.dedup();
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;

    fn set(text: &str, kind: ShingleKind) -> Vec<u64> {
        shingle_set(&normalize(text), &ShingleParams::new(kind, 1).unwrap())
    }

    #[test]
    fn word_shingle_counts() {
        assert_eq!(set("a b c d e", ShingleKind::Words(5)).len(), 1);
        assert_eq!(set("a b c d e f g", ShingleKind::Words(5)).len(), 3);
        assert_eq!(set("a b c d", ShingleKind::Words(5)).len(), 0);
        // Repeated shingles count once.
        assert_eq!(set("a b a b a b", ShingleKind::Words(2)).len(), 2);
    }

    #[test]
    fn normalization_variants_give_the_same_set() {
        assert_eq!(
            set("The colour’s “bright” — isn't it?", ShingleKind::Words(3)),
            set("the colour's \"BRIGHT\" - isnt it", ShingleKind::Words(3))
        );
    }

    #[test]
    fn word_order_matters() {
        assert_ne!(
            set("a b c", ShingleKind::Words(3)),
            set("c b a", ShingleKind::Words(3))
        );
    }

    #[test]
    fn char_shingles_count_characters_not_bytes() {
        // "zürich" has 6 characters: 4 trigrams.
        assert_eq!(set("Zürich", ShingleKind::Chars(3)).len(), 4);
        assert_eq!(set("ab", ShingleKind::Chars(3)).len(), 0);
    }

    #[test]
    fn streaming_shingler_matches_normalized_sets() {
        let text = "Zürich’s “U.S.” office — 2,500 staff, don't panic! Ｆｕｌｌ ﬁnance ß";
        for kind in [
            ShingleKind::Words(1),
            ShingleKind::Words(3),
            ShingleKind::Chars(4),
        ] {
            let params = ShingleParams::new(kind, 9).unwrap();
            let (streamed, units) = Shingler::new(params).set(text);
            assert_eq!(streamed, shingle_set(&normalize(text), &params), "{kind:?}");
            assert_eq!(units, params.units(&normalize(text)));
        }
    }

    #[test]
    fn size_is_validated() {
        assert!(ShingleParams::new(ShingleKind::Words(0), 0).is_err());
        assert!(ShingleParams::new(ShingleKind::Chars(65), 0).is_err());
    }
}
