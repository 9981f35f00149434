//! Keyword stuffing: how far the most repeated content phrase of a document exceeds the
//! density natural prose shows.

use super::words::{GramStats, MAX_COUNTED_GRAM, TextWords};
use crate::text::normalize::normalize;

/// Natural ceilings of a content phrase's density (share of the words its occurrences cover)
/// by phrase length: about the 95th percentile of the top phrase in natural texts
/// (`examples/stuffing_calibration.rs` prints the quantiles).
pub(crate) const NATURAL_DENSITY: [f64; 4] = [0.03, 0.03, 0.025, 0.02];

/// Stuffing scores at or above this raise the `keyword_stuffing` flag. Chosen with
/// `cargo run --release --example stuffing_calibration`: on 218 natural news texts (the sample
/// corpus and the benchmark's gold article bodies) it flags 1.8 %, on 786 web articles of
/// 2025-26 (WCXB, many of them search-engine copy) 19 %, on 300 naturally repetitive controls
/// (market reports, sports results, profiles) none; a phrase injected at 4 % of the words is
/// flagged in 88 % of texts, at 5 % in 95 % (AUC 0.91 and 0.95).
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

/// Fewest occurrences a single word needs to count as stuffed at all; a phrase of several
/// words needs one fewer, since natural prose rarely repeats one verbatim.
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
        found.as_ref().is_some_and(|found| {
            let weight = if found.name { 0.5 } else { 1.25 };
            weight * found.density / NATURAL_DENSITY[i] > 1.0
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
        let Some(found) = found else {
            continue;
        };
        let phrase = words.phrase(original, found.first..found.first + n);
        *slot = Some(StuffedPhrase {
            in_title: title_text
                .as_ref()
                .is_some_and(|t| t.contains(&format!(" {phrase} "))),
            name: found.name,
            phrase,
            count: found.count,
            density: found.density,
        });
    }
    top
}

/// A phrase that may be stuffed, before it is spelled out.
struct Candidate {
    /// The word index of its first occurrence.
    first: usize,
    /// Its occurrences.
    count: usize,
    /// The share of the text's words inside its occurrences.
    density: f64,
    /// Whether it reads as a name (see [`reads_as_name`]).
    name: bool,
}

/// The most repeated usable phrase of each length from 1 to 4 words with its density (see
/// [`top_phrases`]), without spelling it out.
fn top_candidates(words: &TextWords) -> [Option<Candidate>; 4] {
    let mut top: [Option<Candidate>; 4] = Default::default();
    // Where each length's candidate occurs.
    let mut starts_of: [Vec<usize>; 4] = Default::default();
    if words.is_empty() {
        return top;
    }
    let usable = usable_classes(words);
    let classes = words.classes();
    let usable_at = |i: u32| usable[classes[i as usize] as usize];
    for (slot, n) in top.iter_mut().zip(1..=MAX_COUNTED_GRAM) {
        // The most frequent phrase of this length with usable ends, not mostly in sentences
        // with numbers, and not repeated only as part of a longer passage.
        // A single short word is more often a function word of another language ("und",
        // "de") than a keyword.
        let candidate = |s: &&GramStats| {
            s.count as usize >= MIN_STUFFED_COUNT - usize::from(n > 1)
                && usable_at(s.first)
                && usable_at(s.first + n as u32 - 1)
                && 2 * s.in_numeric_sentence <= s.count
                && (n > 1 || words.chars(s.first as usize..s.first as usize + 1) >= 4)
        };
        let stats = if n == 1 {
            words.word_stats()
        } else {
            words.gram_stats(n)
        };
        let found = most_frequent_keys(stats.iter().filter(candidate))
            .into_iter()
            .flatten()
            .map(|stats| (stats, occurrences(classes, stats.first as usize, n)))
            .find(|(_, starts)| !in_repeated_passage(classes, starts, n));
        let Some((found, starts)) = found else {
            continue;
        };
        let count = found.count as usize;
        let first = found.first as usize;
        *slot = Some(Candidate {
            first,
            count,
            density: (count * n) as f64 / words.len() as f64,
            name: reads_as_name(words, &starts, n),
        });
        starts_of[n - 1] = starts;
    }
    // A phrase every occurrence of which runs on with the same function words ("emergency
    // plumber" always followed by "near me") is repeated whole: it competes at its full
    // length, which its own count may not reach among the grams with content-word ends.
    for n in 1..MAX_COUNTED_GRAM {
        let Some(found) = top[n - 1].as_ref() else {
            continue;
        };
        let (starts, len) = whole_repeat(words, starts_of[n - 1].clone(), n);
        let density = (found.count * len) as f64 / words.len() as f64;
        let longer = top[len - 1]
            .as_ref()
            .is_none_or(|held| held.density < density);
        if len > n && longer {
            top[len - 1] = Some(Candidate {
                first: starts[0],
                count: found.count,
                density,
                name: found.name,
            });
            starts_of[len - 1] = starts;
        }
    }
    top
}

