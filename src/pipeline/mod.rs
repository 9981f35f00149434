//! The orchestrator: runs the stages over a corpus and is the only place that uses rayon.
//!
//! Records are read serially in batches; each batch is parsed, normalized, shingled and
//! sketched in parallel (the work per document is serial). LSH runs one band per task,
//! verification one candidate pair per task, clustering serially. Every parallel step
//! collects in input order, so results do not depend on the number of threads.

mod candidates;
mod collapse;
mod explain;
mod first_pass;
mod generate;
pub mod incremental;
mod main_text;
mod params;
mod progress;
mod relations;
pub mod sharded;
mod templates;
mod verify_pass;

use crate::candidates::lsh::{CandidatePair, merge_candidates};
use crate::error::{Error, Result};
use crate::ingest::record::{RecordProblem, RecordWarning};
use std::sync::Arc;

use crate::ingest::{Corpus, Origin, PageOrigin, Spool, SpoolRange};
use crate::quality::Assessment;
use crate::quality::boilerplate::TemplateLines;
use crate::relate::cluster::{Cluster, MemberInfo, build_clusters, unverified_links};
use crate::relate::exact::{ExactGroups, TextIdentity, join_exact_groups};
use crate::relate::relation::{RelatedPair, Relation};
use crate::text::shingle::ShingleKind;

use candidates::*;
use collapse::inherited_pairs;
pub use explain::{Explanation, explain};
#[cfg(feature = "testing")]
pub use first_pass::first_pass_records;
use first_pass::*;
pub use generate::generate;
pub use params::{DEFAULT_TEMPLATE_MIN_DOCS, ScanOptions, ScanParams};
pub use progress::{Progress, Silent};
use relations::*;
use templates::*;
use verify_pass::*;

/// What became of one input record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocStatus {
    /// In no cluster.
    Unique,
    /// The representative of a cluster.
    Original,
    /// A member of a cluster that is not its representative.
    Duplicate,
    /// Not usable; see the reason.
    Rejected,
}

/// One input record's outcome, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct DocOutcome {
    /// Where the record came from.
    pub origin: Origin,
    /// Its id, when one could be read.
    pub id: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Publication time, seconds since the epoch.
    pub date: Option<i64>,
    /// Status.
    pub status: DocStatus,
    /// Cluster number, for originals and duplicates.
    pub cluster: Option<u32>,
    /// The representative's corpus index, for duplicates.
    pub duplicate_of: Option<u32>,
    /// Exact Jaccard to the representative, for duplicates.
    pub similarity: Option<f64>,
    /// Why the record was rejected (boxed: few records are).
    pub reason: Option<Box<RejectReason>>,
    /// Normalized words (characters with `--char-ngrams`).
    pub words: u32,
    /// What its shingles are made of (`None` for a rejected record).
    pub tokens: Option<Tokens>,
    /// The documents this one took text from, by corpus index (see [`Reuse`]).
    pub reuses: Vec<Reuse>,
    /// Its quality and what it rests on, unless it was rejected or quality was not assessed.
    pub quality: Option<Box<Assessment>>,
    /// For a document that came as an HTML page: what is known of the page and where its
    /// extracted text was spooled (boxed: most corpora hold no pages).
    pub page: Option<Box<Page>>,
}

/// What a scan keeps of a document that came as an HTML page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The size of the page's text and how its extracted text is to be read.
    pub origin: PageOrigin,
    /// Where its extracted text was spooled (accepted documents only).
    pub spooled: Option<SpoolRange>,
}

impl DocOutcome {
    /// What is known of the document's page, when it came as HTML.
    pub fn page_origin(&self) -> Option<PageOrigin> {
        self.page.as_ref().map(|p| p.origin)
    }

    /// Where the document's extracted text was spooled, when it came as HTML.
    pub fn spooled(&self) -> Option<SpoolRange> {
        self.page.as_ref().and_then(|p| p.spooled)
    }
}

