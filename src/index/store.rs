//! The persistent index's store: one redb file holding the parameters it was built with, one
//! record and one zstd-compressed text per document, the document numbers of ids, and the
//! postings packed by [`super::postings`], one segment per committed batch.
//!
//! redb gives the guarantees feed mode promises: a batch is committed atomically and durably
//! or not at all, readers see the last commit while a writer works, and a second process that
//! opens the file while one has it open is refused (which [`IndexStore::open`] turns into a
//! message naming the file).

use std::path::{Path, PathBuf};

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use crate::error::{Error, Result};
use crate::index::postings::{
    BLOCK_POSTINGS, BlockPostings, FILTER_CHUNK_BLOCKS, KeyFilter, PostingKey, blocks_for,
    decode_block, encode_block, gallop_partition_point,
};
use crate::ingest::PageOrigin;
use crate::relate::relation::Relation;

/// The layout this reprint writes and reads. A file of another layout is refused with a message
/// that names both and the way out (format 1, before blocks were keyed by their place in the
/// segment, could lose postings of keys held by more documents than a block holds; format 2
/// had key filters of another layout; format 3 had one filter per segment hashed over its
/// whole length instead of a region per posting block; format 4 stored a segment's filter
/// as one value instead of chunks).
pub const FORMAT_VERSION: u32 = 5;

/// zstd level of stored texts: level 1 compressed 4 KB texts of a generated corpus at 142–167
/// MB/s against level 3's 108, to within 1 % of its size (`zstd -b -B4096`, 2026-12-02), and
/// compressing is a part of `index add` that a scan does not do.
const TEXT_LEVEL: i32 = 1;

/// Compresses texts as the index stores them. One per thread: setting up a compression
/// context costs more than compressing a short text, so it is kept from text to text.
pub struct TextCompressor(zstd::bulk::Compressor<'static>);

impl TextCompressor {
    /// A compressor at the index's level.
    pub fn new() -> Result<Self> {
        zstd::bulk::Compressor::new(TEXT_LEVEL)
            .map(TextCompressor)
            .map_err(|e| Error::io("<zstd>", e))
    }

    /// `text` compressed, a zstd frame that [`IndexStore::text`] reads back.
    pub fn compress(&mut self, text: &str) -> Result<Vec<u8>> {
        self.0
            .compress(text.as_bytes())
            .map_err(|e| Error::io("<zstd>", e))
    }
}

const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const RECORDS: TableDefinition<u32, &[u8]> = TableDefinition::new("records");
const IDS: TableDefinition<&str, u32> = TableDefinition::new("ids");
const TEXTS: TableDefinition<u32, &[u8]> = TableDefinition::new("texts");
/// Key: segment number and the block's place in it (4 bytes each, big-endian); the block's
/// first key is in [`BLOCK_INDEX`].
const BLOCKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("blocks");
/// Key: a segment's first document. Value: its number (in [`BLOCKS`]) and its number of
/// documents. Segments cover the documents in order, without gaps.
const SEGMENTS: TableDefinition<u32, (u32, u32)> = TableDefinition::new("segments");
/// Key: a segment's number. Value: the first keys of its blocks in order (8 bytes each,
/// little-endian), so that opening a segment for look-ups reads one value, not every block.
const BLOCK_INDEX: TableDefinition<u32, &[u8]> = TableDefinition::new("block_index");
/// Key: a segment's number and a chunk's place in it. Value: the Bloom filter regions
/// ([`KeyFilter`]) of the chunk's [`FILTER_CHUNK_BLOCKS`] blocks.
const FILTERS: TableDefinition<(u32, u32), &[u8]> = TableDefinition::new("filters");
/// Key: the later and the earlier document of a copy or partial relation.
const RELATIONS: TableDefinition<(u32, u32), &[u8]> = TableDefinition::new("relations");

/// Segments of one size tier that are merged into one: the index keeps at most
/// `MERGE_FANOUT - 1` segments per tier (a tier spans a factor of `MERGE_FANOUT` in documents),
/// so a million documents in batches of 10,000 sit in at most a dozen segments, and each
/// posting is rewritten about once per tier it climbs.
const MERGE_FANOUT: u32 = 4;

/// The parameters an index is built with, as `name=value` pairs in a fixed order. Results are
/// only comparable between documents fingerprinted the same way, so an index opened with other
/// parameters is an error, never a silent mix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredParams(pub Vec<(String, String)>);

/// One indexed document's record.
#[derive(Debug, Clone, PartialEq)]
pub struct DocRecord {
    /// The document's id as given.
    pub id: String,
    /// Its date, seconds since the Unix epoch (UTC), if it had one.
    pub date: Option<i64>,
    /// A hash of its text, to tell a re-sent record from a different text under the same id.
    pub text_hash: u64,
    /// Its headline, which its lines are judged with.
    pub title: Option<String>,
    /// Its outlet.
    pub source: Option<String>,
    /// What is known of its page, when it came as HTML (its lines are judged as a page's).
    pub page: Option<PageOrigin>,
    /// Its words (or characters, for character n-grams), as `docs.jsonl` reports them.
    pub words: u32,
    /// Whether it is a copy of an earlier document.
    pub status: IndexedStatus,
}

/// What an indexed document is in the feed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IndexedStatus {
    /// No earlier document is its original, and no later one has copied it yet.
    Unique,
    /// The original of at least one later copy.
    Original,
    /// A copy of an earlier document, its original.
    Duplicate {
        /// The original's document number.
        of: u32,
        /// The exact Jaccard of the two.
        similarity: f64,
    },
}

/// A copy or partial relation between an indexed document and an earlier one, as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredRelation {
    /// `Copy` or `Partial`.
    pub relation: Relation,
    /// Exact Jaccard of the two main texts.
    pub jaccard: f64,
    /// Share of the later document's words in the shared passages.
    pub later_share: f64,
    /// Share of the earlier document's words in the shared passages.
    pub earlier_share: f64,
    /// Which of the two the text came from, when that is known.
    pub from: Option<PairEnd>,
}

/// One end of a stored relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairEnd {
    /// The earlier document.
    Earlier,
    /// The later document.
    Later,
}

/// A document to add, with its postings.
#[derive(Debug, Clone)]
pub struct NewDoc {
    /// Its record.
    pub record: DocRecord,
    /// Its text, compressed by [`TextCompressor`].
    pub compressed_text: Vec<u8>,
    /// Its posting keys: band keys, fingerprints and line keys.
    pub keys: Vec<PostingKey>,
}

/// Everything one batch changes, committed together: new documents (numbered from
/// [`IndexStore::next_document`] in order), records of earlier documents that changed (an
/// original found), and relations set or removed, keyed `(later, earlier)`.
#[derive(Debug, Clone, Default)]
pub struct BatchWrite {
    /// The new documents.
    pub docs: Vec<NewDoc>,
    /// Earlier documents' new records.
    pub records: Vec<(u32, DocRecord)>,
    /// Relations to store (`Some`) or to remove (`None`).
    pub relations: Vec<((u32, u32), Option<StoredRelation>)>,
}

/// What [`IndexStore::check`] counted in a sound index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckReport {
    /// Documents.
    pub documents: u32,
    /// Segments.
    pub segments: u32,
    /// Postings decoded.
    pub postings: u64,
    /// Relations.
    pub relations: u64,
}

/// What an index holds and what it costs on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStats {
    /// Documents.
    pub documents: u64,
    /// Stored copy and partial relations.
    pub relations: u64,
    /// Posting segments.
    pub segments: u64,
    /// The earliest date of a document, if any has one.
    pub first_date: Option<i64>,
    /// The latest.
    pub last_date: Option<i64>,
    /// The parameters it was built with.
    pub params: StoredParams,
    /// The bytes each table's pages occupy in the file (records, ids, texts, postings,
    /// relations, segments, meta). They depend only on what was committed, so they are the
    /// same after a crash and a re-run as after a run that never stopped; the file itself may
    /// hold more, pages freed by merges or by a batch a crash interrupted, which redb reuses
    /// and `expire` gives back.
    pub tables: Vec<(String, u64)>,
}

impl IndexStats {
    /// Bytes of all tables.
    pub fn bytes(&self) -> u64 {
        self.tables.iter().map(|(_, bytes)| bytes).sum()
    }

    /// Bytes of one table.
    pub fn table(&self, name: &str) -> u64 {
        self.tables
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, bytes)| *bytes)
    }
}

/// The date range, kept in the meta table so that `stats` reads no record.
struct Totals {
    date_min: Option<i64>,
    date_max: Option<i64>,
}

impl Totals {
    fn from_meta(
        meta: &impl ReadableTable<&'static str, &'static str>,
        store: &IndexStore,
    ) -> Result<Self> {
        let number = |name: &str| -> Result<Option<i64>> {
            meta.get(name)
                .map_err(|e| store.error(e))?
                .map(|v| v.value().parse::<i64>().map_err(|_| store.corrupt(name)))
                .transpose()
        };
        Ok(Totals {
            date_min: number("date_min")?,
            date_max: number("date_max")?,
        })
    }

    fn read(txn: &redb::WriteTransaction, store: &IndexStore) -> Result<Self> {
        let meta = txn.open_table(META).map_err(|e| store.error(e))?;
        Self::from_meta(&meta, store)
    }

