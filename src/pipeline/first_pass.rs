//! The first pass: every record read once, parsed, and reduced to what later stages need
//! (metadata, band keys, fingerprints, template line keys).

use super::*;
use crate::candidates::lsh::BandKey;
use crate::candidates::minhash::MinHasher;
use crate::candidates::winnow::{Fingerprint, Posting, Winnower, posting};
use crate::error::Result;
use crate::ingest::record::RecordWarning;
use crate::ingest::{
    BATCH_BYTES, Corpus, Origin, RawRecord, RecordPosition, Rejection, parse_record,
};
use crate::quality::boilerplate::line_keys;
use crate::text::shingle::{ShingleKind, ShingleParams, Shingler};
use rayon::prelude::*;

/// What the first pass keeps: one outcome per record and the band keys of every record
/// (`bands` per record, in record order; zeros for rejected records).
pub(super) struct FirstPass {
    pub(super) docs: Vec<DocOutcome>,
    pub(super) keys: Vec<BandKey>,
    pub(super) warnings: Vec<Warning>,
    /// Where each record is, so later passes read only the records they need.
    pub(super) positions: Vec<RecordPosition>,
    /// Packed (fingerprint, document) postings for the passage index (empty when it is off).
    pub(super) fingerprints: Vec<Posting>,
    /// (line key, document) for every distinct line of every document (empty when quality
    /// is not assessed).
    pub(super) line_keys: Vec<(u64, u32)>,
}

/// One record after the first pass: its outcome, band keys, warnings and fingerprints.
pub(super) struct Sketched {
    pub(super) outcome: DocOutcome,
    pub(super) keys: Option<Vec<BandKey>>,
    pub(super) warnings: Vec<Warning>,
    pub(super) fingerprints: Vec<Fingerprint>,
    pub(super) line_keys: Vec<u64>,
}

pub(super) fn first_pass(
    corpus: &Corpus,
    params: &ScanParams,
    progress: &dyn Progress,
) -> Result<FirstPass> {
    let hasher = MinHasher::new(params.minhash);
    let bands = params.lsh.bands();
    let mut pass = FirstPass {
        docs: Vec::new(),
        keys: Vec::new(),
        warnings: Vec::new(),
        positions: Vec::new(),
        fingerprints: Vec::new(),
        line_keys: Vec::new(),
    };
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        let bytes: usize = batch.iter().map(|r| r.payload.len()).sum();
        pass.positions.extend(batch.iter().map(|r| r.position));
        let analyzed: Vec<Sketched> = batch
            .into_par_iter()
            .map_init(
                || {
                    (
                        Shingler::new(params.shingle),
                        params.winnow.as_ref().map(Winnower::new),
                    )
                },
                |(shingler, winnower), raw| {
                    sketch_record(&raw, params, &hasher, shingler, winnower.as_mut())
                },
            )
            .collect();
        for sketched in analyzed {
            let doc = pass.docs.len() as u32;
            pass.docs.push(sketched.outcome);
            match sketched.keys {
                Some(keys) => pass.keys.extend(keys),
                None => pass.keys.extend(std::iter::repeat_n(BandKey(0), bands)),
            }
            pass.warnings.extend(sketched.warnings);
            pass.fingerprints
                .extend(sketched.fingerprints.into_iter().map(|f| posting(f, doc)));
            pass.line_keys
                .extend(sketched.line_keys.into_iter().map(|key| (key, doc)));
        }
        progress.advance(bytes as u64);
        Ok(())
    })?;
    Ok(pass)
}

/// The per-document stages of the first pass: parse, normalize, shingle, sketch and winnow in
/// one streaming loop, then cut the signature into band keys. The shingle set is never built.
pub(super) fn sketch_record(
    raw: &RawRecord,
    params: &ScanParams,
    hasher: &MinHasher,
    shingler: &mut Shingler,
    mut winnower: Option<&mut Winnower>,
) -> Sketched {
    let doc = match parse_record(raw, &params.read) {
        Ok(doc) => doc,
        Err(rejection) => {
            return Sketched {
                outcome: rejected(&raw.origin, rejection),
                keys: None,
                warnings: Vec::new(),
                fingerprints: Vec::new(),
                line_keys: Vec::new(),
            };
        }
    };
    let mut sketch = hasher.builder();
    let units = match winnower.as_deref_mut() {
        Some(winnower) => shingler.for_each(&doc.text, |shingle| {
            sketch.add(shingle);
            winnower.push(shingle);
        }),
        None => shingler.for_each(&doc.text, |shingle| sketch.add(shingle)),
    };
    let fingerprints = winnower.map(|w| w.finish()).unwrap_or_default();
    let line_keys = if params.quality.is_some() {
        line_keys(&doc.text)
    } else {
        Vec::new()
    };
    let signature = sketch.finish();
    let mut outcome = DocOutcome {
        origin: raw.origin.clone(),
        id: Some(doc.id),
        title: doc.title,
        source: doc.source,
        date: doc.date,
        status: DocStatus::Unique,
        cluster: None,
        duplicate_of: None,
        similarity: None,
        reason: None,
        words: units as u32,
        reuses: Vec::new(),
        quality: None,
    };
    match signature {
        Some(signature) if units >= params.shingle.size() => Sketched {
            outcome,
            keys: Some(params.lsh.band_keys(&signature)),
            warnings: warnings_of(&raw.origin, doc.warnings),
            fingerprints,
            line_keys,
        },
        _ => {
            outcome.status = DocStatus::Rejected;
            outcome.reason = Some(too_short_reason(units, &params.shingle));
            Sketched {
                outcome,
                keys: None,
                warnings: warnings_of(&raw.origin, doc.warnings),
                fingerprints: Vec::new(),
                line_keys: Vec::new(),
            }
        }
    }
}

pub(super) fn too_short_reason(units: usize, shingle: &ShingleParams) -> RejectReason {
    if units == 0 {
        return RejectReason::Empty;
    }
    RejectReason::TooShort {
        units,
        unit: match shingle.kind() {
            ShingleKind::Words(_) => Unit::Words,
            ShingleKind::Chars(_) => Unit::Characters,
        },
        shingle_size: shingle.size(),
    }
}

fn warnings_of(origin: &Origin, warnings: Vec<RecordWarning>) -> Vec<Warning> {
    warnings
        .into_iter()
        .map(|warning| Warning {
            origin: origin.clone(),
            warning,
        })
        .collect()
}

pub(super) fn rejected(origin: &Origin, rejection: Rejection) -> DocOutcome {
    DocOutcome {
        origin: origin.clone(),
        id: rejection.id,
        title: None,
        source: None,
        date: None,
        status: DocStatus::Rejected,
        cluster: None,
        duplicate_of: None,
        similarity: None,
        reason: Some(RejectReason::Unreadable(rejection.problem)),
        words: 0,
        reuses: Vec::new(),
        quality: None,
    }
}

/// Rejects every record whose id was already used by an earlier record.
pub(super) fn reject_duplicate_ids(docs: &mut [DocOutcome]) {
    let mut first_seen: ahash::AHashMap<String, Origin> =
        ahash::AHashMap::with_capacity(docs.len());
    for doc in docs.iter_mut() {
        if doc.status == DocStatus::Rejected {
            continue;
        }
        let id = doc.id.clone().expect("accepted records have ids");
        match first_seen.get(&id) {
            Some(first) => {
                doc.status = DocStatus::Rejected;
                doc.reason = Some(RejectReason::DuplicateId {
                    id,
                    first: first.clone(),
                });
            }
            None => {
                first_seen.insert(id, doc.origin.clone());
            }
        }
    }
}
