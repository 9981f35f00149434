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
    BLOCK_POSTINGS, PostingKey, blocks_for, decode_block, documents_in_block, encode_block,
    encode_segment,
};

/// The layout this reprint writes. A file of a newer layout is refused with a message that
/// says so; an older one is migrated or refused by the reprint that reads it.
pub const FORMAT_VERSION: u32 = 1;

/// zstd level of stored texts: level 3, zstd's own default, compresses news text about 2.5×
/// at hundreds of MB/s, so storing a text costs less than reading it did.
const TEXT_LEVEL: i32 = 3;

const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const RECORDS: TableDefinition<u32, &[u8]> = TableDefinition::new("records");
const IDS: TableDefinition<&str, u32> = TableDefinition::new("ids");
const TEXTS: TableDefinition<u32, &[u8]> = TableDefinition::new("texts");
/// Key: segment number (4 bytes, big-endian) and the block's first key (8 bytes).
const BLOCKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("blocks");
/// Key: a segment's first document. Value: its number (in [`BLOCKS`]) and its number of
/// documents. Segments cover the documents in order, without gaps.
const SEGMENTS: TableDefinition<u32, (u32, u32)> = TableDefinition::new("segments");

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRecord {
    /// The document's id as given.
    pub id: String,
    /// Its date, seconds since the Unix epoch (UTC), if it had one.
    pub date: Option<i64>,
    /// A hash of its text, to tell a re-sent record from a different text under the same id.
    pub text_hash: u64,
}

/// A document to add, with its postings.
#[derive(Debug, Clone)]
pub struct NewDoc {
    /// Its record.
    pub record: DocRecord,
    /// Its text (stored compressed).
    pub text: String,
    /// Its posting keys: band keys and fingerprints.
    pub keys: Vec<PostingKey>,
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
}

/// An open index.
pub struct IndexStore {
    db: redb::Database,
    path: PathBuf,
    /// The first keys of each segment's blocks, read once: a segment's blocks never change
    /// (a merge writes a new segment under a new number), so an entry never goes stale.
    block_index: std::sync::Mutex<ahash::AHashMap<u32, std::sync::Arc<Vec<PostingKey>>>>,
}

/// redb's page cache: enough for the blocks of a merge and the upper levels of the B-trees,
/// and well under the memory budget of adding a million documents (redb's own default is
/// 1 GiB).
const CACHE_BYTES: usize = 256 << 20;

impl IndexStore {
    /// Opens the index at `path`, creating it with `params` if it does not exist. Fails when
    /// another process has it open, when it was built with other parameters, or when its
    /// format is newer than this reprint's.
    pub fn open(path: &Path, params: &StoredParams) -> Result<Self> {
        let db = redb::Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(|e| database_error(path, e))?;
        let store = IndexStore {
            db,
            path: path.to_path_buf(),
            block_index: Default::default(),
        };
        store.check_or_write_params(params)?;
        Ok(store)
    }

