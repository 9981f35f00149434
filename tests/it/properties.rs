//! Property tests of the invariants the pipeline relies on.

use proptest::prelude::*;

use reprint::candidates::lsh::LshParams;
use reprint::candidates::minhash::{MinHashParams, MinHasher, SketchScheme};
use reprint::text::normalize::normalize;
use reprint::verify::{jaccard, verify_pair};

fn sorted_set() -> impl Strategy<Value = Vec<u64>> {
    proptest::collection::btree_set(0u64..400, 0..120).prop_map(|s| s.into_iter().collect())
}

proptest! {
    #[test]
    fn jaccard_is_symmetric_and_in_unit_interval(a in sorted_set(), b in sorted_set()) {
        let ab = verify_pair(0, 1, &a, &b);
        let ba = verify_pair(0, 1, &b, &a);
        prop_assert_eq!(ab.jaccard, ba.jaccard);
        prop_assert_eq!(ab.containment_ab, ba.containment_ba);
        prop_assert!((0.0..=1.0).contains(&ab.jaccard));
        prop_assert!(ab.jaccard <= ab.containment_ab.min(ab.containment_ba) + 1e-12);
    }

    #[test]
    fn passages_are_ordered_disjoint_ranges_on_char_boundaries(
        words in proptest::collection::vec("[a-cé]{1,3}|[A-Z][a-z]{0,2}|\\d{1,2}", 5..80),
        cut in 0usize..40,
        inserted in proptest::collection::vec("[x-zü]{1,4}", 0..6),
    ) {
        use reprint::verify::align::{AlignParams, align};
        let a = words.join(" ");
        // b: a prefix-cut, with a few words inserted at spread positions, punctuation between.
        let mut b_words: Vec<String> = words[cut.min(words.len())..].to_vec();
        for (k, word) in inserted.iter().enumerate() {
            let at = (k * 7) % (b_words.len() + 1);
            b_words.insert(at, word.clone());
        }
        let b = b_words.join(", ");
        let passages = align(&normalize(&a), &normalize(&b), &AlignParams::new(3, 4).unwrap());
        let mut last_end = 0;
        for p in &passages {
            prop_assert!(p.a_start < p.a_end && p.b_start < p.b_end);
            prop_assert!(a.is_char_boundary(p.a_start as usize) && a.is_char_boundary(p.a_end as usize));
            prop_assert!(b.is_char_boundary(p.b_start as usize) && b.is_char_boundary(p.b_end as usize));
            prop_assert!(p.a_end as usize <= a.len() && p.b_end as usize <= b.len());
            prop_assert!(p.a_start >= last_end, "passages overlap in a");
            last_end = p.a_end;
        }
        // The same passages whichever text comes first, and none overlap in b either.
        let swapped = align(&normalize(&b), &normalize(&a), &AlignParams::new(3, 4).unwrap());
        let mut mirrored: Vec<(u32, u32, u32, u32)> =
            swapped.iter().map(|p| (p.b_start, p.b_end, p.a_start, p.a_end)).collect();
        mirrored.sort_unstable();
        let ours: Vec<(u32, u32, u32, u32)> =
            passages.iter().map(|p| (p.a_start, p.a_end, p.b_start, p.b_end)).collect();
        prop_assert_eq!(ours, mirrored);
        let mut in_b: Vec<(u32, u32)> = passages.iter().map(|p| (p.b_start, p.b_end)).collect();
        in_b.sort_unstable();
        prop_assert!(in_b.windows(2).all(|w| w[0].1 <= w[1].0), "passages overlap in b");
    }

    #[test]
    fn normalize_is_idempotent(text in "\\PC{0,200}") {
        let once = normalize(&text).text;
        prop_assert_eq!(normalize(&once).text, once);
    }

    #[test]
    fn normalized_offsets_are_char_boundaries_in_order(text in "\\PC{0,200}") {
        let normalized = normalize(&text);
        let mut previous_end = 0;
        for word in &normalized.words {
            prop_assert!(word.orig_start < word.orig_end);
            prop_assert!(word.orig_start >= previous_end);
            prop_assert!(text.is_char_boundary(word.orig_start as usize));
            prop_assert!(text.is_char_boundary(word.orig_end as usize));
            previous_end = word.orig_end;
        }
    }

    #[test]
    fn identical_documents_always_become_candidates(set in proptest::collection::btree_set(any::<u64>(), 1..300), threshold in 0.05f64..1.0) {
        let set: Vec<u64> = set.into_iter().collect();
        let hasher = MinHasher::new(MinHashParams::default());
        let lsh = LshParams::for_threshold(threshold, 128).unwrap();
        let a = lsh.band_keys(&hasher.sketch(&set).unwrap());
        let b = lsh.band_keys(&hasher.sketch(&set.clone()).unwrap());
        prop_assert!(a.iter().zip(&b).any(|(x, y)| x == y));
    }

    #[test]
    fn minhash_estimate_is_within_bound_of_exact_jaccard(
        shared in 0usize..400,
        only_a in 0usize..400,
        only_b in 0usize..400,
        offset in any::<u32>(),
        classic in any::<bool>(),
    ) {
        prop_assume!(shared + only_a > 0 && shared + only_b > 0);
        // Distinct well-spread values: the universe is split into three disjoint ranges.
        let value = |i: usize| (offset as u64).wrapping_add(i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut a: Vec<u64> = (0..shared).chain(1000..1000 + only_a).map(value).collect();
        let mut b: Vec<u64> = (0..shared).chain(2000..2000 + only_b).map(value).collect();
        a.sort_unstable();
        b.sort_unstable();
        let exact = jaccard(&a, &b);
        let scheme = if classic { SketchScheme::KPermutation } else { SketchScheme::OnePermutation };
        let hasher = MinHasher::new(MinHashParams::new(256, 42, scheme).unwrap());
        let estimate = hasher.sketch(&a).unwrap().estimate_jaccard(&hasher.sketch(&b).unwrap());
        // Standard error is at most sqrt(1/4/256) = 1/32; five of them is a bound a correct
        // sketch exceeds about once in three million cases.
        prop_assert!((estimate - exact).abs() <= 5.0 / 32.0, "estimate {} exact {}", estimate, exact);
    }
}

proptest! {
    // Each case writes and scans a small corpus twice; a few cases keep the suite fast.
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn clusters_are_independent_of_thread_count_and_hold_only_copies_of_the_original(
        seed in 0u64..1_000_000,
        copy_rate in 0.1f64..0.6,
        lift_rate in 0.0f64..0.3,
        truncate_rate in 0.0f64..0.5,
    ) {
        use reprint::pipeline::ScanParams;
        use reprint::synth::{Generator, SynthParams};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corpus.jsonl");
        let generator = Generator::new(SynthParams {
            docs: 300,
            seed,
            copy_rate,
            lift_rate,
            truncate_rate,
            ..SynthParams::default()
        })
        .unwrap();
        crate::support::write_generated_corpus(&path, &generator);
        let one = crate::support::scan(std::slice::from_ref(&path), &ScanParams { threads: 1, ..ScanParams::default() });
        let three = crate::support::scan(std::slice::from_ref(&path), &ScanParams { threads: 3, ..ScanParams::default() });
        let view = |r: &reprint::pipeline::ScanResult| {
            let clusters: Vec<(Vec<u32>, u32)> = r.clusters.iter().map(|c| (c.members.clone(), c.representative)).collect();
            let pairs: Vec<(u32, u32, u64, String)> = r.pairs.iter().map(|p| (p.figures.a, p.figures.b, p.figures.jaccard.to_bits(), format!("{:?} {:?} {:?}", p.relation(), p.direction, p.passages))).collect();
            (clusters, pairs)
        };
        prop_assert!(!one.clusters.is_empty());
        prop_assert_eq!(view(&one), view(&three));
        // No chaining: every member has a copy pair with its cluster's representative.
        for cluster in &one.clusters {
            for &member in cluster.members.iter().filter(|&&m| m != cluster.representative) {
                let key = (member.min(cluster.representative), member.max(cluster.representative));
                let linked = one.pairs.iter().any(|p| {
                    (p.figures.a, p.figures.b) == key && p.relation() == reprint::relate::relation::Relation::Copy
                });
                prop_assert!(linked, "member {} of cluster {} is not a copy of its original", member, cluster.id);
            }
        }
    }
}

/// A word of letters only for index `i`: consonant-vowel syllables, so texts read as prose
/// to the line rules.
fn syllable_word(i: u32) -> String {
    const CONSONANTS: &[u8] = b"bdfgklmnprstv";
    const VOWELS: &[u8] = b"aeiou";
    let mut i = i as usize;
    let mut word = String::new();
    loop {
        word.push(CONSONANTS[i % CONSONANTS.len()] as char);
        i /= CONSONANTS.len();
        word.push(VOWELS[i % VOWELS.len()] as char);
        i /= VOWELS.len();
        if i == 0 {
            break;
        }
    }
    word
}

/// Paragraphs of sentences of word indices, rendered as prose.
fn render_paragraphs(paragraphs: &[Vec<Vec<u32>>]) -> String {
    paragraphs
        .iter()
        .map(|paragraph| {
            paragraph
                .iter()
                .map(|sentence| {
                    let words: Vec<String> = sentence.iter().map(|&w| syllable_word(w)).collect();
                    let mut sentence = words.join(" ");
                    sentence[..1].make_ascii_uppercase();
                    sentence + "."
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

proptest! {
    // Each case writes a two-record corpus and explains the pair.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A copy with up to 10 % of its words substituted, cut to the first half of its
    /// paragraphs and with those paragraphs shuffled, is always a copy of its original.
    #[test]
    fn an_edited_cut_and_reordered_copy_is_always_a_copy(
        paragraphs in proptest::collection::vec(
            proptest::collection::vec(proptest::collection::vec(0u32..5_000, 8..24), 2..5),
            4..12,
        ),
        edit_rate in 0.0f64..=0.10,
        seed in any::<u64>(),
    ) {
        use reprint::ingest::{Corpus, InputSpec};
        use reprint::pipeline::{ScanParams, explain};
        use reprint::relate::relation::Relation;
        // A small seeded stream for which words change and how the paragraphs move.
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut copy: Vec<Vec<Vec<u32>>> = paragraphs[..paragraphs.len().div_ceil(2)].to_vec();
        for word in copy.iter_mut().flatten().flatten() {
            if (next() % 10_000) as f64 / 10_000.0 < edit_rate {
                *word = 5_000 + (next() % 5_000) as u32;
            }
        }
        for i in (1..copy.len()).rev() {
            copy.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pair.jsonl");
        crate::support::write_jsonl(&path, &[
            ("original".to_string(), render_paragraphs(&paragraphs)),
            ("copy".to_string(), render_paragraphs(&copy)),
        ]);
        let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
        let explained = explain(&corpus, &ScanParams::default(), "original", "copy").unwrap();
        prop_assert_eq!(explained.verdict.relation(), Relation::Copy, "{}", explained.verdict);
    }
}

/// The texts of the sample corpus's JSONL records and text files.
fn sample_texts() -> Vec<(String, String)> {
    let root = crate::support::sample_corpus();
    let mut texts = Vec::new();
    for line in std::fs::read_to_string(root.join("news.jsonl"))
        .unwrap()
        .lines()
    {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if let (Some(id), Some(text)) = (record["id"].as_str(), record["text"].as_str()) {
            texts.push((id.to_string(), text.to_string()));
        }
    }
    for entry in std::fs::read_dir(root.join("articles")).unwrap() {
        let path = entry.unwrap().path();
        texts.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    texts.sort();
    texts
}

/// A text's quality does not change when its paragraphs are hard-wrapped at any width from 40
/// to 100 columns, with CRLF line endings, or with indented paragraphs: scores within 0.02,
/// the same flags. Every width and combination, over every text of the sample corpus.
#[test]
fn quality_does_not_depend_on_wrapping() {
    use reprint::quality::assess;
    use reprint::testing::wrap::{quality_change, rewrap};
    let texts = sample_texts();
    let wholes: Vec<_> = texts
        .iter()
        .map(|(_, text)| assess(text, None, None).report)
        .collect();
    let mut failures = Vec::new();
    for width in 40..=100 {
        for (indent, crlf) in [(false, false), (true, false), (false, true), (true, true)] {
            for ((id, text), whole) in texts.iter().zip(&wholes) {
                let wrapped = assess(&rewrap(text, width, indent, crlf), None, None).report;
                let close = quality_change(whole, &wrapped) <= 0.02;
                if !close {
                    failures.push(format!(
                        "{id} at {width} (indent {indent}, crlf {crlf}): {:?} -> {:?}",
                        (whole.score, whole.boilerplate, &whole.flags),
                        (wrapped.score, wrapped.boilerplate, &wrapped.flags)
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases: {:#?}",
        failures.len(),
        61 * 4 * texts.len(),
        &failures[..failures.len().min(10)]
    );
}

/// One token of a restyled text: a plain word, a word with British and American spellings, or
/// a figure (in tenths, as a count or a percentage).
#[derive(Debug, Clone)]
enum StyledToken {
    Word(&'static str),
    Spelled(usize),
    Figure { tenths: u64, percent: bool },
}

fn styled_token() -> impl Strategy<Value = StyledToken> {
    let variants = reprint::text::lexicon::spelling_variants().len();
    prop_oneof![
        3 => proptest::sample::select(vec!["the", "port", "said", "on", "budget", "rose", "a"])
            .prop_map(StyledToken::Word),
        1 => (0..variants).prop_map(StyledToken::Spelled),
        1 => (1u64..100_000, any::<bool>())
            .prop_map(|(tenths, percent)| StyledToken::Figure { tenths, percent }),
    ]
}

/// Writes `tokens` in one house style: `style` picks how figures are written, `british` the
/// spelling, `width` where lines wrap.
fn write_styled(tokens: &[StyledToken], style: usize, british: bool, width: usize) -> String {
    let pairs = reprint::text::lexicon::spelling_variants();
    let words: Vec<String> = tokens
        .iter()
        .map(|token| match *token {
            StyledToken::Word(word) => word.to_string(),
            StyledToken::Spelled(pair) => {
                let (british_form, american_form) = pairs[pair];
                if british { british_form } else { american_form }.to_string()
            }
            StyledToken::Figure { tenths, percent } => {
                let (whole, tenth) = (tenths / 10, tenths % 10);
                let decimal = if tenth == 0 {
                    whole.to_string()
                } else {
                    format!("{whole}.{tenth}")
                };
                if percent {
                    let unit = ["%", " percent", " pct", " per cent"][style % 4];
                    format!("{decimal}{unit}")
                } else {
                    // The same count in millions, written four ways.
                    match style % 4 {
                        0 => format!("{decimal} million"),
                        1 => format!("{decimal} mln"),
                        2 => format!("£{decimal}m"),
                        _ => {
                            let digits = (tenths * 100_000).to_string();
                            let mut grouped = String::new();
                            for (i, c) in digits.chars().enumerate() {
                                if i > 0 && (digits.len() - i) % 3 == 0 {
                                    grouped.push(',');
                                }
                                grouped.push(c);
                            }
                            grouped
                        }
                    }
                }
            }
        })
        .collect();
    // Hard-wrapped at `width` columns: a line break may fall between a figure and its unit.
    let mut text = String::new();
    let mut column = 0;
    for word in words.join(" ").split(' ') {
        if column > 0 && column + word.len() >= width {
            text.push('\n');
            column = 0;
        } else if column > 0 {
            text.push(' ');
            column += 1;
        }
        text.push_str(word);
        column += word.len();
    }
    text
}

proptest! {
    #[test]
    fn restyled_figures_and_spellings_normalize_alike(
        tokens in proptest::collection::vec(styled_token(), 1..40),
        styles in (0usize..4, 0usize..4),
        british in (any::<bool>(), any::<bool>()),
        widths in (20usize..80, 20usize..80),
    ) {
        let a = write_styled(&tokens, styles.0, british.0, widths.0);
        let b = write_styled(&tokens, styles.1, british.1, widths.1);
        prop_assert_eq!(normalize(&a).text, normalize(&b).text, "{:?} / {:?}", a, b);
    }
}
