//! What one line looks like on its own: its length, whether it ends like a sentence, how much
//! of it is links, separators, capitalized words or figures, and whether it reads like a byline,
//! a timestamp, a comment header, a cookie notice or (when short) a call to action.

use std::sync::LazyLock;

use super::LineReason;
use crate::text::lexicon::Lexicon;

/// What the tokens of one line add up to, before shares are taken.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LineTally {
    /// Tokens holding a letter or digit.
    pub(crate) words: usize,
    /// Characters other than white space.
    pub(crate) chars: usize,
    /// Tokens that are a function word between punctuation.
    pub(crate) function: usize,
    /// Tokens whose first letter or digit is a letter...
    pub(crate) alphabetic: usize,
    /// ...an upper-case one.
    pub(crate) capitalized: usize,
    /// Characters of tokens that are links, addresses or handles.
    pub(crate) link_chars: usize,
    /// Tokens holding an ASCII digit.
    pub(crate) numeric: usize,
    /// Tokens that are a separator on their own.
    pub(crate) separators: usize,
    /// Whether the line holds punctuation that sentences have.
    pub(crate) punctuated: bool,
}

/// What one line looks like, from its text alone.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LineShape {
    /// Words: runs of non-space characters holding a letter or digit (for scripts written
    /// without spaces, at least one per two of their characters).
    pub(crate) words: usize,
    /// Runs of non-space characters holding a letter or digit, as the thin-content rule
    /// counts words.
    pub(crate) tokens: usize,
    pub(crate) chars: usize,
    /// Ends like a sentence (or a quotation, or a lead-in colon).
    pub(crate) sentence_end: bool,
    /// Share of its words that are function words.
    pub(crate) function_share: f64,
    /// Share of its alphabetic words that start with a capital letter.
    pub(crate) capitalized_share: f64,
    /// Characters inside URLs, e-mail addresses and @handles, as a share of all.
    pub(crate) link_share: f64,
    /// Stand-alone separators (`|`, `•`, `»`, `›`, `·`).
    pub(crate) separators: usize,
    /// Share of its words that contain a digit (table rows have many, menus few).
    pub(crate) numeric_share: f64,
    pub(crate) ellipsis: bool,
    pub(crate) call_to_action: bool,
    pub(crate) byline: bool,
    pub(crate) timestamp: bool,
    /// Ends in a verb of speech and a colon ("... said:", "... says:"), as comment headers do.
    pub(crate) speech_header: bool,
    /// Holds a date or a time of day.
    pub(crate) dated: bool,
    /// Holds punctuation that sentences have (commas, periods, ...); long lines without any are
    /// lists of words (tags, menus, archives), not prose.
    pub(crate) punctuated: bool,
    /// A notice about the site's cookies, however long.
    pub(crate) cookie_notice: bool,
    /// One lower-case token naming a picture, an icon or a video ("image", "author-image"),
    /// or an identifier joined by underscores ("chevron_right", an icon font's glyph name).
    pub(crate) placeholder: bool,
}

impl LineShape {
    /// The shape of one line, splitting it into tokens itself. The scan of a whole text
    /// ([`crate::quality::scan::TextScan`]) gives the same shapes from the words and gaps it
    /// reads anyway; this is the reference it is tested against.
    #[cfg(test)]
    pub(crate) fn of(line: &str) -> Self {
        let mut tally = LineTally::default();
        for token in line.split_whitespace() {
            let chars = if token.is_ascii() {
                token.len()
            } else {
                token.chars().count()
            };
            tally.chars += chars;
            tally.separators += usize::from(is_separator(token));
            if is_link(token) {
                tally.link_chars += chars;
            }
            // A word is a token with a letter or digit in it.
            let word = bare(token);
            let Some(first) = word.chars().next() else {
                continue;
            };
            tally.words += 1;
            tally.function += usize::from(crate::text::lexicon::is_function_word(word));
            if first.is_alphabetic() {
                tally.alphabetic += 1;
                tally.capitalized += usize::from(first.is_uppercase());
            }
            tally.numeric += usize::from(token.bytes().any(|b| b.is_ascii_digit()));
        }
        tally.punctuated = line
            .bytes()
            .any(|b| matches!(b, b',' | b'.' | b';' | b':' | b'!' | b'?'))
            || (!line.is_ascii() && line.contains(['，', '。', '、', '；', '！', '？']));
        let cookie = line.contains("ookie") || line.contains("OOKIE");
        let mut shape = LineShape::from_tally(line, &tally, cookie);
        if !line.is_ascii() {
            // Scripts written without spaces: one word per two characters, about the
            // length of a word there, so their sentences count as prose.
            shape.words = shape
                .words
                .max(crate::text::normalize::spaceless_chars(line) / 2);
        }
        shape
    }

