//! A deterministic generator of news-like articles with planted near-duplicates, so anyone
//! can build a benchmark corpus of any size with known truth.
//!
//! Article `i` depends only on `(seed, i)`, so articles can be generated in any order or in
//! parallel and the corpus is the same. Vocabulary: pseudo-words made of syllables with a
//! Zipf-like rank distribution (rank ≈ N^u for uniform u, i.e. P(rank k) ∝ ln((k+1)/k) ≈ 1/k),
//! sampled through a quantile table.
//! Lengths are log-normal (median about 560 words). A share of articles are planted copies
//! of an earlier original with a known word-edit rate.

use crate::error::{Error, Result};

/// Generator settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthParams {
    /// Number of articles.
    pub docs: usize,
    /// Seed; the same seed gives the same corpus. By default, 1.
    pub seed: u64,
    /// Share of articles that are planted copies of an earlier one. By default, 0.2.
    pub copy_rate: f64,
    /// Largest share of words edited in a copy; each copy draws its rate uniformly from
    /// `[0, max_edit_rate]`. By default, 0.3.
    pub max_edit_rate: f64,
    /// Share of copies cut short: they keep only the first 50–80 % of the original's
    /// paragraphs, as a regional paper trims a wire story. By default, 0.
    pub truncate_rate: f64,
    /// Share of copies that gain their outlet's header and footer lines. By default, 0.
    pub boilerplate_rate: f64,
    /// Share of originals that lift one or two paragraphs from an earlier original into their
    /// own text (partial reuse, not a copy). By default, 0.
    pub lift_rate: f64,
    /// The smallest share of paragraphs a cut copy keeps: it keeps between this and 80 %.
    /// By default, 0.5.
    pub truncate_min_kept: f64,
    /// Share of copies with one or two paragraphs moved (never the first, the lede). By
    /// default, 0.
    pub reorder_rate: f64,
    /// Share of an original's sentences that carry a figure (an amount in millions or a
    /// percentage). Each outlet writes figures in one style ("1.5 million", "1.5 mln",
    /// "1,500,000"; "4.2 percent", "4.2 pct", "4.2%"), so a copy in another outlet restyles
    /// them. By default, 0.
    pub figure_rate: f64,
    /// Share of an original's sentences that carry a word spelled differently in British and
    /// American English (`lexicon/en/spelling_variants.txt`). Each outlet keeps one
    /// convention, so a copy in an outlet of the other switches them. By default, 0.
    pub variant_rate: f64,
    /// Chance, per sentence of a copy, that it is split in two (when long enough) or merged
    /// with the next. By default, 0.
    pub split_merge_rate: f64,
    /// Share of copies that keep their original's headline; the others carry a headline of
    /// their own. By default, 0.
    pub keep_headline_rate: f64,
    /// Whether wrapped articles (`boilerplate_rate`) carry their outlet's own template (a
    /// header, a byline, a share row, "Advertisement" and "Related:" lines, a footer), and
    /// originals are wrapped as well as copies. Otherwise copies get one fixed header and
    /// footer. By default, false.
    pub outlet_templates: bool,
    /// OCR-like character noise, as in digitised newspapers: the chance per letter of a
    /// misread ("rn" for "m", "c" for "e", "1" for "l", a dropped letter, a split word), in
    /// every article. By default, 0.
    pub ocr_noise: f64,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            docs: 1000,
            seed: 1,
            copy_rate: 0.2,
            max_edit_rate: 0.3,
            truncate_rate: 0.0,
            boilerplate_rate: 0.0,
            lift_rate: 0.0,
            truncate_min_kept: DEFAULT_MIN_KEPT,
            reorder_rate: 0.0,
            figure_rate: 0.0,
            variant_rate: 0.0,
            split_merge_rate: 0.0,
            keep_headline_rate: 0.0,
            outlet_templates: false,
            ocr_noise: 0.0,
        }
    }
}

/// The default smallest share of paragraphs a cut copy keeps.
const DEFAULT_MIN_KEPT: f64 = 0.5;
/// The largest share of paragraphs a cut copy keeps.
const MAX_KEPT: f64 = 0.8;

impl SynthParams {
    /// The corpus the syndication figures were first measured on: 30 % copies with up to
    /// 10 % of their words edited, 40 % of copies cut to 50–80 % of their paragraphs, 30 %
    /// wrapped in fixed outlet lines, 10 % of originals lifting paragraphs.
    pub fn classic(docs: usize, seed: u64) -> Self {
        SynthParams {
            docs,
            seed,
            copy_rate: 0.3,
            max_edit_rate: 0.1,
            truncate_rate: 0.4,
            boilerplate_rate: 0.3,
            lift_rate: 0.1,
            ..SynthParams::default()
        }
    }

    /// Syndication as regional papers practise it, every transformation on at a rate seen in
    /// wire copy: 30 % of articles are copies with up to 15 % of their words edited, 40 % of
    /// copies cut to 30–80 % of their paragraphs, 20 % with paragraphs moved; figures in 30 %
    /// and spelling variants in 20 % of sentences, restyled by each outlet; sentences split or
    /// merged at 3 %; 60 % of copies keep the headline; half of all articles in their outlet's
    /// template; 10 % of originals lift paragraphs. No OCR noise.
    pub fn syndication(docs: usize, seed: u64) -> Self {
        SynthParams {
            docs,
            seed,
            copy_rate: 0.3,
            max_edit_rate: 0.15,
            truncate_rate: 0.4,
            boilerplate_rate: 0.5,
            lift_rate: 0.1,
            truncate_min_kept: 0.3,
            reorder_rate: 0.2,
            figure_rate: 0.3,
            variant_rate: 0.2,
            split_merge_rate: 0.03,
            keep_headline_rate: 0.6,
            outlet_templates: true,
            ocr_noise: 0.0,
        }
    }
}

