//! Compares redb, fjall and SQLite (rusqlite) on the workload of a persistent reprint index:
//! per document 30 LSH band-key postings, about 130 winnowed fingerprint postings, a metadata
//! record and the main text compressed with zstd, committed in batches. Prints insert
//! throughput, point-query latency percentiles, size on disk and what a SIGKILL during inserts
//! leaves behind.
//!
//! Usage:
//!   store-compare TEXTS.jsonl DOCS [redb|fjall|sqlite]...   throughput, latency, size
//!   store-compare --crash TEXTS.jsonl KILLS [redb|fjall|sqlite]...   SIGKILL during inserts
//!   store-compare --packed TEXTS.jsonl DOCS [redb|fjall]...   postings packed in blocks

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Band keys per document: 30 bands, reprint's default shape at threshold 0.5.
const BANDS: usize = 30;
/// Fingerprints per document: about 2/9 of 600 shingles with a window of 8.
const FINGERPRINTS: usize = 130;
/// Documents per committed batch.
const BATCH: usize = 10_000;
/// Share of documents that copy an earlier one (and share most of its keys).
const COPY_EVERY: u32 = 3;

struct Doc {
    id: u32,
    bands: Vec<u64>,
    fingerprints: Vec<u32>,
    meta: Vec<u8>,
    text: Vec<u8>,
}

/// SplitMix64: a seeded stream, so every run makes the same documents.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn make_doc(id: u32, texts: &[String]) -> Doc {
    // A copy shares 20 of 30 band keys and 100 of 130 fingerprints with its source.
    let source = if id % COPY_EVERY == 1 && id > 0 {
        (mix(u64::from(id)) % u64::from(id)) as u32
    } else {
        id
    };
    let bands = (0..BANDS as u64)
        .map(|b| {
            let owner = if b < 20 { source } else { id };
            mix(u64::from(owner) << 8 | b)
        })
        .collect();
    let fingerprints = (0..FINGERPRINTS as u64)
        .map(|f| {
            let owner = if f < 100 { source } else { id };
            mix(u64::from(owner) << 16 | f | 1 << 40) as u32
        })
        .collect();
    let text = &texts[id as usize % texts.len()];
    let meta = format!(
        "{{\"id\":\"doc-{id:08}\",\"date\":\"2026-01-{:02}T00:00:00Z\",\"words\":{},\"status\":\"unique\"}}",
        1 + id % 28,
        text.len() / 6
    )
    .into_bytes();
    Doc {
        id,
        bands,
        fingerprints,
        meta,
        text: zstd::encode_all(text.as_bytes(), 3).expect("zstd"),
    }
}

fn band_key(band: u64, doc: u32) -> [u8; 13] {
    let mut key = [0u8; 13];
    key[0] = b'b';
    key[1..9].copy_from_slice(&band.to_be_bytes());
    key[9..].copy_from_slice(&doc.to_be_bytes());
    key
}

fn fingerprint_key(fingerprint: u32, doc: u32) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = b'f';
    key[1..5].copy_from_slice(&fingerprint.to_be_bytes());
    key[5..].copy_from_slice(&doc.to_be_bytes());
    key
}

/// What each store does for the index.
trait Store {
    fn add_batch(&mut self, docs: &[Doc]);
    /// Postings found for a document's keys.
    fn query(&self, doc: &Doc) -> usize;
    /// (documents, postings, texts) committed.
    fn counts(&self) -> (usize, usize, usize);
}

// ---------------------------------------------------------------- redb

const REDB_POSTINGS: redb::TableDefinition<&[u8], ()> = redb::TableDefinition::new("postings");
const REDB_DOCS: redb::TableDefinition<u32, &[u8]> = redb::TableDefinition::new("docs");
const REDB_TEXTS: redb::TableDefinition<u32, &[u8]> = redb::TableDefinition::new("texts");

struct Redb(redb::Database);

impl Redb {
    fn open(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        Redb(redb::Database::create(dir.join("index.redb")).unwrap())
    }
}

