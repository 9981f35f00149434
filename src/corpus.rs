//! Reading a corpus: folders, JSONL files, gzip-compressed versions of both, and stdin.
//!
//! Reading is split in two so the expensive half runs in parallel: [`Corpus::for_each_batch`]
//! does the serial I/O and hands out [`RawRecord`]s (bytes plus where they came from), and
//! [`parse_record`] turns one raw record into a [`Document`] or a [`Rejection`], with no I/O.
//! The same enumeration order is used on every pass, so a second pass (the deduplicated feed)
//! can pair raw records with the results of the first by position.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::quality::PageOrigin;

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

/// How records are read. Field names default to `id` and `text`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// JSONL field holding the document id. By default, `id`.
    pub id_field: String,
    /// JSONL field holding the document text. By default, `text`.
    pub text_field: String,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id_field: "id".to_string(),
            text_field: "text".to_string(),
        }
    }
}

/// A parsed input document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's id, unique in the corpus.
    pub id: String,
    /// The article text.
    pub text: String,
    /// The headline, if the record has one (for `.txt`/`.md` files, the first non-empty line).
    pub title: Option<String>,
    /// Publication time in seconds since the Unix epoch (UTC), from the `date` field.
    pub date: Option<i64>,
    /// The outlet that published it, from the `source` field.
    pub source: Option<String>,
    /// The article's address, from the `url` field.
    pub url: Option<String>,
    /// Problems with optional fields that did not stop the record from being used.
    pub warnings: Vec<String>,
    /// For a document that came as an HTML page (an `.html` file or an `html` field): the
    /// size of the page's text and how to read the extracted `text`.
    pub page: Option<PageOrigin>,
}

/// Why a record could not be used. The reason already names the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The record's id when it could be read.
    pub id: Option<String>,
    /// A one-line explanation that starts with `file:line:`.
    pub reason: String,
}

/// A file to read and how to read it.
#[derive(Debug, Clone)]
struct Source {
    path: PathBuf,
    display: Arc<str>,
    kind: SourceKind,
}

#[derive(Debug, Clone)]
enum SourceKind {
    Jsonl,
    TextFile { id: String, html: bool },
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

/// The files of a corpus, enumerated once in a fixed order.
#[derive(Debug)]
pub struct Corpus {
    sources: Vec<Source>,
    ignored: Vec<PathBuf>,
    total_bytes: u64,
    // Keeps stdin's spooled copy alive so it can be read twice.
    _spool: Option<tempfile::TempPath>,
}

impl Corpus {
    /// Enumerates the inputs: folders are walked recursively in path order, keeping
    /// `.txt`, `.md` and `.jsonl` files and their `.gz` versions; stdin is copied to a
    /// temporary file so that later passes can read it again.
    pub fn open(inputs: &[InputSpec]) -> Result<Corpus> {
        let mut corpus = Corpus {
            sources: Vec::new(),
            ignored: Vec::new(),
            total_bytes: 0,
            _spool: None,
        };
        for input in inputs {
            match input {
                InputSpec::Stdin => corpus.add_stdin()?,
                InputSpec::Path(path) => corpus.add_path(path)?,
            }
        }
        for source in &corpus.sources {
            let meta = std::fs::metadata(&source.path).map_err(|e| Error::io(&source.path, e))?;
            corpus.total_bytes += meta.len();
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
            _ => SourceKind::Jsonl,
        };
        self.sources.push(Source {
            path: path.to_path_buf(),
            display,
            kind,
        });
        Ok(())
    }

