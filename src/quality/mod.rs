//! Quality signals of one document: padding (repetition and filler, [`padding`]) and keyword
//! stuffing ([`stuffing`]), each as a continuous measure with the evidence that produced it,
//! both read from one normalization of the text ([`TextWords`]).
//!
//! [`assess`] puts these together with the boilerplate lines of [`boilerplate`] into one
//! [`QualityReport`] per document: three scores, the flags they trip and the evidence.

pub mod boilerplate;
mod padding;
pub mod scan;
mod stuffing;
mod words;

use crate::ingest::record::PageOrigin;
use crate::text::normalize::WordBuffer;
use crate::text::shingle::DEFAULT_SHINGLE_SEED;
use boilerplate::{
    LineAnalysis, LineReason, TemplateLines, TextKind, analyze_scanned, line_key_with_seed,
};
use scan::{TextScan, scan_text};

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

/// What a document's report rests on, kept so outlet template lines found across the corpus
/// later can be taken into it ([`QualityReport::add_templates`]) without reading the text
/// again.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QualityBasis {
    /// Characters of all the text's lines (white space not counted).
    pub text_chars: u32,
    /// Characters of the lines that are boilerplate on the page's own signals.
    pub boilerplate_chars: u32,
    /// Characters of the page that HTML extraction dropped.
    pub dropped_chars: u32,
    /// Words of the text without its boilerplate lines.
    pub words: u32,
    /// The padding score, unrounded.
    pub padding: f64,
    /// The stuffing score, unrounded.
    pub stuffing: f64,
}

/// The outlet template lines of one document, found across the corpus: lines that were text
/// on the page's own signals and recur in the documents of several clusters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateShare {
    /// Characters of those lines.
    pub chars: usize,
    /// Words of those lines.
    pub words: usize,
    /// The most clusters any of them recurs in.
    pub clusters: u32,
    /// The first of them, as found in the corpus.
    pub example: Option<String>,
}

/// A document's quality and what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The report, on the document's own signals.
    pub report: QualityReport,
    /// What it rests on.
    pub basis: QualityBasis,
}

/// Assesses one document on its own: its boilerplate lines, then padding and stuffing of the
/// text that remains. `page` is set for documents extracted from HTML. Outlet templates, which
/// only the corpus shows, are added by [`QualityReport::add_templates`].
pub fn assess(text: &str, title: Option<&str>, page: Option<PageOrigin>) -> Assessment {
    assess_with_lines(text, title, page).0
}

/// [`assess`], also returning the line verdicts it rests on.
pub fn assess_with_lines(
    text: &str,
    title: Option<&str>,
    page: Option<PageOrigin>,
) -> (Assessment, LineAnalysis) {
    let mut scan = TextScan::default();
    scan_text(
        text,
        DEFAULT_SHINGLE_SEED,
        &mut WordBuffer::default(),
        &mut scan,
    );
    let title_key = title.and_then(|t| line_key_with_seed(t, DEFAULT_SHINGLE_SEED));
    assess_scanned(
        text,
        &scan,
        title,
        title_key,
        page,
        &mut TextWords::default(),
    )
}

/// Assesses a document whose text was scanned already (the first pass scans it once for its
/// signature and its quality). `title_key` is the title's line key under the scan's seed;
/// `words` is a buffer kept from document to document.
pub fn assess_scanned(
    text: &str,
    scan: &TextScan,
    title: Option<&str>,
    title_key: Option<u64>,
    page: Option<PageOrigin>,
    words: &mut TextWords,
) -> (Assessment, LineAnalysis) {
    let lines = judge_lines(scan, title_key, page);
    let assessment = assess_judged(text, scan, &lines, title, page, words);
    (assessment, lines)
}

/// The verdict on every line of a scanned text, on the page's own signals (see
/// [`analyze_scanned`]).
pub fn judge_lines(
    scan: &TextScan,
    title_key: Option<u64>,
    page: Option<PageOrigin>,
) -> LineAnalysis {
    analyze_scanned(
        scan.lines(),
        title_key,
        TextKind::of_page(page),
        &TemplateLines::none(),
    )
}

