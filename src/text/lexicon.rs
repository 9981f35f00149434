//! Word lists, kept as data files per language (`lexicon/<language>/<list>.txt`), each naming
//! its source in its header. They are written from general knowledge of the language and of
//! web pages, never fitted to a sample corpus.
//!
//! A list is parsed once, on first use: one entry per line, `#` starts a comment line, blank
//! lines are skipped.

use std::sync::OnceLock;

/// The word lists reprint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lexicon {
    /// Closed-class words that carry no topic.
    FunctionWords,
    /// Web page furniture wording (copyright, cookie and privacy notices, photo credits).
    Furniture,
    /// Calls to act and navigation labels (share, subscribe, read more).
    CallToAction,
    /// The words of share and reaction buttons.
    ButtonWords,
    /// Verbs that end a comment header ("said", "wrote").
    SpeechVerbs,
    /// Month names, full and abbreviated.
    Months,
    /// Words of timestamp lines (day names, "updated", "ago", time zones).
    TimeWords,
    /// Names of embedded media (image, icon, video), which placeholders are.
    MediaWords,
    /// British and American spellings of one word, one pair per entry ("colour color").
    SpellingVariants,
    /// Words after a figure that only restyle it: scale words ("scale mln 6") and the words
    /// for percent ("percent per cent").
    FigureWords,
}

const ENGLISH: [(Lexicon, &str); 10] = [
    (
        Lexicon::FunctionWords,
        include_str!("lexicon/en/function_words.txt"),
    ),
    (Lexicon::Furniture, include_str!("lexicon/en/furniture.txt")),
    (
        Lexicon::CallToAction,
        include_str!("lexicon/en/call_to_action.txt"),
    ),
    (
        Lexicon::ButtonWords,
        include_str!("lexicon/en/button_words.txt"),
    ),
    (
        Lexicon::SpeechVerbs,
        include_str!("lexicon/en/speech_verbs.txt"),
    ),
    (Lexicon::Months, include_str!("lexicon/en/months.txt")),
    (
        Lexicon::TimeWords,
        include_str!("lexicon/en/time_words.txt"),
    ),
    (
        Lexicon::MediaWords,
        include_str!("lexicon/en/media_words.txt"),
    ),
    (
        Lexicon::SpellingVariants,
        include_str!("lexicon/en/spelling_variants.txt"),
    ),
    (
        Lexicon::FigureWords,
        include_str!("lexicon/en/figure_words.txt"),
    ),
];

/// The pairs of [`Lexicon::SpellingVariants`]: (British, American), in file order.
pub fn spelling_variants() -> &'static [(&'static str, &'static str)] {
    static PAIRS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        Lexicon::SpellingVariants
            .english()
            .iter()
            .map(|entry| {
                entry
                    .split_once(' ')
                    .expect("a spelling variant entry is two words")
            })
            .collect()
    })
}

/// The entries of a data file, in file order.
fn parse(data: &'static str) -> Vec<&'static str> {
    data.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// A list as loaded: its entries in file order, and sorted for look-ups.
struct Loaded {
    entries: Vec<&'static str>,
    sorted: Vec<&'static str>,
}

impl Lexicon {
    fn loaded(self) -> &'static Loaded {
        static LISTS: OnceLock<Vec<Loaded>> = OnceLock::new();
        let lists = LISTS.get_or_init(|| {
            ENGLISH
                .iter()
                .map(|(_, data)| {
                    let entries = parse(data);
                    let mut sorted = entries.clone();
                    sorted.sort_unstable();
                    Loaded { entries, sorted }
                })
                .collect()
        });
        // The lists are declared in the order of `ENGLISH`.
        &lists[self as usize]
    }

    /// The English entries of this list, in file order.
    pub fn english(self) -> &'static [&'static str] {
        &self.loaded().entries
    }

    /// Whether `word` (lower case) is an entry of the English list.
    pub fn contains(self, word: &str) -> bool {
        self.loaded().sorted.binary_search(&word).is_ok()
    }
}

/// A word of one to eight ASCII letters as one number, lower-cased: every function word is
/// that short, so a look-up is a binary search over integers, with no allocation for the
/// lower-casing.
fn packed_word(word: &str) -> Option<u64> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut key = 0u64;
    for &byte in bytes {
        if !byte.is_ascii_alphabetic() {
            return None;
        }
        key = (key << 8) | u64::from(byte.to_ascii_lowercase());
    }
    Some(key)
}

/// Whether `word` (any case) is an English function word ([`Lexicon::FunctionWords`]).
pub fn is_function_word(word: &str) -> bool {
    static PACKED: OnceLock<Vec<u64>> = OnceLock::new();
    let packed = PACKED.get_or_init(|| {
        let mut keys: Vec<u64> = Lexicon::FunctionWords
            .english()
            .iter()
            .map(|w| packed_word(w).expect("function words are short ASCII words"))
            .collect();
        keys.sort_unstable();
        keys
    });
    packed_word(word).is_some_and(|key| packed.binary_search(&key).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_loads_lower_case_entries() {
        for (list, _) in ENGLISH {
            let entries = list.english();
            assert!(entries.len() >= 10, "{list:?}");
            for entry in entries {
                assert_eq!(*entry, entry.to_lowercase(), "{list:?}");
                assert_eq!(*entry, entry.trim(), "{list:?}");
            }
        }
    }

    #[test]
    fn lists_are_found_by_their_own_name() {
        for (position, (list, _)) in ENGLISH.iter().enumerate() {
            assert_eq!(*list as usize, position, "{list:?}");
            for entry in list.english() {
                assert!(list.contains(entry), "{list:?} {entry}");
            }
        }
        assert!(!Lexicon::Months.contains("monday"));
    }

    #[test]
    fn spelling_variants_are_pairs_of_different_words() {
        let pairs = spelling_variants();
        assert!(pairs.len() >= 50);
        for (british, american) in pairs {
            assert_ne!(british, american);
            assert!(!british.contains(' ') && !american.contains(' '));
        }
        assert!(pairs.contains(&("colour", "color")));
    }

    #[test]
    fn every_function_word_packs() {
        for word in Lexicon::FunctionWords.english() {
            assert!(packed_word(word).is_some(), "{word}");
            assert!(is_function_word(word), "{word}");
        }
        assert!(is_function_word("The"));
        assert!(!is_function_word("theatre"));
        assert!(!is_function_word("thé"));
        assert!(!is_function_word(""));
    }
}
