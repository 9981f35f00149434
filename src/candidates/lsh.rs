//! Locality-sensitive hashing: signatures are cut into bands; documents that agree on every
//! slot of any band become candidate pairs.
//!
//! Bands × rows come from the similarity threshold t. A pair with Jaccard s becomes a
//! candidate with probability `1-(1-s^r)^b`. Among all shapes with b·r ≤ signature size whose
//! probability at s = t is at least [`RECALL_FLOOR`], we take the one that minimises the sum of
//! the false-positive area (∫₀ᵗ P) and the false-negative area (∫ₜ¹ 1-P). The floor is there
//! because verification is exact: a false positive costs one set intersection, a false negative
//! is a duplicate lost for good. If no shape reaches the floor (tiny signatures), the
//! unconstrained minimum is used.

use crate::candidates::minhash::Signature;
use crate::error::{Error, Result};
use crate::text::shingle::avalanche;

/// Least candidate probability at the threshold that a derived shape must reach.
pub const RECALL_FLOOR: f64 = 0.98;

/// A band shape: `bands` bands of `rows` slots each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    bands: usize,
    rows: usize,
}

/// The hash of one band of one signature. Two documents collide in band i when their band
/// keys for band i are equal.
///
/// 32 bits: a million documents make about a hundred chance collisions per band, which only
/// add candidates that exact verification drops, and the keys take half the memory (the
/// largest per-document state after the fingerprints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BandKey(pub u32);

/// Two documents, by their index in the corpus, with `a < b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CandidatePair {
    /// The earlier document.
    pub a: u32,
    /// The later document.
    pub b: u32,
}

impl CandidatePair {
    /// Orders the two indices.
    pub fn new(x: u32, y: u32) -> Self {
        CandidatePair {
            a: x.min(y),
            b: x.max(y),
        }
    }
}

impl LshParams {
    /// An explicit shape; `bands · rows` must fit in the signature.
    pub fn new(bands: usize, rows: usize, num_hashes: usize) -> Result<Self> {
        if bands == 0 || rows == 0 {
            return Err(Error::param(
                "--bands/--rows",
                "bands and rows must be at least 1",
            ));
        }
        if bands * rows > num_hashes {
            return Err(Error::param(
                "--bands/--rows",
                format!(
                    "{bands} bands × {rows} rows needs {} hashes, the signature has {num_hashes}",
                    bands * rows
                ),
            ));
        }
        Ok(LshParams { bands, rows })
    }

    /// The shape derived from a Jaccard threshold in (0, 1] (see the module docs).
    pub fn for_threshold(threshold: f64, num_hashes: usize) -> Result<Self> {
        check_threshold(threshold, num_hashes)?;
        let mut best_floored: Option<(f64, LshParams)> = None;
        let mut best_any: Option<(f64, LshParams)> = None;
        for shape in shapes(num_hashes) {
            let error = shape.false_positive_area(threshold) + shape.false_negative_area(threshold);
            let better = |best: &Option<(f64, LshParams)>| best.is_none_or(|(e, _)| error < e);
            if better(&best_any) {
                best_any = Some((error, shape));
            }
            if shape.candidate_probability(threshold) >= RECALL_FLOOR && better(&best_floored) {
                best_floored = Some((error, shape));
            }
        }
        let (_, shape) = best_floored
            .or(best_any)
            .expect("at least one shape exists");
        Ok(shape)
    }

    /// The shape with the least weighted error for a Jaccard threshold in (0, 1]:
    /// `weights.0` times the false-positive area (the S-curve below the threshold) plus
    /// `weights.1` times the false-negative area (one minus it above), with no recall floor.
    /// This is how datasketch's `MinHashLSH` picks its shape, so the Python package's
    /// `MinHashLSH` gives datasketch's users the bands they expect; scans use
    /// [`LshParams::for_threshold`], which also asks for [`RECALL_FLOOR`] at the threshold.
    pub fn for_threshold_weighted(
        threshold: f64,
        num_hashes: usize,
        weights: (f64, f64),
    ) -> Result<Self> {
        check_threshold(threshold, num_hashes)?;
        let mut best: Option<(f64, LshParams)> = None;
        for shape in shapes(num_hashes) {
            let error = weights.0 * shape.false_positive_area(threshold)
                + weights.1 * shape.false_negative_area(threshold);
            if best.is_none_or(|(e, _)| error < e) {
                best = Some((error, shape));
            }
        }
        Ok(best.expect("at least one shape exists").1)
    }

    /// Number of bands.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// Slots per band.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Probability that a pair with Jaccard `similarity` becomes a candidate.
    pub fn candidate_probability(&self, similarity: f64) -> f64 {
        1.0 - (1.0 - similarity.powi(self.rows as i32)).powi(self.bands as i32)
    }

    fn false_positive_area(&self, threshold: f64) -> f64 {
        integrate(|s| self.candidate_probability(s), 0.0, threshold)
    }

    fn false_negative_area(&self, threshold: f64) -> f64 {
        integrate(|s| 1.0 - self.candidate_probability(s), threshold, 1.0)
    }

    /// The key of every band of `signature`. The band index is mixed in so equal slot values
    /// in different bands do not collide.
    pub fn band_keys(&self, signature: &Signature) -> Vec<BandKey> {
        signature
            .0
            .chunks_exact(self.rows)
            .take(self.bands)
            .enumerate()
            .map(|(band, rows)| {
                let mut key = avalanche(band as u64 + 1);
                for &value in rows {
                    key = avalanche(key ^ value);
                }
                BandKey((key >> 32) as u32)
            })
            .collect()
    }
}

