//! Ingest: inputs become documents. Folders, JSONL files, text files, HTML pages (main text
//! extracted once) and their `.gz` versions are read here, and nowhere else.
//!
//! **Architecture invariant:** ingest knows nothing of text analysis, quality or relations; it
//! imports only `error` and `date`. It is the only layer that reads input files.

pub mod corpus;
pub mod html;
pub mod record;
pub mod spool;

pub use corpus::{
    BATCH_BYTES, Corpus, CorpusOptions, DEFAULT_MAX_DOC_BYTES, InputSpec, Origin, Payload,
    RawRecord, RecordPosition, check_outputs_apart, find_documents,
};
pub use record::{Document, PageOrigin, ReadOptions, Rejection, parse_record};
pub use spool::{Spool, SpoolRange};
