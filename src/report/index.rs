//! Feed mode's output: one line per input record of `reprint index add` and `query`, and the
//! object `reprint index stats` prints.

use super::jsonl::{DocLine, PassageLine, doc_line, relation_name};
use super::{round6, write_line};
use crate::error::Result;
use crate::index::feed::{FeedOutcome, FeedState};
use crate::index::store::{IndexStats, PairEnd};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One line of `reprint index add` or `query`: the fields of `docs.jsonl` (with `status`
/// `already_indexed` for a record whose id and text are in the index already; `cluster` is the
/// original's document number), and the relations with earlier documents.
#[derive(Debug, Serialize)]
pub struct IndexLine<'a> {
    /// The `docs.jsonl` fields.
    #[serde(flatten)]
    pub doc: DocLine<'a>,
    /// The document's copy and partial relations with documents indexed before it and with
    /// earlier records of the same input.
    pub relations: Vec<RelationLine<'a>>,
}

/// A relation with an earlier document.
#[derive(Debug, Serialize)]
pub struct RelationLine<'a> {
    /// The earlier document's id.
    pub id: &'a str,
    /// `copy` or `partial`.
    pub relation: &'static str,
    /// Exact Jaccard of the two main texts.
    pub jaccard: f64,
    /// Share of this document's words inside the shared passages.
    pub share: f64,
    /// The id of the document the text came from, or null when nothing tells.
    pub from: Option<&'a str>,
    /// The shared passages, `a` being the earlier document (null for a record already indexed:
    /// the index keeps relations, not passages).
    pub passages: Option<Vec<PassageLine>>,
}

/// Writes one line per outcome, in input order.
pub fn write_index_lines(outcomes: &[FeedOutcome], out: &mut dyn Write, path: &Path) -> Result<()> {
    for outcome in outcomes {
        let name = |n: u32| outcome.names.get(&n).map_or("", String::as_str);
        let own_id = outcome.doc.id.as_deref().unwrap_or("");
        let mut doc = doc_line(&outcome.doc, name);
        if outcome.state == FeedState::AlreadyIndexed {
            doc.status = "already_indexed";
        }
        let relations = outcome
            .relations
            .iter()
            .map(|r| RelationLine {
                id: name(r.other),
                relation: relation_name(r.stored.relation),
                jaccard: round6(r.stored.jaccard),
                share: round6(r.stored.later_share),
                from: r.stored.from.map(|end| match end {
                    PairEnd::Earlier => name(r.other),
                    PairEnd::Later => own_id,
                }),
                passages: r
                    .passages
                    .as_ref()
                    .map(|p| p.iter().map(PassageLine::from).collect()),
            })
            .collect();
        write_line(out, &IndexLine { doc, relations }, path)?;
    }
    Ok(())
}

/// What `reprint index stats` prints.
#[derive(Debug, Serialize)]
pub struct IndexStatsLine {
    /// Documents in the index.
    pub documents: u64,
    /// The earliest document's date (RFC 3339), or null.
    pub first_date: Option<String>,
    /// The latest document's date, or null.
    pub last_date: Option<String>,
    /// Copy and partial relations stored.
    pub relations: u64,
    /// Posting segments (a merge keeps a few per size tier).
    pub segments: u64,
    /// The parameters the index was built with.
    pub params: std::collections::BTreeMap<String, String>,
    /// Bytes the index's tables occupy in its file (the file may be larger by free pages that
    /// redb reuses; `expire` gives them back).
    pub bytes_on_disk: u64,
    /// Of which the compressed texts (kept for verification and passages).
    pub text_bytes: u64,
    /// Bytes on disk per document.
    pub bytes_per_document: f64,
    /// Bytes on disk per document besides the texts.
    pub bytes_per_document_without_texts: f64,
    /// Bytes of each table.
    pub tables: std::collections::BTreeMap<String, u64>,
}

/// The `stats` object of an index.
pub fn index_stats_line(stats: &IndexStats) -> IndexStatsLine {
    let per_doc = |bytes: u64| {
        if stats.documents == 0 {
            0.0
        } else {
            (bytes as f64 / stats.documents as f64 * 10.0).round() / 10.0
        }
    };
    IndexStatsLine {
        documents: stats.documents,
        first_date: stats.first_date.map(crate::date::format_date),
        last_date: stats.last_date.map(crate::date::format_date),
        relations: stats.relations,
        segments: stats.segments,
        params: stats.params.0.iter().cloned().collect(),
        bytes_on_disk: stats.bytes(),
        text_bytes: stats.table("texts"),
        bytes_per_document: per_doc(stats.bytes()),
        bytes_per_document_without_texts: per_doc(stats.bytes() - stats.table("texts")),
        tables: stats.tables.iter().cloned().collect(),
    }
}
