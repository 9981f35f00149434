//! Relations between two documents: `copy` (the same article republished, however trimmed or
//! wrapped), `partial` (a different article that reuses a passage of the other) or none, and
//! which of the two took the text from the other.
//!
//! The decision uses exact Jaccard and the shape of the aligned passages, not Jaccard alone:
//! a regional paper's cut of a wire story has a low Jaccard with it (the dropped half counts
//! against it) yet is made of the wire's text; a lifted paragraph gives the same
//! containment as a heavily edited copy but covers only a small part of either text.

use super::direction::Direction;
use crate::error::{Error, Result};
use crate::verify::VerifiedPair;
use crate::verify::align::Passage;

/// How two documents relate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Relation {
    /// The same article republished.
    Copy,
    /// A different article that reuses part of the other.
    Partial,
    /// No reuse worth reporting.
    None,
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Relation::Copy => "copy",
            Relation::Partial => "partial",
            Relation::None => "none",
        })
    }
}

/// Validated thresholds of the decision rule (see [`decide`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelationParams {
    copy_share: f64,
    partial_words: u32,
    partial_share: f64,
}

impl Default for RelationParams {
    /// The defaults measured on generated data (ARCHITECTURE.md, "Copy or partial").
    fn default() -> Self {
        RelationParams {
            copy_share: 0.7,
            partial_words: 20,
            partial_share: 0.02,
        }
    }
}

impl RelationParams {
    /// `copy_share`: least share of the shorter text that must be the other's text (in any
    /// order) for a copy below the Jaccard threshold; `partial_words`: words the longest shared
    /// passage needs for partial reuse; `partial_share`: least share of the shorter text the
    /// passages must cover for partial reuse.
    pub fn new(copy_share: f64, partial_words: u32, partial_share: f64) -> Result<Self> {
        for (name, value) in [
            ("--copy-share", copy_share),
            ("--partial-share", partial_share),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::param(
                    name,
                    format!("must be in [0, 1], got {value}"),
                ));
            }
        }
        if partial_words == 0 {
            return Err(Error::param("--partial-words", "must be at least 1"));
        }
        Ok(RelationParams {
            copy_share,
            partial_words,
            partial_share,
        })
    }

    /// Least in-order share of the shorter text for a copy.
    pub fn copy_share(&self) -> f64 {
        self.copy_share
    }

    /// Least length, in words, of the longest shared passage for partial reuse.
    pub fn partial_words(&self) -> u32 {
        self.partial_words
    }

    /// Least share of the shorter text in shared passages for partial reuse.
    pub fn partial_share(&self) -> f64 {
        self.partial_share
    }
}

/// What the aligned passages of a pair amount to, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Overlap {
    /// Words of each document.
    pub words: (u32, u32),
    /// Words of each document inside passages.
    pub aligned: (u32, u32),
    /// Words of each document inside the heaviest chain of passages that runs in the same
    /// order in both texts (what is left when moved paragraphs are discounted).
    pub ordered: (u32, u32),
    /// Words of the longest passage (in the first document).
    pub longest: u32,
}

impl Overlap {
    /// Summarizes `passages` (ordered by their position in the first text) of two documents
    /// with `words` words each.
    pub fn new(words: (u32, u32), passages: &[Passage]) -> Self {
        Overlap {
            words,
            aligned: (
                passages.iter().map(|p| p.words).sum(),
                passages.iter().map(|p| p.b_words).sum(),
            ),
            ordered: heaviest_ordered_chain(passages),
            longest: passages.iter().map(|p| p.words).max().unwrap_or(0),
        }
    }

    /// Share of each document's words inside passages.
    pub fn shares(&self) -> (f64, f64) {
        (
            share(self.aligned.0, self.words.0),
            share(self.aligned.1, self.words.1),
        )
    }

    /// Whether the first document is the shorter one (ties: the first).
    fn first_is_shorter(&self) -> bool {
        self.words.0 <= self.words.1
    }

    /// Share of the shorter document inside passages that keep their order.
    pub fn ordered_share_of_shorter(&self) -> f64 {
        if self.first_is_shorter() {
            share(self.ordered.0, self.words.0)
        } else {
            share(self.ordered.1, self.words.1)
        }
    }

    /// Share of the shorter document inside passages.
    pub fn share_of_shorter(&self) -> f64 {
        let (a, b) = self.shares();
        if self.first_is_shorter() { a } else { b }
    }
}

fn share(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (f64::from(part) / f64::from(whole)).min(1.0)
    }
}

