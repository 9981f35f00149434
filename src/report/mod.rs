//! Reports: the JSONL outputs users script against, the human summary, and the deduplicated
//! feed. The only stage besides `corpus` that touches files.
//!
//! Field names here are a public interface: change them only with a changelog entry.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ingest::{BATCH_BYTES, Corpus, Payload, RawRecord, parse_record};
use crate::pipeline::{DocStatus, Explanation, ScanResult, clean_text};
use crate::quality::QualityReport;
use crate::relate::relation::Relation;
use crate::verify::align::{Passage, coverage};

/// Similarities are printed with six decimals: enough to tell pairs apart, short to read.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One line of `docs.jsonl`.
#[derive(Debug, Serialize)]
pub struct DocLine<'a> {
    /// Document id (null when a malformed record had none).
    pub id: Option<&'a str>,
    /// Cluster number, or null.
    pub cluster: Option<u32>,
    /// Id of the cluster's representative, for duplicates.
    pub duplicate_of: Option<&'a str>,
    /// Exact Jaccard to the representative, for duplicates.
    pub similarity: Option<f64>,
    /// `unique`, `original`, `duplicate` or `rejected`.
    pub status: DocStatus,
    /// Why a record was rejected.
    pub reason: Option<&'a str>,
    /// `file:line` of the record.
    pub origin: String,
    /// The documents this one took text from: its original for a duplicate, sources of
    /// partial reuse, copy sources outside its cluster. Empty for originals and unique texts.
    pub reuses: Vec<ReuseLine<'a>>,
    /// Boilerplate, padding and stuffing with flags and evidence; null for rejected records
    /// (and when quality was not assessed).
    pub quality: Option<&'a QualityReport>,
}

/// One line of `reprint score`'s output.
#[derive(Debug, Serialize)]
pub struct ScoreLine<'a> {
    /// Document id (null when a malformed record had none).
    pub id: Option<&'a str>,
    /// The assessment; null for rejected records.
    pub quality: Option<&'a QualityReport>,
    /// Why a record was rejected (only on rejected records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

/// One entry of a document's `reuses`.
#[derive(Debug, Serialize)]
pub struct ReuseLine<'a> {
    /// The source document.
    pub id: &'a str,
    /// `copy` or `partial`.
    pub relation: Relation,
    /// Share of this document's words taken from the source.
    pub share: f64,
}

/// One line of `pairs.jsonl`.
#[derive(Debug, Serialize)]
pub struct PairLine<'a> {
    /// The earlier document's id (input order).
    pub a: &'a str,
    /// The later document's id.
    pub b: &'a str,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Share of `a`'s shingles found in `b`.
    pub containment_ab: f64,
    /// Share of `b`'s shingles found in `a`.
    pub containment_ba: f64,
    /// `copy` or `partial`.
    pub relation: Relation,
    /// Share of `a`'s words inside the reused passages.
    pub share_a: f64,
    /// Share of `b`'s words inside the reused passages.
    pub share_b: f64,
    /// The id of the document the text was taken from, or null when nothing tells.
    pub from: Option<&'a str>,
    /// Why `from` is the source.
    pub direction: &'a str,
    /// Why the relation was chosen, with the figures.
    pub reason: &'a str,
    /// The reused passages as byte ranges of both original texts (null with
    /// `--no-passages` for pairs that are copies by Jaccard alone).
    pub passages: Option<&'a [Passage]>,
}

/// One line of `clusters.jsonl`.
#[derive(Debug, Serialize)]
pub struct ClusterLine<'a> {
    /// Cluster number.
    pub cluster: u32,
    /// The representative (likely original).
    pub representative: &'a str,
    /// Why it was chosen.
    pub reason: &'a str,
    /// Number of members.
    pub size: usize,
    /// Member ids in input order.
    pub members: Vec<&'a str>,
}

fn write_line(out: &mut dyn Write, value: &impl Serialize, path: &Path) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| Error::io(path, e.into()))?;
    out.write_all(b"\n").map_err(|e| Error::io(path, e))
}

fn id_of(result: &ScanResult, index: u32) -> &str {
    result.id(index).unwrap_or("")
}

