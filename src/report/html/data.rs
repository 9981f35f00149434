//! The data a report page embeds: the scan folder in columns (one array per field, documents
//! and outlets by number), so 100,000 documents cost a few bytes each, with text offsets in
//! UTF-16 code units, as the page's JavaScript counts them.

use super::read::{DocIn, EvidenceIn, OutletIn, RelationIn, ScanFolder, StatusIn};
use crate::report::scan_file::ScanFile;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The embedded data, serialized as JSON.
#[derive(Debug, Serialize)]
pub struct ReportData<'a> {
    pub scan: &'a ScanFile,
    pub counts: Counts,
    /// Outlet names; documents name their outlet by position here.
    pub outlets: Vec<&'a str>,
    pub docs: DocColumns<'a>,
    pub clusters: Vec<ClusterData<'a>>,
    pub pairs: PairColumns<'a>,
    pub outlet_table: &'a [OutletIn],
    /// Mark signals; marks name theirs by position here.
    pub signals: Vec<&'a str>,
    pub texts: Vec<TextData<'a>>,
    /// The evidence of flagged documents: (document, evidence).
    pub evidence: Vec<(u32, &'a [EvidenceIn])>,
    /// Whether the scan kept texts at all (`scan --no-report` keeps none).
    pub texts_kept: bool,
    /// The limits of what the page lists: rejected records, flagged documents.
    pub limits: [usize; 2],
}

/// Rejected records the page lists at most (a corpus of junk could have millions).
pub const REJECTED_SHOWN: usize = 1_000;
/// Flagged documents the page lists at most: the worst-scored of them.
pub const FLAGGED_SHOWN: usize = 20_000;
/// Bins of the quality histograms: a twentieth of the [0, 1] range each.
pub const QUALITY_BINS: usize = 20;

/// What the page says of every document, counted as `docs.jsonl` streams by, and the
/// quality histograms' counts (score, boilerplate, padding, stuffing).
#[derive(Debug, Default)]
pub struct DocTotals {
    pub records: usize,
    pub rejected: usize,
    pub unique: usize,
    pub duplicates: usize,
    pub flagged: usize,
    pub histograms: [[u64; QUALITY_BINS]; 4],
}

impl DocTotals {
    /// Counts one document.
    pub fn count(&mut self, doc: &DocIn) {
        self.records += 1;
        match doc.status {
            StatusIn::Rejected => self.rejected += 1,
            StatusIn::Unique => self.unique += 1,
            StatusIn::Duplicate => self.duplicates += 1,
            StatusIn::Original => {}
        }
        if let Some(q) = &doc.quality {
            self.flagged += usize::from(!q.flags.is_empty());
            for (bins, value) in
                self.histograms
                    .iter_mut()
                    .zip([q.score, q.boilerplate, q.padding, q.stuffing])
            {
                let at = (value.clamp(0.0, 1.0) * QUALITY_BINS as f64) as usize;
                bins[at.min(QUALITY_BINS - 1)] += 1;
            }
        }
    }
}

/// The overview's counts: those of the summary `scan` prints.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub records: usize,
    pub rejected: usize,
    pub clusters: usize,
    pub duplicates: usize,
    pub unique: usize,
    pub kept: usize,
    pub copies: usize,
    pub partials: usize,
    pub flagged: usize,
}

/// One array per document field, in input order.
#[derive(Debug, Serialize, Default)]
pub struct DocColumns<'a> {
    pub id: Vec<&'a str>,
    pub title: Vec<Option<&'a str>>,
    /// Position in `outlets`, or -1.
    pub outlet: Vec<i32>,
    pub date: Vec<Option<&'a str>>,
    /// 0 unique, 1 original, 2 duplicate, 3 rejected.
    pub status: Vec<u8>,
    /// Cluster number, or -1.
    pub cluster: Vec<i64>,
    /// Jaccard with the original, for duplicates.
    pub similarity: Vec<Option<f64>>,
    pub score: Vec<Option<f64>>,
    pub boilerplate: Vec<Option<f64>>,
    pub padding: Vec<Option<f64>>,
    pub stuffing: Vec<Option<f64>>,
    /// Bits: 1 boilerplate_heavy, 2 repetitive, 4 keyword_stuffing, 8 thin_content.
    pub flags: Vec<u8>,
    /// Position in `texts`, or -1 when the text was not embedded.
    pub text: Vec<i32>,
    /// Why rejected documents were (`file:line: why`), by document.
    pub rejected: BTreeMap<u32, &'a str>,
    pub origin: Vec<&'a str>,
}

/// The flags' names, by bit (the page's script has the same list).
const FLAGS: [&str; 4] = [
    "boilerplate_heavy",
    "repetitive",
    "keyword_stuffing",
    "thin_content",
];