impl Store for Redb {
    fn add_batch(&mut self, docs: &[Doc]) {
        let txn = self.0.begin_write().unwrap();
        {
            let mut postings = txn.open_table(REDB_POSTINGS).unwrap();
            let mut meta = txn.open_table(REDB_DOCS).unwrap();
            let mut texts = txn.open_table(REDB_TEXTS).unwrap();
            for doc in docs {
                for &band in &doc.bands {
                    postings.insert(&band_key(band, doc.id)[..], ()).unwrap();
                }
                for &fp in &doc.fingerprints {
                    postings
                        .insert(&fingerprint_key(fp, doc.id)[..], ())
                        .unwrap();
                }
                meta.insert(doc.id, &doc.meta[..]).unwrap();
                texts.insert(doc.id, &doc.text[..]).unwrap();
            }
        }
        txn.commit().unwrap();
    }

    fn query(&self, doc: &Doc) -> usize {
        use redb::ReadableDatabase;
        let txn = self.0.begin_read().unwrap();
        let postings = txn.open_table(REDB_POSTINGS).unwrap();
        let mut found = 0;
        for &band in &doc.bands {
            let (lo, hi) = (band_key(band, 0), band_key(band, u32::MAX));
            found += postings.range(&lo[..]..=&hi[..]).unwrap().count();
        }
        for &fp in &doc.fingerprints {
            let (lo, hi) = (fingerprint_key(fp, 0), fingerprint_key(fp, u32::MAX));
            found += postings.range(&lo[..]..=&hi[..]).unwrap().count();
        }
        found
    }

    fn counts(&self) -> (usize, usize, usize) {
        use redb::{ReadableDatabase, ReadableTableMetadata};
        let txn = self.0.begin_read().unwrap();
        let docs = txn.open_table(REDB_DOCS).map_or(0, |t| t.len().unwrap());
        let postings = txn
            .open_table(REDB_POSTINGS)
            .map_or(0, |t| t.len().unwrap());
        let texts = txn.open_table(REDB_TEXTS).map_or(0, |t| t.len().unwrap());
        (docs as usize, postings as usize, texts as usize)
    }
}

// ---------------------------------------------------------------- fjall

struct Fjall {
    db: fjall::Database,
    postings: fjall::Keyspace,
    docs: fjall::Keyspace,
    texts: fjall::Keyspace,
}

impl Fjall {
    fn open(dir: &Path) -> Self {
        let db = fjall::Database::builder(dir).open().unwrap();
        let postings = db
            .keyspace("postings", fjall::KeyspaceCreateOptions::default)
            .unwrap();
        let docs = db
            .keyspace("docs", fjall::KeyspaceCreateOptions::default)
            .unwrap();
        let texts = db
            .keyspace("texts", fjall::KeyspaceCreateOptions::default)
            .unwrap();
        Fjall {
            db,
            postings,
            docs,
            texts,
        }
    }
}

impl Store for Fjall {
    fn add_batch(&mut self, docs: &[Doc]) {
        let mut batch = self.db.batch();
        for doc in docs {
            for &band in &doc.bands {
                batch.insert(&self.postings, band_key(band, doc.id), []);
            }
            for &fp in &doc.fingerprints {
                batch.insert(&self.postings, fingerprint_key(fp, doc.id), []);
            }
            batch.insert(&self.docs, doc.id.to_be_bytes(), doc.meta.as_slice());
            batch.insert(&self.texts, doc.id.to_be_bytes(), doc.text.as_slice());
        }
        batch.commit().unwrap();
        self.db.persist(fjall::PersistMode::SyncAll).unwrap();
    }

    fn query(&self, doc: &Doc) -> usize {
        let mut found = 0;
        for &band in &doc.bands {
            let prefix = &band_key(band, 0)[..9];
            found += self.postings.prefix(prefix).count();
        }
        for &fp in &doc.fingerprints {
            let prefix = &fingerprint_key(fp, 0)[..5];
            found += self.postings.prefix(prefix).count();
        }
        found
    }

