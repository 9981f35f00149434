//! Quality signals of one document: padding (repetition and filler, [`padding`]) and keyword
//! stuffing ([`stuffing`]), each as a continuous measure with the evidence that produced it,
//! both read from one normalization of the text ([`TextWords`]).
//!
//! [`assess`] puts these together with the boilerplate lines of [`crate::boilerplate`] into one
//! [`QualityReport`] per document: three scores, the flags they trip and the evidence.

pub mod boilerplate;
mod padding;
mod stuffing;
mod words;

use crate::ingest::record::PageOrigin;
use boilerplate::{LineAnalysis, LineReason, TemplateLines, TextKind, analyze_lines};

pub use padding::{Component, Measure, Padding, padding, padding_of};
use padding::{PADDING_EVIDENCE, share};
use stuffing::NATURAL_DENSITY;
pub use stuffing::{
    STUFFING_FLAG, StuffedPhrase, Stuffing, stuffing, stuffing_of, top_phrases, top_phrases_of,
};
pub use words::TextWords;

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
/// Evidence text is cut to this many characters.
const EVIDENCE_CHARS: usize = 120;

/// The quality of one document, with what produced it.
#[derive(Debug, Clone, PartialEq)]
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
    /// Tripped conditions, in a fixed order.
    pub flags: Vec<Flag>,
    /// What produced the scores, largest first within each measure.
    pub evidence: Vec<Evidence>,
}

/// A condition a document trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Boilerplate at or above [`BOILERPLATE_FLAG`].
    BoilerplateHeavy,
    /// Padding at a repetition filter's limit.
    Repetitive,
    /// Stuffing at or above [`STUFFING_FLAG`].
    KeywordStuffing,
    /// Fewer than [`THIN_WORDS`] words once boilerplate is removed.
    ThinContent,
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Flag::BoilerplateHeavy => "boilerplate_heavy",
            Flag::Repetitive => "repetitive",
            Flag::KeywordStuffing => "keyword_stuffing",
            Flag::ThinContent => "thin_content",
        })
    }
}

/// What a piece of evidence measures. `Display` gives its name in reports
/// (`boilerplate.template`, `padding.top_2gram`, `stuffing`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Lines that are boilerplate for this reason.
    Boilerplate(LineReason),
    /// The page text that HTML extraction dropped.
    DroppedByExtraction,
    /// One repetition measure.
    Padding(Measure),
    /// The most over-used content phrase.
    Stuffing,
    /// Too few words.
    ThinContent,
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Signal::Boilerplate(reason) => write!(f, "boilerplate.{}", reason.name()),
            Signal::DroppedByExtraction => f.write_str("boilerplate.dropped_by_extraction"),
            Signal::Padding(measure) => write!(f, "padding.{measure}"),
            Signal::Stuffing => f.write_str("stuffing"),
            Signal::ThinContent => f.write_str("thin_content"),
        }
    }
}

/// One measured signal behind a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// What was measured.
    pub signal: Signal,
    /// The measure: a share of the characters (boilerplate, padding), of the words
    /// (stuffing), or the word count (thin content).
    pub value: f64,
    /// The value at which the signal counts (padding limits, the natural density of a phrase,
    /// the thin-content length).
    pub limit: Option<f64>,
    /// Lines of this kind (boilerplate), occurrences of the phrase (stuffing), documents a
    /// template line recurs in (templates).
    pub count: Option<usize>,
    /// An example: the first such line, the phrase, the repeated passage.
    pub text: Option<String>,
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
    let kind = TextKind::of_page(page);
    let lines = analyze_lines(text, title, kind, templates);
    let clean = lines.clean_text(text);
    let text_chars = lines.total_chars();
    // What extraction dropped is boilerplate too; the page is the whole.
    let dropped = page.map_or(0, |p| p.page_chars.saturating_sub(text_chars));
    let whole = text_chars + dropped;
    let boilerplate = share(lines.boilerplate_chars() + dropped, whole);
    let words = TextWords::new(&clean);
    let padding = padding_of(&words);
    let stuffing = stuffing_of(&words, title);
    let word_count = clean
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();

    let mut evidence = boilerplate_evidence(text, &lines, dropped, whole);
    evidence.extend(padding_evidence(&padding));
    evidence.extend(stuffing_evidence(&stuffing));
    let mut flags = Vec::new();
    if boilerplate >= BOILERPLATE_FLAG {
        flags.push(Flag::BoilerplateHeavy);
    }
    if padding.score >= 1.0 {
        flags.push(Flag::Repetitive);
    }
    if stuffing.score >= STUFFING_FLAG {
        flags.push(Flag::KeywordStuffing);
    }
    if word_count < THIN_WORDS {
        flags.push(Flag::ThinContent);
        evidence.push(Evidence {
            signal: Signal::ThinContent,
            value: word_count as f64,
            limit: Some(THIN_WORDS as f64),
            count: None,
            text: None,
        });
    }
    let length = (word_count as f64 / THIN_WORDS as f64).min(1.0);
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
            signal: Signal::Boilerplate(reason),
            value: round4(share(chars, whole)),
            limit: None,
            count: Some(docs.map_or(count, |d| d as usize)),
            text: Some(cut(example)),
        })
        .collect();
    if dropped > 0 {
        evidence.push(Evidence {
            signal: Signal::DroppedByExtraction,
            value: round4(share(dropped, whole)),
            limit: None,
            count: None,
            text: None,
        });
    }
    // Equal shares in the order of the signals' names, so the order does not depend on the
    // order the lines were met in.
    evidence.sort_by(|x, y| {
        y.value
            .total_cmp(&x.value)
            .then_with(|| x.signal.to_string().cmp(&y.signal.to_string()))
    });
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
            signal: Signal::Padding(c.measure),
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
        signal: Signal::Stuffing,
        value: round4(phrase.density),
        limit: Some(NATURAL_DENSITY[words - 1]),
        count: Some(phrase.count),
        text: Some(phrase.phrase.clone()),
    })
}
