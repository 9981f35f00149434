//! What one line looks like on its own: its length, whether it ends like a sentence, how much
//! of it is links, separators, capitalized words or figures, and whether it reads like a byline,
//! a timestamp, a comment header, a cookie notice or (when short) a call to action.

use super::LineReason;
use crate::text::lexicon::{Lexicon, is_function_word};

/// What one line looks like, from its text alone.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct LineShape {
    pub(super) words: usize,
    pub(super) chars: usize,
    /// Ends like a sentence (or a quotation, or a lead-in colon).
    pub(super) sentence_end: bool,
    /// Share of its words that are function words.
    pub(super) function_share: f64,
    /// Share of its alphabetic words that start with a capital letter.
    pub(super) capitalized_share: f64,
    /// Characters inside URLs, e-mail addresses and @handles, as a share of all.
    pub(super) link_share: f64,
    /// Stand-alone separators (`|`, `•`, `»`, `›`, `·`).
    pub(super) separators: usize,
    /// Share of its words that contain a digit (table rows have many, menus few).
    pub(super) numeric_share: f64,
    pub(super) ellipsis: bool,
    pub(super) call_to_action: bool,
    pub(super) byline: bool,
    pub(super) timestamp: bool,
    /// Ends in a verb of speech and a colon ("... said:", "... says:"), as comment headers do.
    pub(super) speech_header: bool,
    /// Holds a date or a time of day.
    pub(super) dated: bool,
    /// Holds punctuation that sentences have (commas, periods, ...); long lines without any are
    /// lists of words (tags, menus, archives), not prose.
    pub(super) punctuated: bool,
    /// A notice about the site's cookies, however long.
    pub(super) cookie_notice: bool,
}

impl LineShape {
    pub(super) fn of(line: &str) -> Self {
        let mut shape = LineShape::default();
        let (mut function, mut alphabetic, mut capitalized) = (0, 0, 0);
        let (mut link_chars, mut numeric) = (0, 0);
        for token in line.split_whitespace() {
            let chars = if token.is_ascii() {
                token.len()
            } else {
                token.chars().count()
            };
            shape.chars += chars;
            shape.separators += usize::from(is_separator(token));
            if is_link(token) {
                link_chars += chars;
            }
            // A word is a token with a letter or digit in it.
            let word = bare(token);
            let Some(first) = word.chars().next() else {
                continue;
            };
            shape.words += 1;
            function += usize::from(is_function_word(word));
            if first.is_alphabetic() {
                alphabetic += 1;
                capitalized += usize::from(first.is_uppercase());
            }
            numeric += usize::from(token.bytes().any(|b| b.is_ascii_digit()));
        }
        let trimmed = line.trim_end();
        shape.punctuated = line
            .bytes()
            .any(|b| matches!(b, b',' | b'.' | b';' | b':' | b'!' | b'?'))
            || (!line.is_ascii() && line.contains(['，', '。', '、', '；', '！', '？']));
        shape.cookie_notice = is_cookie_notice(line);
        shape.ellipsis = ends_in_ellipsis(trimmed);
        shape.sentence_end = !shape.ellipsis
            && trimmed.ends_with([
                '.', '!', '?', '"', '”', '’', '\'', ':', ')', ';', '。', '！', '？', '」',
            ]);
        shape.function_share = ratio(function, shape.words);
        shape.capitalized_share = ratio(capitalized, alphabetic);
        shape.link_share = ratio(link_chars, shape.chars);
        shape.numeric_share = ratio(numeric, shape.words);
        // The wording signals apply to short lines only: lower-case their words then.
        if shape.words <= MAX_CALL_TO_ACTION_WORDS {
            let words: Vec<&str> = line
                .split_whitespace()
                .filter(|t| !bare(t).is_empty())
                .collect();
            let lower: Vec<String> = words.iter().map(|w| bare(w).to_lowercase()).collect();
            shape.call_to_action =
                has_call_to_action(&lower, line, words.len()) || is_button_row(&lower);
            shape.byline = is_byline(&words, &lower);
            shape.timestamp = is_timestamp(&lower);
            shape.speech_header = is_speech_header(&lower, line);
            shape.dated = has_date_or_time(&lower);
        }
        if !line.is_ascii() {
            shape.words = shape.words.max(unspaced_words(line));
        }
        shape
    }

    /// Reads as running text: long enough and ending like a sentence, or long enough to be a
    /// paragraph whatever its end, with function words in it when it is English.
    pub(super) fn is_prose(&self) -> bool {
        // Mostly figures (an archive of dates, a price list) is not running text.
        if self.numeric_share >= 0.5 {
            return false;
        }
        (self.words >= 8 && self.sentence_end)
            || (self.words >= 20 && self.punctuated && self.capitalized_share < 0.7)
    }

    /// The verdict a line gets on its own, whatever surrounds it.
    pub(super) fn own_verdict(&self) -> Option<LineReason> {
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
        None
    }

    /// A line of figures: a table row, a result, a date in a schedule. Menus and teasers
    /// rarely hold numbers, articles often list them, so such lines neither draw the main
    /// text nor push it away, and the main text extends over them.
    pub(super) fn is_list_item(&self) -> bool {
        self.numeric_share >= 0.2
    }
}

