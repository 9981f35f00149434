//! Quality signals of one document: padding (repetition and filler, [`padding`]) and keyword
//! stuffing ([`stuffing`]), each as a continuous measure with the evidence that produced it,
//! both read from one normalization of the text ([`TextWords`]).
//!
//! [`assess`] puts these together with the boilerplate lines of [`boilerplate`] into one
//! [`QualityReport`] per document: three scores, the flags they trip and the evidence.

pub mod boilerplate;
mod padding;
pub mod paragraphs;
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

pub use padding::{Component, Measure, Padding, example_phrase, padding, padding_of};
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

/// One assessment from the assessments of consecutive parts of a text (see
/// [`HUGE_TEXT_PART_BYTES`]): characters and words add up; padding and stuffing are the
/// parts' scores weighted by their characters; boilerplate evidence adds up as shares of the
/// whole, and of the other evidence the strongest entry of each signal stays. `page` is the
/// page the whole text came from, if any (the parts were assessed without it).
pub fn combine(parts: Vec<Assessment>, page: Option<PageOrigin>) -> Assessment {
    let text_chars: u64 = parts.iter().map(|p| u64::from(p.basis.text_chars)).sum();
    let weighted = |score: fn(&QualityBasis) -> f64| {
        let total: f64 = parts
            .iter()
            .map(|p| score(&p.basis) * f64::from(p.basis.text_chars))
            .sum();
        if text_chars == 0 {
            0.0
        } else {
            total / text_chars as f64
        }
    };
    let dropped = page.map_or(0, |p| (p.page_chars as u64).saturating_sub(text_chars));
    let basis = QualityBasis {
        text_chars: text_chars.min(u64::from(u32::MAX)) as u32,
        boilerplate_chars: parts.iter().map(|p| p.basis.boilerplate_chars).sum(),
        dropped_chars: dropped.min(u64::from(u32::MAX)) as u32,
        words: parts.iter().map(|p| p.basis.words).sum(),
        padding: weighted(|b| b.padding),
        stuffing: weighted(|b| b.stuffing),
    };
    let whole = (text_chars + dropped).max(1) as f64;
    let mut evidence: Vec<Evidence> = Vec::new();
    for part in &parts {
        let part_whole = f64::from(part.basis.text_chars);
        for entry in &part.report.evidence {
            let same = evidence.iter_mut().find(|e| e.signal == entry.signal);
            match (same, is_boilerplate_signal(entry.signal)) {
                (Some(kept), true) => {
                    kept.value += entry.value * part_whole / whole;
                    kept.count = Some(kept.count.unwrap_or(0) + entry.count.unwrap_or(0));
                }
                (Some(kept), false) => {
                    if entry.value > kept.value {
                        *kept = entry.clone();
                    }
                }
                (None, true) => evidence.push(Evidence {
                    value: entry.value * part_whole / whole,
                    ..entry.clone()
                }),
                (None, false) => evidence.push(entry.clone()),
            }
        }
    }
    for entry in &mut evidence {
        if is_boilerplate_signal(entry.signal) {
            entry.value = round4(entry.value);
        }
    }
    if dropped > 0 {
        evidence.push(Evidence {
            signal: Signal::DroppedByExtraction,
            value: round4(dropped as f64 / whole),
            limit: None,
            count: None,
            text: None,
        });
    }
    let mut report = QualityReport {
        score: 0.0,
        boilerplate: 0.0,
        padding: round4(basis.padding),
        stuffing: round4(basis.stuffing),
        flags: Vec::new(),
        evidence,
    };
    report.settle(&basis, &TemplateShare::default());
    Assessment { report, basis }
}

/// Texts longer than this are assessed in parts of about this size, cut at paragraph or
/// line breaks, in parallel: a part's words and counts stay within the caches and its tables
/// within a bounded size, so memory does not grow with the text. Measured on a 187 MiB text
/// (BENCHMARKS.md): assessed whole, a 20 MiB prefix alone took 571 MB, 28 times its size;
/// in 4 MiB parts the whole took 11.2 s and 690 MB, in 1 MiB parts 6.0 s and 582 MB (the
/// text and its record are most of that). A news article is rarely over 100 KB.
pub const HUGE_TEXT_PART_BYTES: usize = 1 << 20;