    fn read_only(txn: &redb::ReadTransaction, store: &IndexStore) -> Result<Self> {
        let meta = txn.open_table(META).map_err(|e| store.error(e))?;
        Self::from_meta(&meta, store)
    }

    fn add_date(&mut self, date: Option<i64>) {
        if let Some(date) = date {
            self.date_min = Some(self.date_min.map_or(date, |d| d.min(date)));
            self.date_max = Some(self.date_max.map_or(date, |d| d.max(date)));
        }
    }

    fn write(&self, txn: &redb::WriteTransaction, store: &IndexStore) -> Result<()> {
        let mut meta = txn.open_table(META).map_err(|e| store.error(e))?;
        for (name, value) in [("date_min", self.date_min), ("date_max", self.date_max)] {
            match value {
                Some(date) => {
                    meta.insert(name, date.to_string().as_str())
                        .map_err(|e| store.error(e))?;
                }
                None => {
                    meta.remove(name).map_err(|e| store.error(e))?;
                }
            }
        }
        Ok(())
    }
}

/// An open index.
pub struct IndexStore {
    db: Handle,
    path: PathBuf,
    /// The first keys of each segment's blocks, read once: a segment's blocks never change
    /// (a merge writes a new segment under a new number), so an entry never goes stale.
    block_index: std::sync::Mutex<ahash::AHashMap<u32, std::sync::Arc<Vec<PostingKey>>>>,
    /// Each segment's key filter, read once, for the same reason, when the index is open for
    /// reading (queries, many of few keys each). Open for writing, look-ups read the chunks
    /// they need instead: a batch's keys need every chunk, once, and holding every filter
    /// would hold 210 bytes per indexed document.
    filters: std::sync::Mutex<ahash::AHashMap<u32, std::sync::Arc<Vec<KeyFilter>>>>,
}

/// How the index file is open: for writing (one process at a time) or for reading (any number
/// of processes, beside the writer, each seeing its last commit).
enum Handle {
    Writer(redb::Database),
    Reader(redb::ReadOnlyDatabase),
}

/// redb's page cache, of which it keeps its write buffer at half: 128 MiB added 100,000
/// articles as fast as 256 MiB (18.6 s both) with 140 MB less at peak, while 64 MiB took 42 s,
/// its write buffer smaller than a batch's writes (measured 2026-12-02; redb's own default is
/// 1 GiB).
const CACHE_BYTES: usize = 128 << 20;

impl IndexStore {
    /// Opens the index at `path`, creating it with `params` if it does not exist. Fails when
    /// another process has it open, when it was built with other parameters, or when its
    /// format is newer than this reprint's.
    pub fn open(path: &Path, params: &StoredParams) -> Result<Self> {
        let db = redb::Database::builder()
            .set_cache_size(CACHE_BYTES)
            .set_concurrency_mode(redb::ConcurrencyMode::SingleWriter)
            .create(path)
            .map_err(|e| database_error(path, e))?;
        let store = IndexStore {
            db: Handle::Writer(db),
            path: path.to_path_buf(),
            block_index: Default::default(),
            filters: Default::default(),
        };
        store.check_or_write_params(params)?;
        // A merge that a crash interrupted is done now, as it would have been before the next
        // batch, so that a re-run ends with the same segments as a run that never stopped.
        while store.merge_due()? {}
        Ok(store)
    }

