//! One pass over a document's words and the gaps between them, fed by the tokenization the
//! signatures use ([`crate::text::normalize::for_each_word_and_gap`]), gives everything quality
//! reads from the text: each non-blank line's shape and template key, and each word's id,
//! length, marks and the breaks before it. No byte of the text is looked at twice, except on
//! short lines, whose wording is read again word by word.
//!
//! A line's shape counts whitespace-separated tokens, as a reader sees them; a token holds one
//! or more normalized words (`e-mail` is two) and the punctuation around them. Tokens are
//! tracked across the words and the gaps so that the counts are those of
//! [`LineShape::of`], which splits the line itself.

use std::ops::Range;

use super::boilerplate::shape::{
    LineShape, LineTally, is_link, is_separator, is_unspaced, unspaced_chars,
};
use super::boilerplate::templates::{MAX_TEMPLATE_LINE_CHARS, combine_key, finish_key, word_key};
use super::words::KeyTable;
use crate::text::lexicon::Lexicon;
use crate::text::normalize::{WordBuffer, WordForm, WordVisitor, for_each_word_and_gap};
use crate::text::shingle::word_hash;

/// Marks of a word ([`ScannedWord::marks`], bit flags), shared with [`super::words`].
/// The word holds a digit.
pub(crate) const DIGIT: u8 = 1;
/// It starts with a capital letter in the original.
pub(crate) const CAPITALIZED: u8 = 8;
/// It is written as a short all-capital code in the original (a ticker, a unit).
pub(crate) const CODE: u8 = 16;
/// Its normalized form is a function word.
pub(crate) const FUNCTION: u8 = 32;

/// Kinds of break in the gap before a word (bit flags), shared with [`super::words`].
pub(crate) const LINE_BREAK: u8 = 1;
/// Two line breaks or more: a blank line between paragraphs.
pub(crate) const PARAGRAPH_BREAK: u8 = 2;
/// A sentence end (`.`, `!`, `?` and their full-width forms) or a line break. A decimal point
/// or the periods of an abbreviation sit inside a word and do not count.
pub(crate) const SENTENCE_BREAK: u8 = 4;

/// One word as the scan saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScannedWord {
    /// The hash of the normalized word (the shingles' word hash).
    pub hash: u64,
    /// Byte range in the original text.
    pub start: u32,
    /// End of that range (exclusive).
    pub end: u32,
    /// Characters of the normalized word.
    pub chars: u32,
    /// [`DIGIT`], [`CAPITALIZED`], [`CODE`], [`FUNCTION`].
    pub marks: u8,
    /// Breaks in the gap before it ([`LINE_BREAK`], [`SENTENCE_BREAK`]; paragraphs are told
    /// by `newlines`).
    pub breaks: u8,
    /// Line feeds in the gap before it (saturating).
    pub newlines: u8,
    /// The index of its line among the text's non-blank lines.
    pub line: u32,
}

/// One non-blank line as the scan saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannedLine {
    /// Byte range, outer white space trimmed.
    pub range: Range<usize>,
    /// What it looks like.
    pub(crate) shape: LineShape,
    /// Its template key; `None` when it is too long to be a template or has no word.
    pub key: Option<u64>,
}

/// The token being read: a run of characters other than white space.
#[derive(Debug, Clone, Copy, Default)]
struct Token {
    active: bool,
    start: usize,
    end: usize,
    chars: usize,
    words: u32,
    /// Whether its only word is a function word written in plain letters.
    function: bool,
    /// The first character of its first word: alphabetic, and upper case.
    alphabetic: bool,
    capitalized: bool,
    digit: bool,
    dot_or_at: bool,
}

/// The line being read.
#[derive(Debug, Clone, Default)]
struct Line {
    /// First character other than white space, once there is one.
    start: Option<usize>,
    /// End of its last character other than white space.
    end: usize,
    tally: LineTally,
    words: u32,
    key: u64,
    non_ascii: bool,
    cookie: bool,
    unspaced: usize,
}

/// Scans `text` on its own (when no signature pass shares the tokenization), words hashed as
/// shingles are under `seed`.
pub fn scan_text(text: &str, seed: u64, buffer: &mut WordBuffer, scan: &mut TextScan) {
    struct Feed<'a> {
        text: &'a str,
        seed: u64,
        scan: &'a mut TextScan,
    }
    impl WordVisitor for Feed<'_> {
        #[inline]
        fn gap(&mut self, start: u32, end: u32) {
            self.scan.gap(self.text, start, end);
        }
        #[inline]
        fn word(&mut self, word: &str, start: u32, end: u32, form: WordForm, digits: bool) {
            let hash = word_hash(word, self.seed);
            self.scan
                .word(self.text, word, start, end, form, digits, hash);
        }
    }
    scan.clear();
    scan.hash_function_words(seed);
    for_each_word_and_gap(text, buffer, &mut Feed { text, seed, scan });
    scan.finish(text);
}

