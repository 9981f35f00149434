//! Reading a corpus: folders, JSONL files, gzip-compressed versions of both, and stdin.
//!
//! Reading is split in two so the expensive half runs in parallel: [`Corpus::for_each_batch`]
//! does the serial I/O and hands out [`RawRecord`]s (bytes plus where they came from), and
//! [`parse_record`] turns one raw record into a [`Document`] or a
//! [`Rejection`](super::record::Rejection), with no I/O.
//! The same enumeration order is used on every pass, so a second pass (the deduplicated feed)
//! can pair raw records with the results of the first by position.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::record::{Document, ReadOptions, parse_record};
use crate::error::{Error, Result};

/// Where a record came from: a file as the user would name it, and a 1-based line number
/// (always 1 for a whole-file document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as a path the user recognises (the input argument joined with the path
    /// inside a folder, or `<stdin>`).
    pub file: Arc<str>,
    /// 1-based line number of the record in that file.
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The bytes of one input record before parsing.
#[derive(Debug, Clone)]
pub enum Payload {
    /// One line of a JSONL file (without its line terminator).
    JsonLine(Vec<u8>),
    /// A whole `.txt`, `.md` or `.html` file, whose id is its path relative to the folder.
    TextFile {
        /// The document id derived from the path.
        id: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Whether the file is an HTML page (its main text is extracted).
        html: bool,
    },
    /// A record that was not read: larger than `--max-doc-bytes`.
    Oversized {
        /// Its size in bytes.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A folder entry that could not be read, and why.
    Unreadable(String),
}

/// One record as read from disk, not yet parsed.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// Where the record came from.
    pub origin: Origin,
    /// Its bytes.
    pub payload: Payload,
    /// Where to find it again without reading what comes before it.
    pub position: RecordPosition,
}

/// The place of a record in the corpus: its file (by enumeration order) and the byte offset of
/// its line in the (decompressed) file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordPosition {
    /// Index of the file in the corpus' enumeration order.
    pub source: u32,
    /// Byte offset of the record's line (0 for a whole-file document).
    pub offset: u64,
    /// 1-based line number.
    pub line: u64,
}

/// A file to read and how to read it.
#[derive(Debug, Clone)]
struct Source {
    path: PathBuf,
    display: Arc<str>,
    kind: SourceKind,
    /// Found by walking an input folder (a problem with it rejects it unless `--strict`),
    /// rather than named by the user.
    in_folder: bool,
}

#[derive(Debug, Clone)]
enum SourceKind {
    /// JSON Lines, or one JSON array of records.
    Jsonl,
    /// A `.json` file: one array of records, one record, or JSON Lines.
    Json,
    TextFile {
        id: String,
        html: bool,
    },
    /// A folder entry that cannot be read (a dangling link, a link loop, no permission).
    Unreadable {
        reason: String,
    },
}

/// How the files of a corpus are read.
#[derive(Debug, Clone, Copy)]
pub struct CorpusOptions {
    /// The encoding of inputs without a byte-order mark; `None` reads them as UTF-8 (and
    /// rejects records that are not). A BOM (UTF-8, UTF-16LE, UTF-16BE) always wins.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Records larger than this many bytes are rejected with their size, unread.
    pub max_doc_bytes: u64,
    /// Whether an unreadable entry of an input folder stops the run instead of becoming a
    /// rejected record.
    pub strict: bool,
}

/// The default `--max-doc-bytes`: 16 MiB, over a hundred times the longest news article and
/// small enough that the quality pass's working set (about 4x the text) stays modest.
pub const DEFAULT_MAX_DOC_BYTES: u64 = 16 << 20;

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            encoding: None,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            strict: false,
        }
    }
}

/// What the user asked to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A file or a folder.
    Path(PathBuf),
    /// JSONL on standard input (`-`).
    Stdin,
}

impl InputSpec {
    /// Parses a command-line argument: `-` is stdin, anything else a path.
    pub fn from_arg(arg: &str) -> InputSpec {
        if arg == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }
}

