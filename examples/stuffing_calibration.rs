//! Calibrates the keyword-stuffing flag.
//!
//! Negatives: natural prose (the sample corpus, and, when ../shared is present, the gold article
//! bodies of the article extraction benchmark and the gold main text and title of the WCXB
//! development split's article pages) and naturally repetitive controls generated
//! here: market reports (units, numbers, tickers), sports results (team names beside scores) and
//! profiles (one person's name throughout). Positives: the natural texts with a key phrase of 1
//! to 4 words injected at known densities from 1 to 7 % (occurrences × words / text words).
//! Prints the score distribution, the AUC per density and over all of them, and the
//! false-positive rate of candidate thresholds.
//! Run: `cargo run --release --example stuffing_calibration`.

use std::path::Path;

use reprint::ingest::{Corpus, InputSpec, parse_record};
use reprint::quality::{stuffing, top_phrases};

/// A small seeded generator (SplitMix64), so the controls are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A text and its title, when it has one.
type Titled = (String, Option<String>);

/// Natural texts: news (the sample corpus and the benchmark's article bodies) and web articles
/// (WCXB's article pages: news, blogs and reviews of 2025-26), each of 120 words or more.
fn natural_texts() -> (Vec<Titled>, Vec<Titled>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    // The sample corpus's stuffed pages, which its truth file names, are positives.
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/corpus-truth.json")).unwrap(),
    )
    .unwrap();
    let stuffed = truth["quality"]["stuffed_phrase"].as_object().unwrap();
    let corpus = Corpus::open(&[InputSpec::Path(root.join("corpus"))]).unwrap();
    corpus
        .for_each_batch(1 << 20, |batch| {
            for raw in batch {
                if let Ok(doc) = parse_record(&raw, &Default::default())
                    && !stuffed.contains_key(&doc.id)
                {
                    texts.push((doc.text, doc.title));
                }
            }
            Ok(())
        })
        .unwrap();
    let gold =
        root.join("../shared/data/scrapinghub-article-extraction-benchmark/ground-truth.json");
    if let Ok(json) = std::fs::read_to_string(&gold) {
        let pages: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&json).unwrap();
        let mut keys: Vec<&String> = pages.keys().collect();
        keys.sort();
        for key in keys {
            if let Some(body) = pages[key]["articleBody"].as_str() {
                texts.push((body.to_string(), None));
            }
        }
    }
    texts.retain(|(t, _)| t.split_whitespace().count() >= 120);
    let news = std::mem::take(&mut texts);
    // The WCXB development split's article pages (2025-26 news and blogs): their gold main
    // text and title.
    let wcxb = root.join("../shared/data/wcxb-dev/dev/ground-truth");
    if let Ok(entries) = std::fs::read_dir(&wcxb) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(json) = std::fs::read_to_string(&path) else {
                continue;
            };
            let page: serde_json::Value = serde_json::from_str(&json).unwrap();
            if page["_internal"]["page_type"]["primary"] != "article" {
                continue;
            }
            let truth = &page["ground_truth"];
            if let Some(body) = truth["main_content"].as_str() {
                let title = truth["title"].as_str().map(str::to_string);
                texts.push((body.to_string(), title));
            }
        }
    }
    texts.retain(|(t, _)| t.split_whitespace().count() >= 120);
    (news, texts)
}

const COMPANIES: &[&str] = &[
    "Harlow Mills",
    "Brent Shipping",
    "Corvane Foods",
    "Delmar Energy",
    "Estuary Bank",
    "Fenwick Retail",
    "Garrow Steel",
    "Holm Pharma",
];
const TEAMS: &[&str] = &[
    "Rosebank Rovers",
    "Marrow Athletic",
    "Keld United",
    "Thorne Town",
    "Dunmore City",
    "Elmsford Wanderers",
    "Corrick Rangers",
    "Valley Harriers",
];

fn market_report(rng: &mut Rng) -> String {
    let mut lines = vec!["Market report: results in brief".to_string()];
    for _ in 0..(12 + rng.below(12)) {
        let company = rng.pick(COMPANIES);
        let ticker: String = company
            .split(' ')
            .map(|w| &w[..2])
            .collect::<String>()
            .to_uppercase();
        lines.push(format!(
            "{company} ({ticker}) net profit {}.{} mln vs {}.{} mln; revenue {} mln vs {} mln, up {} pct; margin {}.{} pct vs {}.{} pct.",
            rng.below(90) + 5, rng.below(10), rng.below(90) + 5, rng.below(10),
            rng.below(900) + 100, rng.below(900) + 100, rng.below(12), rng.below(20), rng.below(10),
            rng.below(20), rng.below(10),
        ));
        // Reports word their asides differently each time; the labels of numbers repeat.
        let aside = match rng.below(3) {
            0 => format!(
                "Shares in {company} closed {} pct higher at {}.{}.",
                rng.below(8) + 1,
                rng.below(400) + 20,
                rng.below(100)
            ),
            1 => format!(
                "Analysts polled before the release had forecast {} mln.",
                rng.below(90) + 5
            ),
            _ => format!(
                "The board proposed a dividend of {} cents a share.",
                rng.below(60) + 5
            ),
        };
        lines.push(aside);
    }
    lines.join("\n")
}

