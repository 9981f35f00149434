//! A text's words, as the scan found them ([`super::scan::TextScan`]), with what the padding
//! and stuffing measures read from them: per word an id (its hash, so n-grams are counted as
//! integers), a class (the same small number for every occurrence of one word, to index
//! per-word tables), its length in characters, the breaks (line, paragraph, sentence) in the
//! gap before it and a few marks of how it stands in the original. Lines, paragraphs and
//! sentences are ranges of words, and the word and n-gram counts are built once, when the words
//! are taken in, and shared, so no measure reads the text or counts again.
//!
//! One `TextWords` is meant to be kept per worker and refilled document after document: its
//! tables keep their memory.

use std::ops::Range;

use super::scan::{CAPITALIZED, CODE, DIGIT, FUNCTION, ScannedWord, TextScan, scan_text};
pub(crate) use super::scan::{LINE_BREAK, PARAGRAPH_BREAK, SENTENCE_BREAK};
use crate::text::normalize::{WordBuffer, normalize};
use crate::text::shingle::DEFAULT_SHINGLE_SEED;

/// Marks a word gets from its neighbours (bit flags, beside [`DIGIT`], [`CAPITALIZED`],
/// [`CODE`] and [`FUNCTION`] from the scan).
/// A word next to it holds a digit.
const BESIDE_NUMBER: u8 = 2;
/// Its sentence holds a number.
const NUMERIC_SENTENCE: u8 = 4;

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
    /// Occurrences right next to a word with a digit (counted for single words).
    pub beside_number: u32,
    /// Occurrences written as short all-capital codes (counted for single words).
    pub code: u32,
}

/// A position where an n-gram is counted, while [`TextWords`] counts them.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    at: u32,
    key: u64,
    repeated: bool,
}

/// A hash table from 64-bit keys (word ids, n-gram keys) to entries numbered in order of
/// first insertion: open addressing with linear probing over a power-of-two array that is
/// kept from document to document. Iterating the entries follows insertion order, never
/// hash order.
#[derive(Debug, Default)]
pub(crate) struct KeyTable<V> {
    /// Entry index + 1 per slot, 0 for an empty slot.
    slots: Vec<u32>,
    keys: Vec<u64>,
    values: Vec<V>,
    shift: u32,
}