    fn counts(&self) -> (usize, usize, usize) {
        (
            self.docs.iter().count(),
            self.postings.iter().count(),
            self.texts.iter().count(),
        )
    }
}

// ---------------------------------------------------------------- SQLite

struct Sqlite(rusqlite::Connection);

impl Sqlite {
    fn open(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let conn = rusqlite::Connection::open(dir.join("index.sqlite")).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS postings (key BLOB NOT NULL, doc INTEGER NOT NULL,
                 PRIMARY KEY (key, doc)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS docs (doc INTEGER PRIMARY KEY, meta BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS texts (doc INTEGER PRIMARY KEY, text BLOB NOT NULL);",
        )
        .unwrap();
        Sqlite(conn)
    }
}

impl Store for Sqlite {
    fn add_batch(&mut self, docs: &[Doc]) {
        let txn = self.0.transaction().unwrap();
        {
            let mut posting = txn
                .prepare_cached("INSERT INTO postings (key, doc) VALUES (?1, ?2)")
                .unwrap();
            for doc in docs {
                for &band in &doc.bands {
                    posting
                        .execute(rusqlite::params![&band_key(band, 0)[..9], doc.id])
                        .unwrap();
                }
                for &fp in &doc.fingerprints {
                    posting
                        .execute(rusqlite::params![&fingerprint_key(fp, 0)[..5], doc.id])
                        .unwrap();
                }
            }
            let mut meta = txn
                .prepare_cached("INSERT INTO docs (doc, meta) VALUES (?1, ?2)")
                .unwrap();
            let mut text = txn
                .prepare_cached("INSERT INTO texts (doc, text) VALUES (?1, ?2)")
                .unwrap();
            for doc in docs {
                meta.execute(rusqlite::params![doc.id, doc.meta]).unwrap();
                text.execute(rusqlite::params![doc.id, doc.text]).unwrap();
            }
        }
        txn.commit().unwrap();
    }

    fn query(&self, doc: &Doc) -> usize {
        let mut statement = self
            .0
            .prepare_cached("SELECT doc FROM postings WHERE key = ?1")
            .unwrap();
        let mut found = 0;
        let keys = doc
            .bands
            .iter()
            .map(|&b| band_key(b, 0)[..9].to_vec())
            .chain(
                doc.fingerprints
                    .iter()
                    .map(|&f| fingerprint_key(f, 0)[..5].to_vec()),
            );
        for key in keys {
            found += statement
                .query_map([key], |row| row.get::<_, u32>(0))
                .unwrap()
                .count();
        }
        found
    }

    fn counts(&self) -> (usize, usize, usize) {
        let n = |table: &str| -> usize {
            self.0
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap() as usize
        };
        (n("docs"), n("postings"), n("texts"))
    }
}

// ---------------------------------------------------------------- packed segments

/// Postings per block of the packed layout.
const BLOCK: usize = 512;

/// The packed layout: each batch's postings sorted and written as blocks of `BLOCK` postings,
/// delta- and varint-encoded, keyed by (segment, first key of the block). A query looks up,
/// in every segment, the last block whose first key is at most the wanted key.
trait BlockStore {
    fn put_segment(&mut self, segment: u32, blocks: &[(u64, Vec<u8>)], docs: &[Doc]);
    /// For each of `keys`, the block of `segment` with the greatest first key ≤ it.
    fn blocks_at_most(&self, segment: u32, keys: &[u64]) -> Vec<Option<Vec<u8>>>;
    fn segments(&self) -> u32;
    fn doc_count(&self) -> usize;
}

fn varint(mut x: u64, out: &mut Vec<u8>) {
    while x >= 0x80 {
        out.push(x as u8 | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut x = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        x |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return x;
        }
        shift += 7;
    }
}

fn posting_keys(doc: &Doc) -> impl Iterator<Item = u64> + '_ {
    doc.bands
        .iter()
        .map(|&b| b >> 1)
        .chain(doc.fingerprints.iter().map(|&f| 1 << 63 | u64::from(f)))
}

