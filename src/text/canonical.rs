//! Canonical forms of words that papers restyle when they republish a story: figures ("1.5
//! mln", "1.5 million", "1,500,000", "£1.5m" are one word, `1500000`; "4.2 percent", "4.2
//! pct", "4.2 per cent" and "4.2%" are `42`) and British spellings, which become American
//! ("colour" is `color`). Normalization applies them to every word it yields, so shingles,
//! alignment and quality all compare the canonical words and agree with one another.
//!
//! A figure's scale and percent words are absorbed into the gap after the figure: the figure
//! keeps its own byte range and the words after it become separator bytes, so every byte of
//! the original is still in exactly one word or one gap, and a line break between a figure and
//! its scale word (a hard-wrapped text) is still seen by whoever reads the gaps. A scale word is
//! read across any gap, even a sentence's end ("grew 5. Million people" reads as 5,000,000
//! people): the normalized text keeps no punctuation, so a rule that looked at the gap would read
//! it differently the second time, and normalization must be idempotent.
//!
//! The word lists are data files: `lexicon/en/figure_words.txt` and
//! `lexicon/en/spelling_variants.txt`.

use std::sync::OnceLock;

use crate::text::lexicon::{Lexicon, spelling_variants};
use crate::text::normalize::{WordForm, WordVisitor};

/// The American spelling of a British `word` (lower case), if the variant table has it.
#[inline]
pub fn american_spelling(word: &str) -> Option<&'static str> {
    SpellingTable::get().find(word)
}

/// The British → American table as an open-addressing hash table at most a quarter full,
/// behind a 1 KiB Bloom filter that stays in the first-level cache: a word that is not British
/// (nearly every word) costs two loads of the word, two multiplications and two bit tests, and
/// reaches the table about 4 % of the time.
struct SpellingTable {
    /// Two bits per British form, from its hash.
    bloom: [u64; 128],
    /// A word's hash per slot, 0 for an empty slot.
    hashes: Box<[u64]>,
    /// The pair in a full slot.
    pairs: Box<[(&'static str, &'static str)]>,
}

impl SpellingTable {
    /// Shorter British forms than "tyre" are not in the table, so a word's first and last
    /// four bytes can always be read.
    const SHORTEST: usize = 4;
    /// Nor longer ones than 24 bytes.
    const LONGEST: usize = 24;