impl<V> KeyTable<V> {
    /// Empties the table, sized for about `expected` keys.
    pub(crate) fn reset(&mut self, expected: usize) {
        let size = (expected * 2).max(16).next_power_of_two();
        self.slots.clear();
        self.slots.resize(size, 0);
        self.keys.clear();
        self.values.clear();
        self.shift = 64 - size.trailing_zeros();
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The index of `key`'s entry, inserting one made by `make` when it has none.
    #[inline]
    pub(crate) fn index_or_insert(&mut self, key: u64, make: impl FnOnce() -> V) -> usize {
        if self.keys.len() * 2 >= self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(key);
        loop {
            match self.slots[slot] {
                0 => {
                    self.keys.push(key);
                    self.values.push(make());
                    self.slots[slot] = self.keys.len() as u32;
                    return self.keys.len() - 1;
                }
                entry if self.keys[entry as usize - 1] == key => return entry as usize - 1,
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// The entry of `key`, if it has one.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<&V> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(key);
        loop {
            match self.slots[slot] {
                0 => return None,
                entry if self.keys[entry as usize - 1] == key => {
                    return Some(&self.values[entry as usize - 1]);
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// The entries, in order of first insertion.
    pub(crate) fn values(&self) -> &[V] {
        &self.values
    }

    /// The entries, in order of first insertion, for changing.
    pub(crate) fn values_mut(&mut self) -> &mut [V] {
        &mut self.values
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        self.slots.clear();
        self.slots.resize(size, 0);
        self.shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for (index, &key) in self.keys.iter().enumerate() {
            let mut slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = index as u32 + 1;
        }
    }
}

/// The words of one text.
#[derive(Debug, Default)]
pub struct TextWords {
    spans: Vec<(u32, u32)>,
    ids: Vec<u64>,
    classes: Vec<u32>,
    /// Characters of the words before each word (one entry more, for the end), so the
    /// characters of any range are one subtraction.
    chars_before: Vec<u32>,
    breaks: Vec<u8>,
    marks: Vec<u8>,
    /// Per class, the counts of its word.
    classes_table: KeyTable<GramStats>,
    /// Per n from 2 to 4, the counts of the n-grams that may occur more than once.
    grams: [KeyTable<GramStats>; MAX_COUNTED_GRAM - 1],
    /// Per position, whether the 4-gram there occurs more than once.
    repeated: Vec<bool>,
    /// Counting buffers: the positions counted for the current length, their entries.
    positions: Vec<Position>,
    entries: Vec<u32>,
}

impl TextWords {
    /// The words of a whole text, on its own.
    pub fn new(text: &str) -> Self {
        let mut scan = TextScan::default();
        scan_text(
            text,
            DEFAULT_SHINGLE_SEED,
            &mut WordBuffer::default(),
            &mut scan,
        );
        let mut words = TextWords::default();
        words.fill(scan.words(), None);
        words
    }

    /// Takes in the scanned words of the lines `kept` keeps (by line index; `None` keeps
    /// every line), in order, and counts them. The gap before a word holds whatever lies
    /// between it and the last word kept, as in the text with the other lines taken out.
    pub fn fill(&mut self, scanned: &[ScannedWord], kept: Option<&[bool]>) {
        self.spans.clear();
        self.ids.clear();
        self.classes.clear();
        self.chars_before.clear();
        self.breaks.clear();
        self.marks.clear();
        let all = kept.is_none_or(|kept| kept.iter().all(|&k| k));
        if all {
            // Every word, as scanned: each array in one pass.
            self.spans.extend(scanned.iter().map(|w| (w.start, w.end)));
            self.ids.extend(scanned.iter().map(|w| w.hash));
            self.breaks.extend(scanned.iter().map(|w| w.breaks));
            self.marks.extend(scanned.iter().map(|w| w.marks));
            let mut chars = 0u32;
            self.chars_before.extend(scanned.iter().map(|w| {
                let before = chars;
                chars += w.chars;
                before
            }));
            self.chars_before.push(chars);
        } else {
            let kept = kept.expect("some lines are left out");
            let (mut pending_breaks, mut pending_newlines) = (0u8, 0u32);
            let mut chars = 0u32;
            for word in scanned {
                pending_breaks |= word.breaks;
                pending_newlines += u32::from(word.newlines);
                if !kept[word.line as usize] {
                    continue;
                }
                self.spans.push((word.start, word.end));
                self.ids.push(word.hash);
                self.chars_before.push(chars);
                chars += word.chars;
                let paragraph = if pending_newlines >= 2 {
                    PARAGRAPH_BREAK
                } else {
                    0
                };
                self.breaks.push(pending_breaks | paragraph);
                self.marks.push(word.marks);
                pending_breaks = 0;
                pending_newlines = 0;
            }
            self.chars_before.push(chars);
        }
        self.classes_table.reset(self.ids.len() / 2);
        for (index, &id) in self.ids.iter().enumerate() {
            let class = self.classes_table.index_or_insert(id, || GramStats {
                first: index as u32,
                ..GramStats::default()
            });
            self.classes.push(class as u32);
        }
        self.mark_numbers();
        self.count();
    }

    /// Marks the words beside a number and the words of sentences that hold one.
    fn mark_numbers(&mut self) {
        if !self.marks.iter().any(|m| m & DIGIT != 0) {
            return;
        }
        let len = self.len();
        for i in 0..len {
            let before = i > 0 && self.marks[i - 1] & DIGIT != 0;
            let after = i + 1 < len && self.marks[i + 1] & DIGIT != 0;
            if before || after {
                self.marks[i] |= BESIDE_NUMBER;
            }
        }
        let mut start = 0;
        while start < len {
            let end = self.block_end(start, SENTENCE_BREAK);
            if self.marks[start..end].iter().any(|m| m & DIGIT != 0) {
                for mark in &mut self.marks[start..end] {
                    *mark |= NUMERIC_SENTENCE;
                }
            }
            start = end;
        }
    }

    /// Counts every word, then the n-grams (n from 2 to 4) that may occur more than once: an
    /// n-gram occurs twice only where the (n - 1)-grams at its start and one word on both
    /// occur twice (for n = 2, its two words), so each length is counted only at such
    /// positions, found among those of the length before. Every occurrence of a repeated
    /// n-gram is counted; n-grams that occur once are mostly not, and no measure reads them.
    /// In prose this leaves a fifth of the positions for 2-grams and almost none beyond.
    fn count(&mut self) {
        let len = self.len();
        {
            let stats = self.classes_table.values_mut();
            for (&class, &marks) in self.classes.iter().zip(&self.marks) {
                add_occurrence(&mut stats[class as usize], marks);
            }
        }
        let stats = self.classes_table.values();
        let repeats = |i: usize| stats[self.classes[i] as usize].count > 1;
        // The positions counted for the current length, with the key of the n-gram there and
        // whether it occurs more than once.
        self.positions.clear();
        for i in 0..len.saturating_sub(1) {
            if repeats(i) && repeats(i + 1) {
                self.positions.push(Position {
                    at: i as u32,
                    key: gram_step(GRAM_KEY_START, self.ids[i]),
                    repeated: false,
                });
            }
        }
        self.repeated.clear();
        self.repeated.resize(len, false);
        for n in 2..=MAX_COUNTED_GRAM {
            let table = &mut self.grams[n - 2];
            table.reset(self.positions.len());
            let mut entries = std::mem::take(&mut self.entries);
            entries.clear();
            for position in &mut self.positions {
                let i = position.at as usize;
                let last = i + n - 1;
                position.key = gram_step(position.key, self.ids[last]);
                let marks = self.marks[i] & !(BESIDE_NUMBER | CODE);
                let entry = table.index_or_insert(position.key, || GramStats {
                    first: i as u32,
                    ..GramStats::default()
                });
                add_occurrence(&mut table.values_mut()[entry], marks);
                entries.push(entry as u32);
            }
            let counts = table.values();
            for (position, &entry) in self.positions.iter_mut().zip(&entries) {
                position.repeated = counts[entry as usize].count > 1;
            }
            self.entries = entries;
            if n == MAX_COUNTED_GRAM {
                for position in &self.positions {
                    self.repeated[position.at as usize] = position.repeated;
                }
                break;
            }
            // An (n + 1)-gram at i needs the n-grams at i and i + 1 to repeat, and room.
            let positions = &mut self.positions;
            let mut kept = 0;
            for k in 0..positions.len() {
                let here = positions[k];
                let next_repeats = positions
                    .get(k + 1)
                    .is_some_and(|next| next.at == here.at + 1 && next.repeated);
                if here.repeated && next_repeats && (here.at as usize) + n < len {
                    positions[kept] = here;
                    kept += 1;
                }
            }
            positions.truncate(kept);
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

    /// The normalized word at `index` of `original` (the text the words were taken from).
    pub fn word(&self, original: &str, index: usize) -> String {
        let (start, end) = self.spans[index];
        normalize(&original[start as usize..end as usize]).text
    }

    /// The normalized words in `range`, joined by spaces.
    pub fn phrase(&self, original: &str, range: Range<usize>) -> String {
        range
            .map(|i| self.word(original, i))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The word ids, one per word.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// The word classes, one per word: `0..` the number of distinct words, numbered in order
    /// of first occurrence.
    pub fn classes(&self) -> &[u32] {
        &self.classes
    }

    /// Characters of the words in `range` (spacing and punctuation not counted, so they do
    /// not dilute shares).
    pub fn chars(&self, range: Range<usize>) -> usize {
        (self.chars_before[range.end] - self.chars_before[range.start]) as usize
    }

    /// The original text from the first to the last word of `range`.
    pub fn original_text<'t>(&self, original: &'t str, range: Range<usize>) -> &'t str {
        if range.is_empty() {
            return "";
        }
        let start = self.spans[range.start].0 as usize;
        let end = self.spans[range.end - 1].1 as usize;
        &original[start..end]
    }

    /// The byte range of the original text from the first to the last word of `range`
    /// (non-empty).
    pub fn byte_range(&self, range: Range<usize>) -> Range<usize> {
        self.spans[range.start].0 as usize..self.spans[range.end - 1].1 as usize
    }

    /// Whether a break of `kind` stands before the word at `index`.
    pub fn breaks_before(&self, index: usize, kind: u8) -> bool {
        self.breaks[index] & kind != 0
    }

    /// Where the block of `kind` that starts at word `start` ends.
    fn block_end(&self, start: usize, kind: u8) -> usize {
        let mut end = start + 1;
        while end < self.len() && !self.breaks_before(end, kind) {
            end += 1;
        }
        end
    }

    /// The ranges of words between breaks of `kind`: the lines, paragraphs or sentences that
    /// hold words.
    pub fn blocks(&self, kind: u8) -> impl Iterator<Item = Range<usize>> + '_ {
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= self.len() {
                return None;
            }
            let end = self.block_end(start, kind);
            let block = start..end;
            start = end;
            Some(block)
        })
    }

    /// Whether the word at `index` holds a digit.
    pub fn has_digit(&self, index: usize) -> bool {
        self.marks[index] & DIGIT != 0
    }

    /// Whether the word at `index` starts with a capital letter in the original.
    pub fn is_capitalized(&self, index: usize) -> bool {
        self.marks[index] & CAPITALIZED != 0
    }

    /// Whether the word at `index` is a function word.
    pub fn is_function_word(&self, index: usize) -> bool {
        self.marks[index] & FUNCTION != 0
    }

    /// Whether the 4-gram starting at each word occurs more than once in the text (`false`
    /// for the last three words).
    pub fn repeated_4grams(&self) -> &[bool] {
        &self.repeated
    }

    /// The counts of every distinct word, indexed by class.
    pub fn word_stats(&self) -> &[GramStats] {
        self.classes_table.values()
    }

    /// The counts of the n-grams (`n` from 2 to 4) that may occur more than once, in order of
    /// first occurrence.
    pub fn gram_stats(&self, n: usize) -> &[GramStats] {
        self.grams[n - 2].values()
    }
}

/// The n-gram with the most occurrences, the one seen first on ties.
pub(crate) fn most_frequent<'a>(stats: impl Iterator<Item = &'a GramStats>) -> Option<GramStats> {
    stats
        .max_by(|x, y| x.count.cmp(&y.count).then(y.first.cmp(&x.first)))
        .copied()
}

/// Counts one occurrence with the given marks.
fn add_occurrence(stats: &mut GramStats, marks: u8) {
    stats.count += 1;
    stats.in_numeric_sentence += u32::from(marks & NUMERIC_SENTENCE != 0);
    stats.beside_number += u32::from(marks & BESIDE_NUMBER != 0);
    stats.code += u32::from(marks & CODE != 0);
}

/// A word n-gram as one number, from the ids of its words: the n-gram tables are keyed by
/// integers, not by slices of strings.
pub(crate) fn gram_key(ids: &[u64]) -> u64 {
    ids.iter()
        .fold(GRAM_KEY_START, |key, &id| gram_step(key, id))
}

/// The key of an empty n-gram.
const GRAM_KEY_START: u64 = 0x9e37_79b9_7f4a_7c15;

/// The key of an n-gram from that of its first n - 1 words and the id of its last.
#[inline]
pub(crate) fn gram_step(key: u64, id: u64) -> u64 {
    (key.rotate_left(5) ^ id).wrapping_mul(0x0100_0000_01b3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_follow_the_breaks_of_the_original() {
        let text = "One two. Three 3.5 four!\nFive six\n\nSeven";
        let words = TextWords::new(text);
        let texts = |kind| {
            words
                .blocks(kind)
                .map(|r| words.original_text(text, r))
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
        assert_eq!(words.phrase(text, 2..4), "three 35");
    }

    #[test]
    fn counts_are_kept_per_word_and_per_gram() {
        let text = "Red apple, 12 red apples. Red Apple pie. GDP red apple";
        let words = TextWords::new(text);
        assert_eq!(words.classes(), [0, 1, 2, 0, 3, 0, 1, 4, 5, 0, 1]);
        let red = words.word_stats()[0];
        assert_eq!((red.count, red.first), (4, 0));
        // Two "red" stand in the sentence with a number, one of them beside it.
        assert_eq!((red.in_numeric_sentence, red.beside_number), (2, 1));
        assert_eq!(words.word_stats()[5].code, 1);
        let red_apple = words.gram_stats(2)[0];
        assert_eq!(red_apple.count, 3);
        assert_eq!(red_apple.first, 0);
        assert_eq!(words.word_stats().len(), 6);
    }

    /// Counting n-grams only where their (n - 1)-grams repeat finds every repeated n-gram,
    /// with its count and first position, as counting all of them does.
    #[test]
    fn repeated_grams_agree_with_counting_every_gram() {
        let vocabulary = ["sun", "rain", "Wind", "snow", "fog", "hail", "mist"];
        let mut seed = 3u64;
        for round in 0..50 {
            let mut text = String::new();
            for k in 0..(50 + round * 7) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let word = vocabulary[(seed >> 33) as usize % (3 + round % 5)];
                text.push_str(word);
                text.push_str(if k % 9 == 8 { ". " } else { " " });
            }
            let words = TextWords::new(&text);
            for n in 2..=MAX_COUNTED_GRAM {
                let mut expected: Vec<(u32, u32)> = Vec::new();
                let ids = words.ids();
                for i in 0..=ids.len() - n {
                    let first = (0..=i).find(|&j| ids[j..j + n] == ids[i..i + n]).unwrap();
                    let count = (0..=ids.len() - n)
                        .filter(|&j| ids[j..j + n] == ids[i..i + n])
                        .count();
                    if count > 1 && first == i {
                        expected.push((first as u32, count as u32));
                    }
                }
                let found: Vec<(u32, u32)> = words
                    .gram_stats(n)
                    .iter()
                    .filter(|s| s.count > 1)
                    .map(|s| (s.first, s.count))
                    .collect();
                assert_eq!(found, expected, "n = {n}: {text}");
            }
        }
    }

    #[test]
    fn the_table_finds_what_it_holds_and_keeps_insertion_order() {
        let mut table: KeyTable<u32> = KeyTable::default();
        table.reset(4);
        for key in 0..1000u64 {
            let index = table.index_or_insert(key * 7919, || key as u32);
            assert_eq!(index, key as usize);
        }
        for key in 0..1000u64 {
            assert_eq!(table.get(key * 7919), Some(&(key as u32)));
            assert_eq!(table.index_or_insert(key * 7919, || 0), key as usize);
        }
        assert_eq!(table.get(3), None);
        assert_eq!(table.values()[10], 10);
        table.reset(2);
        assert_eq!(table.get(7919), None);
        assert!(table.values().is_empty());
    }

    /// Words of lines taken out leave their breaks to the next word kept, as in the text with
    /// those lines removed.
    #[test]
    fn words_of_removed_lines_leave_their_breaks() {
        let text = "Kept line one\nRemoved line\nKept line two";
        let mut scan = TextScan::default();
        scan_text(text, 1, &mut WordBuffer::default(), &mut scan);
        let mut words = TextWords::default();
        words.fill(scan.words(), Some(&[true, false, true]));
        let clean = TextWords::new("Kept line one\n\nKept line two");
        assert_eq!(words.len(), clean.len());
        assert_eq!(words.breaks, clean.breaks);
    }
}