fn encode_blocks(docs: &[Doc]) -> Vec<(u64, Vec<u8>)> {
    let mut postings: Vec<(u64, u32)> = docs
        .iter()
        .flat_map(|d| posting_keys(d).map(move |k| (k, d.id)))
        .collect();
    postings.sort_unstable();
    postings
        .chunks(BLOCK)
        .map(|chunk| {
            let mut bytes = Vec::with_capacity(chunk.len() * 4);
            varint(chunk.len() as u64, &mut bytes);
            let (mut last_key, mut last_doc) = (chunk[0].0, 0u32);
            for &(key, doc) in chunk {
                varint(key - last_key, &mut bytes);
                let doc_delta = if key == last_key { doc - last_doc } else { doc };
                varint(u64::from(doc_delta), &mut bytes);
                last_key = key;
                last_doc = doc;
            }
            (chunk[0].0, bytes)
        })
        .collect()
}

/// Docs of `key` in a block that starts at `first`.
fn block_docs(first: u64, bytes: &[u8], key: u64) -> usize {
    let mut at = 0;
    let n = read_varint(bytes, &mut at);
    let mut k = first;
    let mut found = 0;
    for _ in 0..n {
        k += read_varint(bytes, &mut at);
        // The document (a delta within one key); counting is all a query needs here.
        read_varint(bytes, &mut at);
        if k == key {
            found += 1;
        } else if k > key {
            break;
        }
    }
    found
}

fn packed_query(store: &dyn BlockStore, doc: &Doc) -> usize {
    let mut keys: Vec<u64> = posting_keys(doc).collect();
    keys.sort_unstable();
    let mut found = 0;
    for segment in 0..store.segments() {
        for (block, &key) in store.blocks_at_most(segment, &keys).iter().zip(&keys) {
            if let Some(block) = block {
                let first = u64::from_be_bytes(block[..8].try_into().unwrap());
                found += block_docs(first, &block[8..], key);
            }
        }
    }
    found
}

fn segment_key(segment: u32, first: u64) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..4].copy_from_slice(&segment.to_be_bytes());
    key[4..].copy_from_slice(&first.to_be_bytes());
    key
}

const REDB_BLOCKS: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("blocks");

impl BlockStore for Redb {
    fn put_segment(&mut self, segment: u32, blocks: &[(u64, Vec<u8>)], docs: &[Doc]) {
        let txn = self.0.begin_write().unwrap();
        {
            let mut table = txn.open_table(REDB_BLOCKS).unwrap();
            let mut value = Vec::new();
            for (first, bytes) in blocks {
                value.clear();
                value.extend_from_slice(&first.to_be_bytes());
                value.extend_from_slice(bytes);
                table
                    .insert(&segment_key(segment, *first)[..], &value[..])
                    .unwrap();
            }
            let mut meta = txn.open_table(REDB_DOCS).unwrap();
            let mut texts = txn.open_table(REDB_TEXTS).unwrap();
            for doc in docs {
                meta.insert(doc.id, &doc.meta[..]).unwrap();
                texts.insert(doc.id, &doc.text[..]).unwrap();
            }
        }
        txn.commit().unwrap();
    }

    fn blocks_at_most(&self, segment: u32, keys: &[u64]) -> Vec<Option<Vec<u8>>> {
        use redb::ReadableDatabase;
        let txn = self.0.begin_read().unwrap();
        let table = txn.open_table(REDB_BLOCKS).unwrap();
        keys.iter()
            .map(|&key| {
                let (lo, hi) = (segment_key(segment, 0), segment_key(segment, key));
                let mut range = table.range(&lo[..]..=&hi[..]).unwrap();
                range
                    .next_back()
                    .map(|entry| entry.unwrap().1.value().to_vec())
            })
            .collect()
    }

    fn segments(&self) -> u32 {
        (self.doc_count() as u32).div_ceil(BATCH as u32)
    }

    fn doc_count(&self) -> usize {
        self.counts().0
    }
}

