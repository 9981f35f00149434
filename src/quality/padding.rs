//! Padding: repetition and filler as continuous measures, following the repetition measures
//! used to filter web text for language models (duplicate lines and paragraphs, the character
//! share of the most frequent 2-, 3- and 4-gram, the character share of words inside repeated
//! 5- to 10-grams), reported as values next to the limits such filters use, plus restated
//! sentences.

use std::cell::RefCell;
use std::ops::Range;

use super::words::{
    GramStats, KeyTable, LINE_BREAK, PARAGRAPH_BREAK, SENTENCE_BREAK, TextWords, gram_key,
    gram_step, most_frequent,
};

/// Components get an example from this share of their limit on: below it they do not reach
/// the evidence, and building the example would be wasted.
pub(crate) const PADDING_EVIDENCE: f64 = 0.5;

/// The repetition measures, each as web-text filters for language models define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Characters in lines that repeat an earlier line.
    DuplicateLines,
    /// Characters in paragraphs that repeat an earlier paragraph.
    DuplicateParagraphs,
    /// Characters in all occurrences of the most frequent n-gram (n from 2 to 4).
    TopGram(u8),
    /// Characters of words inside n-grams that occur more than once (n from 5 to 10).
    DuplicateGrams(u8),
    /// Sentences that restate an earlier one.
    RestatedSentences,
}

impl std::fmt::Display for Measure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Measure::DuplicateLines => f.write_str("duplicate_lines"),
            Measure::DuplicateParagraphs => f.write_str("duplicate_paragraphs"),
            Measure::TopGram(n) => write!(f, "top_{n}gram"),
            Measure::DuplicateGrams(n) => write!(f, "duplicate_{n}grams"),
            Measure::RestatedSentences => f.write_str("restated_sentences"),
        }
    }
}

/// One measured repetition component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// Which measure.
    pub measure: Measure,
    /// Its value, a share of the document's characters.
    pub value: f64,
    /// The value at which the text counts as repetitive.
    pub limit: f64,
    /// An example of the repeated text, when the value is at least half its limit.
    pub example: Option<String>,
}

impl Component {
    /// A component with the example `describe` gives for `at`, when it is worth showing.
    fn new(
        measure: Measure,
        value: f64,
        limit: f64,
        at: Option<Range<usize>>,
        describe: impl FnOnce(Range<usize>) -> String,
    ) -> Self {
        let example = at
            .filter(|_| value > 0.0 && value >= PADDING_EVIDENCE * limit)
            .map(describe);
        Component {
            measure,
            value,
            limit,
            example,
        }
    }
}

/// Reference limits for the repetition measures: the values at which web-text filters for
/// language-model training drop a document (the widely used Gopher rules).
const DUPLICATE_LINE_LIMIT: f64 = 0.20;
const DUPLICATE_PARAGRAPH_LIMIT: f64 = 0.20;
const TOP_NGRAMS: [(usize, f64); 3] = [(2, 0.20), (3, 0.18), (4, 0.16)];
const DUPLICATE_NGRAMS: [(usize, f64); 6] = [
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
/// Two sentences with at least this Jaccard similarity of their word sets (4/5, kept as a
/// fraction for exact integer comparisons) say the same thing.
const RESTATED_SIMILARITY: (usize, usize) = (4, 5);
/// Sentences shorter than this (in words) are not compared: "Yes." repeated is not padding.
const RESTATED_MIN_WORDS: usize = 6;
/// At most this many sentences are compared pairwise, so a huge text stays cheap.
const MAX_SENTENCES: usize = 400;

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
    padding_of(&TextWords::new(text), text)
}

/// Measures repetition in the words of `original`.
pub fn padding_of(words: &TextWords, original: &str) -> Padding {
    let total_chars = words.chars(0..words.len());
    let mut components = vec![
        duplicate_blocks(
            words,
            original,
            LINE_BREAK,
            Measure::DuplicateLines,
            DUPLICATE_LINE_LIMIT,
        ),
        duplicate_blocks(
            words,
            original,
            PARAGRAPH_BREAK,
            Measure::DuplicateParagraphs,
            DUPLICATE_PARAGRAPH_LIMIT,
        ),
    ];
    for (n, limit) in TOP_NGRAMS {
        components.push(top_ngram(words, original, total_chars, n, limit));
    }
    components.extend(duplicate_ngrams(words, original, total_chars));
    components.push(restated_sentences(words, original));
    let score = components
        .iter()
        .map(|c| (c.value / c.limit).min(1.0))
        .fold(0.0, f64::max);
    Padding { score, components }
}

