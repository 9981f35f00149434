//! One pass over a document's words and the gaps between them, fed by the tokenization the
//! signatures use ([`crate::text::normalize::for_each_word_and_gap`]), gives everything quality
//! reads from the text: each non-blank line's shape and template key, and each word's id,
//! length, marks and the breaks before it.
//!
//! The pass itself only records: per word what its normalized form says (digits, capitals,
//! function word, how the original is written) and what the gap before it holds; per line its
//! range, words and key. A line's shape is then added up from its words: a shape counts
//! whitespace-separated tokens, as a reader sees them, and a token holds one or more
//! normalized words (`e-mail` is two) and the punctuation around them; only gaps with more
//! than white space in them are read again. The counts are those of splitting each line
//! itself, which the tests hold the scan to.

use std::ops::Range;

use super::boilerplate::shape::{LineShape, LineTally, is_link, is_separator};
use super::boilerplate::templates::{MAX_TEMPLATE_LINE_CHARS, combine_key, finish_key, word_key};
use super::paragraphs::soft_line_breaks;
use super::words::KeyTable;
use crate::text::lexicon::Lexicon;
use crate::text::normalize::{
    WordBuffer, WordForm, WordVisitor, for_each_word_and_gap, is_written_without_spaces,
    spaceless_chars,
};
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

/// How a word is written and what the gap before it holds ([`ScannedWord::form`], bit
/// flags), for adding up its line's shape.
/// The gap before it, after its last line feed, holds something other than white space.
const INK_BEFORE: u8 = 2;
/// The original is its normalized form's letters, as written: no digits, joiners or other
/// characters than ASCII.
const PLAIN: u8 = 4;
/// The original holds a period or comma (joining `U.S.`, `3.5`, `2,500`).
const JOINED: u8 = 8;
/// The original's first character is a letter.
const ALPHABETIC: u8 = 16;
/// The original has other characters than ASCII.
const UNICODE: u8 = 32;
/// Its normalized form is "cookie" or "cookies".
const COOKIE: u8 = 64;

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
    /// Bit flags: holds a digit, starts with a capital, is a short all-capital code, is a
    /// function word.
    pub marks: u8,
    /// Breaks in the gap before it, bit flags: a line break, a paragraph break, a sentence
    /// end.
    pub breaks: u8,
    /// Line feeds in the gap before it (saturating).
    pub newlines: u8,
    /// How it is written and what the gap before it holds.
    form: u8,
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

/// A non-blank line while the text is read: its range, its words (by index) and its key.
#[derive(Debug, Clone, Default)]
struct LineSpan {
    start: usize,
    end: usize,
    words: Range<u32>,
    key: u64,
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
    scan.soft_breaks = soft_line_breaks(text);
    // Keys do not depend on function words: a scanner made for keys alone (a title, or the
    // lines of a document in a partial pair) skips hashing the list.
    if !scan.keys_only {
        scan.hash_function_words(seed);
    }
    for_each_word_and_gap(text, buffer, &mut Feed { text, seed, scan });
    scan.finish(text);
}

/// A reusable scanner: feed it the gaps and words of one text in order, then take the lines
/// and words.
#[derive(Debug, Default)]
pub struct TextScan {
    words: Vec<ScannedWord>,
    lines: Vec<ScannedLine>,
    spans: Vec<LineSpan>,
    /// The line being read: its first character other than white space once there is one,
    /// the end of its last, its first word and its key so far.
    line_start: Option<usize>,
    line_end: usize,
    line_first_word: u32,
    line_key: u64,
    /// What the gap before the next word held.
    breaks: u8,
    newlines: u8,
    gap_form: u8,
    folded: Vec<u8>,
    /// Only the lines' ranges and keys are wanted (no shapes).
    keys_only: bool,
    /// The function words' hashes under the seed of the words fed, for look-ups by hash.
    function_words: Option<(u64, KeyTable<()>)>,
    /// The hashes of "cookie" and "cookies" under that seed: a cookie notice holds one.
    cookie_words: [u64; 2],
    /// The line feeds inside hard-wrapped paragraphs (byte positions, ascending), read as
    /// spaces, and the next of them to come.
    soft_breaks: Vec<u32>,
    next_soft: usize,
}

impl TextScan {
    /// A scanner that finds only each line's range and template key.
    pub fn keys_only() -> Self {
        TextScan {
            keys_only: true,
            ..TextScan::default()
        }
    }

