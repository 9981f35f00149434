//! Corpus generation in parallel chunks, handed on in order.

use rayon::prelude::*;

use super::thread_pool;
use crate::error::Result;
use crate::synth::{ArticleTruth, Generator, SynthArticle};

/// Articles generated per parallel chunk.
const CHUNK: usize = 4096;

/// Generates every article of `generator` in parallel chunks: `render` turns each article and
/// its truth into bytes on the worker threads, and `sink` receives the rendered articles of
/// each chunk in article order. Returns the number of planted copies and partial lifts.
pub fn generate<R: Send>(
    generator: &Generator,
    threads: usize,
    render: impl Fn(&SynthArticle, &ArticleTruth) -> R + Sync,
    mut sink: impl FnMut(Vec<(R, ArticleTruth)>) -> Result<()>,
) -> Result<()> {
    let docs = generator.params().docs;
    let pool = thread_pool(threads)?;
    for chunk_start in (0..docs).step_by(CHUNK) {
        let chunk_end = (chunk_start + CHUNK).min(docs);
        let rendered: Vec<(R, ArticleTruth)> = pool.install(|| {
            (chunk_start..chunk_end)
                .into_par_iter()
                .map(|i| {
                    let (article, truth) = generator.article(i);
                    (render(&article, &truth), truth)
                })
                .collect()
        });
        sink(rendered)?;
    }
    Ok(())
}