/// A reusable scanner: feed it the gaps and words of one text in order, then take the lines
/// and words.
#[derive(Debug, Default)]
pub struct TextScan {
    words: Vec<ScannedWord>,
    lines: Vec<ScannedLine>,
    token: Token,
    line: Line,
    breaks: u8,
    newlines: u8,
    folded: Vec<u8>,
    /// Only the lines' ranges and keys are wanted (no shapes, no words).
    keys_only: bool,
    /// The function words' hashes under the seed of the words fed, for look-ups by hash.
    function_words: Option<(u64, KeyTable<()>)>,
    /// The hashes of "cookie" and "cookies" under that seed: a cookie notice holds one.
    cookie_words: [u64; 2],
}

impl TextScan {
    /// A scanner that finds only each line's range and template key.
    pub fn keys_only() -> Self {
        TextScan {
            keys_only: true,
            ..TextScan::default()
        }
    }

    /// Makes sure the function words are hashed under `seed`, the seed of the words to come.
    fn hash_function_words(&mut self, seed: u64) {
        if self
            .function_words
            .as_ref()
            .is_some_and(|(s, _)| *s == seed)
        {
            return;
        }
        let mut table = KeyTable::default();
        let list = Lexicon::FunctionWords.english();
        table.reset(list.len());
        for word in list {
            table.index_or_insert(word_hash(word, seed), || ());
        }
        self.function_words = Some((seed, table));
        self.cookie_words = [word_hash("cookie", seed), word_hash("cookies", seed)];
    }

    fn is_function_hash(&self, hash: u64) -> bool {
        self.function_words
            .as_ref()
            .is_some_and(|(_, table)| table.get(hash).is_some())
    }
    /// Forgets the previous text.
    pub fn clear(&mut self) {
        self.words.clear();
        self.lines.clear();
        self.token = Token::default();
        self.line = Line::default();
        self.breaks = 0;
        self.newlines = 0;
    }

    /// The non-blank lines of the text scanned.
    pub fn lines(&self) -> &[ScannedLine] {
        &self.lines
    }

    /// The words of the text scanned.
    pub fn words(&self) -> &[ScannedWord] {
        &self.words
    }

    /// Reads the gap `text[start..end]` between two words.
    pub fn gap(&mut self, text: &str, start: u32, end: u32) {
        let (start, end) = (start as usize, end as usize);
        let gap = &text[start..end];
        // Most gaps are one space between two words: it only ends a token.
        if gap.as_bytes() == b" " {
            self.close_token(text);
            return;
        }
        if gap.is_ascii() {
            for (offset, &byte) in gap.as_bytes().iter().enumerate() {
                self.gap_char(text, start + offset, byte as char, 1);
            }
        } else {
            for (offset, c) in gap.char_indices() {
                self.gap_char(text, start + offset, c, c.len_utf8());
            }
        }
    }

