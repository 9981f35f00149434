//! What a scan needs to know: every stage's parameters, validated, with their defaults.

use crate::candidates::lsh::LshParams;
use crate::candidates::minhash::MinHashParams;
use crate::candidates::winnow::WinnowParams;
use crate::error::{Error, Result};
use crate::ingest::ReadOptions;
use crate::relate::relation::RelationParams;
use crate::text::shingle::{ShingleKind, ShingleParams};
use crate::verify::align::AlignParams;

/// Everything a scan needs to know. Build with [`ScanParams::new`].
#[derive(Debug, Clone)]
pub struct ScanParams {
    /// How records are read.
    pub read: ReadOptions,
    /// How texts are shingled.
    pub shingle: ShingleParams,
    /// How signatures are computed.
    pub minhash: MinHashParams,
    /// Least exact Jaccard for two documents to count as near-duplicates. By default, 0.5.
    pub threshold: f64,
    /// The band shape, derived from the threshold unless given.
    pub lsh: LshParams,
    /// Worker threads; 0 means one per core. By default, 0.
    pub threads: usize,
    /// The copy / partial decision rule.
    pub relation: RelationParams,
    /// The containment-aware candidate index; `None` keeps only Jaccard LSH candidates (and
    /// misses low-Jaccard copies and partial reuse). By default, on.
    pub winnow: Option<WinnowParams>,
    /// How passages are aligned.
    pub align: AlignParams,
    /// Whether the reused passages of pairs that are copies by Jaccard alone are computed and
    /// reported. Pairs below the threshold are aligned either way, to decide their relation.
    /// By default, true.
    pub passages: bool,
    /// A cluster member must be a copy of the representative, or have at least this exact
    /// Jaccard with it. By default, `None`: copies only.
    pub cluster_floor: Option<f64>,
    /// Quality assessment (boilerplate, padding, stuffing) of every document. By default,
    /// on. Outlet template lines are found either way (they keep partial pairs that share
    /// nothing else out of the pairs).
    pub quality: bool,
    /// Whether outlet template lines are looked for (for the partial pairs, the quality and
    /// `clean_text`). By default, true; a run that writes none of those (a plain `dedup`)
    /// turns it off, together with quality, and reads each text once, for its shingles alone.
    pub templates: bool,
    /// A line recurring in the documents of at least this many clusters (a document in none
    /// is its own) is an outlet template. By default, 3.
    pub template_min_docs: u32,
    /// Whether every pair of related documents is compared and reported. By default, false:
    /// documents with identical normalized text are compared once, through one of them; huge
    /// band buckets are paired as stars; and of the copies within a cluster, only each
    /// member's pair with the original is reported, so a group of n copies costs n - 1 pairs
    /// rather than n(n - 1)/2.
    pub all_pairs: bool,
}

/// The default `--template-min-docs`: a line in three different stories is a template, where
/// two could share a stock phrase by chance.
pub const DEFAULT_TEMPLATE_MIN_DOCS: u32 = 3;

impl ScanParams {
    /// Validates the threshold and derives the band shape from it when `lsh` is `None`.
    pub fn new(
        read: ReadOptions,
        shingle: ShingleParams,
        minhash: MinHashParams,
        threshold: f64,
        lsh: Option<LshParams>,
        threads: usize,
    ) -> Result<Self> {
        let derived = LshParams::for_threshold(threshold, minhash.num_hashes())?;
        Ok(ScanParams {
            read,
            shingle,
            minhash,
            threshold,
            lsh: lsh.unwrap_or(derived),
            threads,
            relation: RelationParams::default(),
            winnow: Some(WinnowParams::for_shingles(shingle.kind())),
            // Passages anchor on as many words as a word shingle has; alignment is word-based,
            // so character n-grams keep the default anchor.
            align: match shingle.kind() {
                ShingleKind::Words(k) => AlignParams::new(k, AlignParams::default().max_gap())?,
                ShingleKind::Chars(_) => AlignParams::default(),
            },
            passages: true,
            cluster_floor: None,
            quality: true,
            templates: true,
            template_min_docs: DEFAULT_TEMPLATE_MIN_DOCS,
            all_pairs: false,
        })
    }

    /// Sets the cluster floor, checking it is a similarity.
    pub fn with_cluster_floor(mut self, floor: Option<f64>) -> Result<Self> {
        if let Some(f) = floor
            && !(0.0..=1.0).contains(&f)
        {
            return Err(Error::param(
                "--cluster-floor",
                format!("must be in [0, 1], got {f}"),
            ));
        }
        self.cluster_floor = floor;
        Ok(self)
    }
}

impl Default for ScanParams {
    fn default() -> Self {
        ScanParams::new(
            ReadOptions::default(),
            ShingleParams::default(),
            MinHashParams::default(),
            0.5,
            None,
            0,
        )
        .expect("defaults are valid")
    }
}