    /// Opens the existing index at `path` for reading, beside a writer if one is at work:
    /// every read sees the writer's last commit, never part of a batch. Fails when there is no
    /// index there, when its format is newer than this reprint's or, with `params`, when it
    /// was built with other parameters.
    pub fn open_read(path: &Path, params: Option<&StoredParams>) -> Result<Self> {
        if !path.exists() {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no index here"),
            ));
        }
        let open = || {
            redb::Database::builder()
                .set_cache_size(CACHE_BYTES)
                .set_concurrency_mode(redb::ConcurrencyMode::SingleWriter)
                .open_read_only(path)
        };
        let db = match open() {
            // A writer was killed: a read-only handle cannot recover the file, a writer's open
            // does (redb rolls back to the last commit), and then it reads as usual.
            Err(redb::DatabaseError::RepairAborted) => {
                drop(
                    redb::Database::builder()
                        .set_concurrency_mode(redb::ConcurrencyMode::SingleWriter)
                        .open(path)
                        .map_err(|e| database_error(path, e))?,
                );
                open()
            }
            other => other,
        }
        .map_err(|e| database_error(path, e))?;
        let store = IndexStore {
            db: Handle::Reader(db),
            path: path.to_path_buf(),
            block_index: Default::default(),
            filters: Default::default(),
        };
        store.check_format()?;
        if let Some(params) = params {
            store.compare_params(params)?;
        }
        Ok(store)
    }

    fn begin_read(&self) -> Result<redb::ReadTransaction> {
        match &self.db {
            Handle::Writer(db) => db.begin_read(),
            Handle::Reader(db) => db.begin_read(),
        }
        .map_err(|e| self.error(e))
    }

    fn writer(&self) -> Result<&redb::Database> {
        match &self.db {
            Handle::Writer(db) => Ok(db),
            Handle::Reader(_) => Err(Error::io(
                &self.path,
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "the index is open for reading only",
                ),
            )),
        }
    }

    fn check_format(&self) -> Result<()> {
        let txn = self.begin_read()?;
        let meta = txn.open_table(META).map_err(|e| self.error(e))?;
        let format = meta
            .get("format")
            .map_err(|e| self.error(e))?
            .ok_or_else(|| self.corrupt("no format version"))?;
        let format: u32 = format
            .value()
            .parse()
            .map_err(|_| self.corrupt("the format version"))?;
        if format != FORMAT_VERSION {
            return Err(Error::IndexFormat {
                path: self.path.clone(),
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        Ok(())
    }

    fn compare_params(&self, params: &StoredParams) -> Result<()> {
        let stored = self.params()?;
        let differences: Vec<String> = params
            .0
            .iter()
            .filter_map(|(name, value)| {
                let found = stored.0.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                (found != Some(value)).then(|| {
                    format!(
                        "{name} is {} in the index, {value} here",
                        found.map_or("unset", |v| v.as_str())
                    )
                })
            })
            .collect();
        if differences.is_empty() {
            Ok(())
        } else {
            Err(Error::IndexParams {
                path: self.path.clone(),
                differences: differences.join("; "),
            })
        }
    }

    fn check_or_write_params(&self, params: &StoredParams) -> Result<()> {
        let txn = self.writer()?.begin_write().map_err(|e| self.error(e))?;
        {
            let mut meta = txn.open_table(META).map_err(|e| self.error(e))?;
            let stored_format = meta
                .get("format")
                .map_err(|e| self.error(e))?
                .map(|v| v.value().to_string());
            match stored_format {
                None => {
                    // Every table exists from the start, so that reading a new, empty index
                    // finds empty tables rather than missing ones.
                    txn.open_table(RECORDS).map_err(|e| self.error(e))?;
                    txn.open_table(IDS).map_err(|e| self.error(e))?;
                    txn.open_table(TEXTS).map_err(|e| self.error(e))?;
                    txn.open_table(BLOCKS).map_err(|e| self.error(e))?;
                    txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
                    txn.open_table(RELATIONS).map_err(|e| self.error(e))?;
                    txn.open_table(FILTERS).map_err(|e| self.error(e))?;
                    txn.open_table(BLOCK_INDEX).map_err(|e| self.error(e))?;
                    meta.insert("format", FORMAT_VERSION.to_string().as_str())
                        .map_err(|e| self.error(e))?;
                    for (name, value) in &params.0 {
                        meta.insert(format!("param.{name}").as_str(), value.as_str())
                            .map_err(|e| self.error(e))?;
                    }
                }
                Some(format) => {
                    let format: u32 = format.parse().map_err(|_| {
                        Error::IndexCorrupt(format!("{}: format {format:?}", self.path.display()))
                    })?;
                    if format != FORMAT_VERSION {
                        return Err(Error::IndexFormat {
                            path: self.path.clone(),
                            found: format,
                            supported: FORMAT_VERSION,
                        });
                    }
                    let mut differences = Vec::new();
                    for (name, value) in &params.0 {
                        let stored = meta
                            .get(format!("param.{name}").as_str())
                            .map_err(|e| self.error(e))?
                            .map(|v| v.value().to_string());
                        if stored.as_deref() != Some(value.as_str()) {
                            differences.push(format!(
                                "{name} is {} in the index, {value} here",
                                stored.as_deref().unwrap_or("unset")
                            ));
                        }
                    }
                    if !differences.is_empty() {
                        return Err(Error::IndexParams {
                            path: self.path.clone(),
                            differences: differences.join("; "),
                        });
                    }
                }
            }
        }
        txn.commit().map_err(|e| self.error(e))
    }

    /// The parameters the index was built with, sorted by name.
    pub fn params(&self) -> Result<StoredParams> {
        let txn = self.begin_read()?;
        let meta = txn.open_table(META).map_err(|e| self.error(e))?;
        let mut params = Vec::new();
        for entry in meta.range::<&str>("param."..).map_err(|e| self.error(e))? {
            let (name, value) = entry.map_err(|e| self.error(e))?;
            if let Some(name) = name.value().strip_prefix("param.") {
                params.push((name.to_string(), value.value().to_string()));
            }
        }
        Ok(StoredParams(params))
    }

    /// The number the next document added will get: documents are numbered in the order they
    /// were added, without gaps.
    pub fn next_document(&self) -> Result<u32> {
        let txn = self.begin_read()?;
        let segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
        Ok(match segments.last().map_err(|e| self.error(e))? {
            Some((first, value)) => first.value() + value.value().1,
            None => 0,
        })
    }

    /// Adds `docs` as one segment, atomically (see [`Self::write_batch`]). Returns the document
    /// numbers they were given.
    pub fn add_batch(&self, docs: &[NewDoc]) -> Result<Vec<u32>> {
        let first = self.next_document()?;
        self.write_batch(&BatchWrite {
            docs: docs.to_vec(),
            ..BatchWrite::default()
        })?;
        Ok((first..first + docs.len() as u32).collect())
    }

    /// Commits one batch in one transaction: after a crash, either all of it is in the index
    /// or none. The new documents become one segment, which may then be merged with others in
    /// a transaction of its own.
    pub fn write_batch(&self, batch: &BatchWrite) -> Result<()> {
        // A batch that changes nothing commits nothing: re-running an interrupted `add` then
        // commits exactly what an uninterrupted run would have.
        if batch.docs.is_empty() && batch.records.is_empty() && batch.relations.is_empty() {
            return Ok(());
        }
        let db = self.writer()?;
        let txn = db.begin_write().map_err(|e| self.error(e))?;
        {
            let mut segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
            let first_doc = match segments.last().map_err(|e| self.error(e))? {
                Some((first, value)) => first.value() + value.value().1,
                None => 0,
            };
            let mut records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
            let mut ids = txn.open_table(IDS).map_err(|e| self.error(e))?;
            let mut texts = txn.open_table(TEXTS).map_err(|e| self.error(e))?;
            // Sized at once: a batch's postings are millions, and growing by doubling would
            // hold up to twice them, plus the copy.
            let mut postings: Vec<(PostingKey, u32)> =
                Vec::with_capacity(batch.docs.iter().map(|d| d.keys.len()).sum());
            let mut totals = Totals::read(&txn, self)?;
            for (doc, number) in batch.docs.iter().zip(first_doc..) {
                records
                    .insert(number, encode_record(&doc.record).as_slice())
                    .map_err(|e| self.error(e))?;
                ids.insert(doc.record.id.as_str(), number)
                    .map_err(|e| self.error(e))?;
                texts
                    .insert(number, doc.compressed_text.as_slice())
                    .map_err(|e| self.error(e))?;
                totals.add_date(doc.record.date);
                postings.extend(doc.keys.iter().map(|&key| (key, number)));
            }
            totals.write(&txn, self)?;
            for (number, record) in &batch.records {
                if *number >= first_doc {
                    return Err(self.corrupt(&format!(
                        "a batch changes the record of document {number}, which does not exist"
                    )));
                }
                records
                    .insert(*number, encode_record(record).as_slice())
                    .map_err(|e| self.error(e))?;
            }
            let mut relations = txn.open_table(RELATIONS).map_err(|e| self.error(e))?;
            for (pair, relation) in &batch.relations {
                match relation {
                    Some(relation) => {
                        relations
                            .insert(*pair, encode_relation(relation).as_slice())
                            .map_err(|e| self.error(e))?;
                    }
                    None => {
                        relations.remove(*pair).map_err(|e| self.error(e))?;
                    }
                }
            }
            if !batch.docs.is_empty() {
                let segment = self.next_segment(&txn)?;
                postings.sort_unstable();
                postings.dedup();
                let mut tables = SegmentTables::open(self, &txn)?;
                let mut writer =
                    SegmentWriter::new(segment, first_doc, postings.len().div_ceil(BLOCK_POSTINGS));
                for posting in postings {
                    writer.push(self, &mut tables, posting)?;
                }
                writer.finish(self, &txn, &mut tables)?;
                drop(tables);
                segments
                    .insert(first_doc, (segment, batch.docs.len() as u32))
                    .map_err(|e| self.error(e))?;
            }
        }
        txn.commit().map_err(|e| self.error(e))?;
        while self.merge_due()? {}
        Ok(())
    }

    /// The parameters stored in the index at `path`, to open it for writing with them.
    pub fn params_of(path: &Path) -> Result<StoredParams> {
        IndexStore::open_read(path, None)?.params()
    }

    /// What the index holds and what it costs on disk.
    pub fn stats(&self) -> Result<IndexStats> {
        let txn = self.begin_read()?;
        let totals = Totals::read_only(&txn, self)?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        let relations = txn.open_table(RELATIONS).map_err(|e| self.error(e))?;
        let segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
        let occupied = |stats: redb::TableStats| {
            stats.stored_bytes() + stats.metadata_bytes() + stats.fragmented_bytes()
        };
        let table_bytes =
            |name: &str, stats: redb::Result<redb::TableStats>| -> Result<(String, u64)> {
                Ok((
                    name.to_string(),
                    occupied(stats.map_err(|e| self.error(e))?),
                ))
            };
        let tables = vec![
            table_bytes("records", records.stats())?,
            table_bytes(
                "ids",
                txn.open_table(IDS).map_err(|e| self.error(e))?.stats(),
            )?,
            table_bytes(
                "texts",
                txn.open_table(TEXTS).map_err(|e| self.error(e))?.stats(),
            )?,
            table_bytes(
                "postings",
                txn.open_table(BLOCKS).map_err(|e| self.error(e))?.stats(),
            )?,
            table_bytes("relations", relations.stats())?,
            table_bytes(
                "block_index",
                txn.open_table(BLOCK_INDEX)
                    .map_err(|e| self.error(e))?
                    .stats(),
            )?,
            table_bytes(
                "filters",
                txn.open_table(FILTERS).map_err(|e| self.error(e))?.stats(),
            )?,
            table_bytes("segments", segments.stats())?,
            table_bytes(
                "meta",
                txn.open_table(META).map_err(|e| self.error(e))?.stats(),
            )?,
        ];
        Ok(IndexStats {
            documents: records.len().map_err(|e| self.error(e))?,
            relations: relations.len().map_err(|e| self.error(e))?,
            segments: segments.len().map_err(|e| self.error(e))?,
            first_date: totals.date_min,
            last_date: totals.date_max,
            params: self.params()?,
            tables,
        })
    }

    /// Drops every document dated before `cutoff` (seconds since the epoch; documents without
    /// a date stay) with its id, text, postings and relations, in one transaction. Each segment
    /// is rewritten without the dropped documents' postings, keeping its documents' numbers.
    /// Returns how many were dropped; [`Self::compact`] then gives their space back.
    pub fn expire_before(&self, cutoff: i64) -> Result<u64> {
        let db = self.writer()?;
        let read = self.begin_read()?;
        let mut expired: ahash::AHashSet<u32> = ahash::AHashSet::new();
        let mut kept_dates: (Option<i64>, Option<i64>) = (None, None);
        {
            let records = read.open_table(RECORDS).map_err(|e| self.error(e))?;
            for entry in records.iter().map_err(|e| self.error(e))? {
                let (number, bytes) = entry.map_err(|e| self.error(e))?;
                let record = decode_record(bytes.value()).ok_or_else(|| {
                    self.corrupt(&format!("document {}'s record", number.value()))
                })?;
                match record.date {
                    Some(date) if date < cutoff => {
                        expired.insert(number.value());
                    }
                    Some(date) => {
                        kept_dates.0 = Some(kept_dates.0.map_or(date, |d: i64| d.min(date)));
                        kept_dates.1 = Some(kept_dates.1.map_or(date, |d: i64| d.max(date)));
                    }
                    None => {}
                }
            }
        }
        if expired.is_empty() {
            return Ok(0);
        }
        let segments = self.segments_of(&read)?;
        let write = db.begin_write().map_err(|e| self.error(e))?;
        {
            let mut records = write.open_table(RECORDS).map_err(|e| self.error(e))?;
            let mut ids = write.open_table(IDS).map_err(|e| self.error(e))?;
            let mut texts = write.open_table(TEXTS).map_err(|e| self.error(e))?;
            let mut totals = Totals::read(&write, self)?;
            let mut numbers: Vec<u32> = expired.iter().copied().collect();
            numbers.sort_unstable();
            for &number in &numbers {
                if let Some(bytes) = records.remove(number).map_err(|e| self.error(e))? {
                    let record =
                        decode_record(bytes.value()).ok_or_else(|| self.corrupt("a record"))?;
                    ids.remove(record.id.as_str()).map_err(|e| self.error(e))?;
                }
                texts.remove(number).map_err(|e| self.error(e))?;
            }
            (totals.date_min, totals.date_max) = kept_dates;
            totals.write(&write, self)?;
            let mut relations = write.open_table(RELATIONS).map_err(|e| self.error(e))?;
            relations
                .retain(|(later, earlier), _| {
                    !expired.contains(&later) && !expired.contains(&earlier)
                })
                .map_err(|e| self.error(e))?;
            // A document that lost its original to expiry is no longer its copy.
            let mut orphans = Vec::new();
            for entry in records.iter().map_err(|e| self.error(e))? {
                let (number, bytes) = entry.map_err(|e| self.error(e))?;
                let record =
                    decode_record(bytes.value()).ok_or_else(|| self.corrupt("a record"))?;
                if let IndexedStatus::Duplicate { of, .. } = record.status
                    && expired.contains(&of)
                {
                    orphans.push((number.value(), record));
                }
            }
            for (number, record) in orphans {
                let record = DocRecord {
                    status: IndexedStatus::Unique,
                    ..record
                };
                records
                    .insert(number, encode_record(&record).as_slice())
                    .map_err(|e| self.error(e))?;
            }
            let blocks = read.open_table(BLOCKS).map_err(|e| self.error(e))?;
            let mut tables = SegmentTables::open(self, &write)?;
            let mut table = write.open_table(SEGMENTS).map_err(|e| self.error(e))?;
            for (first_doc, id, count) in segments {
                let touched = (first_doc..first_doc + count).any(|d| expired.contains(&d));
                if !touched {
                    continue;
                }
                let rewritten = self.next_segment(&write)?;
                let (low, high) = segment_range(id);
                let first_keys = self.block_index_of(&read, id)?;
                let mut writer = SegmentWriter::new(rewritten, first_doc, first_keys.len());
                let mut reader = SegmentReader {
                    blocks: blocks
                        .range(low.as_slice()..=high.as_slice())
                        .map_err(|e| self.error(e))?,
                    first_keys: first_keys.into_iter(),
                    first_doc,
                    current: Vec::new().into_iter(),
                };
                while let Some(posting) = reader.next_posting(self)? {
                    if !expired.contains(&posting.1) {
                        writer.push(self, &mut tables, posting)?;
                    }
                }
                writer.finish(self, &write, &mut tables)?;
                tables.remove(self, id)?;
                table
                    .insert(first_doc, (rewritten, count))
                    .map_err(|e| self.error(e))?;
                write
                    .open_table(BLOCK_INDEX)
                    .map_err(|e| self.error(e))?
                    .remove(id)
                    .map_err(|e| self.error(e))?;
            }
        }
        write.commit().map_err(|e| self.error(e))?;
        Ok(expired.len() as u64)
    }

    /// The relations of document `later` with earlier documents, by the earlier one's number.
    pub fn relations_of(&self, later: u32) -> Result<Vec<(u32, StoredRelation)>> {
        let txn = self.begin_read()?;
        let table = txn.open_table(RELATIONS).map_err(|e| self.error(e))?;
        let mut out = Vec::new();
        for entry in table
            .range((later, 0)..=(later, u32::MAX))
            .map_err(|e| self.error(e))?
        {
            let (key, value) = entry.map_err(|e| self.error(e))?;
            let relation =
                decode_relation(value.value()).ok_or_else(|| self.corrupt("a relation"))?;
            out.push((key.value().1, relation));
        }
        Ok(out)
    }

    /// Every stored relation, keyed `(later, earlier)`, in order.
    pub fn relations(&self) -> Result<Vec<((u32, u32), StoredRelation)>> {
        let txn = self.begin_read()?;
        let table = txn.open_table(RELATIONS).map_err(|e| self.error(e))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.error(e))? {
            let (key, value) = entry.map_err(|e| self.error(e))?;
            let relation =
                decode_relation(value.value()).ok_or_else(|| self.corrupt("a relation"))?;
            out.push((key.value(), relation));
        }
        Ok(out)
    }

    /// A new segment number, from the counter in the meta table.
    fn next_segment(&self, txn: &redb::WriteTransaction) -> Result<u32> {
        let mut meta = txn.open_table(META).map_err(|e| self.error(e))?;
        let next = match meta.get("next_segment").map_err(|e| self.error(e))? {
            Some(value) => value
                .value()
                .parse::<u32>()
                .map_err(|_| self.corrupt("the segment counter"))?,
            None => 0,
        };
        meta.insert("next_segment", (next + 1).to_string().as_str())
            .map_err(|e| self.error(e))?;
        Ok(next)
    }

    /// Merges the last [`MERGE_FANOUT`] segments into one when they are of one size tier, in
    /// a transaction of its own (a crash before it commits leaves the segments as they were,
    /// which is as correct, only slower to query). Reads the segments from the last commit and
    /// streams their postings through a k-way merge, so memory stays a few blocks per segment
    /// whatever their size. Returns whether it merged.
    fn merge_due(&self) -> Result<bool> {
        let read = self.begin_read()?;
        let segments = self.segments_of(&read)?;
        let fanout = MERGE_FANOUT as usize;
        if segments.len() < fanout {
            return Ok(false);
        }
        let tail = &segments[segments.len() - fanout..];
        let tier = |count: u32| count.max(1).ilog(MERGE_FANOUT);
        if tail.iter().any(|s| tier(s.2) != tier(tail[0].2)) {
            return Ok(false);
        }
        let first_doc = tail[0].0;
        let total: u32 = tail.iter().map(|s| s.2).sum();
        let blocks = read.open_table(BLOCKS).map_err(|e| self.error(e))?;
        let mut sources = Vec::with_capacity(fanout);
        for &(source_first, id, _) in tail {
            let (low, high) = segment_range(id);
            let range = blocks
                .range(low.as_slice()..=high.as_slice())
                .map_err(|e| self.error(e))?;
            sources.push(SegmentReader {
                blocks: range,
                first_keys: self.block_index_of(&read, id)?.into_iter(),
                first_doc: source_first,
                current: Vec::new().into_iter(),
            });
        }
        let write = self.writer()?.begin_write().map_err(|e| self.error(e))?;
        let merged = self.next_segment(&write)?;
        {
            let mut tables = SegmentTables::open(self, &write)?;
            let blocks: usize = sources.iter().map(|s| s.first_keys.len()).sum();
            let mut writer = SegmentWriter::new(merged, first_doc, blocks);
            let mut heap = std::collections::BinaryHeap::new();
            for (at, source) in sources.iter_mut().enumerate() {
                if let Some(posting) = source.next_posting(self)? {
                    heap.push(std::cmp::Reverse((posting, at)));
                }
            }
            while let Some(std::cmp::Reverse((posting, at))) = heap.pop() {
                writer.push(self, &mut tables, posting)?;
                if let Some(next) = sources[at].next_posting(self)? {
                    heap.push(std::cmp::Reverse((next, at)));
                }
            }
            writer.finish(self, &write, &mut tables)?;
            let mut block_index = write.open_table(BLOCK_INDEX).map_err(|e| self.error(e))?;
            for &(_, id, _) in tail {
                tables.remove(self, id)?;
                block_index.remove(id).map_err(|e| self.error(e))?;
            }
            drop((tables, block_index));
            let mut table = write.open_table(SEGMENTS).map_err(|e| self.error(e))?;
            for &(source_first, _, _) in tail {
                table.remove(source_first).map_err(|e| self.error(e))?;
            }
            table
                .insert(first_doc, (merged, total))
                .map_err(|e| self.error(e))?;
        }
        write.commit().map_err(|e| self.error(e))?;
        Ok(true)
    }

    /// Stores a segment's block index (see [`BLOCK_INDEX`]).
    fn write_block_index(
        &self,
        txn: &redb::WriteTransaction,
        segment: u32,
        first_keys: &[PostingKey],
    ) -> Result<()> {
        let bytes: Vec<u8> = first_keys.iter().flat_map(|k| k.0.to_le_bytes()).collect();
        txn.open_table(BLOCK_INDEX)
            .map_err(|e| self.error(e))?
            .insert(segment, bytes.as_slice())
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Every posting of `keys` (in any order, repeats allowed), sorted by key, then document.
    /// Each segment's blocks that can hold one of the keys are read once, however many of the
    /// keys they hold: a batch's keys are looked up together.
    pub fn postings_of(&self, keys: &[PostingKey]) -> Result<Vec<(PostingKey, u32)>> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let lookup = self.lookup()?;
        let mut found = Vec::new();
        for at in 0..lookup.segments() {
            found.extend(lookup.postings_in(at, &keys)?);
        }
        found.sort_unstable();
        Ok(found)
    }

    /// The segments `txn` sees, in document order: each one's first document, number and
    /// number of documents.
    fn segments_of(&self, txn: &redb::ReadTransaction) -> Result<Vec<(u32, u32, u32)>> {
        let table = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
        table
            .iter()
            .map_err(|e| self.error(e))?
            .map(|entry| {
                let (first, value) = entry.map_err(|e| self.error(e))?;
                let (id, count) = value.value();
                Ok((first.value(), id, count))
            })
            .collect()
    }

    /// The index's segments as of the last commit, to look keys up in one at a time (or in
    /// parallel, one segment per task).
    pub fn lookup(&self) -> Result<Lookup<'_>> {
        let txn = self.begin_read()?;
        let segments: Vec<(u32, u32)> = self
            .segments_of(&txn)?
            .into_iter()
            .map(|(first_doc, segment, _)| (first_doc, segment))
            .collect();
        // The caches of segments merged away are dropped: a long run would keep them all.
        let live: ahash::AHashSet<u32> = segments.iter().map(|&(_, segment)| segment).collect();
        self.block_index
            .lock()
            .expect("not poisoned")
            .retain(|id, _| live.contains(id));
        self.filters
            .lock()
            .expect("not poisoned")
            .retain(|id, _| live.contains(id));
        Ok(Lookup {
            store: self,
            txn,
            segments,
        })
    }

    /// The documents holding any of `keys`, sorted and without repeats.
    pub fn documents_with(&self, keys: &[PostingKey]) -> Result<Vec<u32>> {
        let mut found: Vec<u32> = self.postings_of(keys)?.into_iter().map(|p| p.1).collect();
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// A segment's block index, read once.
    fn cached_first_keys(
        &self,
        txn: &redb::ReadTransaction,
        segment: u32,
    ) -> Result<std::sync::Arc<Vec<PostingKey>>> {
        if let Some(keys) = self.block_index.lock().expect("not poisoned").get(&segment) {
            return Ok(keys.clone());
        }
        let keys = std::sync::Arc::new(self.block_index_of(txn, segment)?);
        self.block_index
            .lock()
            .expect("not poisoned")
            .insert(segment, keys.clone());
        Ok(keys)
    }

    /// A reader of a segment's key filter: held whole when the index is open for reading
    /// (read once per process), read a chunk at a time when it is open for writing.
    fn filter_reader(&self, txn: &redb::ReadTransaction, segment: u32) -> Result<FilterReader<'_>> {
        let mut reader = FilterReader {
            segment,
            held: None,
            table: None,
            current: None,
            store: self,
        };
        if matches!(self.db, Handle::Writer(_)) {
            reader.table = Some(txn.open_table(FILTERS).map_err(|e| self.error(e))?);
            return Ok(reader);
        }
        let mut cache = self.filters.lock().expect("not poisoned");
        if let Some(filter) = cache.get(&segment) {
            reader.held = Some(filter.clone());
            return Ok(reader);
        }
        let filter = std::sync::Arc::new(self.stored_filter(txn, segment)?);
        cache.insert(segment, filter.clone());
        reader.held = Some(filter);
        Ok(reader)
    }

    /// A segment's block index; a segment without one is damage.
    fn block_index_of(&self, txn: &redb::ReadTransaction, segment: u32) -> Result<Vec<PostingKey>> {
        self.stored_block_index(txn, segment)?
            .ok_or_else(|| self.corrupt(&format!("segment {segment} has no block index")))
    }

    /// A segment's block index as stored, if it has one.
    fn stored_block_index(
        &self,
        txn: &redb::ReadTransaction,
        segment: u32,
    ) -> Result<Option<Vec<PostingKey>>> {
        let table = txn.open_table(BLOCK_INDEX).map_err(|e| self.error(e))?;
        let Some(bytes) = table.get(segment).map_err(|e| self.error(e))? else {
            return Ok(None);
        };
        let bytes = bytes.value();
        if !bytes.len().is_multiple_of(8) {
            return Err(self.corrupt(&format!("segment {segment}'s block index")));
        }
        Ok(Some(
            bytes
                .chunks_exact(8)
                .map(|c| PostingKey(u64::from_le_bytes(c.try_into().expect("8 bytes"))))
                .collect(),
        ))
    }

    /// A segment's key filter as stored: its chunks in order (none for a segment without
    /// blocks).
    fn stored_filter(&self, txn: &redb::ReadTransaction, segment: u32) -> Result<Vec<KeyFilter>> {
        let filters = txn.open_table(FILTERS).map_err(|e| self.error(e))?;
        let mut chunks = Vec::new();
        for entry in filters
            .range((segment, 0)..=(segment, u32::MAX))
            .map_err(|e| self.error(e))?
        {
            let (key, bytes) = entry.map_err(|e| self.error(e))?;
            if key.value().1 as usize != chunks.len() {
                return Err(self.corrupt(&format!("segment {segment}'s key filter lacks a chunk")));
            }
            chunks.push(KeyFilter::from_bytes(bytes.value())?);
        }
        Ok(chunks)
    }

    /// Gives back the space of deleted and merged segments, so the file shrinks.
    pub fn compact(&mut self) -> Result<()> {
        match &mut self.db {
            Handle::Writer(db) => {
                db.compact().map_err(|e| database_error(&self.path, e))?;
            }
            Handle::Reader(_) => {
                self.writer()?;
            }
        }
        Ok(())
    }

    /// A document's record.
    pub fn record(&self, doc: u32) -> Result<Option<DocRecord>> {
        let txn = self.begin_read()?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        let record = records.get(doc).map_err(|e| self.error(e))?;
        record
            .map(|r| decode_record(r.value()).ok_or_else(|| self.corrupt("a record")))
            .transpose()
    }

    /// The document number of `id`.
    pub fn doc_of(&self, id: &str) -> Result<Option<u32>> {
        let txn = self.begin_read()?;
        let ids = txn.open_table(IDS).map_err(|e| self.error(e))?;
        Ok(ids.get(id).map_err(|e| self.error(e))?.map(|v| v.value()))
    }

    /// A document's text.
    pub fn text(&self, doc: u32) -> Result<Option<String>> {
        let txn = self.begin_read()?;
        let texts = txn.open_table(TEXTS).map_err(|e| self.error(e))?;
        let Some(compressed) = texts.get(doc).map_err(|e| self.error(e))? else {
            return Ok(None);
        };
        let bytes =
            zstd::decode_all(compressed.value()).map_err(|_| self.corrupt("a compressed text"))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| self.corrupt("a text that is not UTF-8"))
    }

    /// The number of documents.
    pub fn documents(&self) -> Result<u32> {
        let txn = self.begin_read()?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        Ok(records.len().map_err(|e| self.error(e))? as u32)
    }

    /// Checks that every table agrees with the others: each record's id names it and it has
    /// a text (and nothing else has one), segments cover the document numbers in order, every
    /// block decodes to postings of its segment's documents in order, none of a document that
    /// is gone, and every relation joins two documents, the later first. The first
    /// inconsistency is an error naming it.
    pub fn check(&self) -> Result<CheckReport> {
        let txn = self.begin_read()?;
        let segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        let ids = txn.open_table(IDS).map_err(|e| self.error(e))?;
        let texts = txn.open_table(TEXTS).map_err(|e| self.error(e))?;
        let blocks = txn.open_table(BLOCKS).map_err(|e| self.error(e))?;
        let relations = txn.open_table(RELATIONS).map_err(|e| self.error(e))?;
        let mut present: ahash::AHashSet<u32> = ahash::AHashSet::new();
        for entry in records.iter().map_err(|e| self.error(e))? {
            let (doc, bytes) = entry.map_err(|e| self.error(e))?;
            let doc = doc.value();
            let record = decode_record(bytes.value())
                .ok_or_else(|| self.corrupt(&format!("document {doc}'s record")))?;
            let named = ids.get(record.id.as_str()).map_err(|e| self.error(e))?;
            if named.map(|v| v.value()) != Some(doc) {
                return Err(
                    self.corrupt(&format!("id {:?} does not name document {doc}", record.id))
                );
            }
            let text = texts
                .get(doc)
                .map_err(|e| self.error(e))?
                .ok_or_else(|| self.corrupt(&format!("document {doc} has no text")))?;
            zstd::decode_all(text.value())
                .map_err(|_| self.corrupt(&format!("document {doc}'s text does not decompress")))?;
            present.insert(doc);
        }
        let mut report = CheckReport {
            documents: present.len() as u32,
            segments: 0,
            postings: 0,
            relations: 0,
        };
        let counts = [
            ("ids", ids.len().map_err(|e| self.error(e))?),
            ("texts", texts.len().map_err(|e| self.error(e))?),
        ];
        for (table, count) in counts {
            if count != present.len() as u64 {
                return Err(
                    self.corrupt(&format!("{count} {table} for {} documents", present.len()))
                );
            }
        }
        let mut expected_first = 0u32;
        for entry in segments.iter().map_err(|e| self.error(e))? {
            let (first_doc, value) = entry.map_err(|e| self.error(e))?;
            let (first_doc, (segment, count)) = (first_doc.value(), value.value());
            if first_doc != expected_first {
                return Err(self.corrupt(&format!(
                    "segment {segment} starts at document {first_doc}, not {expected_first}"
                )));
            }
            expected_first = first_doc + count;
            let filter = self.stored_filter(&txn, segment)?;
            let first_keys = self.block_index_of(&txn, segment)?;
            let covered: usize = filter.iter().map(KeyFilter::blocks).sum();
            let whole_chunks = filter
                .iter()
                .rev()
                .skip(1)
                .all(|f| f.blocks() == FILTER_CHUNK_BLOCKS);
            if covered != first_keys.len() || !whole_chunks {
                return Err(self.corrupt(&format!(
                    "segment {segment}'s key filter covers {covered} blocks of {}",
                    first_keys.len()
                )));
            }
            let (low, high) = segment_range(segment);
            let stored_blocks = blocks
                .range(low.as_slice()..=high.as_slice())
                .map_err(|e| self.error(e))?
                .count();
            if stored_blocks != first_keys.len() {
                return Err(self.corrupt(&format!(
                    "segment {segment} has {stored_blocks} blocks and {} in its block index",
                    first_keys.len()
                )));
            }
            let mut previous: Option<(PostingKey, u32)> = None;
            for (ordinal, &first_key) in (0u32..).zip(&first_keys) {
                let bytes = blocks
                    .get(block_key(segment, ordinal).as_slice())
                    .map_err(|e| self.error(e))?
                    .ok_or_else(|| {
                        self.corrupt(&format!("segment {segment} lacks block {ordinal}"))
                    })?;
                for posting in decode_block(first_key, bytes.value(), first_doc)? {
                    let block = ordinal as usize;
                    let chunk = &filter[block / FILTER_CHUNK_BLOCKS];
                    if !chunk.may_contain(block % FILTER_CHUNK_BLOCKS, posting.0) {
                        return Err(self.corrupt(&format!(
                            "segment {segment}'s key filter misses one of its keys"
                        )));
                    }
                    if posting.1 >= first_doc + count || previous.is_some_and(|p| p >= posting) {
                        return Err(self.corrupt(&format!(
                            "segment {segment} holds a posting out of order or of another segment"
                        )));
                    }
                    if !present.contains(&posting.1) {
                        return Err(self.corrupt(&format!(
                            "segment {segment} holds a posting of document {}, which is gone",
                            posting.1
                        )));
                    }
                    previous = Some(posting);
                    report.postings += 1;
                }
            }
            report.segments += 1;
        }
        if let Some(beyond) = present.iter().find(|&&doc| doc >= expected_first) {
            return Err(self.corrupt(&format!("document {beyond} is in no segment")));
        }
        for entry in relations.iter().map_err(|e| self.error(e))? {
            let (key, value) = entry.map_err(|e| self.error(e))?;
            let (later, earlier) = key.value();
            if earlier >= later || !present.contains(&later) || !present.contains(&earlier) {
                return Err(self.corrupt(&format!(
                    "a relation of documents {later} and {earlier}, which are not two documents \
                     the later first"
                )));
            }
            decode_relation(value.value()).ok_or_else(|| {
                self.corrupt(&format!("the relation of documents {later} and {earlier}"))
            })?;
            report.relations += 1;
        }
        Ok(report)
    }

    fn error(&self, error: impl Into<redb::Error>) -> Error {
        database_error(&self.path, error.into())
    }

    fn corrupt(&self, what: &str) -> Error {
        Error::IndexCorrupt(format!("{}: {what}", self.path.display()))
    }
}