/// The phrase `starts` of `n` words grown by the function words that stand on the same side
/// of every occurrence, up to [`MAX_COUNTED_GRAM`] words: its occurrences and length.
fn whole_repeat(words: &TextWords, mut starts: Vec<usize>, n: usize) -> (Vec<usize>, usize) {
    let classes = words.classes();
    let mut len = n;
    while len < MAX_COUNTED_GRAM {
        let shared = |at: Option<usize>| {
            at.filter(|&i| i < classes.len() && words.is_function_word(i))
                .map(|i| classes[i])
        };
        let right = shared(Some(starts[0] + len));
        let left = shared(starts[0].checked_sub(1));
        if right.is_some() && starts.iter().all(|&s| shared(Some(s + len)) == right) {
            len += 1;
        } else if left.is_some() && starts.iter().all(|&s| shared(s.checked_sub(1)) == left) {
            starts.iter_mut().for_each(|s| *s -= 1);
            len += 1;
        } else {
            break;
        }
    }
    (starts, len)
}

/// Where the `n` words starting at `first` occur (by class), in text order.
fn occurrences(classes: &[u32], first: usize, n: usize) -> Vec<usize> {
    let phrase = &classes[first..first + n];
    // Word by word rather than slice equality, which calls `memcmp` at every position.
    (0..=classes.len() - n)
        .filter(|&at| phrase.iter().zip(&classes[at..]).all(|(a, b)| a == b))
        .collect()
}

/// Whether a phrase reads as a name or contains one ("Star Trek film", "Bank of England"):
/// most of the content words of its occurrences are capitalized. News repeats the names of
/// the people, places, works and products it is about; a keyword is stuffed in lower case.
fn reads_as_name(words: &TextWords, starts: &[usize], n: usize) -> bool {
    let (mut capitalized, mut content) = (0, 0);
    for &start in starts {
        for at in start..start + n {
            if !words.is_function_word(at) {
                content += 1;
                capitalized += usize::from(words.is_capitalized(at));
            }
        }
    }
    2 * capitalized > content
}

/// How many candidates of each length are tried, most frequent first, before giving up on
/// finding one that is not part of a repeated passage.
const TRIED_CANDIDATES: usize = 3;

/// The [`TRIED_CANDIDATES`] most frequent n-grams, the one seen first on ties.
fn most_frequent_keys<'a>(
    stats: impl Iterator<Item = &'a GramStats>,
) -> [Option<GramStats>; TRIED_CANDIDATES] {
    let mut top: [Option<GramStats>; TRIED_CANDIDATES] = [None; TRIED_CANDIDATES];
    let before = |x: &GramStats, y: &GramStats| {
        x.count > y.count || (x.count == y.count && x.first < y.first)
    };
    for stats in stats {
        if let Some(at) = top
            .iter()
            .position(|slot| slot.is_none_or(|held| before(stats, &held)))
        {
            top[at..].rotate_right(1);
            top[at] = Some(*stats);
        }
    }
    top
}

