//! Candidate pairs from both indexes: LSH bands and winnowed fingerprints, one band or
//! one slice of postings per task.

use super::*;
use crate::candidates::lsh::{BandKey, CandidatePair, band_candidates, merge_candidates};
use crate::candidates::winnow::{
    Posting, WinnowParams, fingerprint_of, posting_pairs, shared_enough,
};
use rayon::prelude::*;

pub(super) fn lsh_candidates(
    keys: &[BandKey],
    accepted: &[bool],
    bands: usize,
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
            let pairs = band_candidates(&mut entries);
            progress.advance(1);
            pairs
        })
        .collect();
    merge_candidates(per_band)
}

/// Candidates from the winnowing index: documents sharing at least `min_shared` fingerprints.
/// Sorting and pairing run in parallel over slices that never split a fingerprint's postings.
pub(super) fn winnow_candidates(
    mut entries: Vec<Posting>,
    accepted: &[bool],
    params: &WinnowParams,
) -> Vec<CandidatePair> {
    entries.retain(|&p| accepted[p as u32 as usize]);
    entries.par_sort_unstable();
    let slices = slices_at_runs(&entries, rayon::current_num_threads() * 8);
    let mut pairs: Vec<u64> = slices
        .into_par_iter()
        .flat_map_iter(|slice| posting_pairs(slice, params))
        .collect();
    drop(entries);
    pairs.par_sort_unstable();
    shared_enough(&pairs, params)
}

/// Cuts sorted `entries` into about `parts` slices, each cut placed between two fingerprints.
pub(super) fn slices_at_runs(entries: &[Posting], parts: usize) -> Vec<&[Posting]> {
    let step = entries.len().div_ceil(parts.max(1)).max(1);
    let mut slices = Vec::with_capacity(parts);
    let mut start = 0;
    while start < entries.len() {
        let mut end = (start + step).min(entries.len());
        while end < entries.len()
            && fingerprint_of(entries[end]) == fingerprint_of(entries[end - 1])
        {
            end += 1;
        }
        slices.push(&entries[start..end]);
        start = end;
    }
    slices
}