/// Words in scripts written without spaces (Chinese, Japanese, Thai, ...) counted as one per
/// two characters, about the length of a word there, so their sentences count as prose.
fn unspaced_words(line: &str) -> usize {
    let unspaced = line
        .chars()
        .filter(|&c| {
            matches!(c as u32,
                0x0E00..=0x0EFF // Thai, Lao
                | 0x3040..=0x30FF // Hiragana, Katakana
                | 0x3400..=0x9FFF // CJK ideographs
                | 0xF900..=0xFAFF)
        })
        .count();
    unspaced / 2
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

fn is_link(token: &str) -> bool {
    // Every form below has a period or an at sign.
    if !token.bytes().any(|b| b == b'.' || b == b'@') {
        return false;
    }
    let t = token.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | '.' | '"'));
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

fn is_separator(token: &str) -> bool {
    matches!(
        token,
        "|" | "•" | "»" | "›" | "·" | "/" | "–" | "::" | "<" | ">"
    )
}

/// The longest line the call-to-action wording can mark.
const MAX_CALL_TO_ACTION_WORDS: usize = 25;

fn has_call_to_action(lower: &[String], line: &str, words: usize) -> bool {
    if words > MAX_CALL_TO_ACTION_WORDS {
        return false;
    }
    if line.contains('©') || line.trim_start().starts_with("(c)") {
        return true;
    }
    let joined = lower.join(" ");
    if Lexicon::Furniture
        .english()
        .iter()
        .any(|phrase| contains_phrase(&joined, phrase))
    {
        return true;
    }
    // Where the line's opening two words end, in `joined`.
    let opening = lower.iter().take(2).map(|w| w.len() + 1).sum::<usize>();
    let opens_with = |phrase: &&str| {
        joined
            .match_indices(*phrase)
            .any(|(at, _)| at < opening && phrase_at(&joined, at, phrase))
    };
    Lexicon::CallToAction
        .english()
        .iter()
        .any(|phrase| opens_with(phrase) || (words <= 4 && contains_phrase(&joined, phrase)))
        || caption_label(lower, line)
}

/// A site's notice about its cookies: the word next to words about the site or consent. (A
/// recipe's cookies have neither.)
fn is_cookie_notice(line: &str) -> bool {
    if !line.contains("ookie") && !line.contains("OOKIE") {
        return false;
    }
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

fn is_button_row(lower: &[String]) -> bool {
    !lower.is_empty()
        && lower.len() <= 4
        && lower.iter().all(|w| Lexicon::ButtonWords.contains(bare(w)))
}

/// "... said:", "... says:": a short line ending in a verb of speech and a colon.
fn is_speech_header(lower: &[String], line: &str) -> bool {
    lower.len() <= 15
        && line.trim_end().ends_with(':')
        && lower
            .last()
            .is_some_and(|w| Lexicon::SpeechVerbs.contains(bare(w)))
}

/// Whether the words hold a date (a month name next to a number) or a time of day.
fn has_date_or_time(lower: &[String]) -> bool {
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
pub(super) fn comment_headers(shapes: &[LineShape]) -> Vec<bool> {
    const SHORT_HEADER_WORDS: usize = 6;
    let short = |s: &LineShape| s.speech_header && s.words <= SHORT_HEADER_WORDS;
    let thread = shapes.iter().filter(|s| short(s)).count() >= 3;
    shapes
        .iter()
        .map(|s| s.speech_header && (s.dated || (thread && short(s))))
        .collect()
}

/// "Photo: ...", "Video/...", "Image: ...": a caption or media label.
fn caption_label(lower: &[String], line: &str) -> bool {
    lower.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "photo" | "photograph" | "image" | "picture" | "video" | "watch" | "listen"
        ) && line
            .trim_start()
            .get(w.len()..)
            .is_some_and(|rest| rest.starts_with([':', '/']))
    })
}

/// Whether `phrase` occurs in `text` on word boundaries.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase)
        .any(|(at, _)| phrase_at(text, at, phrase))
}

/// Whether the occurrence of `phrase` at byte `at` of `text` is on word boundaries.
fn phrase_at(text: &str, at: usize, phrase: &str) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + phrase.len()..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// "By Jane Doe", "By Jane Doe and John Roe, Staff Writers", "Reporting by ...",
/// "Written by ...": a credit and a few capitalized names, nothing more.
fn is_byline(words: &[&str], lower: &[String]) -> bool {
    if words.is_empty() || words.len() > 12 {
        return false;
    }
    let starts = match lower[0].as_str() {
        "by" => 1,
        "reporting" | "written" | "editing" | "words" | "text" | "posted" | "compiled"
            if lower.get(1).is_some_and(|w| w == "by") =>
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
            .filter(|(_, l)| !matches!(l.as_str(), "and" | "in" | "for" | "of" | "the"))
            .all(|(w, _)| bare(w).chars().next().is_some_and(char::is_uppercase))
}

/// A line made of a date or time and the words that go with one ("Updated 3 hours ago",
/// "November 18, 2019 11:03 PM", "5 min read").
fn is_timestamp(lower: &[String]) -> bool {
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