/// One segment's postings in order, read a block at a time from the last commit.
/// The index's segments as one read transaction saw them; see [`IndexStore::lookup`].
pub struct Lookup<'s> {
    store: &'s IndexStore,
    txn: redb::ReadTransaction,
    /// Each segment's first document and number, in document order.
    segments: Vec<(u32, u32)>,
}

impl Lookup<'_> {
    /// How many segments there are.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// The postings of `keys` (sorted, without repeats) in the `at`-th segment, sorted.
    /// The key filter and the block index pick the blocks to read; both are walked in key
    /// order, as the keys are.
    pub fn postings_in(&self, at: usize, keys: &[PostingKey]) -> Result<Vec<(PostingKey, u32)>> {
        let store = self.store;
        let (first_doc, segment) = self.segments[at];
        let first_keys = store.cached_first_keys(&self.txn, segment)?;
        let mut filter = store.filter_reader(&self.txn, segment)?;
        // Each block to read, with the last of the keys that may be in it: its postings are
        // decoded up to that key only.
        let mut wanted: Vec<(usize, PostingKey)> = Vec::new();
        let mut from = 0usize;
        for &key in keys {
            // Keys ascend, so each one's blocks start at or after the last one's.
            let blocks = blocks_for(&first_keys[from..], key);
            let blocks = from + blocks.start..from + blocks.end;
            from = blocks.start;
            for block in blocks {
                if filter.may_contain(block, key)? {
                    match wanted.last_mut() {
                        Some((last, until)) if *last == block => *until = key,
                        _ => wanted.push((block, key)),
                    }
                }
            }
        }
        let blocks = self.txn.open_table(BLOCKS).map_err(|e| store.error(e))?;
        let mut found = Vec::new();
        // Blocks and keys both ascend: one cursor walks the keys as the postings go by.
        let mut next_key = 0usize;
        for (at, until) in wanted {
            let bytes = blocks
                .get(block_key(segment, at as u32).as_slice())
                .map_err(|e| store.error(e))?
                .ok_or_else(|| store.corrupt("a block vanished while read"))?;
            let low = first_keys[at];
            next_key += gallop_partition_point(&keys[next_key..], |&k| k < low);
            let mut postings = BlockPostings::new(low, bytes.value(), first_doc)?;
            while let Some(posting) = postings.next_posting()? {
                if posting.0 > until {
                    break;
                }
                while next_key < keys.len() && keys[next_key] < posting.0 {
                    next_key += 1;
                }
                if keys.get(next_key) == Some(&posting.0) {
                    found.push(posting);
                }
            }
        }
        Ok(found)
    }
}

