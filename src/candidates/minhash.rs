//! MinHash signatures: a fixed-size sketch of a shingle set whose per-slot agreement between two
//! documents estimates their Jaccard similarity.
//!
//! Two schemes are offered (their comparison is in ARCHITECTURE.md):
//! - [`SketchScheme::OnePermutation`] (default): each shingle hash is mixed once, falls into one
//!   of K bins by its high bits, and each bin keeps its minimum. Empty bins (short documents)
//!   are filled by optimal densification: bin i borrows from the first non-empty bin in a
//!   probe sequence that depends only on (seed, i), so two documents borrow alike.
//! - [`SketchScheme::KPermutation`]: the classic scheme, K independent hash functions
//!   `a_i·x + b_i` (mod 2^64, odd a_i) over the already-mixed shingle hash, minimum of each.
//!
//! Only integer arithmetic with fixed seeds is used, so signatures are identical on every
//! platform.

use crate::error::{Error, Result};
use crate::text::shingle::avalanche;

/// How a signature is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SketchScheme {
    /// One-permutation hashing with optimal densification. The default.
    OnePermutation,
    /// Classic MinHash with one hash function per slot.
    KPermutation,
}

/// Validated MinHash parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinHashParams {
    num_hashes: usize,
    seed: u64,
    scheme: SketchScheme,
}

/// The default seed of the signature's hash functions.
pub const DEFAULT_MINHASH_SEED: u64 = 42;

impl Default for MinHashParams {
    fn default() -> Self {
        MinHashParams {
            num_hashes: 128,
            seed: DEFAULT_MINHASH_SEED,
            scheme: SketchScheme::OnePermutation,
        }
    }
}

impl MinHashParams {
    /// Checks the signature size: 1 to 4096 slots.
    pub fn new(num_hashes: usize, seed: u64, scheme: SketchScheme) -> Result<Self> {
        if !(1..=4096).contains(&num_hashes) {
            return Err(Error::param(
                "--hashes",
                format!("must be 1 to 4096, got {num_hashes}"),
            ));
        }
        Ok(MinHashParams {
            num_hashes,
            seed,
            scheme,
        })
    }

    /// Number of slots in a signature. By default, 128.
    pub fn num_hashes(&self) -> usize {
        self.num_hashes
    }

    /// The scheme. By default, one-permutation hashing.
    pub fn scheme(&self) -> SketchScheme {
        self.scheme
    }

    /// The seed. By default, [`DEFAULT_MINHASH_SEED`].
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// A MinHash signature: one value per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub Vec<u64>);

impl Signature {
    /// The share of slots where two signatures agree: an estimate of Jaccard similarity.
    /// Signatures of different lengths share no slots and estimate 0.
    pub fn estimate_jaccard(&self, other: &Signature) -> f64 {
        if self.0.len() != other.0.len() || self.0.is_empty() {
            return 0.0;
        }
        let equal = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        equal as f64 / self.0.len() as f64
    }
}

/// Computes signatures; holds the per-slot constants derived from the seed.
#[derive(Debug, Clone)]
pub struct MinHasher {
    params: MinHashParams,
    /// (a, b) pairs of the classic scheme.
    permutations: Vec<(u64, u64)>,
    /// Per-bin salts of the one-permutation probe sequence.
    probe_salts: Vec<u64>,
}

/// SplitMix64 step: a tiny generator for the per-slot constants, fixed forever so that
/// signatures never change between releases.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    avalanche(*state)
}

impl MinHasher {
    /// Prepares the hash functions for `params`.
    pub fn new(params: MinHashParams) -> Self {
        let mut state = params.seed;
        let permutations = (0..params.num_hashes)
            .map(|_| (splitmix(&mut state) | 1, splitmix(&mut state)))
            .collect();
        let probe_salts = (0..params.num_hashes)
            .map(|_| splitmix(&mut state))
            .collect();
        MinHasher {
            params,
            permutations,
            probe_salts,
        }
    }

    /// The parameters in use.
    pub fn params(&self) -> &MinHashParams {
        &self.params
    }

    /// The signature of a shingle set, or `None` for an empty set: an empty document has no
    /// meaningful signature, and giving all of them the same one would make them collide.
    pub fn sketch(&self, shingles: &[u64]) -> Option<Signature> {
        let mut builder = self.builder();
        for &shingle in shingles {
            builder.add(shingle);
        }
        builder.finish()
    }