/// Writes `docs.jsonl`: one line per input record, in input order.
pub fn write_docs(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for doc in &result.docs {
        let line = DocLine {
            id: doc.id.as_deref(),
            cluster: doc.cluster,
            duplicate_of: doc.duplicate_of.map(|i| id_of(result, i)),
            similarity: doc.similarity.map(round6),
            status: doc.status,
            reason: doc.reason.as_deref(),
            origin: doc.origin.to_string(),
            reuses: doc
                .reuses
                .iter()
                .map(|r| ReuseLine {
                    id: id_of(result, r.from),
                    relation: r.relation,
                    share: round6(r.share),
                })
                .collect(),
            quality: doc.quality.as_deref(),
        };
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// Writes `reprint score`'s output: one `{"id", "quality"}` line per input record, in input
/// order (rejected records carry their `reason` and a null quality).
pub fn write_scores(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for doc in &result.docs {
        let line = ScoreLine {
            id: doc.id.as_deref(),
            quality: doc.quality.as_deref(),
            reason: doc.reason.as_deref(),
        };
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// The `worst` lowest-scoring documents with their flags and strongest evidence, as a table
/// (ties broken by input order).
pub fn worst_documents(result: &ScanResult, worst: usize) -> String {
    let mut scored: Vec<(usize, &QualityReport)> = result
        .docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.quality.as_deref().map(|q| (i, q)))
        .collect();
    let assessed = scored.len();
    scored.sort_by(|x, y| x.1.score.total_cmp(&y.1.score).then(x.0.cmp(&y.0)));
    let flagged = scored.iter().filter(|(_, q)| !q.flags.is_empty()).count();
    let mut text = format!(
        "{assessed} documents assessed, {flagged} flagged; lowest scores:\n{:<28} {:>5}  {:<34} evidence\n",
        "id", "score", "flags"
    );
    for (i, quality) in scored.into_iter().take(worst) {
        let evidence = quality.evidence.first().map_or(String::new(), |e| {
            let example = e
                .text
                .as_deref()
                .map(|t| format!(" {:?}", truncate(t, 60)))
                .unwrap_or_default();
            format!("{} {:.3}{example}", e.signal, e.value)
        });
        text.push_str(&format!(
            "{:<28} {:>5.3}  {:<34} {evidence}\n",
            truncate(result.docs[i].id.as_deref().unwrap_or("?"), 28),
            quality.score,
            quality.flags.join(","),
        ));
    }
    text
}

/// Writes `pairs.jsonl`: one line per `copy` or `partial` pair, sorted by input order of `a`,
/// then `b`.
pub fn write_pairs(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for pair in &result.pairs {
        let figures = &pair.figures;
        let line = PairLine {
            a: id_of(result, figures.a),
            b: id_of(result, figures.b),
            jaccard: round6(figures.jaccard),
            containment_ab: round6(figures.containment_ab),
            containment_ba: round6(figures.containment_ba),
            relation: pair.relation,
            share_a: round6(pair.shares.0),
            share_b: round6(pair.shares.1),
            from: pair.from.map(|f| id_of(result, f)),
            direction: &pair.direction,
            reason: &pair.reason,
            passages: pair.passages.as_deref(),
        };
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// Writes `clusters.jsonl`: one line per cluster, in order of their first member.
pub fn write_clusters(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for cluster in &result.clusters {
        let line = ClusterLine {
            cluster: cluster.id,
            representative: id_of(result, cluster.representative),
            reason: &cluster.reason,
            size: cluster.members.len(),
            members: cluster.members.iter().map(|&m| id_of(result, m)).collect(),
        };
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// One line of `outlets.jsonl`: what one `source` publishes and where its text comes from.
#[derive(Debug, Serialize)]
pub struct OutletLine<'a> {
    /// The outlet, as given in the records' `source` field.
    pub source: &'a str,
    /// Accepted records from this outlet.
    pub docs: usize,
    /// Cluster representatives (likely originals of republished stories).
    pub originals: usize,
    /// Records that are copies of another document (duplicates in a cluster, or copies of a
    /// document outside their own cluster).
    pub copies: usize,
    /// Records that reuse passages of another document.
    pub partial: usize,
    /// `copies / docs`: how much of the outlet's output is republished.
    pub syndicated_share: f64,
    /// Outlets whose documents this outlet took text from, most first.
    pub takes_from: Vec<OutletFlow<'a>>,
    /// Outlets that took text from this outlet's documents, most first.
    pub taken_by: Vec<OutletFlow<'a>>,
}

/// Documents passed from one outlet to another.
#[derive(Debug, Serialize, Clone, Copy)]
pub struct OutletFlow<'a> {
    /// The other outlet.
    pub source: &'a str,
    /// Documents copied.
    pub copy: usize,
    /// Documents with passages reused.
    pub partial: usize,
}

/// The per-outlet summary, largest outlets first (then by name). Records without a `source`
/// are left out; the list is empty when no record has one.
pub fn outlets(result: &ScanResult) -> Vec<OutletLine<'_>> {
    use std::collections::BTreeMap;
    let mut lines: BTreeMap<&str, OutletLine> = BTreeMap::new();
    let mut flows: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for doc in &result.docs {
        let Some(source) = doc.source.as_deref() else {
            continue;
        };
        if doc.status == DocStatus::Rejected {
            continue;
        }
        let line = lines.entry(source).or_insert_with(|| OutletLine {
            source,
            docs: 0,
            originals: 0,
            copies: 0,
            partial: 0,
            syndicated_share: 0.0,
            takes_from: Vec::new(),
            taken_by: Vec::new(),
        });
        line.docs += 1;
        line.originals += usize::from(doc.status == DocStatus::Original);
        let has = |relation| doc.reuses.iter().any(|r| r.relation == relation);
        line.copies += usize::from(has(Relation::Copy));
        line.partial += usize::from(has(Relation::Partial));
        for reuse in &doc.reuses {
            let Some(from) = result.docs[reuse.from as usize].source.as_deref() else {
                continue;
            };
            let flow = flows.entry((source, from)).or_default();
            match reuse.relation {
                Relation::Copy => flow.0 += 1,
                _ => flow.1 += 1,
            }
        }
    }
    for (&(to, from), &(copy, partial)) in &flows {
        let flow = |source| OutletFlow {
            source,
            copy,
            partial,
        };
        if let Some(line) = lines.get_mut(to) {
            line.takes_from.push(flow(from));
        }
        if let Some(line) = lines.get_mut(from) {
            line.taken_by.push(flow(to));
        }
    }
    let mut out: Vec<OutletLine> = lines.into_values().collect();
    for line in &mut out {
        line.syndicated_share = round6(line.copies as f64 / line.docs.max(1) as f64);
        for list in [&mut line.takes_from, &mut line.taken_by] {
            list.sort_by(|x, y| {
                (y.copy + y.partial)
                    .cmp(&(x.copy + x.partial))
                    .then(x.source.cmp(y.source))
            });
        }
    }
    out.sort_by(|x, y| y.docs.cmp(&x.docs).then(x.source.cmp(y.source)));
    out
}

/// Writes `outlets.jsonl`: one line per outlet (see [`outlets`]).
pub fn write_outlets(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for line in outlets(result) {
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// Writes `docs.jsonl`, `pairs.jsonl`, `clusters.jsonl` and `outlets.jsonl` into `dir`,
/// creating it.
pub fn write_report_dir(result: &ScanResult, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    type Writer = fn(&ScanResult, &mut dyn Write, &Path) -> Result<()>;
    let files: [(&str, Writer); 4] = [
        ("docs.jsonl", write_docs),
        ("pairs.jsonl", write_pairs),
        ("clusters.jsonl", write_clusters),
        ("outlets.jsonl", write_outlets),
    ];
    for (name, write) in files {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut out = std::io::BufWriter::new(file);
        write(result, &mut out, &path)?;
        out.flush().map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// Counts from writing a deduplicated feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Records written (unique documents and cluster representatives).
    pub kept: usize,
    /// Duplicates left out.
    pub dropped_duplicates: usize,
    /// Rejected records left out.
    pub dropped_rejected: usize,
}

#[derive(Serialize)]
struct TextFileRecord<'a> {
    id: &'a str,
    title: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    clean_text: Option<&'a str>,
}

/// Reads the corpus a second time and writes every record that is not a duplicate or
/// rejected: JSONL records byte for byte as they were read, text files as `{"id", "title",
/// "text"}` records (for HTML files, `text` is the extracted main text). With
/// `strip_boilerplate`, each record gains `clean_text`: its text without boilerplate lines.
pub fn write_feed(
    corpus: &Corpus,
    result: &ScanResult,
    strip_boilerplate: bool,
    out: &mut dyn Write,
    path: &Path,
) -> Result<FeedStats> {
    let mut stats = FeedStats::default();
    let mut index = 0usize;
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        for raw in batch {
            let doc = result
                .docs
                .get(index)
                .ok_or_else(|| Error::input_changed("<corpus>"))?;
            index += 1;
            match doc.status {
                DocStatus::Duplicate => stats.dropped_duplicates += 1,
                DocStatus::Rejected => stats.dropped_rejected += 1,
                DocStatus::Unique | DocStatus::Original => {
                    stats.kept += 1;
                    write_kept(
                        &raw,
                        doc.title.as_deref(),
                        result,
                        strip_boilerplate,
                        out,
                        path,
                    )?;
                }
            }
        }
        Ok(())
    })?;
    if index != result.docs.len() {
        return Err(Error::input_changed("<corpus>"));
    }
    Ok(stats)
}

/// Writes one kept record of the feed.
fn write_kept(
    raw: &RawRecord,
    title: Option<&str>,
    result: &ScanResult,
    strip_boilerplate: bool,
    out: &mut dyn Write,
    path: &Path,
) -> Result<()> {
    let html = matches!(raw.payload, Payload::TextFile { html: true, .. });
    // Kept records parsed in the first pass; parsing again gives the same document.
    let doc = if strip_boilerplate || html {
        Some(parse_record(raw, &result.params.read).map_err(|_| Error::input_changed(path))?)
    } else {
        None
    };
    let clean = match (&doc, strip_boilerplate) {
        (Some(doc), true) => Some(clean_text(doc, &result.templates)),
        _ => None,
    };
    match &raw.payload {
        Payload::JsonLine(bytes) => {
            match &clean {
                // The record's own bytes, with the field added before its closing brace.
                Some(clean) => {
                    let trimmed = bytes.trim_ascii_end();
                    let body = trimmed
                        .strip_suffix(b"}")
                        .ok_or_else(|| Error::input_changed(path))?;
                    out.write_all(body).map_err(|e| Error::io(path, e))?;
                    out.write_all(b",\"clean_text\":")
                        .map_err(|e| Error::io(path, e))?;
                    serde_json::to_writer(&mut *out, clean)
                        .map_err(|e| Error::io(path, e.into()))?;
                    out.write_all(b"}\n").map_err(|e| Error::io(path, e))
                }
                None => {
                    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
                    out.write_all(b"\n").map_err(|e| Error::io(path, e))
                }
            }
        }
        Payload::TextFile { id, bytes, .. } => {
            // Kept documents passed UTF-8 validation in the first pass.
            let raw_text = String::from_utf8_lossy(bytes);
            let text = match &doc {
                Some(doc) if html => doc.text.as_str(),
                _ => raw_text.strip_prefix('\u{feff}').unwrap_or(&raw_text),
            };
            let record = TextFileRecord {
                id,
                title,
                text,
                clean_text: clean.as_deref(),
            };
            write_line(out, &record, path)
        }
    }
}

/// The human summary printed by `scan`: counts, the band shape, the largest clusters.
pub fn summary(result: &ScanResult, largest: usize) -> String {
    let stats = &result.stats;
    let lsh = &result.params.lsh;
    let duplicates = result
        .docs
        .iter()
        .filter(|d| d.status == DocStatus::Duplicate)
        .count();
    let unique = result
        .docs
        .iter()
        .filter(|d| d.status == DocStatus::Unique)
        .count();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "read {} records ({}); {} rejected{}",
        stats.records,
        human_bytes(stats.input_bytes),
        stats.rejected,
        if stats.ignored_files > 0 {
            format!("; {} non-document files ignored", stats.ignored_files)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "{} clusters; {} duplicates to drop; {} unique documents; {} kept in all",
        result.clusters.len(),
        duplicates,
        unique,
        unique + result.clusters.len()
    );
    let _ = writeln!(
        s,
        "threshold {}: {} bands x {} rows of {} hashes; P(candidate) at J=0.3 {:.3}, 0.5 {:.3}, 0.7 {:.3}, 0.9 {:.3}",
        result.params.threshold,
        lsh.bands(),
        lsh.rows(),
        result.params.minhash.num_hashes(),
        lsh.candidate_probability(0.3),
        lsh.candidate_probability(0.5),
        lsh.candidate_probability(0.7),
        lsh.candidate_probability(0.9),
    );
    let _ = writeln!(
        s,
        "{} candidate pairs ({} from Jaccard LSH, {} from the passage index); {} verified at Jaccard >= {}",
        stats.candidates,
        stats.lsh_candidates,
        stats.winnow_candidates,
        stats.verified,
        result.params.threshold
    );
    let _ = writeln!(
        s,
        "{} copy pairs ({} below the threshold), {} partial-reuse pairs",
        stats.copies,
        stats.copies.saturating_sub(stats.verified),
        stats.partials
    );
    let mut order: Vec<usize> = (0..result.clusters.len()).collect();
    order.sort_by(|&x, &y| {
        result.clusters[y]
            .members
            .len()
            .cmp(&result.clusters[x].members.len())
            .then(x.cmp(&y))
    });
    if !order.is_empty() {
        let _ = writeln!(s, "\nlargest clusters:");
    }
    for &i in order.iter().take(largest) {
        let cluster = &result.clusters[i];
        let rep = &result.docs[cluster.representative as usize];
        let title = rep.title.as_deref().unwrap_or("(no title)");
        let _ = writeln!(
            s,
            "  #{:<4} {:>3} docs  original {}  \"{}\"",
            cluster.id,
            cluster.members.len(),
            rep.id.as_deref().unwrap_or(""),
            truncate(title, 60)
        );
        let _ = writeln!(s, "         {}", cluster.reason);
    }
    let borrowers: Vec<(&str, &crate::pipeline::Reuse)> = result
        .docs
        .iter()
        .flat_map(|d| {
            d.reuses
                .iter()
                .filter(|r| r.relation == Relation::Partial)
                .map(move |r| (d.id.as_deref().unwrap_or(""), r))
        })
        .collect();
    let undirected = result
        .pairs
        .iter()
        .filter(|p| p.relation == Relation::Partial && p.from.is_none())
        .count();
    if !borrowers.is_empty() || undirected > 0 {
        let _ = writeln!(s, "\npartial reuse:");
    }
    for (borrower, reuse) in borrowers.iter().take(largest) {
        let _ = writeln!(
            s,
            "  {borrower} took {:.0}% of its words from {}",
            100.0 * reuse.share,
            id_of(result, reuse.from)
        );
    }
    if borrowers.len() > largest {
        let _ = writeln!(
            s,
            "  ... and {} more (see docs.jsonl)",
            borrowers.len() - largest
        );
    }
    if undirected > 0 {
        let _ = writeln!(
            s,
            "  {undirected} partial pairs with no clear direction (see pairs.jsonl)"
        );
    }
    let outlets = outlets(result);
    if !outlets.is_empty() {
        let _ = writeln!(
            s,
            "\n{:<34} {:>5} {:>7} {:>7} {:>10}  copies taken from",
            "outlets", "docs", "copies", "partial", "syndicated"
        );
        for outlet in outlets.iter().take(largest) {
            let row = format!(
                "  {:<32} {:>5} {:>7} {:>7} {:>9.0}%  {}",
                truncate(outlet.source, 32),
                outlet.docs,
                outlet.copies,
                outlet.partial,
                100.0 * outlet.syndicated_share,
                outlet
                    .takes_from
                    .iter()
                    .filter(|f| f.copy > 0)
                    .take(3)
                    .map(|f| format!("{} ({})", f.source, f.copy))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(s, "{}", row.trim_end());
        }
        if outlets.len() > largest {
            let _ = writeln!(
                s,
                "  ... and {} more (see outlets.jsonl)",
                outlets.len() - largest
            );
        }
    }
    let rejected: Vec<&str> = result
        .docs
        .iter()
        .filter_map(|d| d.reason.as_deref())
        .collect();
    if !rejected.is_empty() {
        let _ = writeln!(s, "\nrejected:");
        for reason in rejected.iter().take(10) {
            let _ = writeln!(s, "  {reason}");
        }
        if rejected.len() > 10 {
            let _ = writeln!(s, "  ... and {} more (see docs.jsonl)", rejected.len() - 10);
        }
    }
    s
}

/// The terminal rendering of an [`Explanation`]: the figures, the passages, and both texts
/// with reused passages highlighted (bold colour with `colour`, `[[` … `]]` markers without).
pub fn render_explanation(explanation: &Explanation, colour: bool) -> String {
    let e = explanation;
    let mut s = String::new();
    for (label, doc, words, shingles) in [
        ("a", &e.a, e.words.0, e.shingles.0),
        ("b", &e.b, e.words.1, e.shingles.1),
    ] {
        let _ = writeln!(
            s,
            "{label}: {}  ({words} words, {shingles} shingles){}",
            doc.id,
            doc.title
                .as_deref()
                .map(|t| format!("  \"{}\"", truncate(t, 60)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        s,
        "exact Jaccard {:.3}; {:.3} of a's shingles are in b, {:.3} of b's are in a",
        e.figures.jaccard, e.figures.containment_ab, e.figures.containment_ba
    );
    let _ = writeln!(s, "relation: {}", e.verdict.reason);
    match &e.direction {
        Some((Some(a_is_source), reason)) => {
            let (source, borrower) = if *a_is_source { ("a", "b") } else { ("b", "a") };
            let _ = writeln!(s, "direction: {borrower} took from {source}: {reason}");
        }
        Some((None, reason)) => {
            let _ = writeln!(s, "direction: {reason}");
        }
        None => {}
    }
    let _ = writeln!(
        s,
        "{} reused passage{} {:.0}% of a's words and {:.0}% of b's",
        e.passages.len(),
        if e.passages.len() == 1 {
            " covers"
        } else {
            "s cover"
        },
        100.0 * coverage(e.words.0, e.passages.iter().map(|p| p.words)),
        100.0 * coverage(e.words.1, e.passages.iter().map(|p| p.b_words)),
    );
    // The passages interleaved, a's wording above b's, before the two full texts.
    for (i, p) in e.passages.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}. {} words: a bytes {}..{}, b bytes {}..{}",
            i + 1,
            p.words,
            p.a_start,
            p.a_end,
            p.b_start,
            p.b_end
        );
        let in_a = &e.a.text[p.a_start as usize..p.a_end as usize];
        let in_b = &e.b.text[p.b_start as usize..p.b_end as usize];
        let _ = writeln!(s, "     a: {}", snippet(in_a));
        if in_a == in_b {
            let _ = writeln!(s, "     b: the same text");
        } else {
            let _ = writeln!(s, "     b: {}", snippet(in_b));
        }
    }
    let spans_a: Vec<(u32, u32)> = e.passages.iter().map(|p| (p.a_start, p.a_end)).collect();
    let mut spans_b: Vec<(u32, u32)> = e.passages.iter().map(|p| (p.b_start, p.b_end)).collect();
    spans_b.sort_unstable();
    let _ = writeln!(
        s,
        "\n--- a: {} ---\n{}",
        e.a.id,
        highlight(&e.a.text, &spans_a, colour)
    );
    let _ = writeln!(
        s,
        "\n--- b: {} ---\n{}",
        e.b.id,
        highlight(&e.b.text, &spans_b, colour)
    );
    s
}

/// `text` with the byte ranges `spans` (sorted, not overlapping) marked.
fn highlight(text: &str, spans: &[(u32, u32)], colour: bool) -> String {
    let (open, close) = if colour {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[[", "]]")
    };
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut position = 0usize;
    for &(start, end) in spans {
        let (start, end) = (start as usize, end as usize);
        out.push_str(&text[position..start]);
        out.push_str(open);
        out.push_str(&text[start..end]);
        out.push_str(close);
        position = end;
    }
    out.push_str(&text[position..]);
    out.trim_end().to_string()
}

/// A passage on one line: whitespace collapsed, long ones cut in the middle.
fn snippet(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= 150 {
        return flat;
    }
    let head: String = chars[..100].iter().collect();
    let tail: String = chars[chars.len() - 40..].iter().collect();
    format!("{head} … {tail}")
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b => format!("{:.2} GiB", b as f64 / (1024.0 * 1024.0 * 1024.0)),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}