impl SynthParams {
    /// Checks ranges: rates in [0, 1].
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.copy_rate) {
            return Err(Error::param("--copy-rate", "must be in [0, 1]"));
        }
        let rates = [
            ("--max-edit-rate", self.max_edit_rate),
            ("--truncate-rate", self.truncate_rate),
            ("--boilerplate-rate", self.boilerplate_rate),
            ("--lift-rate", self.lift_rate),
            ("--reorder-rate", self.reorder_rate),
            ("--figure-rate", self.figure_rate),
            ("--variant-rate", self.variant_rate),
            ("--split-merge-rate", self.split_merge_rate),
            ("--keep-headline-rate", self.keep_headline_rate),
            ("--ocr-noise", self.ocr_noise),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::param(name, "must be in [0, 1]"));
            }
        }
        if !(0.05..=MAX_KEPT).contains(&self.truncate_min_kept) {
            return Err(Error::param(
                "--truncate-min-kept",
                "must be in [0.05, 0.8]",
            ));
        }
        Ok(())
    }
}

/// One generated article (written as a JSONL record by the report layer).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthArticle {
    /// `doc-NNNNNNN`.
    pub id: String,
    /// A short headline.
    pub title: String,
    /// Publication time; later articles are later.
    pub date: String,
    /// One of 40 outlets.
    pub source: String,
    /// Paragraphs separated by blank lines.
    pub text: String,
}

/// What a generated article is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleKind {
    /// An article of its own.
    Original,
    /// A republished, possibly edited, cut or wrapped version of its parent.
    Copy,
    /// An article of its own with paragraphs lifted from its parent.
    Partial,
}

impl std::fmt::Display for ArticleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ArticleKind::Original => "original",
            ArticleKind::Copy => "copy",
            ArticleKind::Partial => "partial",
        })
    }
}

/// The truth about one article: one line of the `--truth` file.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleTruth {
    /// The article's id.
    pub id: String,
    /// The id of the original of its planted group (its own id for an original).
    pub cluster: String,
    /// For a planted copy, the id of the article it was made from; otherwise null.
    pub parent: Option<String>,
    /// Share of the parent's words that were substituted, deleted or followed by an insert
    /// (0 for an original).
    pub edit_rate: f64,
    /// `original`, `copy` (a republished, possibly edited, cut or wrapped version of
    /// `parent`), or `partial` (its own article with paragraphs lifted from `parent`).
    pub kind: ArticleKind,
    /// For a copy, the share of the parent's paragraphs cut from its end (0 when not cut).
    pub truncated: f64,
    /// Whether the outlet's header and footer lines (or, with outlet templates, its whole
    /// template) were added.
    pub boilerplate: bool,
    /// For a copy, how many paragraphs were moved.
    pub reordered: usize,
    /// For a copy, how many figures were written in another style.
    pub figures_restyled: usize,
    /// For a copy, how many words were switched to the other spelling convention.
    pub spellings_switched: usize,
    /// For a copy, how many sentences were split in two.
    pub sentences_split: usize,
    /// For a copy, how many pairs of sentences were merged into one.
    pub sentences_merged: usize,
    /// What became of the headline.
    pub headline: Headline,
    /// The chance per letter of OCR noise applied (0 when none).
    pub ocr_noise: f64,
}

/// What a copy did with its original's headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    /// An original's own headline.
    Own,
    /// A copy that kept its original's headline.
    Kept,
    /// A copy with a headline of its own.
    Rewritten,
}

impl std::fmt::Display for Headline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Headline::Own => "own",
            Headline::Kept => "kept",
            Headline::Rewritten => "rewritten",
        })
    }
}

const VOCABULARY: usize = 40_000;
const OUTLETS: usize = 40;
const COPY_WINDOW: usize = 2_000;
const SYLLABLES: [&str; 48] = [
    "ka", "to", "ri", "ne", "sa", "lo", "mi", "du", "ve", "po", "an", "el", "in", "or", "us", "ta",
    "be", "co", "de", "fa", "ga", "hi", "jo", "ku", "la", "me", "no", "pe", "qua", "ro", "si",
    "tu", "va", "wi", "xo", "ya", "ze", "bra", "cle", "dro", "fri", "gra", "pla", "ste", "tri",
    "ver", "mon", "lin",
];

/// The generator: holds the vocabulary, built once.
#[derive(Debug, Clone)]
pub struct Generator {
    params: SynthParams,
    words: Vec<String>,
    rank_table: Vec<u32>,
}

/// Resolution of the rank sampler's quantile table.
const RANK_STEPS: usize = 1 << 12;

/// A small, fixed pseudo-random stream (SplitMix64). Owned here rather than taken from a crate
/// because a corpus must stay byte-identical across releases for a given seed.
struct Stream(u64);

