//! The deduplicated feed: the input records minus duplicates, byte for byte.

use super::*;
use crate::error::{Error, Result};
use crate::ingest::{BATCH_BYTES, Corpus, Payload, RawRecord, parse_record};
use crate::pipeline::{DocOutcome, DocStatus, ScanResult};
use crate::quality::boilerplate::clean_text;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Counts from writing a deduplicated feed: every input record is in exactly one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Documents written (unique documents and cluster representatives).
    pub kept: usize,
    /// Duplicates left out.
    pub dropped_duplicates: usize,
    /// Rejected records written as they were read (the default).
    pub kept_rejected: usize,
    /// Rejected records left out (`--drop-rejected`).
    pub dropped_rejected: usize,
    /// Rejected records that could not be written because they were never read whole: too
    /// large, or unreadable folder entries.
    pub unread_rejected: usize,
}

#[derive(Serialize)]
struct TextFileRecord<'a> {
    id: &'a str,
    title: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    clean_text: Option<&'a str>,
}

/// Reads the corpus a second time and writes every record that is not a duplicate: JSONL
/// records byte for byte as they were read, text files as `{"id", "title", "text"}` records
/// (for HTML files, `text` is the extracted main text). Rejected records are written as read
/// too (they are not duplicates of anything), unless `drop_rejected`. With
/// `strip_boilerplate`, each document gains `clean_text`: its text without boilerplate lines.
pub fn write_feed(
    corpus: &Corpus,
    result: &ScanResult,
    strip_boilerplate: bool,
    drop_rejected: bool,
    out: &mut dyn Write,
    path: &Path,
) -> Result<FeedStats> {
    let mut stats = FeedStats::default();
    for_each_record_again(corpus, result, |raw, index, doc| {
        match doc.status {
            DocStatus::Duplicate => stats.dropped_duplicates += 1,
            DocStatus::Rejected if drop_rejected => stats.dropped_rejected += 1,
            DocStatus::Rejected => match write_rejected(raw, out, path)? {
                true => stats.kept_rejected += 1,
                false => stats.unread_rejected += 1,
            },
            DocStatus::Unique | DocStatus::Original => {
                stats.kept += 1;
                write_kept(raw, index, result, strip_boilerplate, out, path)?;
            }
        }
        Ok(())
    })?;
    Ok(stats)
}

/// Reads the corpus a second time and hands `each` every raw record with its index and the
/// scan's outcome for it, checking that the corpus still holds the records the scan read.
pub(super) fn for_each_record_again(
    corpus: &Corpus,
    result: &ScanResult,
    mut each: impl FnMut(&RawRecord, usize, &DocOutcome) -> Result<()>,
) -> Result<()> {
    let mut index = 0usize;
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        for raw in batch {
            let doc = result
                .docs
                .get(index)
                .ok_or_else(|| Error::input_changed("<corpus>"))?;
            each(&raw, index, doc)?;
            index += 1;
        }
        Ok(())
    })?;
    if index != result.docs.len() {
        return Err(Error::input_changed("<corpus>"));
    }
    Ok(())
}

/// Writes a rejected record as it was read: a JSONL line byte for byte, a file as an
/// `{"id", "title": null, "text"}` record (its bytes decoded lossily). Returns false for a
/// record that was never read whole (too large, unreadable).
fn write_rejected(raw: &RawRecord, out: &mut dyn Write, path: &Path) -> Result<bool> {
    match &raw.payload {
        Payload::JsonLine(bytes) => {
            out.write_all(bytes).map_err(|e| Error::io(path, e))?;
            out.write_all(b"\n").map_err(|e| Error::io(path, e))?;
        }
        Payload::TextFile { id, bytes, .. } => {
            let text = String::from_utf8_lossy(bytes);
            let record = TextFileRecord {
                id,
                title: None,
                text: &text,
                clean_text: None,
            };
            write_line(out, &record, path)?;
        }
        Payload::Oversized { .. } | Payload::Unreadable(_) => return Ok(false),
    }
    Ok(true)
}

/// The text of an accepted record read again: parsing gives the text of the first pass.
fn text_again(raw: &RawRecord, result: &ScanResult, path: &Path) -> Result<String> {
    Ok(parse_record(raw, &result.params.read)
        .map_err(|_| Error::input_changed(path))?
        .text)
}

/// The text of the accepted document at `index` (read again as `raw`) as the scan read it:
/// for an HTML page, its extracted main text from the spool.
pub(super) fn text_of(
    raw: &RawRecord,
    index: usize,
    result: &ScanResult,
    path: &Path,
) -> Result<String> {
    match result.spooled_text(index as u32)? {
        Some(text) => Ok(text),
        None => text_again(raw, result, path),
    }
}

/// The text of the accepted document at `index` (read again as `raw`) without its
/// boilerplate lines and the corpus's template lines.
pub(super) fn clean_text_of(
    raw: &RawRecord,
    index: usize,
    result: &ScanResult,
    path: &Path,
) -> Result<String> {
    let outcome = &result.docs[index];
    let text = text_of(raw, index, result, path)?;
    Ok(clean_text(
        &text,
        outcome.title.as_deref(),
        outcome.page_origin(),
        &result.templates,
    ))
}

/// Writes one kept record of the feed (the document at `index`).
fn write_kept(
    raw: &RawRecord,
    index: usize,
    result: &ScanResult,
    strip_boilerplate: bool,
    out: &mut dyn Write,
    path: &Path,
) -> Result<()> {
    let outcome = &result.docs[index];
    let title = outcome.title.as_deref();
    // An HTML page's text was extracted once, in the first pass, and spooled; other kept
    // records parsed in the first pass, and parsing again gives the same text.
    let text = match result.spooled_text(index as u32)? {
        Some(text) => Some(text),
        None if strip_boilerplate => Some(text_again(raw, result, path)?),
        None => None,
    };
    let clean = match (&text, strip_boilerplate) {
        (Some(text), true) => Some(clean_text(
            text,
            title,
            outcome.page_origin(),
            &result.templates,
        )),
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
            let text = match (&text, outcome.spooled()) {
                (Some(text), Some(_)) => text.as_str(),
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
        Payload::Oversized { .. } | Payload::Unreadable(_) => Err(Error::input_changed(path)),
    }
}

/// The count line `dedup` prints on stderr: what became of every record.
pub fn feed_summary(stats: &FeedStats, records: usize) -> String {
    let mut line = format!(
        "{records} records: kept {} documents; dropped {} duplicates",
        stats.kept, stats.dropped_duplicates
    );
    if stats.kept_rejected > 0 {
        line += &format!(
            "; kept {} rejected records as read (--drop-rejected leaves them out)",
            stats.kept_rejected
        );
    }
    if stats.dropped_rejected > 0 {
        line += &format!("; dropped {} rejected records", stats.dropped_rejected);
    }
    if stats.unread_rejected > 0 {
        line += &format!(
            "; {} rejected records too large or unreadable, not written",
            stats.unread_rejected
        );
    }
    line
}
