//! The JSONL files users script against: `docs.jsonl`, `pairs.jsonl`, `clusters.jsonl`, the
//! output of `score`. The shapes defined here are the public contract: fields are only ever
//! added.

use super::feed::{clean_text_of, for_each_record_again};
use super::*;
use crate::error::{Error, Result};
use crate::ingest::Corpus;
use crate::pipeline::{DocOutcome, DocStatus, ScanResult, Tokens};
use crate::quality::QualityReport;
use crate::relate::cluster::Cluster;
use crate::relate::relation::{RelatedPair, Relation};
use crate::verify::align::Passage;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Similarities are printed with six decimals: enough to tell pairs apart, short to read.
pub(super) fn round6(x: f64) -> f64 {
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
    pub status: &'static str,
    /// Why a record was rejected.
    pub reason: Option<String>,
    /// `file:line` of the record.
    pub origin: String,
    /// The outlet (the record's `source`), or null.
    pub source: Option<&'a str>,
    /// Publication time as an RFC 3339 UTC time, or null.
    pub date: Option<String>,
    /// The headline, or null.
    pub title: Option<&'a str>,
    /// What the shingles were made of: `words`, `characters` (a script written without
    /// spaces, or `--char-ngrams`) or `mixed`; null for rejected records.
    pub tokens: Option<&'static str>,
    /// The documents this one took text from: its original for a duplicate, sources of
    /// partial reuse, copy sources outside its cluster. Empty for originals and unique texts.
    pub reuses: Vec<ReuseLine<'a>>,
    /// Boilerplate, padding and stuffing with flags and evidence; null for rejected records
    /// (and when quality was not assessed).
    pub quality: Option<QualityLine<'a>>,
}

/// One line of `reprint score`'s output.
#[derive(Debug, Serialize)]
pub struct ScoreLine<'a> {
    /// Document id (null when a malformed record had none).
    pub id: Option<&'a str>,
    /// The assessment; null for rejected records.
    pub quality: Option<QualityLine<'a>>,
    /// Why a record was rejected (only on rejected records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// With `--clean-text`: the record's text without its boilerplate lines (`null` for a
    /// rejected record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clean_text: Option<Option<String>>,
}

/// One entry of a document's `reuses`.
#[derive(Debug, Serialize)]
pub struct ReuseLine<'a> {
    /// The source document.
    pub id: &'a str,
    /// `copy` or `partial`.
    pub relation: &'static str,
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
    pub relation: &'static str,
    /// Share of `a`'s words inside the reused passages.
    pub share_a: f64,
    /// Share of `b`'s words inside the reused passages.
    pub share_b: f64,
    /// The id of the document the text was taken from, or null when nothing tells.
    pub from: Option<&'a str>,
    /// Why `from` is the source.
    pub direction: String,
    /// Why the relation was chosen, with the figures.
    pub reason: String,
    /// The reused passages as byte ranges of both original texts (null with
    /// `--no-passages` for pairs that are copies by Jaccard alone).
    pub passages: Option<Vec<PassageLine>>,
}

/// One reused passage: byte ranges (end exclusive) of both original texts, and `a`'s words in
/// it.
#[derive(Debug, Serialize)]
pub struct PassageLine {
    /// Start byte in `a`'s text.
    pub a_start: u32,
    /// End byte in `a`'s text.
    pub a_end: u32,
    /// Start byte in `b`'s text.
    pub b_start: u32,
    /// End byte in `b`'s text.
    pub b_end: u32,
    /// Words of `a` inside the passage.
    pub words: u32,
}

impl From<&Passage> for PassageLine {
    fn from(p: &Passage) -> Self {
        PassageLine {
            a_start: p.a_start,
            a_end: p.a_end,
            b_start: p.b_start,
            b_end: p.b_end,
            words: p.words,
        }
    }
}

/// The `quality` object of `docs.jsonl` and `score`.
#[derive(Debug, Serialize)]
pub struct QualityLine<'a> {
    /// 0..1, higher is better.
    pub score: f64,
    /// Share of the characters in boilerplate.
    pub boilerplate: f64,
    /// Repetition against the filters' limits, 0..1.
    pub padding: f64,
    /// Keyword stuffing, 0..1.
    pub stuffing: f64,
    /// `boilerplate_heavy`, `repetitive`, `keyword_stuffing`, `thin_content`.
    pub flags: Vec<String>,
    /// What produced the scores.
    pub evidence: Vec<EvidenceLine<'a>>,
}

