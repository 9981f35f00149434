//! Quality signals of one document: padding (repetition and filler) and keyword stuffing, each
//! as a continuous measure with the evidence that produced it.
//!
//! Padding follows the repetition measures used to filter web text for language models
//! (duplicate lines and paragraphs, the character share of the most frequent 2-, 3- and
//! 4-gram, the character share of words inside repeated 5- to 10-grams), reported as values
//! next to the limits such filters use, plus restated sentences. Stuffing measures how far the
//! most repeated content phrase exceeds the density natural prose shows.
//!
//! [`assess`] puts these together with the boilerplate lines of [`crate::boilerplate`] into one
//! [`QualityReport`] per document: three scores, the flags they trip and the evidence.

use ahash::{AHashMap, AHashSet};

use crate::boilerplate::{LineAnalysis, LineReason, TemplateLines, TextKind, analyze_lines};
use crate::normalize::{NormalizedText, normalize};

/// Boilerplate shares at or above this raise `boilerplate_heavy`: half the document is not
/// its text.
pub const BOILERPLATE_FLAG: f64 = 0.5;
/// Documents whose text (boilerplate removed) has fewer words than this are `thin_content`,
/// the length below which web-text filters for language models drop a page.
pub const THIN_WORDS: usize = 50;
/// How much each measure can take off the score: a fully padded or stuffed text keeps a fifth
/// of its score, boilerplate takes off its own share, thin content scales the score by its
/// length against [`THIN_WORDS`]. Padding counts only above half its limits, where natural
/// prose seldom goes (short news items reach a quarter of them by chance).
const PADDING_WEIGHT: f64 = 0.8;
const PADDING_NATURAL: f64 = 0.5;
const STUFFING_WEIGHT: f64 = 0.8;
/// Padding components reach the evidence from this share of their limit on.
const PADDING_EVIDENCE: f64 = 0.5;
/// Evidence text is cut to this many characters.
const EVIDENCE_CHARS: usize = 120;

/// The quality of one document, with what produced it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QualityReport {
    /// 0..1, higher is better: `(1 - boilerplate) * (1 - 0.8 p) * (1 - 0.8 stuffing)`, where
    /// `p = max(0, 2 padding - 1)` (padding counts above half its limits), times `words / 50`
    /// for thin content.
    pub score: f64,
    /// Share of the document's characters in boilerplate (for an HTML page, the characters
    /// extraction dropped count too).
    pub boilerplate: f64,
    /// Repetition: 1 at or beyond a repetition filter's limit (see [`Padding`]).
    pub padding: f64,
    /// Keyword stuffing: 0 at natural density, 1 at four times it (see [`Stuffing`]).
    pub stuffing: f64,
    /// Tripped conditions: `boilerplate_heavy`, `repetitive`, `keyword_stuffing`,
    /// `thin_content`.
    pub flags: Vec<&'static str>,
    /// What produced the scores, largest first within each measure.
    pub evidence: Vec<Evidence>,
}

/// One measured signal behind a report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// `boilerplate.<reason>`, `padding.<component>`, `stuffing` or `thin_content`.
    pub signal: String,
    /// The measure: a share of the characters (boilerplate, padding), of the words
    /// (stuffing), or the word count (thin content).
    pub value: f64,
    /// The value at which the signal counts (padding limits, the natural density of a phrase,
    /// the thin-content length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// Lines of this kind (boilerplate), occurrences of the phrase (stuffing), documents a
    /// template line recurs in (templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// An example: the first such line, the phrase, the repeated passage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// What is known of a document's page when it came as HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOrigin {
    /// Non-space characters of the whole page's text.
    pub page_chars: usize,
    /// How the extracted text is to be read (see [`crate::html::ExtractedPage::kind`]).
    pub kind: TextKind,
}

/// Assesses one document: its boilerplate lines (with the corpus `templates`), then padding
/// and stuffing of the text that remains. `page` is set for documents extracted from HTML.
pub fn assess(
    text: &str,
    title: Option<&str>,
    page: Option<PageOrigin>,
    templates: &TemplateLines,
) -> QualityReport {
    assess_with_lines(text, title, page, templates).0
}