    /// Forgets the previous text.
    pub fn clear(&mut self) {
        self.words.clear();
        self.lines.clear();
        self.spans.clear();
        self.line_start = None;
        self.line_end = 0;
        self.line_first_word = 0;
        self.line_key = 0;
        self.breaks = 0;
        self.newlines = 0;
        self.gap_form = 0;
        self.soft_breaks.clear();
        self.next_soft = 0;
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

    /// The non-blank lines of the text scanned.
    pub fn lines(&self) -> &[ScannedLine] {
        &self.lines
    }

    /// The words of the text scanned.
    pub fn words(&self) -> &[ScannedWord] {
        &self.words
    }

    /// Reads the gap `text[start..end]` between two words.
    #[inline]
    pub fn gap(&mut self, text: &str, start: u32, end: u32) {
        let (start, end) = (start as usize, end as usize);
        let bytes = &text.as_bytes()[start..end];
        // Most gaps are one space between two words.
        if bytes == b" " {
            self.gap_form = 0;
            return;
        }
        self.gap_form = 0;
        if bytes.is_ascii() {
            for (offset, &byte) in bytes.iter().enumerate() {
                self.gap_char(start + offset, byte as char, 1);
            }
        } else {
            for (offset, c) in text[start..end].char_indices() {
                self.gap_char(start + offset, c, c.len_utf8());
            }
        }
    }

    #[inline]
    fn gap_char(&mut self, at: usize, c: char, width: usize) {
        if c == '\n' && self.soft_breaks.get(self.next_soft) == Some(&(at as u32)) {
            // A line feed inside a hard-wrapped paragraph: a space.
            self.next_soft += 1;
            return;
        }
        if c == '\n' {
            self.newlines = self.newlines.saturating_add(1);
            self.breaks |= LINE_BREAK | SENTENCE_BREAK;
            self.end_line();
            self.gap_form = 0;
            return;
        }
        if c.is_whitespace() {
            return;
        }
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？') {
            self.breaks |= SENTENCE_BREAK;
        }
        self.gap_form |= INK_BEFORE;
        self.line_start.get_or_insert(at);
        self.line_end = at + width;
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
        self.line_start.get_or_insert(start as usize);
        self.line_end = end as usize;
        let unicode = form == WordForm::Unicode;
        self.line_key = combine_key(
            self.line_key,
            word_key(normalized, hash, digit, unicode, &mut self.folded),
        );
        let original = &text.as_bytes()[start as usize..end as usize];
        let mut marks = if digit { DIGIT } else { 0 };
        let mut shape = self.gap_form;
        let first = original[0];
        if first.is_ascii() {
            if first.is_ascii_uppercase() {
                marks |= CAPITALIZED;
            }
            if first.is_ascii_alphabetic() {
                shape |= ALPHABETIC;
            }
        } else {
            let first = text[start as usize..].chars().next().unwrap_or(' ');
            if first.is_uppercase() {
                marks |= CAPITALIZED;
            }
            if first.is_alphabetic() {
                shape |= ALPHABETIC;
            }
        }
        if original.len() <= 5 && original.iter().all(u8::is_ascii_uppercase) {
            marks |= CODE;
        }
        if normalized.len() <= 8 && self.is_function_hash(hash) {
            marks |= FUNCTION;
        }
        match form {
            WordForm::AsIs => {
                if !digit {
                    shape |= PLAIN;
                }
            }
            WordForm::FoldedAscii => {
                if original.iter().any(|&b| b == b'.' || b == b',') {
                    shape |= JOINED;
                } else if !digit && original.iter().all(u8::is_ascii_alphabetic) {
                    // Capitals folded, or a British spelling made American.
                    shape |= PLAIN;
                }
            }
            WordForm::Unicode => {
                shape |= UNICODE;
                if original.iter().any(|&b| b == b'.' || b == b',') {
                    shape |= JOINED;
                }
            }
        }
        if self.cookie_words.contains(&hash) {
            shape |= COOKIE;
        }
        let chars = if unicode {
            normalized.chars().count()
        } else {
            normalized.len()
        };
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
            form: shape,
            line: self.spans.len() as u32,
        });
        self.breaks = 0;
        self.newlines = 0;
        self.gap_form = 0;
    }

    /// The line being read ends (a line feed, or the end of the text).
    fn end_line(&mut self) {
        let words = self.words.len() as u32;
        if let Some(start) = self.line_start.take() {
            self.spans.push(LineSpan {
                start,
                end: self.line_end,
                words: self.line_first_word..words,
                key: self.line_key,
            });
        }
        self.line_first_word = words;
        self.line_key = 0;
    }

    /// Closes the last line and adds up every line's shape: call once the last gap was read.
    pub fn finish(&mut self, text: &str) {
        self.end_line();
        let spans = std::mem::take(&mut self.spans);
        self.lines.reserve(spans.len());
        for span in &spans {
            let slice = &text[span.start..span.end];
            let words = &self.words[span.words.start as usize..span.words.end as usize];
            let shape = if self.keys_only {
                LineShape {
                    chars: non_space_chars(slice),
                    ..LineShape::default()
                }
            } else {
                shape_of(text, span, words)
            };
            let key = (!words.is_empty()
                && shape.chars <= MAX_TEMPLATE_LINE_CHARS
                && slice.len() <= MAX_TEMPLATE_LINE_CHARS * 4)
                .then(|| finish_key(span.key));
            self.lines.push(ScannedLine {
                range: span.start..span.end,
                shape,
                key,
            });
        }
        self.spans = spans;
    }
}