/// A repeated word sequence at least this long is a passage (a tagline, a disclaimer, a
/// template line, a quote repeated), not a key phrase: twice the longest phrase counted. Its
/// repetition is measured by padding's repeated n-grams.
const PASSAGE_WORDS: usize = 2 * MAX_COUNTED_GRAM;

/// Whether most of the occurrences `starts` of `n` words lie inside copies of one
/// longer repeated passage of at least [`PASSAGE_WORDS`] words: the phrase is then repeated
/// because the passage is, not as a keyword. Grown greedily: at each step the phrase takes on
/// the neighbour word (left or right) that most of its remaining occurrences share.
fn in_repeated_passage(classes: &[u32], starts: &[usize], n: usize) -> bool {
    let mut starts = starts.to_vec();
    let needed = (starts.len() / 2 + 1).max(2);
    let mut len = n;
    while len < PASSAGE_WORDS {
        let left = most_common(starts.iter().map(|&s| s.checked_sub(1).map(|i| classes[i])));
        let right = most_common(starts.iter().map(|&s| classes.get(s + len).copied()));
        let (grow_left, (class, shared)) = if left.1 >= right.1 {
            (true, left)
        } else {
            (false, right)
        };
        if shared < needed {
            return false;
        }
        starts.retain(|&s| {
            if grow_left {
                s.checked_sub(1).map(|i| classes[i]) == class
            } else {
                classes.get(s + len).copied() == class
            }
        });
        if grow_left {
            starts.iter_mut().for_each(|s| *s -= 1);
        }
        len += 1;
    }
    true
}

/// The most common present value and how often it occurs (ties go to the smallest value, so
/// the choice does not depend on order).
fn most_common(values: impl Iterator<Item = Option<u32>>) -> (Option<u32>, usize) {
    let mut values: Vec<u32> = values.flatten().collect();
    values.sort_unstable();
    let mut best = (None, 0);
    for run in values.chunk_by(|a, b| a == b) {
        if run.len() > best.1 {
            best = (Some(run[0]), run.len());
        }
    }
    best
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
    fn a_phrase_repeated_only_inside_a_longer_passage_is_not_stuffing() {
        // A tagline of nine words after each paragraph: duplication, which padding measures.
        let tagline = "Unite Connect for clinical systems is sold in Canada.";
        let paragraphs: Vec<String> = PROSE
            .lines()
            .map(|line| format!("{line} {tagline}"))
            .collect();
        let measured = stuffing(&paragraphs.join("\n\n"), None);
        assert_eq!(measured.score, 0.0, "{measured:?}");
    }

    #[test]
    fn a_name_with_a_function_word_inside_is_a_name() {
        let text = "The Bank of England held rates on Thursday. Economists had expected the \
            Bank of England to wait. Markets barely moved after the Bank of England spoke, \
            and the pound was flat. A survey showed most firms expect the Bank of England \
            to cut in the spring.";
        let top = top_phrases(text, None);
        let bank = top[2].as_ref().unwrap();
        assert_eq!(bank.phrase, "bank of england");
        assert!(bank.name, "{bank:?}");
    }

    #[test]
    fn a_key_phrase_that_ends_in_function_words_is_counted_whole() {
        let text = injected("emergency plumber near me", 30, 1_500);
        let measured = stuffing(&text, None);
        let phrase = measured.phrase.clone().unwrap();
        assert_eq!(phrase.phrase, "emergency plumber near me");
        assert_eq!(phrase.count, 30);
        assert!(measured.score >= STUFFING_FLAG, "{measured:?}");
    }

    #[test]
    fn a_short_text_with_few_repeats_is_not_stuffing() {
        assert_eq!(stuffing(PROSE, None).score, 0.0);
        assert_eq!(stuffing("", None).score, 0.0);
    }
}
