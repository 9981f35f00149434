//! Text normalization: Unicode NFKC, case folding, quotes and dashes folded, punctuation
//! dropped; every output word remembers the byte range it came from in the original text.
//!
//! A word is a maximal run of letters, digits and combining marks. Apostrophes inside a word
//! (`don't`, `O’Brien`), periods between letters or digits (`U.S.`, `3.5`) and commas between
//! digits (`2,500`) are dropped without splitting the word, so common spelling variants of the
//! same token agree. Every other character (white space, dashes, quotes, symbols) separates
//! words. ASCII words take a byte-wise fast path; anything else goes through NFKC.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One word of a [`NormalizedText`]: where it is in the normalized text and where it came from
/// in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordSpan {
    /// Start byte of the word in [`NormalizedText::text`].
    pub norm_start: u32,
    /// End byte (exclusive) of the word in [`NormalizedText::text`].
    pub norm_end: u32,
    /// Start byte of the word in the original text.
    pub orig_start: u32,
    /// End byte (exclusive) of the word in the original text.
    pub orig_end: u32,
}

/// A document's normalized words, joined by single spaces, with their original offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedText {
    /// The normalized words separated by one space.
    pub text: String,
    /// One entry per word, in order.
    pub words: Vec<WordSpan>,
}

impl NormalizedText {
    /// The normalized word at `index`.
    pub fn word(&self, index: usize) -> &str {
        let span = self.words[index];
        &self.text[span.norm_start as usize..span.norm_end as usize]
    }

    /// Iterates over the normalized words.
    pub fn iter_words(&self) -> impl Iterator<Item = &str> + '_ {
        self.words
            .iter()
            .map(|span| &self.text[span.norm_start as usize..span.norm_end as usize])
    }
}

/// Normalizes `original`. Idempotent on its own output: `normalize(&normalize(x).text).text
/// == normalize(x).text`.
pub fn normalize(original: &str) -> NormalizedText {
    let mut out = NormalizedText {
        text: String::with_capacity(original.len()),
        words: Vec::with_capacity(original.len() / 6 + 1),
    };
    let mut scratch = WordBuffer::default();
    for_each_word(original, &mut scratch, |word, orig_start, orig_end| {
        if !out.text.is_empty() {
            out.text.push(' ');
        }
        let norm_start = out.text.len() as u32;
        out.text.push_str(word);
        out.words.push(WordSpan {
            norm_start,
            norm_end: out.text.len() as u32,
            orig_start,
            orig_end,
        });
    });
    out
}

/// Reusable buffers for [`for_each_word`], so the hot loop does not allocate per word.
#[derive(Debug, Default)]
pub struct WordBuffer {
    word: String,
    unicode: String,
}

/// Calls `visit(word, orig_start, orig_end)` for every normalized word of `original`, in
/// order, without building the normalized text: the streaming form of [`normalize`], which
/// yields exactly the same words.
pub fn for_each_word(
    original: &str,
    buffer: &mut WordBuffer,
    mut visit: impl FnMut(&str, u32, u32),
) {
    let bytes = original.as_bytes();
    let mut position = 0;
    while position < bytes.len() {
        let byte = bytes[position];
        // Fast skip over ASCII separators.
        if byte < 0x80 && !byte.is_ascii_alphanumeric() {
            position += 1;
            continue;
        }
        if byte >= 0x80 {
            let (c, width) = char_at(original, position);
            if !is_word_char(c) {
                position += width;
                continue;
            }
        }
        let start = position;
        let end = match ascii_word(bytes, start, &mut buffer.word) {
            Some(end) => end,
            None => {
                let (end, _) = word_end(original, start);
                fold_unicode_word(&original[start..end], &mut buffer.word, &mut buffer.unicode);
                end
            }
        };
        position = end;
        if !buffer.word.is_empty() {
            visit(&buffer.word, start as u32, end as u32);
        }
    }
}

/// Reads an all-ASCII word starting at `start` into `out` (lower-cased, joiners dropped) and
/// returns its end, or `None` when the word contains a non-ASCII character (the caller then
/// takes the Unicode path for the whole word).
#[inline]
fn ascii_word(bytes: &[u8], start: usize, out: &mut String) -> Option<usize> {
    out.clear();
    let mut position = start;
    let mut previous = 0u8;
    while position < bytes.len() {
        let byte = bytes[position];
        if byte.is_ascii_alphanumeric() {
            out.push(byte.to_ascii_lowercase() as char);
            previous = byte;
            position += 1;
            continue;
        }
        if byte >= 0x80 {
            return None;
        }
        // A joiner continues the word only when a word character follows it.
        let next = bytes.get(position + 1).copied().unwrap_or(b' ');
        let joins = match byte {
            b'\'' => next.is_ascii_alphanumeric() || next >= 0x80,
            b'.' => next.is_ascii_alphanumeric() || next >= 0x80,
            b',' => previous.is_ascii_digit() && next.is_ascii_digit(),
            _ => false,
        };
        if !joins {
            break;
        }
        if next >= 0x80 {
            return None;
        }
        position += 1;
    }
    Some(position)
}