    /// The shape of `line` from what its tokens add up to: the line's end, the shares, the
    /// cookie notice (looked for only when the line holds "ookie" or "OOKIE") and, on short
    /// lines, the wording signals. Scripts written without spaces are left to the caller.
    pub(crate) fn from_tally(line: &str, tally: &LineTally, cookie: bool) -> Self {
        let mut shape = LineShape {
            words: tally.words,
            tokens: tally.words,
            chars: tally.chars,
            separators: tally.separators,
            punctuated: tally.punctuated,
            ..LineShape::default()
        };
        shape.finish_line(
            line,
            tally.function,
            tally.alphabetic,
            tally.capitalized,
            tally.link_chars,
            tally.numeric,
            cookie,
        );
        shape
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_line(
        &mut self,
        line: &str,
        function: usize,
        alphabetic: usize,
        capitalized: usize,
        link_chars: usize,
        numeric: usize,
        cookie: bool,
    ) {
        let trimmed = line.trim_end();
        self.cookie_notice = cookie && is_cookie_notice(line);
        self.placeholder = is_placeholder(trimmed.trim_start());
        self.ellipsis = ends_in_ellipsis(trimmed);
        self.sentence_end = !self.ellipsis
            && trimmed.ends_with([
                '.', '!', '?', '"', '”', '’', '\'', ':', ')', ';', '。', '！', '？', '」',
            ]);
        self.function_share = ratio(function, self.words);
        self.capitalized_share = ratio(capitalized, alphabetic);
        self.link_share = ratio(link_chars, self.chars);
        self.numeric_share = ratio(numeric, self.words);
        // The wording signals apply to short lines only: lower-case their words then.
        if self.words <= MAX_CALL_TO_ACTION_WORDS {
            let words: Vec<&str> = line
                .split_whitespace()
                .filter(|t| !bare(t).is_empty())
                .collect();
            let mut joined = String::with_capacity(line.len());
            let mut ranges = Vec::with_capacity(words.len());
            for word in &words {
                if !joined.is_empty() {
                    joined.push(' ');
                }
                let start = joined.len();
                let word = bare(word);
                if word.is_ascii() {
                    joined.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
                } else {
                    joined.push_str(&word.to_lowercase());
                }
                ranges.push(start..joined.len());
            }
            let lower: Vec<&str> = ranges.iter().map(|r| &joined[r.clone()]).collect();
            self.call_to_action =
                has_call_to_action(&lower, &joined, line, words.len()) || is_button_row(&lower);
            self.byline = is_byline(&words, &lower);
            self.timestamp = is_timestamp(&lower);
            self.speech_header = is_speech_header(&lower, line);
            self.dated = has_date_or_time(&lower);
        }
    }

    /// Reads as running text: long enough and ending like a sentence, or long enough to be a
    /// paragraph whatever its end, with function words in it when it is English.
    pub(crate) fn is_prose(&self) -> bool {
        // Mostly figures (an archive of dates, a price list) is not running text.
        if self.numeric_share >= 0.5 {
            return false;
        }
        (self.words >= 8 && self.sentence_end)
            || (self.words >= 20 && self.punctuated && self.capitalized_share < 0.7)
    }

    /// The verdict a line gets on its own, whatever surrounds it.
    pub(crate) fn own_verdict(&self) -> Option<LineReason> {
        if self.link_share >= 0.5 {
            return Some(LineReason::Links);
        }
        // A row of a table has separators too, but its cells hold figures.
        if self.separators >= 2 && self.words <= 30 && self.numeric_share < 0.2 {
            return Some(LineReason::Menu);
        }
        if self.call_to_action || self.cookie_notice {
            return Some(LineReason::CallToAction);
        }
        if self.byline {
            return Some(LineReason::Byline);
        }
        if self.timestamp {
            return Some(LineReason::Timestamp);
        }
        if self.placeholder {
            return Some(LineReason::Placeholder);
        }
        None
    }

    /// A line of figures: a table row, a result, a date in a schedule. Menus and teasers
    /// rarely hold numbers, articles often list them, so such lines neither draw the main
    /// text nor push it away, and the main text extends over them.
    pub(crate) fn is_list_item(&self) -> bool {
        self.numeric_share >= 0.2
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A word without the punctuation around it.
fn bare(word: &str) -> &str {
    if word.is_ascii() {
        let bytes = word.as_bytes();
        let Some(start) = bytes.iter().position(u8::is_ascii_alphanumeric) else {
            return "";
        };
        let end = bytes
            .iter()
            .rposition(u8::is_ascii_alphanumeric)
            .map_or(start, |e| e + 1);
        return &word[start..end];
    }
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

fn ends_in_ellipsis(line: &str) -> bool {
    line.ends_with("...") || line.ends_with('…')
}

pub(crate) fn is_link(token: &str) -> bool {
    // Every form below has a period or an at sign.
    if !token.bytes().any(|b| b == b'.' || b == b'@') {
        return false;
    }
    let t = token.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | '.' | '"'));
    // Most tokens with a period are words before a full stop: nothing of a link is left.
    if !t.bytes().any(|b| b == b'.' || b == b'@') && !t.starts_with("http") {
        return false;
    }
    t.starts_with("http://")
        || t.starts_with("https://")
        || t.starts_with("www.")
        || (t.starts_with('@') && t.len() > 1)
        || (t.contains('@') && t.contains('.') && !t.starts_with('@'))
        || [".com", ".org", ".net", ".co.uk", ".html"]
            .iter()
            .any(|end| {
                t.match_indices(end).any(|(at, _)| {
                    t[at + end.len()..].is_empty() || t[at + end.len()..].starts_with('/')
                })
            })
}

pub(crate) fn is_separator(token: &str) -> bool {
    matches!(
        token,
        "|" | "•" | "»" | "›" | "·" | "/" | "–" | "::" | "<" | ">"
    )
}

/// The longest line the call-to-action wording can mark.
const MAX_CALL_TO_ACTION_WORDS: usize = 25;

fn has_call_to_action(lower: &[&str], joined: &str, line: &str, words: usize) -> bool {
    if words > MAX_CALL_TO_ACTION_WORDS {
        return false;
    }
    if line.contains('©') || line.trim_start().starts_with("(c)") {
        return true;
    }
    let starts: Vec<usize> = word_starts(joined).collect();
    let phrases_at = |index: &'static PhraseIndex, at: usize| {
        index
            .starting_with(joined.as_bytes().get(at).copied())
            .iter()
            .any(|phrase| phrase_starts_at(joined, at, phrase))
    };
    if starts.iter().any(|&at| phrases_at(&FURNITURE, at)) {
        return true;
    }
    // Where the line's opening two words end, in `joined`.
    let opening = lower.iter().take(2).map(|w| w.len() + 1).sum::<usize>();
    starts
        .iter()
        .any(|&at| (at < opening || words <= 4) && phrases_at(&CALLS_TO_ACTION, at))
        || caption_label(lower, line)
}

/// The phrases of a word list by their first byte, so a position of a line is compared only
/// with the phrases that can start there.
struct PhraseIndex {
    by_first: Vec<Vec<&'static str>>,
}

impl PhraseIndex {
    fn of(list: Lexicon) -> Self {
        let mut by_first = vec![Vec::new(); 256];
        for phrase in list.english() {
            if let Some(&first) = phrase.as_bytes().first() {
                by_first[first as usize].push(*phrase);
            }
        }
        PhraseIndex { by_first }
    }

