//! The scan's stages for an engine that runs them on workers of its own (Apache Spark, through
//! the Python package). Records are analysed in whatever partition holds them; the engine
//! groups band keys and fingerprints into candidate pairs and joins each pair with its two
//! texts; pairs are verified wherever that join lands. What needs the whole corpus (duplicate
//! ids, identical texts, clusters without chaining, outlet templates, directions) is decided
//! once, on the driver, by the functions a scan calls (`verify_and_cluster`, `conclude`), so
//! the two cannot differ in what they relate.
//!
//! When the verified pairs are too many for the driver, the engine finds the connected
//! components of the related documents itself (pairs found by verification, identical texts)
//! and relates each [`Component`] on a worker: the same `verify_and_cluster`, then, once the
//! engine has counted the outlet templates over the clusters of every component, the rest of
//! `conclude` ([`ClusteredComponent::conclude`]). Nothing a scan decides reaches across two
//! components (a cluster, an inherited pair, a direction all lie within one), so each
//! component's result is the scan's, restricted to it.
//!
//! The caller numbers the records in input order: what a scan decides by input order (the
//! first use of an id, the hub of a large band bucket, `a < b`) is then decided alike.

use super::incremental::{ParsedRecord, TextToRelate, open_doc, parse_records, sketch_documents};
use super::main_text::MainTextJudge;
use super::templates::{Examples, KeyedLines, LineEntry};
use super::verify_pass::{OpenDoc, Verified, keyed_lines_of, relate_pair};
use super::*;
use crate::candidates::lsh::{BandKey, band_candidates, merge_candidates};
use crate::candidates::winnow::{Posting, posting, posting_pairs};
use crate::ingest::RawRecord;
use crate::relate::direction::Direction;
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

/// The candidate pairs of the band buckets among `entries` (band, band key, document: every
/// entry of each bucket in them), paired as a scan pairs them (a bucket of more than
/// [`star_buckets_above`] documents as a star around its first); sorted, without repeats.
pub fn band_pairs(entries: &[(u32, u32, u32)], params: &ScanParams) -> Vec<(u32, u32)> {
    let mut entries = entries.to_vec();
    entries.sort_unstable_by_key(|&(band, _, _)| band);
    let per_band: Vec<Vec<CandidatePair>> = entries
        .chunk_by(|x, y| x.0 == y.0)
        .map(|band| {
            let mut keyed: Vec<(BandKey, u32)> = band
                .iter()
                .map(|&(_, key, doc)| (BandKey(key), doc))
                .collect();
            band_candidates(&mut keyed, star_buckets_above(params))
        })
        .collect();
    merge_candidates(per_band)
        .into_iter()
        .map(|p| (p.a, p.b))
        .collect()
}

