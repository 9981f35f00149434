//! A text's words, normalized once, with what the padding and stuffing measures read from
//! them: per word an id (a hash of the normalized word, so n-grams are counted as integers), a
//! class (the same small number for every occurrence of one word, to index per-word tables),
//! its length in characters, the breaks (line, paragraph, sentence) in the gap before it and a
//! few marks of how it stands in the original. Lines, paragraphs and sentences are ranges of
//! words, and the n-gram counts are built once and shared, so no measure normalizes or counts
//! again.

use std::cell::OnceCell;
use std::ops::Range;

use ahash::AHashMap;
use xxhash_rust::xxh3::xxh3_64;

use crate::text::normalize::{NormalizedText, normalize};

/// Kinds of break in the gap before a word (bit flags).
pub(crate) const LINE_BREAK: u8 = 1;
/// Two line breaks or more: a blank line between paragraphs.
pub(crate) const PARAGRAPH_BREAK: u8 = 2;
/// A sentence end (`.`, `!`, `?` and their full-width forms) or a line break. A decimal point
/// or the periods of an abbreviation sit inside a word and do not count.
pub(crate) const SENTENCE_BREAK: u8 = 4;

/// Marks of one occurrence of a word (bit flags).
/// The word holds a digit.
const DIGIT: u8 = 1;
/// A word next to it holds a digit.
const BESIDE_NUMBER: u8 = 2;
/// Its sentence holds a number.
const NUMERIC_SENTENCE: u8 = 4;
/// It starts with a capital letter in the original.
const CAPITALIZED: u8 = 8;
/// It is written as a short all-capital code in the original (a ticker, a unit).
const CODE: u8 = 16;

/// The longest n-grams whose counts are kept.
pub(crate) const MAX_COUNTED_GRAM: usize = 4;

/// Occurrences of one word n-gram in a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GramStats {
    /// How many times it occurs.
    pub count: u32,
    /// The word index of its first occurrence.
    pub first: u32,
    /// Occurrences that start in a sentence holding a number.
    pub in_numeric_sentence: u32,
    /// Occurrences with every word capitalized in the original.
    pub capitalized: u32,
    /// Occurrences right next to a word with a digit (counted for single words).
    pub beside_number: u32,
    /// Occurrences written as short all-capital codes (counted for single words).
    pub code: u32,
}

/// The words of one text.
#[derive(Debug)]
pub struct TextWords<'t> {
    original: &'t str,
    normalized: NormalizedText,
    ids: Vec<u64>,
    classes: Vec<u32>,
    chars: Vec<u32>,
    breaks: Vec<u8>,
    marks: Vec<u8>,
    /// Per class, the counts of its word; runs of repeated words; per n from 2 to 4, the
    /// counts of the n-grams: each built on first use.
    word_stats: OnceCell<Vec<GramStats>>,
    repeated_word_runs: OnceCell<Vec<u32>>,
    gram_stats: [OnceCell<AHashMap<u64, GramStats>>; MAX_COUNTED_GRAM - 1],
}

impl<'t> TextWords<'t> {
    /// Normalizes `original` and measures its words.
    pub fn new(original: &'t str) -> Self {
        let normalized = normalize(original);
        let count = normalized.words.len();
        let mut words = TextWords {
            original,
            ids: Vec::with_capacity(count),
            classes: Vec::with_capacity(count),
            chars: Vec::with_capacity(count),
            breaks: Vec::with_capacity(count),
            marks: Vec::with_capacity(count),
            normalized,
            word_stats: OnceCell::new(),
            repeated_word_runs: OnceCell::new(),
            gram_stats: Default::default(),
        };
        let mut class_of: AHashMap<u64, u32> = AHashMap::with_capacity(count / 2);
        let mut previous_end = 0;
        for span in &words.normalized.words {
            let word = &words.normalized.text[span.norm_start as usize..span.norm_end as usize];
            let id = xxh3_64(word.as_bytes());
            let next_class = class_of.len() as u32;
            words.ids.push(id);
            words
                .classes
                .push(*class_of.entry(id).or_insert(next_class));
            words.chars.push(char_len(word) as u32);
            let gap = &original[previous_end..span.orig_start as usize];
            words.breaks.push(gap_breaks(gap));
            let raw = &original[span.orig_start as usize..span.orig_end as usize];
            words.marks.push(own_marks(word, raw));
            previous_end = span.orig_end as usize;
        }
        words.mark_numbers();
        words
    }

