//! The library's one error type. Every I/O variant names the file it concerns.

use std::path::PathBuf;

/// Errors that stop a run. Problems with single records never stop a run: they become
/// rejected records with a reason (see [`crate::ingest::Rejection`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of a scan's report folder is not what `scan --output` writes.
    #[error("{}{}: {message}", path.display(), line_suffix(*line))]
    ReportFolder {
        /// The file.
        path: PathBuf,
        /// Its line, from 1 (0 for the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An input path does not exist.
    #[error("{path}: no such file or directory")]
    NotFound {
        /// The path as the user gave it.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The engine that runs a sharded scan's stages on its workers (Spark) failed, or gave
    /// back what a stage cannot have produced.
    #[error("the engine running the scan failed: {message}")]
    Engine {
        /// What went wrong, in the engine's words.
        message: String,
    },
    /// A parameter is out of its valid range.
    #[error("invalid parameter {name}: {message}")]
    InvalidParameter {
        /// The parameter's name as the CLI spells it.
        name: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The input differs between two reads of the same run (a file was changed while it was
    /// being read).
    #[error("{path}: the input changed between two passes")]
    InputChanged {
        /// The file that changed (`<corpus>` when the record count no longer matches).
        path: PathBuf,
    },
    /// An output would overwrite an input, or land inside an input folder where the next run
    /// would read it.
    #[error("{output}: {relation} {input}; choose an output outside the inputs")]
    OutputOverInput {
        /// The output path as given.
        output: PathBuf,
        /// The input it collides with.
        input: PathBuf,
        /// "is the input file" or "is inside the input folder".
        relation: &'static str,
    },
    /// The run read no usable document: nothing to deduplicate, which downstream steps must
    /// not mistake for success. Says what was seen instead.
    #[error("no document read: {0}")]
    NothingRead(String),
    /// A document id asked for does not exist in the corpus.
    #[error("no document with id {0:?}")]
    UnknownId(String),
    /// A persistent index holds data it cannot have written: what is wrong, where.
    #[error("the index is damaged: {0}")]
    IndexCorrupt(String),
    /// Another process has the index open for writing.
    #[error("{path}: another reprint process has this index open; wait for it to finish")]
    IndexBusy {
        /// The index file.
        path: PathBuf,
    },
    /// The index was built with other parameters than the ones given.
    #[error("{path}: built with other parameters: {differences}")]
    IndexParams {
        /// The index file.
        path: PathBuf,
        /// Each parameter that differs, with both values.
        differences: String,
    },
    /// The index was written in a format this reprint does not read.
    #[error(
        "{path}: index format {found}, and this reprint reads format {supported}; use the \
         reprint that wrote it, or rebuild the index with this one (reprint index add into a \
         new file)"
    )]
    IndexFormat {
        /// The index file.
        path: PathBuf,
        /// The format found in the file.
        found: u32,
        /// The newest format this reprint reads.
        supported: u32,
    },
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The error for input that differs between two reads of the same corpus.
    pub fn input_changed(path: impl Into<PathBuf>) -> Self {
        Error::InputChanged { path: path.into() }
    }

    /// Builds an [`Error::InvalidParameter`].
    pub fn param(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name,
            message: message.into(),
        }
    }
}

/// `:line` after a file name, or nothing for a file as a whole (line 0).
fn line_suffix(line: usize) -> String {
    match line {
        0 => String::new(),
        line => format!(":{line}"),
    }
}