/// Refuses, before anything is read, an output that would overwrite an input or land inside
/// an input folder (where the next run would read it as input). Paths are compared after
/// resolving symbolic links and `..`; an output that does not exist yet is compared through
/// its folder.
pub fn check_outputs_apart(inputs: &[InputSpec], outputs: &[&Path]) -> Result<()> {
    let inputs: Vec<(&Path, PathBuf, bool)> = inputs
        .iter()
        .filter_map(|input| match input {
            InputSpec::Path(path) => {
                let resolved = std::fs::canonicalize(path).ok()?;
                Some((path.as_path(), resolved.clone(), resolved.is_dir()))
            }
            InputSpec::Stdin => None,
        })
        .collect();
    for &output in outputs {
        let Some(resolved) = resolve_output(output) else {
            continue;
        };
        for (input, input_resolved, is_dir) in &inputs {
            let relation = if *is_dir && resolved.starts_with(input_resolved) {
                "is inside the input folder"
            } else if resolved == *input_resolved {
                "is the input file"
            } else {
                continue;
            };
            return Err(Error::OutputOverInput {
                output: output.to_path_buf(),
                input: input.to_path_buf(),
                relation,
            });
        }
    }
    Ok(())
}

/// Where `output` points once symbolic links are resolved: the file itself when it exists,
/// else its resolved folder joined with its name (`None` when the folder does not exist
/// either; opening the output will report that).
fn resolve_output(output: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = std::fs::canonicalize(output) {
        return Some(resolved);
    }
    let name = output.file_name()?;
    let folder = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(folder).ok()?.join(name))
}

/// The files of a corpus, enumerated once in a fixed order.
#[derive(Debug)]
pub struct Corpus {
    sources: Vec<Source>,
    ignored: Vec<PathBuf>,
    total_bytes: u64,
    options: CorpusOptions,
    // Keeps stdin's spooled copy alive so it can be read twice.
    _spool: Option<tempfile::TempPath>,
}

impl Corpus {
    /// Enumerates the inputs: folders are walked recursively in path order, keeping
    /// `.txt`, `.md` and `.jsonl` files and their `.gz` versions; stdin is copied to a
    /// temporary file so that later passes can read it again.
    pub fn open(inputs: &[InputSpec]) -> Result<Corpus> {
        Corpus::open_with(inputs, CorpusOptions::default())
    }

    /// [`Corpus::open`] with other reading options.
    pub fn open_with(inputs: &[InputSpec], options: CorpusOptions) -> Result<Corpus> {
        let mut corpus = Corpus {
            sources: Vec::new(),
            ignored: Vec::new(),
            total_bytes: 0,
            options,
            _spool: None,
        };
        for input in inputs {
            match input {
                InputSpec::Stdin => corpus.add_stdin()?,
                InputSpec::Path(path) => corpus.add_path(path)?,
            }
        }
        for source in &mut corpus.sources {
            match std::fs::metadata(&source.path) {
                Ok(meta) => corpus.total_bytes += meta.len(),
                Err(e) if source.in_folder && !options.strict => {
                    source.kind = SourceKind::Unreadable {
                        reason: e.to_string(),
                    }
                }
                Err(e) if matches!(source.kind, SourceKind::Unreadable { .. }) => {
                    return Err(Error::io(&source.path, e));
                }
                Err(e) => return Err(Error::io(&source.path, e)),
            }
        }
        Ok(corpus)
    }

    fn add_stdin(&mut self) -> Result<()> {
        if self._spool.is_some() {
            return Err(Error::param("INPUT", "stdin (-) can be given only once"));
        }
        let mut spool =
            tempfile::NamedTempFile::new().map_err(|e| Error::io("<stdin spool>", e))?;
        let stdin = std::io::stdin();
        std::io::copy(&mut stdin.lock(), &mut spool).map_err(|e| Error::io("<stdin>", e))?;
        spool.flush().map_err(|e| Error::io("<stdin spool>", e))?;
        let path = spool.into_temp_path();
        self.sources.push(Source {
            path: path.to_path_buf(),
            display: Arc::from("<stdin>"),
            kind: SourceKind::Jsonl,
            in_folder: false,
        });
        self._spool = Some(path);
        Ok(())
    }