    fn add_folder(&mut self, root: &Path) -> Result<()> {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(root).to_path_buf();
                Error::io(path, std::io::Error::other(e.to_string()))
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
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
                None => {
                    self.ignored.push(path.to_path_buf());
                    continue;
                }
            };
            self.sources.push(Source {
                path: path.to_path_buf(),
                display: Arc::from(path.display().to_string()),
                kind,
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
    pub fn for_each_batch(
        &self,
        batch_bytes: usize,
        consume: impl FnMut(Vec<RawRecord>) -> Result<()>,
    ) -> Result<()> {
        let mut batcher = Batcher::new(batch_bytes, consume);
        for index in 0..self.sources.len() {
            self.read_source(index, &mut |record| batcher.push(record))?;
        }
        batcher.flush()
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
        let mut batcher = Batcher::new(batch_bytes, consume);
        for group in wanted.chunk_by(|x, y| x.source == y.source) {
            let index = group[0].source as usize;
            let source = self
                .sources
                .get(index)
                .ok_or_else(|| changed_input(Path::new("<corpus>")))?;
            let seekable = matches!(source.kind, SourceKind::Jsonl) && !is_gzip(&source.path)?;
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
                    return Err(changed_input(&source.path));
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
        let mut reader = open_maybe_gzip(&source.path)?;
        match &source.kind {
            SourceKind::TextFile { id, html } => {
                let mut bytes = Vec::new();
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(&source.path, e))?;
                push(RawRecord {
                    origin: Origin {
                        file: source.display.clone(),
                        line: 1,
                    },
                    payload: Payload::TextFile {
                        id: id.clone(),
                        bytes,
                        html: *html,
                    },
                    position: RecordPosition {
                        source: index as u32,
                        offset: 0,
                        line: 1,
                    },
                })
            }
            SourceKind::Jsonl => read_jsonl_lines(reader, source, index as u32, push),
        }
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
                .ok_or_else(|| changed_input(&source.path))?;
            reader
                .seek_relative(skip as i64)
                .map_err(|e| Error::io(&source.path, e))?;
            let mut line = Vec::new();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io(&source.path, e))?;
            if read == 0 {
                return Err(changed_input(&source.path));
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

/// The error for input that differs between two reads of the same corpus.
pub(crate) fn changed_input(path: &Path) -> Error {
    Error::io(
        path,
        std::io::Error::other("the input changed between two passes"),
    )
}

/// Size of a read batch: large enough to keep every core busy, small enough to bound memory.
pub const BATCH_BYTES: usize = 8 << 20;

impl Payload {
    /// Size of the raw bytes.
    pub fn len(&self) -> usize {
        match self {
            Payload::JsonLine(bytes) => bytes.len(),
            Payload::TextFile { bytes, .. } => bytes.len(),
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
    push: &mut dyn FnMut(RawRecord) -> Result<()>,
) -> Result<()> {
    let mut reader = reader;
    let mut line_number = 0u64;
    let mut offset = 0u64;
    loop {
        let mut line = Vec::new();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(&source.path, e))?;
        if read == 0 {
            return Ok(());
        }
        let line_offset = offset;
        offset += read as u64;
        line_number += 1;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        push(RawRecord {
            origin: Origin {
                file: source.display.clone(),
                line: line_number,
            },
            payload: Payload::JsonLine(line),
            position: RecordPosition {
                source: index,
                offset: line_offset,
                line: line_number,
            },
        })?;
    }
}

enum FileKind {
    Text,
    Html,
    Jsonl,
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
        _ => None,
    }
}

/// Whether a file starts with the gzip magic bytes.
fn is_gzip(path: &Path) -> Result<bool> {
    let mut head = [0u8; 2];
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let read = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(read == 2 && head == [0x1f, 0x8b])
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

/// Turns a raw record into a document, or says why it cannot be used.
pub fn parse_record(
    raw: &RawRecord,
    options: &ReadOptions,
) -> std::result::Result<Document, Rejection> {
    match &raw.payload {
        Payload::TextFile {
            id,
            bytes,
            html: false,
        } => parse_text_file(&raw.origin, id, bytes),
        Payload::TextFile {
            id,
            bytes,
            html: true,
        } => parse_html_file(&raw.origin, id, bytes),
        Payload::JsonLine(bytes) => parse_json_line(&raw.origin, bytes, options),
    }
}

fn reject(origin: &Origin, id: Option<String>, reason: impl fmt::Display) -> Rejection {
    Rejection {
        id,
        reason: format!("{origin}: {reason}"),
    }
}

fn check_utf8<'a>(
    origin: &Origin,
    id: Option<&str>,
    bytes: &'a [u8],
) -> std::result::Result<&'a str, Rejection> {
    std::str::from_utf8(bytes).map_err(|e| {
        reject(
            origin,
            id.map(str::to_string),
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })
}

fn parse_text_file(
    origin: &Origin,
    id: &str,
    bytes: &[u8],
) -> std::result::Result<Document, Rejection> {
    let text = check_utf8(origin, Some(id), bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(Document {
        id: id.to_string(),
        text: text.to_string(),
        title: first_line_title(text),
        date: None,
        source: None,
        url: None,
        warnings: Vec::new(),
        page: None,
    })
}

/// An HTML file: its main text, extracted; the page's `<title>` as the title.
fn parse_html_file(
    origin: &Origin,
    id: &str,
    bytes: &[u8],
) -> std::result::Result<Document, Rejection> {
    // Pages are not always UTF-8; the markup survives a lossy decoding, and so does most text.
    let html = String::from_utf8_lossy(bytes);
    let (text, title, page) = extract_page(origin, id, &html)?;
    Ok(Document {
        id: id.to_string(),
        text,
        title,
        date: None,
        source: None,
        url: None,
        warnings: Vec::new(),
        page: Some(page),
    })
}

/// The main text of a page, its title and what is known of the page.
fn extract_page(
    origin: &Origin,
    id: &str,
    html: &str,
) -> std::result::Result<(String, Option<String>, PageOrigin), Rejection> {
    let extracted = crate::html::extract_main_text(html)
        .map_err(|e| reject(origin, Some(id.to_string()), e))?;
    let page = PageOrigin {
        page_chars: extracted.page_chars,
        kind: extracted.kind(),
    };
    Ok((extracted.text, extracted.title, page))
}

/// The first non-empty line, without Markdown heading marks, as a title.
fn first_line_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches('#').trim();
    if line.is_empty() {
        return None;
    }
    Some(line.chars().take(120).collect())
}

/// The fields of a JSONL record that reprint reads; every other field is skipped by the
/// parser without being built, which keeps parsing fast on records with large extra fields.
#[derive(Default)]
struct RecordFields {
    id: Option<Value>,
    text: Option<Value>,
    title: Option<Value>,
    date: Option<Value>,
    source: Option<Value>,
    url: Option<Value>,
    html: Option<Value>,
}

struct RecordSeed<'a>(&'a ReadOptions);

impl<'de> serde::de::DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<RecordFields, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<RecordFields, A::Error> {
        let mut fields = RecordFields::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let slot = if key == self.0.id_field {
                &mut fields.id
            } else if key == self.0.text_field {
                &mut fields.text
            } else {
                match key.as_ref() {
                    "title" => &mut fields.title,
                    "date" => &mut fields.date,
                    "source" => &mut fields.source,
                    "url" => &mut fields.url,
                    "html" => &mut fields.html,
                    _ => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    }
                }
            };
            *slot = Some(map.next_value()?);
        }
        Ok(fields)
    }
}