/// The document pairs sharing fingerprints among `postings` (fingerprint, document: every
/// posting of each fingerprint in them), each with how many they share: what one part of the
/// fingerprint space contributes, the engine adding a pair's counts over parts and keeping
/// those that reach the passage index's minimum. Fingerprints held by more documents than the
/// index's cap are skipped, as a scan skips them; empty without the passage index.
pub fn fingerprint_pair_counts(
    postings: &[(u32, u32)],
    params: &ScanParams,
) -> Vec<(u32, u32, u32)> {
    let Some(winnow) = &params.winnow else {
        return Vec::new();
    };
    let mut packed: Vec<Posting> = postings
        .iter()
        .map(|&(fingerprint, doc)| posting(fingerprint, doc))
        .collect();
    packed.sort_unstable();
    packed.dedup();
    let mut pairs = posting_pairs(&packed, winnow);
    pairs.sort_unstable();
    pairs
        .chunk_by(|x, y| x == y)
        .map(|run| ((run[0] >> 32) as u32, run[0] as u32, run.len() as u32))
        .collect()
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

/// Gathers verified parts into what the clustering reads: the pairs sorted by `(a, b)`, the
/// largest shingle count seen for each of `documents` documents, the first keyed lines given
/// for each.
fn gather(parts: Vec<VerifiedPart>, documents: usize) -> Result<Verified> {
    let mut verified = Verified {
        pairs: Vec::new(),
        shingle_counts: vec![0; documents],
        partial_lines: Default::default(),
    };
    for part in parts {
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
}

/// One finding of a verified part, about one pair or one document: an engine that relates
/// each connected component on a worker of its own sends each where its documents went.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum VerifiedItem {
    /// A pair worth keeping.
    Pair(RelatedPair),
    /// A document the part prepared: its shingle count and, when it is in a partial pair, its
    /// keyed lines (for the template filter).
    Doc {
        /// The document.
        doc: u32,
        /// Its shingles, as verification counted them.
        shingles: u32,
        /// Its keyed lines, when it is in a partial pair.
        lines: Option<KeyedLines>,
    },
}

impl VerifiedItem {
    /// The documents it is about: a pair's two, or one.
    pub fn docs(&self) -> (u32, Option<u32>) {
        match self {
            VerifiedItem::Pair(pair) => (pair.figures.a, Some(pair.figures.b)),
            VerifiedItem::Doc { doc, .. } => (*doc, None),
        }
    }
}

impl VerifiedPart {
    /// Its findings one by one.
    pub fn into_items(self) -> Vec<VerifiedItem> {
        let mut lines: ahash::AHashMap<u32, KeyedLines> = self.partial_lines.into_iter().collect();
        let docs = self
            .shingle_counts
            .into_iter()
            .map(|(doc, shingles)| VerifiedItem::Doc {
                doc,
                shingles,
                lines: lines.remove(&doc),
            });
        self.pairs
            .into_iter()
            .map(VerifiedItem::Pair)
            .chain(docs)
            .collect()
    }
}

/// What a component keeps of each of its documents' outcomes between its two steps.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Member {
    id: Option<String>,
    title: Option<String>,
    source: Option<String>,
    date: Option<i64>,
    words: u32,
    tokens: Option<Tokens>,
}

impl Member {
    fn of(doc: &DocOutcome) -> Member {
        Member {
            id: doc.id.clone(),
            title: doc.title.clone(),
            source: doc.source.clone(),
            date: doc.date,
            words: doc.words,
            tokens: doc.tokens,
        }
    }

    /// The outcome of an accepted document before it is related; `origin` names the records,
    /// the document's line being its corpus number from 1.
    fn outcome(self, origin: &Arc<str>, ordinal: u32) -> DocOutcome {
        DocOutcome {
            origin: Origin {
                file: origin.clone(),
                line: u64::from(ordinal) + 1,
            },
            id: self.id,
            title: self.title,
            source: self.source,
            date: self.date,
            status: DocStatus::Unique,
            cluster: None,
            duplicate_of: None,
            similarity: None,
            reason: None,
            words: self.words,
            tokens: self.tokens,
            reuses: Vec::new(),
            quality: None,
            page: None,
        }
    }
}

/// One connected component of the related documents (linked by a verified pair or by
/// identical texts), every one accepted, as an engine hands it to a worker. Inside, documents
/// are numbered from 0 in corpus order, so that what a scan decides by input order is decided
/// alike; `ordinals` gives their corpus numbers.
#[derive(Default)]
pub struct Component<'a> {
    /// Corpus numbers, in any order.
    pub ordinals: Vec<u32>,
    /// Each document's outcome after analysis (accepted).
    pub docs: Vec<DocOutcome>,
    /// Each document's text identity.
    pub identities: Vec<TextIdentity>,
    /// Each document's text, as verification reads it.
    pub texts: Vec<TextToRelate<'a>>,
    /// The corpus number of each document's leader among identical texts, as the engine
    /// found it (itself when it has none): the candidates were found among leaders only.
    pub leaders: Vec<u32>,
    /// Every candidate pair between two of its documents, by corpus number.
    pub candidates: Vec<(u32, u32)>,
    /// What verifying those candidates found about its documents.
    pub verified: Vec<VerifiedItem>,
}