/// Why a record was rejected. `Display` gives the explanation that follows `file:line:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The record could not be read.
    Unreadable(RecordProblem),
    /// No words at all.
    Empty,
    /// Fewer words (or characters) than one shingle needs.
    TooShort {
        /// How many it has.
        units: usize,
        /// What was counted.
        unit: Unit,
        /// How many one shingle needs.
        shingle_size: usize,
    },
    /// Enough words, but too few of them in its main text: the rest is boilerplate (menus,
    /// links, calls to act, ...), on which no document is matched.
    NoMainText {
        /// How many the whole text has.
        units: usize,
        /// How many its main text has.
        main_units: usize,
        /// What was counted.
        unit: Unit,
        /// How many one shingle needs.
        shingle_size: usize,
    },
    /// Its id is already in the index it is added to, with a different text: an id names one
    /// text, so the record is refused rather than taken as the same document.
    IndexedWithOtherText {
        /// The id.
        id: String,
        /// The indexed document's number.
        document: u32,
    },
    /// Its id was used by an earlier record.
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was first used.
        first: Origin,
    },
}

/// What a document's shingles are made of: words, or characters of a script written without
/// spaces (Han, kana, Thai, Lao, Khmer, Myanmar), each a token of its own so that a shingle is
/// a character n-gram there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tokens {
    /// Words separated by spaces or punctuation.
    Words,
    /// Mostly single characters of scripts written without spaces (or `--char-ngrams`).
    Characters,
    /// Both: a text in a script written without spaces quoting other scripts, or the reverse.
    Mixed,
}

impl Tokens {
    /// From the count of tokens and of those that are characters of scripts written without
    /// spaces: characters when they are at least half the tokens.
    pub fn of(tokens: usize, spaceless: usize) -> Tokens {
        match spaceless {
            0 => Tokens::Words,
            n if n * 2 >= tokens => Tokens::Characters,
            _ => Tokens::Mixed,
        }
    }
}

/// What a document's length is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Normalized words (word shingles).
    Words,
    /// Characters of the normalized text (character n-grams).
    Characters,
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unit::Words => "words",
            Unit::Characters => "characters",
        })
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RejectReason::Unreadable(problem) => problem.fmt(f),
            RejectReason::Empty => f.write_str("empty text"),
            RejectReason::TooShort {
                units,
                unit,
                shingle_size,
            } => {
                write!(
                    f,
                    "too short: {units} {unit}, fewer than the shingle size {shingle_size}"
                )
            }
            RejectReason::NoMainText {
                units,
                main_units,
                unit,
                shingle_size,
            } => write!(
                f,
                "no main text: {main_units} of its {units} {unit} are main text, fewer than the \
                 shingle size {shingle_size}; the rest is boilerplate"
            ),
            RejectReason::IndexedWithOtherText { id, document } => write!(
                f,
                "id {id:?} is already indexed (document {document}) with a different text; \
                 give this text another id"
            ),
            RejectReason::DuplicateId { id, first } => {
                write!(f, "duplicate id {id:?} (first used at {first})")
            }
        }
    }
}

/// A problem with a record that did not reject it (a bad date, an ignored field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the record came from.
    pub origin: Origin,
    /// What is wrong.
    pub warning: RecordWarning,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.warning)
    }
}

/// Text a document took from another one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reuse {
    /// The source document's corpus index.
    pub from: u32,
    /// `Copy` or `Partial`.
    pub relation: Relation,
    /// Share of this document's words that come from the source.
    pub share: f64,
}