/// Words in each text of the heaviest subsequence of passages that increases in both texts.
/// Passages come ordered by the first text; there are few, so quadratic time is fine.
fn heaviest_ordered_chain(passages: &[Passage]) -> (u32, u32) {
    let mut best: Vec<(u32, u32, Option<usize>)> = Vec::with_capacity(passages.len());
    for (i, p) in passages.iter().enumerate() {
        let mut entry = (p.words, p.b_words, None);
        for (j, q) in passages[..i].iter().enumerate() {
            let (weight, b_weight, _) = best[j];
            if q.b_end <= p.b_start && weight + p.words > entry.0 {
                entry = (weight + p.words, b_weight + p.b_words, Some(j));
            }
        }
        best.push(entry);
    }
    best.iter()
        .map(|&(a, b, _)| (a, b))
        .max_by_key(|&(a, _)| a)
        .unwrap_or((0, 0))
}

/// One of the two documents of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PairSide {
    /// The document earlier in the input.
    A,
    /// The document later in the input.
    B,
}

impl std::fmt::Display for PairSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PairSide::A => "a",
            PairSide::B => "b",
        })
    }
}

/// The relation of a pair with the figures that decided it: which step of [`decide`]'s rule
/// applied. `Display` gives the reason in words.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Verdict {
    /// `copy`: the two texts are the same after normalization (the same words in the same
    /// order), found by a hash of their shingles before any pair was compared.
    Identical,
    /// `copy`: the exact Jaccard reaches the threshold.
    AboveThreshold {
        /// Exact Jaccard of the pair.
        jaccard: f64,
        /// The scan's threshold.
        threshold: f64,
    },
    /// None: below the threshold, and too few shingles shared to hold a passage.
    NotAligned {
        /// Exact Jaccard of the pair.
        jaccard: f64,
        /// The scan's threshold.
        threshold: f64,
    },
    /// `copy`: below the threshold, but passages cover enough of the shorter text, in
    /// whatever order: papers move paragraphs of the stories they reprint.
    Covered {
        /// Exact Jaccard of the pair.
        jaccard: f64,
        /// The scan's threshold.
        threshold: f64,
        /// Share of the shorter text inside passages.
        covered: f64,
        /// Share of the shorter text inside passages that keep their order.
        ordered: f64,
        /// Which document is the shorter.
        shorter: PairSide,
        /// The least such share for a copy.
        copy_share: f64,
    },
    /// `partial`: a passage long enough is shared, but too little of the shorter text is the
    /// other's for a copy.
    SharedPassage {
        /// Words of the longest shared passage.
        longest: u32,
        /// The least length for partial reuse.
        partial_words: u32,
        /// Share of each document's words inside passages.
        shares: (f64, f64),
        /// Which document is the shorter.
        shorter: PairSide,
        /// The least share of the shorter text for a copy.
        copy_share: f64,
    },
    /// None: what is shared is too short or too small a share of the shorter text.
    TooLittle {
        /// Exact Jaccard of the pair.
        jaccard: f64,
        /// The scan's threshold.
        threshold: f64,
        /// Words of the longest shared passage.
        longest: u32,
        /// The least length for partial reuse.
        partial_words: u32,
        /// Share of the shorter text inside passages.
        share_of_shorter: f64,
        /// The least such share for partial reuse.
        partial_share: f64,
    },
    /// None: what the two texts share recurs across the corpus (an outlet's page template),
    /// while the text each holds of its own, which no other document repeats, is not found in
    /// the other: two different articles in one template.
    OnlyRecurringText {
        /// The relation the shared text alone would have made.
        shared: Relation,
        /// Shingles of each document's own text.
        own: (u32, u32),
        /// Share of each document's own shingles found in the other document.
        found: (f64, f64),
        /// The largest such share for two documents to be told apart this way.
        max_found: f64,
    },
}

impl PairSide {
    /// The other side.
    pub fn other(self) -> PairSide {
        match self {
            PairSide::A => PairSide::B,
            PairSide::B => PairSide::A,
        }
    }
}

impl Verdict {
    /// The same verdict with the pair's two documents in the other order.
    pub fn swapped(self) -> Verdict {
        match self {
            Verdict::Covered {
                jaccard,
                threshold,
                covered,
                ordered,
                shorter,
                copy_share,
            } => Verdict::Covered {
                jaccard,
                threshold,
                covered,
                ordered,
                shorter: shorter.other(),
                copy_share,
            },
            Verdict::SharedPassage {
                longest,
                partial_words,
                shares: (share_a, share_b),
                shorter,
                copy_share,
            } => Verdict::SharedPassage {
                longest,
                partial_words,
                shares: (share_b, share_a),
                shorter: shorter.other(),
                copy_share,
            },
            Verdict::OnlyRecurringText {
                shared,
                own: (own_a, own_b),
                found: (found_a, found_b),
                max_found,
            } => Verdict::OnlyRecurringText {
                shared,
                own: (own_b, own_a),
                found: (found_b, found_a),
                max_found,
            },
            other => other,
        }
    }

