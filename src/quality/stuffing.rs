//! Keyword stuffing: how far the most repeated content phrase of a document exceeds the
//! density natural prose shows.

use super::words::{GramStats, MAX_COUNTED_GRAM, TextWords, most_frequent};
use crate::text::normalize::normalize;

/// Natural ceilings of a content phrase's density (share of the words its occurrences cover)
/// by phrase length: about the 95th percentile of the top phrase in natural texts
/// (`examples/stuffing_calibration.rs` prints the quantiles).
pub(crate) const NATURAL_DENSITY: [f64; 4] = [0.03, 0.03, 0.025, 0.02];

/// Stuffing scores at or above this raise the `keyword_stuffing` flag. Chosen with
/// `cargo run --release --example stuffing_calibration`: on 214 natural texts (the sample
/// corpus and the benchmark's gold article bodies) it flags 3.3 %, on 300 naturally repetitive
/// controls (market reports, sports results, profiles) none; a phrase injected at 5 % of the
/// words is flagged in 83 % of texts, at 8 % in 92 % (AUC 0.91 and 0.96).
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
#[derive(Debug, Clone, PartialEq)]
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
    stuffing_of(&TextWords::new(text), text, title)
}

/// [`stuffing`] of the words of `original`.
pub fn stuffing_of(words: &TextWords, original: &str, title: Option<&str>) -> Stuffing {
    // Most texts stuff nothing: when no phrase could pass its ceiling even in the title, the
    // phrases are not spelled out. (The score is 0 either way, and no evidence names one.)
    let could_stuff = top_candidates(words).iter().enumerate().any(|(i, found)| {
        found.is_some_and(|(stats, density)| {
            let weight = if is_name(&stats) { 0.5 } else { 1.25 };
            weight * density / NATURAL_DENSITY[i] > 1.0
        })
    });
    if !could_stuff {
        return Stuffing {
            score: 0.0,
            phrase: None,
        };
    }
    let best = top_phrases_of(words, original, title)
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
    top_phrases_of(&TextWords::new(text), text, title)
}

/// [`top_phrases`] of the words of `original`.
pub fn top_phrases_of(
    words: &TextWords,
    original: &str,
    title: Option<&str>,
) -> [Option<StuffedPhrase>; 4] {
    let title_text = title.map(|t| format!(" {} ", normalize(t).text));
    let mut top: [Option<StuffedPhrase>; 4] = Default::default();
    for ((slot, found), n) in top.iter_mut().zip(top_candidates(words)).zip(1..) {
        let Some((stats, density)) = found else {
            continue;
        };
        let first = stats.first as usize;
        let phrase = words.phrase(original, first..first + n);
        *slot = Some(StuffedPhrase {
            in_title: title_text
                .as_ref()
                .is_some_and(|t| t.contains(&format!(" {phrase} "))),
            name: is_name(&stats),
            phrase,
            count: stats.count as usize,
            density,
        });
    }
    top
}

/// Whether most occurrences of a phrase are capitalized word by word: a name.
fn is_name(stats: &GramStats) -> bool {
    2 * stats.capitalized > stats.count
}

/// The most repeated usable phrase of each length from 1 to 4 words with its density (see
/// [`top_phrases`]), without spelling it out.
fn top_candidates(words: &TextWords) -> [Option<(GramStats, f64)>; 4] {
    let mut top = [None; 4];
    if words.is_empty() {
        return top;
    }
    let usable = usable_classes(words);
    let classes = words.classes();
    let usable_at = |i: u32| usable[classes[i as usize] as usize];
    for (slot, n) in top.iter_mut().zip(1..=MAX_COUNTED_GRAM) {
        // The most frequent phrase of this length with usable ends, not mostly in sentences
        // with numbers.
        let candidate = |s: &&GramStats| {
            usable_at(s.first)
                && usable_at(s.first + n as u32 - 1)
                && 2 * s.in_numeric_sentence <= s.count
        };
        let found = if n == 1 {
            most_frequent(words.word_stats().iter().filter(candidate))
        } else {
            most_frequent(words.gram_stats(n).iter().filter(candidate))
        };
        let Some(found) = found else {
            continue;
        };
        let count = found.count as usize;
        let first = found.first as usize;
        // A single short word is more often a function word of another language ("und",
        // "de") than a keyword.
        if count < MIN_STUFFED_COUNT || (n == 1 && words.chars(first..first + 1) < 4) {
            continue;
        }
        *slot = Some((found, (count * n) as f64 / words.len() as f64));
    }
    top
}

/// Which words (by class) may start or end a stuffed phrase: not function words, not numbers,
/// not words that mostly stand next to a number (units and labels of numbers), not words
/// mostly written as short all-capital codes (tickers, unit codes) in the original.
fn usable_classes(words: &TextWords) -> Vec<bool> {
    words
        .word_stats()
        .iter()
        .map(|stats| {
            let first = stats.first as usize;
            words.chars(first..first + 1) > 1
                && !words.is_function_word(first)
                && !words.has_digit(first)
                && 2 * stats.code <= stats.count
                && 2 * stats.beside_number <= stats.count
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "The council met on Monday to discuss the new bus routes.\n\
        Residents asked for a stop near the school and a later last service.\n\
        The transport officer said the changes would be tested over the summer.\n\
        A final decision is expected in the autumn, after a public consultation.";

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