    fn get() -> &'static SpellingTable {
        static TABLE: OnceLock<SpellingTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let variants = spelling_variants();
            let slots = (variants.len() * 4).next_power_of_two();
            let mut hashes = vec![0u64; slots].into_boxed_slice();
            let mut pairs = vec![("", ""); slots].into_boxed_slice();
            for &(british, american) in variants {
                assert!(
                    (Self::SHORTEST..=Self::LONGEST).contains(&british.len()),
                    "spelling variant {british} is outside the lengths the table reads"
                );
                let hash = Self::hash(british.as_bytes());
                let mut slot = Self::home(hash, slots);
                while hashes[slot] != 0 && pairs[slot].0 != british {
                    slot = (slot + 1) & (slots - 1);
                }
                hashes[slot] = hash;
                pairs[slot] = (british, american);
            }
            let mut bloom = [0u64; 128];
            for &hash in hashes.iter().filter(|&&h| h != 0) {
                for bit in Self::bloom_bits(hash) {
                    bloom[bit / 64] |= 1 << (bit % 64);
                }
            }
            SpellingTable {
                bloom,
                hashes,
                pairs,
            }
        })
    }

    /// The filter's two bits for a hash: two disjoint 13-bit fields of it.
    #[inline]
    fn bloom_bits(hash: u64) -> [usize; 2] {
        [(hash >> 51) as usize, ((hash >> 38) & 8191) as usize]
    }

    #[inline(always)]
    fn find(&self, word: &str) -> Option<&'static str> {
        if !(Self::SHORTEST..=Self::LONGEST).contains(&word.len()) {
            return None;
        }
        let hash = Self::hash(word.as_bytes());
        if Self::bloom_bits(hash)
            .iter()
            .any(|&bit| self.bloom[bit / 64] & (1 << (bit % 64)) == 0)
        {
            return None;
        }
        self.probe(word, hash)
    }

    /// The table look-up for a word that passed the filter.
    #[inline(never)]
    fn probe(&self, word: &str, hash: u64) -> Option<&'static str> {
        let mask = self.hashes.len() - 1;
        let mut slot = Self::home(hash, self.hashes.len());
        loop {
            match self.hashes[slot] {
                0 => return None,
                h if h == hash && self.pairs[slot].0 == word => return Some(self.pairs[slot].1),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// The slot a hash starts probing at: its top bits, which the multiplication mixed best.
    #[inline]
    fn home(hash: u64, slots: usize) -> usize {
        (hash >> (64 - slots.trailing_zeros())) as usize
    }

    /// A non-zero hash of a word of 4 to 24 bytes from its length and its first and last
    /// eight bytes (four, for a shorter word), read as two overlapping loads. Words that share
    /// both ends and the length collide; the table compares the words themselves.
    #[inline]
    fn hash(word: &[u8]) -> u64 {
        let n = word.len();
        let (head, tail) = if n >= 8 {
            (
                u64::from_le_bytes(word[..8].try_into().expect("8 bytes")),
                u64::from_le_bytes(word[n - 8..].try_into().expect("8 bytes")),
            )
        } else {
            (
                u64::from(u32::from_le_bytes(word[..4].try_into().expect("4 bytes"))),
                u64::from(u32::from_le_bytes(
                    word[n - 4..].try_into().expect("4 bytes"),
                )),
            )
        };
        // The multiplier of Fibonacci hashing (2^64 / the golden ratio) and the first of the
        // MurmurHash3 finalizer: odd, with bits spread over the whole word.
        let mixed = (head.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ tail.rotate_left(29) ^ n as u64)
            .wrapping_mul(0xff51_afd7_ed55_8ccd);
        mixed | 1
    }
}

/// What a word after a figure can do to it (`lexicon/en/figure_words.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FigureWord {
    /// Multiplies the figure by 10^power. `attached`: read only when written onto the digits.
    Scale { power: u32, attached: bool },
    /// Means "percent" after a figure.
    Percent,
    /// The first word of a two-word "percent" ("per" of "per cent"); the second is given.
    PercentStart { second: &'static str },
}

struct FigureWords {
    entries: Vec<(&'static str, FigureWord)>,
}

impl FigureWords {
    fn get() -> &'static FigureWords {
        static WORDS: OnceLock<FigureWords> = OnceLock::new();
        WORDS.get_or_init(|| {
            let entries = Lexicon::FigureWords
                .english()
                .iter()
                .map(|line| {
                    let fields: Vec<&'static str> = line.split_whitespace().collect();
                    match fields.as_slice() {
                        ["scale", word, power] | ["scale", word, power, "attached"] => (
                            *word,
                            FigureWord::Scale {
                                power: power.parse().expect("a scale's power is a number"),
                                attached: fields.len() == 4,
                            },
                        ),
                        ["percent", word] => (*word, FigureWord::Percent),
                        ["percent", first, second] => (*first, FigureWord::PercentStart { second }),
                        _ => panic!("malformed line in figure_words.txt: {line}"),
                    }
                })
                .collect();
            FigureWords { entries }
        })
    }

    /// What `word` is after a figure, written as a word of its own, with the list's entry.
    fn after_figure(word: &str) -> Option<(&'static str, FigureWord)> {
        Self::get()
            .entries
            .iter()
            .find(|(entry, kind)| {
                *entry == word && !matches!(kind, FigureWord::Scale { attached: true, .. })
            })
            .copied()
    }

    /// The power of ten of a scale word written onto the digits ("m" of "5m").
    fn attached_scale(suffix: &str) -> Option<u32> {
        Self::get()
            .entries
            .iter()
            .find_map(|(entry, kind)| match kind {
                FigureWord::Scale { power, .. } if *entry == suffix => Some(*power),
                _ => None,
            })
    }
}

/// A figure read, waiting to see whether scale or percent words follow it.
#[derive(Debug, Clone, Copy)]
struct Figure {
    start: u32,
    end: u32,
    form: WordForm,
    /// Whether the original holds an ASCII digit (what [`WordVisitor::word`] is told).
    digits: bool,
    /// Digits after the decimal point in the original ("1.5" has 1).
    decimals: u32,
    /// The power of ten of the scale words read so far.
    power: u32,
    /// Whether a scale word was read: then the figure is written out in full.
    scaled: bool,
}

/// What the reader is waiting for.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Nothing pending: words and gaps pass straight through.
    Idle,
    /// A figure (and any scale or percent words after it) is pending.
    AfterFigure { figure: Figure },
    /// A figure followed by the first word of a two-word "percent" at `start..end`.
    AfterPercentStart {
        figure: Figure,
        first: &'static str,
        start: u32,
        end: u32,
        form: WordForm,
        second: &'static str,
    },
}