/// One entry of `quality.evidence`.
#[derive(Debug, Serialize)]
pub struct EvidenceLine<'a> {
    /// `boilerplate.<kind>`, `padding.<measure>`, `stuffing` or `thin_content`.
    pub signal: String,
    /// The measure.
    pub value: f64,
    /// The value at which the signal counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// Lines, occurrences or clusters behind it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// An example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

impl<'a> From<&'a QualityReport> for QualityLine<'a> {
    fn from(q: &'a QualityReport) -> Self {
        QualityLine {
            score: q.score,
            boilerplate: q.boilerplate,
            padding: q.padding,
            stuffing: q.stuffing,
            flags: q.flags.iter().map(ToString::to_string).collect(),
            evidence: q
                .evidence
                .iter()
                .map(|e| EvidenceLine {
                    signal: e.signal.to_string(),
                    value: e.value,
                    limit: e.limit,
                    count: e.count,
                    text: e.text.as_deref(),
                })
                .collect(),
        }
    }
}

/// The name of a status in reports.
pub fn status_name(status: DocStatus) -> &'static str {
    match status {
        DocStatus::Unique => "unique",
        DocStatus::Original => "original",
        DocStatus::Duplicate => "duplicate",
        DocStatus::Rejected => "rejected",
    }
}

/// The name of a relation in reports.
pub fn relation_name(relation: Relation) -> &'static str {
    match relation {
        Relation::Copy => "copy",
        Relation::Partial => "partial",
        Relation::None => "none",
    }
}

/// One line of `clusters.jsonl`.
#[derive(Debug, Serialize)]
pub struct ClusterLine<'a> {
    /// Cluster number.
    pub cluster: u32,
    /// The representative (likely original).
    pub representative: &'a str,
    /// Why it was chosen.
    pub reason: String,
    /// Number of members.
    pub size: usize,
    /// Member ids in input order.
    pub members: Vec<&'a str>,
}

/// Why a record was rejected, as `file:line: why`.
pub fn rejection(doc: &DocOutcome) -> Option<String> {
    doc.reason
        .as_ref()
        .map(|reason| format!("{}: {reason}", doc.origin))
}

pub(super) fn write_line(out: &mut dyn Write, value: &impl Serialize, path: &Path) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| Error::io(path, e.into()))?;
    out.write_all(b"\n").map_err(|e| Error::io(path, e))
}

/// The id of the document at `index` ("" for a record without one).
pub fn id_of(result: &ScanResult, index: u32) -> &str {
    result.id(index).unwrap_or("")
}

/// Writes `docs.jsonl`: one line per input record, in input order.
pub fn write_docs(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for doc in &result.docs {
        write_line(out, &doc_line(doc, |i| id_of(result, i)), path)?;
    }
    Ok(())
}

/// A document's `docs.jsonl` line; `name` gives the id of a document by its number.
pub fn doc_line<'a>(doc: &'a DocOutcome, name: impl Fn(u32) -> &'a str) -> DocLine<'a> {
    DocLine {
        id: doc.id.as_deref(),
        cluster: doc.cluster,
        duplicate_of: doc.duplicate_of.map(&name),
        similarity: doc.similarity.map(round6),
        status: status_name(doc.status),
        reason: rejection(doc),
        origin: doc.origin.to_string(),
        source: doc.source.as_deref(),
        date: doc.date.map(crate::date::format_date),
        title: doc.title.as_deref(),
        tokens: doc.tokens.map(|t| match t {
            Tokens::Words => "words",
            Tokens::Characters => "characters",
            Tokens::Mixed => "mixed",
        }),
        reuses: doc
            .reuses
            .iter()
            .map(|r| ReuseLine {
                id: name(r.from),
                relation: relation_name(r.relation),
                share: round6(r.share),
            })
            .collect(),
        quality: doc.quality.as_deref().map(|q| QualityLine::from(&q.report)),
    }
}