/// Counts from a scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Input records (one per line of JSONL, one per text file).
    pub records: usize,
    /// Rejected records.
    pub rejected: usize,
    /// Candidate pairs from both indexes together.
    pub candidates: usize,
    /// Candidate pairs from Jaccard LSH.
    pub lsh_candidates: usize,
    /// Candidate pairs from the containment-aware (winnowing) index.
    pub winnow_candidates: usize,
    /// Candidate pairs at or above the threshold after exact verification.
    pub verified: usize,
    /// Pairs in the `copy` relation (those at or above the threshold included).
    pub copies: usize,
    /// Pairs in the `partial` relation.
    pub partials: usize,
    /// Bytes of input files.
    pub input_bytes: u64,
    /// Files skipped in input folders because they are not documents.
    pub ignored_files: usize,
    /// Accepted documents shingled (wholly or partly) by character because they are written
    /// in a script without spaces.
    pub by_character: usize,
    /// Documents whose text is identical to another's after normalization, compared only
    /// through that one (0 with `--all-pairs`).
    pub identical: usize,
}

impl ScanStats {
    /// The counts of a scan's outcome, `candidates` being (all, from LSH, from the passage
    /// index); the input's bytes and ignored files are left at 0 for the caller.
    fn of(
        docs: &[DocOutcome],
        pairs: &[RelatedPair],
        params: &ScanParams,
        candidates: (usize, usize, usize),
        verified: usize,
        identical: usize,
    ) -> ScanStats {
        let related = |relation| pairs.iter().filter(|p| p.relation() == relation).count();
        ScanStats {
            records: docs.len(),
            rejected: docs
                .iter()
                .filter(|d| d.status == DocStatus::Rejected)
                .count(),
            candidates: candidates.0,
            lsh_candidates: candidates.1,
            winnow_candidates: candidates.2,
            verified,
            copies: related(Relation::Copy),
            partials: related(Relation::Partial),
            input_bytes: 0,
            ignored_files: 0,
            identical,
            by_character: match params.shingle.kind() {
                ShingleKind::Words(_) => docs
                    .iter()
                    .filter(|d| matches!(d.tokens, Some(Tokens::Characters | Tokens::Mixed)))
                    .count(),
                ShingleKind::Chars(_) => 0,
            },
        }
    }
}

/// Everything a scan found.
#[derive(Debug, Clone)]
pub struct ScanResult {
    /// The parameters used, including the band shape.
    pub params: ScanParams,
    /// One outcome per input record, in input order.
    pub docs: Vec<DocOutcome>,
    /// Pairs in the `copy` or `partial` relation, sorted by `(a, b)`.
    pub pairs: Vec<RelatedPair>,
    /// Clusters ordered by their first member.
    pub clusters: Vec<Cluster>,
    /// Counts.
    pub stats: ScanStats,
    /// Problems that did not reject a record (bad dates, ignored fields), in input order.
    pub warnings: Vec<Warning>,
    /// The lines found to recur across the corpus as outlet templates.
    pub templates: TemplateLines,
    /// The extracted text of the HTML pages, for what is written after the scan.
    pub spool: Arc<Spool>,
}

impl ScanResult {
    /// The text of a document that came as an HTML page, from the spool; `None` for other
    /// documents.
    pub fn spooled_text(&self, index: u32) -> Result<Option<String>> {
        self.docs[index as usize]
            .spooled()
            .map(|range| self.spool.read(range))
            .transpose()
    }
}

impl ScanResult {
    /// The id of the document at `index` (rejected records may have none).
    pub fn id(&self, index: u32) -> Option<&str> {
        self.docs[index as usize].id.as_deref()
    }
}

/// What a run that read no document saw instead: no records at all (and the files skipped),
/// or only rejected ones (how many, and the first with its reason, which names the fields
/// a record has when the text field is missing).
fn what_was_seen(docs: &[DocOutcome], corpus: &Corpus) -> String {
    let Some(first) = docs.first() else {
        let skipped = corpus.ignored_files();
        return match skipped.first() {
            None => "the input holds no records".to_string(),
            Some(example) => format!(
                "no records; {} files were skipped as not documents, such as {} (reprint reads .jsonl, .json, .txt, .md, .html and their .gz versions)",
                skipped.len(),
                example.display()
            ),
        };
    };
    let reason = first
        .reason
        .as_deref()
        .map_or_else(String::new, ToString::to_string);
    let alike = docs
        .iter()
        .filter(|d| d.reason.as_deref().map(ToString::to_string).as_ref() == Some(&reason))
        .count();
    format!(
        "all {} records were rejected; {} for the same reason as the first, {}: {reason}",
        docs.len(),
        alike,
        first.origin
    )
}