/// Decodes the character at byte `position` (which is on a char boundary).
#[inline]
fn char_at(text: &str, position: usize) -> (char, usize) {
    let byte = text.as_bytes()[position];
    if byte < 0x80 {
        return (byte as char, 1);
    }
    let c = text[position..]
        .chars()
        .next()
        .expect("position is inside the text");
    (c, c.len_utf8())
}

#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// Characters that vanish inside a word without splitting it: apostrophes, and invisible
/// format characters (soft hyphen, zero-width joiners).
#[inline]
fn is_silent_in_word(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}'
            | '\u{2018}'
            | '\u{02bc}'
            | '\u{ff07}'
            | '\u{00ad}'
            | '\u{200c}'
            | '\u{200d}'
    )
}

/// Finds where the word starting at `start` ends, and whether it is pure ASCII.
fn word_end(text: &str, start: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut ascii = true;
    let mut position = start;
    let mut previous = '\0';
    while position < bytes.len() {
        let (c, width) = char_at(text, position);
        if is_word_char(c) {
            ascii &= width == 1;
            previous = c;
            position += width;
            continue;
        }
        let joins = is_silent_in_word(c)
            || (c == '.' && previous.is_alphanumeric())
            || (c == ',' && previous.is_ascii_digit());
        if !joins || position + width >= bytes.len() {
            break;
        }
        let (next, _) = char_at(text, position + width);
        let continues = match c {
            ',' => next.is_ascii_digit(),
            _ => is_word_char(next),
        };
        if !continues {
            break;
        }
        ascii &= width == 1;
        position += width;
    }
    (position, ascii)
}

/// NFKC, then case folding, then dropping what is not a letter, digit or mark; repeated until
/// stable, because case folding can undo NFKC and NFKC can produce upper case.
fn fold_unicode_word(word: &str, out: &mut String, next: &mut String) {
    out.clear();
    out.extend(
        word.chars()
            .filter(|&c| !is_silent_in_word(c) && c != '.' && c != ','),
    );
    for _ in 0..4 {
        next.clear();
        for c in out.nfkc() {
            for lower in c.to_lowercase() {
                match lower {
                    'ß' => next.push_str("ss"),
                    'ς' => next.push('σ'),
                    c if is_word_char(c) => next.push(c),
                    _ => {}
                }
            }
        }
        if next == out {
            break;
        }
        std::mem::swap(out, next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(normalize(input).text, expected, "input: {input:?}");
    }

    /// The original text of every normalized word.
    fn original_pieces(original: &str) -> Vec<&str> {
        normalize(original)
            .words
            .iter()
            .map(|w| &original[w.orig_start as usize..w.orig_end as usize])
            .collect()
    }

    #[test]
    fn ascii_words_are_lowercased_and_punctuation_dropped() {
        check("Hello, World! It's 2,500 km.", "hello world its 2500 km");
        check(
            "The U.S. economy grew 3.5% -- a record",
            "the us economy grew 35 a record",
        );
        check("well-known\tfact\n\nnext", "well known fact next");
        check("  ", "");
    }

    #[test]
    fn curly_quotes_and_dashes_fold_like_ascii() {
        check("“Don’t” — she said", "dont she said");
        assert_eq!(
            normalize("O’Brien—left").text,
            normalize("O'Brien-left").text
        );
    }

    #[test]
    fn unicode_is_nfkc_and_case_folded() {
        check("ＦＵＬＬＷＩＤＴＨ ﬁnance", "fullwidth finance");
        check("Straße ΟΔΟΣ", "strasse οδοσ");
        check("cafe\u{301} Café", "café café");
        check("नमस्ते दुनिया", "नमस्ते दुनिया");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let original = "“Don’t” — Zürich, 2,500!";
        let normalized = normalize(original);
        assert_eq!(original_pieces(original), vec!["Don’t", "Zürich", "2,500"]);
        assert_eq!(
            normalized.iter_words().collect::<Vec<_>>(),
            vec!["dont", "zürich", "2500"]
        );
    }

    #[test]
    fn trailing_joiners_are_not_part_of_the_word() {
        assert_eq!(
            original_pieces("players' end. 3, 4"),
            vec!["players", "end", "3", "4"]
        );
    }
}