struct SegmentReader<'a> {
    blocks: redb::Range<'a, &'static [u8], &'static [u8]>,
    /// The first keys of the segment's blocks, in order.
    first_keys: std::vec::IntoIter<PostingKey>,
    first_doc: u32,
    current: std::vec::IntoIter<(PostingKey, u32)>,
}

impl SegmentReader<'_> {
    fn next_posting(&mut self, store: &IndexStore) -> Result<Option<(PostingKey, u32)>> {
        loop {
            if let Some(posting) = self.current.next() {
                return Ok(Some(posting));
            }
            let Some(entry) = self.blocks.next() else {
                return Ok(None);
            };
            let (_, bytes) = entry.map_err(|e| store.error(e))?;
            let first_key = self
                .first_keys
                .next()
                .ok_or_else(|| store.corrupt("a block beyond its segment's block index"))?;
            self.current = decode_block(first_key, bytes.value(), self.first_doc)?.into_iter();
        }
    }
}

/// The tables a segment is written to.
struct SegmentTables<'t> {
    blocks: redb::Table<'t, &'static [u8], &'static [u8]>,
    filters: redb::Table<'t, (u32, u32), &'static [u8]>,
}

impl<'t> SegmentTables<'t> {
    fn open(store: &IndexStore, txn: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(SegmentTables {
            blocks: txn.open_table(BLOCKS).map_err(|e| store.error(e))?,
            filters: txn.open_table(FILTERS).map_err(|e| store.error(e))?,
        })
    }