impl Stream {
    fn new(seed: u64, index: u64, purpose: u64) -> Self {
        let mut stream = Stream(
            seed ^ index.wrapping_mul(0xa24b_aed4_963e_e407)
                ^ purpose.wrapping_mul(0x9fb2_1c65_1e98_df25),
        );
        stream.next();
        stream
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::text::shingle::avalanche(self.0)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

const TEXT: u64 = 1;
const ROLE: u64 = 2;
const EDIT: u64 = 3;
// Streams added later get their own purposes, so corpora made without them do not change.
const TRUNCATE: u64 = 4;
const BOILERPLATE: u64 = 5;
const LIFT: u64 = 6;
const FIGURE: u64 = 7;
const SPLIT: u64 = 8;
const REORDER: u64 = 9;
const HEADLINE: u64 = 10;
// Purposes 11 and 12 are taken by the title stream (`ROLE + 10`) and the lift stream
// (`LIFT + 10`).
const TEMPLATE: u64 = 13;
const OCR: u64 = 14;

/// One token of a generated sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token<'a> {
    /// A word of the vocabulary.
    Word(&'a str),
    /// A figure, written in its outlet's style.
    Figure(Figure),
    /// A word with a British and an American spelling: its pair in
    /// [`spelling_variants`](crate::text::lexicon::spelling_variants) and the form written.
    Variant { pair: usize, british: bool },
}

/// A figure of a sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figure {
    /// The value in tenths of its unit (millions, or percentage points).
    tenths: u32,
    /// Millions or a percentage.
    percent: bool,
    /// How it is written: 0, 1 or 2 (see [`Figure::render`]).
    style: usize,
}

impl Figure {
    /// "1.5 million", "1.5 mln" or "1,500,000"; "4.2 percent", "4.2 pct" or "4.2%".
    fn render(&self, out: &mut String) {
        use std::fmt::Write;
        let (whole, tenth) = (self.tenths / 10, self.tenths % 10);
        let decimal = if tenth == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{tenth}")
        };
        let _ = match (self.percent, self.style) {
            (false, 0) => write!(out, "{decimal} million"),
            (false, 1) => write!(out, "{decimal} mln"),
            (false, _) => write!(out, "{}", with_thousands(u64::from(self.tenths) * 100_000)),
            (true, 0) => write!(out, "{decimal} percent"),
            (true, 1) => write!(out, "{decimal} pct"),
            (true, _) => write!(out, "{decimal}%"),
        };
    }
}

/// `1500000` as "1,500,000".
fn with_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// How an outlet writes figures (a style of [`Figure::render`]).
fn figure_style(outlet: usize) -> usize {
    outlet % 3
}

/// Whether an outlet spells the British way; independent of its figure style.
fn spells_british(outlet: usize) -> bool {
    (outlet / 3).is_multiple_of(2)
}

/// Paragraphs of sentences of tokens.
type Body<'a> = Vec<Vec<Vec<Token<'a>>>>;

/// What an outlet wraps its articles in.
struct Template {
    header: String,
    share: &'static str,
    footer: String,
    /// "Advertisement" after every this many paragraphs.
    advert_every: usize,
}

impl Generator {
    /// Builds the vocabulary for `params`.
    pub fn new(params: SynthParams) -> Result<Self> {
        params.validate()?;
        let mut stream = Stream::new(params.seed, 0, 99);
        let words = (0..VOCABULARY)
            .map(|rank| {
                // Frequent words are short, as in real text.
                let syllables = 1
                    + usize::from(rank >= 60)
                    + usize::from(rank >= 3_000)
                    + stream.below(2) * usize::from(rank >= 600);
                (0..syllables)
                    .map(|_| SYLLABLES[stream.below(SYLLABLES.len())])
                    .collect()
            })
            .collect();
        // Quantiles of the rank distribution: rank = ⌊N^u⌋ - 1 at u = j / RANK_STEPS.
        let rank_table = (0..=RANK_STEPS)
            .map(|j| {
                ((VOCABULARY as f64).powf(j as f64 / RANK_STEPS as f64) as u32).saturating_sub(1)
            })
            .collect();
        Ok(Generator {
            params,
            words,
            rank_table,
        })
    }

    /// The settings.
    pub fn params(&self) -> &SynthParams {
        &self.params
    }

    /// A word with a Zipf-like rank: the top bits pick a quantile step of ⌊N^u⌋, the low bits
    /// a rank inside it. A table look-up instead of a `powf` per word.
    fn word(&self, stream: &mut Stream) -> &str {
        let bits = stream.next();
        let step = (bits >> 52) as usize;
        let (low, high) = (self.rank_table[step], self.rank_table[step + 1]);
        let rank = low + (((bits & 0xffff_ffff) * u64::from(high - low)) >> 32) as u32;
        &self.words[(rank as usize).min(VOCABULARY - 1)]
    }

    /// If article `index` is a planted copy: the original's index and the edit rate.
    fn copy_of(&self, index: usize) -> Option<(usize, f64)> {
        if index == 0 {
            return None;
        }
        let mut role = Stream::new(self.params.seed, index as u64, ROLE);
        if role.unit() >= self.params.copy_rate {
            return None;
        }
        // Copy a recent article that is itself an original: walk back from a random point.
        let start = index - 1 - role.below(index.min(COPY_WINDOW));
        let original = (0..=start).rev().find(|&j| self.copy_of_is_none(j))?;
        Some((original, role.unit() * self.params.max_edit_rate))
    }

    fn copy_of_is_none(&self, index: usize) -> bool {
        index == 0
            || Stream::new(self.params.seed, index as u64, ROLE).unit() >= self.params.copy_rate
    }

    /// If original `index` lifts paragraphs: the source original's index.
    fn lift_of(&self, index: usize) -> Option<usize> {
        if index == 0 || self.params.lift_rate == 0.0 {
            return None;
        }
        let mut stream = Stream::new(self.params.seed, index as u64, LIFT);
        if stream.unit() >= self.params.lift_rate {
            return None;
        }
        let start = index - 1 - stream.below(index.min(COPY_WINDOW));
        (0..=start).rev().find(|&j| self.copy_of_is_none(j))
    }