    /// Marks the words beside a number and the words of sentences that hold one.
    fn mark_numbers(&mut self) {
        let len = self.len();
        for i in 0..len {
            let before = i > 0 && self.marks[i - 1] & DIGIT != 0;
            let after = i + 1 < len && self.marks[i + 1] & DIGIT != 0;
            if before || after {
                self.marks[i] |= BESIDE_NUMBER;
            }
        }
        for sentence in self.blocks(SENTENCE_BREAK) {
            if self.marks[sentence.clone()].iter().any(|m| m & DIGIT != 0) {
                for mark in &mut self.marks[sentence] {
                    *mark |= NUMERIC_SENTENCE;
                }
            }
        }
    }

    /// How many words.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the text has no words.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The normalized word at `index`.
    pub fn word(&self, index: usize) -> &str {
        self.normalized.word(index)
    }

    /// The words in `range`, joined by spaces.
    pub fn phrase(&self, range: Range<usize>) -> String {
        range.map(|i| self.word(i)).collect::<Vec<_>>().join(" ")
    }

    /// The word ids, one per word.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// The word classes, one per word: `0..` the number of distinct words, numbered in order of first
    /// occurrence.
    pub fn classes(&self) -> &[u32] {
        &self.classes
    }

    /// Characters of the words in `range` (spacing and punctuation not counted, so they do
    /// not dilute shares).
    pub fn chars(&self, range: Range<usize>) -> usize {
        self.chars[range].iter().map(|&c| c as usize).sum()
    }

    /// The original text from the first to the last word of `range`.
    pub fn original_text(&self, range: Range<usize>) -> &'t str {
        if range.is_empty() {
            return "";
        }
        let start = self.normalized.words[range.start].orig_start as usize;
        let end = self.normalized.words[range.end - 1].orig_end as usize;
        &self.original[start..end]
    }

    /// Whether a break of `kind` stands before the word at `index`.
    pub fn breaks_before(&self, index: usize, kind: u8) -> bool {
        self.breaks[index] & kind != 0
    }

    /// The ranges of words between breaks of `kind`: the lines, paragraphs or sentences that
    /// hold words.
    pub fn blocks(&self, kind: u8) -> Vec<Range<usize>> {
        let mut blocks = Vec::new();
        let mut start = 0;
        for i in 1..self.len() {
            if self.breaks_before(i, kind) {
                blocks.push(start..i);
                start = i;
            }
        }
        if !self.is_empty() {
            blocks.push(start..self.len());
        }
        blocks
    }

    /// Whether the word at `index` holds a digit.
    pub fn has_digit(&self, index: usize) -> bool {
        self.marks[index] & DIGIT != 0
    }

    /// For each word, how many words from it on in a row occur more than once in the text
    /// (one entry more, 0, for the end).
    pub fn repeated_word_runs(&self) -> &[u32] {
        self.repeated_word_runs.get_or_init(|| {
            let stats = self.word_stats();
            let mut runs = vec![0u32; self.len() + 1];
            for i in (0..self.len()).rev() {
                if stats[self.classes[i] as usize].count > 1 {
                    runs[i] = runs[i + 1] + 1;
                }
            }
            runs
        })
    }

    /// The counts of every distinct word, indexed by class.
    pub fn word_stats(&self) -> &[GramStats] {
        self.word_stats.get_or_init(|| {
            let mut stats: Vec<GramStats> = Vec::new();
            for (i, &class) in self.classes.iter().enumerate() {
                if class as usize == stats.len() {
                    stats.push(GramStats {
                        first: i as u32,
                        ..GramStats::default()
                    });
                }
                add_occurrence(&mut stats[class as usize], self.marks[i]);
            }
            stats
        })
    }

    /// The counts of the n-grams (`n` from 2 to 4) that may occur more than once, keyed by
    /// `gram_key` of their ids. An n-gram holding a word that occurs once in the text occurs
    /// once too and is left out: every measure reads only repeated n-grams, and in prose about
    /// half the windows hold such a word.
    pub fn gram_stats(&self, n: usize) -> &AHashMap<u64, GramStats> {
        self.gram_stats[n - 2].get_or_init(|| {
            let runs = self.repeated_word_runs();
            let mut stats: AHashMap<u64, GramStats> = AHashMap::with_capacity(self.len() / 2);
            for (i, gram) in self.ids.windows(n).enumerate() {
                if (runs[i] as usize) < n {
                    continue;
                }
                let entry = stats.entry(gram_key(gram)).or_insert(GramStats {
                    first: i as u32,
                    ..GramStats::default()
                });
                let all_capitalized = self.marks[i..i + n].iter().all(|m| m & CAPITALIZED != 0);
                let marks = self.marks[i] & !(CAPITALIZED | BESIDE_NUMBER | CODE)
                    | if all_capitalized { CAPITALIZED } else { 0 };
                add_occurrence(entry, marks);
            }
            stats
        })
    }
}