    /// Deletes segment `segment`'s blocks and filter.
    fn remove(&mut self, store: &IndexStore, segment: u32) -> Result<()> {
        let (low, high) = segment_range(segment);
        self.blocks
            .retain_in(low.as_slice()..=high.as_slice(), |_, _| false)
            .map_err(|e| store.error(e))?;
        self.filters
            .retain_in((segment, 0)..=(segment, u32::MAX), |_, _| false)
            .map_err(|e| store.error(e))?;
        Ok(())
    }
}

/// Writes one segment from its postings in order: cuts them into blocks, and builds the block
/// index and the key filter as the blocks go by, writing the filter a chunk at a time. Every
/// way a segment is made (a batch, a merge, an expiry's rewrite) goes through it.
struct SegmentWriter {
    segment: u32,
    first_doc: u32,
    chunk: Vec<(PostingKey, u32)>,
    first_keys: Vec<PostingKey>,
    /// The filter regions of the blocks since the last chunk written.
    filter: KeyFilter,
}

impl SegmentWriter {
    /// A writer of segment `segment`, whose documents are numbered from `first_doc`, which
    /// will hold at most `blocks` blocks.
    fn new(segment: u32, first_doc: u32, blocks: usize) -> Self {
        SegmentWriter {
            segment,
            first_doc,
            chunk: Vec::with_capacity(BLOCK_POSTINGS),
            first_keys: Vec::with_capacity(blocks),
            filter: KeyFilter::with_room_for(FILTER_CHUNK_BLOCKS),
        }
    }

    /// Adds the next posting: it must come after the last one.
    fn push(
        &mut self,
        store: &IndexStore,
        tables: &mut SegmentTables<'_>,
        posting: (PostingKey, u32),
    ) -> Result<()> {
        self.chunk.push(posting);
        if self.chunk.len() == BLOCK_POSTINGS {
            self.write_block(store, tables)?;
        }
        Ok(())
    }

    fn write_block(&mut self, store: &IndexStore, tables: &mut SegmentTables<'_>) -> Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let block = encode_block(&self.chunk, self.first_doc);
        tables
            .blocks
            .insert(
                block_key(self.segment, self.first_keys.len() as u32).as_slice(),
                block.bytes.as_slice(),
            )
            .map_err(|e| store.error(e))?;
        self.first_keys.push(block.first_key);
        self.filter.push_block(&self.chunk);
        self.chunk.clear();
        if self.filter.blocks() == FILTER_CHUNK_BLOCKS {
            self.write_filter_chunk(store, tables)?;
        }
        Ok(())
    }

    fn write_filter_chunk(
        &mut self,
        store: &IndexStore,
        tables: &mut SegmentTables<'_>,
    ) -> Result<()> {
        if self.filter.blocks() == 0 {
            return Ok(());
        }
        let chunk = ((self.first_keys.len() - 1) / FILTER_CHUNK_BLOCKS) as u32;
        tables
            .filters
            .insert((self.segment, chunk), self.filter.to_bytes().as_slice())
            .map_err(|e| store.error(e))?;
        self.filter = KeyFilter::with_room_for(FILTER_CHUNK_BLOCKS);
        Ok(())
    }

