//! Verification: the exact Jaccard similarity and containment of two shingle sets.

pub use crate::text::sets::intersection_size;

/// Exact overlap figures of two documents, by their corpus index.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VerifiedPair {
    /// The earlier document (input order).
    pub a: u32,
    /// The later document.
    pub b: u32,
    /// Shingles the two share.
    pub intersection: u32,
    /// |A ∩ B| / |A ∪ B|.
    pub jaccard: f64,
    /// |A ∩ B| / |A|: the share of `a`'s shingles found in `b`.
    pub containment_ab: f64,
    /// |A ∩ B| / |B|: the share of `b`'s shingles found in `a`.
    pub containment_ba: f64,
}

/// Exact figures for documents `a < b` with shingle sets `set_a` and `set_b`.
pub fn verify_pair(a: u32, b: u32, set_a: &[u64], set_b: &[u64]) -> VerifiedPair {
    let intersection = intersection_size(set_a, set_b);
    let union = set_a.len() + set_b.len() - intersection;
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    VerifiedPair {
        a,
        b,
        intersection: intersection as u32,
        jaccard: ratio(intersection, union),
        containment_ab: ratio(intersection, set_a.len()),
        containment_ba: ratio(intersection, set_b.len()),
    }
}

/// Exact Jaccard of two sorted, deduplicated sets (0 when both are empty).
pub fn jaccard(set_a: &[u64], set_b: &[u64]) -> f64 {
    verify_pair(0, 1, set_a, set_b).jaccard
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &[u64], b: &[u64], expected: (usize, f64, f64, f64)) {
        let pair = verify_pair(0, 1, a, b);
        assert_eq!(
            (
                pair.intersection as usize,
                pair.jaccard,
                pair.containment_ab,
                pair.containment_ba
            ),
            expected
        );
    }

    #[test]
    fn figures_for_small_sets() {
        check(&[1, 2, 3, 4], &[3, 4, 5, 6], (2, 2.0 / 6.0, 0.5, 0.5));
        check(&[1, 2], &[1, 2, 3, 4], (2, 0.5, 1.0, 0.5));
        check(&[1, 2], &[1, 2], (2, 1.0, 1.0, 1.0));
        check(&[1], &[2], (0, 0.0, 0.0, 0.0));
        check(&[], &[], (0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn galloping_agrees_with_merging() {
        let large: Vec<u64> = (0..10_000).map(|i| i * 3).collect();
        let small: Vec<u64> = vec![0, 3, 4, 299, 300, 29_997, 40_000];
        assert_eq!(intersection_size(&small, &large), 4);
        assert_eq!(intersection_size(&large, &small), 4);
    }
}