    /// The relation this verdict decides.
    pub fn relation(&self) -> Relation {
        match self {
            Verdict::Identical | Verdict::AboveThreshold { .. } | Verdict::Covered { .. } => {
                Relation::Copy
            }
            Verdict::SharedPassage { .. } => Relation::Partial,
            Verdict::NotAligned { .. }
            | Verdict::TooLittle { .. }
            | Verdict::OnlyRecurringText { .. } => Relation::None,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Verdict::Identical => f.write_str("copy: the same main text after normalization"),
            Verdict::AboveThreshold { jaccard, threshold } => {
                write!(f, "copy: Jaccard {jaccard:.3} >= threshold {threshold}")
            }
            Verdict::NotAligned { jaccard, threshold } => write!(
                f,
                "none: Jaccard {jaccard:.3} < threshold {threshold} and too few shared shingles to align"
            ),
            Verdict::Covered {
                jaccard,
                threshold,
                covered,
                ordered,
                shorter,
                copy_share,
            } => write!(
                f,
                "copy: Jaccard {jaccard:.3} < threshold {threshold}, but {covered:.2} of the shorter text ({shorter}) is the other's text (>= {copy_share}), {ordered:.2} of it in the same order"
            ),
            Verdict::SharedPassage {
                longest,
                partial_words,
                shares: (share_a, share_b),
                shorter,
                copy_share,
            } => write!(
                f,
                "partial: a {longest}-word passage is shared (>= {partial_words}); passages cover {share_a:.2} of a and {share_b:.2} of b, too little of the shorter text ({shorter}) for a copy (< {copy_share})"
            ),
            Verdict::TooLittle {
                jaccard,
                threshold,
                longest,
                partial_words,
                share_of_shorter,
                partial_share,
            } => write!(
                f,
                "none: Jaccard {jaccard:.3} < threshold {threshold}; the longest shared passage has {longest} words (partial needs {partial_words}) and passages cover {share_of_shorter:.2} of the shorter text (partial needs {partial_share})"
            ),
            Verdict::OnlyRecurringText {
                shared,
                own: (own_a, own_b),
                found: (found_a, found_b),
                max_found,
            } => write!(
                f,
                "none: the shared text would make a {shared}, but it recurs across the corpus (a page template); of the text each has of its own ({own_a} and {own_b} shingles), only {found_a:.2} of a's is in b and {found_b:.2} of b's in a (< {max_found})"
            ),
        }
    }
}

/// The fewest shingles of its own each document needs before the pair can be told apart as
/// two articles in one template: an article of its own, as long as the shortest text the
/// quality rules do not call thin (50 words, after the Gopher rules; 46 five-word shingles).
/// A copy often carries a sentence or two of its own (a local angle, a credit), which must
/// not make it a different article.
pub const MIN_OWN_SHINGLES: u32 = 46;

/// The largest share of a document's own shingles found in the other for the two to count as
/// different articles. A copy's own text is its edits: a line with one word in five changed
/// still has a third of its five-word shingles in the original, so a tenth leaves room for
/// heavy edits while two different articles share next to nothing (measured: 0.00 between
/// the different articles of `tests/it/templates.rs`).
pub const MAX_OWN_FOUND: f64 = 0.1;

/// Overrules a copy `verdict` that rests on text recurring across the corpus:
/// when each document has at least [`MIN_OWN_SHINGLES`] shingles of its own (text outside the
/// lines that recur more widely than its story) and the other holds fewer than
/// [`MAX_OWN_FOUND`] of them and fewer than [`MIN_OWN_SHINGLES`] (not even a passage lifted
/// from one into the other), the two share only their template. `own` is `None` for a
/// document without such lines, whose text is all its own and already decided the verdict;
/// `found` gives how many of each document's own shingles the other holds.
pub fn overrule_recurring(
    verdict: Verdict,
    own: (Option<u32>, Option<u32>),
    found: impl FnOnce() -> (u32, u32),
) -> Verdict {
    // A partial pair sharing only template lines is dropped once the corpus's templates are
    // known; a passage lifted from a syndicated story recurs too, and must stay.
    let shared = verdict.relation();
    if shared != Relation::Copy {
        return verdict;
    }
    let (Some(own_a), Some(own_b)) = own else {
        return verdict;
    };
    if own_a < MIN_OWN_SHINGLES || own_b < MIN_OWN_SHINGLES {
        return verdict;
    }
    let (found_a, found_b) = found();
    let (share_a, share_b) = (
        f64::from(found_a) / f64::from(own_a),
        f64::from(found_b) / f64::from(own_b),
    );
    let apart = |found: u32, share: f64| found < MIN_OWN_SHINGLES && share < MAX_OWN_FOUND;
    if apart(found_a, share_a) && apart(found_b, share_b) {
        Verdict::OnlyRecurringText {
            shared,
            own: (own_a, own_b),
            found: (share_a, share_b),
            max_found: MAX_OWN_FOUND,
        }
    } else {
        verdict
    }
}