    #[inline]
    fn gap_char(&mut self, text: &str, at: usize, c: char, width: usize) {
        if c == '\n' {
            self.newlines = self.newlines.saturating_add(1);
            self.breaks |= LINE_BREAK | SENTENCE_BREAK;
            self.close_line(text);
            return;
        }
        if c.is_whitespace() {
            self.close_token(text);
            return;
        }
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？') {
            self.breaks |= SENTENCE_BREAK;
        }
        if !self.token.active {
            self.open_token(at);
        }
        self.token.chars += 1;
        self.token.end = at + width;
        self.token.dot_or_at |= c == '.' || c == '@';
        let line = &mut self.line;
        line.start.get_or_insert(at);
        line.end = at + width;
        line.tally.punctuated |= matches!(c, ',' | '.' | ';' | ':' | '!' | '?')
            || matches!(c, '，' | '。' | '、' | '；' | '！' | '？');
        if !c.is_ascii() {
            line.non_ascii = true;
            line.unspaced += usize::from(is_unspaced(c));
        }
    }

    #[inline]
    fn open_token(&mut self, at: usize) {
        self.token = Token {
            active: true,
            start: at,
            end: at,
            ..Token::default()
        };
    }

    /// Reads one word: `normalized` is its normalized form, `text[start..end]` its original,
    /// `digit` whether the original holds an ASCII digit, `hash` the hash of the normalized
    /// form.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn word(
        &mut self,
        text: &str,
        normalized: &str,
        start: u32,
        end: u32,
        form: WordForm,
        digit: bool,
        hash: u64,
    ) {
        let original = &text[start as usize..end as usize];
        if !self.token.active {
            self.open_token(start as usize);
        }
        let line = &mut self.line;
        line.start.get_or_insert(start as usize);
        line.end = end as usize;
        line.words += 1;
        line.key = combine_key(
            line.key,
            word_key(
                normalized,
                hash,
                digit,
                form == WordForm::Unicode,
                &mut self.folded,
            ),
        );
        if self.keys_only {
            return;
        }
        let first = match original.as_bytes()[0] {
            byte if byte.is_ascii() => byte as char,
            _ => original.chars().next().unwrap_or(' '),
        };
        let mut marks = if digit { DIGIT } else { 0 };
        if first.is_uppercase() {
            marks |= CAPITALIZED;
        }
        if original.len() <= 5 && original.bytes().all(|b| b.is_ascii_uppercase()) {
            marks |= CODE;
        }
        if normalized.len() <= 8 && self.is_function_hash(hash) {
            marks |= FUNCTION;
        }
        let (chars, original_chars) = match form {
            WordForm::Unicode => (normalized.chars().count(), original.chars().count()),
            _ => (normalized.len(), original.len()),
        };
        // In plain letters, the original is what a reader's token is made of.
        let plain_letters =
            form != WordForm::Unicode && !digit && original.len() == normalized.len();
        let token = &mut self.token;
        token.words += 1;
        if token.words == 1 {
            token.function = plain_letters && marks & FUNCTION != 0;
            token.alphabetic = first.is_alphabetic();
            token.capitalized = first.is_uppercase();
        } else {
            token.function = false;
        }
        token.chars += original_chars;
        token.end = end as usize;
        token.digit |= digit;
        let cookie_words = self.cookie_words;
        let line = &mut self.line;
        if form != WordForm::AsIs {
            let joined = original.bytes().any(|b| b == b'.' || b == b',');
            token.dot_or_at |= joined && original.contains('.');
            line.tally.punctuated |= joined;
        }
        if form == WordForm::Unicode {
            line.non_ascii = true;
            line.unspaced += unspaced_chars(original);
        }
        // The notice needs the word "cookie" or "cookies"; the text must hold "ookie" or
        // "OOKIE" as written.
        if cookie_words.contains(&hash) {
            line.cookie |= original.contains("ookie") || original.contains("OOKIE");
        }
        let breaks = self.breaks
            | if self.newlines >= 2 {
                PARAGRAPH_BREAK
            } else {
                0
            };
        self.words.push(ScannedWord {
            hash,
            start,
            end,
            chars: chars as u32,
            marks,
            breaks,
            newlines: self.newlines,
            line: self.lines.len() as u32,
        });
        self.breaks = 0;
        self.newlines = 0;
    }

    fn close_token(&mut self, text: &str) {
        if !self.token.active {
            return;
        }
        self.token.active = false;
        if self.keys_only {
            return;
        }
        let token = &self.token;
        let tally = &mut self.line.tally;
        tally.chars += token.chars;
        // Separators are tokens without words, links tokens with a period or at sign: few.
        if token.words == 0 || token.dot_or_at {
            let slice = &text[token.start..token.end];
            if token.words == 0 {
                tally.separators += usize::from(is_separator(slice));
            }
            if token.dot_or_at && is_link(slice) {
                tally.link_chars += token.chars;
            }
        }
        if token.words > 0 {
            tally.words += 1;
            tally.function += usize::from(token.function);
            if token.alphabetic {
                tally.alphabetic += 1;
                tally.capitalized += usize::from(token.capitalized);
            }
            tally.numeric += usize::from(token.digit);
        }
    }

    fn close_line(&mut self, text: &str) {
        self.close_token(text);
        let line = std::mem::take(&mut self.line);
        let Some(start) = line.start else {
            return;
        };
        let slice = &text[start..line.end];
        let shape = if self.keys_only {
            LineShape {
                chars: non_space_chars(slice),
                ..LineShape::default()
            }
        } else {
            let mut shape = LineShape::from_tally(slice, &line.tally, line.cookie);
            if line.non_ascii {
                shape.words = shape.words.max(line.unspaced / 2);
            }
            shape
        };
        let key = (line.words > 0
            && shape.chars <= MAX_TEMPLATE_LINE_CHARS
            && slice.len() <= MAX_TEMPLATE_LINE_CHARS * 4)
            .then(|| finish_key(line.key));
        self.lines.push(ScannedLine {
            range: start..line.end,
            shape,
            key,
        });
    }

    /// Closes the last line: call once the last gap was read.
    pub fn finish(&mut self, text: &str) {
        self.close_line(text);
    }
}