/// Reusable buffers of [`Canonical`].
#[derive(Debug, Default)]
pub struct CanonicalBuffer {
    /// The pending figure's digits, without separators.
    digits: String,
    /// A figure written out in full.
    written: String,
}

/// A [`WordVisitor`] that hands canonical words on to another one.
pub struct Canonical<'a, V: WordVisitor> {
    original: &'a str,
    next: &'a mut V,
    buffer: &'a mut CanonicalBuffer,
    state: State,
    spellings: &'static SpellingTable,
}

impl<'a, V: WordVisitor> Canonical<'a, V> {
    /// Reads the words of `original` for `next`.
    pub fn new(original: &'a str, next: &'a mut V, buffer: &'a mut CanonicalBuffer) -> Self {
        Canonical {
            original,
            next,
            buffer,
            state: State::Idle,
            spellings: SpellingTable::get(),
        }
    }

    /// Hands on whatever is pending; call once after the last gap.
    pub fn finish(&mut self) {
        let end = self.original.len() as u32;
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Idle => {}
            State::AfterFigure { figure, .. } => self.emit_figure(figure, end),
            State::AfterPercentStart {
                figure,
                first,
                start,
                end: word_end,
                form,
                ..
            } => {
                self.emit_figure(figure, start);
                self.idle_word(first, start, word_end, form, false);
                self.next.gap(word_end, end);
            }
        }
    }

    /// Writes a figure and the gap after it, up to `gap_end`.
    fn emit_figure(&mut self, figure: Figure, gap_end: u32) {
        let buffer = &mut *self.buffer;
        if figure.scaled {
            write_scaled(
                &buffer.digits,
                figure.decimals,
                figure.power,
                &mut buffer.written,
            );
            self.next.word(
                &buffer.written,
                figure.start,
                figure.end,
                WordForm::FoldedAscii,
                figure.digits,
            );
        } else {
            self.next.word(
                &buffer.digits,
                figure.start,
                figure.end,
                figure.form,
                figure.digits,
            );
        }
        self.next.gap(figure.end, gap_end);
    }

    /// A word when nothing is pending.
    #[inline(always)]
    fn idle_word(&mut self, word: &str, start: u32, end: u32, form: WordForm, digits: bool) {
        // Judged on the normalized word, not on `digits` (ASCII digits in the original): "²"
        // folds to "2", and the normalized text must read the same the second time.
        if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            self.idle_figure(word, start, end, form, digits);
        } else if let Some(american) = self.spellings.find(word) {
            // "colour’s" comes through Unicode folding as "colours", like "colour's".
            let form = match form {
                WordForm::Unicode => WordForm::Unicode,
                WordForm::AsIs | WordForm::FoldedAscii => WordForm::FoldedAscii,
            };
            self.next.word(american, start, end, form, digits);
        } else {
            self.next.word(word, start, end, form, digits);
        }
    }

    /// A word that starts with a digit when nothing is pending: a figure waits for what
    /// follows it.
    #[inline(never)]
    fn idle_figure(&mut self, word: &str, start: u32, end: u32, form: WordForm, digits: bool) {
        match self.read_figure(word, start, end, form, digits) {
            Some(figure) => self.state = State::AfterFigure { figure },
            None => self.next.word(word, start, end, form, digits),
        }
    }

    /// `word` as a figure: digits, optionally with a scale word written onto them.
    fn read_figure(
        &mut self,
        word: &str,
        start: u32,
        end: u32,
        form: WordForm,
        digits: bool,
    ) -> Option<Figure> {
        let split = word
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(word.len());
        if split == 0 {
            return None;
        }
        let (figure_digits, suffix) = word.split_at(split);
        let power = if suffix.is_empty() {
            None
        } else {
            Some(FigureWords::attached_scale(suffix)?)
        };
        self.buffer.digits.clear();
        self.buffer.digits.push_str(figure_digits);
        let original = &self.original.as_bytes()[start as usize..end as usize];
        Some(Figure {
            start,
            end,
            form,
            digits,
            decimals: decimals(original),
            power: power.unwrap_or(0),
            scaled: power.is_some(),
        })
    }
}