/// What the clustering needs of each document; `shingle_counts` may be shorter than `docs`
/// (0 for the rest).
fn member_infos<'a>(docs: &'a [DocOutcome], shingle_counts: &[u32]) -> Vec<MemberInfo<'a>> {
    docs.iter()
        .enumerate()
        .map(|(i, doc)| MemberInfo {
            id: doc.id.as_deref().unwrap_or(""),
            date: doc.date,
            shingles: shingle_counts.get(i).copied().unwrap_or(0),
        })
        .collect()
}

/// Each document's cluster index, if any.
fn cluster_of(documents: usize, clusters: &[Cluster]) -> Vec<Option<u32>> {
    let mut of = vec![None; documents];
    for (index, cluster) in clusters.iter().enumerate() {
        for &doc in &cluster.members {
            of[doc as usize] = Some(index as u32);
        }
    }
    of
}

pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::param("--threads", e.to_string()))
}

/// Runs `work` on a pool of `threads` threads (0: one per core).
pub fn with_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> Result<T> {
    Ok(thread_pool(threads)?.install(work))
}

/// Reads the corpus and finds its copy clusters, partial reuse and who took from whom.
///
/// Memory stays proportional to the number of documents, not to their text: the first pass
/// keeps per document only its metadata, LSH band keys and winnowed fingerprints; the second
/// pass reads again only the documents in candidate pairs, prepares each once for
/// verification and alignment, and holds it just until its last partner is done.
pub fn scan(corpus: &Corpus, params: &ScanParams, progress: &dyn Progress) -> Result<ScanResult> {
    with_threads(params.threads, || scan_in_pool(corpus, params, progress))?
}

fn scan_in_pool(
    corpus: &Corpus,
    params: &ScanParams,
    progress: &dyn Progress,
) -> Result<ScanResult> {
    let bands = params.lsh.bands();
    progress.stage("signatures", corpus.total_bytes());
    let FirstPass {
        mut docs,
        keys,
        warnings,
        positions,
        fingerprints,
        mut lines,
        examples,
        spool,
        identities,
        has_boilerplate,
    } = first_pass(corpus, params, progress)?;
    reject_duplicate_ids(&mut docs);
    let accepted: Vec<bool> = docs
        .iter()
        .map(|d| d.status != DocStatus::Rejected)
        .collect();
    if !accepted.contains(&true) {
        return Err(Error::NothingRead(what_was_seen(&docs, corpus)));
    }
    keep_recurring_lines(&mut lines, &accepted, params.template_min_docs);
    // Lines in several documents, which each document's own text leaves out when its
    // relations are verified (see `main_text`).
    let recurring = recurring_lines(&lines);
    // Identical texts are compared once, through their group's leader.
    let exact = if params.all_pairs {
        ExactGroups::default()
    } else {
        ExactGroups::find(&identities, &member_infos(&docs, &[]), &accepted)
    };
    let compared: Vec<bool> = (0..docs.len() as u32)
        .map(|doc| accepted[doc as usize] && (params.all_pairs || exact.is_leader(doc)))
        .collect();

    progress.stage("candidates", bands as u64);
    let star_above = (!params.all_pairs).then_some(STAR_BUCKETS_ABOVE);
    let from_lsh = lsh_candidates(&keys, &compared, bands, star_above, progress);
    drop(keys);
    let from_winnow = match &params.winnow {
        Some(winnow) => winnow_candidates(fingerprints, &compared, winnow),
        None => Vec::new(),
    };
    let (lsh_count, winnow_count) = (from_lsh.len(), from_winnow.len());
    let candidates = merge_candidates(vec![from_lsh, from_winnow]);
    let candidate_count = candidates.len();

    let sources = TextSources {
        positions: &positions,
        spooled: docs.iter().map(DocOutcome::spooled).collect(),
        spool: &spool,
        docs: &docs,
        recurring: &recurring,
        judge: {
            // Only documents with boilerplate lines or recurring lines have a main or own
            // text other than their text.
            let mut judge = has_boilerplate;
            for line in &lines {
                judge[line.doc as usize] = true;
            }
            judge
        },
    };
    let mut verify = |pairs| relate_streaming(corpus, params, &sources, pairs, progress);
    let linked = verify_then_cluster(&docs, &identities, &exact, candidates, &mut verify, params)?;
    drop(sources);
    progress.stage("relating", 0);
    let (pairs, clusters, templates, verified) =
        conclude(&mut docs, linked, &lines, &examples, params);
    drop(lines);
    progress.finish();

    let stats = ScanStats {
        input_bytes: corpus.total_bytes(),
        ignored_files: corpus.ignored_files().len(),
        ..ScanStats::of(
            &docs,
            &pairs,
            params,
            (candidate_count, lsh_count, winnow_count),
            verified,
            exact.followers(),
        )
    };
    Ok(ScanResult {
        params: params.clone(),
        docs,
        pairs,
        clusters,
        stats,
        warnings,
        templates,
        spool: Arc::new(spool),
    })
}