/// Characters other than white space (as `char::is_whitespace` has it, as tokens are split).
fn non_space_chars(text: &str) -> usize {
    if text.is_ascii() {
        text.bytes()
            .filter(|b| !matches!(b, b'\t'..=b'\r' | b' '))
            .count()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::boilerplate::split_lines;

    fn scan(text: &str) -> TextScan {
        let mut scan = TextScan::default();
        scan_text(text, 7, &mut WordBuffer::default(), &mut scan);
        scan
    }

    /// The shapes built from the words and gaps are those of splitting each line itself.
    #[test]
    fn shapes_agree_with_splitting_the_line() {
        let pieces = [
            "The",
            "council",
            "said",
            "By",
            "Jane",
            "Doe",
            "|",
            "/",
            "::",
            "<",
            ">",
            "2,500",
            "3.5%",
            "https://example.com/a",
            "www.site.org",
            "@handle",
            "mail@x.net",
            "Share",
            "Tweet",
            "Email",
            "cookies",
            "website",
            "...",
            "(c)",
            "Photo:",
            "May",
            "3,",
            "4:47",
            "pm",
            "said:",
            "Read",
            "more",
            "sign",
            "up",
            "all",
            "rights",
            "reserved.",
            "U.S.",
            "don't",
            "--",
            "\"quoted\"",
            "e-mail",
            "COOKIE",
            "Sept",
            "12th",
            "\t",
            "a",
            "of",
            "the",
            "A1",
            "x.html",
            "it's",
            "Zürich",
            "東京の会議",
            "—",
            "«Le»",
            "•",
            "\u{a0}",
            "no.",
            "x…",
            "…",
            "(the)",
            "state-of-the-art",
            "10:30",
            "¿Qué?",
        ];
        let mut seed = 5u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for round in 0..2000 {
            let lines = 1 + next() as usize % 5;
            let mut text = String::new();
            for _ in 0..lines {
                let words = next() as usize % if round % 4 == 0 { 50 } else { 10 };
                for k in 0..words {
                    if k > 0 {
                        text.push(if next() % 7 == 0 { '\t' } else { ' ' });
                    }
                    text.push_str(pieces[next() as usize % pieces.len()]);
                }
                text.push_str(["\n", "\n\n", " \n", "\n \n"][next() as usize % 4]);
            }
            let scanned = scan(&text);
            let ranges = split_lines(&text);
            assert_eq!(
                scanned
                    .lines()
                    .iter()
                    .map(|l| l.range.clone())
                    .collect::<Vec<_>>(),
                ranges,
                "{text:?}"
            );
            for (line, range) in scanned.lines().iter().zip(ranges) {
                assert_eq!(
                    line.shape,
                    LineShape::of(&text[range.clone()]),
                    "{:?}",
                    &text[range]
                );
            }
        }
    }

    #[test]
    fn keys_fold_case_punctuation_and_numbers() {
        let key = |line: &str| scan(line).lines()[0].key;
        assert_eq!(
            key("© 2024 Coastal Wire. All rights reserved."),
            key("© 2025 COASTAL WIRE — all rights reserved")
        );
        assert_eq!(key("Page 2 of 9"), key("Page 13 of 9"));
        assert_ne!(key("Page 2 of 9"), key("Page two of 9"));
        assert_eq!(key(&"word ".repeat(200)), None);
        assert_eq!(key("— * —"), None);
        for line in ["Page 2 of 9", "© 2024 Coastal Wire", &"word ".repeat(200)] {
            let mut keys = TextScan::keys_only();
            scan_text(line, 7, &mut WordBuffer::default(), &mut keys);
            assert_eq!(keys.lines()[0].key, key(line), "{line}");
        }
    }

    #[test]
    fn words_carry_their_breaks_and_lines() {
        let text = "One two. Three\n\nFour\nfive";
        let scanned = scan(text);
        let breaks: Vec<(u8, u32)> = scanned.words().iter().map(|w| (w.breaks, w.line)).collect();
        assert_eq!(
            breaks,
            [
                (0, 0),
                (0, 0),
                (SENTENCE_BREAK, 0),
                (LINE_BREAK | SENTENCE_BREAK | PARAGRAPH_BREAK, 1),
                (LINE_BREAK | SENTENCE_BREAK, 2),
            ]
        );
    }
}