/// Clusters every component ([`Component::cluster`]) in parallel; the results in order.
pub fn cluster_components(
    components: Vec<Component<'_>>,
    recurring: &TemplateLines,
    params: &ScanParams,
) -> Result<Vec<ClusteredComponent>> {
    components
        .into_par_iter()
        .map(|component| component.cluster(recurring, params))
        .collect()
}

/// Concludes every component ([`ClusteredComponent::conclude`]) in parallel, each with its
/// cluster numbers and templates; the results in order.
pub fn conclude_components(
    components: Vec<(ClusteredComponent, Vec<u32>, TemplateLines)>,
    origin: &Arc<str>,
    params: &ScanParams,
) -> Result<Vec<ConcludedComponent>> {
    components
        .into_par_iter()
        .map(|(component, ids, templates)| component.conclude(&ids, &templates, origin, params))
        .collect()
}

impl Component<'_> {
    /// Clusters the component as a scan does, from the findings of verifying its candidate
    /// pairs, verifying here the links and inherited pairs that needs. `recurring` are the
    /// lines in at least `--template-min-docs` documents, as for [`verify_part`].
    pub fn cluster(
        self,
        recurring: &TemplateLines,
        params: &ScanParams,
    ) -> Result<ClusteredComponent> {
        let Component {
            ordinals,
            docs,
            identities,
            texts,
            leaders,
            candidates,
            verified,
        } = self;
        let n = ordinals.len();
        if [docs.len(), identities.len(), texts.len(), leaders.len()] != [n; 4] {
            return Err(Error::Engine {
                message: format!(
                    "a component needs one outcome, identity, text and leader for each of its \
                     {n} documents"
                ),
            });
        }
        // Documents in corpus order, whatever order the engine gave them in.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_unstable_by_key(|&i| ordinals[i]);
        let ordinals = in_order(ordinals, &order);
        if let Some(w) = ordinals.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::Engine {
                message: format!("document {} is twice in its component", w[0]),
            });
        }
        let (docs, identities) = (in_order(docs, &order), in_order(identities, &order));
        let (texts, leaders) = (in_order(texts, &order), in_order(leaders, &order));
        let local = |ordinal: u32| -> Result<u32> {
            ordinals
                .binary_search(&ordinal)
                .map(|i| i as u32)
                .map_err(|_| Error::Engine {
                    message: format!("document {ordinal} is not in its component"),
                })
        };
        let exact = match params.all_pairs {
            true => ExactGroups::default(),
            false => ExactGroups::find(&identities, &member_infos(&docs, &[]), &vec![true; n]),
        };
        if !params.all_pairs {
            for (doc, &leader) in leaders.iter().enumerate() {
                if ordinals[exact.leader(doc as u32) as usize] != leader {
                    return Err(Error::Engine {
                        message: format!(
                            "document {} was given leader {leader} among identical texts; \
                             a scan chooses {}",
                            ordinals[doc],
                            ordinals[exact.leader(doc as u32) as usize]
                        ),
                    });
                }
            }
        }
        let mut local_candidates = candidates
            .iter()
            .map(|&(a, b)| Ok(CandidatePair::new(local(a)?, local(b)?)))
            .collect::<Result<Vec<CandidatePair>>>()?;
        local_candidates.sort_unstable();
        local_candidates.dedup();
        let mut found = VerifiedPart::default();
        for item in verified {
            match item {
                VerifiedItem::Pair(mut pair) => {
                    pair.figures.a = local(pair.figures.a)?;
                    pair.figures.b = local(pair.figures.b)?;
                    found.pairs.push(pair);
                }
                VerifiedItem::Doc {
                    doc,
                    shingles,
                    lines,
                } => {
                    let doc = local(doc)?;
                    found.shingle_counts.push((doc, shingles));
                    found.partial_lines.extend(lines.map(|lines| (doc, lines)));
                }
            }
        }
        let first = gather(vec![found], n)?;
        // Later rounds are verified here, with the component's texts.
        let mut verify = |pairs: Vec<CandidatePair>| -> Result<Verified> {
            let mut needed = vec![false; n];
            for pair in &pairs {
                needed[pair.a as usize] = true;
                needed[pair.b as usize] = true;
            }
            let texts: Vec<(u32, TextToRelate<'_>)> = texts
                .iter()
                .enumerate()
                .filter(|&(doc, _)| needed[doc])
                .map(|(doc, text)| (doc as u32, *text))
                .collect();
            let pairs: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
            match pairs.is_empty() {
                true => gather(Vec::new(), n),
                false => gather(vec![verify_part(&pairs, &texts, recurring, params)], n),
            }
        };
        let Linked { verified, clusters } = verify_and_cluster(
            &docs,
            &identities,
            &exact,
            local_candidates,
            first,
            &mut verify,
            params,
        )?;
        let mut partial_lines: Vec<(u32, KeyedLines)> =
            verified.partial_lines.into_iter().collect();
        partial_lines.sort_unstable_by_key(|(doc, _)| *doc);
        Ok(ClusteredComponent {
            members: docs.iter().map(Member::of).collect(),
            ordinals,
            clusters,
            pairs: verified.pairs,
            partial_lines,
        })
    }
}