    fn starting_with(&self, byte: Option<u8>) -> &[&'static str] {
        byte.map_or(&[], |b| &self.by_first[b as usize])
    }
}

static FURNITURE: LazyLock<PhraseIndex> = LazyLock::new(|| PhraseIndex::of(Lexicon::Furniture));
static CALLS_TO_ACTION: LazyLock<PhraseIndex> =
    LazyLock::new(|| PhraseIndex::of(Lexicon::CallToAction));

/// What a page flattened to text leaves of an image, an icon or a video: one lower-case
/// token that is a media word ("image") or a hyphenated or underscored name ending in one
/// ("author-image"), or an identifier joined by underscores ("chevron_right", the glyph
/// name of an icon font). Writing does not put such a token alone on a line; a hard-wrapped
/// paragraph's continuation lines are joined to it before lines are judged. Code (a lone
/// `break`) has no such names.
fn is_placeholder(line: &str) -> bool {
    let is_name_char =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if line.is_empty()
        || !line.starts_with(|c: char| c.is_ascii_lowercase())
        || !line.chars().all(is_name_char)
    {
        return false;
    }
    let last = line.rsplit(['-', '_']).next().unwrap_or(line);
    let joined_by_underscores = line.contains('_') && !line.contains(|c: char| c.is_ascii_digit());
    joined_by_underscores || Lexicon::MediaWords.contains(last)
}

/// A site's notice about its cookies: the word next to words about the site or consent. (A
/// recipe's cookies have neither.) Asked only of lines that hold "ookie" or "OOKIE".
fn is_cookie_notice(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
    words.iter().any(|w| *w == "cookie" || *w == "cookies")
        && words.iter().any(|w| {
            matches!(
                *w,
                "website" | "websites" | "site" | "browser" | "browsing" | "consent" | "privacy"
            )
        })
}

fn is_button_row(lower: &[&str]) -> bool {
    !lower.is_empty()
        && lower.len() <= 4
        && lower.iter().all(|w| Lexicon::ButtonWords.contains(bare(w)))
}

/// "... said:", "... says:": a short line ending in a verb of speech and a colon.
fn is_speech_header(lower: &[&str], line: &str) -> bool {
    lower.len() <= 15
        && line.trim_end().ends_with(':')
        && lower
            .last()
            .is_some_and(|w| Lexicon::SpeechVerbs.contains(bare(w)))
}

/// Whether the words hold a date (a month name next to a number) or a time of day.
fn has_date_or_time(lower: &[&str]) -> bool {
    let is_number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    lower.iter().enumerate().any(|(i, word)| {
        let word = bare(word);
        let time = word
            .split_once(':')
            .is_some_and(|(h, m)| is_number(h) && h.len() <= 2 && m.len() == 2 && is_number(m));
        let month_dated = Lexicon::Months.contains(word)
            && [i.checked_sub(1), Some(i + 1)]
                .into_iter()
                .flatten()
                .filter_map(|j| lower.get(j))
                .any(|w| is_number(bare(w)));
        time || month_dated
    })
}

/// Which lines are comment headers: a line ending in a verb of speech and a colon that holds a
/// date or time ("Jane on May 3, 2019 at 4:47 pm said:"), or one of at least three short such
/// lines on the page ("jdoe says:"), the pattern of a comment thread. A single undated
/// "The minister said:" introduces a quotation in an article and is not one.
pub(crate) fn comment_headers(shapes: &[&LineShape]) -> Vec<bool> {
    const SHORT_HEADER_WORDS: usize = 6;
    let short = |s: &LineShape| s.speech_header && s.words <= SHORT_HEADER_WORDS;
    let thread = shapes.iter().filter(|s| short(s)).count() >= 3;
    shapes
        .iter()
        .map(|s| s.speech_header && (s.dated || (thread && short(s))))
        .collect()
}

/// "Photo: ...", "Video/...", "Image: ...": a caption or media label.
fn caption_label(lower: &[&str], line: &str) -> bool {
    lower.first().is_some_and(|w| {
        matches!(
            *w,
            "photo" | "photograph" | "image" | "picture" | "video" | "watch" | "listen"
        ) && line
            .trim_start()
            .get(w.len()..)
            .is_some_and(|rest| rest.starts_with([':', '/']))
    })
}

/// The byte offsets in `text` where a phrase can start on a word boundary: the start, and
/// every character after one that is not a letter or digit.
fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        text.char_indices()
            .filter(|(_, c)| !c.is_alphanumeric())
            .map(|(at, c)| at + c.len_utf8()),
    )
}

