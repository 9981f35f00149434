//! Boilerplate lines: the parts of a document that are not its text (calls to share or
//! subscribe, bylines, captions, teasers of other articles, navigation, copyright lines, outlet
//! template lines), found line by line from general signals and from repetition across the
//! corpus.
//!
//! Each line is first judged on its own: its length, whether it ends like a sentence, how much
//! of it is links, separators or capitalized words, whether it trails off in an ellipsis,
//! whether it reads like a byline, a timestamp, a comment header or a cookie notice, and whether
//! a short line carries the wording of a call to action or is a row of share buttons (one
//! signal among the others, not the rule). Then the main text is located as the run of lines
//! with the most prose in it (the largest-sum run, prose lines counting for and the rest
//! against; a comment header ends it): short lines inside it are headings and stay, short lines
//! outside it are page furniture, and so is prose cut off from it by boilerplate lines. Finally [`TemplateLines`], counted over the whole
//! corpus, marks every line that recurs in documents of several different clusters: an
//! outlet's template, which no single-page method can see.

use std::ops::Range;

use ahash::AHashMap;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::ingest::record::PageOrigin;
use crate::quality::is_function_word;

/// Why a line counts as boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineReason {
    /// The line recurs in documents of several clusters (an outlet template).
    Template,
    /// A short line with the wording of a call to act or of page furniture (share, subscribe,
    /// read more, copyright, photo credit, ...).
    CallToAction,
    /// Mostly links, addresses or handles.
    Links,
    /// Several short items joined by separators (`|`, `•`, `»`): a menu or breadcrumb.
    Menu,
    /// A line outside the main text that trails off in an ellipsis: a teaser of another
    /// article.
    Teaser,
    /// A byline or a credit line ("By Jane Doe", "Reporting by ...").
    Byline,
    /// The header of a reader's comment ("Jane on May 3, 2019 at 4:47 pm said:",
    /// "jdoe says:"): a comment thread follows, which the main text does not reach across.
    CommentHeader,
    /// Only a date or time.
    Timestamp,
    /// Outside the main text: a short line that is not a sentence, or prose cut off from the
    /// main text by boilerplate lines (a comment thread, teaser summaries, a legal footer).
    OutsideMainText,
}

impl LineReason {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            LineReason::Template => "template",
            LineReason::CallToAction => "call_to_action",
            LineReason::Links => "links",
            LineReason::Menu => "menu",
            LineReason::Teaser => "teaser",
            LineReason::Byline => "byline",
            LineReason::CommentHeader => "comment_header",
            LineReason::Timestamp => "timestamp",
            LineReason::OutsideMainText => "outside_main_text",
        }
    }
}

/// One non-blank line of a text and what was decided about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Byte range in the text, without the line break and surrounding spaces.
    pub range: Range<usize>,
    /// Characters other than white space.
    pub chars: usize,
    /// Why it is boilerplate, or `None` when it is text.
    pub reason: Option<LineReason>,
    /// For template lines: in how many clusters' documents the line occurs.
    pub template_docs: Option<u32>,
}

/// The lines of a text with their verdicts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineAnalysis {
    /// Every non-blank line, in order.
    pub lines: Vec<Line>,
}

impl LineAnalysis {
    /// Characters in all lines.
    pub fn total_chars(&self) -> usize {
        self.lines.iter().map(|l| l.chars).sum()
    }

    /// Characters in boilerplate lines.
    pub fn boilerplate_chars(&self) -> usize {
        self.boilerplate().map(|l| l.chars).sum()
    }

