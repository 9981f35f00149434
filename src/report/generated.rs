//! `reprint gen`'s files: the generated corpus as JSONL records and one truth line per
//! article.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::pipeline;
use crate::synth::{ArticleKind, Generator};

/// One generated article as a JSONL record.
#[derive(Debug, Serialize)]
pub struct ArticleLine<'a> {
    /// `doc-NNNNNNN`.
    pub id: &'a str,
    /// The headline.
    pub title: &'a str,
    /// Publication time, RFC 3339.
    pub date: &'a str,
    /// The outlet.
    pub source: &'a str,
    /// Paragraphs separated by blank lines.
    pub text: &'a str,
}

/// One line of the `--truth` file.
#[derive(Debug, Serialize)]
pub struct TruthLine<'a> {
    /// The article's id.
    pub id: &'a str,
    /// The id of its planted group's original.
    pub cluster: &'a str,
    /// The article a copy or lift was made from; null for originals.
    pub parent: Option<&'a str>,
    /// Share of the parent's words edited.
    pub edit_rate: f64,
    /// `original`, `copy` or `partial`.
    pub kind: String,
    /// Share of the parent's paragraphs cut from a copy's end.
    pub truncated: f64,
    /// Whether the article was wrapped in its outlet's lines or template.
    pub boilerplate: bool,
    /// Paragraphs of a copy moved.
    pub reordered: usize,
    /// Figures of a copy written in another outlet's style.
    pub figures_restyled: usize,
    /// Words of a copy switched to the other spelling convention.
    pub spellings_switched: usize,
    /// Sentences of a copy split in two.
    pub sentences_split: usize,
    /// Pairs of sentences of a copy merged into one.
    pub sentences_merged: usize,
    /// `own` (an original's), `kept` or `rewritten` (a copy's).
    pub headline: String,
    /// OCR misreadings per letter applied (0 when none).
    pub ocr_noise: f64,
}

fn json_line(value: &impl Serialize) -> Vec<u8> {
    let mut line = serde_json::to_vec(value).expect("plain records serialize");
    line.push(b'\n');
    line
}

/// What `reprint gen` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    /// Planted copies.
    pub copies: usize,
    /// Originals that lift paragraphs from an earlier article.
    pub lifts: usize,
}

/// Writes the generated corpus to `corpus_out` and, when given, one truth line per article to
/// `truth_out`; records are rendered in parallel and written in order.
pub fn write_generated(
    generator: &Generator,
    corpus_out: &mut dyn Write,
    mut truth_out: Option<&mut dyn Write>,
    threads: usize,
) -> Result<Generated> {
    let write_error = |e: std::io::Error| Error::io("<output>", e);
    let with_truth = truth_out.is_some();
    let mut generated = Generated::default();
    pipeline::generate(
        generator,
        threads,
        |article, truth| {
            let record = json_line(&ArticleLine {
                id: &article.id,
                title: &article.title,
                date: &article.date,
                source: &article.source,
                text: &article.text,
            });
            let truth_line = with_truth.then(|| {
                json_line(&TruthLine {
                    id: &truth.id,
                    cluster: &truth.cluster,
                    parent: truth.parent.as_deref(),
                    edit_rate: truth.edit_rate,
                    kind: truth.kind.to_string(),
                    truncated: truth.truncated,
                    boilerplate: truth.boilerplate,
                    reordered: truth.reordered,
                    figures_restyled: truth.figures_restyled,
                    spellings_switched: truth.spellings_switched,
                    sentences_split: truth.sentences_split,
                    sentences_merged: truth.sentences_merged,
                    headline: truth.headline.to_string(),
                    ocr_noise: truth.ocr_noise,
                })
            });
            (record, truth_line)
        },
        |chunk| {
            for ((record, truth_line), truth) in chunk {
                corpus_out.write_all(&record).map_err(write_error)?;
                generated.copies += usize::from(truth.kind == ArticleKind::Copy);
                generated.lifts += usize::from(truth.kind == ArticleKind::Partial);
                if let (Some(out), Some(line)) = (truth_out.as_deref_mut(), truth_line) {
                    out.write_all(&line).map_err(write_error)?;
                }
            }
            Ok(())
        },
    )?;
    Ok(generated)
}