/// Writes `reprint score`'s output: one `{"id", "quality"}` line per input record, in input
/// order (rejected records carry their `reason` and a null quality).
pub fn write_scores(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for doc in &result.docs {
        let line = ScoreLine {
            id: doc.id.as_deref(),
            quality: doc.quality.as_deref().map(|q| QualityLine::from(&q.report)),
            reason: rejection(doc),
            clean_text: None,
        };
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// [`write_scores`] with each line's `clean_text`: the corpus is read a second time for the
/// texts (an HTML page's extracted text comes from the spool), every record kept, none
/// deduplicated.
pub fn write_scores_with_clean_text(
    corpus: &Corpus,
    result: &ScanResult,
    out: &mut dyn Write,
    path: &Path,
) -> Result<()> {
    for_each_record_again(corpus, result, |raw, index, doc| {
        let clean = match doc.status {
            DocStatus::Rejected => None,
            _ => Some(clean_text_of(raw, index, result, path)?),
        };
        let line = ScoreLine {
            id: doc.id.as_deref(),
            quality: doc.quality.as_deref().map(|q| QualityLine::from(&q.report)),
            reason: rejection(doc),
            clean_text: Some(clean),
        };
        write_line(out, &line, path)
    })?;
    Ok(())
}

/// Writes `pairs.jsonl`: one line per `copy` or `partial` pair, sorted by input order of `a`,
/// then `b`.
pub fn write_pairs(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for pair in &result.pairs {
        write_line(
            out,
            &pair_line(pair, &result.clusters, |i| id_of(result, i)),
            path,
        )?;
    }
    Ok(())
}

/// A pair's `pairs.jsonl` line; `name` gives the id of a document by its number, `clusters`
/// (ordered by number) say why a cluster's original was chosen.
pub fn pair_line<'a>(
    pair: &RelatedPair,
    clusters: &[Cluster],
    name: impl Fn(u32) -> &'a str,
) -> PairLine<'a> {
    let figures = &pair.figures;
    PairLine {
        a: name(figures.a),
        b: name(figures.b),
        jaccard: round6(figures.jaccard),
        containment_ab: round6(figures.containment_ab),
        containment_ba: round6(figures.containment_ba),
        relation: relation_name(pair.relation()),
        share_a: round6(pair.shares.0),
        share_b: round6(pair.shares.1),
        from: pair.from().map(&name),
        direction: pair
            .direction
            .as_ref()
            .map(|d| {
                d.describe((name(figures.a), name(figures.b)), clusters)
                    .to_string()
            })
            .unwrap_or_default(),
        reason: pair.verdict.to_string(),
        passages: pair
            .passages
            .as_ref()
            .map(|passages| passages.iter().map(PassageLine::from).collect()),
    }
}

/// Writes `clusters.jsonl`: one line per cluster, in order of their first member.
pub fn write_clusters(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for cluster in &result.clusters {
        write_line(out, &cluster_line(cluster, |i| id_of(result, i)), path)?;
    }
    Ok(())
}

/// A cluster's `clusters.jsonl` line; `name` gives the id of a document by its number.
pub fn cluster_line<'a>(cluster: &Cluster, name: impl Fn(u32) -> &'a str) -> ClusterLine<'a> {
    ClusterLine {
        cluster: cluster.id,
        representative: name(cluster.representative),
        reason: cluster.reason.to_string(),
        size: cluster.members.len(),
        members: cluster.members.iter().map(|&m| name(m)).collect(),
    }
}

/// Writes the reports of the opened `dir`: `docs.jsonl`, `pairs.jsonl`, `clusters.jsonl`,
/// `outlets.jsonl` and `scan.json`, then, unless the HTML report was turned off, `texts.jsonl`
/// (which reads the corpus again) and `report.html`, built from the files before it. Each
/// file appears only once complete. Returns the HTML report's size, when one was written.
pub fn write_report_dir(
    corpus: &Corpus,
    result: &ScanResult,
    dir: ReportDir,
) -> Result<Option<HtmlReportSize>> {
    type Writer = fn(&ScanResult, &mut dyn Write, &Path) -> Result<()>;
    let writers: [Writer; 5] = [
        write_docs,
        write_pairs,
        write_clusters,
        write_outlets,
        write_scan_file,
    ];
    let (dir, outputs, report) = dir.into_parts();
    for (write, mut output) in writers.into_iter().zip(outputs) {
        let name = output.name().to_path_buf();
        write(result, &mut output, &name)?;
        output.finish()?;
    }
    let Some((mut texts, mut page)) = report else {
        return Ok(None);
    };
    let name = texts.name().to_path_buf();
    let embed = texts_to_embed(result, TEXT_BUDGET_BYTES);
    write_texts(corpus, result, &embed, &mut texts, &name)?;
    texts.finish()?;
    let name = page.name().to_path_buf();
    let size = write_html_report(&dir, &mut page, &name)?;
    page.finish()?;
    Ok(Some(size))
}
