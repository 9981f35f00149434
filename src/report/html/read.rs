//! Reading back the files `scan --output DIR` wrote. The field names are those of the line
//! types in `report::jsonl`, `report::outlets`, `report::texts` and `report::scan_file`; a
//! round-trip test writes a scan folder and reads it here. Fields a report does not need are
//! ignored, and fields added later are optional, so older folders still read.

use super::super::scan_file::ScanFile;
use super::super::texts::TextLine;
use crate::error::{Error, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::path::Path;

/// A document's status, as `docs.jsonl` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusIn {
    /// No near-duplicate.
    Unique,
    /// Represents its cluster.
    Original,
    /// A copy of its cluster's original.
    Duplicate,
    /// Not read as a document.
    Rejected,
}

/// What the report uses of a `docs.jsonl` line.
#[derive(Debug, Deserialize)]
pub struct DocIn {
    pub id: Option<String>,
    pub cluster: Option<u32>,
    pub similarity: Option<f64>,
    pub status: StatusIn,
    pub reason: Option<String>,
    pub origin: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub quality: Option<QualityIn>,
}

/// A document's `quality` object.
#[derive(Debug, Deserialize)]
pub struct QualityIn {
    pub score: f64,
    pub boilerplate: f64,
    pub padding: f64,
    pub stuffing: f64,
    pub flags: Vec<String>,
    pub evidence: Vec<EvidenceIn>,
}

/// One entry of `quality.evidence`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct EvidenceIn {
    pub signal: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A `pairs.jsonl` line.
#[derive(Debug, Deserialize)]
pub struct PairIn {
    pub a: String,
    pub b: String,
    pub jaccard: f64,
    pub containment_ab: f64,
    pub containment_ba: f64,
    pub relation: RelationIn,
    pub share_a: f64,
    pub share_b: f64,
    pub from: Option<String>,
    pub direction: String,
    pub reason: String,
    pub passages: Option<Vec<PassageIn>>,
}

/// A pair's relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationIn {
    /// Copies of one text.
    Copy,
    /// A passage of one in the other.
    Partial,
}

/// One reused passage, in bytes of both texts.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PassageIn {
    pub a_start: u32,
    pub a_end: u32,
    pub b_start: u32,
    pub b_end: u32,
    pub words: u32,
}

/// A `clusters.jsonl` line.
#[derive(Debug, Deserialize)]
pub struct ClusterIn {
    pub cluster: u32,
    pub representative: String,
    pub reason: String,
    pub members: Vec<String>,
}

/// An `outlets.jsonl` line, passed to the page as it is.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct OutletIn {
    pub source: String,
    pub docs: usize,
    pub originals: usize,
    pub copies: usize,
    pub partial: usize,
    pub syndicated_share: f64,
    pub takes_from: Vec<FlowIn>,
    pub taken_by: Vec<FlowIn>,
}

/// Documents passed between two outlets.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct FlowIn {
    pub source: String,
    pub copy: usize,
    pub partial: usize,
}

/// What a report needs of a scan folder: every file but `docs.jsonl` whole, and of
/// `docs.jsonl` only the documents the page shows (see [`ScanFolder::read`]), with their line
/// numbers from 0.
#[derive(Debug)]
pub struct ScanFolder {
    pub scan: ScanFile,
    pub docs: Vec<(u32, DocIn)>,
    pub pairs: Vec<PairIn>,
    pub clusters: Vec<ClusterIn>,
    pub outlets: Vec<OutletIn>,
    /// `None` when the scan kept no texts (`--no-report`).
    pub texts: Option<Vec<TextLine>>,
}

impl ScanFolder {
    /// Reads the folder `dir` a scan wrote. `docs.jsonl`, the one file as long as the corpus,
    /// is read line by line: `each_doc` gets every document with its line number (from 0) and
    /// whether a cluster, a pair or a text names its id, and gives back those to keep.
    pub fn read(
        dir: &Path,
        mut each_doc: impl FnMut(u32, DocIn, bool) -> Option<DocIn>,
    ) -> Result<ScanFolder> {
        let scan_path = dir.join("scan.json");
        let scan_json = read_file(&scan_path)?;
        let scan = serde_json::from_slice(&scan_json).map_err(|e| Error::ReportFolder {
            path: scan_path.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        let texts_path = dir.join("texts.jsonl");
        let texts: Option<Vec<TextLine>> = match texts_path.exists() {
            true => Some(read_lines(&texts_path)?),
            false => None,
        };
        let pairs: Vec<PairIn> = read_lines(&dir.join("pairs.jsonl"))?;
        let clusters: Vec<ClusterIn> = read_lines(&dir.join("clusters.jsonl"))?;
        let named: HashSet<&str> = clusters
            .iter()
            .flat_map(|c| c.members.iter())
            .chain(pairs.iter().flat_map(|p| [&p.a, &p.b]))
            .chain(texts.iter().flatten().map(|t| &t.id))
            .map(String::as_str)
            .collect();
        let mut docs = Vec::new();
        for_each_line(&dir.join("docs.jsonl"), |number, doc: DocIn| {
            let number = number as u32;
            let is_named = doc.status != StatusIn::Rejected
                && doc.id.as_deref().is_some_and(|id| named.contains(id));
            if let Some(doc) = each_doc(number, doc, is_named) {
                docs.push((number, doc));
            }
        })?;
        drop(named);
        Ok(ScanFolder {
            scan,
            docs,
            pairs,
            clusters,
            outlets: read_lines(&dir.join("outlets.jsonl"))?,
            texts,
        })
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| not_found_or(path, e))
}

fn not_found_or(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::ReportFolder {
            path: path.to_path_buf(),
            line: 0,
            message: "missing: not the folder of `reprint scan --output`, or the scan did not \
                      finish"
                .to_string(),
        },
        _ => Error::io(path, e),
    }
}

/// Parses every line of a JSONL file, naming the file and line of the first bad one.
fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let mut lines = Vec::new();
    for_each_line(path, |_, line| lines.push(line))?;
    Ok(lines)
}

/// Hands `each` every line of a JSONL file, parsed, with its number from 0 (blank lines are
/// skipped but counted), reading the file as a stream; names the file and line of the first
/// bad one.
fn for_each_line<T: DeserializeOwned>(path: &Path, mut each: impl FnMut(usize, T)) -> Result<()> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| not_found_or(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?
            == 0
        {
            return Ok(());
        }
        if !line.trim_ascii().is_empty() {
            let value = serde_json::from_slice(&line).map_err(|e| Error::ReportFolder {
                path: path.to_path_buf(),
                line: number + 1,
                message: e.to_string(),
            })?;
            each(number, value);
        }
        number += 1;
    }
}
