//! The scan's stages for an engine that runs them on workers of its own (Apache Spark, through
//! the Python package). Records are analysed in whatever partition holds them; the engine
//! groups band keys and fingerprints into candidate pairs and joins each pair with its two
//! texts; pairs are verified wherever that join lands. What needs the whole corpus (duplicate
//! ids, identical texts, clusters without chaining, outlet templates, directions) is decided
//! once, on the driver, by the functions a scan calls (`verify_and_cluster`, `conclude`), so
//! the two cannot differ in what they relate.
//!
//! The caller numbers the records in input order: what a scan decides by input order (the
//! first use of an id, the hub of a large band bucket, `a < b`) is then decided alike.

use super::incremental::{ParsedRecord, TextToRelate, open_doc, parse_records, sketch_documents};
use super::main_text::MainTextJudge;
use super::templates::{Examples, KeyedLines, LineEntry};
use super::verify_pass::{OpenDoc, Verified, keyed_lines_of, relate_pair};
use super::*;
use crate::ingest::RawRecord;
use crate::text::shingle::Shingler;
use rayon::prelude::*;

pub use super::incremental::SketchedDoc;

/// Analyses `records` (parsed, judged, shingled, sketched) in parallel, in order: one
/// [`SketchedDoc`] per record, rejected ones with their reason.
pub fn analyze(records: Vec<RawRecord>, params: &ScanParams) -> Vec<SketchedDoc> {
    let parsed = parse_records(records, params);
    let mut unreadable: Vec<Option<DocOutcome>> = Vec::with_capacity(parsed.len());
    let mut read = Vec::new();
    for record in parsed {
        match record {
            ParsedRecord::Read(origin, doc) => {
                read.push((origin, doc));
                unreadable.push(None);
            }
            ParsedRecord::Unreadable(outcome) => unreadable.push(Some(outcome)),
        }
    }
    let mut sketched = sketch_documents(read, params).into_iter();
    unreadable
        .into_iter()
        .map(|slot| match slot {
            Some(outcome) => SketchedDoc {
                outcome,
                band_keys: Vec::new(),
                fingerprints: Vec::new(),
                line_keys: Vec::new(),
                text: String::new(),
                warnings: Vec::new(),
                identity: TextIdentity::default(),
            },
            None => sketched.next().expect("one sketch per document read"),
        })
        .collect()
}

/// Band buckets of more documents than this are paired as a star around their first
/// document, as a scan pairs them (`None` when every pair is asked for).
pub fn star_buckets_above(params: &ScanParams) -> Option<usize> {
    (!params.all_pairs).then_some(STAR_BUCKETS_ABOVE)
}

/// What verifying one part of the candidate pairs found, to be sent to the driver: the pairs
/// worth keeping, the shingle count of every document the part prepared, and the keyed lines
/// of the documents in its partial pairs (for the template filter).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct VerifiedPart {
    pairs: Vec<RelatedPair>,
    shingle_counts: Vec<(u32, u32)>,
    partial_lines: Vec<(u32, KeyedLines)>,
}

impl VerifiedPart {
    /// The related pairs found.
    pub fn related(&self) -> usize {
        self.pairs.len()
    }
}