    /// Writes the last block, the last filter chunk and the block index.
    fn finish(
        mut self,
        store: &IndexStore,
        txn: &redb::WriteTransaction,
        tables: &mut SegmentTables<'_>,
    ) -> Result<()> {
        self.write_block(store, tables)?;
        self.write_filter_chunk(store, tables)?;
        store.write_block_index(txn, self.segment, &self.first_keys)
    }
}

/// A segment's key filter as a look-up asks it: from the filters held in memory, or a chunk
/// at a time from the store (see the `filters` field of [`IndexStore`]).
struct FilterReader<'a> {
    segment: u32,
    held: Option<std::sync::Arc<Vec<KeyFilter>>>,
    table: Option<redb::ReadOnlyTable<(u32, u32), &'static [u8]>>,
    /// The chunk read last: its number and filter.
    current: Option<(usize, KeyFilter)>,
    store: &'a IndexStore,
}

impl FilterReader<'_> {
    /// Whether `key` may be in block `block` (a block without a stored filter lets it through).
    fn may_contain(&mut self, block: usize, key: PostingKey) -> Result<bool> {
        let (chunk, at) = (block / FILTER_CHUNK_BLOCKS, block % FILTER_CHUNK_BLOCKS);
        if let Some(held) = &self.held {
            return Ok(held.get(chunk).is_none_or(|f| f.may_contain(at, key)));
        }
        if self.current.as_ref().is_none_or(|(c, _)| *c != chunk) {
            let table = self
                .table
                .as_ref()
                .expect("a table when no filters are held");
            let filter = match table
                .get((self.segment, chunk as u32))
                .map_err(|e| self.store.error(e))?
            {
                Some(bytes) => KeyFilter::from_bytes(bytes.value())?,
                None => KeyFilter::new(),
            };
            self.current = Some((chunk, filter));
        }
        let (_, filter) = self.current.as_ref().expect("just read");
        Ok(filter.may_contain(at, key))
    }
}

fn database_error(path: &Path, error: impl Into<redb::Error>) -> Error {
    match error.into() {
        redb::Error::DatabaseAlreadyOpen => Error::IndexBusy {
            path: path.to_path_buf(),
        },
        redb::Error::Io(source) => Error::io(path, source),
        other => Error::IndexCorrupt(format!("{}: {other}", path.display())),
    }
}

/// A block's key: its segment and its place in the segment, so that blocks that start with the
/// same key (a key with more postings than a block holds) never share one.
fn block_key(segment: u32, ordinal: u32) -> [u8; 8] {
    let mut key = [0u8; 8];
    key[..4].copy_from_slice(&segment.to_be_bytes());
    key[4..].copy_from_slice(&ordinal.to_be_bytes());
    key
}

/// The keys of all of a segment's blocks, for a range over them.
fn segment_range(segment: u32) -> ([u8; 8], [u8; 8]) {
    (block_key(segment, 0), block_key(segment, u32::MAX))
}

/// A record as bytes: the text hash, a byte of flags (which optional fields follow, whether the
/// page is whole), the words, the status, then the optional fields, strings prefixed by their
/// length.
fn encode_record(record: &DocRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + record.id.len());
    out.extend_from_slice(&record.text_hash.to_le_bytes());
    let flags = u8::from(record.date.is_some())
        | u8::from(record.title.is_some()) << 1
        | u8::from(record.source.is_some()) << 2
        | u8::from(record.page.is_some()) << 3
        | u8::from(record.page.is_some_and(|p| p.whole_page)) << 4;
    out.push(flags);
    out.extend_from_slice(&record.words.to_le_bytes());
    match record.status {
        IndexedStatus::Unique => out.push(0),
        IndexedStatus::Original => out.push(1),
        IndexedStatus::Duplicate { of, similarity } => {
            out.push(2);
            out.extend_from_slice(&of.to_le_bytes());
            out.extend_from_slice(&similarity.to_le_bytes());
        }
    }
    if let Some(date) = record.date {
        out.extend_from_slice(&date.to_le_bytes());
    }
    if let Some(page) = record.page {
        out.extend_from_slice(&(page.page_chars as u64).to_le_bytes());
    }
    for text in [&record.title, &record.source].into_iter().flatten() {
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(record.id.as_bytes());
    out
}