impl BlockStore for Fjall {
    fn put_segment(&mut self, segment: u32, blocks: &[(u64, Vec<u8>)], docs: &[Doc]) {
        let mut batch = self.db.batch();
        for (first, bytes) in blocks {
            let mut value = first.to_be_bytes().to_vec();
            value.extend_from_slice(bytes);
            batch.insert(&self.postings, segment_key(segment, *first), value);
        }
        for doc in docs {
            batch.insert(&self.docs, doc.id.to_be_bytes(), doc.meta.as_slice());
            batch.insert(&self.texts, doc.id.to_be_bytes(), doc.text.as_slice());
        }
        batch.commit().unwrap();
        self.db.persist(fjall::PersistMode::SyncAll).unwrap();
    }

    fn blocks_at_most(&self, segment: u32, keys: &[u64]) -> Vec<Option<Vec<u8>>> {
        keys.iter()
            .map(|&key| {
                let (lo, hi) = (segment_key(segment, 0), segment_key(segment, key));
                self.postings
                    .range(lo..=hi)
                    .next_back()
                    .map(|guard| guard.into_inner().unwrap().1.to_vec())
            })
            .collect()
    }

    fn segments(&self) -> u32 {
        (self.doc_count() as u32).div_ceil(BATCH as u32)
    }

    fn doc_count(&self) -> usize {
        self.docs.iter().count()
    }
}