/// The n-gram with the most occurrences, the one seen first on ties (so the choice does not
/// depend on the order a hash map yields them in).
pub(crate) fn most_frequent<'a>(stats: impl Iterator<Item = &'a GramStats>) -> Option<GramStats> {
    stats
        .max_by(|x, y| x.count.cmp(&y.count).then(y.first.cmp(&x.first)))
        .copied()
}

/// Counts one occurrence with the given marks.
fn add_occurrence(stats: &mut GramStats, marks: u8) {
    stats.count += 1;
    stats.in_numeric_sentence += u32::from(marks & NUMERIC_SENTENCE != 0);
    stats.capitalized += u32::from(marks & CAPITALIZED != 0);
    stats.beside_number += u32::from(marks & BESIDE_NUMBER != 0);
    stats.code += u32::from(marks & CODE != 0);
}

/// The marks a word has from its own text: a digit, a capital first letter, a code.
fn own_marks(word: &str, raw: &str) -> u8 {
    let mut marks = 0;
    if word.bytes().any(|b| b.is_ascii_digit()) {
        marks |= DIGIT;
    }
    if raw.chars().next().is_some_and(char::is_uppercase) {
        marks |= CAPITALIZED;
    }
    if raw.len() <= 5 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
        marks |= CODE;
    }
    marks
}

fn char_len(word: &str) -> usize {
    if word.is_ascii() {
        word.len()
    } else {
        word.chars().count()
    }
}

/// The breaks a gap between two words holds.
fn gap_breaks(gap: &str) -> u8 {
    let mut flags = 0;
    let mut newlines = 0;
    for c in gap.chars() {
        match c {
            '\n' => {
                newlines += 1;
                flags |= LINE_BREAK | SENTENCE_BREAK;
            }
            '.' | '!' | '?' | '。' | '！' | '？' => flags |= SENTENCE_BREAK,
            _ => {}
        }
    }
    if newlines >= 2 {
        flags |= PARAGRAPH_BREAK;
    }
    flags
}

/// A word n-gram as one number, from the ids of its words: the n-gram maps are keyed by
/// integers, not by slices of strings (hashing strings was most of the cost of padding).
pub(crate) fn gram_key(ids: &[u64]) -> u64 {
    ids.iter().fold(0x9e37_79b9_7f4a_7c15u64, |key, &id| {
        (key.rotate_left(5) ^ id).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_follow_the_breaks_of_the_original() {
        let words = TextWords::new("One two. Three 3.5 four!\nFive six\n\nSeven");
        let texts = |kind| {
            words
                .blocks(kind)
                .into_iter()
                .map(|r| words.original_text(r))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            texts(SENTENCE_BREAK),
            ["One two", "Three 3.5 four", "Five six", "Seven"]
        );
        assert_eq!(
            texts(LINE_BREAK),
            ["One two. Three 3.5 four", "Five six", "Seven"]
        );
        assert_eq!(
            texts(PARAGRAPH_BREAK),
            ["One two. Three 3.5 four!\nFive six", "Seven"]
        );
        assert_eq!(words.chars(0..2), 6);
        assert_eq!(words.phrase(2..4), "three 35");
    }

    #[test]
    fn counts_are_kept_per_word_and_per_gram() {
        let words = TextWords::new("Red apple, 12 red apples. Red Apple pie. GDP red apple");
        assert_eq!(words.classes(), [0, 1, 2, 0, 3, 0, 1, 4, 5, 0, 1]);
        let red = words.word_stats()[0];
        assert_eq!((red.count, red.first, red.capitalized), (4, 0, 2));
        // Two "red" stand in the sentence with a number, one of them beside it.
        assert_eq!((red.in_numeric_sentence, red.beside_number), (2, 1));
        assert_eq!(words.word_stats()[5].code, 1);
        let red_apple = words.gram_stats(2)[&gram_key(&words.ids()[0..2])];
        assert_eq!(red_apple.count, 3);
        assert_eq!(red_apple.first, 0);
        assert_eq!(red_apple.capitalized, 1);
        assert_eq!(words.word_stats().len(), 6);
    }
}