/// Decides how two documents relate.
///
/// 1. `copy` when the exact Jaccard reaches `threshold`;
/// 2. otherwise `copy` when passages cover at least `copy_share` of the shorter text, in
///    whatever order: it is the other's text, trimmed, rearranged or wrapped in a few lines
///    of its own (a lift covers a paragraph or two of the article it sits in);
/// 3. otherwise `partial` when the longest passage has at least `partial_words` words and
///    the passages cover at least `partial_share` of the shorter text;
/// 4. otherwise none.
///
/// `overlap` is `None` when the pair was not aligned (it shares too little to matter).
pub fn decide(
    jaccard: f64,
    threshold: f64,
    overlap: Option<&Overlap>,
    params: &RelationParams,
) -> Verdict {
    if jaccard >= threshold {
        return Verdict::AboveThreshold { jaccard, threshold };
    }
    let Some(overlap) = overlap else {
        return Verdict::NotAligned { jaccard, threshold };
    };
    let shorter = if overlap.first_is_shorter() {
        PairSide::A
    } else {
        PairSide::B
    };
    let covered = overlap.share_of_shorter();
    if covered >= params.copy_share {
        Verdict::Covered {
            jaccard,
            threshold,
            covered,
            ordered: overlap.ordered_share_of_shorter(),
            shorter,
            copy_share: params.copy_share,
        }
    } else if overlap.longest >= params.partial_words
        && overlap.share_of_shorter() >= params.partial_share
    {
        Verdict::SharedPassage {
            longest: overlap.longest,
            partial_words: params.partial_words,
            shares: overlap.shares(),
            shorter,
            copy_share: params.copy_share,
        }
    } else {
        Verdict::TooLittle {
            jaccard,
            threshold,
            longest: overlap.longest,
            partial_words: params.partial_words,
            share_of_shorter: overlap.share_of_shorter(),
            partial_share: params.partial_share,
        }
    }
}

/// A verified pair with its relation, the reused passages and, once clusters are known, who
/// took the text from whom.
// Serialized only to carry a verified pair from the worker that verified it to the one that
// clusters (`pipeline::sharded`); the direction is decided after that, on the clusters.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RelatedPair {
    /// Exact Jaccard and containment.
    pub figures: VerifiedPair,
    /// How the two relate, with the figures that decided it.
    pub verdict: Verdict,
    /// Share of each document's words inside the passages; the shingle containment when the
    /// pair was not aligned.
    pub shares: (f64, f64),
    /// The reused passages, when they were computed and asked for.
    pub passages: Option<Vec<Passage>>,
    /// Who took the text from whom, and why; `None` until clusters are known.
    #[serde(skip)]
    pub direction: Option<Direction>,
}

impl RelatedPair {
    /// How the two relate.
    pub fn relation(&self) -> Relation {
        self.verdict.relation()
    }