/// How many digits follow the decimal point of a figure as written: the figure's digits, then
/// one period and digits. Commas before the point separate thousands; a figure with several
/// periods ("1.500.000") uses them as thousands separators and has no decimals.
fn decimals(original: &[u8]) -> u32 {
    let figure_end = original
        .iter()
        .position(u8::is_ascii_alphabetic)
        .unwrap_or(original.len());
    let figure = &original[..figure_end];
    let mut points = figure.iter().enumerate().filter(|(_, b)| **b == b'.');
    match (points.next(), points.next()) {
        (Some((at, _)), None) if figure[at + 1..].iter().all(u8::is_ascii_digit) => {
            (figure.len() - at - 1) as u32
        }
        _ => 0,
    }
}

/// Writes `digits` with `decimals` of them after the point, times 10^power, as a whole
/// number without leading zeros; digits below one unit are dropped.
fn write_scaled(digits: &str, decimals: u32, power: u32, out: &mut String) {
    out.clear();
    if power >= decimals {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (power - decimals) as usize));
    } else {
        let keep = digits.len().saturating_sub((decimals - power) as usize);
        out.push_str(&digits[..keep]);
    }
    let zeros = out.bytes().take_while(|&b| b == b'0').count();
    if zeros == out.len() {
        out.clear();
        out.push('0');
    } else {
        out.drain(..zeros);
    }
}

impl<V: WordVisitor> WordVisitor for Canonical<'_, V> {
    #[inline]
    fn gap(&mut self, start: u32, end: u32) {
        match &mut self.state {
            State::Idle => self.next.gap(start, end),
            // The gap after a figure is handed on with the figure, whatever it holds: the
            // normalized text joins words with single spaces, so a rule that looked at the gap
            // would read the normalized text differently and normalization would not be
            // idempotent.
            State::AfterFigure { .. } | State::AfterPercentStart { .. } => {}
        }
    }

    #[inline(always)]
    fn word(&mut self, word: &str, start: u32, end: u32, form: WordForm, digits: bool) {
        if let State::Idle = self.state {
            self.idle_word(word, start, end, form, digits);
        } else {
            self.pending_word(word, start, end, form, digits);
        }
    }
}