    /// Article `index` and the truth about it.
    pub fn article(&self, index: usize) -> (SynthArticle, ArticleTruth) {
        let mut truth = ArticleTruth {
            id: article_id(index),
            cluster: article_id(index),
            parent: None,
            edit_rate: 0.0,
            kind: ArticleKind::Original,
            truncated: 0.0,
            boilerplate: false,
            reordered: 0,
            figures_restyled: 0,
            spellings_switched: 0,
            sentences_split: 0,
            sentences_merged: 0,
            headline: Headline::Own,
            ocr_noise: 0.0,
        };
        let (mut title, outlet) = self.headline_and_outlet(index);
        let body = match self.copy_of(index) {
            None => {
                let mut body = self.original_paragraphs(index);
                if let Some(source) = self.lift_of(index) {
                    self.insert_lift(index, source, &mut body);
                    truth.parent = Some(article_id(source));
                    truth.kind = ArticleKind::Partial;
                }
                body
            }
            Some((original, rate)) => {
                let base = self.original_paragraphs(original);
                let mut stream = Stream::new(self.params.seed, index as u64, EDIT);
                let mut edited: Body = base
                    .iter()
                    .map(|p| self.edit(p, rate, &mut stream))
                    .collect();
                let mut cut = Stream::new(self.params.seed, index as u64, TRUNCATE);
                if cut.unit() < self.params.truncate_rate && edited.len() > 1 {
                    // The default keeps the arithmetic of corpora made before the smallest
                    // share was an option, so their bytes stay the same.
                    let min = self.params.truncate_min_kept;
                    let kept = if min == DEFAULT_MIN_KEPT {
                        0.5 + 0.3 * cut.unit()
                    } else {
                        min + (MAX_KEPT - min) * cut.unit()
                    };
                    let keep =
                        ((edited.len() as f64 * kept).ceil() as usize).clamp(1, edited.len() - 1);
                    truth.truncated =
                        (((edited.len() - keep) as f64 / edited.len() as f64) * 1e4).round() / 1e4;
                    edited.truncate(keep);
                }
                self.restyle(&mut edited, outlet, &mut truth);
                self.split_and_merge(index, &mut edited, &mut truth);
                self.reorder(index, &mut edited, &mut truth);
                truth.cluster = article_id(original);
                truth.parent = Some(article_id(original));
                truth.edit_rate = (rate * 1e4).round() / 1e4;
                truth.kind = ArticleKind::Copy;
                truth.headline = Headline::Rewritten;
                let mut keep_headline = Stream::new(self.params.seed, index as u64, HEADLINE);
                if self.params.keep_headline_rate > 0.0
                    && keep_headline.unit() < self.params.keep_headline_rate
                {
                    title = self.headline_and_outlet(original).0;
                    truth.headline = Headline::Kept;
                }
                edited
            }
        };
        let source = format!("outlet-{outlet:02}");
        let wrap = Stream::new(self.params.seed, index as u64, BOILERPLATE).unit()
            < self.params.boilerplate_rate;
        let mut text;
        if self.params.outlet_templates && wrap {
            text = self.in_template(index, outlet, &body);
            truth.boilerplate = true;
        } else {
            text = render(&body);
            if truth.kind == ArticleKind::Copy && wrap {
                text = format!(
                    "{} | News | Updated today\n\n{text}\n\nShare this story from {}. Follow us for more news and sign up for our newsletter.",
                    source.to_uppercase(),
                    source
                );
                truth.boilerplate = true;
            }
        }
        if self.params.ocr_noise > 0.0 {
            let mut stream = Stream::new(self.params.seed, index as u64, OCR);
            text = misread(&text, self.params.ocr_noise, &mut stream);
            truth.ocr_noise = self.params.ocr_noise;
        }
        let article = SynthArticle {
            id: article_id(index),
            title,
            date: synthetic_date(index),
            source,
            text,
        };
        (article, truth)
    }

    /// Article `index`'s own headline and its outlet (0..40), from the stream that has always
    /// drawn them.
    fn headline_and_outlet(&self, index: usize) -> (String, usize) {
        let mut stream = Stream::new(self.params.seed, index as u64, ROLE + 10);
        let title_words: Vec<Token> = (0..5 + stream.below(6))
            .map(|_| Token::Word(self.word(&mut stream)))
            .collect();
        let mut title = String::new();
        render_sentence(&title_words, &mut title);
        title.pop();
        (title, stream.below(OUTLETS))
    }

