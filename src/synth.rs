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
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::param(name, "must be in [0, 1]"));
            }
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
    /// For a copy, whether the outlet's header and footer lines were added.
    pub boilerplate: bool,
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
        };
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
                let mut edited: Vec<_> = base
                    .iter()
                    .map(|p| self.edit(p, rate, &mut stream))
                    .collect();
                let mut cut = Stream::new(self.params.seed, index as u64, TRUNCATE);
                if cut.unit() < self.params.truncate_rate && edited.len() > 1 {
                    let keep = ((edited.len() as f64 * (0.5 + 0.3 * cut.unit())).ceil() as usize)
                        .clamp(1, edited.len() - 1);
                    truth.truncated =
                        (((edited.len() - keep) as f64 / edited.len() as f64) * 1e4).round() / 1e4;
                    edited.truncate(keep);
                }
                truth.cluster = article_id(original);
                truth.parent = Some(article_id(original));
                truth.edit_rate = (rate * 1e4).round() / 1e4;
                truth.kind = ArticleKind::Copy;
                edited
            }
        };
        let mut stream = Stream::new(self.params.seed, index as u64, ROLE + 10);
        let title_words: Vec<&str> = (0..5 + stream.below(6))
            .map(|_| self.word(&mut stream))
            .collect();
        let mut title = String::new();
        render_sentence(&title_words, &mut title);
        title.pop();
        let source = format!("outlet-{:02}", stream.below(OUTLETS));
        let mut text = render(&body);
        let wrap = Stream::new(self.params.seed, index as u64, BOILERPLATE).unit()
            < self.params.boilerplate_rate;
        if truth.kind == ArticleKind::Copy && wrap {
            text = format!(
                "{} | News | Updated today\n\n{text}\n\nShare this story from {}. Follow us for more news and sign up for our newsletter.",
                source.to_uppercase(),
                source
            );
            truth.boilerplate = true;
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

    /// Inserts one or two paragraphs of original `source` into `body` at a random place.
    fn insert_lift<'a>(&'a self, index: usize, source: usize, body: &mut Vec<Vec<Vec<&'a str>>>) {
        let mut stream = Stream::new(self.params.seed, index as u64, LIFT + 10);
        let source_paragraphs = self.original_paragraphs(source);
        let count = (1 + stream.below(2)).min(source_paragraphs.len());
        let first = stream.below(source_paragraphs.len() - count + 1);
        let at = stream.below(body.len() + 1);
        for (offset, paragraph) in source_paragraphs[first..first + count].iter().enumerate() {
            body.insert(at + offset, paragraph.clone());
        }
    }

    /// An original's paragraphs as lists of sentences of words.
    fn original_paragraphs(&self, index: usize) -> Vec<Vec<Vec<&str>>> {
        let mut stream = Stream::new(self.params.seed, index as u64, TEXT);
        let length = (560.0 * (0.55 * stream.normal()).exp()).clamp(60.0, 4_000.0) as usize;
        let mut paragraphs = Vec::new();
        let mut written = 0;
        while written < length {
            let sentences = 2 + stream.below(4);
            let paragraph: Vec<Vec<&str>> = (0..sentences)
                .map(|_| {
                    let words = 8 + stream.below(20);
                    written += words;
                    (0..words).map(|_| self.word(&mut stream)).collect()
                })
                .collect();
            paragraphs.push(paragraph);
        }
        paragraphs
    }

    /// Substitutes, deletes or inserts after a word with probability `rate` each position.
    fn edit<'a>(
        &'a self,
        paragraph: &[Vec<&'a str>],
        rate: f64,
        stream: &mut Stream,
    ) -> Vec<Vec<&'a str>> {
        paragraph
            .iter()
            .map(|sentence| {
                let mut out = Vec::with_capacity(sentence.len() + 2);
                for &word in sentence {
                    if stream.unit() >= rate {
                        out.push(word);
                        continue;
                    }
                    match stream.below(3) {
                        0 => out.push(self.word(stream)),
                        1 => {}
                        _ => {
                            out.push(word);
                            out.push(self.word(stream));
                        }
                    }
                }
                if out.is_empty() {
                    out.push(self.word(stream));
                }
                out
            })
            .collect()
    }
}

fn article_id(index: usize) -> String {
    format!("doc-{index:07}")
}

/// One article a minute from 2024-01-01, so an original is always dated before its copies.
fn synthetic_date(index: usize) -> String {
    crate::date::format_date(1_704_067_200 + 60 * index as i64)
}

/// Appends a sentence: words joined by spaces, the first letter upper-cased (the vocabulary
/// is ASCII), a closing period.
fn render_sentence(words: &[&str], out: &mut String) {
    for (i, word) in words.iter().enumerate() {
        if i == 0 {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push('.');
}

/// Paragraphs separated by blank lines, sentences by single spaces.
fn render(paragraphs: &[Vec<Vec<&str>>]) -> String {
    let mut text = String::with_capacity(4096);
    for (p, paragraph) in paragraphs.iter().enumerate() {
        if p > 0 {
            text.push_str("\n\n");
        }
        for (s, sentence) in paragraph.iter().enumerate() {
            if s > 0 {
                text.push(' ');
            }
            render_sentence(sentence, &mut text);
        }
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