/// The token being added up: a run of characters other than white space.
#[derive(Debug, Clone, Copy, Default)]
struct Token {
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

/// Adds a finished token to its line's tally.
#[inline]
fn tally_token(tally: &mut LineTally, text: &str, token: &Token) {
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

/// The tokens of the part of a line between two words (or before the first, or after the
/// last) that holds more than white space: characters there either join the token being read
/// or make tokens of their own.
fn ink(
    text: &str,
    range: Range<usize>,
    token: &mut Option<Token>,
    tally: &mut LineTally,
    unspaced: &mut usize,
) {
    for (offset, c) in text[range.clone()].char_indices() {
        let at = range.start + offset;
        if c.is_whitespace() {
            if let Some(done) = token.take() {
                tally_token(tally, text, &done);
            }
            continue;
        }
        let current = token.get_or_insert(Token {
            start: at,
            end: at,
            ..Token::default()
        });
        current.chars += 1;
        current.end = at + c.len_utf8();
        current.dot_or_at |= c == '.' || c == '@';
        tally.punctuated |= matches!(c, ',' | '.' | ';' | ':' | '!' | '?')
            || matches!(c, '，' | '。' | '、' | '；' | '！' | '？');
        *unspaced += usize::from(!c.is_ascii() && is_written_without_spaces(c));
    }
}

/// A line's shape, added up from its words and, where they hold more than white space, the
/// gaps between them.
fn shape_of(text: &str, span: &LineSpan, words: &[ScannedWord]) -> LineShape {
    let bytes = text.as_bytes();
    let mut tally = LineTally::default();
    let mut token: Option<Token> = None;
    let mut unspaced = 0;
    let mut cookie = false;
    let mut at = span.start;
    for word in words {
        let (start, end) = (word.start as usize, word.end as usize);
        if start > at {
            if word.form & INK_BEFORE != 0 {
                // Read the gap: its last character decides whether this word joins a token.
                ink(text, at..start, &mut token, &mut tally, &mut unspaced);
            } else if let Some(done) = token.take() {
                // White space only: this word starts a token.
                tally_token(&mut tally, text, &done);
            }
        }
        at = end;
        let unicode = word.form & UNICODE != 0;
        let chars = if unicode {
            text[start..end].chars().count()
        } else {
            end - start
        };
        match &mut token {
            Some(current) => {
                current.words += 1;
                if current.words == 1 {
                    // The token opened on punctuation: its first word is this one.
                    current.function = word.form & PLAIN != 0 && word.marks & FUNCTION != 0;
                    current.alphabetic = word.form & ALPHABETIC != 0;
                    current.capitalized = word.marks & CAPITALIZED != 0;
                } else {
                    current.function = false;
                }
                current.chars += chars;
                current.end = end;
                current.digit |= word.marks & DIGIT != 0;
            }
            None => {
                token = Some(Token {
                    start,
                    end,
                    chars,
                    words: 1,
                    function: word.form & PLAIN != 0 && word.marks & FUNCTION != 0,
                    alphabetic: word.form & ALPHABETIC != 0,
                    capitalized: word.marks & CAPITALIZED != 0,
                    digit: word.marks & DIGIT != 0,
                    dot_or_at: false,
                });
            }
        }
        if word.form & (JOINED | UNICODE | COOKIE) != 0 {
            let original = &bytes[start..end];
            if word.form & JOINED != 0 {
                if let Some(current) = &mut token {
                    current.dot_or_at |= original.contains(&b'.');
                }
                tally.punctuated = true;
            }
            if unicode {
                unspaced += spaceless_chars(&text[start..end]);
            }
            if word.form & COOKIE != 0 {
                let holds = |pattern: &[u8]| original.windows(pattern.len()).any(|w| w == pattern);
                cookie |= holds(b"ookie") || holds(b"OOKIE");
            }
        }
    }
    if span.end > at {
        ink(text, at..span.end, &mut token, &mut tally, &mut unspaced);
    }
    if let Some(done) = token.take() {
        tally_token(&mut tally, text, &done);
    }
    let slice = &text[span.start..span.end];
    let mut shape = LineShape::from_tally(slice, &tally, cookie);
    shape.words = shape.words.max(unspaced / 2);
    shape
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