    fn add_path(&mut self, path: &Path) -> Result<()> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotFound {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        if meta.is_dir() {
            return self.add_folder(path);
        }
        // A file named explicitly is read by its extension; anything that is not a text
        // document is taken as JSONL, the interchange format.
        let display: Arc<str> = Arc::from(path.display().to_string());
        let kind = match document_kind(path) {
            Some(FileKind::Text) => SourceKind::TextFile {
                id: display.to_string(),
                html: false,
            },
            Some(FileKind::Html) => SourceKind::TextFile {
                id: display.to_string(),
                html: true,
            },
            Some(FileKind::Json) => SourceKind::Json,
            _ => SourceKind::Jsonl,
        };
        self.sources.push(Source {
            path: path.to_path_buf(),
            display,
            kind,
            in_folder: false,
        });
        Ok(())
    }

    fn add_folder(&mut self, root: &Path) -> Result<()> {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                // A dangling link, a link loop or an entry that cannot be listed: a rejected
                // record naming it, unless the run is strict.
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    let reason = match e.loop_ancestor() {
                        Some(ancestor) => {
                            format!("a symbolic link loop back to {}", ancestor.display())
                        }
                        None => e
                            .io_error()
                            .map_or_else(|| e.to_string(), |io| io.to_string()),
                    };
                    if self.options.strict {
                        return Err(Error::io(path, std::io::Error::other(reason)));
                    }
                    self.sources.push(Source {
                        display: Arc::from(path.display().to_string()),
                        path,
                        kind: SourceKind::Unreadable { reason },
                        in_folder: true,
                    });
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            let path = entry.path();
            if !entry.file_type().is_file() {
                // A dangling symbolic link is listed without error but is no file.
                if entry.path_is_symlink() && std::fs::metadata(path).is_err() {
                    let reason = "a symbolic link to nothing (dangling)".to_string();
                    if self.options.strict {
                        return Err(Error::io(path, std::io::Error::other(reason)));
                    }
                    self.sources.push(Source {
                        path: path.to_path_buf(),
                        display: Arc::from(path.display().to_string()),
                        kind: SourceKind::Unreadable { reason },
                        in_folder: true,
                    });
                }
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(path);
            let id = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let kind = match document_kind(path) {
                Some(FileKind::Text) => SourceKind::TextFile { id, html: false },
                Some(FileKind::Html) => SourceKind::TextFile { id, html: true },
                Some(FileKind::Jsonl) => SourceKind::Jsonl,
                Some(FileKind::Json) => SourceKind::Json,
                None => {
                    self.ignored.push(path.to_path_buf());
                    continue;
                }
            };
            self.sources.push(Source {
                path: path.to_path_buf(),
                display: Arc::from(path.display().to_string()),
                kind,
                in_folder: true,
            });
        }
        Ok(())
    }

    /// Files inside input folders that were skipped because they are not documents.
    pub fn ignored_files(&self) -> &[PathBuf] {
        &self.ignored
    }

    /// Number of files to be read.
    pub fn file_count(&self) -> usize {
        self.sources.len()
    }

    /// Total size of the files on disk (compressed size for `.gz`).
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Reads every record in corpus order and hands them to `consume` in batches of about
    /// `batch_bytes` bytes. Blank JSONL lines are not records and are skipped.
    ///
    /// The records are read on a thread of their own, one batch ahead: reading the next batch
    /// overlaps with the work on this one.
    pub fn for_each_batch(
        &self,
        batch_bytes: usize,
        consume: impl FnMut(Vec<RawRecord>) -> Result<()>,
    ) -> Result<()> {
        read_ahead(
            |send| {
                let mut batcher = Batcher::new(batch_bytes, send);
                for index in 0..self.sources.len() {
                    self.read_source(index, &mut |record| batcher.push(record))?;
                }
                batcher.flush()
            },
            consume,
        )
    }

    /// Reads again only the records at `wanted` (positions from an earlier pass, in corpus
    /// order) and hands them to `consume` in batches. Plain files are read by seeking to each
    /// record; compressed files, which cannot seek, are read through and filtered.
    pub fn for_each_at(
        &self,
        wanted: &[RecordPosition],
        batch_bytes: usize,
        consume: impl FnMut(Vec<RawRecord>) -> Result<()>,
    ) -> Result<()> {
        read_ahead(|send| self.read_at(wanted, batch_bytes, send), consume)
    }

