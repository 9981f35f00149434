//! Exact all-pairs similarity join, the ground truth that LSH recall is measured against.
//!
//! Prefix filtering: order every set's shingles by global rarity; two sets with Jaccard ≥ t
//! must share a shingle within the first `|x| - ⌈t·|x|⌉ + 1` shingles of each. Only pairs that
//! share such a prefix shingle are intersected, so the join is exact without comparing all
//! n²/2 pairs.

use ahash::AHashMap;

use crate::verify::{VerifiedPair, verify_pair};

/// Every pair of non-empty sets with exact Jaccard ≥ `threshold` (in (0, 1]), sorted by
/// `(a, b)`. `sets` are sorted, deduplicated shingle sets indexed by document.
pub fn exact_pairs(sets: &[Vec<u64>], threshold: f64) -> Vec<VerifiedPair> {
    let mut frequency: AHashMap<u64, u32> = AHashMap::new();
    for set in sets {
        for &shingle in set {
            *frequency.entry(shingle).or_insert(0) += 1;
        }
    }
    let mut postings: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (doc, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let mut ordered: Vec<(u32, u64)> = set.iter().map(|&s| (frequency[&s], s)).collect();
        ordered.sort_unstable();
        let prefix = set.len() - (threshold * set.len() as f64).ceil() as usize + 1;
        for &(_, shingle) in &ordered[..prefix.min(set.len())] {
            postings.entry(shingle).or_default().push(doc as u32);
        }
    }
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    #[expect(
        clippy::iter_over_hash_type,
        reason = "candidates are sorted right after"
    )]
    for docs in postings.values() {
        for (i, &a) in docs.iter().enumerate() {
            for &b in &docs[i + 1..] {
                candidates.push((a.min(b), a.max(b)));
            }
        }
    }
    verify_candidates(candidates, sets, |pair| pair.jaccard >= threshold)
}

/// Sorts and deduplicates candidate pairs, verifies each exactly and keeps those `keep` accepts.
fn verify_candidates(
    mut candidates: Vec<(u32, u32)>,
    sets: &[Vec<u64>],
    keep: impl Fn(&VerifiedPair) -> bool,
) -> Vec<VerifiedPair> {
    candidates.sort_unstable();
    candidates.dedup();
    candidates
        .into_iter()
        .map(|(a, b)| verify_pair(a, b, &sets[a as usize], &sets[b as usize]))
        .filter(|pair| keep(pair))
        .collect()
}

/// Every pair of non-empty sets sharing at least `min_containment` (in (0, 1]) of the smaller
/// set, i.e. the containment of the smaller in the larger, sorted by `(a, b)`: the ground truth
/// for containment-aware candidates.
///
/// If the smaller set x shares at least ⌈c·|x|⌉ shingles with y, at most |x| − ⌈c·|x|⌉ of
/// its shingles are missing from y, so one of its |x| − ⌈c·|x|⌉ + 1 rarest is in y: each set
/// probes the full postings with that prefix only.
pub fn exact_containment_pairs(sets: &[Vec<u64>], min_containment: f64) -> Vec<VerifiedPair> {
    let mut postings: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (doc, set) in sets.iter().enumerate() {
        for &shingle in set {
            postings.entry(shingle).or_default().push(doc as u32);
        }
    }
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for (doc, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let mut ordered: Vec<(usize, u64)> = set.iter().map(|&s| (postings[&s].len(), s)).collect();
        ordered.sort_unstable();
        let prefix = set.len() - (min_containment * set.len() as f64).ceil() as usize + 1;
        for &(_, shingle) in &ordered[..prefix.min(set.len())] {
            for &other in &postings[&shingle] {
                // Probe as the smaller set only (ties: the lower index probes).
                let larger = (sets[other as usize].len(), other) > (set.len(), doc as u32);
                if larger {
                    let doc = doc as u32;
                    candidates.push((doc.min(other), doc.max(other)));
                }
            }
        }
    }
    verify_candidates(candidates, sets, |pair| {
        pair.containment_ab.max(pair.containment_ba) >= min_containment
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::jaccard;

    /// Small sets drawn from a small universe so many pairs straddle any threshold.
    fn random_sets() -> Vec<Vec<u64>> {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        let mut sets: Vec<Vec<u64>> = Vec::new();
        for i in 0..150 {
            let mut set: Vec<u64> = if i % 2 == 1 {
                // A near copy of the previous set: one value swapped.
                let mut copy: Vec<u64> = sets[i - 1].clone();
                let at = next() as usize % copy.len();
                copy[at] = next() % 30;
                copy
            } else {
                (0..(3 + next() % 12)).map(|_| next() % 30).collect()
            };
            set.sort_unstable();
            set.dedup();
            sets.push(set);
        }
        sets
    }

    #[test]
    fn agrees_with_brute_force() {
        let sets = random_sets();
        for threshold in [0.2, 0.5, 0.8] {
            let mut brute = Vec::new();
            for a in 0..sets.len() {
                for b in a + 1..sets.len() {
                    if jaccard(&sets[a], &sets[b]) >= threshold {
                        brute.push((a as u32, b as u32));
                    }
                }
            }
            let exact: Vec<(u32, u32)> = exact_pairs(&sets, threshold)
                .iter()
                .map(|p| (p.a, p.b))
                .collect();
            assert!(!brute.is_empty());
            assert_eq!(exact, brute, "threshold {threshold}");
        }
    }

    #[test]
    fn containment_join_agrees_with_brute_force() {
        let sets = random_sets();
        for min_containment in [0.3, 0.5, 0.9] {
            let mut brute = Vec::new();
            for a in 0..sets.len() {
                for b in a + 1..sets.len() {
                    let p = verify_pair(a as u32, b as u32, &sets[a], &sets[b]);
                    if p.containment_ab.max(p.containment_ba) >= min_containment {
                        brute.push((p.a, p.b));
                    }
                }
            }
            let exact: Vec<(u32, u32)> = exact_containment_pairs(&sets, min_containment)
                .iter()
                .map(|p| (p.a, p.b))
                .collect();
            assert!(!brute.is_empty());
            assert_eq!(exact, brute, "containment {min_containment}");
        }
    }
}