fn sports_results(rng: &mut Rng) -> String {
    let mut lines = vec!["Weekend results and table".to_string()];
    for _ in 0..(10 + rng.below(10)) {
        let (home, away) = (rng.pick(TEAMS), rng.pick(TEAMS));
        lines.push(format!("{home} {} {away} {}", rng.below(5), rng.below(5)));
    }
    lines.push(
        "Rosebank Rovers stay top after a fourth win in a row, while Keld United slip to third."
            .to_string(),
    );
    for (position, team) in TEAMS.iter().enumerate() {
        lines.push(format!(
            "{} {team} played {} points {}",
            position + 1,
            10 + rng.below(3),
            30 - 3 * position
        ));
    }
    lines.join("\n")
}

const PROFILE_SENTENCES: &[&str] = &[
    "NAME grew up on a farm outside Elmsford and left school at sixteen to work in a boatyard.",
    "By thirty she had taken over the yard and rebuilt it around wooden dinghies.",
    "Customers came from across the coast, and NAME still answers every letter by hand.",
    "Asked about retirement, she laughs and points at the half-finished hull in the shed.",
    "The dinghies take four months each, and the waiting list runs to two years.",
    "Her daughter now keeps the accounts, though NAME insists on choosing every plank.",
    "Last winter a storm tore the roof off the shed, and the family rebuilt it in a fortnight.",
    "Friends describe NAME as patient, stubborn and quick to share a pot of tea.",
    "The town gave her a civic award in the spring, a ceremony she called a fuss.",
    "NAME has trained eleven apprentices, three of whom now run yards of their own.",
    "Oak for the keels comes from a wood two valleys away, felled in winter and dried for a year.",
    "On Saturdays the yard opens to visitors, who are handed a broom before they are handed tea.",
    "A museum in the capital bought one of the early boats, which NAME calls her worst work.",
    "The secret, according to NAME, is to let the timber decide where it wants to bend.",
    "Her first boat still sails on the estuary, owned by the grandson of its first buyer.",
    "Competitions hold no interest for her, though her boats have won several of them.",
    "She keeps a notebook of every hull, with the weather on the day each plank went on.",
    "Young builders write to ask for advice, and NAME replies with sketches rather than words.",
];

fn profile(rng: &mut Rng) -> (String, Option<String>) {
    let name = rng.pick(&[
        "Margaret Holm",
        "Ruth Okafor",
        "Ada Castellan",
        "Nell Tarrant",
    ]);
    let surname = name.split(' ').nth(1).unwrap();
    // Each sentence once, in a shuffled order: a profile repeats a name, not sentences.
    let mut order: Vec<usize> = (0..PROFILE_SENTENCES.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let sentences: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, &s)| PROFILE_SENTENCES[s].replace("NAME", if i == 0 { name } else { surname }))
        .collect();
    (
        sentences.join(" "),
        Some(format!("{name}: a life in boats")),
    )
}

const KEY_PHRASES: &[&str] = &[
    "casino",
    "cheap flights",
    "best running shoes",
    "buy garden furniture online",
    "loans",
    "teeth whitening",
    "luxury villa rentals",
    "emergency plumber near me",
];