/// Reads the fields of a stored value in order; `None` when it ends early.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64()?))
    }
    fn string(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

fn decode_record(bytes: &[u8]) -> Option<DocRecord> {
    let mut fields = Fields(bytes);
    let text_hash = fields.u64()?;
    let flags = fields.u8()?;
    let words = fields.u32()?;
    let status = match fields.u8()? {
        0 => IndexedStatus::Unique,
        1 => IndexedStatus::Original,
        2 => IndexedStatus::Duplicate {
            of: fields.u32()?,
            similarity: fields.f64()?,
        },
        _ => return None,
    };
    let has = |bit: u8| flags & (1 << bit) != 0;
    let date = if has(0) {
        Some(fields.u64()? as i64)
    } else {
        None
    };
    let page = if has(3) {
        Some(PageOrigin {
            page_chars: fields.u64()? as usize,
            whole_page: has(4),
        })
    } else {
        None
    };
    let title = if has(1) { Some(fields.string()?) } else { None };
    let source = if has(2) { Some(fields.string()?) } else { None };
    Some(DocRecord {
        id: String::from_utf8(fields.0.to_vec()).ok()?,
        date,
        text_hash,
        title,
        source,
        page,
        words,
        status,
    })
}

/// A relation as bytes: the relation, where the text came from, then Jaccard and both shares.
fn encode_relation(relation: &StoredRelation) -> Vec<u8> {
    let mut out = Vec::with_capacity(26);
    out.push(match relation.relation {
        Relation::Copy => 0,
        Relation::Partial => 1,
        Relation::None => 2,
    });
    out.push(match relation.from {
        None => 0,
        Some(PairEnd::Earlier) => 1,
        Some(PairEnd::Later) => 2,
    });
    for figure in [
        relation.jaccard,
        relation.later_share,
        relation.earlier_share,
    ] {
        out.extend_from_slice(&figure.to_le_bytes());
    }
    out
}

fn decode_relation(bytes: &[u8]) -> Option<StoredRelation> {
    let mut fields = Fields(bytes);
    let relation = match fields.u8()? {
        0 => Relation::Copy,
        1 => Relation::Partial,
        _ => return None,
    };
    let from = match fields.u8()? {
        0 => None,
        1 => Some(PairEnd::Earlier),
        2 => Some(PairEnd::Later),
        _ => return None,
    };
    let relation = StoredRelation {
        relation,
        from,
        jaccard: fields.f64()?,
        later_share: fields.f64()?,
        earlier_share: fields.f64()?,
    };
    fields.0.is_empty().then_some(relation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(seed: &str) -> StoredParams {
        StoredParams(vec![
            ("shingle".to_string(), "words:5".to_string()),
            ("seed".to_string(), seed.to_string()),
        ])
    }

    fn record(id: &str, date: Option<i64>, text_hash: u64) -> DocRecord {
        DocRecord {
            id: id.to_string(),
            date,
            text_hash,
            title: None,
            source: None,
            page: None,
            words: 7,
            status: IndexedStatus::Unique,
        }
    }

    fn doc(id: &str, keys: &[u32]) -> NewDoc {
        NewDoc {
            record: record(id, Some(1_700_000_000), id.len() as u64),
            compressed_text: TextCompressor::new()
                .unwrap()
                .compress(&format!("the text of {id}"))
                .unwrap(),
            keys: keys.iter().map(|&k| PostingKey::fingerprint(k)).collect(),
        }
    }

    #[test]
    fn batches_add_documents_and_their_postings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.redb");
        let store = IndexStore::open(&path, &params("42")).unwrap();
        assert_eq!(
            store
                .add_batch(&[doc("a", &[1, 2]), doc("b", &[2, 3])])
                .unwrap(),
            [0, 1]
        );
        assert_eq!(store.add_batch(&[doc("c", &[3, 9])]).unwrap(), [2]);
        let key = |k| PostingKey::fingerprint(k);
        assert_eq!(store.documents_with(&[key(2)]).unwrap(), [0, 1]);
        assert_eq!(store.documents_with(&[key(3), key(1)]).unwrap(), [0, 1, 2]);
        assert!(store.documents_with(&[key(7)]).unwrap().is_empty());
        assert_eq!(store.doc_of("c").unwrap(), Some(2));
        assert_eq!(store.text(1).unwrap().as_deref(), Some("the text of b"));
        assert_eq!(store.record(2).unwrap().unwrap().id, "c");
        assert_eq!(
            store.check().unwrap(),
            CheckReport {
                documents: 3,
                segments: 2,
                postings: 6,
                relations: 0,
            }
        );
        drop(store);
        // Reopened: the same content.
        let store = IndexStore::open(&path, &params("42")).unwrap();
        assert_eq!(store.documents().unwrap(), 3);
        let mut sorted = params("42");
        sorted.0.sort();
        assert_eq!(store.params().unwrap(), sorted);
    }

    #[test]
    fn a_new_index_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open(&dir.path().join("index.redb"), &params("42")).unwrap();
        assert_eq!(store.documents().unwrap(), 0);
        assert!(
            store
                .documents_with(&[PostingKey::fingerprint(1)])
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.doc_of("a").unwrap(), None);
        assert_eq!(store.check().unwrap().documents, 0);
    }

    #[test]
    fn segments_merge_and_every_posting_stays_findable() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open(&dir.path().join("index.redb"), &params("42")).unwrap();
        // 40 batches of 25 documents; document n holds keys n % 17, 100 + n % 5 and
        // 1,000 + n (unique): 3,000 postings, so merged segments span many blocks.
        let keys_of = |n: u32| [n % 17, 100 + n % 5, 1_000 + n];
        let mut next = 0u32;
        for _ in 0..40 {
            let batch: Vec<NewDoc> = (next..next + 25)
                .map(|n| doc(&format!("d{n}"), &keys_of(n)))
                .collect();
            store.add_batch(&batch).unwrap();
            next += 25;
        }
        let report = store.check().unwrap();
        assert_eq!(report.documents, 1_000);
        assert_eq!(report.postings, 3_000);
        // Tiers of 25, 100, 400 documents: at most 3 segments each, against 40 batches.
        assert!(report.segments <= 9, "{report:?}");
        for key in [0, 5, 16, 100, 104, 1_000, 1_999] {
            let expected: Vec<u32> = (0..1_000).filter(|&n| keys_of(n).contains(&key)).collect();
            assert_eq!(
                store
                    .documents_with(&[PostingKey::fingerprint(key)])
                    .unwrap(),
                expected,
                "key {key}"
            );
        }
        // Looked up together, the keys give the same postings, each once.
        let keys = [16, 0, 104, 5, 1_999, 100, 1_000, 0];
        let expected: Vec<(PostingKey, u32)> = {
            let mut all: Vec<(PostingKey, u32)> = (0..1_000)
                .flat_map(|n| keys_of(n).map(|k| (PostingKey::fingerprint(k), n)))
                .filter(|(k, _)| keys.iter().any(|&w| PostingKey::fingerprint(w) == *k))
                .collect();
            all.sort_unstable();
            all
        };
        let asked: Vec<PostingKey> = keys.iter().map(|&k| PostingKey::fingerprint(k)).collect();
        assert_eq!(store.postings_of(&asked).unwrap(), expected);
    }

    #[test]
    fn a_key_in_more_documents_than_a_block_holds_keeps_every_posting() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open(&dir.path().join("index.redb"), &params("42")).unwrap();
        // Key 5 in every document: its postings fill several blocks that all start with it.
        for round in 0..4u32 {
            let batch: Vec<NewDoc> = (round * 300..(round + 1) * 300)
                .map(|n| doc(&format!("d{n}"), &[5, 10_000 + n]))
                .collect();
            store.add_batch(&batch).unwrap();
        }
        let all: Vec<u32> = (0..1_200).collect();
        assert_eq!(
            store.documents_with(&[PostingKey::fingerprint(5)]).unwrap(),
            all
        );
        assert_eq!(store.check().unwrap().postings, 2_400);
    }

    /// A segment of more blocks than a filter chunk covers: every key is found by the writer,
    /// which reads the chunks a look-up needs, and by a reader, which holds them all; keys
    /// that are absent are not, and `check` counts every posting.
    #[test]
    fn keys_are_found_across_filter_chunks_by_writers_and_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.redb");
        let store = IndexStore::open(&path, &params("42")).unwrap();
        let docs = 4_000u32;
        let keys_of = |n: u32| -> Vec<u32> {
            (0..40)
                .map(|k| (n * 40 + k).wrapping_mul(2_654_435_761))
                .collect()
        };
        let batch: Vec<NewDoc> = (0..docs)
            .map(|n| doc(&format!("d{n}"), &keys_of(n)))
            .collect();
        store.add_batch(&batch).unwrap();
        let blocks = (docs as usize * 40).div_ceil(BLOCK_POSTINGS);
        assert!(
            blocks > 2 * FILTER_CHUNK_BLOCKS,
            "{blocks} blocks make three chunks"
        );
        let probe: Vec<u32> = (0..docs).step_by(97).collect();
        let present: Vec<PostingKey> = probe
            .iter()
            .map(|&n| PostingKey::fingerprint(keys_of(n)[7]))
            .collect();
        let absent: Vec<PostingKey> = (0..50u32)
            .map(|n| PostingKey::fingerprint(n.wrapping_mul(2_654_435_761) ^ 0x5555_5555))
            .filter(|k| {
                !(0..docs).any(|n| keys_of(n).iter().any(|&x| PostingKey::fingerprint(x) == *k))
            })
            .collect();
        assert_eq!(store.documents_with(&present).unwrap(), probe);
        assert!(store.documents_with(&absent).unwrap().is_empty());
        assert_eq!(store.check().unwrap().postings, u64::from(docs) * 40);
        drop(store);
        let reader = IndexStore::open_read(&path, None).unwrap();
        assert_eq!(reader.documents_with(&present).unwrap(), probe);
        assert!(reader.documents_with(&absent).unwrap().is_empty());
    }

    #[test]
    fn an_index_of_another_format_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.redb");
        let store = IndexStore::open(&path, &params("42")).unwrap();
        let txn = store.writer().unwrap().begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("format", "99")
            .unwrap();
        txn.commit().unwrap();
        drop(store);
        for error in [
            IndexStore::open(&path, &params("42")).err().unwrap(),
            IndexStore::open_read(&path, None).err().unwrap(),
        ] {
            assert!(
                matches!(error, Error::IndexFormat { found: 99, .. }),
                "{error}"
            );
            assert!(error.to_string().contains("rebuild the index"), "{error}");
        }
    }

    #[test]
    fn other_parameters_are_refused_with_both_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.redb");
        drop(IndexStore::open(&path, &params("42")).unwrap());
        let error = IndexStore::open(&path, &params("7"))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("seed is 42 in the index, 7 here"), "{error}");
    }

    #[test]
    fn a_second_open_of_the_same_file_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.redb");
        let _first = IndexStore::open(&path, &params("42")).unwrap();
        let error = IndexStore::open(&path, &params("42")).err().unwrap();
        assert!(matches!(error, Error::IndexBusy { .. }), "{error}");
        assert!(error.to_string().contains("index.redb"), "{error}");
    }

    #[test]
    fn records_round_trip() {
        for record in [
            record("x", None, 9),
            DocRecord {
                title: Some("A headline".to_string()),
                source: Some("wire".to_string()),
                page: Some(PageOrigin {
                    page_chars: 12_345,
                    whole_page: true,
                }),
                status: IndexedStatus::Duplicate {
                    of: 3,
                    similarity: 0.875,
                },
                ..record("ünïcode id", Some(-5), u64::MAX)
            },
            DocRecord {
                status: IndexedStatus::Original,
                ..record("", Some(0), 0)
            },
        ] {
            assert_eq!(decode_record(&encode_record(&record)), Some(record));
        }
        assert_eq!(decode_record(&[1, 2]), None);
    }

    #[test]
    fn relations_round_trip_and_are_found_by_their_later_document() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::open(&dir.path().join("index.redb"), &params("42")).unwrap();
        let copy = StoredRelation {
            relation: Relation::Copy,
            jaccard: 0.9,
            later_share: 1.0,
            earlier_share: 0.95,
            from: Some(PairEnd::Earlier),
        };
        let partial = StoredRelation {
            relation: Relation::Partial,
            from: None,
            ..copy
        };
        assert_eq!(decode_relation(&encode_relation(&copy)), Some(copy));
        store
            .write_batch(&BatchWrite {
                docs: vec![doc("a", &[1]), doc("b", &[1]), doc("c", &[2])],
                records: Vec::new(),
                relations: vec![((1, 0), Some(copy)), ((2, 0), Some(partial))],
            })
            .unwrap();
        assert_eq!(store.relations_of(1).unwrap(), [(0, copy)]);
        store
            .write_batch(&BatchWrite {
                docs: vec![doc("d", &[2])],
                records: vec![(
                    0,
                    DocRecord {
                        status: IndexedStatus::Original,
                        ..record("a", Some(1_700_000_000), 1)
                    },
                )],
                relations: vec![((2, 0), None), ((3, 2), Some(partial))],
            })
            .unwrap();
        assert_eq!(
            store.relations().unwrap(),
            [((1, 0), copy), ((3, 2), partial)]
        );
        assert_eq!(
            store.record(0).unwrap().unwrap().status,
            IndexedStatus::Original
        );
    }

    #[test]
    fn a_reader_sees_the_last_commit_beside_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.redb");
        let writer = IndexStore::open(&path, &params("42")).unwrap();
        writer.add_batch(&[doc("a", &[1])]).unwrap();
        let reader = IndexStore::open_read(&path, Some(&params("42"))).unwrap();
        assert_eq!(reader.documents().unwrap(), 1);
        writer.add_batch(&[doc("b", &[1])]).unwrap();
        assert_eq!(reader.documents().unwrap(), 2);
        assert!(reader.add_batch(&[doc("c", &[1])]).is_err());
        let error = IndexStore::open_read(&path, Some(&params("7")))
            .err()
            .unwrap();
        assert!(matches!(error, Error::IndexParams { .. }), "{error}");
    }
}