    /// Starts a signature for shingles produced on the fly: [`SketchBuilder::add`] each
    /// shingle hash (repeats do not change the result, so they need not be deduplicated),
    /// then [`SketchBuilder::finish`]. `add` is inlined into the caller's shingle loop.
    pub fn builder(&self) -> SketchBuilder<'_> {
        SketchBuilder {
            hasher: self,
            slots: self.empty_slots(),
            any: false,
        }
    }

    /// Slots before any shingle: the start of a sketch kept by its owner (a [`SketchBuilder`],
    /// or a MinHash object updated over time).
    pub fn empty_slots(&self) -> Vec<u64> {
        vec![u64::MAX; self.params.num_hashes]
    }

    /// Adds one shingle hash to `slots` (of [`MinHasher::empty_slots`]'s length).
    #[inline]
    pub fn add_to(&self, slots: &mut [u64], shingle: u64) {
        match self.params.scheme {
            SketchScheme::OnePermutation => {
                let value = permute(shingle ^ self.params.seed);
                // Multiply-shift maps the hash onto 0..bins without a division.
                let bin = ((value as u128 * slots.len() as u128) >> 64) as usize;
                if value < slots[bin] {
                    slots[bin] = value;
                }
            }
            SketchScheme::KPermutation => {
                let x = avalanche(shingle ^ self.params.seed);
                for (slot, &(a, b)) in slots.iter_mut().zip(&self.permutations) {
                    let value = a.wrapping_mul(x).wrapping_add(b);
                    if value < *slot {
                        *slot = value;
                    }
                }
            }
        }
    }

    /// The signature of slots that at least one shingle was added to (one-permutation bins
    /// left empty are filled from others).
    pub fn signature_of(&self, mut slots: Vec<u64>) -> Signature {
        if self.params.scheme == SketchScheme::OnePermutation {
            self.densify(&mut slots);
        }
        Signature(slots)
    }

    /// Fills the empty bins of a one-permutation sketch. A bin is empty when it still holds
    /// `u64::MAX`; a real minimum equal to `u64::MAX` would need a shingle hashing to it and
    /// landing in that bin, which is as good as impossible and harmless if it happens.
    fn densify(&self, slots: &mut [u64]) {
        let bins = slots.len();
        let filled: Vec<bool> = slots.iter().map(|&v| v != u64::MAX).collect();
        if filled.iter().all(|&f| f) {
            return;
        }
        let source = slots.to_vec();
        for bin in 0..bins {
            if filled[bin] {
                continue;
            }
            // Probe a sequence of bins fixed by (seed, bin) until a filled one is found; at
            // least one bin is filled because the set is not empty.
            let mut attempt = 0u64;
            loop {
                attempt += 1;
                let probe =
                    avalanche(self.probe_salts[bin] ^ attempt.wrapping_mul(0x2545_f491_4f6c_dd1d));
                let donor = ((probe as u128 * bins as u128) >> 64) as usize;
                if filled[donor] {
                    slots[bin] = source[donor];
                    break;
                }
            }
        }
    }
}

/// The one-permutation scheme's permutation of a shingle hash: xor-shift, multiply, xor-shift.
/// One multiply instead of a full avalanche's two; the shifts on both sides keep structured
/// keys (arithmetic runs, which a bare multiply leaves correlated) from biasing the minima, as
/// the property tests check.
#[inline]
fn permute(x: u64) -> u64 {
    let x = (x ^ (x >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    x ^ (x >> 32)
}

/// A signature being built one shingle at a time; see [`MinHasher::builder`].
#[derive(Debug)]
pub struct SketchBuilder<'a> {
    hasher: &'a MinHasher,
    slots: Vec<u64>,
    any: bool,
}

impl SketchBuilder<'_> {
    /// Adds one shingle hash.
    #[inline]
    pub fn add(&mut self, shingle: u64) {
        self.any = true;
        self.hasher.add_to(&mut self.slots, shingle);
    }

    /// The signature, or `None` when no shingle was added: an empty document has no
    /// meaningful signature, and giving all of them the same one would make them collide.
    pub fn finish(self) -> Option<Signature> {
        if !self.any {
            return None;
        }
        Some(self.hasher.signature_of(self.slots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(scheme: SketchScheme) -> MinHasher {
        MinHasher::new(MinHashParams::new(256, 7, scheme).unwrap())
    }

    fn set(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(|i| avalanche(i + 1000)).collect()
    }

    fn check_estimate(scheme: SketchScheme, a: Vec<u64>, b: Vec<u64>, exact: f64) {
        let h = hasher(scheme);
        let estimate = h
            .sketch(&a)
            .unwrap()
            .estimate_jaccard(&h.sketch(&b).unwrap());
        // 256 slots: standard error at most 1/(2·16) ≈ 0.031; allow four of them.
        assert!(
            (estimate - exact).abs() < 0.125,
            "{scheme:?}: estimate {estimate}, exact {exact}"
        );
    }

    #[test]
    fn estimates_track_exact_jaccard() {
        for scheme in [SketchScheme::OnePermutation, SketchScheme::KPermutation] {
            check_estimate(scheme, set(0..1000), set(0..1000), 1.0);
            check_estimate(scheme, set(0..1000), set(500..1500), 1.0 / 3.0);
            check_estimate(scheme, set(0..1000), set(2000..3000), 0.0);
            // Short documents exercise densification.
            check_estimate(scheme, set(0..40), set(10..50), 30.0 / 50.0);
        }
    }

    #[test]
    fn empty_sets_have_no_signature() {
        assert_eq!(hasher(SketchScheme::OnePermutation).sketch(&[]), None);
        assert_eq!(hasher(SketchScheme::KPermutation).sketch(&[]), None);
    }

    #[test]
    fn signatures_are_fixed_for_a_seed() {
        // The same seed and set give the same signature whatever the order of the shingles.
        let h = MinHasher::new(MinHashParams::new(4, 42, SketchScheme::OnePermutation).unwrap());
        let first = h.sketch(&[1, 2, 3]).unwrap();
        let again = MinHasher::new(*h.params()).sketch(&[3, 2, 1]).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.0.len(), 4);
    }

    #[test]
    fn size_is_validated() {
        assert!(MinHashParams::new(0, 1, SketchScheme::OnePermutation).is_err());
    }
}