    /// Inserts one or two paragraphs of original `source` into `body` at a random place.
    fn insert_lift<'a>(&'a self, index: usize, source: usize, body: &mut Body<'a>) {
        let mut stream = Stream::new(self.params.seed, index as u64, LIFT + 10);
        let source_paragraphs = self.original_paragraphs(source);
        let count = (1 + stream.below(2)).min(source_paragraphs.len());
        let first = stream.below(source_paragraphs.len() - count + 1);
        let at = stream.below(body.len() + 1);
        for (offset, paragraph) in source_paragraphs[first..first + count].iter().enumerate() {
            body.insert(at + offset, paragraph.clone());
        }
    }

    /// An original's paragraphs as lists of sentences of tokens. Figures and spelling variants
    /// come from a stream of their own and are inserted, so the words are those of corpora
    /// made without them.
    fn original_paragraphs(&self, index: usize) -> Body<'_> {
        let mut stream = Stream::new(self.params.seed, index as u64, TEXT);
        let mut extras =
            (self.params.figure_rate > 0.0 || self.params.variant_rate > 0.0).then(|| {
                (
                    Stream::new(self.params.seed, index as u64, FIGURE),
                    self.headline_and_outlet(index).1,
                )
            });
        let length = (560.0 * (0.55 * stream.normal()).exp()).clamp(60.0, 4_000.0) as usize;
        let mut paragraphs = Vec::new();
        let mut written = 0;
        while written < length {
            let sentences = 2 + stream.below(4);
            let mut paragraph = Vec::with_capacity(sentences);
            for _ in 0..sentences {
                let words = 8 + stream.below(20);
                written += words;
                let mut sentence: Vec<Token> = (0..words)
                    .map(|_| Token::Word(self.word(&mut stream)))
                    .collect();
                if let Some((extra, outlet)) = extras.as_mut() {
                    self.add_figure_and_variant(&mut sentence, extra, *outlet);
                }
                paragraph.push(sentence);
            }
            paragraphs.push(paragraph);
        }
        paragraphs
    }

    /// Inserts, each at its rate, a figure and a spelling variant into `sentence`, written as
    /// `outlet` writes them; never first, so the sentence opens with a word.
    fn add_figure_and_variant(
        &self,
        sentence: &mut Vec<Token>,
        stream: &mut Stream,
        outlet: usize,
    ) {
        if stream.unit() < self.params.figure_rate {
            let percent = stream.below(2) == 0;
            let tenths = if percent {
                1 + stream.below(999)
            } else {
                10 + stream.below(4_990)
            } as u32;
            let at = 1 + stream.below(sentence.len());
            sentence.insert(
                at,
                Token::Figure(Figure {
                    tenths,
                    percent,
                    style: figure_style(outlet),
                }),
            );
        }
        if stream.unit() < self.params.variant_rate {
            let pair = stream.below(crate::text::lexicon::spelling_variants().len());
            let at = 1 + stream.below(sentence.len());
            sentence.insert(
                at,
                Token::Variant {
                    pair,
                    british: spells_british(outlet),
                },
            );
        }
    }

    /// Writes a copy's figures and spelling variants as its own outlet does.
    fn restyle(&self, body: &mut Body, outlet: usize, truth: &mut ArticleTruth) {
        for token in body.iter_mut().flatten().flatten() {
            match token {
                Token::Figure(figure) if figure.style != figure_style(outlet) => {
                    figure.style = figure_style(outlet);
                    truth.figures_restyled += 1;
                }
                Token::Variant { british, .. } if *british != spells_british(outlet) => {
                    *british = spells_british(outlet);
                    truth.spellings_switched += 1;
                }
                _ => {}
            }
        }
    }

    /// Splits long sentences of a copy in two and merges others with the next, each at
    /// `split_merge_rate` per sentence.
    fn split_and_merge(&self, index: usize, body: &mut Body, truth: &mut ArticleTruth) {
        let rate = self.params.split_merge_rate;
        if rate == 0.0 {
            return;
        }
        let mut stream = Stream::new(self.params.seed, index as u64, SPLIT);
        for paragraph in body.iter_mut() {
            let mut out: Vec<Vec<Token>> = Vec::with_capacity(paragraph.len() + 2);
            let mut sentences = std::mem::take(paragraph).into_iter().peekable();
            while let Some(mut sentence) = sentences.next() {
                if stream.unit() >= rate {
                    out.push(sentence);
                } else if sentence.len() >= 12 && stream.below(2) == 0 {
                    // Split at least four words from either end.
                    let at = 4 + stream.below(sentence.len() - 7);
                    let second = sentence.split_off(at);
                    out.push(sentence);
                    out.push(second);
                    truth.sentences_split += 1;
                } else if let Some(next) = sentences.next() {
                    sentence.push(Token::Word("and"));
                    sentence.extend(next);
                    out.push(sentence);
                    truth.sentences_merged += 1;
                } else {
                    out.push(sentence);
                }
            }
            *paragraph = out;
        }
    }

    /// Moves one paragraph of a copy (two, half the time) to another place after the lede.
    fn reorder(&self, index: usize, body: &mut Body, truth: &mut ArticleTruth) {
        if self.params.reorder_rate == 0.0 || body.len() < 3 {
            return;
        }
        let mut stream = Stream::new(self.params.seed, index as u64, REORDER);
        if stream.unit() >= self.params.reorder_rate {
            return;
        }
        let moves = 1 + stream.below(2);
        for _ in 0..moves {
            let from = 1 + stream.below(body.len() - 1);
            let paragraph = body.remove(from);
            let mut to = 1 + stream.below(body.len());
            if to == from {
                to = if to < body.len() { to + 1 } else { 1 };
            }
            body.insert(to, paragraph);
        }
        truth.reordered = moves;
    }

    /// Outlet `outlet`'s template, the same for all its articles.
    fn template(&self, outlet: usize) -> Template {
        const SECTIONS: [&str; 6] = ["News", "World", "Business", "Local", "Politics", "Nation"];
        const SHARES: [&str; 3] = [
            "Share on Facebook | Share on X | Email | Print",
            "Facebook Twitter WhatsApp Email",
            "Share this article",
        ];
        let mut stream = Stream::new(self.params.seed, outlet as u64, TEMPLATE);
        let name = format!("outlet-{outlet:02}").to_uppercase();
        let section = SECTIONS[stream.below(SECTIONS.len())];
        let header = match stream.below(3) {
            0 => format!("{name} | {section} | Updated today"),
            1 => format!("{name}\n\nHome > {section}"),
            _ => format!("{section} | {name}"),
        };
        let footer = match stream.below(3) {
            0 => format!("© 2024 {name}. All rights reserved."),
            1 => format!(
                "Sign up for the {name} newsletter to get the day's news in your inbox.\n\nCopyright 2024 {name}"
            ),
            _ => {
                format!("Follow {name} on social media. Terms of use | Privacy policy | Contact us")
            }
        };
        Template {
            header,
            share: SHARES[stream.below(SHARES.len())],
            footer,
            advert_every: 2 + stream.below(3),
        }
    }

    /// The body in its outlet's template: header, byline and share row, the paragraphs with
    /// "Advertisement" lines between them, a "Related:" line with another article's
    /// headline, the footer.
    fn in_template(&self, index: usize, outlet: usize, body: &Body) -> String {
        let template = self.template(outlet);
        let mut stream = Stream::new(self.params.seed, index as u64, TEMPLATE);
        let reporter: Vec<String> = (0..2)
            .map(|_| {
                let word = self.word(&mut stream);
                word[..1].to_ascii_uppercase() + &word[1..]
            })
            .collect();
        let mut blocks = vec![
            template.header.clone(),
            format!("By {} {}", reporter[0], reporter[1]),
            template.share.to_string(),
        ];
        for (i, paragraph) in body.iter().enumerate() {
            if i > 0 && i % template.advert_every == 0 {
                blocks.push("Advertisement".to_string());
            }
            let mut text = String::new();
            render_paragraph(paragraph, &mut text);
            blocks.push(text);
        }
        let related = self
            .headline_and_outlet((index + 1 + stream.below(50)) % self.params.docs.max(1))
            .0;
        blocks.push(format!("Related: {related}"));
        blocks.push(template.footer);
        blocks.join("\n\n")
    }

    /// Substitutes, deletes or inserts after a token with probability `rate` each position.
    fn edit<'a>(
        &'a self,
        paragraph: &[Vec<Token<'a>>],
        rate: f64,
        stream: &mut Stream,
    ) -> Vec<Vec<Token<'a>>> {
        paragraph
            .iter()
            .map(|sentence| {
                let mut out = Vec::with_capacity(sentence.len() + 2);
                for &token in sentence {
                    if stream.unit() >= rate {
                        out.push(token);
                        continue;
                    }
                    match stream.below(3) {
                        0 => out.push(Token::Word(self.word(stream))),
                        1 => {}
                        _ => {
                            out.push(token);
                            out.push(Token::Word(self.word(stream)));
                        }
                    }
                }
                if out.is_empty() {
                    out.push(Token::Word(self.word(stream)));
                }
                out
            })
            .collect()
    }
}