pub(crate) fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Share of characters in blocks (lines or paragraphs) whose words repeat an earlier block's.
fn duplicate_blocks(
    words: &TextWords,
    original: &str,
    kind: u8,
    measure: Measure,
    limit: f64,
) -> Component {
    let mut seen: KeyTable<()> = KeyTable::default();
    seen.reset(16);
    let (mut total, mut repeated) = (0usize, 0usize);
    let mut first_repeat = None;
    let ids = words.ids();
    // One pass: each block's key is folded from its word ids as the words go by.
    let mut start = 0;
    let mut key = gram_key(&[]);
    for i in 0..=ids.len() {
        if i == ids.len() || (i > start && words.breaks_before(i, kind)) {
            if i > start {
                let block = start..i;
                let chars = words.chars(block.clone());
                total += chars;
                let blocks_before = seen.values().len();
                if seen.index_or_insert(key, || ()) < blocks_before {
                    repeated += chars;
                    first_repeat.get_or_insert(block);
                }
            }
            start = i;
            key = gram_key(&[]);
        }
        if i < ids.len() {
            key = gram_step(key, ids[i]);
        }
    }
    Component::new(measure, share(repeated, total), limit, first_repeat, |at| {
        words.original_text(original, at).to_string()
    })
}

/// Characters in all occurrences of the most frequent word n-gram, as a share of all word
/// characters. Ties go to the n-gram seen first.
fn top_ngram(
    words: &TextWords,
    original: &str,
    total_chars: usize,
    n: usize,
    limit: f64,
) -> Component {
    let measure = Measure::TopGram(n as u8);
    let best = most_frequent(words.gram_stats(n).iter()).filter(|s| s.count > 1);
    let Some(GramStats { count, first, .. }) = best else {
        return Component::new(measure, 0.0, limit, None, |_| String::new());
    };
    let at = first as usize..first as usize + n;
    let value = share(count as usize * words.chars(at.clone()), total_chars);
    Component::new(measure, value, limit, Some(at), |at| {
        repeated_example(&words.phrase(original, at), count as usize)
    })
}

/// The evidence text of a repeated phrase: the phrase and how often it occurs.
fn repeated_example(phrase: &str, count: usize) -> String {
    format!("{phrase} (x{count})")
}

/// The phrase of a repetition measure's evidence text ("cheap ferry (x18)" gives "cheap ferry"), for
/// readers that mark its occurrences.
pub fn example_phrase(example: &str) -> &str {
    match example.rsplit_once(" (x") {
        Some((phrase, count))
            if count
                .strip_suffix(')')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            phrase
        }
        _ => example,
    }
}

/// For each n from 5 to 10: characters of the words covered by some n-gram that occurs more
/// than once, as a share of all word characters.
///
/// A 5-gram repeats only where the two 4-grams in it repeat, and an n-gram longer than 5 only
/// where every 5-gram inside it repeats, so each length is counted only at such positions: in
/// most texts none are left after the 4-grams.
fn duplicate_ngrams(words: &TextWords, original: &str, total_chars: usize) -> Vec<Component> {
    thread_local! {
        // The counts table, kept from document to document on each worker thread.
        static COUNTS: RefCell<KeyTable<u32>> = RefCell::new(KeyTable::default());
    }
    let ids = words.ids();
    // A 5-gram occurs twice only where the 4-grams at its start and one word on both do.
    let repeated_4grams = words.repeated_4grams();
    // For each start, how many consecutive starts from it begin a repeated 5-gram.
    let mut repeated_run: Vec<u32> = Vec::new();
    let mut components = Vec::with_capacity(DUPLICATE_NGRAMS.len());
    let mut starts: Vec<usize> = Vec::new();
    let mut repeated_at: Vec<usize> = Vec::new();
    COUNTS.with_borrow_mut(|counts| {
        for (n, limit) in DUPLICATE_NGRAMS {
            let measure = Measure::DuplicateGrams(n as u8);
            starts.clear();
            let windows = 0..(ids.len() + 1).saturating_sub(n);
            if n == 5 {
                starts.extend(windows.filter(|&i| repeated_4grams[i] && repeated_4grams[i + 1]));
            } else {
                starts.extend(
                    windows.filter(|&i| repeated_run.get(i).is_some_and(|&r| r as usize > n - 5)),
                );
            }
            if starts.is_empty() {
                // No repeated 5-gram, no longer one either.
                components.push(Component::new(measure, 0.0, limit, None, |_| String::new()));
                if n == 5 {
                    for (n, limit) in &DUPLICATE_NGRAMS[1..] {
                        components.push(Component::new(
                            Measure::DuplicateGrams(*n as u8),
                            0.0,
                            *limit,
                            None,
                            |_| String::new(),
                        ));
                    }
                    break;
                }
                continue;
            }
            counts.reset(starts.len());
            for &i in &starts {
                let entry = counts.index_or_insert(gram_key(&ids[i..i + n]), || 0);
                counts.values_mut()[entry] += 1;
            }
            let mut first_repeat = None;
            repeated_at.clear();
            for &i in &starts {
                let count = *counts.get(gram_key(&ids[i..i + n])).expect("counted above");
                if count > 1 {
                    first_repeat.get_or_insert((i..i + n, count));
                    repeated_at.push(i);
                }
            }
            if n == 5 {
                repeated_run = vec![0; ids.len() + 1];
                for &i in repeated_at.iter().rev() {
                    repeated_run[i] = repeated_run[i + 1] + 1;
                }
            }
            // Characters of the words the repeated n-grams cover, overlaps counted once.
            let (mut repeated, mut covered_to) = (0, 0);
            for &i in &repeated_at {
                let from = i.max(covered_to);
                if from < i + n {
                    repeated += words.chars(from..i + n);
                    covered_to = i + n;
                }
            }
            let count = first_repeat.as_ref().map_or(0, |(_, count)| *count);
            components.push(Component::new(
                measure,
                share(repeated, total_chars),
                limit,
                first_repeat.map(|(at, _)| at),
                |at| repeated_example(&words.phrase(original, at), count as usize),
            ));
        }
    });
    components
}

