//! Scores a scan against generated truth: cluster agreement (adjusted Rand index, pairwise
//! precision and recall), originals, partial lifts, and recall against exact containment.
//! Used by `examples/syndication_eval.rs` and the accuracy tests; the pipeline never calls it.

use ahash::AHashMap;

use crate::pipeline::{DocStatus, ScanResult};
use crate::relate::relation::Relation;
use crate::synth::{ArticleKind, ArticleTruth};
use crate::verify::VerifiedPair;

fn pairs_within(count: u64) -> f64 {
    (count * count.saturating_sub(1) / 2) as f64
}

/// Counts behind pairwise cluster comparison: pairs together in the truth, in the prediction,
/// and in both.
fn together_counts(truth: &[u32], predicted: &[u32]) -> (f64, f64, f64) {
    assert_eq!(truth.len(), predicted.len(), "one label per document");
    let mut joint: AHashMap<(u32, u32), u64> = AHashMap::new();
    let mut by_truth: AHashMap<u32, u64> = AHashMap::new();
    let mut by_prediction: AHashMap<u32, u64> = AHashMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        *joint.entry((t, p)).or_default() += 1;
        *by_truth.entry(t).or_default() += 1;
        *by_prediction.entry(p).or_default() += 1;
    }
    (
        sum_pairs(by_truth.values()),
        sum_pairs(by_prediction.values()),
        sum_pairs(joint.values()),
    )
}

/// Pairs within groups of the given sizes, summed in sorted order so the float sum does not
/// depend on hash-map order.
fn sum_pairs<'a>(sizes: impl Iterator<Item = &'a u64>) -> f64 {
    let mut sizes: Vec<u64> = sizes.copied().collect();
    sizes.sort_unstable();
    sizes.into_iter().map(pairs_within).sum()
}

/// Adjusted Rand index of two clusterings given as one label per document: 1 for identical
/// partitions, about 0 for chance agreement.
pub fn adjusted_rand_index(truth: &[u32], predicted: &[u32]) -> f64 {
    let (t, p, both) = together_counts(truth, predicted);
    let all = pairs_within(truth.len() as u64);
    if all == 0.0 {
        return 1.0;
    }
    let expected = t * p / all;
    let max = (t + p) / 2.0;
    if max == expected {
        return 1.0;
    }
    (both - expected) / (max - expected)
}

/// Precision and recall of "these two documents are in one cluster".
pub fn pairwise_precision_recall(truth: &[u32], predicted: &[u32]) -> (f64, f64) {
    let (t, p, both) = together_counts(truth, predicted);
    let ratio = |x: f64, y: f64| if y == 0.0 { 1.0 } else { x / y };
    (ratio(both, p), ratio(both, t))
}

/// How a scan did on a generated corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct SyndicationScores {
    /// Documents scored.
    pub docs: usize,
    /// Adjusted Rand index of copy clusters against the planted groups.
    pub ari: f64,
    /// Pairwise precision of copy clusters.
    pub pair_precision: f64,
    /// Pairwise recall of copy clusters.
    pub pair_recall: f64,
    /// Planted groups with at least one copy.
    pub groups: usize,
    /// Of those, groups whose original was reported as `original`.
    pub originals_right: usize,
    /// Planted partial lifts.
    pub lifts: usize,
    /// Lifts reported as `partial` reuse of their source (or of a copy of it).
    pub lifts_detected: usize,
    /// Lifts put into a copy cluster with their source's group.
    pub lifts_merged: usize,
    /// Pairs whose exact containment of the smaller document is at least the given floor.
    pub containment_pairs: usize,
    /// Of those, pairs reported as `copy` or `partial`, or whose documents share a cluster
    /// (by default a cluster's copies are reported through their pairs with its original).
    pub containment_found: usize,
    /// Every planted copy (its index) and whether it was put in its original's cluster.
    pub copies_found: Vec<(usize, bool)>,
    /// Originals planted in no group (no copies, no copy of anything, no lifted paragraphs):
    /// distractors.
    pub distractors: usize,
    /// Of those, the ones put into a cluster with other documents.
    pub distractors_merged: usize,
}

impl SyndicationScores {
    /// Share of groups with the right original.
    pub fn originals_share(&self) -> f64 {
        self.originals_right as f64 / self.groups.max(1) as f64
    }

    /// Share of lifts detected.
    pub fn lift_recall(&self) -> f64 {
        self.lifts_detected as f64 / self.lifts.max(1) as f64
    }

    /// Share of lifts merged into copy clusters.
    pub fn lifts_merged_share(&self) -> f64 {
        self.lifts_merged as f64 / self.lifts.max(1) as f64
    }

    /// Recall against exact containment.
    pub fn containment_recall(&self) -> f64 {
        self.containment_found as f64 / self.containment_pairs.max(1) as f64
    }

    /// Share of distractors merged into clusters.
    pub fn distractors_merged_share(&self) -> f64 {
        self.distractors_merged as f64 / self.distractors.max(1) as f64
    }
}