/// A threshold in (0, 1] and a signature of at least one hash, or the CLI's error.
fn check_threshold(threshold: f64, num_hashes: usize) -> Result<()> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(Error::param(
            "--threshold",
            format!("must be in (0, 1], got {threshold}"),
        ));
    }
    if num_hashes == 0 {
        return Err(Error::param("--hashes", "must be at least 1"));
    }
    Ok(())
}

/// Every band shape that fits in a signature of `num_hashes`, bands first.
fn shapes(num_hashes: usize) -> impl Iterator<Item = LshParams> {
    (1..=num_hashes)
        .flat_map(move |bands| (1..=num_hashes / bands).map(move |rows| LshParams { bands, rows }))
}

/// Midpoint rule; the S-curve is smooth, 200 steps are far more than the choice needs.
fn integrate(f: impl Fn(f64) -> f64, from: f64, to: f64) -> f64 {
    const STEPS: usize = 200;
    let width = (to - from) / STEPS as f64;
    (0..STEPS)
        .map(|i| f(from + (i as f64 + 0.5) * width))
        .sum::<f64>()
        * width
}

/// Candidate pairs of one band: `entries` holds (band key, document) for every document and is
/// sorted here; every two documents with the same key form a pair, except in a bucket of more
/// than `star_above` documents, whose members are paired with its first document only, so
/// that a bucket of n near-duplicates costs n - 1 pairs instead of n(n - 1)/2. Pairs come out
/// sorted and without repeats.
pub fn band_candidates(
    entries: &mut [(BandKey, u32)],
    star_above: Option<usize>,
) -> Vec<CandidatePair> {
    entries.sort_unstable();
    let mut pairs = Vec::new();
    for bucket in entries.chunk_by(|x, y| x.0 == y.0) {
        if star_above.is_some_and(|most| bucket.len() > most) {
            let hub = bucket[0].1;
            pairs.extend(
                bucket[1..]
                    .iter()
                    .map(|&(_, doc)| CandidatePair::new(hub, doc)),
            );
            continue;
        }
        for (i, &(_, a)) in bucket.iter().enumerate() {
            for &(_, b) in &bucket[i + 1..] {
                pairs.push(CandidatePair::new(a, b));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Merges sorted, deduplicated pair lists into one.
pub fn merge_candidates(lists: Vec<Vec<CandidatePair>>) -> Vec<CandidatePair> {
    let mut all: Vec<CandidatePair> = lists.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_shape(threshold: f64, hashes: usize, bands: usize, rows: usize) {
        let shape = LshParams::for_threshold(threshold, hashes).unwrap();
        assert_eq!(
            (shape.bands(), shape.rows()),
            (bands, rows),
            "threshold {threshold}"
        );
        assert!(shape.candidate_probability(threshold) >= RECALL_FLOOR);
    }

    #[test]
    fn shapes_for_common_thresholds() {
        check_shape(0.5, 128, 30, 3);
        check_shape(0.8, 128, 17, 7);
        check_shape(0.9, 128, 11, 11);
    }

    #[test]
    fn a_common_fixed_shape_triggers_far_above_half() {
        // 16 × 8 is a popular default; its S-curve turns near (1/16)^(1/8) ≈ 0.71, so a pair
        // at J = 0.5 becomes a candidate only 6 % of the time.
        let shape = LshParams::new(16, 8, 128).unwrap();
        assert!(shape.candidate_probability(0.5) < 0.07);
        assert!(shape.candidate_probability(0.6) < 0.25);
        assert!(shape.candidate_probability(0.75) > 0.75);
    }

    #[test]
    fn invalid_shapes_are_refused() {
        assert!(LshParams::for_threshold(0.0, 128).is_err());
        assert!(LshParams::for_threshold(1.5, 128).is_err());
        assert!(LshParams::new(20, 8, 128).is_err());
        assert!(LshParams::new(0, 8, 128).is_err());
    }

    #[test]
    fn buckets_become_pairs() {
        let mut entries = vec![
            (BandKey(5), 3),
            (BandKey(1), 0),
            (BandKey(5), 1),
            (BandKey(5), 2),
            (BandKey(9), 4),
        ];
        let pairs = band_candidates(&mut entries.clone(), None);
        assert_eq!(
            pairs,
            vec![
                CandidatePair::new(1, 2),
                CandidatePair::new(1, 3),
                CandidatePair::new(2, 3)
            ]
        );
        // A bucket over the limit becomes a star around its first document.
        let star = band_candidates(&mut entries, Some(2));
        assert_eq!(
            star,
            vec![CandidatePair::new(1, 2), CandidatePair::new(1, 3)]
        );
    }

    #[test]
    fn equal_signatures_share_every_band_key() {
        let shape = LshParams::new(4, 2, 8).unwrap();
        let signature = Signature((0..8).collect());
        let keys = shape.band_keys(&signature);
        assert_eq!(keys.len(), 4);
        assert_eq!(keys, shape.band_keys(&signature.clone()));
        // Equal slot values in different bands still give different keys.
        let flat = Signature(vec![7; 8]);
        let keys = shape.band_keys(&flat);
        assert_ne!(keys[0], keys[1]);
    }
}