    /// The boilerplate lines, in order.
    pub fn boilerplate(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.reason.is_some())
    }

    /// Byte ranges of the text taken by template lines, runs of them separated only by white
    /// space joined into one.
    pub fn template_ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for line in &self.lines {
            if line.reason != Some(LineReason::Template) {
                continue;
            }
            match ranges.last_mut() {
                Some(last) if text[last.end..line.range.start].trim().is_empty() => {
                    last.end = line.range.end;
                }
                _ => ranges.push(line.range.clone()),
            }
        }
        ranges
    }

    /// The text without its boilerplate lines; kept lines are separated as they were (a
    /// blank line between paragraphs stays one).
    pub fn clean_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut previous_end = None;
        for line in self.lines.iter().filter(|l| l.reason.is_none()) {
            if let Some(end) = previous_end {
                let gap = &text[end..line.range.start];
                out.push_str(if gap.matches('\n').count() > 1 {
                    "\n\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&text[line.range.clone()]);
            previous_end = Some(line.range.end);
        }
        out
    }
}

/// How much more a line that is not text weighs against the main text than a line of prose
/// of the same length weighs for it, and the characters a prose line needs before it counts
/// for the main text at all (a one-line teaser summary should not pull a teaser grid in).
/// Chosen on the Article Extraction Benchmark's pages flattened to text (`bench/aeb.sh`):
/// F1 moves by less than 0.01 over 1–2 and 0–120.
const AGAINST: f64 = 2.0;
const SHORT_PROSE: f64 = 40.0;

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
        keys.par_sort_unstable();
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
fn line_key_with(line: &str, folded: &mut Vec<u8>) -> Option<u64> {
    let line = line.trim();
    if line.is_empty() || line.len() > MAX_TEMPLATE_LINE_CHARS * 4 {
        return None;
    }
    // A paragraph is no template: count its characters before folding it.
    let chars = if line.is_ascii() {
        line.bytes().filter(|b| !b.is_ascii_whitespace()).count()
    } else {
        line.chars().filter(|c| !c.is_whitespace()).count()
    };
    if chars > MAX_TEMPLATE_LINE_CHARS {
        return None;
    }
    folded.clear();
    let alphanumeric = if line.is_ascii() {
        fold_ascii(line.as_bytes(), folded)
    } else {
        fold_unicode(line, folded)
    };
    while folded.last() == Some(&b' ') {
        folded.pop();
    }
    alphanumeric.then(|| xxh3_64(folded))
}

/// Folds an ASCII line for [`line_key`] into `folded`; whether it has a letter or digit.
fn fold_ascii(line: &[u8], folded: &mut Vec<u8>) -> bool {
    #[derive(PartialEq)]
    enum Last {
        Separator,
        Letter,
        Digit,
    }
    folded.reserve(line.len());
    // At the start, as after a separator: no space is written before the first word.
    let mut last = Last::Separator;
    let mut alphanumeric = false;
    for &byte in line {
        if byte.is_ascii_alphabetic() {
            folded.push(byte.to_ascii_lowercase());
            last = Last::Letter;
            alphanumeric = true;
        } else if byte.is_ascii_digit() {
            if last != Last::Digit {
                folded.push(b'0');
            }
            last = Last::Digit;
            alphanumeric = true;
        } else {
            if last != Last::Separator {
                folded.push(b' ');
            }
            last = Last::Separator;
        }
    }
    alphanumeric
}

/// [`fold_ascii`] for a line with other characters, char by char: digits of any script fold
/// to `0`, letters are lower-cased (and give the same bytes as [`fold_ascii`] on ASCII).
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

/// What one line looks like, from its text alone.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct LineShape {
    words: usize,
    chars: usize,
    /// Ends like a sentence (or a quotation, or a lead-in colon).
    sentence_end: bool,
    /// Share of its words that are function words.
    function_share: f64,
    /// Share of its alphabetic words that start with a capital letter.
    capitalized_share: f64,
    /// Characters inside URLs, e-mail addresses and @handles, as a share of all.
    link_share: f64,
    /// Stand-alone separators (`|`, `•`, `»`, `›`, `·`).
    separators: usize,
    /// Share of its words that contain a digit (table rows have many, menus few).
    numeric_share: f64,
    ellipsis: bool,
    call_to_action: bool,
    byline: bool,
    timestamp: bool,
    /// Ends in a verb of speech and a colon ("... said:", "... says:"), as comment headers do.
    speech_header: bool,
    /// Holds a date or a time of day.
    dated: bool,
    /// Holds punctuation that sentences have (commas, periods, ...); long lines without any are
    /// lists of words (tags, menus, archives), not prose.
    punctuated: bool,
    /// A notice about the site's cookies, however long.
    cookie_notice: bool,
}