/// Scores `result` (a scan of a generated corpus, documents in generation order) against the
/// generator's `truths` and the exact containment pairs `containment` (from
/// [`crate::testing::exact::exact_containment_pairs`]).
pub fn score_syndication(
    result: &ScanResult,
    truths: &[ArticleTruth],
    containment: &[VerifiedPair],
) -> SyndicationScores {
    assert_eq!(result.docs.len(), truths.len(), "one truth per document");
    let index: AHashMap<&str, u32> = truths
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i as u32))
        .collect();
    let truth_labels: Vec<u32> = truths.iter().map(|t| index[t.cluster.as_str()]).collect();
    // Documents in no cluster get a label of their own.
    let singleton = result.clusters.len() as u32;
    let predicted: Vec<u32> = result
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| d.cluster.unwrap_or(singleton + i as u32))
        .collect();
    let (pair_precision, pair_recall) = pairwise_precision_recall(&truth_labels, &predicted);

    let mut group_size: AHashMap<u32, usize> = AHashMap::new();
    for &label in &truth_labels {
        *group_size.entry(label).or_default() += 1;
    }
    let mut groups: Vec<u32> = group_size
        .iter()
        .filter(|&(_, &size)| size > 1)
        .map(|(&label, _)| label)
        .collect();
    groups.sort_unstable();
    let originals_right = groups
        .iter()
        .filter(|&&original| result.docs[original as usize].status == DocStatus::Original)
        .count();

    let related: AHashMap<(u32, u32), Relation> = result
        .pairs
        .iter()
        .map(|p| ((p.figures.a, p.figures.b), p.relation()))
        .collect();
    let relation_of = |x: u32, y: u32| {
        related
            .get(&(x.min(y), x.max(y)))
            .copied()
            .unwrap_or(Relation::None)
    };
    let mut members_of: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for (doc, &label) in truth_labels.iter().enumerate() {
        members_of.entry(label).or_default().push(doc as u32);
    }
    let (mut lifts, mut lifts_detected, mut lifts_merged) = (0, 0, 0);
    for (doc, truth) in truths.iter().enumerate() {
        if truth.kind != ArticleKind::Partial {
            continue;
        }
        lifts += 1;
        let doc = doc as u32;
        let source = index[truth.parent.as_deref().expect("lifts have a source")];
        let source_group = &members_of[&truth_labels[source as usize]];
        if source_group
            .iter()
            .any(|&m| relation_of(doc, m) == Relation::Partial)
        {
            lifts_detected += 1;
        }
        let cluster = result.docs[doc as usize].cluster;
        if cluster.is_some()
            && source_group
                .iter()
                .any(|&m| result.docs[m as usize].cluster == cluster)
        {
            lifts_merged += 1;
        }
    }
    let containment_found = containment
        .iter()
        .filter(|p| {
            let cluster = |d: u32| result.docs[d as usize].cluster;
            relation_of(p.a, p.b) != Relation::None
                || (cluster(p.a).is_some() && cluster(p.a) == cluster(p.b))
        })
        .count();
    let cluster_of = |doc: usize| result.docs[doc].cluster;
    let copies_found = truths
        .iter()
        .enumerate()
        .filter(|(_, truth)| truth.kind == ArticleKind::Copy)
        .map(|(doc, _)| {
            let original = truth_labels[doc] as usize;
            let found = cluster_of(doc).is_some() && cluster_of(doc) == cluster_of(original);
            (doc, found)
        })
        .collect();
    let mut predicted_size: AHashMap<u32, usize> = AHashMap::new();
    for cluster in result.docs.iter().filter_map(|d| d.cluster) {
        *predicted_size.entry(cluster).or_default() += 1;
    }
    // Lifts are scored on their own (`lifts_merged`).
    let distractors: Vec<usize> = (0..truths.len())
        .filter(|&doc| {
            truths[doc].kind == ArticleKind::Original && group_size[&truth_labels[doc]] == 1
        })
        .collect();
    let distractors_merged = distractors
        .iter()
        .filter(|&&doc| cluster_of(doc).is_some_and(|c| predicted_size[&c] > 1))
        .count();
    SyndicationScores {
        copies_found,
        distractors: distractors.len(),
        distractors_merged,
        docs: truths.len(),
        ari: adjusted_rand_index(&truth_labels, &predicted),
        pair_precision,
        pair_recall,
        groups: groups.len(),
        originals_right,
        lifts,
        lifts_detected,
        lifts_merged,
        containment_pairs: containment.len(),
        containment_found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_one_whatever_the_labels() {
        let truth = [0, 0, 1, 2, 2, 2];
        let renamed = [7, 7, 3, 9, 9, 9];
        assert_eq!(adjusted_rand_index(&truth, &renamed), 1.0);
        assert_eq!(pairwise_precision_recall(&truth, &renamed), (1.0, 1.0));
    }

    #[test]
    fn a_known_example() {
        // Truth {0,1,2},{3,4}; prediction {0,1},{2,3,4}: 4 pairs together in each, 2 shared.
        let truth = [0, 0, 0, 1, 1];
        let predicted = [0, 0, 1, 1, 1];
        let (precision, recall) = pairwise_precision_recall(&truth, &predicted);
        assert_eq!((precision, recall), (0.5, 0.5));
        // Expected index 4·4/10 = 1.6; ARI = (2 − 1.6) / (4 − 1.6).
        let ari = adjusted_rand_index(&truth, &predicted);
        assert!((ari - 0.4 / 2.4).abs() < 1e-12, "{ari}");
    }

    #[test]
    fn merging_everything_scores_about_zero() {
        let truth: Vec<u32> = (0..100).map(|i| i / 2).collect();
        let predicted = vec![0; 100];
        assert!(adjusted_rand_index(&truth, &predicted).abs() < 0.05);
    }
}