impl<V: WordVisitor> Canonical<'_, V> {
    /// A word after a figure: absorbed into it, or the figure is handed on first.
    #[inline(never)]
    fn pending_word(&mut self, word: &str, start: u32, end: u32, form: WordForm, digits: bool) {
        match self.state {
            State::Idle => self.idle_word(word, start, end, form, digits),
            State::AfterFigure { mut figure } => {
                let kind = FigureWords::after_figure(word);
                match kind {
                    Some((_, FigureWord::Scale { power, .. })) => {
                        figure.power += power;
                        figure.scaled = true;
                        self.state = State::AfterFigure { figure };
                    }
                    Some((_, FigureWord::Percent)) => {
                        self.state = State::AfterFigure { figure };
                    }
                    Some((first, FigureWord::PercentStart { second })) => {
                        self.state = State::AfterPercentStart {
                            figure,
                            first,
                            start,
                            end,
                            form,
                            second,
                        };
                    }
                    None => {
                        self.state = State::Idle;
                        self.emit_figure(figure, start);
                        self.idle_word(word, start, end, form, digits);
                    }
                }
            }
            State::AfterPercentStart {
                figure,
                first,
                start: first_start,
                end: first_end,
                form: first_form,
                second,
            } => {
                if word == second {
                    self.state = State::AfterFigure { figure };
                    return;
                }
                self.state = State::Idle;
                self.emit_figure(figure, first_start);
                self.idle_word(first, first_start, first_end, first_form, false);
                self.next.gap(first_end, start);
                self.idle_word(word, start, end, form, digits);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::text::normalize::{WordBuffer, for_each_word_and_gap, normalize};

    use super::*;

    fn words(text: &str) -> String {
        normalize(text).text
    }

    #[test]
    fn every_style_of_a_figure_is_one_word() {
        for style in [
            "rose to 1.5 million tonnes",
            "rose to 1.5 mln tonnes",
            "rose to 1.5 mn tonnes",
            "rose to 1,500,000 tonnes",
            "rose to 1.500.000 tonnes",
            "rose to 1.5m tonnes",
            "rose to 1.5-million tonnes",
            "rose to 1.50 Million tonnes",
            "rose to 1.5\nmillion tonnes",
            "rose to 1.5\u{a0}million tonnes",
        ] {
            assert_eq!(words(style), "rose to 1500000 tons", "{style}");
        }
        assert_eq!(words("a £0.5bn deal"), "a 500000000 deal");
        assert_eq!(words("2 thousand"), "2000");
        assert_eq!(words("1.2345678 million"), "1234567");
        assert_eq!(words("5 million million"), "5000000000000");
    }

    #[test]
    fn every_style_of_a_percentage_is_the_figure() {
        for style in [
            "4.2%",
            "4.2 percent",
            "4.2 pct",
            "4.2 per cent",
            "4.2 Per Cent",
        ] {
            assert_eq!(words(&format!("up {style} on")), "up 42 on", "{style}");
        }
    }

    #[test]
    fn words_that_only_look_like_restyling_stay() {
        // "per" without "cent".
        assert_eq!(words("5 per capita"), "5 per capita");
        assert_eq!(words("5 per"), "5 per");
        // Read across any gap, so that normalizing the normalized text changes nothing.
        assert_eq!(words("grew 5. Million people"), "grew 5000000 people");
        // "m" alone is metres as often as millions; only "5m" is read as a scale.
        assert_eq!(words("a 5 m wall"), "a 5 m wall");
        // A word with digits that is not a figure.
        assert_eq!(words("covid19 million 3rd"), "covid19 million 3rd");
        assert_eq!(words("million people"), "million people");
    }

    #[test]
    fn british_spellings_become_american() {
        assert_eq!(
            words("The Colour of the HARBOUR centre"),
            "the color of the harbor center"
        );
        assert_eq!(american_spelling("colour"), Some("color"));
        assert_eq!(american_spelling("color"), None);
        assert_eq!(american_spelling("four"), None);
        for (british, american) in spelling_variants() {
            assert_eq!(american_spelling(british), Some(*american), "{british}");
            assert_eq!(american_spelling(american), None, "{american}");
        }
    }

    #[test]
    fn a_figure_keeps_its_own_bytes_and_its_scale_word_joins_the_gap() {
        let text = "It cost $1.5\nmillion, per head";
        let normalized = normalize(text);
        let pieces: Vec<&str> = normalized
            .words
            .iter()
            .map(|w| &text[w.orig_start as usize..w.orig_end as usize])
            .collect();
        assert_eq!(pieces, ["It", "cost", "1.5", "per", "head"]);
        assert_eq!(normalized.text, "it cost 1500000 per head");

        struct Tiles(Vec<(u32, u32, bool)>);
        impl WordVisitor for Tiles {
            fn gap(&mut self, start: u32, end: u32) {
                self.0.push((start, end, false));
            }
            fn word(&mut self, _: &str, start: u32, end: u32, _: WordForm, _: bool) {
                self.0.push((start, end, true));
            }
        }
        let mut tiles = Tiles(Vec::new());
        for_each_word_and_gap(text, &mut WordBuffer::default(), &mut tiles);
        let mut at = 0;
        for (start, end, is_word) in &tiles.0 {
            assert_eq!(*start, at, "{:?}", tiles.0);
            at = *end;
            if !is_word {
                assert!(text.is_char_boundary(*start as usize));
            }
        }
        assert_eq!(at as usize, text.len());
        // The line break before "million" is in a gap, where a reader of lines sees it.
        let gap_with_break = tiles
            .0
            .iter()
            .find(|(start, end, is_word)| {
                !is_word && text[*start as usize..*end as usize].contains('\n')
            })
            .expect("a gap holds the line break");
        assert_eq!(
            &text[gap_with_break.0 as usize..gap_with_break.1 as usize],
            "\nmillion, "
        );
    }

    #[test]
    fn canonical_words_are_idempotent() {
        for text in [
            "1.5 mln and 4.2 per cent",
            "5 million million",
            "1.2345678 million",
            "colour 0.5bn 007 per",
            "3 per 5 per cent",
        ] {
            let once = words(text);
            assert_eq!(words(&once), once, "{text}");
        }
    }
}