impl LineShape {
    fn of(line: &str) -> Self {
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
    fn is_prose(&self) -> bool {
        // Mostly figures (an archive of dates, a price list) is not running text.
        if self.numeric_share >= 0.5 {
            return false;
        }
        (self.words >= 8 && self.sentence_end)
            || (self.words >= 20 && self.punctuated && self.capitalized_share < 0.7)
    }

    /// The verdict a line gets on its own, whatever surrounds it.
    fn own_verdict(&self) -> Option<LineReason> {
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

    /// How much the line pulls the main text towards (positive) or away from itself.
    fn weight(&self, verdict: Option<LineReason>) -> f64 {
        if verdict.is_some() {
            return -(self.chars.max(20) as f64) * AGAINST;
        }
        if self.is_prose() {
            // Prose rich in function words is surer to be text; without any (another
            // language, a list of names) it still counts, for less.
            let sureness = 0.5 + self.function_share.min(0.5);
            (self.chars as f64 - SHORT_PROSE) * sureness
        } else if self.is_list_item() {
            0.0
        } else if self.capitalized_share >= 0.8 || self.words <= 3 {
            -((self.chars as f64).max(15.0)) * AGAINST
        } else {
            -((self.chars as f64) / 2.0).max(10.0) * AGAINST
        }
    }

    /// A line of figures: a table row, a result, a date in a schedule. Menus and teasers
    /// rarely hold numbers, articles often list them, so such lines neither draw the main
    /// text nor push it away, and the main text extends over them.
    fn is_list_item(&self) -> bool {
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

/// Wording of page furniture that a sentence of an article rarely contains: it marks a line
/// of up to [`MAX_CALL_TO_ACTION_WORDS`] words wherever it stands in it.
const FURNITURE: &[&str] = &[
    "all rights reserved",
    "copyright",
    "cookie policy",
    "cookie settings",
    "of cookies",
    "use cookies",
    "getty images",
    "image credit",
    "image source",
    "photo credit",
    "privacy policy",
    "terms of service",
    "terms of use",
];

/// Calls to act: they mark a line only when they open it (within its first two words) or make
/// up most of it, since articles use the same words in sentences ("asked residents to sign up
/// for the scheme").
const CALL_TO_ACTION: &[&str] = &[
    "advertisement",
    "back to top",
    "click here",
    "comments",
    "download the app",
    "follow us",
    "leave a comment",
    "log in",
    "most popular",
    "most read",
    "newsletter",
    "read also",
    "read more",
    "recommended for you",
    "related articles",
    "related coverage",
    "related stories",
    "see also",
    "share on",
    "share this",
    "sign in",
    "sign up",
    "skip to",
    "sponsored",
    "subscribe",
    "you may also like",
];

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
    if FURNITURE
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
    CALL_TO_ACTION
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

/// The words of share and reaction buttons: a short line made only of them is a row of
/// buttons ("Share", "Share Tweet Email", "Reply", "Like").
const BUTTON_WORDS: &[&str] = &[
    "comment",
    "comments",
    "email",
    "facebook",
    "flipboard",
    "like",
    "linkedin",
    "permalink",
    "pin",
    "pinterest",
    "print",
    "reddit",
    "reply",
    "report",
    "save",
    "share",
    "submit",
    "tweet",
    "twitter",
    "whatsapp",
];

fn is_button_row(lower: &[String]) -> bool {
    !lower.is_empty() && lower.len() <= 4 && lower.iter().all(|w| BUTTON_WORDS.contains(&bare(w)))
}

/// Verbs a comment header ends in, before its colon.
const SPEECH_VERBS: &[&str] = &[
    "asked",
    "asks",
    "commented",
    "comments",
    "replied",
    "replies",
    "said",
    "says",
    "wrote",
    "writes",
];

/// "... said:", "... says:": a short line ending in a verb of speech and a colon.
fn is_speech_header(lower: &[String], line: &str) -> bool {
    lower.len() <= 15
        && line.trim_end().ends_with(':')
        && lower
            .last()
            .is_some_and(|w| SPEECH_VERBS.contains(&bare(w)))
}

/// Whether the words hold a date (a month name next to a number) or a time of day.
fn has_date_or_time(lower: &[String]) -> bool {
    let is_number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    lower.iter().enumerate().any(|(i, word)| {
        let word = bare(word);
        let time = word
            .split_once(':')
            .is_some_and(|(h, m)| is_number(h) && h.len() <= 2 && m.len() == 2 && is_number(m));
        let month_dated = MONTHS.contains(&word)
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
fn comment_headers(shapes: &[LineShape]) -> Vec<bool> {
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

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];

const TIME_WORDS: &[&str] = &[
    "am",
    "pm",
    "gmt",
    "utc",
    "bst",
    "est",
    "edt",
    "pst",
    "pdt",
    "cet",
    "updated",
    "published",
    "posted",
    "last",
    "ago",
    "min",
    "mins",
    "minutes",
    "hours",
    "read",
    "on",
    "at",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
];

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
        if MONTHS.contains(&word) || (numeric && word.chars().any(|c| c.is_ascii_digit())) {
            dated = true;
        } else if !TIME_WORDS.contains(&word) {
            return false;
        }
    }
    dated
}

/// The non-blank lines of `text` with their byte ranges.
fn split_lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let end = start + piece.len();
        let trimmed_start = start + (piece.len() - piece.trim_start().len());
        let trimmed_end = start + piece.trim_end().len();
        if trimmed_end > trimmed_start {
            lines.push(trimmed_start..trimmed_end);
        }
        start = end;
    }
    lines
}

/// Where a text comes from, which decides whether the main text still has to be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Text that may still hold page furniture around the article: a feed's text field, a
    /// text file, a page flattened to text.
    Plain,
    /// Text an extractor already cut down to the main text of a page: only the signals of
    /// single lines and the corpus templates apply.
    Extracted,
}

impl TextKind {
    /// How to read a document's text: a page's extracted main text is [`TextKind::Extracted`]
    /// unless extraction fell back to the whole page; any other text is [`TextKind::Plain`].
    pub fn of_page(page: Option<PageOrigin>) -> TextKind {
        match page {
            Some(page) if !page.whole_page => TextKind::Extracted,
            _ => TextKind::Plain,
        }
    }
}

/// Judges every line of `text`. `title` (the document's headline, when known) is never
/// boilerplate; `templates` marks lines that recur across the corpus.
pub fn analyze_lines(
    text: &str,
    title: Option<&str>,
    kind: TextKind,
    templates: &TemplateLines,
) -> LineAnalysis {
    let ranges = split_lines(text);
    let shapes: Vec<LineShape> = ranges
        .iter()
        .map(|r| LineShape::of(&text[r.clone()]))
        .collect();
    let mut own: Vec<Option<LineReason>> = shapes.iter().map(LineShape::own_verdict).collect();
    for (verdict, header) in own.iter_mut().zip(comment_headers(&shapes)) {
        if header && verdict.is_none() {
            *verdict = Some(LineReason::CommentHeader);
        }
    }
    let mut folded = Vec::new();
    let keys: Vec<Option<u64>> = ranges
        .iter()
        .map(|r| line_key_with(&text[r.clone()], &mut folded))
        .collect();
    let main = match kind {
        TextKind::Plain => main_text(&shapes, &own, &repeated_lines(&keys)),
        TextKind::Extracted => 0..shapes.len(),
    };
    // Prose next to the main text, with no boilerplate line between, is kept: an article's
    // opening paragraph above a list stays with it. Prose beyond a boilerplate line (a comment
    // thread, teaser summaries, a footer's legal text) is not the article.
    let mut block = main.clone();
    while block.start > 0 && own[block.start - 1].is_none() {
        block.start -= 1;
    }
    while block.end < shapes.len() && own[block.end].is_none() {
        block.end += 1;
    }
    let title_key = title.and_then(line_key);
    let lines = ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let key = keys[i];
            let template_docs = key.and_then(|k| templates.docs(k));
            let is_title = key.is_some() && key == title_key;
            let reason = if template_docs.is_some() {
                Some(LineReason::Template)
            } else if is_title {
                None
            } else if let Some(reason) = own[i] {
                Some(reason)
            } else if !main.contains(&i) && shapes[i].ellipsis {
                Some(LineReason::Teaser)
            } else if !main.contains(&i) && (!shapes[i].is_prose() || !block.contains(&i)) {
                Some(LineReason::OutsideMainText)
            } else {
                None
            };
            Line {
                range,
                chars: shapes[i].chars,
                reason,
                template_docs,
            }
        })
        .collect();
    LineAnalysis { lines }
}