    /// [`Self::for_each_at`]'s reading, on the reader thread.
    fn read_at(
        &self,
        wanted: &[RecordPosition],
        batch_bytes: usize,
        consume: &mut dyn FnMut(Vec<RawRecord>) -> Result<()>,
    ) -> Result<()> {
        let mut batcher = Batcher::new(batch_bytes, consume);
        for group in wanted.chunk_by(|x, y| x.source == y.source) {
            let index = group[0].source as usize;
            let source = self
                .sources
                .get(index)
                .ok_or_else(|| Error::input_changed(Path::new("<corpus>")))?;
            // Offsets are in the decoded text: a file read through a decoder is read through.
            let seekable = matches!(source.kind, SourceKind::Jsonl)
                && self.options.encoding.is_none()
                && is_plain_lines(&source.path)?;
            if seekable {
                self.read_lines_at(index, group, &mut |record| batcher.push(record))?;
            } else {
                let mut next = 0;
                self.read_source(index, &mut |record| {
                    if group
                        .get(next)
                        .is_some_and(|w| w.offset == record.position.offset)
                    {
                        next += 1;
                        batcher.push(record)?;
                    }
                    Ok(())
                })?;
                if next != group.len() {
                    return Err(Error::input_changed(&source.path));
                }
            }
        }
        batcher.flush()
    }

    /// Reads every record of source `index` in order.
    fn read_source(
        &self,
        index: usize,
        push: &mut dyn FnMut(RawRecord) -> Result<()>,
    ) -> Result<()> {
        let source = &self.sources[index];
        let record = |payload: Payload| RawRecord {
            origin: Origin {
                file: source.display.clone(),
                line: 1,
            },
            payload,
            position: RecordPosition {
                source: index as u32,
                offset: 0,
                line: 1,
            },
        };
        if let SourceKind::Unreadable { reason } = &source.kind {
            return push(record(Payload::Unreadable(reason.clone())));
        }
        let mut reader = match self.open_source(&source.path) {
            Ok(reader) => reader,
            Err(Error::Io { source: e, .. }) if source.in_folder && !self.options.strict => {
                return push(record(Payload::Unreadable(e.to_string())));
            }
            Err(e) => return Err(e),
        };
        let limit = self.options.max_doc_bytes;
        match &source.kind {
            SourceKind::TextFile { id, html } => {
                let mut bytes = Vec::new();
                let read = (&mut reader)
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(&source.path, e))?;
                if read as u64 > limit {
                    let rest = std::io::copy(&mut reader, &mut std::io::sink())
                        .map_err(|e| Error::io(&source.path, e))?;
                    return push(record(Payload::Oversized {
                        bytes: read as u64 + rest,
                        limit,
                    }));
                }
                push(record(Payload::TextFile {
                    id: id.clone(),
                    bytes,
                    html: *html,
                }))
            }
            SourceKind::Jsonl | SourceKind::Json => {
                let first = first_non_space(&mut reader).map_err(|e| Error::io(&source.path, e))?;
                let whole_file = match first {
                    Some(b'[') => true,
                    Some(b'{') => matches!(source.kind, SourceKind::Json),
                    _ => false,
                };
                if !whole_file {
                    return read_jsonl_lines(reader, source, index as u32, limit, push);
                }
                let mut bytes = Vec::new();
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(&source.path, e))?;
                match json_records(&bytes) {
                    Some(records) => {
                        for (offset, record) in records {
                            push_json_record(
                                source,
                                index as u32,
                                &bytes,
                                offset,
                                record,
                                limit,
                                push,
                            )?;
                        }
                        Ok(())
                    }
                    // Not one JSON value after all: read as JSON Lines, which explains what is
                    // wrong line by line.
                    None => read_jsonl_lines(
                        Box::new(std::io::Cursor::new(bytes)),
                        source,
                        index as u32,
                        limit,
                        push,
                    ),
                }
            }
            SourceKind::Unreadable { .. } => unreachable!("handled above"),
        }
    }

    /// Opens a file for reading as UTF-8: decompressed when it is gzip, decoded when it
    /// starts with a UTF-16 byte-order mark or an encoding was named, a UTF-8 mark dropped.
    fn open_source(&self, path: &Path) -> Result<Box<dyn BufRead>> {
        let mut reader = open_maybe_gzip(path)?;
        let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
        if byte_order_mark(head).is_none() && self.options.encoding.is_none() {
            return Ok(reader);
        }
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(self.options.encoding)
            .bom_override(true)
            .strip_bom(true)
            .utf8_passthru(true)
            .build(reader);
        Ok(Box::new(BufReader::with_capacity(1 << 20, decoder)))
    }

    /// Reads the lines of plain JSONL source `index` at the given positions by seeking.
    fn read_lines_at(
        &self,
        index: usize,
        wanted: &[RecordPosition],
        push: &mut dyn FnMut(RawRecord) -> Result<()>,
    ) -> Result<()> {
        let source = &self.sources[index];
        let file = File::open(&source.path).map_err(|e| Error::io(&source.path, e))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut at = 0u64;
        for position in wanted {
            // Forward seeks stay inside the buffer when the next record is close.
            let skip = position
                .offset
                .checked_sub(at)
                .ok_or_else(|| Error::input_changed(&source.path))?;
            reader
                .seek_relative(skip as i64)
                .map_err(|e| Error::io(&source.path, e))?;
            let mut line = Vec::new();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io(&source.path, e))?;
            if read == 0 {
                return Err(Error::input_changed(&source.path));
            }
            at = position.offset + read as u64;
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            push(RawRecord {
                origin: Origin {
                    file: source.display.clone(),
                    line: position.line,
                },
                payload: Payload::JsonLine(line),
                position: *position,
            })?;
        }
        Ok(())
    }
}