/// `values` rearranged so that the `i`th is the `order[i]`th (`order` a permutation).
fn in_order<T>(values: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = values.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| slots[i].take().expect("a permutation takes each once"))
        .collect()
}

/// A component clustered, waiting for the outlet templates, which are counted over the
/// clusters of every component.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClusteredComponent {
    ordinals: Vec<u32>,
    members: Vec<Member>,
    clusters: Vec<Cluster>,
    pairs: Vec<RelatedPair>,
    partial_lines: Vec<(u32, KeyedLines)>,
}

impl ClusteredComponent {
    /// The corpus number of each cluster's first member, in the component's cluster order
    /// (the corpus numbers clusters in the order of their first member).
    pub fn first_members(&self) -> Vec<u32> {
        self.clusters
            .iter()
            .map(|c| self.ordinals[c.members[0] as usize])
            .collect()
    }

    /// Every clustered document with its cluster's first member, both by corpus number: the
    /// outlet templates count each cluster once.
    pub fn clustered(&self) -> Vec<(u32, u32)> {
        let mut clustered: Vec<(u32, u32)> = self
            .clusters
            .iter()
            .flat_map(|c| {
                let first = self.ordinals[c.members[0] as usize];
                c.members
                    .iter()
                    .map(move |&m| (self.ordinals[m as usize], first))
            })
            .collect();
        clustered.sort_unstable();
        clustered
    }