/// Which lines occur more than once in the text: a page lists the same teaser or link in
/// several places, an article rarely repeats a line.
fn repeated_lines(keys: &[Option<u64>]) -> Vec<bool> {
    let mut counts: AHashMap<u64, usize> = AHashMap::new();
    for key in keys.iter().flatten() {
        *counts.entry(*key).or_default() += 1;
    }
    keys.iter()
        .map(|k| k.is_some_and(|k| counts[&k] > 1))
        .collect()
}

/// The run of lines with the largest total weight: prose lines count for, short non-sentence
/// lines and boilerplate against. With no prose line at all (a list, a table, a poem) every
/// line is in it: there is nothing to tell the text from the furniture by.
fn main_text(shapes: &[LineShape], own: &[Option<LineReason>], repeated: &[bool]) -> Range<usize> {
    if !shapes
        .iter()
        .zip(own)
        .any(|(s, o)| o.is_none() && s.is_prose())
    {
        return 0..shapes.len();
    }
    let (mut best, mut best_sum) = (0..0, f64::MIN);
    let (mut start, mut sum) = (0, 0.0);
    for (i, (shape, verdict)) in shapes.iter().zip(own).enumerate() {
        // A comment thread starts here: the main text stops before it.
        if *verdict == Some(LineReason::CommentHeader) {
            sum = 0.0;
            continue;
        }
        if sum <= 0.0 {
            start = i;
            sum = 0.0;
        }
        sum += if repeated[i] {
            -(shape.chars as f64)
        } else {
            shape.weight(*verdict)
        };
        if sum > best_sum {
            best_sum = sum;
            best = start..i + 1;
        }
    }
    // Lists of figures next to the main text belong to it.
    let list = |i: usize| own[i].is_none() && shapes[i].is_list_item();
    while best.start > 0 && list(best.start - 1) {
        best.start -= 1;
    }
    while best.end < shapes.len() && list(best.end) {
        best.end += 1;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> Vec<(String, Option<&'static str>)> {
        let analysis = analyze_lines(text, None, TextKind::Plain, &TemplateLines::none());
        analysis
            .lines
            .iter()
            .map(|l| {
                (
                    text[l.range.clone()].to_string(),
                    l.reason.map(LineReason::name),
                )
            })
            .collect()
    }

    fn reason_of(text: &str, line: &str) -> Option<&'static str> {
        reasons(text)
            .into_iter()
            .find(|(l, _)| l == line)
            .unwrap_or_else(|| panic!("no line {line:?}"))
            .1
    }

    const BODY: &str = "The harbour bridge will close for six weeks from the first of next month after an inspection found corrosion in two of its cables.\n\n\
        Drivers will be sent along the coast road, a detour that adds about twenty minutes to the journey into town.\n\n\
        The council said the work could not wait until the winter, when fewer people travel.";

    const LATER: &str = "Engineers expect to finish the new cables by the spring, and the ferry will run an extra crossing every hour until then.\n\n\
        Shops near the bridge asked for help with the loss of passing trade, and the council said it would look at their rates.";

    #[test]
    fn clean_article_has_no_boilerplate() {
        let analysis = analyze_lines(BODY, None, TextKind::Plain, &TemplateLines::none());
        assert_eq!(analysis.lines.len(), 3);
        assert_eq!(analysis.boilerplate_chars(), 0);
        assert_eq!(analysis.clean_text(BODY), BODY);
    }

    #[test]
    fn calls_to_action_on_short_lines() {
        let text = format!(
            "{BODY}\n\nSign up for our morning newsletter to get the day's news in your inbox.\n\nShare this article"
        );
        assert_eq!(
            reason_of(
                &text,
                "Sign up for our morning newsletter to get the day's news in your inbox."
            ),
            Some("call_to_action")
        );
        assert_eq!(
            reason_of(&text, "Share this article"),
            Some("call_to_action")
        );
    }

    #[test]
    fn call_to_action_wording_inside_a_long_sentence_is_text() {
        let line = "Readers who sign up for the library's reading challenge this summer will be asked to log every book they finish, and the librarian said last year more than four hundred children took part in it across the county.";
        let text = format!("{BODY}\n\n{line}");
        assert_eq!(reason_of(&text, line), None);
    }

    #[test]
    fn menus_links_teasers_bylines_and_timestamps() {
        let text = format!(
            "Home | News | Sport | Weather\n\nBy Jane Doe and Tom Roe\n\nUpdated 18 November 2024, 11:03 pm\n\n{BODY}\n\nMore: https://example.com/news/bridge\n\nCouncil weighs a new ferry link as bridge closure nears...\n\nFollow @coastalwire"
        );
        assert_eq!(
            reason_of(&text, "Home | News | Sport | Weather"),
            Some("menu")
        );
        assert_eq!(reason_of(&text, "By Jane Doe and Tom Roe"), Some("byline"));
        assert_eq!(
            reason_of(&text, "Updated 18 November 2024, 11:03 pm"),
            Some("timestamp")
        );
        assert_eq!(
            reason_of(&text, "More: https://example.com/news/bridge"),
            Some("links")
        );
        assert_eq!(
            reason_of(
                &text,
                "Council weighs a new ferry link as bridge closure nears..."
            ),
            Some("teaser")
        );
        assert_eq!(reason_of(&text, "Follow @coastalwire"), Some("links"));
    }

    #[test]
    fn a_sentence_starting_with_by_is_not_a_byline() {
        let line = "By the end of the week the road will reopen to buses and bicycles.";
        let text = format!("{BODY}\n\n{line}");
        assert_eq!(reason_of(&text, line), None);
    }

    #[test]
    fn both_folds_agree_on_ascii() {
        for line in [
            "(c) 2024 Coastal Wire -- All rights reserved.",
            "Page 2 of 9",
            "  a1b2 , x  ",
        ] {
            let (mut ascii, mut unicode) = (Vec::new(), Vec::new());
            assert_eq!(
                fold_ascii(line.as_bytes(), &mut ascii),
                fold_unicode(line, &mut unicode)
            );
            assert_eq!(ascii, unicode, "{line}");
        }
    }

    #[test]
    fn a_comment_thread_is_not_joined_to_the_article() {
        let comment = "I drive across that bridge every day and I think the detour will be much \
                       longer than twenty minutes at rush hour, so please plan for it.";
        let reply = "Thanks for the note, we asked the council about rush hour and will update \
                     the story when they answer our questions.";
        let text = format!(
            "{BODY}\n\n3 Comments\n\nSam Reed on May 3, 2019 at 4:47 pm said:\n\n{comment}\n\n\
             Harbour Desk on May 3, 2019 at 6:02 pm said:\n\n{reply}"
        );
        assert_eq!(
            reason_of(&text, "Sam Reed on May 3, 2019 at 4:47 pm said:"),
            Some("comment_header")
        );
        assert_eq!(reason_of(&text, comment), Some("outside_main_text"));
        assert_eq!(reason_of(&text, reply), Some("outside_main_text"));
        let first = BODY.split("\n\n").next().unwrap();
        assert_eq!(reason_of(&text, first), None);
    }

    #[test]
    fn undated_comment_headers_count_only_as_a_thread() {
        let quote = "The minister said:";
        let text = format!("{BODY}\n\n{quote}\n\n{LATER}");
        assert_eq!(reason_of(&text, quote), None);
        let thread = format!(
            "{BODY}\n\njdoe says:\n\nFirst!\n\nharbourfan says:\n\nAgreed.\n\nkeld99 says:\n\nNo."
        );
        assert_eq!(
            reason_of(&thread, "harbourfan says:"),
            Some("comment_header")
        );
    }

    #[test]
    fn cookie_notices_and_button_rows_are_boilerplate_whatever_their_length() {
        let notice = "This website uses cookies to improve your experience while you navigate \
                      through the website. Out of these cookies, the cookies that are categorized \
                      as necessary are stored on your browser as they are essential for the \
                      working of basic functionalities of the website.";
        let recipe = "Bake the cookies for twelve minutes, until the edges are golden and the \
                      middles still soft, then leave them on the tray to cool.";
        let text = format!("{BODY}\n\n{recipe}\n\nShare Tweet Email\n\n{notice}");
        assert_eq!(reason_of(&text, notice), Some("call_to_action"));
        assert_eq!(
            reason_of(&text, "Share Tweet Email"),
            Some("call_to_action")
        );
        assert_eq!(reason_of(&text, recipe), None);
    }

    #[test]
    fn long_lines_of_bare_words_or_figures_are_not_prose() {
        let tags = "harbour bridge council ferry coast road detour winter spring cables \
                    corrosion inspection engineers shops trade rates town journey summer buses";
        let archive = "Archive November 2019 October 2019 September 2019 August 2019 July 2019 \
                       June 2019 May 2019 April 2019 March 2019";
        for line in [tags, archive] {
            assert!(!LineShape::of(line).is_prose(), "{line}");
        }
        let text = format!("{BODY}\n\nTags\n\n{tags}");
        assert_eq!(reason_of(&text, tags), Some("outside_main_text"));
    }

    #[test]
    fn headings_inside_the_text_stay_and_furniture_outside_goes() {
        let text = format!(
            "Menu\nLatest\nLocal News\n\n{BODY}\n\nWhat happens next\n\n{LATER}\n\nMost Shared\nTop Stories\nContact"
        );
        assert_eq!(reason_of(&text, "What happens next"), None);
        assert_eq!(reason_of(&text, "Local News"), Some("outside_main_text"));
        assert_eq!(reason_of(&text, "Top Stories"), Some("outside_main_text"));
    }

    #[test]
    fn the_title_opening_the_text_is_not_boilerplate() {
        let text = format!("Harbour Bridge To Close\n\n{BODY}");
        let analysis = analyze_lines(
            &text,
            Some("Harbour bridge to close"),
            TextKind::Plain,
            &TemplateLines::none(),
        );
        assert_eq!(analysis.lines[0].reason, None);
        let without = analyze_lines(&text, None, TextKind::Plain, &TemplateLines::none());
        assert_eq!(without.lines[0].reason, Some(LineReason::OutsideMainText));
    }

    #[test]
    fn a_list_without_prose_is_kept() {
        let text = "Results\nHarbour Rovers 2\nMill Town 1\nBayside 0";
        assert!(reasons(text).iter().all(|(_, r)| r.is_none()));
    }

    #[test]
    fn template_lines_count_clusters_not_copies() {
        let footer = "The Coastal Wire is an independent newspaper.";
        let key = line_key(footer).unwrap();
        // Five copies of one story (one cluster) and one other document.
        let copies: Vec<(u64, u32)> = vec![(key, 0), (key, 0), (key, 0), (key, 0), (key, 7)];
        assert_eq!(TemplateLines::count(copies, 3).docs(key), None);
        let outlets: Vec<(u64, u32)> = vec![(key, 0), (key, 3), (key, 7)];
        let templates = TemplateLines::count(outlets, 3);
        assert_eq!(templates.docs(key), Some(3));
        let text = format!("{BODY}\n\n{footer}");
        let analysis = analyze_lines(&text, None, TextKind::Plain, &templates);
        let last = analysis.lines.last().unwrap();
        assert_eq!(last.reason, Some(LineReason::Template));
        assert_eq!(last.template_docs, Some(3));
        assert_eq!(analysis.clean_text(&text), BODY);
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

    #[test]
    fn clean_text_keeps_paragraph_breaks() {
        let text = "Share this\n\nFirst paragraph of the story, which is long enough to be prose.\nSecond line of the same paragraph, which is also long enough.\n\nThird paragraph ends the story here with a full sentence.";
        let analysis = analyze_lines(text, None, TextKind::Plain, &TemplateLines::none());
        assert_eq!(
            analysis.clean_text(text),
            "First paragraph of the story, which is long enough to be prose.\nSecond line of the same paragraph, which is also long enough.\n\nThird paragraph ends the story here with a full sentence."
        );
    }
}
