//! Reports: the JSONL outputs users script against, the human summary, and the deduplicated
//! feed. The only stage besides `corpus` that touches files.
//!
//! Field names here are a public interface: change them only with a changelog entry.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::align::coverage;
use crate::corpus::{BATCH_BYTES, Corpus, Payload, changed_input};
use crate::error::{Error, Result};
use crate::pipeline::{DocStatus, Explanation, ScanResult};

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
        };
        write_line(out, &line, path)?;
    }
    Ok(())
}

/// Writes `pairs.jsonl`: one line per verified pair, sorted by input order of `a`, then `b`.
pub fn write_pairs(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for pair in &result.pairs {
        let line = PairLine {
            a: id_of(result, pair.a),
            b: id_of(result, pair.b),
            jaccard: round6(pair.jaccard),
            containment_ab: round6(pair.containment_ab),
            containment_ba: round6(pair.containment_ba),
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

/// Writes `docs.jsonl`, `pairs.jsonl` and `clusters.jsonl` into `dir`, creating it.
pub fn write_report_dir(result: &ScanResult, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    type Writer = fn(&ScanResult, &mut dyn Write, &Path) -> Result<()>;
    let files: [(&str, Writer); 3] = [
        ("docs.jsonl", write_docs),
        ("pairs.jsonl", write_pairs),
        ("clusters.jsonl", write_clusters),
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
}

/// Reads the corpus a second time and writes every record that is not a duplicate or
/// rejected: JSONL records byte for byte as they were read, text files as `{"id", "title",
/// "text"}` records.
pub fn write_feed(
    corpus: &Corpus,
    result: &ScanResult,
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
                .ok_or_else(|| changed_input(Path::new("<corpus>")))?;
            index += 1;
            match doc.status {
                DocStatus::Duplicate => stats.dropped_duplicates += 1,
                DocStatus::Rejected => stats.dropped_rejected += 1,
                DocStatus::Unique | DocStatus::Original => {
                    stats.kept += 1;
                    match &raw.payload {
                        Payload::JsonLine(bytes) => {
                            out.write_all(bytes).map_err(|e| Error::io(path, e))?;
                            out.write_all(b"\n").map_err(|e| Error::io(path, e))?;
                        }
                        Payload::TextFile { id, bytes } => {
                            // Kept documents passed UTF-8 validation in the first pass.
                            let text = String::from_utf8_lossy(bytes);
                            let record = TextFileRecord {
                                id,
                                title: doc.title.as_deref(),
                                text: text.strip_prefix('\u{feff}').unwrap_or(&text),
                            };
                            write_line(out, &record, path)?;
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    if index != result.docs.len() {
        return Err(changed_input(Path::new("<corpus>")));
    }
    Ok(stats)
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
        "{} candidate pairs; {} verified at Jaccard >= {}",
        stats.candidates, stats.verified, result.params.threshold
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
pub fn render_explanation(explanation: &Explanation, threshold: f64, colour: bool) -> String {
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
    let _ = writeln!(
        s,
        "{} the threshold {threshold}: {}",
        if e.above_threshold {
            "at or above"
        } else {
            "below"
        },
        if e.above_threshold {
            "near-duplicates, clustered together by scan"
        } else {
            "not clustered by scan"
        }
    );
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