/// What verification and clustering found, before the documents are told their outcome.
struct Linked {
    verified: Verified,
    clusters: Vec<Cluster>,
}

/// Verifies `candidates` through `verify`, then goes on as [`verify_and_cluster`]: how a
/// scan, and an engine's driver, run the tail after the candidates.
fn verify_then_cluster(
    docs: &[DocOutcome],
    identities: &[TextIdentity],
    exact: &ExactGroups,
    candidates: Vec<CandidatePair>,
    verify: &mut dyn FnMut(Vec<CandidatePair>) -> Result<Verified>,
    params: &ScanParams,
) -> Result<Linked> {
    let first = verify(candidates.clone())?;
    verify_and_cluster(docs, identities, exact, candidates, first, verify, params)
}

/// From the verified `candidates` (`verified`), verifies through `verify` (the scan reads the
/// corpus again; an engine such as Spark verifies on its workers) the links the clustering
/// needs that no candidate covered, builds the clusters without chaining, joins the identical
/// texts to their leaders' clusters and hands the leaders' pairs on to them. Shared by every
/// way of running a scan, so that they cannot differ in what they relate.
fn verify_and_cluster(
    docs: &[DocOutcome],
    identities: &[TextIdentity],
    exact: &ExactGroups,
    candidates: Vec<CandidatePair>,
    mut verified: Verified,
    verify: &mut dyn FnMut(Vec<CandidatePair>) -> Result<Verified>,
    params: &ScanParams,
) -> Result<Linked> {
    if !params.all_pairs {
        // Links the clustering needs that no candidate pair covered (members of a star
        // bucket with the group's original), verified now.
        let links: Vec<CandidatePair> = unverified_links(
            &member_infos(docs, &verified.shingle_counts),
            &verified.pairs,
            params.cluster_floor,
            |a, b| candidates.binary_search(&CandidatePair::new(a, b)).is_ok(),
        )
        .into_iter()
        .map(|(a, b)| CandidatePair::new(a, b))
        .collect();
        drop(candidates);
        let more = verify(links)?;
        verified.absorb(more);
    }
    let members = member_infos(docs, &verified.shingle_counts);
    let clusters = build_clusters(&members, &verified.pairs, params.cluster_floor);
    let clusters = join_exact_groups(clusters, exact, &members);
    drop(members);
    if !params.all_pairs {
        let cluster_of = cluster_of(docs.len(), &clusters);
        let inheritance = inherited_pairs(
            &verified.pairs,
            exact,
            identities,
            &clusters,
            &cluster_of,
            params.passages,
        );
        let mut more = verify(inheritance.to_verify.clone())?;
        let twins = inheritance.twins(&more.pairs);
        let mut taken = inheritance.taken;
        taken.extend(twins);
        // Twins of a partial pair have the lines of the document whose bytes they share.
        let verified_twin: ahash::AHashMap<u32, u32> = inheritance
            .twins_of_verified
            .iter()
            .map(|&(verified_doc, twin, _)| (twin, verified_doc))
            .collect();
        let twins_lines: Vec<(u32, KeyedLines)> = taken
            .iter()
            .filter(|p| p.relation() == Relation::Partial)
            .flat_map(|p| [p.figures.a, p.figures.b])
            .filter(|&doc| {
                !verified.partial_lines.contains_key(&doc) && !more.partial_lines.contains_key(&doc)
            })
            .filter_map(|doc| {
                let source = verified_twin
                    .get(&doc)
                    .copied()
                    .unwrap_or_else(|| exact.leader(doc));
                let lines = |of: u32| {
                    verified
                        .partial_lines
                        .get(&of)
                        .or_else(|| more.partial_lines.get(&of))
                };
                lines(source).map(|lines| (doc, lines.clone()))
            })
            .collect();
        more.partial_lines.extend(twins_lines);
        verified.absorb(Verified {
            pairs: taken,
            shingle_counts: Vec::new(),
            partial_lines: Default::default(),
        });
        verified.absorb(more);
        verified
            .pairs
            .retain(|p| collapse::reported(p, &cluster_of, &clusters));
    }
    Ok(Linked { verified, clusters })
}

