//! `texts.jsonl`: the texts the HTML report shows, with what is marked in them. A large corpus
//! does not fit in one page, so only documents worth opening are kept, up to
//! [`TEXT_BUDGET_BYTES`]: members of clusters, both sides of partial reuse, and the
//! worst-scored documents, in that order of priority.

use super::feed::{for_each_record_again, text_of};
use super::*;
use crate::error::Result;
use crate::ingest::Corpus;
use crate::pipeline::{DocStatus, ScanResult};
use crate::quality::boilerplate::{TextKind, analyze_lines};
use crate::quality::{Signal, TextWords, example_phrase, phrase_occurrences};
use crate::relate::relation::Relation;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Bytes of text the report embeds at most. Texts compress about four to one in the page
/// (gzip, then base64), so this keeps a report of 100,000 generated articles near 20 MB,
/// under the 25 MB the report is allowed (measured in BENCHMARKS.md, "HTML report").
pub const TEXT_BUDGET_BYTES: usize = 24 << 20;

/// How the budget is shared between the kinds of documents worth a look, in priority order;
/// what one kind leaves unspent passes to the next, and whatever is left at the end goes to
/// the kinds in order again.
const SHARES: [(Pick, f64); 3] = [
    (Pick::ClusterMembers, 0.5),
    (Pick::PartialReuse, 0.3),
    (Pick::WorstScored, 0.2),
];

/// The worst-scored documents considered for their texts.
const WORST_DOCS: usize = 2_000;

#[derive(Debug, Clone, Copy)]
enum Pick {
    ClusterMembers,
    PartialReuse,
    WorstScored,
}

/// One line of `texts.jsonl`.
#[derive(Debug, Serialize, Deserialize)]
pub struct TextLine {
    /// The document's id.
    pub id: String,
    /// Its text as the scan read it (for an HTML page, the extracted main text): the text
    /// the byte ranges of `pairs.jsonl` passages refer to.
    pub text: String,
    /// What is marked in the text, by start.
    pub marks: Vec<MarkLine>,
}

/// A marked range of a text.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct MarkLine {
    /// Start byte.
    pub start: u32,
    /// End byte (exclusive).
    pub end: u32,
    /// The signal: `boilerplate.<reason>` for a boilerplate line, `padding.<measure>` for
    /// an occurrence of the repeated phrase, `stuffing` for one of the stuffed phrase.
    pub signal: String,
}

/// The documents whose texts the report embeds, in input order.
pub fn texts_to_embed(result: &ScanResult, budget: usize) -> Vec<u32> {
    let size = |i: u32| estimated_bytes(result, i);
    let groups_of = |pick: Pick| -> Vec<Vec<u32>> {
        match pick {
            Pick::ClusterMembers => {
                let mut clusters: Vec<&crate::relate::cluster::Cluster> =
                    result.clusters.iter().collect();
                clusters.sort_by_key(|c| (std::cmp::Reverse(c.members.len()), c.id));
                clusters.iter().map(|c| c.members.clone()).collect()
            }
            Pick::PartialReuse => result
                .pairs
                .iter()
                .filter(|p| p.relation() == Relation::Partial)
                .map(|p| vec![p.figures.a, p.figures.b])
                .collect(),
            Pick::WorstScored => {
                let mut scored: Vec<(f64, u32)> = result
                    .docs
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.status != DocStatus::Rejected)
                    .filter_map(|(i, d)| Some((d.quality.as_ref()?.report.score, i as u32)))
                    .collect();
                scored.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                scored
                    .into_iter()
                    .take(WORST_DOCS)
                    .map(|(_, i)| vec![i])
                    .collect()
            }
        }
    };
    let groups: Vec<Vec<Vec<u32>>> = SHARES.iter().map(|&(pick, _)| groups_of(pick)).collect();
    let mut chosen = vec![false; result.docs.len()];
    let mut spent = 0usize;
    let mut take = |groups: &[Vec<u32>], limit: usize| {
        for group in groups {
            let cost: usize = group
                .iter()
                .filter(|&&i| !chosen[i as usize])
                .map(|&i| size(i))
                .sum();
            if cost > 0 && spent + cost <= limit {
                spent += cost;
                for &i in group {
                    chosen[i as usize] = true;
                }
            }
        }
    };
    let mut limit = 0.0;
    for (groups, &(_, share)) in groups.iter().zip(&SHARES) {
        limit += share * budget as f64;
        take(groups, limit as usize);
    }
    for groups in &groups {
        take(groups, budget);
    }
    (0..result.docs.len() as u32)
        .filter(|&i| chosen[i as usize])
        .collect()
}

/// A document's text size, before it is read again: its characters, one space per word.
fn estimated_bytes(result: &ScanResult, index: u32) -> usize {
    let doc = &result.docs[index as usize];
    match &doc.quality {
        Some(q) => q.basis.text_chars as usize + q.basis.words as usize,
        // Six bytes a word, a word and its space in English.
        None => doc.words as usize * 6,
    }
}

/// Reads the corpus a second time and writes `texts.jsonl`: one line for each document of
/// `embed` (ascending), in input order.
pub fn write_texts(
    corpus: &Corpus,
    result: &ScanResult,
    embed: &[u32],
    out: &mut dyn Write,
    path: &Path,
) -> Result<()> {
    let mut next = embed.iter().copied().peekable();
    for_each_record_again(corpus, result, |raw, index, doc| {
        if next.peek() != Some(&(index as u32)) {
            return Ok(());
        }
        next.next();
        let text = text_of(raw, index, result, path)?;
        let line = TextLine {
            id: doc.id.clone().unwrap_or_default(),
            marks: marks(&text, index, result),
            text,
        };
        write_line(out, &line, path)
    })
}

/// What the document view marks in the text of the document at `index`: its boilerplate
/// lines, as the quality pass judged them, and every occurrence of its repeated and stuffed
/// phrases.
fn marks(text: &str, index: usize, result: &ScanResult) -> Vec<MarkLine> {
    let doc = &result.docs[index];
    let mark = |range: std::ops::Range<usize>, signal: String| MarkLine {
        start: range.start as u32,
        end: range.end as u32,
        signal,
    };
    let lines = analyze_lines(
        text,
        doc.title.as_deref(),
        TextKind::of_page(doc.page_origin()),
        &result.templates,
    );
    let mut marks: Vec<MarkLine> = lines
        .boilerplate()
        .filter_map(|line| {
            let reason = line.reason?;
            Some(mark(
                line.range.clone(),
                Signal::Boilerplate(reason).to_string(),
            ))
        })
        .collect();
    if let Some(quality) = &doc.quality {
        let words = TextWords::new(text);
        for evidence in &quality.report.evidence {
            let phrase = match (&evidence.signal, &evidence.text) {
                (Signal::Padding(_), Some(example)) => example_phrase(example),
                (Signal::Stuffing, Some(phrase)) => phrase.as_str(),
                _ => continue,
            };
            marks.extend(
                phrase_occurrences(&words, phrase)
                    .into_iter()
                    .map(|range| mark(range, evidence.signal.to_string())),
            );
        }
    }
    marks.sort();
    marks
}