/// A cluster, its documents by number.
#[derive(Debug, Serialize)]
pub struct ClusterData<'a> {
    pub id: u32,
    pub representative: u32,
    pub reason: &'a str,
    pub members: Vec<u32>,
}

/// One array per pair field, in the order of `pairs.jsonl`.
#[derive(Debug, Serialize, Default)]
pub struct PairColumns<'a> {
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    /// 0 copy, 1 partial.
    pub relation: Vec<u8>,
    pub jaccard: Vec<f64>,
    pub containment_ab: Vec<f64>,
    pub containment_ba: Vec<f64>,
    pub share_a: Vec<f64>,
    pub share_b: Vec<f64>,
    /// The source: 0 `a`, 1 `b`, -1 unknown.
    pub from: Vec<i8>,
    pub direction: Vec<&'a str>,
    pub reason: Vec<&'a str>,
    /// `[a_start, a_end, b_start, b_end, words]` in UTF-16 units, when both texts are
    /// embedded and the scan computed passages.
    pub passages: Vec<Option<Vec<[u32; 5]>>>,
    /// Reused words of `a` in all passages (null when passages were not computed).
    pub passage_words: Vec<Option<u32>>,
}

/// An embedded text with its marks (`[start, end, signal]`, UTF-16 units).
#[derive(Debug, Serialize)]
pub struct TextData<'a> {
    pub doc: u32,
    pub text: &'a str,
    pub marks: Vec<[u32; 3]>,
}