/// Collects records into batches of about `batch_bytes` and hands each to `consume`.
/// Runs `read` on a thread of its own and `consume` on this one, the batches `read` sends
/// passed over a channel that holds one: the reader works on the next batch while the
/// current one is consumed. The first error wins: when `consume` fails, the reader is stopped
/// at its next batch and its own error (the closed channel) is ignored.
fn read_ahead<R, C>(read: R, mut consume: C) -> Result<()>
where
    R: FnOnce(&mut dyn FnMut(Vec<RawRecord>) -> Result<()>) -> Result<()> + Send,
    C: FnMut(Vec<RawRecord>) -> Result<()>,
{
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<RawRecord>>(1);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            read(&mut |batch| {
                sender.send(batch).map_err(|_| {
                    Error::io(
                        "<reader>",
                        std::io::Error::other("the records are no longer wanted"),
                    )
                })
            })
        });
        let mut consumed = Ok(());
        for batch in &receiver {
            consumed = consume(batch);
            if consumed.is_err() {
                break;
            }
        }
        drop(receiver);
        let read = match reader.join() {
            Ok(read) => read,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        consumed.and(read)
    })
}

struct Batcher<F> {
    batch: Vec<RawRecord>,
    size: usize,
    batch_bytes: usize,
    consume: F,
}

impl<F: FnMut(Vec<RawRecord>) -> Result<()>> Batcher<F> {
    fn new(batch_bytes: usize, consume: F) -> Self {
        Batcher {
            batch: Vec::new(),
            size: 0,
            batch_bytes,
            consume,
        }
    }

    fn push(&mut self, record: RawRecord) -> Result<()> {
        self.size += record.payload.len();
        self.batch.push(record);
        if self.size >= self.batch_bytes {
            self.size = 0;
            (self.consume)(std::mem::take(&mut self.batch))?;
        }
        Ok(())
    }

    fn flush(mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        (self.consume)(std::mem::take(&mut self.batch))
    }
}

/// Size of a read batch: large enough to keep every core busy, small enough to bound memory.
pub const BATCH_BYTES: usize = 8 << 20;