/// Share of sentences (of at least six words) that restate an earlier one: their word sets
/// have a Jaccard similarity of at least 0.8.
///
/// Sentences are compared only when they share a word among the first few of their sets in
/// one fixed order (rarest word in the text first), the prefix filter of similarity joins: two sets with
/// Jaccard ≥ 4/5 share at least ⌈4/5 · |x|⌉ words, so one of them lies within the first
/// `|x| - ⌈4/5 · |x|⌉ + 1` of each. The result is that of comparing every pair.
fn restated_sentences(words: &TextWords, original: &str) -> Component {
    // A word as its count in the text, then its class: sorting puts rare words first, so
    // prefixes hold rare words and few sentences share one.
    let stats = words.word_stats();
    let rank = |class: u32| (u64::from(stats[class as usize].count) << 32) | u64::from(class);
    // Each sentence's distinct words, sorted, one after another in `sets`.
    let mut sets: Vec<u64> = Vec::new();
    let mut sentences: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut scratch: Vec<u64> = Vec::new();
    for sentence in words.blocks(SENTENCE_BREAK) {
        if sentences.len() == MAX_SENTENCES {
            break;
        }
        scratch.clear();
        scratch.extend(words.classes()[sentence.clone()].iter().map(|&c| rank(c)));
        scratch.sort_unstable();
        scratch.dedup();
        if scratch.len() >= RESTATED_MIN_WORDS {
            let start = sets.len();
            sets.extend_from_slice(&scratch);
            sentences.push((start..sets.len(), sentence));
        }
    }
    // Pairs of sentences that share a word of their prefixes, found by sorting the
    // (word, sentence) entries of all prefixes.
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for (i, (set, _)) in sentences.iter().enumerate() {
        let set = &sets[set.clone()];
        let prefix = &set[..set.len() - min_restated_overlap(set.len()) + 1];
        entries.extend(prefix.iter().map(|&word| (word, i as u32)));
    }
    entries.sort_unstable();
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for group in entries.chunk_by(|x, y| x.0 == y.0) {
        for (k, &(_, earlier)) in group.iter().enumerate() {
            candidates.extend(group[k + 1..].iter().map(|&(_, later)| (later, earlier)));
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut is_restated = vec![false; sentences.len()];
    for (later, earlier) in candidates {
        let later = later as usize;
        if !is_restated[later]
            && restates(
                &sets[sentences[later].0.clone()],
                &sets[sentences[earlier as usize].0.clone()],
            )
        {
            is_restated[later] = true;
        }
    }
    let restated = is_restated.iter().filter(|&&r| r).count();
    let first = is_restated
        .iter()
        .position(|&r| r)
        .map(|i| sentences[i].1.clone());
    Component::new(
        Measure::RestatedSentences,
        share(restated, sentences.len()),
        RESTATED_LIMIT,
        first,
        |at| words.original_text(original, at).to_string(),
    )
}

/// The fewest words a set of `size` words shares with any set it has a Jaccard similarity of
/// at least [`RESTATED_SIMILARITY`] with: ⌈4/5 · size⌉, in integers so no rounding moves it.
fn min_restated_overlap(size: usize) -> usize {
    (size * RESTATED_SIMILARITY.0).div_ceil(RESTATED_SIMILARITY.1)
}

/// Whether two sorted word sets have a Jaccard similarity of at least [`RESTATED_SIMILARITY`].
fn restates(x: &[u64], y: &[u64]) -> bool {
    let (numerator, denominator) = RESTATED_SIMILARITY;
    // Jaccard of at least s needs the smaller set to be at least s times the larger.
    let (small, large) = (x.len().min(y.len()), x.len().max(y.len()));
    if small * denominator < numerator * large {
        return false;
    }
    let common = crate::text::sets::intersection_size(x, y);
    common * denominator >= numerator * (x.len() + y.len() - common)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component<'a>(padding: &'a Padding, name: &str) -> &'a Component {
        padding
            .components
            .iter()
            .find(|c| c.measure.to_string() == name)
            .unwrap()
    }

    pub(crate) const PROSE: &str = "The council met on Monday to discuss the new bus routes.\n\
        Residents asked for a stop near the school and a later last service.\n\
        The transport officer said the changes would be tested over the summer.\n\
        A final decision is expected in the autumn, after a public consultation.";

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
            measured.worst().map(|c| c.measure),
            Some(Measure::DuplicateGrams(10))
        );
        assert_eq!(
            component(&measured, "duplicate_lines").example.as_deref(),
            Some("The council met on Monday to discuss the new bus routes")
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
        assert_eq!(
            restated.example.as_deref(),
            Some("Today our product is the best choice for busy families")
        );
    }

    /// The prefix filter finds every restated sentence that comparing all pairs finds.
    #[test]
    fn restated_sentences_agree_with_comparing_every_pair() {
        let vocabulary = [
            "sun", "rain", "wind", "snow", "fog", "hail", "mist", "frost", "dew",
        ];
        let mut text = String::new();
        let mut seed = 7u64;
        for _ in 0..120 {
            let length = 6 + (seed % 5) as usize;
            for _ in 0..length {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(vocabulary[(seed >> 33) as usize % vocabulary.len()]);
                text.push(' ');
            }
            text.push_str(". ");
        }
        let words = TextWords::new(&text);
        let sets: Vec<Vec<u64>> = words
            .blocks(SENTENCE_BREAK)
            .map(|s| {
                let mut set = words.ids()[s].to_vec();
                set.sort_unstable();
                set.dedup();
                set
            })
            .filter(|set| set.len() >= RESTATED_MIN_WORDS)
            .collect();
        let expected = (0..sets.len())
            .filter(|&i| (0..i).any(|j| restates(&sets[i], &sets[j])))
            .count();
        assert!(expected > 10, "the vocabulary should make restatements");
        let measured = restated_sentences(&words, &text);
        assert_eq!(measured.value, expected as f64 / sets.len() as f64);
    }

    /// The longer n-grams, counted only where 5-grams repeat, agree with counting them all.
    #[test]
    fn long_ngrams_agree_with_a_full_count() {
        let text = "a b c d e f g h i j k a b c d e f g x y z a b c d e f g h i j q \
                    m n o p q r m n o p q s";
        let words = TextWords::new(text);
        let measured = padding_of(&words, text);
        let total = words.chars(0..words.len());
        for (n, _) in DUPLICATE_NGRAMS {
            let name = &Measure::DuplicateGrams(n as u8).to_string();
            let ids = words.ids();
            let mut covered = vec![false; ids.len()];
            for i in 0..=ids.len() - n {
                let repeats = (0..=ids.len() - n).any(|j| j != i && ids[j..j + n] == ids[i..i + n]);
                if repeats {
                    covered[i..i + n].fill(true);
                }
            }
            let chars = (0..ids.len()).filter(|&i| covered[i]).count();
            let expected = chars as f64 / total as f64;
            assert!(
                (component(&measured, name).value - expected).abs() < 1e-12,
                "{name}: {} vs {expected}",
                component(&measured, name).value
            );
        }
        // The 10-gram "a .. j" occurs twice: twenty of 44 one-letter words.
        assert!((component(&measured, "duplicate_10grams").value - 20.0 / 44.0).abs() < 1e-12);
    }
}