impl<'a> ReportData<'a> {
    /// Puts the folder's files into columns. Fails on a folder whose files disagree (a pair
    /// or cluster naming an id `docs.jsonl` lacks).
    pub fn of(folder: &'a ScanFolder, totals: &DocTotals) -> Result<ReportData<'a>, String> {
        // Only accepted documents are named by pairs, clusters and texts (a rejected record
        // may carry the id of an accepted one: a repeated id).
        let mut number: HashMap<&str, u32> = HashMap::with_capacity(folder.docs.len());
        for (i, (_, doc)) in folder.docs.iter().enumerate() {
            if let Some(id) = doc.id.as_deref()
                && doc.status != StatusIn::Rejected
            {
                number.entry(id).or_insert(i as u32);
            }
        }
        let doc_number = |id: &str| {
            number
                .get(id)
                .copied()
                .ok_or_else(|| format!("id {id:?} is not in docs.jsonl"))
        };
        let outlets: Vec<&str> = {
            let mut names: Vec<&str> = folder
                .docs
                .iter()
                .filter_map(|(_, d)| d.source.as_deref())
                .chain(folder.outlets.iter().map(|o| o.source.as_str()))
                .collect();
            names.sort_unstable();
            names.dedup();
            names
        };

        let mut texts = Vec::new();
        let mut text_of = vec![-1i32; folder.docs.len()];
        let mut signals: Vec<&str> = Vec::new();
        let mut offsets: HashMap<u32, Utf16Offsets> = HashMap::new();
        for line in folder.texts.iter().flatten() {
            let doc = doc_number(&line.id)?;
            let units = Utf16Offsets::new(&line.text);
            let marks = line
                .marks
                .iter()
                .map(|m| {
                    let signal = match signals.iter().position(|&s| s == m.signal) {
                        Some(at) => at,
                        None => {
                            signals.push(&m.signal);
                            signals.len() - 1
                        }
                    };
                    Ok([units.of(m.start)?, units.of(m.end)?, signal as u32])
                })
                .collect::<Result<Vec<_>, String>>()?;
            text_of[doc as usize] = texts.len() as i32;
            texts.push(TextData {
                doc,
                text: &line.text,
                marks,
            });
            offsets.insert(doc, units);
        }

        let mut docs = DocColumns::default();
        let mut evidence = Vec::new();
        for (i, (_, doc)) in folder.docs.iter().enumerate() {
            push_doc(&mut docs, doc, &outlets);
            docs.text.push(text_of[i]);
            if let Some(q) = &doc.quality
                && !q.flags.is_empty()
            {
                evidence.push((i as u32, q.evidence.as_slice()));
            }
            if let Some(reason) = doc.reason.as_deref() {
                docs.rejected.insert(i as u32, reason);
            }
        }

        let clusters = folder
            .clusters
            .iter()
            .map(|c| {
                Ok(ClusterData {
                    id: c.cluster,
                    representative: doc_number(&c.representative)?,
                    reason: &c.reason,
                    members: c
                        .members
                        .iter()
                        .map(|m| doc_number(m))
                        .collect::<Result<_, String>>()?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;

        let mut pairs = PairColumns::default();
        for pair in &folder.pairs {
            let (a, b) = (doc_number(&pair.a)?, doc_number(&pair.b)?);
            pairs.a.push(a);
            pairs.b.push(b);
            pairs.relation.push(match pair.relation {
                RelationIn::Copy => 0,
                RelationIn::Partial => 1,
            });
            pairs.jaccard.push(pair.jaccard);
            pairs.containment_ab.push(pair.containment_ab);
            pairs.containment_ba.push(pair.containment_ba);
            pairs.share_a.push(pair.share_a);
            pairs.share_b.push(pair.share_b);
            pairs.from.push(match pair.from.as_deref() {
                Some(from) if from == pair.a => 0,
                Some(from) if from == pair.b => 1,
                _ => -1,
            });
            pairs.direction.push(&pair.direction);
            pairs.reason.push(&pair.reason);
            pairs.passage_words.push(
                pair.passages
                    .as_ref()
                    .map(|ps| ps.iter().map(|p| p.words).sum()),
            );
            let passages = match (&pair.passages, offsets.get(&a), offsets.get(&b)) {
                (Some(passages), Some(in_a), Some(in_b)) => Some(
                    passages
                        .iter()
                        .map(|p| {
                            Ok([
                                in_a.of(p.a_start)?,
                                in_a.of(p.a_end)?,
                                in_b.of(p.b_start)?,
                                in_b.of(p.b_end)?,
                                p.words,
                            ])
                        })
                        .collect::<Result<Vec<_>, String>>()?,
                ),
                _ => None,
            };
            pairs.passages.push(passages);
        }

        let counts = Counts {
            records: totals.records,
            rejected: totals.rejected,
            clusters: folder.clusters.len(),
            duplicates: totals.duplicates,
            unique: totals.unique,
            kept: totals.unique + folder.clusters.len(),
            copies: folder.scan.stats.copies,
            partials: folder.scan.stats.partials,
            flagged: totals.flagged,
        };
        Ok(ReportData {
            scan: &folder.scan,
            counts,
            outlets,
            docs,
            clusters,
            pairs,
            outlet_table: &folder.outlets,
            signals,
            texts,
            evidence,
            texts_kept: folder.texts.is_some(),
            limits: [REJECTED_SHOWN, FLAGGED_SHOWN],
        })
    }
}

fn push_doc<'a>(docs: &mut DocColumns<'a>, doc: &'a DocIn, outlets: &[&str]) {
    docs.id.push(doc.id.as_deref().unwrap_or(""));
    docs.title.push(doc.title.as_deref());
    docs.outlet.push(
        doc.source
            .as_deref()
            .and_then(|s| outlets.binary_search(&s).ok())
            .map_or(-1, |at| at as i32),
    );
    docs.date.push(doc.date.as_deref());
    docs.status.push(match doc.status {
        StatusIn::Unique => 0,
        StatusIn::Original => 1,
        StatusIn::Duplicate => 2,
        StatusIn::Rejected => 3,
    });
    docs.cluster.push(doc.cluster.map_or(-1, i64::from));
    docs.similarity.push(doc.similarity);
    let q = doc.quality.as_ref();
    docs.score.push(q.map(|q| q.score));
    docs.boilerplate.push(q.map(|q| q.boilerplate));
    docs.padding.push(q.map(|q| q.padding));
    docs.stuffing.push(q.map(|q| q.stuffing));
    docs.flags.push(q.map_or(0, |q| {
        q.flags
            .iter()
            .filter_map(|f| FLAGS.iter().position(|&name| name == f))
            .fold(0u8, |bits, at| bits | 1 << at)
    }));
    docs.origin.push(&doc.origin);
}

/// Byte offsets of a text to UTF-16 offsets.
struct Utf16Offsets {
    /// (byte offset, UTF-16 offset) at every character boundary, and one past the end.
    bounds: Vec<(u32, u32)>,
}

impl Utf16Offsets {
    fn new(text: &str) -> Utf16Offsets {
        let mut bounds = Vec::with_capacity(text.len() + 1);
        let mut units = 0u32;
        for (at, c) in text.char_indices() {
            bounds.push((at as u32, units));
            units += c.len_utf16() as u32;
        }
        bounds.push((text.len() as u32, units));
        Utf16Offsets { bounds }
    }

    fn of(&self, byte: u32) -> Result<u32, String> {
        self.bounds
            .binary_search_by_key(&byte, |&(b, _)| b)
            .map(|at| self.bounds[at].1)
            .map_err(|_| format!("byte offset {byte} is not at a character boundary of its text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_utf16_offsets() {
        // é is two bytes and one unit; 𝄞 four bytes and two units (a surrogate pair).
        let units = Utf16Offsets::new("aé𝄞b");
        assert_eq!(units.of(0), Ok(0));
        assert_eq!(units.of(1), Ok(1));
        assert_eq!(units.of(3), Ok(2));
        assert_eq!(units.of(7), Ok(4));
        assert_eq!(units.of(8), Ok(5));
        assert!(units.of(2).is_err(), "inside é");
        assert!(units.of(9).is_err(), "past the end");
    }
}