impl Payload {
    /// Size of the raw bytes.
    pub fn len(&self) -> usize {
        match self {
            Payload::JsonLine(bytes) => bytes.len(),
            Payload::TextFile { bytes, .. } => bytes.len(),
            Payload::Oversized { .. } | Payload::Unreadable(_) => 0,
        }
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn read_jsonl_lines(
    reader: Box<dyn BufRead>,
    source: &Source,
    index: u32,
    limit: u64,
    push: &mut dyn FnMut(RawRecord) -> Result<()>,
) -> Result<()> {
    let mut reader = reader;
    let mut line_number = 0u64;
    let mut offset = 0u64;
    loop {
        let mut line = Vec::new();
        let (read, complete) = read_line_within(&mut reader, &mut line, limit)
            .map_err(|e| Error::io(&source.path, e))?;
        if read == 0 {
            return Ok(());
        }
        let line_offset = offset;
        offset += read;
        line_number += 1;
        let payload = if complete {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            Payload::JsonLine(line)
        } else {
            let ending = usize::from(line.last() == Some(&b'\n'));
            Payload::Oversized {
                bytes: read - ending as u64,
                limit,
            }
        };
        push(RawRecord {
            origin: Origin {
                file: source.display.clone(),
                line: line_number,
            },
            payload,
            position: RecordPosition {
                source: index,
                offset: line_offset,
                line: line_number,
            },
        })?;
    }
}

/// Reads one line (with its `\n`) into `line`, keeping at most `limit` bytes of it and
/// skipping the rest. Returns the bytes read in all and whether the line was kept whole.
fn read_line_within(
    reader: &mut dyn BufRead,
    line: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<(u64, bool)> {
    let mut read = 0u64;
    let mut whole = true;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok((read, whole));
        }
        let (taken, done) = match memchr::memchr(b'\n', buffer) {
            Some(end) => (end + 1, true),
            None => (buffer.len(), false),
        };
        // The line ending does not count against the limit.
        let content = taken - usize::from(done);
        if whole && read + content as u64 <= limit {
            line.extend_from_slice(&buffer[..taken]);
        } else if whole {
            whole = false;
            line.clear();
        }
        if !whole && done {
            line.clear();
            line.push(b'\n');
        }
        read += taken as u64;
        reader.consume(taken);
        if done {
            return Ok((read, whole));
        }
    }
}

/// The first byte that is not ASCII whitespace, without consuming it.
fn first_non_space(reader: &mut dyn BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(None);
        }
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => return Ok(Some(buffer[at])),
            None => {
                let len = buffer.len();
                reader.consume(len);
            }
        }
    }
}

/// The records of a file that holds one JSON value: each element of an array, or the one
/// object, with its byte offset; `None` when the bytes are not one JSON value.
fn json_records(bytes: &[u8]) -> Option<Vec<(usize, &[u8])>> {
    let value: &serde_json::value::RawValue = serde_json::from_slice(bytes).ok()?;
    let text = value.get();
    let records: Vec<&serde_json::value::RawValue> = if text.starts_with('[') {
        serde_json::from_str(text).ok()?
    } else {
        vec![value]
    };
    let base = bytes.as_ptr() as usize;
    Some(
        records
            .into_iter()
            .map(|record| {
                (
                    record.get().as_ptr() as usize - base,
                    record.get().as_bytes(),
                )
            })
            .collect(),
    )
}

/// Hands on one record of a whole-file JSON value as a line of its own: its line breaks,
/// which in valid JSON are only ever whitespace between tokens, become spaces.
fn push_json_record(
    source: &Source,
    index: u32,
    file: &[u8],
    offset: usize,
    record: &[u8],
    limit: u64,
    push: &mut dyn FnMut(RawRecord) -> Result<()>,
) -> Result<()> {
    let line = 1 + memchr::memchr_iter(b'\n', &file[..offset]).count() as u64;
    let payload = if record.len() as u64 > limit {
        Payload::Oversized {
            bytes: record.len() as u64,
            limit,
        }
    } else {
        Payload::JsonLine(
            record
                .iter()
                .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
                .collect(),
        )
    };
    push(RawRecord {
        origin: Origin {
            file: source.display.clone(),
            line,
        },
        payload,
        position: RecordPosition {
            source: index,
            offset: offset as u64,
            line,
        },
    })
}

