//! `scan.json`: how a scan ran (the threshold and band shape) and what it counted, written
//! beside the JSONL reports so that `reprint report DIR` can rebuild the HTML report from the
//! folder alone.

use crate::candidates::lsh::LshParams;
use crate::error::{Error, Result};
use crate::pipeline::ScanResult;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The content of `scan.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanFile {
    /// The version of reprint that ran the scan.
    pub reprint: String,
    /// Least exact Jaccard for near-duplicates.
    pub threshold: f64,
    /// LSH bands.
    pub bands: usize,
    /// Rows (hashes) per band.
    pub rows: usize,
    /// MinHash signature length.
    pub hashes: usize,
    /// Whether every related pair was reported (`--all-pairs`), rather than each cluster
    /// member's pair with its original.
    pub all_pairs: bool,
    /// What the scan counted.
    pub stats: ScanCounts,
}

/// The counts of `scan.json` (those of the printed summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanCounts {
    /// Input records.
    pub records: usize,
    /// Rejected records.
    pub rejected: usize,
    /// Bytes of input files.
    pub input_bytes: u64,
    /// Files in input folders skipped as not documents.
    pub ignored_files: usize,
    /// Candidate pairs from both indexes.
    pub candidates: usize,
    /// Candidate pairs from Jaccard LSH.
    pub lsh_candidates: usize,
    /// Candidate pairs from the passage index.
    pub winnow_candidates: usize,
    /// Candidates at or above the threshold after exact verification.
    pub verified: usize,
    /// Pairs in the copy relation.
    pub copies: usize,
    /// Pairs in the partial relation.
    pub partials: usize,
    /// Documents compared through another with the same normalized text.
    pub identical: usize,
}

impl ScanFile {
    /// What `scan.json` says of `result`.
    pub fn of(result: &ScanResult) -> ScanFile {
        let stats = &result.stats;
        ScanFile {
            reprint: env!("CARGO_PKG_VERSION").to_string(),
            threshold: result.params.threshold,
            bands: result.params.lsh.bands(),
            rows: result.params.lsh.rows(),
            hashes: result.params.minhash.num_hashes(),
            all_pairs: result.params.all_pairs,
            stats: ScanCounts {
                records: stats.records,
                rejected: stats.rejected,
                input_bytes: stats.input_bytes,
                ignored_files: stats.ignored_files,
                candidates: stats.candidates,
                lsh_candidates: stats.lsh_candidates,
                winnow_candidates: stats.winnow_candidates,
                verified: stats.verified,
                copies: stats.copies,
                partials: stats.partials,
                identical: stats.identical,
            },
        }
    }

    /// The band shape, checked as a scan checks it (`scan.json` may come from anywhere).
    pub fn lsh(&self) -> Result<LshParams> {
        LshParams::new(self.bands, self.rows, self.hashes)
    }
}

/// Writes `scan.json` for `result`.
pub fn write_scan_file(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, &ScanFile::of(result))
        .map_err(|e| Error::io(path, e.into()))?;
    out.write_all(b"\n").map_err(|e| Error::io(path, e))
}