fn parse_json_line(
    origin: &Origin,
    bytes: &[u8],
    options: &ReadOptions,
) -> std::result::Result<Document, Rejection> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        check_utf8(origin, None, bytes)?;
        return Err(reject(origin, None, "not a JSON object"));
    }
    // The parser validates UTF-8 inside strings as it goes; a separate pass over the line is
    // needed only to explain a failure.
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let fields = serde::de::DeserializeSeed::deserialize(RecordSeed(options), &mut deserializer)
        .and_then(|fields| deserializer.end().map(|()| fields))
        .map_err(|e| match check_utf8(origin, None, bytes) {
            Err(rejection) => rejection,
            Ok(_) => reject(origin, None, format!("invalid JSON: {e}")),
        })?;
    let id = match fields.id {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(_)) => {
            return Err(reject(
                origin,
                None,
                format!("field {:?} is empty", options.id_field),
            ));
        }
        Some(other) => {
            return Err(reject(
                origin,
                None,
                format!(
                    "field {:?} must be a string or number, found {}",
                    options.id_field,
                    json_kind(&other)
                ),
            ));
        }
        None => {
            return Err(reject(
                origin,
                None,
                format!("missing field {:?}", options.id_field),
            ));
        }
    };
    let mut page = None;
    let mut page_title = None;
    let text = match (fields.text, fields.html) {
        (Some(Value::String(s)), _) => s,
        // A crawled page without a text field: its main text is extracted.
        (None | Some(Value::Null), Some(Value::String(html))) => {
            let (text, title, origin_page) = extract_page(origin, &id, &html)?;
            page = Some(origin_page);
            page_title = title;
            text
        }
        (None | Some(Value::Null), Some(other)) => {
            return Err(reject(
                origin,
                Some(id),
                format!(
                    "field \"html\" must be a string, found {}",
                    json_kind(&other)
                ),
            ));
        }
        (Some(other), _) => {
            return Err(reject(
                origin,
                Some(id),
                format!(
                    "field {:?} must be a string, found {}",
                    options.text_field,
                    json_kind(&other)
                ),
            ));
        }
        (None, None) => {
            return Err(reject(
                origin,
                Some(id),
                format!("missing field {:?} (or \"html\")", options.text_field),
            ));
        }
    };
    let mut warnings = Vec::new();
    let mut optional_string = |name: &str, value: Option<Value>| match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            warnings.push(format!(
                "{origin}: field {name:?} is {}, not a string; ignored",
                json_kind(&other)
            ));
            None
        }
    };
    let title = optional_string("title", fields.title).or(page_title);
    let source = optional_string("source", fields.source);
    let url = optional_string("url", fields.url);
    let date_text = optional_string("date", fields.date);
    let date = date_text.as_deref().and_then(|d| match parse_date(d) {
        Some(seconds) => Some(seconds),
        None => {
            warnings.push(format!("{origin}: date {d:?} is not ISO 8601; ignored"));
            None
        }
    });
    Ok(Document {
        id,
        text,
        title,
        date,
        source,
        url,
        warnings,
        page,
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
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

/// Parses an ISO 8601 date or date-time into seconds since the epoch. Times without an
/// offset are taken as UTC; a bare date is midnight UTC.
pub fn parse_date(text: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(time) = DateTime::parse_from_str(text, format) {
            return Some(time.timestamp());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// Formats seconds since the epoch as an RFC 3339 UTC time, for reports.
pub fn format_date(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| seconds.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            file: Arc::from("feed.jsonl"),
            line: 7,
        }
    }

    fn parse(line: &str) -> std::result::Result<Document, Rejection> {
        let raw = RawRecord {
            origin: origin(),
            payload: Payload::JsonLine(line.as_bytes().to_vec()),
            position: RecordPosition::default(),
        };
        parse_record(&raw, &ReadOptions::default())
    }

    fn check_rejected(line: &str, expected_reason: &str) {
        let rejection = parse(line).unwrap_err();
        assert_eq!(rejection.reason, format!("feed.jsonl:7: {expected_reason}"));
    }

    #[test]
    fn full_record_is_parsed() {
        let doc = parse(r#"{"id":"a1","text":"Body","title":"T","date":"2024-03-01T10:00:00+02:00","source":"Wire","url":"http://x","extra":3}"#).unwrap();
        assert_eq!(doc.id, "a1");
        assert_eq!(doc.text, "Body");
        assert_eq!(doc.title.as_deref(), Some("T"));
        assert_eq!(doc.source.as_deref(), Some("Wire"));
        assert_eq!(doc.date, Some(1709280000));
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn numeric_ids_are_accepted() {
        assert_eq!(parse(r#"{"id":42,"text":"x"}"#).unwrap().id, "42");
    }

    #[test]
    fn bad_records_are_rejected_with_location() {
        check_rejected(
            "{not json",
            "invalid JSON: key must be a string at line 1 column 2",
        );
        check_rejected("[1,2]", "not a JSON object");
        check_rejected(r#"{"text":"x"}"#, r#"missing field "id""#);
        check_rejected(r#"{"id":"a"}"#, r#"missing field "text" (or "html")"#);
        check_rejected(
            r#"{"id":"a","text":5}"#,
            r#"field "text" must be a string, found a number"#,
        );
        check_rejected(r#"{"id":"","text":"x"}"#, r#"field "id" is empty"#);
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        let raw = RawRecord {
            origin: origin(),
            payload: Payload::JsonLine(b"{\"id\":\"a\",\"text\":\"\xff\"}".to_vec()),
            position: RecordPosition::default(),
        };
        let rejection = parse_record(&raw, &ReadOptions::default()).unwrap_err();
        assert_eq!(rejection.reason, "feed.jsonl:7: invalid UTF-8 at byte 18");
    }

    #[test]
    fn bad_date_is_a_warning_not_a_rejection() {
        let doc = parse(r#"{"id":"a","text":"x","date":"yesterday"}"#).unwrap();
        assert_eq!(doc.date, None);
        assert_eq!(
            doc.warnings,
            vec![r#"feed.jsonl:7: date "yesterday" is not ISO 8601; ignored"#]
        );
    }

    #[test]
    fn dates_in_several_iso_forms() {
        assert_eq!(parse_date("2024-03-01"), Some(1709251200));
        assert_eq!(parse_date("2024-03-01T00:00:00Z"), Some(1709251200));
        assert_eq!(parse_date("2024-03-01 02:00:00"), Some(1709258400));
        assert_eq!(
            parse_date("2024-03-01T00:00:00.250-01:00"),
            Some(1709254800)
        );
        assert_eq!(parse_date("March 1"), None);
        assert_eq!(format_date(1709251200), "2024-03-01T00:00:00Z");
    }

    #[test]
    fn text_file_title_is_first_line() {
        assert_eq!(
            first_line_title("\n# Big news \nbody"),
            Some("Big news".to_string())
        );
        assert_eq!(first_line_title("  \n"), None);
    }
}