/// The encoding a byte-order mark at the start of `head` names, if any.
fn byte_order_mark(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    encoding_rs::Encoding::for_bom(head).map(|(encoding, _)| encoding)
}

enum FileKind {
    Text,
    Html,
    Jsonl,
    Json,
}

/// Classifies a file by its extension, looking through a trailing `.gz`.
fn document_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let extension = name.rsplit_once('.')?.1;
    match extension {
        "txt" | "md" => Some(FileKind::Text),
        "html" | "htm" => Some(FileKind::Html),
        "jsonl" | "ndjson" => Some(FileKind::Jsonl),
        "json" => Some(FileKind::Json),
        _ => None,
    }
}

/// Whether a file's records can be found again by seeking to their byte offset: JSON Lines
/// as stored, not compressed, not behind a byte-order mark, not one JSON array.
fn is_plain_lines(path: &Path) -> Result<bool> {
    let mut head = [0u8; 4096];
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let read = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    let head = &head[..read];
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let array = head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    Ok(!gzip && !array && byte_order_mark(head).is_none())
}

/// Opens a file, decompressing it when it starts with the gzip magic bytes (whatever its
/// name: stdin may be compressed too).
fn open_maybe_gzip(path: &Path) -> Result<Box<dyn BufRead>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::bufread::MultiGzDecoder::new(reader);
        Ok(Box::new(BufReader::with_capacity(1 << 20, decoder)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Finds the records with the given ids (the first record of each id) by reading the corpus
/// once. Errors with [`Error::UnknownId`] for an id no valid record has.
pub fn find_documents(
    corpus: &Corpus,
    options: &ReadOptions,
    ids: &[&str],
) -> Result<Vec<Document>> {
    let mut found: Vec<Option<Document>> = vec![None; ids.len()];
    corpus.for_each_batch(BATCH_BYTES, |batch| {
        for raw in batch {
            let Ok(doc) = parse_record(&raw, options) else {
                continue;
            };
            for (slot, id) in found.iter_mut().zip(ids) {
                if slot.is_none() && doc.id == *id {
                    *slot = Some(doc.clone());
                }
            }
        }
        Ok(())
    })?;
    found
        .into_iter()
        .zip(ids)
        .map(|(doc, id)| doc.ok_or_else(|| Error::UnknownId(id.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: u64) -> RawRecord {
        RawRecord {
            origin: Origin {
                file: Arc::from("test.jsonl"),
                line,
            },
            payload: Payload::JsonLine(format!("{{\"id\":\"{line}\"}}").into_bytes()),
            position: RecordPosition {
                source: 0,
                offset: line,
                line,
            },
        }
    }

    #[test]
    fn read_ahead_hands_on_every_batch_in_order() {
        let mut seen = Vec::new();
        read_ahead(
            |send| (1..=50).try_for_each(|i| send(vec![record(i), record(i + 1000)])),
            |batch| {
                seen.extend(batch.iter().map(|r| r.origin.line));
                Ok(())
            },
        )
        .unwrap();
        let expected: Vec<u64> = (1..=50).flat_map(|i| [i, i + 1000]).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_failing_consumer_stops_the_reader_and_its_error_wins() {
        let error = read_ahead(
            // A reader that would never stop on its own.
            |send| (1..).try_for_each(|i| send(vec![record(i)])),
            |batch| match batch[0].origin.line {
                3 => Err(Error::input_changed("test.jsonl")),
                _ => Ok(()),
            },
        )
        .unwrap_err();
        assert!(matches!(error, Error::InputChanged { .. }), "{error}");
    }

    #[test]
    fn a_reading_error_comes_after_the_batches_read_before_it() {
        let mut consumed = 0;
        let error = read_ahead(
            |send| {
                send(vec![record(1)])?;
                send(vec![record(2)])?;
                Err(Error::io("test.jsonl", std::io::Error::other("disk gone")))
            },
            |_| {
                consumed += 1;
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(consumed, 2);
        assert!(error.to_string().contains("disk gone"), "{error}");
    }
}