/// Verifies `pairs` (`a < b`, documents numbered as in [`ShardedScan`]) as the verification
/// pass does: each document of `texts` prepared once, its boilerplate lines blanked and its
/// own text found against `recurring` (the lines in at least `--template-min-docs`
/// documents, with their counts); every pair's figures, passages and relation.
pub fn verify_part(
    pairs: &[(u32, u32)],
    texts: &[(u32, TextToRelate<'_>)],
    recurring: &TemplateLines,
    params: &ScanParams,
) -> VerifiedPart {
    let mut texts: Vec<&(u32, TextToRelate<'_>)> = texts.iter().collect();
    texts.sort_unstable_by_key(|(doc, _)| *doc);
    texts.dedup_by_key(|(doc, _)| *doc);
    let prepared: Vec<(u32, OpenDoc)> = texts
        .par_iter()
        .map_init(
            || (Shingler::new(params.shingle), MainTextJudge::default()),
            |(shingler, judge), (doc, text)| {
                (
                    *doc,
                    open_doc(text, recurring, params, shingler, judge, true),
                )
            },
        )
        .collect();
    let prepared: ahash::AHashMap<u32, OpenDoc> = prepared.into_iter().collect();
    let mut related: Vec<RelatedPair> = pairs
        .par_iter()
        .filter_map(|&(a, b)| relate_pair(a, b, &prepared[&a], &prepared[&b], params))
        .collect();
    related.sort_unstable_by_key(|p| (p.figures.a, p.figures.b));
    let mut in_partials: Vec<u32> = related
        .iter()
        .filter(|p| p.relation() == Relation::Partial)
        .flat_map(|p| [p.figures.a, p.figures.b])
        .collect();
    in_partials.sort_unstable();
    in_partials.dedup();
    let seed = params.shingle.seed();
    let partial_lines = in_partials
        .into_par_iter()
        .map(|doc| {
            let text = prepared[&doc].original.as_deref().unwrap_or("");
            (doc, keyed_lines_of(text, seed))
        })
        .collect();
    let mut shingle_counts: Vec<(u32, u32)> = prepared
        .iter()
        .map(|(&doc, open)| (doc, open.set.len() as u32))
        .collect();
    shingle_counts.sort_unstable();
    VerifiedPart {
        pairs: related,
        shingle_counts,
        partial_lines,
    }
}

/// The driver's side of a sharded scan: every record's outcome and text identity, in input
/// order, with duplicate ids rejected and identical texts grouped behind their leader.
pub struct ShardedScan {
    params: ScanParams,
    docs: Vec<DocOutcome>,
    identities: Vec<TextIdentity>,
    exact: ExactGroups,
    warnings: Vec<Warning>,
}

impl ShardedScan {
    /// From what [`analyze`] gave for every record, in input order (outcomes, identities and
    /// warnings; band keys, fingerprints, lines and texts stay with the engine). Quality is not
    /// assessed on this path: relations do not depend on it.
    pub fn new(
        mut docs: Vec<DocOutcome>,
        identities: Vec<TextIdentity>,
        warnings: Vec<Warning>,
        params: &ScanParams,
    ) -> Result<Self> {
        if params.quality {
            return Err(Error::param(
                "quality",
                "a sharded scan relates documents only; score them with `reprint.quality`",
            ));
        }
        if docs.len() != identities.len() {
            return Err(Error::Engine {
                message: format!("{} identities for {} records", identities.len(), docs.len()),
            });
        }
        reject_duplicate_ids(&mut docs);
        let accepted = Self::accepted_of(&docs);
        if !accepted.contains(&true) {
            let reason = docs.first().and_then(|d| d.reason.as_deref()).map_or_else(
                || "the input holds no records".to_string(),
                |r| r.to_string(),
            );
            return Err(Error::NothingRead(format!(
                "all {} records were rejected; the first: {reason}",
                docs.len()
            )));
        }
        let exact = if params.all_pairs {
            ExactGroups::default()
        } else {
            ExactGroups::find(&identities, &member_infos(&docs, &[]), &accepted)
        };
        Ok(ShardedScan {
            params: params.clone(),
            docs,
            identities,
            exact,
            warnings,
        })
    }

    fn accepted_of(docs: &[DocOutcome]) -> Vec<bool> {
        docs.iter()
            .map(|d| d.status != DocStatus::Rejected)
            .collect()
    }

    /// The records rejected because their id was used by an earlier record: the engine leaves
    /// them out of everything that follows.
    pub fn rejected_as_duplicate_ids(&self) -> Vec<u32> {
        (0..self.docs.len() as u32)
            .filter(|&doc| {
                matches!(
                    self.docs[doc as usize].reason.as_deref(),
                    Some(RejectReason::DuplicateId { .. })
                )
            })
            .collect()
    }

    /// The accepted documents that are compared only through the leader of their group of
    /// identical texts: the engine finds candidates among the others.
    pub fn followers(&self) -> Vec<u32> {
        (0..self.docs.len() as u32)
            .filter(|&doc| {
                self.docs[doc as usize].status != DocStatus::Rejected && !self.exact.is_leader(doc)
            })
            .collect()
    }

    /// Every document's outcome so far.
    pub fn docs(&self) -> &[DocOutcome] {
        &self.docs
    }

    /// Verifies the `candidates` (with the counts of those from LSH and from the passage
    /// index) through `verify`, which the engine runs on its workers with the texts joined in,
    /// and every later round the scan needs; then clusters, templates and directions as a
    /// scan decides them. `entries` are (line key, document) of every line found in at least
    /// `--template-min-docs` accepted documents (one per key and document), for the outlet
    /// templates.
    pub fn relate(
        self,
        entries: &[(u64, u32)],
        mut candidates: Vec<CandidatePair>,
        counts: (usize, usize),
        verify: &mut dyn FnMut(Vec<CandidatePair>) -> Result<Vec<VerifiedPart>>,
    ) -> Result<ScanResult> {
        let ShardedScan {
            params,
            mut docs,
            identities,
            exact,
            warnings,
        } = self;
        candidates.sort_unstable();
        candidates.dedup();
        let candidate_count = candidates.len();
        let documents = docs.len();
        let mut verify_parts = |pairs: Vec<CandidatePair>| -> Result<Verified> {
            let mut verified = Verified {
                pairs: Vec::new(),
                shingle_counts: vec![0; documents],
                partial_lines: Default::default(),
            };
            if pairs.is_empty() {
                return Ok(verified);
            }
            for part in verify(pairs)? {
                verified.pairs.extend(part.pairs);
                for (doc, count) in part.shingle_counts {
                    let slot = verified
                        .shingle_counts
                        .get_mut(doc as usize)
                        .ok_or_else(|| Error::Engine {
                            message: format!("a verified part names document {doc} of {documents}"),
                        })?;
                    *slot = (*slot).max(count);
                }
                for (doc, lines) in part.partial_lines {
                    verified.partial_lines.entry(doc).or_insert(lines);
                }
            }
            verified
                .pairs
                .sort_unstable_by_key(|p| (p.figures.a, p.figures.b));
            Ok(verified)
        };
        let linked = verify_and_cluster(
            &docs,
            &identities,
            &exact,
            candidates,
            &mut verify_parts,
            &params,
        )?;
        let mut lines: Vec<LineEntry> = entries
            .iter()
            .map(|&(key, doc)| LineEntry::counted_only(key, doc))
            .collect();
        lines.sort_unstable();
        let (pairs, clusters, templates, verified) =
            conclude(&mut docs, linked, &lines, &Examples::default(), &params);
        let stats = ScanStats::of(
            &docs,
            &pairs,
            &params,
            (candidate_count, counts.0, counts.1),
            verified,
            exact.followers(),
        );
        Ok(ScanResult {
            params,
            docs,
            pairs,
            clusters,
            stats,
            warnings,
            templates,
            spool: Arc::new(Spool::new()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(words: std::ops::Range<usize>) -> String {
        words
            .map(|i| format!("word{}", (i * 7919) % 1009))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A verified part reaches the driver through JSON: every figure must come back bit for
    /// bit, or the driver's clusters could differ from a scan's.
    #[test]
    fn a_verified_part_survives_its_trip_to_the_driver_exactly() {
        let params = ScanOptions::default().params().unwrap();
        let (whole, cut, lift) = (
            text(0..400),
            text(0..300),
            text(350..380) + " " + &text(900..1000),
        );
        let texts: Vec<(u32, TextToRelate<'_>)> = [(0, &whole), (1, &cut), (2, &lift)]
            .into_iter()
            .map(|(doc, text)| {
                (
                    doc,
                    TextToRelate {
                        text,
                        title: None,
                        page: None,
                    },
                )
            })
            .collect();
        let part = verify_part(
            &[(0, 1), (0, 2), (1, 2)],
            &texts,
            &TemplateLines::none(),
            &params,
        );
        let relations: Vec<Relation> = part.pairs.iter().map(RelatedPair::relation).collect();
        assert_eq!(relations, [Relation::Copy, Relation::Partial]);
        let back: VerifiedPart =
            serde_json::from_slice(&serde_json::to_vec(&part).unwrap()).unwrap();
        assert_eq!(back.pairs, part.pairs);
        assert_eq!(back.shingle_counts, part.shingle_counts);
        assert_eq!(back.partial_lines, part.partial_lines);
        assert_eq!(part.shingle_counts.len(), 3);
    }
}