/// Tells every document its cluster, counts the outlet templates (from the recurring `lines`)
/// and takes them into the quality reports, drops the partial pairs that share only template
/// lines and the pairs kept only for the cluster floor, and says who took from whom. The related pairs, clusters,
/// templates and the number of pairs at or above the threshold.
fn conclude(
    docs: &mut [DocOutcome],
    linked: Linked,
    lines: &[LineEntry],
    examples: &Examples,
    params: &ScanParams,
) -> (Vec<RelatedPair>, Vec<Cluster>, TemplateLines, usize) {
    let (settled, verified) = settle_clusters(docs, linked, params);
    // Outlet templates come from the corpus's lines, with or without quality.
    let templates = if params.templates {
        count_templates(lines, docs, params.template_min_docs)
    } else {
        TemplateLines::none()
    };
    if params.quality {
        apply_templates(lines, &templates, examples, docs);
    }
    let (pairs, clusters) = settle_relations(docs, settled, &templates);
    (pairs, clusters, templates, verified)
}

/// Tells every document its cluster and drops the pairs kept only for the cluster floor;
/// with the number of pairs at or above the threshold.
fn settle_clusters(
    docs: &mut [DocOutcome],
    linked: Linked,
    params: &ScanParams,
) -> (Linked, usize) {
    let Linked {
        mut verified,
        clusters,
    } = linked;
    let at_threshold = verified
        .pairs
        .iter()
        .filter(|p| p.figures.jaccard >= params.threshold)
        .count();
    assign_clusters(docs, &clusters, &verified.pairs);
    // Pairs kept only to let the cluster floor admit members are not reuse.
    verified.pairs.retain(|p| p.relation() != Relation::None);
    (Linked { verified, clusters }, at_threshold)
}

/// Once the outlet `templates` are known: drops the partial pairs that share only template
/// lines, orients every pair and says who took from whom.
fn settle_relations(
    docs: &mut [DocOutcome],
    settled: Linked,
    templates: &TemplateLines,
) -> (Vec<RelatedPair>, Vec<Cluster>) {
    let Linked {
        verified:
            Verified {
                mut pairs,
                partial_lines,
                ..
            },
        clusters,
    } = settled;
    // Outlet template lines shared by two of its stories are not reuse of either.
    pairs.retain(|p| !only_templates(p, &partial_lines, templates));
    orient_pairs(&mut pairs, docs, &clusters);
    record_reuses(docs, &pairs, &clusters);
    (pairs, clusters)
}