/// Whether `phrase` stands at byte `at` of `text` (on a word boundary there) and ends on a
/// word boundary.
fn phrase_starts_at(text: &str, at: usize, phrase: &str) -> bool {
    text[at..].starts_with(phrase)
        && !text[at + phrase.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
}

/// "By Jane Doe", "By Jane Doe and John Roe, Staff Writers", "Reporting by ...",
/// "Written by ...": a credit and a few capitalized names, nothing more.
fn is_byline(words: &[&str], lower: &[&str]) -> bool {
    if words.is_empty() || words.len() > 12 {
        return false;
    }
    let starts = match lower[0] {
        "by" => 1,
        "reporting" | "written" | "editing" | "words" | "text" | "posted" | "compiled"
            if lower.get(1).is_some_and(|w| *w == "by") =>
        {
            2
        }
        _ => return false,
    };
    let names = &words[starts..];
    !names.is_empty()
        && names
            .iter()
            .zip(&lower[starts..])
            .filter(|(_, l)| !matches!(**l, "and" | "in" | "for" | "of" | "the"))
            .all(|(w, _)| bare(w).chars().next().is_some_and(char::is_uppercase))
}

/// A line made of a date or time and the words that go with one ("Updated 3 hours ago",
/// "November 18, 2019 11:03 PM", "5 min read").
fn is_timestamp(lower: &[&str]) -> bool {
    if lower.is_empty() || lower.len() > 10 {
        return false;
    }
    let mut dated = false;
    for word in lower {
        let word = bare(word);
        let numeric = word.chars().all(|c| c.is_ascii_digit() || c == ':')
            || word
                .trim_end_matches(['s', 't', 'n', 'd', 'r', 'h', 'm'])
                .chars()
                .all(|c| c.is_ascii_digit());
        if Lexicon::Months.contains(word) || (numeric && word.chars().any(|c| c.is_ascii_digit())) {
            dated = true;
        } else if !Lexicon::TimeWords.contains(word) {
            return false;
        }
    }
    dated
}