    fn check_or_write_params(&self, params: &StoredParams) -> Result<()> {
        let txn = self.db.begin_write().map_err(|e| self.error(e))?;
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
                    if format > FORMAT_VERSION {
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
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
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

    /// Adds `docs` as one segment, atomically: after a crash, either all of them are in the
    /// index or none. Returns the document numbers they were given.
    pub fn add_batch(&self, docs: &[NewDoc]) -> Result<Vec<u32>> {
        let txn = self.db.begin_write().map_err(|e| self.error(e))?;
        let numbers;
        {
            let mut segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
            let first_doc = match segments.last().map_err(|e| self.error(e))? {
                Some((first, value)) => first.value() + value.value().1,
                None => 0,
            };
            let segment = self.next_segment(&txn)?;
            numbers = (first_doc..first_doc + docs.len() as u32).collect::<Vec<u32>>();
            let mut records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
            let mut ids = txn.open_table(IDS).map_err(|e| self.error(e))?;
            let mut texts = txn.open_table(TEXTS).map_err(|e| self.error(e))?;
            let mut postings = Vec::new();
            for (doc, &number) in docs.iter().zip(&numbers) {
                records
                    .insert(number, encode_record(&doc.record).as_slice())
                    .map_err(|e| self.error(e))?;
                ids.insert(doc.record.id.as_str(), number)
                    .map_err(|e| self.error(e))?;
                let compressed = zstd::encode_all(doc.text.as_bytes(), TEXT_LEVEL)
                    .map_err(|e| Error::io(&self.path, e))?;
                texts
                    .insert(number, compressed.as_slice())
                    .map_err(|e| self.error(e))?;
                postings.extend(doc.keys.iter().map(|&key| (key, number)));
            }
            let mut blocks = txn.open_table(BLOCKS).map_err(|e| self.error(e))?;
            for block in encode_segment(postings, first_doc) {
                blocks
                    .insert(
                        block_key(segment, block.first_key).as_slice(),
                        block.bytes.as_slice(),
                    )
                    .map_err(|e| self.error(e))?;
            }
            segments
                .insert(first_doc, (segment, docs.len() as u32))
                .map_err(|e| self.error(e))?;
        }
        txn.commit().map_err(|e| self.error(e))?;
        while self.merge_due()? {}
        Ok(numbers)
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
        let read = self.db.begin_read().map_err(|e| self.error(e))?;
        let segments: Vec<(u32, u32, u32)> = {
            let table = read.open_table(SEGMENTS).map_err(|e| self.error(e))?;
            table
                .iter()
                .map_err(|e| self.error(e))?
                .map(|entry| {
                    let (first, value) = entry.map_err(|e| self.error(e))?;
                    let (id, count) = value.value();
                    Ok((first.value(), id, count))
                })
                .collect::<Result<_>>()?
        };
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
            let (low, high) = (
                block_key(id, PostingKey(0)),
                block_key(id, PostingKey(u64::MAX)),
            );
            let range = blocks
                .range(low.as_slice()..=high.as_slice())
                .map_err(|e| self.error(e))?;
            sources.push(SegmentReader {
                blocks: range,
                first_doc: source_first,
                current: Vec::new().into_iter(),
            });
        }
        let write = self.db.begin_write().map_err(|e| self.error(e))?;
        let merged = self.next_segment(&write)?;
        {
            let mut out = write.open_table(BLOCKS).map_err(|e| self.error(e))?;
            let mut heap = std::collections::BinaryHeap::new();
            for (at, source) in sources.iter_mut().enumerate() {
                if let Some(posting) = source.next_posting(self)? {
                    heap.push(std::cmp::Reverse((posting, at)));
                }
            }
            let mut chunk = Vec::with_capacity(BLOCK_POSTINGS);
            while let Some(std::cmp::Reverse((posting, at))) = heap.pop() {
                chunk.push(posting);
                if chunk.len() == BLOCK_POSTINGS {
                    self.write_block(&mut out, merged, &chunk, first_doc)?;
                    chunk.clear();
                }
                if let Some(next) = sources[at].next_posting(self)? {
                    heap.push(std::cmp::Reverse((next, at)));
                }
            }
            if !chunk.is_empty() {
                self.write_block(&mut out, merged, &chunk, first_doc)?;
            }
            for &(_, id, _) in tail {
                let (low, high) = (
                    block_key(id, PostingKey(0)),
                    block_key(id, PostingKey(u64::MAX)),
                );
                out.retain_in(low.as_slice()..=high.as_slice(), |_, _| false)
                    .map_err(|e| self.error(e))?;
            }
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

    fn write_block(
        &self,
        out: &mut redb::Table<&'static [u8], &'static [u8]>,
        segment: u32,
        chunk: &[(PostingKey, u32)],
        first_doc: u32,
    ) -> Result<()> {
        let block = encode_block(chunk, first_doc);
        out.insert(
            block_key(segment, block.first_key).as_slice(),
            block.bytes.as_slice(),
        )
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The documents holding any of `keys`, sorted and without repeats.
    pub fn documents_with(&self, keys: &[PostingKey]) -> Result<Vec<u32>> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
        let segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
        let blocks = txn.open_table(BLOCKS).map_err(|e| self.error(e))?;
        let mut found = Vec::new();
        for entry in segments.iter().map_err(|e| self.error(e))? {
            let (first_doc, value) = entry.map_err(|e| self.error(e))?;
            let (first_doc, (segment, _)) = (first_doc.value(), value.value());
            let first_keys = self.cached_first_keys(&blocks, segment)?;
            for &key in &keys {
                for at in blocks_for(&first_keys, key) {
                    let bytes = blocks
                        .get(block_key(segment, first_keys[at]).as_slice())
                        .map_err(|e| self.error(e))?
                        .ok_or_else(|| self.corrupt("a block vanished while read"))?;
                    documents_in_block(first_keys[at], bytes.value(), first_doc, key, &mut found)?;
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// [`Self::first_keys`], read once per segment.
    fn cached_first_keys(
        &self,
        blocks: &impl ReadableTable<&'static [u8], &'static [u8]>,
        segment: u32,
    ) -> Result<std::sync::Arc<Vec<PostingKey>>> {
        if let Some(keys) = self.block_index.lock().expect("not poisoned").get(&segment) {
            return Ok(keys.clone());
        }
        let keys = std::sync::Arc::new(self.first_keys(blocks, segment)?);
        self.block_index
            .lock()
            .expect("not poisoned")
            .insert(segment, keys.clone());
        Ok(keys)
    }

    /// Gives back the space of deleted and merged segments, so the file shrinks.
    pub fn compact(&mut self) -> Result<()> {
        self.db.compact().map_err(|e| self.error(e))?;
        Ok(())
    }

    fn first_keys(
        &self,
        blocks: &impl ReadableTable<&'static [u8], &'static [u8]>,
        segment: u32,
    ) -> Result<Vec<PostingKey>> {
        let (low, high) = (
            block_key(segment, PostingKey(0)),
            block_key(segment, PostingKey(u64::MAX)),
        );
        let mut first_keys = Vec::new();
        for entry in blocks
            .range(low.as_slice()..=high.as_slice())
            .map_err(|e| self.error(e))?
        {
            let (key, _) = entry.map_err(|e| self.error(e))?;
            let key = key.value();
            first_keys.push(PostingKey(u64::from_be_bytes(
                key[4..12]
                    .try_into()
                    .map_err(|_| self.corrupt("a block key"))?,
            )));
        }
        Ok(first_keys)
    }

    /// A document's record.
    pub fn record(&self, doc: u32) -> Result<Option<DocRecord>> {
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        let record = records.get(doc).map_err(|e| self.error(e))?;
        record
            .map(|r| decode_record(r.value()).ok_or_else(|| self.corrupt("a record")))
            .transpose()
    }

    /// The document number of `id`.
    pub fn doc_of(&self, id: &str) -> Result<Option<u32>> {
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
        let ids = txn.open_table(IDS).map_err(|e| self.error(e))?;
        Ok(ids.get(id).map_err(|e| self.error(e))?.map(|v| v.value()))
    }

    /// A document's text.
    pub fn text(&self, doc: u32) -> Result<Option<String>> {
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
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
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        Ok(records.len().map_err(|e| self.error(e))? as u32)
    }

    /// Checks that every table agrees with the others: each segment's documents have records,
    /// ids and texts, each id names its document, and every block decodes to postings of its
    /// segment's documents in order. The first inconsistency is an error naming it.
    pub fn check(&self) -> Result<CheckReport> {
        let txn = self.db.begin_read().map_err(|e| self.error(e))?;
        let segments = txn.open_table(SEGMENTS).map_err(|e| self.error(e))?;
        let records = txn.open_table(RECORDS).map_err(|e| self.error(e))?;
        let ids = txn.open_table(IDS).map_err(|e| self.error(e))?;
        let texts = txn.open_table(TEXTS).map_err(|e| self.error(e))?;
        let blocks = txn.open_table(BLOCKS).map_err(|e| self.error(e))?;
        let mut expected_first = 0u32;
        let mut report = CheckReport {
            documents: 0,
            segments: 0,
            postings: 0,
        };
        for entry in segments.iter().map_err(|e| self.error(e))? {
            let (first_doc, value) = entry.map_err(|e| self.error(e))?;
            let (first_doc, (segment, count)) = (first_doc.value(), value.value());
            if first_doc != expected_first {
                return Err(self.corrupt(&format!(
                    "segment {segment} starts at document {first_doc}, not {expected_first}"
                )));
            }
            expected_first = first_doc + count;
            for doc in first_doc..first_doc + count {
                let record = records
                    .get(doc)
                    .map_err(|e| self.error(e))?
                    .ok_or_else(|| self.corrupt(&format!("document {doc} has no record")))?;
                let record = decode_record(record.value())
                    .ok_or_else(|| self.corrupt(&format!("document {doc}'s record")))?;
                let named = ids.get(record.id.as_str()).map_err(|e| self.error(e))?;
                if named.map(|v| v.value()) != Some(doc) {
                    return Err(
                        self.corrupt(&format!("id {:?} does not name document {doc}", record.id))
                    );
                }
                if texts.get(doc).map_err(|e| self.error(e))?.is_none() {
                    return Err(self.corrupt(&format!("document {doc} has no text")));
                }
            }
            let mut previous: Option<(PostingKey, u32)> = None;
            for first_key in self.first_keys(&blocks, segment)? {
                let bytes = blocks
                    .get(block_key(segment, first_key).as_slice())
                    .map_err(|e| self.error(e))?
                    .ok_or_else(|| self.corrupt("a block vanished while read"))?;
                let postings = decode_block(first_key, bytes.value(), first_doc)?;
                for posting in postings {
                    if posting.1 >= first_doc + count || previous.is_some_and(|p| p >= posting) {
                        return Err(self.corrupt(&format!(
                            "segment {segment} holds a posting out of order or of another segment"
                        )));
                    }
                    previous = Some(posting);
                    report.postings += 1;
                }
            }
            report.segments += 1;
        }
        report.documents = expected_first;
        let counts = [
            ("records", records.len().map_err(|e| self.error(e))?),
            ("ids", ids.len().map_err(|e| self.error(e))?),
            ("texts", texts.len().map_err(|e| self.error(e))?),
        ];
        for (table, count) in counts {
            if count != u64::from(report.documents) {
                return Err(self.corrupt(&format!(
                    "{count} {table} for {} documents",
                    report.documents
                )));
            }
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
struct SegmentReader<'a> {
    blocks: redb::Range<'a, &'static [u8], &'static [u8]>,
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
            let (key, bytes) = entry.map_err(|e| store.error(e))?;
            let key = key.value();
            let first_key = PostingKey(u64::from_be_bytes(
                key[4..12]
                    .try_into()
                    .map_err(|_| store.corrupt("a block key"))?,
            ));
            self.current = decode_block(first_key, bytes.value(), self.first_doc)?.into_iter();
        }
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

fn block_key(segment: u32, first_key: PostingKey) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..4].copy_from_slice(&segment.to_be_bytes());
    key[4..].copy_from_slice(&first_key.0.to_be_bytes());
    key
}

/// A record as bytes: the text hash, a date flag and the date, then the id.
fn encode_record(record: &DocRecord) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(17 + record.id.len());
    bytes.extend_from_slice(&record.text_hash.to_le_bytes());
    match record.date {
        Some(date) => {
            bytes.push(1);
            bytes.extend_from_slice(&date.to_le_bytes());
        }
        None => bytes.push(0),
    }
    bytes.extend_from_slice(record.id.as_bytes());
    bytes
}

fn decode_record(bytes: &[u8]) -> Option<DocRecord> {
    let text_hash = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let (date, rest) = match bytes.get(8)? {
        0 => (None, &bytes[9..]),
        1 => (
            Some(i64::from_le_bytes(bytes.get(9..17)?.try_into().ok()?)),
            &bytes[17..],
        ),
        _ => return None,
    };
    Some(DocRecord {
        id: String::from_utf8(rest.to_vec()).ok()?,
        date,
        text_hash,
    })
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

    fn doc(id: &str, keys: &[u32]) -> NewDoc {
        NewDoc {
            record: DocRecord {
                id: id.to_string(),
                date: Some(1_700_000_000),
                text_hash: id.len() as u64,
            },
            text: format!("the text of {id}"),
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
                postings: 6
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
            DocRecord {
                id: "x".to_string(),
                date: None,
                text_hash: 9,
            },
            DocRecord {
                id: "ünïcode id".to_string(),
                date: Some(-5),
                text_hash: u64::MAX,
            },
        ] {
            assert_eq!(decode_record(&encode_record(&record)), Some(record));
        }
        assert_eq!(decode_record(&[1, 2]), None);
    }
}
