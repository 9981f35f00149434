//! Candidate pairs from both indexes: LSH bands and winnowed fingerprints, one band or
//! one part of the fingerprint space per task.

use super::*;
use crate::candidates::lsh::{BandKey, CandidatePair, band_candidates, merge_candidates};
use crate::candidates::winnow::{FingerprintTable, WinnowParams, posting_pairs, shared_enough};
use rayon::prelude::*;

pub(super) fn lsh_candidates(
    keys: &[BandKey],
    accepted: &[bool],
    bands: usize,
    star_above: Option<usize>,
    progress: &dyn Progress,
) -> Vec<CandidatePair> {
    let per_band: Vec<Vec<CandidatePair>> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut entries: Vec<(BandKey, u32)> = accepted
                .iter()
                .enumerate()
                .filter(|(_, ok)| **ok)
                .map(|(doc, _)| (keys[doc * bands + band], doc as u32))
                .collect();
            let pairs = band_candidates(&mut entries, star_above);
            progress.advance(1);
            pairs
        })
        .collect();
    merge_candidates(per_band)
}

/// Candidates from the winnowing index: documents sharing at least `min_shared` fingerprints.
/// The fingerprint space is cut into parts, each sorted and paired as one task, so only a
/// few parts' postings exist at any time.
pub(super) fn winnow_candidates(
    table: FingerprintTable,
    accepted: &[bool],
    params: &WinnowParams,
) -> Vec<CandidatePair> {
    let parts = (rayon::current_num_threads() * 4).max(MIN_POSTING_PARTS);
    let mut pairs: Vec<u64> = (0..parts)
        .into_par_iter()
        .flat_map_iter(|part| posting_pairs(&table.part_postings(part, parts, accepted), params))
        .collect();
    drop(table);
    pairs.par_sort_unstable();
    shared_enough(&pairs, params)
}

/// Parts of the fingerprint space paired one at a time: with 8, the postings in flight on two
/// threads are a quarter of what sorting them all at once would hold (measured at 1M
/// generated articles: 635 MB of postings), for eight reads of the 4-byte table.
const MIN_POSTING_PARTS: usize = 8;

/// Band buckets with more documents than this are paired as a star around their first
/// document (unless every pair is asked for). Near-duplicate groups of a few dozen are paired
/// in full, as their members' pairs decide the original; past this, a full bucket's pairs
/// (2,016 at 64) cost more to verify than the rest of a typical run's buckets together, and
/// the star still links every member, whose pair with the original is then verified.
pub(super) const STAR_BUCKETS_ABOVE: usize = 64;