    /// The keys of the lines of the documents in partial pairs: the only lines whose being
    /// templates the rest of the work asks about.
    pub fn partial_line_keys(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = self
            .partial_lines
            .iter()
            .flat_map(|(_, lines)| lines.iter().filter_map(|(key, _)| *key))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Finishes the component as a scan does, given the outlet `templates` among its
    /// [`partial_line_keys`](Self::partial_line_keys) and the corpus's number of each of its
    /// clusters (`cluster_ids`, in its cluster order); `origin` names the records.
    pub fn conclude(
        self,
        cluster_ids: &[u32],
        templates: &TemplateLines,
        origin: &Arc<str>,
        params: &ScanParams,
    ) -> Result<ConcludedComponent> {
        let ClusteredComponent {
            ordinals,
            members,
            clusters,
            pairs,
            partial_lines,
        } = self;
        if cluster_ids.len() != clusters.len() {
            return Err(Error::Engine {
                message: format!(
                    "{} cluster numbers for a component of {} clusters",
                    cluster_ids.len(),
                    clusters.len()
                ),
            });
        }
        let mut docs: Vec<DocOutcome> = members
            .into_iter()
            .zip(&ordinals)
            .map(|(member, &ordinal)| member.outcome(origin, ordinal))
            .collect();
        let linked = Linked {
            verified: Verified {
                pairs,
                shingle_counts: Vec::new(),
                partial_lines: partial_lines.into_iter().collect(),
            },
            clusters,
        };
        let (settled, _) = settle_clusters(&mut docs, linked, params);
        let (mut pairs, mut clusters) = settle_relations(&mut docs, settled, templates);
        // The corpus's cluster numbers, once nothing more indexes the component's clusters by
        // theirs.
        let number = |local: u32| cluster_ids[local as usize];
        for cluster in &mut clusters {
            cluster.id = number(cluster.id);
        }
        for doc in &mut docs {
            doc.cluster = doc.cluster.map(number);
        }
        for pair in &mut pairs {
            if let Some(Direction::ClusterOriginal { cluster, .. }) = &mut pair.direction {
                *cluster = number(*cluster);
            }
        }
        Ok(ConcludedComponent {
            ordinals,
            docs,
            pairs,
            clusters,
        })
    }
}

/// A component's outcome: its documents, pairs and clusters as a scan would report them, with
/// the documents numbered inside the component and the clusters as the corpus numbers them.
#[derive(Debug)]
pub struct ConcludedComponent {
    /// Corpus numbers of its documents, ascending.
    pub ordinals: Vec<u32>,
    /// Each document's outcome.
    pub docs: Vec<DocOutcome>,
    /// Its copy and partial pairs, sorted by `(a, b)`.
    pub pairs: Vec<RelatedPair>,
    /// Its clusters, in the corpus's order.
    pub clusters: Vec<Cluster>,
}

impl ConcludedComponent {
    /// The id of the document numbered `doc` inside the component ("" for none).
    pub fn id(&self, doc: u32) -> &str {
        self.docs[doc as usize].id.as_deref().unwrap_or("")
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
            match pairs.is_empty() {
                true => gather(Vec::new(), documents),
                false => gather(verify(pairs)?, documents),
            }
        };
        let linked = verify_then_cluster(
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
    use std::collections::BTreeMap;

    fn text(words: std::ops::Range<usize>) -> String {
        words
            .map(|i| format!("word{}", (i * 7919) % 1009))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// An engine sends each band bucket (or each fingerprint's postings) to one part; the parts'
    /// pairs together must be the whole's, a large bucket still a star.
    #[test]
    fn pairs_made_in_parts_by_bucket_are_the_wholes() {
        let params = ScanOptions::default().params().unwrap();
        let mut entries: Vec<(u32, u32, u32)> = Vec::new();
        for doc in 0..200u32 {
            entries.push((0, doc % 7, doc));
            entries.push((1, doc % 3, doc));
            // One bucket of 70 documents: a star around its first.
            entries.push((2, u32::from(doc < 70), doc));
        }
        let whole = band_pairs(&entries, &params);
        let (even, odd): (Vec<_>, Vec<_>) = entries.iter().partition(|e| (e.0 + e.1) % 2 == 0);
        let mut parts = band_pairs(&even, &params);
        parts.extend(band_pairs(&odd, &params));
        parts.sort_unstable();
        parts.dedup();
        assert_eq!(parts, whole);
        let in_star = whole.iter().filter(|&&(a, b)| a == 0 && b < 70).count();
        assert_eq!(in_star, 69);
        // A bucket of 29 is paired in full; 100 and 103 meet only in buckets of 67 and 130,
        // stars around 1 and 70.
        assert!(whole.contains(&(8, 15)));
        assert!(!whole.contains(&(100, 103)));

        let postings: Vec<(u32, u32)> = (0..300u32)
            .flat_map(|doc| (0..5).map(move |k| ((doc / 4) * 10 + k, doc)))
            .collect();
        let counts = |postings: &[(u32, u32)]| {
            let mut total: BTreeMap<(u32, u32), u32> = BTreeMap::new();
            for (a, b, n) in fingerprint_pair_counts(postings, &params) {
                *total.entry((a, b)).or_default() += n;
            }
            total
        };
        let whole = counts(&postings);
        let (low, high): (Vec<_>, Vec<_>) = postings.iter().partition(|p| p.0 % 3 == 0);
        let mut parts = counts(&low);
        for (pair, n) in counts(&high) {
            *parts.entry(pair).or_default() += n;
        }
        assert_eq!(parts, whole);
        // Four documents share five fingerprints in each group, pairwise.
        assert_eq!(whole.get(&(0, 3)), Some(&5));
        assert_eq!(whole.len(), 75 * 6);
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