    /// The corpus index of the document the text was taken from, when known.
    pub fn from(&self) -> Option<u32> {
        match self.direction.as_ref()?.source()? {
            PairSide::A => Some(self.figures.a),
            PairSide::B => Some(self.figures.b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_sharing_only_recurring_text_is_overruled() {
        let copy = Verdict::AboveThreshold {
            jaccard: 0.8,
            threshold: 0.5,
        };
        // Two articles of their own, neither in the other: the template made the copy.
        let overruled = overrule_recurring(copy, (Some(100), Some(90)), || (0, 2));
        assert_eq!(overruled.relation(), Relation::None);
        assert!(
            overruled.to_string().contains("recurs across the corpus"),
            "{overruled}"
        );
        assert_eq!(
            overruled.swapped(),
            Verdict::OnlyRecurringText {
                shared: Relation::Copy,
                own: (90, 100),
                found: (2.0 / 90.0, 0.0),
                max_found: MAX_OWN_FOUND,
            }
        );
        // An edited copy: its own text is its edits, found in the other.
        assert_eq!(
            overrule_recurring(copy, (Some(100), Some(80)), || (60, 0)),
            copy
        );
        // A paragraph of one's own text in the other is found, however small a share.
        assert_eq!(
            overrule_recurring(copy, (Some(800), Some(600)), || (60, 0)),
            copy
        );
        // Too little own text, or none, says nothing.
        assert_eq!(
            overrule_recurring(copy, (Some(100), Some(40)), || (0, 0)),
            copy
        );
        let partial = Verdict::SharedPassage {
            longest: 60,
            partial_words: 20,
            shares: (0.2, 0.3),
            shorter: PairSide::B,
            copy_share: 0.7,
        };
        assert_eq!(
            overrule_recurring(partial, (Some(100), Some(90)), || (0, 0)),
            partial
        );
        assert_eq!(overrule_recurring(copy, (Some(100), None), || (0, 0)), copy);
        let none = Verdict::NotAligned {
            jaccard: 0.1,
            threshold: 0.5,
        };
        assert_eq!(
            overrule_recurring(none, (Some(100), Some(90)), || (0, 0)),
            none
        );
    }

    fn passage(a: (u32, u32), b: (u32, u32)) -> Passage {
        Passage {
            a_start: a.0,
            a_end: a.1,
            b_start: b.0,
            b_end: b.1,
            words: a.1 - a.0,
            b_words: b.1 - b.0,
        }
    }

    #[test]
    fn jaccard_at_the_threshold_is_a_copy() {
        let verdict = decide(0.5, 0.5, None, &RelationParams::default());
        assert_eq!(verdict.relation(), Relation::Copy);
        assert_eq!(verdict.to_string(), "copy: Jaccard 0.500 >= threshold 0.5");
    }

    #[test]
    fn a_truncated_copy_is_a_copy_despite_low_jaccard() {
        // b is the first 100 of a's 250 words, with its own 5-word header.
        let overlap = Overlap::new((250, 105), &[passage((0, 100), (5, 105))]);
        let verdict = decide(0.38, 0.5, Some(&overlap), &RelationParams::default());
        assert_eq!(verdict.relation(), Relation::Copy, "{verdict}");
        assert!(verdict.to_string().contains("0.95 of the shorter text (b)"));
    }

    #[test]
    fn a_lifted_paragraph_is_partial() {
        let overlap = Overlap::new((300, 260), &[passage((100, 160), (20, 80))]);
        let verdict = decide(0.1, 0.5, Some(&overlap), &RelationParams::default());
        assert_eq!(verdict.relation(), Relation::Partial, "{verdict}");
    }

    #[test]
    fn a_short_shared_quote_is_not_reuse() {
        let overlap = Overlap::new((300, 260), &[passage((100, 112), (20, 32))]);
        let verdict = decide(0.02, 0.5, Some(&overlap), &RelationParams::default());
        assert_eq!(verdict.relation(), Relation::None, "{verdict}");
    }

    #[test]
    fn a_copy_with_its_paragraphs_moved_is_a_copy() {
        // Two halves swapped: each half covers 50 words, only one of them in order.
        let passages = [passage((0, 50), (50, 100)), passage((50, 100), (0, 50))];
        let overlap = Overlap::new((100, 100), &passages);
        assert_eq!(overlap.aligned, (100, 100));
        assert_eq!(overlap.ordered, (50, 50));
        let verdict = decide(0.45, 0.5, Some(&overlap), &RelationParams::default());
        assert_eq!(verdict.relation(), Relation::Copy, "{verdict}");
        assert!(verdict.to_string().contains("0.50 of it in the same order"));
    }

    #[test]
    fn paragraphs_lifted_out_of_order_into_a_longer_article_are_partial() {
        // Two 40-word paragraphs of a, swapped, inside a 300-word article b.
        let passages = [passage((0, 40), (200, 240)), passage((60, 100), (20, 60))];
        let overlap = Overlap::new((280, 300), &passages);
        let verdict = decide(0.1, 0.5, Some(&overlap), &RelationParams::default());
        assert_eq!(verdict.relation(), Relation::Partial, "{verdict}");
    }

    #[test]
    fn heaviest_chain_skips_a_crossing_passage() {
        let passages = [
            passage((0, 10), (0, 10)),
            passage((10, 15), (90, 95)),
            passage((20, 60), (20, 60)),
        ];
        assert_eq!(heaviest_ordered_chain(&passages), (50, 50));
    }

    #[test]
    fn parameters_are_checked() {
        assert!(RelationParams::new(1.5, 20, 0.05).is_err());
        assert!(RelationParams::new(0.8, 0, 0.05).is_err());
        assert!(RelationParams::new(0.8, 20, -0.1).is_err());
    }
}
