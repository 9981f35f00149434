//! Outlet templates: lines that recur in the documents of several clusters. A line is keyed
//! by its normalized words with digit runs folded, so the copyright line of 2024 and of 2025
//! meet; syndicated copies of one story count once.

use ahash::AHashMap;
use xxhash_rust::xxh3::xxh3_64;

use crate::quality::scan::{TextScan, scan_text};
use crate::text::normalize::WordBuffer;
use crate::text::shingle::DEFAULT_SHINGLE_SEED;

/// Lines longer than this are not counted across the corpus: outlet templates are short, and
/// long paragraphs shared by several articles are reuse, which the scan reports as such.
pub const MAX_TEMPLATE_LINE_CHARS: usize = 400;

/// Lines that recur across the corpus, with the number of distinct clusters (a document in no
/// cluster is its own) whose documents contain them. Only template lines are kept.
#[derive(Debug, Clone, Default)]
pub struct TemplateLines {
    counts: AHashMap<u64, u32>,
}

impl TemplateLines {
    /// No corpus: nothing is a template.
    pub fn none() -> Self {
        Self::default()
    }

    /// Counts `(line key, group)` pairs, where the group is the document's cluster (or the
    /// document itself when it is in none), so that syndicated copies of one story count once.
    /// A line recurring in at least `min_docs` groups is a template.
    pub fn count(mut keys: Vec<(u64, u32)>, min_docs: u32) -> Self {
        keys.sort_unstable();
        keys.dedup();
        let mut counts = AHashMap::new();
        for run in keys.chunk_by(|x, y| x.0 == y.0) {
            if run.len() as u32 >= min_docs.max(2) {
                counts.insert(run[0].0, run.len() as u32);
            }
        }
        TemplateLines { counts }
    }

    /// Lines already counted: `(key, groups)`.
    pub fn from_counts(counts: impl IntoIterator<Item = (u64, u32)>) -> Self {
        TemplateLines {
            counts: counts.into_iter().collect(),
        }
    }

    /// In how many groups the line with this key recurs, when that makes it a template.
    pub fn docs(&self, key: u64) -> Option<u32> {
        self.counts.get(&key).copied()
    }

    /// How many distinct lines are templates.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no line is a template.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// The key under which a line is counted across the corpus: its normalized words (case,
/// punctuation and accents folded as everywhere else) with each run of digits folded to one, so
/// "© 2024" and "© 2025" or "Page 2 of 9" and "Page 3 of 9" meet. `None` for lines without a
/// word and lines too long to be templates. Words are hashed as with the default shingle seed;
/// [`line_key_with_seed`] for another.
pub fn line_key(line: &str) -> Option<u64> {
    line_key_with_seed(line, DEFAULT_SHINGLE_SEED)
}

/// [`line_key`] with words hashed under `seed` (keys of one run must share one seed).
pub fn line_key_with_seed(line: &str, seed: u64) -> Option<u64> {
    let mut scan = TextScan::keys_only();
    scan_text(line, seed, &mut WordBuffer::default(), &mut scan);
    match scan.lines() {
        [only] => only.key,
        _ => None,
    }
}

/// What a word adds to its line's key: its hash (under the run's seed), or, for a word holding
/// digits (`digits` says whether an ASCII word has any), the hash of the word with each digit
/// run folded to `0`.
#[inline]
pub(crate) fn word_key(
    normalized: &str,
    hash: u64,
    digits: bool,
    unicode: bool,
    folded: &mut Vec<u8>,
) -> u64 {
    if !digits && !unicode {
        return hash;
    }
    word_key_folded(normalized, hash, folded)
}

/// [`word_key`] for words that may hold digits.
fn word_key_folded(normalized: &str, hash: u64, folded: &mut Vec<u8>) -> u64 {
    let numeric = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
    if !normalized.chars().any(numeric) {
        return hash;
    }
    folded.clear();
    let mut in_digits = false;
    for c in normalized.chars() {
        if numeric(c) {
            if !in_digits {
                folded.push(b'0');
            }
            in_digits = true;
        } else {
            let mut utf8 = [0u8; 4];
            folded.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            in_digits = false;
        }
    }
    xxh3_64(folded)
}

/// Adds a word's [`word_key`] to the key of the words before it (order matters).
pub(crate) fn combine_key(key: u64, word: u64) -> u64 {
    (key.rotate_left(5) ^ word).wrapping_mul(0x0100_0000_01b3)
}

/// The key of a line from its words' combined keys: mixed once more, so lines of one word do
/// not share keys with that word's hash.
pub(crate) fn finish_key(combined: u64) -> u64 {
    crate::text::shingle::avalanche(combined ^ 0x6c69_6e65_6b65_7931)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_keys_fold_case_punctuation_and_numbers() {
        assert_eq!(
            line_key("© 2024 Coastal Wire. All rights reserved."),
            line_key("© 2025 COASTAL WIRE — all rights reserved")
        );
        assert_eq!(line_key("Page 2 of 9"), line_key("Page 13 of 9"));
        assert_ne!(line_key("Page 2 of 9"), line_key("Page two of 9"));
        assert_eq!(line_key("   "), None);
        assert_eq!(line_key(&"word ".repeat(200)), None);
    }
}