/// `text` as an OCR engine might misread it: at `rate` per ASCII letter, "rn" read as "m",
/// "m" as "rn", "e" as "c", "l" as "1", "o" as "0", "h" as "b", "i" as "l"; any other letter
/// dropped, doubled or followed by a space that splits its word.
fn misread(text: &str, rate: f64, stream: &mut Stream) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 50);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_alphabetic() || stream.unit() >= rate {
            out.push(c);
            continue;
        }
        match c {
            'r' if chars.peek() == Some(&'n') => {
                chars.next();
                out.push('m');
            }
            'm' => out.push_str("rn"),
            'e' => out.push('c'),
            'l' => out.push('1'),
            'o' => out.push('0'),
            'h' => out.push('b'),
            'i' => out.push('l'),
            _ => match stream.below(3) {
                0 => {}
                1 => out.extend([c, c]),
                _ => out.extend([c, ' ']),
            },
        }
    }
    out
}

fn article_id(index: usize) -> String {
    format!("doc-{index:07}")
}

/// One article a minute from 2024-01-01, so an original is always dated before its copies.
fn synthetic_date(index: usize) -> String {
    crate::date::format_date(1_704_067_200 + 60 * index as i64)
}

/// Appends a sentence: tokens joined by spaces, the first letter upper-cased (the vocabulary
/// is ASCII), a closing period.
fn render_sentence(tokens: &[Token], out: &mut String) {
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let start = out.len();
        match *token {
            Token::Word(word) => out.push_str(word),
            Token::Figure(figure) => figure.render(out),
            Token::Variant { pair, british } => {
                let (british_form, american_form) = crate::text::lexicon::spelling_variants()[pair];
                out.push_str(if british { british_form } else { american_form });
            }
        }
        if i == 0 {
            out[start..start + 1].make_ascii_uppercase();
        }
    }
    out.push('.');
}

/// Sentences separated by single spaces.
fn render_paragraph(paragraph: &[Vec<Token>], out: &mut String) {
    for (s, sentence) in paragraph.iter().enumerate() {
        if s > 0 {
            out.push(' ');
        }
        render_sentence(sentence, out);
    }
}

