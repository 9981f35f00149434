//! Outlet templates: lines that recur in the documents of several clusters. A line is keyed
//! by its words with case, punctuation and digit runs folded, so the copyright line of 2024 and
//! of 2025 meet; syndicated copies of one story count once.

use ahash::AHashMap;
use xxhash_rust::xxh3::xxh3_64;

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

/// The key under which a line is counted across the corpus: its words, lower-cased, with digit
/// runs folded to one digit so "© 2024" and "© 2025" or "Page 2 of 9" and "Page 3 of 9" meet.
/// `None` for blank lines and lines too long to be templates.
pub fn line_key(line: &str) -> Option<u64> {
    line_key_with(line, &mut Vec::new())
}

/// [`line_key`] folding into `folded`, a buffer reused from line to line.
pub(super) fn line_key_with(line: &str, folded: &mut Vec<u8>) -> Option<u64> {
    let line = line.trim();
    if line.is_ascii() {
        let mut fold = KeyFold::new(folded, line.len());
        line.bytes().for_each(|b| fold.push(b));
        return fold.finish();
    }
    if line.is_empty() || line.len() > MAX_TEMPLATE_LINE_CHARS * 4 {
        return None;
    }
    // A paragraph is no template: count its characters before folding it.
    if line.chars().filter(|c| !c.is_whitespace()).count() > MAX_TEMPLATE_LINE_CHARS {
        return None;
    }
    folded.clear();
    let alphanumeric = fold_unicode(line, folded);
    while folded.last() == Some(&b' ') {
        folded.pop();
    }
    alphanumeric.then(|| xxh3_64(folded))
}

/// What the fold of an ASCII line saw last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Separator,
    Letter,
    Digit,
}

/// The fold of an ASCII line into its [`line_key`], fed one byte at a time, so the line's
/// shape and its key come from one pass over it. Folding stops as soon as the line has more
/// characters than a template line can.
pub(super) struct KeyFold<'a> {
    folded: &'a mut Vec<u8>,
    last: Last,
    alphanumeric: bool,
    chars: usize,
    too_long: bool,
}

impl<'a> KeyFold<'a> {
    /// A fold into `folded` for a line of `trimmed_len` bytes without its outer white space.
    pub(super) fn new(folded: &'a mut Vec<u8>, trimmed_len: usize) -> Self {
        folded.clear();
        KeyFold {
            folded,
            // At the start, as after a separator: no space is written before the first word.
            last: Last::Separator,
            alphanumeric: false,
            chars: 0,
            too_long: trimmed_len == 0 || trimmed_len > MAX_TEMPLATE_LINE_CHARS * 4,
        }
    }

    /// Folds the next byte: letters lower-cased, a run of digits to one `0`, anything else to
    /// one space between words.
    #[inline]
    pub(super) fn push(&mut self, byte: u8) {
        if self.too_long {
            return;
        }
        if !byte.is_ascii_whitespace() {
            self.chars += 1;
            if self.chars > MAX_TEMPLATE_LINE_CHARS {
                self.too_long = true;
                return;
            }
        }
        if byte.is_ascii_alphabetic() {
            self.folded.push(byte.to_ascii_lowercase());
            self.last = Last::Letter;
            self.alphanumeric = true;
        } else if byte.is_ascii_digit() {
            if self.last != Last::Digit {
                self.folded.push(b'0');
            }
            self.last = Last::Digit;
            self.alphanumeric = true;
        } else {
            if self.last != Last::Separator {
                self.folded.push(b' ');
            }
            self.last = Last::Separator;
        }
    }

    /// The key, or `None` for a line too long to be a template or without a letter or digit.
    pub(super) fn finish(self) -> Option<u64> {
        if self.too_long || !self.alphanumeric {
            return None;
        }
        while self.folded.last() == Some(&b' ') {
            self.folded.pop();
        }
        Some(xxh3_64(self.folded))
    }
}

/// The fold of a line with other characters than ASCII, char by char: digits of any script
/// fold to `0`, letters are lower-cased (and give the same bytes as [`KeyFold`] on ASCII).
fn fold_unicode(line: &str, folded: &mut Vec<u8>) -> bool {
    let mut last_digit = false;
    let mut alphanumeric = false;
    let push_separator = |folded: &mut Vec<u8>| {
        if folded.last().is_some_and(|&b| b != b' ') {
            folded.push(b' ');
        }
    };
    for c in line.chars() {
        if c.is_numeric() {
            if !last_digit {
                folded.push(b'0');
            }
            last_digit = true;
            alphanumeric = true;
            continue;
        }
        last_digit = false;
        if c.is_alphanumeric() {
            let mut utf8 = [0u8; 4];
            for lower in c.to_lowercase() {
                folded.extend_from_slice(lower.encode_utf8(&mut utf8).as_bytes());
            }
            alphanumeric = true;
        } else {
            push_separator(folded);
        }
    }
    alphanumeric
}

/// The distinct template keys of a text's lines.
pub fn line_keys(text: &str) -> Vec<u64> {
    let mut folded = Vec::new();
    let mut keys: Vec<u64> = text
        .lines()
        .filter_map(|line| line_key_with(line, &mut folded))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_folds_agree_on_ascii() {
        for line in [
            "(c) 2024 Coastal Wire -- All rights reserved.",
            "Page 2 of 9",
            "  a1b2 , x  ",
        ] {
            let (mut ascii, mut unicode) = (Vec::new(), Vec::new());
            let mut fold = KeyFold::new(&mut ascii, line.trim().len());
            line.trim().bytes().for_each(|b| fold.push(b));
            let ascii_key = fold.finish();
            let alphanumeric = fold_unicode(line.trim(), &mut unicode);
            while unicode.last() == Some(&b' ') {
                unicode.pop();
            }
            assert_eq!(ascii_key, alphanumeric.then(|| xxh3_64(&unicode)), "{line}");
        }
    }

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