/// The byte ranges of the parts of `text` for [`combine`]: consecutive, each about
/// [`HUGE_TEXT_PART_BYTES`] long and ending at a paragraph break if there is one in its
/// second half, else at a line break, else at a space, else at a character boundary.
pub fn huge_text_parts(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    while text.len() - start > HUGE_TEXT_PART_BYTES {
        let mut limit = start + HUGE_TEXT_PART_BYTES;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = &text[start + HUGE_TEXT_PART_BYTES / 2..limit];
        let cut = ["\n\n", "\n", " "]
            .iter()
            .find_map(|breaker| window.rfind(breaker).map(|at| at + breaker.len()))
            .map_or(limit, |at| start + HUGE_TEXT_PART_BYTES / 2 + at);
        parts.push(start..cut);
        start = cut;
    }
    parts.push(start..text.len());
    parts
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

/// Where `phrase` occurs in the text whose words are `words` (built once per text with
/// [`TextWords::new`]), word for word as the quality measures read words (case and punctuation
/// aside): byte ranges of the text, in order, not overlapping. Marks the evidence of padding
/// and stuffing in a document view.
pub fn phrase_occurrences(words: &TextWords, phrase: &str) -> Vec<std::ops::Range<usize>> {
    let wanted = TextWords::new(phrase);
    let (wanted, ids) = (wanted.ids(), words.ids());
    let mut found = Vec::new();
    if wanted.is_empty() {
        return found;
    }
    let mut at = 0;
    while at + wanted.len() <= ids.len() {
        if ids[at..at + wanted.len()] == *wanted {
            found.push(words.byte_range(at..at + wanted.len()));
            at += wanted.len();
        } else {
            at += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_is_found_whatever_its_case_and_punctuation() {
        let text = "Cheap ferry tickets! Buy cheap, ferry tickets now. CHEAP FERRY TICKETS.";
        let words = TextWords::new(text);
        let found = phrase_occurrences(&words, "cheap ferry tickets");
        let marked: Vec<&str> = found.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            marked,
            [
                "Cheap ferry tickets",
                "cheap, ferry tickets",
                "CHEAP FERRY TICKETS"
            ]
        );
        assert!(phrase_occurrences(&words, "").is_empty());
        assert!(phrase_occurrences(&words, "ferry boats").is_empty());
    }

    #[test]
    fn the_phrase_of_a_repetition_example() {
        assert_eq!(
            example_phrase("cheap ferry tickets (x18)"),
            "cheap ferry tickets"
        );
        assert_eq!(example_phrase("a (xylophone)"), "a (xylophone)");
        assert_eq!(example_phrase("plain"), "plain");
    }

    #[test]
    fn huge_texts_are_cut_at_paragraph_breaks_into_contiguous_parts() {
        let paragraph = "Word after word makes a sentence of some length here. ".repeat(40);
        let text = vec![paragraph.as_str(); 2_000].join("\n\n");
        let parts = huge_text_parts(&text);
        assert!(parts.len() > 1);
        assert_eq!(parts[0].start, 0);
        assert_eq!(parts.last().unwrap().end, text.len());
        for pair in parts.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(text[..pair[0].end].ends_with("\n\n"));
            assert!(pair[0].len() <= HUGE_TEXT_PART_BYTES);
        }
        // A text without breaks is still cut, on character boundaries.
        let unbroken = "é".repeat(HUGE_TEXT_PART_BYTES);
        for part in huge_text_parts(&unbroken) {
            assert!(unbroken.is_char_boundary(part.start) && unbroken.is_char_boundary(part.end));
        }
    }

    #[test]
    fn parts_combine_into_the_assessment_of_the_whole() {
        let text = "A council spokesman said the bridge would close on Monday for repairs.\n\n\
            Ferries will run every twenty minutes while the work goes on, he added.\n\n\
            Share this article: Facebook | X | Email";
        let whole = assess(text, None, None);
        let combined = combine(vec![whole.clone(), whole.clone()], None);
        assert_eq!(combined.basis.text_chars, 2 * whole.basis.text_chars);
        assert_eq!(combined.basis.words, 2 * whole.basis.words);
        assert_eq!(combined.report.boilerplate, whole.report.boilerplate);
        assert!((combined.basis.padding - whole.basis.padding).abs() < 1e-12);
        // Twice the words of a thin text may not be thin: the flags are settled again.
        assert_eq!(whole.report.flags, vec![Flag::ThinContent]);
        assert!(combined.report.flags.is_empty());
        let boilerplate = |a: &Assessment| {
            a.report
                .evidence
                .iter()
                .find(|e| is_boilerplate_signal(e.signal))
                .map(|e| (e.signal, e.value, e.count))
        };
        let (signal, value, count) = boilerplate(&whole).expect("the share line is boilerplate");
        assert_eq!(
            boilerplate(&combined),
            Some((signal, value, count.map(|c| 2 * c)))
        );
    }
}