/// [`assess`], also returning the line verdicts it rests on.
pub fn assess_with_lines(
    text: &str,
    title: Option<&str>,
    page: Option<PageOrigin>,
    templates: &TemplateLines,
) -> (QualityReport, LineAnalysis) {
    let kind = page.map_or(TextKind::Plain, |p| p.kind);
    let lines = analyze_lines(text, title, kind, templates);
    let clean = lines.clean_text(text);
    let text_chars = lines.total_chars();
    // What extraction dropped is boilerplate too; the page is the whole.
    let dropped = page.map_or(0, |p| p.page_chars.saturating_sub(text_chars));
    let whole = text_chars + dropped;
    let boilerplate = share(lines.boilerplate_chars() + dropped, whole);
    let padding = padding(&clean);
    let stuffing = stuffing(&clean, title);
    let words = clean
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();

    let mut evidence = boilerplate_evidence(text, &lines, dropped, whole);
    evidence.extend(padding_evidence(&padding));
    evidence.extend(stuffing_evidence(&stuffing));
    let mut flags = Vec::new();
    if boilerplate >= BOILERPLATE_FLAG {
        flags.push("boilerplate_heavy");
    }
    if padding.score >= 1.0 {
        flags.push("repetitive");
    }
    if stuffing.score >= STUFFING_FLAG {
        flags.push("keyword_stuffing");
    }
    if words < THIN_WORDS {
        flags.push("thin_content");
        evidence.push(Evidence {
            signal: "thin_content".to_string(),
            value: words as f64,
            limit: Some(THIN_WORDS as f64),
            count: None,
            text: None,
        });
    }
    let length = (words as f64 / THIN_WORDS as f64).min(1.0);
    let excess_padding = ((padding.score - PADDING_NATURAL) / (1.0 - PADDING_NATURAL)).max(0.0);
    let score = (1.0 - boilerplate)
        * (1.0 - PADDING_WEIGHT * excess_padding)
        * (1.0 - STUFFING_WEIGHT * stuffing.score)
        * length;
    let report = QualityReport {
        score: round4(score),
        boilerplate: round4(boilerplate),
        padding: round4(padding.score),
        stuffing: round4(stuffing.score),
        flags,
        evidence,
    };
    (report, lines)
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn cut(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(EVIDENCE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// One entry per kind of boilerplate line (and one for what extraction dropped), the largest
/// share first: its share of the characters, how many lines, the first such line.
fn boilerplate_evidence(
    text: &str,
    lines: &LineAnalysis,
    dropped: usize,
    whole: usize,
) -> Vec<Evidence> {
    let mut by_reason: Vec<(LineReason, usize, usize, &str, Option<u32>)> = Vec::new();
    for line in lines.boilerplate() {
        let reason = line.reason.expect("boilerplate lines have a reason");
        match by_reason.iter_mut().find(|entry| entry.0 == reason) {
            Some(entry) => {
                entry.1 += line.chars;
                entry.2 += 1;
                entry.4 = entry.4.max(line.template_docs);
            }
            None => by_reason.push((
                reason,
                line.chars,
                1,
                &text[line.range.clone()],
                line.template_docs,
            )),
        }
    }
    let mut evidence: Vec<Evidence> = by_reason
        .into_iter()
        .map(|(reason, chars, count, example, docs)| Evidence {
            signal: format!("boilerplate.{}", reason.name()),
            value: round4(share(chars, whole)),
            limit: None,
            count: Some(docs.map_or(count, |d| d as usize)),
            text: Some(cut(example)),
        })
        .collect();
    if dropped > 0 {
        evidence.push(Evidence {
            signal: "boilerplate.dropped_by_extraction".to_string(),
            value: round4(share(dropped, whole)),
            limit: None,
            count: None,
            text: None,
        });
    }
    evidence.sort_by(|x, y| y.value.total_cmp(&x.value).then(x.signal.cmp(&y.signal)));
    evidence
}

/// Padding components at half their limit or more, nearest their limit first.
fn padding_evidence(padding: &Padding) -> Vec<Evidence> {
    let mut components: Vec<&Component> = padding
        .components
        .iter()
        .filter(|c| c.value >= PADDING_EVIDENCE * c.limit && c.value > 0.0)
        .collect();
    components.sort_by(|x, y| (y.value / y.limit).total_cmp(&(x.value / x.limit)));
    components
        .into_iter()
        .map(|c| Evidence {
            signal: format!("padding.{}", c.name),
            value: round4(c.value),
            limit: Some(c.limit),
            count: None,
            text: c.example.as_deref().map(cut),
        })
        .collect()
}

/// The most over-used phrase, when it is above natural density.
fn stuffing_evidence(stuffing: &Stuffing) -> Option<Evidence> {
    let phrase = stuffing.phrase.as_ref().filter(|_| stuffing.score > 0.0)?;
    let words = phrase.phrase.split(' ').count();
    Some(Evidence {
        signal: "stuffing".to_string(),
        value: round4(phrase.density),
        limit: Some(NATURAL_DENSITY[words - 1]),
        count: Some(phrase.count),
        text: Some(phrase.phrase.clone()),
    })
}

/// One measured repetition component.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Component {
    /// Which measure (`duplicate_lines`, `top_3gram`, `duplicate_7grams`, ...).
    pub name: String,
    /// Its value, a share of the document's characters.
    pub value: f64,
    /// The value at which the text counts as repetitive.
    pub limit: f64,
    /// An example of the repeated text, when there is one.
    pub example: Option<String>,
}

/// Reference limits for the repetition measures: the values at which web-text filters for
/// language-model training drop a document (the widely used Gopher rules).
const DUPLICATE_LINE_LIMIT: f64 = 0.20;
const DUPLICATE_PARAGRAPH_LIMIT: f64 = 0.20;
const TOP_NGRAM_LIMITS: [(usize, f64); 3] = [(2, 0.20), (3, 0.18), (4, 0.16)];
const DUPLICATE_NGRAM_LIMITS: [(usize, f64); 6] = [
    (5, 0.15),
    (6, 0.14),
    (7, 0.13),
    (8, 0.12),
    (9, 0.11),
    (10, 0.10),
];
/// Share of sentences restated (the same words as an earlier sentence, give or take a few) at
/// which a text counts as repetitive.
const RESTATED_LIMIT: f64 = 0.20;
/// Two sentences with at least this Jaccard similarity of their word sets say the same thing.
const RESTATED_SIMILARITY: f64 = 0.8;
/// Sentences shorter than this (in words) are not compared: "Yes." repeated is not padding.
const RESTATED_MIN_WORDS: usize = 6;

/// The padding measures of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Padding {
    /// 0 for text with no repetition, 1 at or beyond a repetition limit: the largest
    /// `value / limit` of the components, capped at 1.
    pub score: f64,
    /// Every component, in a fixed order.
    pub components: Vec<Component>,
}

impl Padding {
    /// The component that set the score.
    pub fn worst(&self) -> Option<&Component> {
        self.components
            .iter()
            .max_by(|x, y| (x.value / x.limit).total_cmp(&(y.value / y.limit)))
    }
}

/// Measures repetition in `text`.
pub fn padding(text: &str) -> Padding {
    let normalized = normalize(text);
    let words: Vec<&str> = normalized.iter_words().collect();
    // Characters are counted over words, so spacing and punctuation do not dilute shares.
    let total_chars: usize = words.iter().map(|w| w.chars().count()).sum();
    let mut components = Vec::new();
    components.push(duplicate_blocks(
        text.lines(),
        "duplicate_lines",
        DUPLICATE_LINE_LIMIT,
    ));
    components.push(duplicate_blocks(
        text.split("\n\n"),
        "duplicate_paragraphs",
        DUPLICATE_PARAGRAPH_LIMIT,
    ));
    let ids = word_ids(&words);
    for (n, limit) in TOP_NGRAM_LIMITS {
        components.push(top_ngram(&words, &ids, total_chars, n, limit));
    }
    for (n, limit) in DUPLICATE_NGRAM_LIMITS {
        components.push(duplicate_ngrams(&words, &ids, total_chars, n, limit));
    }
    components.push(restated_sentences(text));
    let score = components
        .iter()
        .map(|c| (c.value / c.limit).min(1.0))
        .fold(0.0, f64::max);
    Padding { score, components }
}

fn char_count(words: &[&str]) -> usize {
    words.iter().map(|w| w.chars().count()).sum()
}

/// Share of characters in blocks (lines or paragraphs) that repeat an earlier block, compared
/// after normalization.
fn duplicate_blocks<'a>(
    blocks: impl Iterator<Item = &'a str>,
    name: &str,
    limit: f64,
) -> Component {
    let mut seen: AHashSet<String> = AHashSet::new();
    let (mut total, mut repeated) = (0usize, 0usize);
    let mut example = None;
    for block in blocks {
        let normalized = normalize(block);
        if normalized.words.is_empty() {
            continue;
        }
        let chars = char_count(&normalized.iter_words().collect::<Vec<_>>());
        total += chars;
        if !seen.insert(normalized.text) {
            repeated += chars;
            example.get_or_insert_with(|| block.trim().to_string());
        }
    }
    Component {
        name: name.to_string(),
        value: share(repeated, total),
        limit,
        example,
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A word n-gram as one number, from the ids of its words: the n-gram maps are keyed by
/// integers, not by slices of strings (hashing strings was most of the cost of padding).
fn gram_key(ids: &[u64]) -> u64 {
    ids.iter().fold(0x9e37_79b9_7f4a_7c15u64, |key, &id| {
        (key.rotate_left(5) ^ id).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The ids of the words, one hash per word.
fn word_ids(words: &[&str]) -> Vec<u64> {
    words
        .iter()
        .map(|w| xxhash_rust::xxh3::xxh3_64(w.as_bytes()))
        .collect()
}

/// Characters in all occurrences of the most frequent word n-gram, as a share of all word
/// characters. Ties go to the n-gram seen first.
fn top_ngram(words: &[&str], ids: &[u64], total_chars: usize, n: usize, limit: f64) -> Component {
    // Per n-gram: occurrences and first position.
    let mut counts: AHashMap<u64, (usize, usize)> = AHashMap::with_capacity(ids.len());
    for (i, gram) in ids.windows(n).enumerate() {
        counts.entry(gram_key(gram)).or_insert((0, i)).0 += 1;
    }
    let best = counts
        .values()
        .copied()
        .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
    let (value, example) = match best {
        Some((count, first)) if count > 1 => {
            let gram = &words[first..first + n];
            (
                share(count * char_count(gram), total_chars),
                Some(format!("{} (x{count})", gram.join(" "))),
            )
        }
        _ => (0.0, None),
    };
    Component {
        name: format!("top_{n}gram"),
        value,
        limit,
        example,
    }
}

/// Characters of the words covered by some n-gram that occurs more than once, as a share of
/// all word characters.
fn duplicate_ngrams(
    words: &[&str],
    ids: &[u64],
    total_chars: usize,
    n: usize,
    limit: f64,
) -> Component {
    let keys: Vec<u64> = ids.windows(n).map(gram_key).collect();
    let mut counts: AHashMap<u64, usize> = AHashMap::with_capacity(keys.len());
    for key in &keys {
        *counts.entry(*key).or_default() += 1;
    }
    let mut covered = vec![false; words.len()];
    let mut example = None;
    for (i, key) in keys.iter().enumerate() {
        let count = counts[key];
        if count > 1 {
            covered[i..i + n].fill(true);
            example.get_or_insert_with(|| format!("{} (x{count})", words[i..i + n].join(" ")));
        }
    }
    let repeated: usize = words
        .iter()
        .zip(&covered)
        .filter(|(_, c)| **c)
        .map(|(w, _)| w.chars().count())
        .sum();
    Component {
        name: format!("duplicate_{n}grams"),
        value: share(repeated, total_chars),
        limit,
        example,
    }
}

/// Share of sentences (of at least six words) that restate an earlier one: their word sets
/// have a Jaccard similarity of at least 0.8.
fn restated_sentences(text: &str) -> Component {
    // At most this many sentences are compared pairwise, so a huge text stays cheap.
    const MAX_SENTENCES: usize = 400;
    let sentences: Vec<(Vec<u64>, &str)> = text
        .split(['.', '!', '?', '\n'])
        .filter_map(|s| {
            let normalized = normalize(s);
            let mut ids = word_ids(&normalized.iter_words().collect::<Vec<_>>());
            ids.sort_unstable();
            ids.dedup();
            (ids.len() >= RESTATED_MIN_WORDS).then_some((ids, s.trim()))
        })
        .take(MAX_SENTENCES)
        .collect();
    let mut restated = 0;
    let mut example = None;
    for (i, (words, sentence)) in sentences.iter().enumerate() {
        let earlier = sentences[..i].iter().any(|(other, _)| {
            // Jaccard of at least s needs the smaller set to be at least s times the larger.
            let (small, large) = (words.len().min(other.len()), words.len().max(other.len()));
            if (small as f64) < RESTATED_SIMILARITY * large as f64 {
                return false;
            }
            let common = crate::verify::intersection_size(words, other);
            common as f64 / (words.len() + other.len() - common) as f64 >= RESTATED_SIMILARITY
        });
        if earlier {
            restated += 1;
            example.get_or_insert_with(|| sentence.to_string());
        }
    }
    Component {
        name: "restated_sentences".to_string(),
        value: share(restated, sentences.len()),
        limit: RESTATED_LIMIT,
        example,
    }
}

/// Words that carry no topic: a repeated phrase must not start or end with one. English;
/// other languages fall back to the number and unit rules alone. Sorted, for binary search
/// (a unit test checks).
pub(crate) const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "even",
    "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
    "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
    "its", "itself", "just", "may", "me", "might", "more", "most", "much", "must", "my", "myself",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "said", "same", "says", "she", "should", "so", "some", "still", "such",
    "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "yet", "you", "your", "yours",
];

/// Whether `word` (normalized: lower case) is one of the English function words.
pub(crate) fn is_function_word(word: &str) -> bool {
    FUNCTION_WORDS.binary_search(&word).is_ok()
}

/// Natural ceilings of a content phrase's density (share of the words its occurrences cover)
/// by phrase length: about the 95th percentile of the top phrase in natural texts
/// (`examples/stuffing_calibration.rs` prints the quantiles).
const NATURAL_DENSITY: [f64; 4] = [0.03, 0.03, 0.025, 0.02];

/// Stuffing scores at or above this raise the `keyword_stuffing` flag. Chosen with
/// `cargo run --release --example stuffing_calibration`: on 210 natural texts (the sample
/// corpus and the benchmark's gold article bodies) it flags 2.9 %, on 300 naturally repetitive
/// controls (market reports, sports results, profiles) none; a phrase injected at 5 % of the
/// words is flagged in 84 % of texts, at 8 % in 92 % (AUC 0.91 and 0.96).
pub const STUFFING_FLAG: f64 = 0.1;

/// How far the most repeated content phrase of a document exceeds natural density.
#[derive(Debug, Clone, PartialEq)]
pub struct Stuffing {
    /// 0 at or below natural density; grows with the excess and reaches 1 at four times it.
    pub score: f64,
    /// The phrase that set the score, its occurrences and the share of words they cover.
    pub phrase: Option<StuffedPhrase>,
}

/// The most over-used content phrase.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StuffedPhrase {
    /// The phrase, normalized.
    pub phrase: String,
    /// Occurrences in the body.
    pub count: usize,
    /// Share of the body's words inside its occurrences.
    pub density: f64,
    /// Whether the title contains it.
    pub in_title: bool,
    /// Whether most occurrences are capitalized word by word: a name ("Hong Kong", "Star
    /// Trek"), which news repeats naturally.
    pub name: bool,
}

/// Occurrences of one candidate phrase.
#[derive(Debug, Clone, Copy, Default)]
struct PhraseCount {
    count: usize,
    beside_numbers: usize,
    capitalized: usize,
    first: usize,
}

/// Fewest occurrences a phrase needs to count as stuffed at all.
const MIN_STUFFED_COUNT: usize = 4;

/// Measures keyword stuffing in `text` (with its `title`, when there is one).
///
/// Candidate phrases are 1 to 4 normalized words that neither start nor end with a function
/// word and contain no digits. Words that work as units or labels of numbers (`mln`, `pct`,
/// `vs`, team names in results, tickers) are left out: a word most of whose occurrences stand
/// next to a number is one. A phrase from the title repeated in the body weighs 25 % more,
/// since that is what search-engine padding repeats.
pub fn stuffing(text: &str, title: Option<&str>) -> Stuffing {
    let best = top_phrases(text, title)
        .into_iter()
        .enumerate()
        .filter_map(|(i, phrase)| phrase.map(|p| (excess(&p, i + 1), p)))
        .max_by(|x, y| x.0.total_cmp(&y.0));
    match best {
        Some((excess, phrase)) => Stuffing {
            score: ((excess - 1.0) / 3.0).clamp(0.0, 1.0),
            phrase: Some(phrase),
        },
        None => Stuffing {
            score: 0.0,
            phrase: None,
        },
    }
}

/// How many times the natural ceiling a phrase of `n` words reaches. A title phrase weighs
/// 25 % more; a name half, title or not, since an article about someone or somewhere names
/// them in its title and throughout.
fn excess(phrase: &StuffedPhrase, n: usize) -> f64 {
    let weight = match (phrase.name, phrase.in_title) {
        (true, _) => 0.5,
        (false, true) => 1.25,
        (false, false) => 1.0,
    };
    weight * phrase.density / NATURAL_DENSITY[n - 1]
}

/// The most repeated content phrase of each length from 1 to 4 words (index 0 is one word),
/// leaving out phrases that mostly stand in sentences with numbers; `None` where no phrase
/// occurs at least four times.
pub fn top_phrases(text: &str, title: Option<&str>) -> [Option<StuffedPhrase>; 4] {
    let normalized = normalize(text);
    let words: Vec<&str> = normalized.iter_words().collect();
    let mut top: [Option<StuffedPhrase>; 4] = Default::default();
    if words.is_empty() {
        return top;
    }
    let usable = usable_words(&normalized, &words, text);
    let numeric = numeric_sentences(&normalized, &words, text);
    let capitalized: Vec<bool> = normalized
        .words
        .iter()
        .map(|span| {
            text[span.orig_start as usize..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        })
        .collect();
    let title_text = title.map(|t| format!(" {} ", normalize(t).text));
    for (slot, n) in top.iter_mut().zip(1..=4) {
        let mut counts: AHashMap<&[&str], PhraseCount> = AHashMap::new();
        for (i, gram) in words.windows(n).enumerate() {
            if usable[i] && usable[i + n - 1] {
                let entry = counts.entry(gram).or_insert(PhraseCount {
                    first: i,
                    ..PhraseCount::default()
                });
                entry.count += 1;
                entry.beside_numbers += usize::from(numeric[i]);
                entry.capitalized += usize::from(capitalized[i..i + n].iter().all(|&c| c));
            }
        }
        // The most frequent phrase of this length not mostly in sentences with numbers, first
        // seen on ties.
        let Some((gram, found)) = counts
            .iter()
            .filter(|(_, c)| 2 * c.beside_numbers <= c.count)
            .max_by(|x, y| x.1.count.cmp(&y.1.count).then(y.1.first.cmp(&x.1.first)))
            .map(|(gram, c)| (*gram, *c))
        else {
            continue;
        };
        let count = found.count;
        // A single short word is more often a function word of another language ("und",
        // "de") than a keyword.
        if count < MIN_STUFFED_COUNT || (n == 1 && gram[0].chars().count() < 4) {
            continue;
        }
        let phrase = gram.join(" ");
        *slot = Some(StuffedPhrase {
            in_title: title_text
                .as_ref()
                .is_some_and(|t| t.contains(&format!(" {phrase} "))),
            name: 2 * found.capitalized > count,
            phrase,
            count,
            density: (count * n) as f64 / words.len() as f64,
        });
    }
    top
}

/// For each word, whether its sentence holds a number. Reports and tables repeat the labels
/// of numbers ("net profit 12 mln vs 10 mln", "analysts had expected 45 mln", "Keld United 2")
/// naturally. Sentences are cut where the text between two words holds `.`, `!`, `?` or a
/// line break (a decimal point sits inside a word and does not cut).
fn numeric_sentences(normalized: &NormalizedText, words: &[&str], original: &str) -> Vec<bool> {
    let mut sentence_of = Vec::with_capacity(words.len());
    let mut sentence = 0usize;
    for (i, span) in normalized.words.iter().enumerate() {
        if i > 0 {
            let gap =
                &original[normalized.words[i - 1].orig_end as usize..span.orig_start as usize];
            if gap.contains(['.', '!', '?', '\n']) {
                sentence += 1;
            }
        }
        sentence_of.push(sentence);
    }
    let mut has_number = vec![false; sentence + 1];
    for (i, word) in words.iter().enumerate() {
        if has_digit(word) {
            has_number[sentence_of[i]] = true;
        }
    }
    sentence_of.iter().map(|&s| has_number[s]).collect()
}

fn has_digit(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
}

/// Which words may start or end a stuffed phrase: not function words, not numbers, not words
/// that label numbers, not short all-capital tokens (tickers, unit codes) in the original.
fn usable_words(normalized: &NormalizedText, words: &[&str], original: &str) -> Vec<bool> {
    // How often each word stands right next to a number.
    let mut beside_number: AHashMap<&str, (usize, usize)> = AHashMap::new();
    for (i, word) in words.iter().enumerate() {
        let near =
            (i > 0 && has_digit(words[i - 1])) || (i + 1 < words.len() && has_digit(words[i + 1]));
        let entry = beside_number.entry(word).or_default();
        entry.0 += usize::from(near);
        entry.1 += 1;
    }
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let span = normalized.words[i];
            let raw = &original[span.orig_start as usize..span.orig_end as usize];
            let code = raw.len() <= 5 && raw.chars().all(|c| c.is_ascii_uppercase());
            let (near, total) = beside_number[word];
            let labels_numbers = 2 * near > total;
            word.chars().count() > 1
                && !is_function_word(word)
                && !has_digit(word)
                && !code
                && !labels_numbers
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component<'a>(padding: &'a Padding, name: &str) -> &'a Component {
        padding.components.iter().find(|c| c.name == name).unwrap()
    }

    const PROSE: &str = "The council met on Monday to discuss the new bus routes.\n\
        Residents asked for a stop near the school and a later last service.\n\
        The transport officer said the changes would be tested over the summer.\n\
        A final decision is expected in the autumn, after a public consultation.";

    #[test]
    fn function_words_are_sorted_for_binary_search() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn clean_prose_has_no_padding() {
        let measured = padding(PROSE);
        assert_eq!(component(&measured, "duplicate_lines").value, 0.0);
        assert_eq!(component(&measured, "duplicate_5grams").value, 0.0);
        assert!(measured.score < 0.3, "{measured:?}");
    }

    #[test]
    fn repeated_lines_and_paragraphs_are_measured_by_characters() {
        let text = format!("{PROSE}\n\n{PROSE}");
        let measured = padding(&text);
        assert!((component(&measured, "duplicate_lines").value - 0.5).abs() < 1e-9);
        assert!((component(&measured, "duplicate_paragraphs").value - 0.5).abs() < 1e-9);
        assert_eq!(measured.score, 1.0);
        // The copy repeats every 10-gram: that measure is furthest past its limit.
        assert_eq!(
            measured.worst().map(|c| c.name.as_str()),
            Some("duplicate_10grams")
        );
    }

    #[test]
    fn top_ngram_share_counts_every_occurrence() {
        // "red apple" 3 times: 3 x 8 characters of 34 word characters in all.
        let measured = padding("red apple red apple red apple sold out now");
        let top = component(&measured, "top_2gram");
        assert!((top.value - 24.0 / 34.0).abs() < 1e-9, "{top:?}");
        assert_eq!(top.example.as_deref(), Some("red apple (x3)"));
    }

    #[test]
    fn restated_sentences_are_found_despite_small_changes() {
        let text = "Our product is the best choice for busy families today. \
                    It ships in two days. \
                    Today our product is the best choice for busy families. \
                    Prices start low.";
        let measured = padding(text);
        let restated = component(&measured, "restated_sentences");
        assert_eq!(restated.value, 0.5, "{restated:?}");
    }

    fn injected(phrase: &str, times: usize, filler_words: usize) -> String {
        // Distinct letter-only filler words ("ba", "bb", ...), none repeated often.
        let filler: Vec<String> = (0..filler_words)
            .map(|i| {
                let i = i % 997;
                let letter = |k: usize| (b'a' + (k % 26) as u8) as char;
                format!("w{}{}{}", letter(i / 676), letter(i / 26), letter(i))
            })
            .collect();
        let mut text = String::new();
        let step = filler_words / times;
        for (i, chunk) in filler.chunks(step).enumerate() {
            text.push_str(&chunk.join(" "));
            if i < times {
                text.push(' ');
                text.push_str(phrase);
                text.push_str(". ");
            }
        }
        text
    }

    #[test]
    fn an_injected_key_phrase_is_stuffing() {
        // The example: a 3-word phrase 60 times in about 2,800 words.
        let text = injected("cheap garden furniture", 60, 2_620);
        let measured = stuffing(&text, Some("Cheap garden furniture deals"));
        let phrase = measured.phrase.clone().unwrap();
        assert_eq!(phrase.phrase, "cheap garden furniture");
        assert_eq!(phrase.count, 60);
        assert!(phrase.in_title);
        assert!(measured.score >= STUFFING_FLAG, "{measured:?}");
        assert!(measured.score > 0.5, "{measured:?}");
    }

    #[test]
    fn numbers_and_their_labels_are_not_stuffing() {
        let line =
            "Acme net profit 12 mln vs 10 mln, revenue 80 mln vs 75 mln, margin 5 pct vs 4 pct.";
        let text = vec![line; 20].join("\n");
        let measured = stuffing(&text, None);
        let phrase = measured.phrase.map(|p| p.phrase).unwrap_or_default();
        assert!(
            !phrase.contains("mln") && !phrase.contains("pct"),
            "{phrase}"
        );
    }

    #[test]
    fn a_name_repeated_through_a_profile_is_not_stuffing() {
        // The surname in every sentence: about 7 % of the words, all capitalized.
        let text = "Okafor grew up on a farm and left school at sixteen to work in a boatyard. \
            By thirty Okafor had taken over the yard and rebuilt it around wooden dinghies. \
            Customers came from across the coast, and Okafor still answers letters by hand. \
            Asked about retirement, Okafor laughs and points at a hull in the shed. \
            Her daughter keeps the accounts, though Okafor chooses every plank herself. \
            Friends describe Okafor as patient, stubborn and quick to share a pot of tea. \
            The town gave Okafor a civic award in the spring, which she called a fuss. \
            Eleven apprentices have trained with Okafor, and three now run yards of their own.";
        let measured = stuffing(text, Some("Ruth Okafor: a life in boats"));
        assert!(
            measured.phrase.as_ref().is_some_and(|p| p.name),
            "{measured:?}"
        );
        assert!(measured.score < STUFFING_FLAG, "{measured:?}");
    }

    #[test]
    fn a_short_text_with_few_repeats_is_not_stuffing() {
        assert_eq!(stuffing(PROSE, None).score, 0.0);
        assert_eq!(stuffing("", None).score, 0.0);
    }
}
