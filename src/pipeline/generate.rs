//! Corpus generation in parallel chunks, written in order.

use super::*;
use crate::error::{Error, Result};
use crate::synth::{ArticleTruth, Generator};
use rayon::prelude::*;
use std::io::Write;

/// Writes a generated corpus as JSONL, and one truth line per article when `truth_out` is
/// given. Returns the number of planted copies and partial lifts.
/// Articles are generated in parallel chunks and written in order.
pub fn generate(
    generator: &Generator,
    corpus_out: &mut dyn Write,
    mut truth_out: Option<&mut dyn Write>,
    threads: usize,
) -> Result<(usize, usize)> {
    const CHUNK: usize = 4096;
    let docs = generator.params().docs;
    let write_error = |e: std::io::Error| Error::io("<output>", e);
    let pool = thread_pool(threads)?;
    let (mut planted_total, mut lifts_total) = (0, 0);
    for chunk_start in (0..docs).step_by(CHUNK) {
        let chunk_end = (chunk_start + CHUNK).min(docs);
        let rendered: Vec<(Vec<u8>, ArticleTruth)> = pool.install(|| {
            (chunk_start..chunk_end)
                .into_par_iter()
                .map(|i| {
                    let (article, truth) = generator.article(i);
                    let mut line = serde_json::to_vec(&article).expect("articles serialize");
                    line.push(b'\n');
                    (line, truth)
                })
                .collect()
        });
        for (line, truth) in rendered {
            corpus_out.write_all(&line).map_err(write_error)?;
            planted_total += usize::from(truth.kind == "copy");
            lifts_total += usize::from(truth.kind == "partial");
            if let Some(out) = truth_out.as_deref_mut() {
                let mut line = serde_json::to_vec(&truth).expect("truth serializes");
                line.push(b'\n');
                out.write_all(&line).map_err(write_error)?;
            }
        }
    }
    Ok((planted_total, lifts_total))
}