/// Paragraphs separated by blank lines, sentences by single spaces.
fn render(paragraphs: &[Vec<Vec<Token>>]) -> String {
    let mut text = String::with_capacity(4096);
    for (p, paragraph) in paragraphs.iter().enumerate() {
        if p > 0 {
            text.push_str("\n\n");
        }
        render_paragraph(paragraph, &mut text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_articles() {
        let params = SynthParams {
            docs: 50,
            ..SynthParams::default()
        };
        let a = Generator::new(params).unwrap();
        let b = Generator::new(params).unwrap();
        for i in 0..50 {
            assert_eq!(a.article(i), b.article(i));
        }
        let other = Generator::new(SynthParams { seed: 2, ..params }).unwrap();
        assert_ne!(a.article(3).0.text, other.article(3).0.text);
    }

    #[test]
    fn copies_point_at_earlier_originals_and_unedited_copies_are_identical() {
        let params = SynthParams {
            docs: 400,
            copy_rate: 0.5,
            max_edit_rate: 0.0,
            ..SynthParams::default()
        };
        let generator = Generator::new(params).unwrap();
        let mut copies = 0;
        for i in 0..400 {
            let (article, truth) = generator.article(i);
            if let Some(parent) = truth.parent {
                copies += 1;
                let original: usize = parent[4..].parse().unwrap();
                assert!(original < i);
                assert_eq!(truth.cluster, parent);
                assert!(
                    generator.article(original).1.parent.is_none(),
                    "originals are not copies"
                );
                assert_eq!(generator.article(original).0.text, article.text);
            }
        }
        assert!(
            (150..250).contains(&copies),
            "{copies} copies of 400 at rate 0.5"
        );
    }

    #[test]
    fn truncated_copies_keep_a_prefix_of_the_paragraphs() {
        let params = SynthParams {
            docs: 300,
            copy_rate: 0.5,
            max_edit_rate: 0.0,
            truncate_rate: 1.0,
            ..SynthParams::default()
        };
        let generator = Generator::new(params).unwrap();
        let mut truncated = 0;
        for i in 0..300 {
            let (article, truth) = generator.article(i);
            if truth.kind != ArticleKind::Copy || truth.truncated == 0.0 {
                continue;
            }
            truncated += 1;
            let original = generator
                .article(truth.parent.as_ref().unwrap()[4..].parse().unwrap())
                .0;
            assert!(original.text.starts_with(&article.text));
            assert!(article.text.len() < original.text.len());
            assert!(
                (0.1..=0.5).contains(&truth.truncated),
                "{}",
                truth.truncated
            );
        }
        assert!(truncated > 50, "{truncated}");
    }

    #[test]
    fn lifts_copy_whole_paragraphs_into_an_original() {
        let params = SynthParams {
            docs: 200,
            copy_rate: 0.0,
            lift_rate: 1.0,
            ..SynthParams::default()
        };
        let generator = Generator::new(params).unwrap();
        for i in 1..200 {
            let (article, truth) = generator.article(i);
            assert_eq!(truth.kind, ArticleKind::Partial);
            assert_eq!(truth.cluster, truth.id, "lifts are not copies");
            let source = generator
                .article(truth.parent.as_ref().unwrap()[4..].parse().unwrap())
                .0;
            let shared = source
                .text
                .split("\n\n")
                .filter(|p| article.text.contains(p))
                .count();
            assert!(
                (1..=2).contains(&shared),
                "article {i} shares {shared} paragraphs"
            );
        }
    }

    #[test]
    fn boilerplate_wraps_copies_in_outlet_lines() {
        let params = SynthParams {
            docs: 100,
            copy_rate: 1.0,
            boilerplate_rate: 1.0,
            ..SynthParams::default()
        };
        let generator = Generator::new(params).unwrap();
        let (article, truth) = generator.article(7);
        assert!(truth.boilerplate);
        assert!(article.text.starts_with(&article.source.to_uppercase()));
        assert!(article.text.ends_with("sign up for our newsletter."));
    }

    /// The generator with only the given transformations on, every article a copy with no
    /// word edits, so what changed is what the transformation did.
    fn unedited_copies(params: SynthParams) -> Generator {
        Generator::new(SynthParams {
            docs: 300,
            copy_rate: 0.6,
            max_edit_rate: 0.0,
            ..params
        })
        .unwrap()
    }

    /// The copies of `generator` with their originals.
    fn copies(generator: &Generator) -> Vec<(SynthArticle, ArticleTruth, SynthArticle)> {
        (0..generator.params.docs)
            .map(|i| generator.article(i))
            .filter(|(_, truth)| truth.kind == ArticleKind::Copy)
            .map(|(article, truth)| {
                let parent = truth.parent.as_ref().unwrap()[4..].parse().unwrap();
                (article, truth, generator.article(parent).0)
            })
            .collect()
    }

    #[test]
    fn outlets_restyle_figures_and_switch_spellings() {
        let generator = unedited_copies(SynthParams {
            figure_rate: 0.5,
            variant_rate: 0.5,
            ..SynthParams::default()
        });
        let (mut restyled, mut switched) = (0, 0);
        for (copy, truth, original) in copies(&generator) {
            let words = |text: &str| text.split_whitespace().count();
            if truth.figures_restyled == 0 && truth.spellings_switched == 0 {
                assert_eq!(copy.text, original.text);
                continue;
            }
            assert_ne!(copy.text, original.text);
            // "1.5 mln" is as many words as "1.5 million"; "1,500,000" one fewer.
            assert!(words(&copy.text) + truth.figures_restyled >= words(&original.text));
            restyled += truth.figures_restyled;
            switched += truth.spellings_switched;
        }
        assert!(restyled > 100 && switched > 50, "{restyled} {switched}");
        let sample = generator.article(0).0.text;
        assert!(
            ["million", "mln", "percent", "pct", "%", ",000"]
                .iter()
                .any(|form| sample.contains(form)),
            "{sample}"
        );
    }

    #[test]
    fn figures_are_written_in_three_styles() {
        let render = |tenths, percent, style| {
            let mut out = String::new();
            Figure {
                tenths,
                percent,
                style,
            }
            .render(&mut out);
            out
        };
        assert_eq!(render(15, false, 0), "1.5 million");
        assert_eq!(render(15, false, 1), "1.5 mln");
        assert_eq!(render(15, false, 2), "1,500,000");
        assert_eq!(render(1230, false, 2), "123,000,000");
        assert_eq!(render(40, true, 0), "4 percent");
        assert_eq!(render(42, true, 1), "4.2 pct");
        assert_eq!(render(42, true, 2), "4.2%");
    }

    #[test]
    fn reordered_copies_move_paragraphs_but_never_the_lede() {
        let generator = unedited_copies(SynthParams {
            reorder_rate: 1.0,
            ..SynthParams::default()
        });
        let mut moved = 0;
        for (copy, truth, original) in copies(&generator) {
            let mut ours: Vec<&str> = copy.text.split("\n\n").collect();
            let mut theirs: Vec<&str> = original.text.split("\n\n").collect();
            assert_eq!(ours[0], theirs[0], "the lede stays first");
            if truth.reordered > 0 {
                moved += 1;
            }
            ours.sort_unstable();
            theirs.sort_unstable();
            assert_eq!(ours, theirs, "the same paragraphs");
        }
        assert!(moved > 100, "{moved}");
    }

    #[test]
    fn cut_copies_keep_down_to_the_smallest_share_asked() {
        let generator = unedited_copies(SynthParams {
            truncate_rate: 1.0,
            truncate_min_kept: 0.3,
            ..SynthParams::default()
        });
        let cuts: Vec<f64> = copies(&generator)
            .iter()
            .map(|(_, truth, _)| truth.truncated)
            .collect();
        assert!(cuts.iter().all(|&cut| cut <= 0.7 + 1e-9));
        assert!(cuts.iter().any(|&cut| cut > 0.55), "{cuts:?}");
    }

    #[test]
    fn split_and_merged_sentences_keep_the_words() {
        let generator = unedited_copies(SynthParams {
            split_merge_rate: 0.5,
            ..SynthParams::default()
        });
        let bare = |text: &str| -> Vec<String> {
            text.split_whitespace()
                .map(|w| w.trim_end_matches('.').to_lowercase())
                .filter(|w| w != "and")
                .collect()
        };
        let (mut split, mut merged) = (0, 0);
        for (copy, truth, original) in copies(&generator) {
            assert_eq!(bare(&copy.text), bare(&original.text));
            let sentences = |text: &str| text.matches(". ").count() + text.matches(".\n").count();
            assert_eq!(
                sentences(&copy.text) + truth.sentences_merged,
                sentences(&original.text) + truth.sentences_split
            );
            split += truth.sentences_split;
            merged += truth.sentences_merged;
        }
        assert!(split > 100 && merged > 100, "{split} {merged}");
    }

    #[test]
    fn copies_keep_or_rewrite_the_headline() {
        let generator = unedited_copies(SynthParams {
            keep_headline_rate: 0.5,
            ..SynthParams::default()
        });
        let (mut kept, mut rewritten) = (0, 0);
        for (copy, truth, original) in copies(&generator) {
            match truth.headline {
                Headline::Kept => {
                    assert_eq!(copy.title, original.title);
                    kept += 1;
                }
                Headline::Rewritten => {
                    assert_ne!(copy.title, original.title);
                    rewritten += 1;
                }
                Headline::Own => panic!("a copy has its original's headline or a new one"),
            }
        }
        assert!(kept > 40 && rewritten > 40, "{kept} {rewritten}");
    }

    #[test]
    fn outlet_templates_wrap_originals_and_copies_alike() {
        let generator = Generator::new(SynthParams {
            docs: 400,
            boilerplate_rate: 1.0,
            outlet_templates: true,
            ..SynthParams::default()
        })
        .unwrap();
        let mut by_outlet: std::collections::HashMap<String, Vec<String>> = Default::default();
        for i in 0..400 {
            let (article, truth) = generator.article(i);
            assert!(truth.boilerplate);
            assert!(article.text.contains("\n\nBy "), "{}", article.text);
            assert!(article.text.contains("\n\nRelated: "));
            by_outlet
                .entry(article.source)
                .or_default()
                .push(article.text);
        }
        // The first and last lines are the outlet's own, the same on all its articles.
        for texts in by_outlet.values().filter(|t| t.len() > 1) {
            let first = |t: &String| t.lines().next().unwrap().to_string();
            let last = |t: &String| t.lines().last().unwrap().to_string();
            assert!(texts.iter().all(|t| first(t) == first(&texts[0])));
            assert!(texts.iter().all(|t| last(t) == last(&texts[0])));
        }
        let long = (0..400)
            .map(|i| generator.article(i).0.text)
            .find(|t| t.matches("\n\n").count() > 12)
            .unwrap();
        assert!(long.contains("\n\nAdvertisement\n\n"), "{long}");
    }

    #[test]
    fn ocr_noise_misreads_letters_at_its_rate() {
        let clean = Generator::new(SynthParams::default()).unwrap();
        let noisy = Generator::new(SynthParams {
            ocr_noise: 0.02,
            ..SynthParams::default()
        })
        .unwrap();
        let (text, noisy_text) = (clean.article(3).0.text, noisy.article(3).0.text);
        assert_ne!(text, noisy_text);
        let changed_words = text
            .split_whitespace()
            .zip(noisy_text.split_whitespace())
            .filter(|(a, b)| a != b)
            .count();
        assert!(changed_words > 5, "{changed_words}");
        assert_eq!(noisy.article(3).1.ocr_noise, 0.02);
        assert_eq!(misread("same", 0.0, &mut Stream::new(1, 1, OCR)), "same");
        let every = |text: &str| misread(text, 1.0, &mut Stream::new(1, 1, OCR));
        assert_eq!(every("mole"), "rn01c");
        assert_eq!(every("rnie"), "mlc");
    }

    #[test]
    fn articles_look_like_news_text() {
        let generator = Generator::new(SynthParams::default()).unwrap();
        let (article, _) = generator.article(5);
        assert!(article.text.contains(". "));
        assert!(article.text.contains("\n\n") || article.text.split_whitespace().count() < 200);
        let words = article.text.split_whitespace().count();
        assert!((30..5_000).contains(&words));
    }
}
