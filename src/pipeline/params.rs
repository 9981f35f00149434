//! What a scan needs to know: every stage's parameters, validated, with their defaults.

use crate::candidates::lsh::LshParams;
use crate::candidates::minhash::{DEFAULT_MINHASH_SEED, MinHashParams, SketchScheme};
use crate::candidates::winnow::WinnowParams;
use crate::error::{Error, Result};
use crate::ingest::ReadOptions;
use crate::relate::relation::RelationParams;
use crate::text::shingle::{DEFAULT_SHINGLE_SEED, ShingleKind, ShingleParams};
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
/// A scan's settings as the command line and the Python package spell them, with the same
/// defaults; [`ScanOptions::params`] checks them (naming the CLI flag of a bad one) and derives
/// the rest, so both front ends build the same parameters from the same words.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    /// JSONL field with the document id.
    pub id_field: String,
    /// JSONL field with the document text.
    pub text_field: String,
    /// Least exact Jaccard similarity for near-duplicates.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle: usize,
    /// Character n-grams of this length instead of word shingles.
    pub char_ngrams: Option<usize>,
    /// MinHash signature size.
    pub hashes: usize,
    /// MinHash scheme.
    pub scheme: SketchScheme,
    /// MinHash seed.
    pub seed: u64,
    /// LSH bands and rows, overriding the shape derived from the threshold (both or neither).
    pub bands_rows: Option<(usize, usize)>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Below the threshold, passages covering this share of the shorter text make a copy.
    pub copy_share: f64,
    /// Partial reuse needs a shared passage of this many words...
    pub partial_words: u32,
    /// ...covering this share of the shorter text.
    pub partial_share: f64,
    /// Keep cluster members with at least this Jaccard to the original that are not copies.
    pub cluster_floor: Option<f64>,
    /// Compute the passages of pairs that are copies by Jaccard alone.
    pub passages: bool,
    /// Report every related pair.
    pub all_pairs: bool,
    /// Assess quality.
    pub quality: bool,
    /// A line in the documents of this many clusters is an outlet template.
    pub template_min_docs: u32,
    /// Jaccard LSH candidates only, without the passage index.
    pub jaccard_only: bool,
    /// The passage index's winnowing window, instead of the default for the shingles.
    pub winnow_window: Option<usize>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        let relation = RelationParams::default();
        ScanOptions {
            id_field: "id".to_string(),
            text_field: "text".to_string(),
            threshold: 0.5,
            shingle: 5,
            char_ngrams: None,
            hashes: 128,
            scheme: SketchScheme::OnePermutation,
            seed: DEFAULT_MINHASH_SEED,
            bands_rows: None,
            threads: 0,
            copy_share: relation.copy_share(),
            partial_words: relation.partial_words(),
            partial_share: relation.partial_share(),
            cluster_floor: None,
            passages: true,
            all_pairs: false,
            quality: true,
            template_min_docs: DEFAULT_TEMPLATE_MIN_DOCS,
            jaccard_only: false,
            winnow_window: None,
        }
    }
}

impl ScanOptions {
    /// The scan parameters these settings give, or the first bad setting.
    pub fn params(&self) -> Result<ScanParams> {
        let kind = match self.char_ngrams {
            Some(n) => ShingleKind::Chars(n),
            None => ShingleKind::Words(self.shingle),
        };
        let minhash = MinHashParams::new(self.hashes, self.seed, self.scheme)?;
        let lsh = self
            .bands_rows
            .map(|(bands, rows)| LshParams::new(bands, rows, self.hashes))
            .transpose()?;
        let mut params = ScanParams::new(
            ReadOptions {
                id_field: self.id_field.clone(),
                text_field: self.text_field.clone(),
            },
            ShingleParams::new(kind, DEFAULT_SHINGLE_SEED)?,
            minhash,
            self.threshold,
            lsh,
            self.threads,
        )?
        .with_cluster_floor(self.cluster_floor)?;
        params.relation =
            RelationParams::new(self.copy_share, self.partial_words, self.partial_share)?;
        params.passages = self.passages;
        params.all_pairs = self.all_pairs;
        if self.template_min_docs < 2 {
            return Err(Error::param(
                "--template-min-docs",
                format!("must be at least 2, got {}", self.template_min_docs),
            ));
        }
        params.quality = self.quality;
        params.template_min_docs = self.template_min_docs;
        let defaults = WinnowParams::for_shingles(kind);
        params.winnow = if self.jaccard_only {
            None
        } else {
            Some(WinnowParams::new(
                self.winnow_window.unwrap_or(defaults.window()),
                defaults.min_shared(),
                defaults.max_postings(),
            )?)
        };
        Ok(params)
    }
}