/// `text` with `phrase` inserted as evenly spaced sentences until it covers `density` of the
/// words.
fn inject(text: &str, phrase: &str, density: f64) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = phrase.split_whitespace().count();
    let times = ((density * words.len() as f64) / (n as f64 * (1.0 - density)))
        .round()
        .max(1.0) as usize;
    let step = (words.len() / times).max(1);
    let mut out = Vec::with_capacity(words.len() + times * (n + 2));
    for (i, word) in words.iter().enumerate() {
        out.push(word.to_string());
        if i % step == step - 1 && out.len() < words.len() + times * (n + 1) {
            out.push(format!("{phrase}."));
        }
    }
    out.join(" ")
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative (ties count half).
fn auc(positives: &[f64], negatives: &[f64]) -> f64 {
    let mut wins = 0.0;
    for &p in positives {
        for &n in negatives {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (positives.len() * negatives.len()) as f64
}

fn main() {
    let (news, web) = natural_texts();
    let news_count = news.len();
    let natural: Vec<Titled> = news.into_iter().chain(web).collect();
    let mut rng = Rng(17);
    let natural_scores: Vec<f64> = natural
        .iter()
        .map(|(t, title)| stuffing(t, title.as_deref()).score)
        .collect();
    let mut controls: Vec<(&str, f64, String)> = Vec::new();
    for _ in 0..100 {
        let report = market_report(&mut rng);
        controls.push((
            "market report",
            stuffing(&report, None).score,
            describe(&report, None),
        ));
        let results = sports_results(&mut rng);
        controls.push((
            "sports results",
            stuffing(&results, None).score,
            describe(&results, None),
        ));
        let (text, title) = profile(&mut rng);
        controls.push((
            "profile",
            stuffing(&text, title.as_deref()).score,
            describe(&text, title.as_deref()),
        ));
    }
    let negatives: Vec<f64> = natural_scores
        .iter()
        .copied()
        .chain(controls.iter().map(|c| c.1))
        .collect();
    println!(
        "{} natural texts, {} controls (market reports, sports results, profiles)",
        natural.len(),
        controls.len()
    );
    let densities = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07];
    let mut positives_by_density: Vec<Vec<f64>> = Vec::new();
    for &density in &densities {
        let scores: Vec<f64> = natural
            .iter()
            .enumerate()
            .map(|(i, (text, title))| {
                let phrase = KEY_PHRASES[i % KEY_PHRASES.len()];
                // Half the pages also put the phrase in the title, as search padding does.
                let title = if i % 2 == 0 {
                    Some(phrase.to_string())
                } else {
                    title.clone()
                };
                let injected = inject(text, phrase, density);
                let score = stuffing(&injected, title.as_deref()).score;
                if (density - 0.04).abs() < 1e-9
                    && score < 0.1
                    && std::env::var_os("SHOW_MISSES").is_some()
                {
                    println!(
                        "  missed {phrase:?}: {}",
                        describe(&injected, title.as_deref())
                    );
                }
                score
            })
            .collect();
        positives_by_density.push(scores);
    }
    println!(
        "\ndensity of the top content phrase in natural texts, by length (p50 p90 p95 p99 max):"
    );
    for n in 0..4 {
        let mut densities: Vec<f64> = natural
            .iter()
            .map(|(t, title)| {
                top_phrases(t, title.as_deref())[n]
                    .as_ref()
                    .map_or(0.0, |p| p.density)
            })
            .collect();
        densities.sort_by(f64::total_cmp);
        let at = |q: f64| densities[((densities.len() - 1) as f64 * q).round() as usize];
        println!(
            "  {} word(s): {:.4} {:.4} {:.4} {:.4} {:.4}",
            n + 1,
            at(0.5),
            at(0.9),
            at(0.95),
            at(0.99),
            at(1.0)
        );
    }
    println!("\nAUC of the stuffing score, injected phrase vs all negatives:");
    for (density, scores) in densities.iter().zip(&positives_by_density) {
        println!(
            "  density {:>4.1} %: AUC {:.4}",
            density * 100.0,
            auc(scores, &negatives)
        );
    }
    let all_positives: Vec<f64> = positives_by_density.iter().flatten().copied().collect();
    println!(
        "  all densities 1-7 %: AUC {:.4}",
        auc(&all_positives, &negatives)
    );
    println!(
        "\nthreshold  FPR news ({news_count})  FPR web ({})  FPR controls  TPR at 1% 2% 3% 4% 5% 6% 7%",
        natural.len() - news_count
    );
    for threshold in [0.0001, 0.05, 0.1, 0.15, 0.2, 0.3] {
        let rate = |scores: &[f64]| {
            scores.iter().filter(|&&s| s >= threshold).count() as f64 / scores.len() as f64
        };
        let control_scores: Vec<f64> = controls.iter().map(|c| c.1).collect();
        let tpr: Vec<String> = positives_by_density
            .iter()
            .map(|s| format!("{:.3}", rate(s)))
            .collect();
        println!(
            "  {threshold:<8} {:>15.4} {:>13.4} {:>13.4}  {}",
            rate(&natural_scores[..news_count]),
            rate(&natural_scores[news_count..]),
            rate(&control_scores),
            tpr.join(" ")
        );
    }
    for kind in ["market report", "sports results", "profile"] {
        let worst = controls
            .iter()
            .filter(|c| c.0 == kind)
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .unwrap();
        let flagged = controls.iter().filter(|c| c.0 == kind && c.1 > 0.0).count();
        println!(
            "{kind}: {flagged} of 100 above 0; highest {:.3} ({})",
            worst.1, worst.2
        );
    }
    if std::env::var_os("SHOW_NATURAL").is_some() {
        for (i, ((text, title), score)) in natural.iter().zip(&natural_scores).enumerate() {
            if *score > 0.0 {
                println!(
                    "  natural {} {score:.3}: {} words, {}",
                    if i < news_count { "news" } else { "web" },
                    text.split_whitespace().count(),
                    describe(text, title.as_deref())
                );
            }
        }
    }
    let (worst_natural, score) = natural
        .iter()
        .zip(&natural_scores)
        .max_by(|x, y| x.1.total_cmp(y.1))
        .unwrap();
    println!(
        "highest natural text scores {score:.3} ({})",
        describe(&worst_natural.0, worst_natural.1.as_deref())
    );
}

fn describe(text: &str, title: Option<&str>) -> String {
    match stuffing(text, title).phrase {
        Some(p) => format!(
            "\"{}\" x{}, {:.1} % of words",
            p.phrase,
            p.count,
            100.0 * p.density
        ),
        None => "no repeated phrase".to_string(),
    }
}