/// Assesses a scanned text whose lines were judged: padding and stuffing of the lines that
/// are text, with the boilerplate shares.
pub fn assess_judged(
    text: &str,
    scan: &TextScan,
    lines: &LineAnalysis,
    title: Option<&str>,
    page: Option<PageOrigin>,
    words: &mut TextWords,
) -> Assessment {
    let text_chars = lines.total_chars();
    // What extraction dropped is boilerplate too; the page is the whole.
    let dropped = page.map_or(0, |p| p.page_chars.saturating_sub(text_chars));
    let kept: Vec<bool> = lines.lines.iter().map(|l| l.reason.is_none()).collect();
    words.fill(scan.words(), Some(&kept));
    let padding = padding_of(words, text);
    let stuffing = stuffing_of(words, text, title);
    let basis = QualityBasis {
        text_chars: text_chars as u32,
        boilerplate_chars: lines.boilerplate_chars() as u32,
        dropped_chars: dropped as u32,
        words: lines
            .lines
            .iter()
            .filter(|l| l.reason.is_none())
            .map(|l| l.words)
            .sum::<usize>() as u32,
        padding: padding.score,
        stuffing: stuffing.score,
    };
    let mut evidence = boilerplate_evidence(text, lines, dropped, text_chars + dropped);
    evidence.extend(padding_evidence(&padding));
    evidence.extend(stuffing_evidence(&stuffing));
    let mut report = QualityReport {
        score: 0.0,
        boilerplate: 0.0,
        padding: round4(padding.score),
        stuffing: round4(stuffing.score),
        flags: Vec::new(),
        evidence,
    };
    report.settle(&basis, &TemplateShare::default());
    Assessment { report, basis }
}

/// Words as the thin-content rule counts them: runs of non-space characters holding a letter
/// or digit.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

impl QualityReport {
    /// Takes a document's outlet template lines into its report: their characters become
    /// boilerplate, their words no longer count as text, and the evidence names them.
    pub fn add_templates(&mut self, basis: &QualityBasis, templates: &TemplateShare) {
        if templates.chars == 0 {
            return;
        }
        let whole = basis.text_chars + basis.dropped_chars;
        self.evidence.push(Evidence {
            signal: Signal::Boilerplate(LineReason::Template),
            value: round4(share(templates.chars, whole as usize)),
            limit: None,
            count: Some(templates.clusters as usize),
            text: templates.example.as_deref().map(cut),
        });
        self.settle(basis, templates);
    }

    /// Sets the score, the boilerplate share, the flags and the thin-content evidence from
    /// the basis and the template lines, and puts the boilerplate evidence in order.
    fn settle(&mut self, basis: &QualityBasis, templates: &TemplateShare) {
        let whole = (basis.text_chars + basis.dropped_chars) as usize;
        let boilerplate = share(
            basis.boilerplate_chars as usize + basis.dropped_chars as usize + templates.chars,
            whole,
        );
        let words = (basis.words as usize).saturating_sub(templates.words);
        self.evidence.retain(|e| e.signal != Signal::ThinContent);
        // The boilerplate entries first, largest share first; equal shares in the order of
        // the signals' names, so the order does not depend on the order lines were met in.
        let boilerplate_entries = self
            .evidence
            .iter()
            .filter(|e| is_boilerplate_signal(e.signal))
            .count();
        self.evidence
            .sort_by_key(|e| !is_boilerplate_signal(e.signal));
        self.evidence[..boilerplate_entries].sort_by(|x, y| {
            y.value
                .total_cmp(&x.value)
                .then_with(|| x.signal.to_string().cmp(&y.signal.to_string()))
        });
        let mut flags = Vec::new();
        if boilerplate >= BOILERPLATE_FLAG {
            flags.push(Flag::BoilerplateHeavy);
        }
        if basis.padding >= 1.0 {
            flags.push(Flag::Repetitive);
        }
        if basis.stuffing >= STUFFING_FLAG {
            flags.push(Flag::KeywordStuffing);
        }
        if words < THIN_WORDS {
            flags.push(Flag::ThinContent);
            self.evidence.push(Evidence {
                signal: Signal::ThinContent,
                value: words as f64,
                limit: Some(THIN_WORDS as f64),
                count: None,
                text: None,
            });
        }
        let length = (words as f64 / THIN_WORDS as f64).min(1.0);
        let excess_padding = ((basis.padding - PADDING_NATURAL) / (1.0 - PADDING_NATURAL)).max(0.0);
        let score = (1.0 - boilerplate)
            * (1.0 - PADDING_WEIGHT * excess_padding)
            * (1.0 - STUFFING_WEIGHT * basis.stuffing)
            * length;
        self.score = round4(score);
        self.boilerplate = round4(boilerplate);
        self.flags = flags;
    }
}

fn is_boilerplate_signal(signal: Signal) -> bool {
    matches!(signal, Signal::Boilerplate(_) | Signal::DroppedByExtraction)
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