fn measure_packed(kind: &str, texts: &[String], docs: u32) {
    let dir = PathBuf::from(format!("target/store-compare/packed-{kind}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut store: Box<dyn BlockStore> = match kind {
        "redb" => Box::new(Redb::open(&dir)),
        "fjall" => Box::new(Fjall::open(&dir)),
        other => panic!("packed layout: redb or fjall, not {other}"),
    };
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut text_bytes = 0u64;
    let mut segment = 0;
    for id in 0..docs {
        let doc = make_doc(id, texts);
        text_bytes += doc.text.len() as u64;
        batch.push(doc);
        if batch.len() == BATCH || id + 1 == docs {
            let blocks = encode_blocks(&batch);
            store.put_segment(segment, &blocks, &batch);
            segment += 1;
            batch.clear();
        }
    }
    let insert = started.elapsed();
    let mut latencies = Vec::new();
    let mut found = 0;
    for q in 0..1_000u64 {
        let doc = make_doc((mix(q) % u64::from(docs)) as u32, texts);
        let t = Instant::now();
        found += packed_query(store.as_ref(), &doc);
        latencies.push(t.elapsed());
    }
    latencies.sort_unstable();
    drop(store);
    let size = disk_size(&dir);
    println!(
        "packed {kind:7} {docs} docs in {segment} segments: insert {:.0} docs/s ({:.1} s); query \
         p50 {:.3} ms p99 {:.3} ms ({} postings found); on disk {:.0} MB, {:.0} B/doc of which \
         text (zstd) {:.0} B/doc",
        f64::from(docs) / insert.as_secs_f64(),
        insert.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        found,
        size as f64 / 1e6,
        size as f64 / f64::from(docs),
        text_bytes as f64 / f64::from(docs),
    );
}

// ---------------------------------------------------------------- driver

fn open(kind: &str, dir: &Path) -> Box<dyn Store> {
    match kind {
        "redb" => Box::new(Redb::open(dir)),
        "fjall" => Box::new(Fjall::open(dir)),
        "sqlite" => Box::new(Sqlite::open(dir)),
        other => panic!("unknown store {other}: redb, fjall or sqlite"),
    }
}

fn disk_size(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            disk_size(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

fn read_texts(path: &str, limit: usize) -> Vec<String> {
    let data = std::fs::read_to_string(path).expect("TEXTS.jsonl");
    data.lines()
        .take(limit)
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["text"].as_str().expect("a text field").to_string()
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let at = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[at].as_secs_f64() * 1e3
}

fn measure(kind: &str, texts: &[String], docs: u32) {
    let dir = PathBuf::from(format!("target/store-compare/{kind}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut store = open(kind, &dir);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut text_bytes = 0u64;
    for id in 0..docs {
        let doc = make_doc(id, texts);
        text_bytes += doc.text.len() as u64;
        batch.push(doc);
        if batch.len() == BATCH || id + 1 == docs {
            store.add_batch(&batch);
            batch.clear();
        }
    }
    let insert = started.elapsed();
    let mut latencies = Vec::new();
    let mut found = 0;
    for q in 0..1_000u64 {
        let doc = make_doc((mix(q) % u64::from(docs)) as u32, texts);
        let t = Instant::now();
        found += store.query(&doc);
        latencies.push(t.elapsed());
    }
    latencies.sort_unstable();
    let (n_docs, n_postings, n_texts) = store.counts();
    drop(store);
    let size = disk_size(&dir);
    println!(
        "{kind:7} {docs} docs: insert {:.0} docs/s ({:.1} s); query p50 {:.3} ms p99 {:.3} ms \
         ({} postings found in 1000 queries); on disk {:.0} MB, {:.0} B/doc of which text \
         (zstd) {:.0} B/doc; counts {n_docs}/{n_postings}/{n_texts}",
        f64::from(docs) / insert.as_secs_f64(),
        insert.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        found,
        size as f64 / 1e6,
        size as f64 / f64::from(docs),
        text_bytes as f64 / f64::from(docs),
    );
}

/// Child of the crash test: adds batches of 1,000 from where the store stands, forever.
fn crash_child(kind: &str, dir: &Path, texts: &[String]) {
    let mut store = open(kind, dir);
    let mut next = store.counts().0 as u32;
    loop {
        let batch: Vec<Doc> = (next..next + 1_000).map(|id| make_doc(id, texts)).collect();
        store.add_batch(&batch);
        next += 1_000;
    }
}

fn crash(kind: &str, texts_path: &str, kills: u32) {
    let dir = PathBuf::from(format!("target/store-compare/crash-{kind}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut consistent = 0;
    for kill in 0..kills {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--child", kind, dir.to_str().unwrap(), texts_path])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500 + mix(u64::from(kill)) % 3_000));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let store = open(kind, &dir);
        let (docs, postings, texts) = store.counts();
        let whole = docs % 1_000 == 0 && postings == docs * (BANDS + FINGERPRINTS) && texts == docs;
        consistent += usize::from(whole);
        println!(
            "{kind:7} kill {kill}: {docs} docs, {postings} postings, {texts} texts: {}",
            if whole {
                "whole batches only"
            } else {
                "HALF A BATCH"
            }
        );
    }
    println!("{kind:7} {consistent} of {kills} kills left whole batches only");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--child") => {
            // Few texts, so that the child starts writing at once.
            let texts = read_texts(&args[3], 500);
            crash_child(&args[1], Path::new(&args[2]), &texts);
        }
        Some("--packed") => {
            let texts = read_texts(&args[1], 20_000);
            let docs: u32 = args[2].parse().expect("DOCS");
            for kind in &args[3..] {
                measure_packed(kind, &texts, docs);
            }
        }
        Some("--crash") => {
            let kills: u32 = args[2].parse().expect("KILLS");
            for kind in &args[3..] {
                crash(kind, &args[1], kills);
            }
        }
        Some(path) if args.len() >= 2 => {
            let texts = read_texts(path, 20_000);
            let docs: u32 = args[1].parse().expect("DOCS");
            let kinds: Vec<&str> = if args.len() > 2 {
                args[2..].iter().map(String::as_str).collect()
            } else {
                vec!["redb", "fjall", "sqlite"]
            };
            for kind in kinds {
                measure(kind, &texts, docs);
            }
        }
        _ => eprintln!(
            "usage: store-compare TEXTS.jsonl DOCS [redb|fjall|sqlite]...\n       \
             store-compare --crash TEXTS.jsonl KILLS [redb|fjall|sqlite]..."
        ),
    }
}
