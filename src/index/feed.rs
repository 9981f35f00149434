//! Feed mode's engine: each batch of records checked against everything indexed before and
//! against the earlier records of the batch, then (for `add`) committed with its relations.
//!
//! A new document is related to every earlier document it shares a band key or enough
//! fingerprints with, as `scan --all-pairs` relates every candidate pair: no exact-duplicate
//! groups, no star buckets. What a scan decides on the whole corpus, the recurring lines (short
//! lines in at least `--template-min-docs` documents, which a document's own text leaves out),
//! is decided here on everything indexed so far and the batch. When a line becomes recurring
//! in a batch, the documents that already held it have their relations verified again, so the
//! stored relations stay those a scan of all the documents would find.

use ahash::{AHashMap, AHashSet};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::Result;
use crate::index::postings::{PostingKey, gallop_partition_point};
use crate::index::store::{
    BatchWrite, DocRecord, IndexStore, IndexedStatus, NewDoc, PairEnd, StoredParams,
    StoredRelation, TextCompressor,
};
use crate::ingest::{Document, Origin, RawRecord};
use crate::pipeline::incremental::{
    ParsedRecord, PreparedDoc, SketchedDoc, TextToRelate, both, line_keys_of_all, map_in_parallel,
    orient, parse_records, prepare, relate_pairs, shares_only_templates, sketch_documents,
    sort_in_parallel,
};
use crate::pipeline::{DocOutcome, DocStatus, RejectReason, Reuse, ScanParams};
use crate::quality::boilerplate::TemplateLines;
use crate::relate::relation::{RelatedPair, Relation};
use crate::verify::align::Passage;

/// Keys per task of a parallel look-up: enough that a task's probes and block reads outweigh
/// handing it to a thread, few enough that a batch's 2 million keys keep every core busy.
const KEYS_PER_LOOKUP_TASK: usize = 1 << 16;

/// What became of one input record in feed mode.
#[derive(Debug)]
pub struct FeedOutcome {
    /// Its outcome, as a scan reports it (status, cluster, original, quality, ...); for a record
    /// already indexed, the stored document's.
    pub doc: DocOutcome,
    /// Its document number in the index (for a record a query checked, the number it would
    /// get), unless it was rejected.
    pub number: Option<u32>,
    /// Whether it was new, already indexed, or rejected.
    pub state: FeedState,
    /// Its copy and partial relations with earlier documents.
    pub relations: Vec<FeedRelation>,
    /// The ids of documents in the index, by number, that the outcome names.
    pub names: AHashMap<u32, String>,
}

/// A batch checked against the index, to be committed: its outcomes, what it writes, and the
/// new documents' texts, in order, to compress into the write.
struct PendingBatch {
    outcomes: Vec<FeedOutcome>,
    write: BatchWrite,
    texts: Vec<String>,
}

/// Adds batches one after another, each prepared (read and sketched) while the batch before
/// is compressed and written: on two cores the first pass of one batch keeps a core busy
/// while the other commits the last, which is mostly serial. A batch's outcomes are given
/// back once it is committed, by the next call or by [`Adder::finish`]; a batch not yet
/// committed when the adder is dropped is not in the index, as after a crash.
pub struct Adder<'i> {
    index: &'i FeedIndex,
    pending: Option<PendingBatch>,
}

impl Adder<'_> {
    /// Checks `records` against the index (after committing the batch before, which is
    /// written while these are read): the outcomes of the batch committed by this call.
    pub fn add(&mut self, records: Vec<RawRecord>) -> Result<Vec<FeedOutcome>> {
        let index = self.index;
        let pending = self.pending.take();
        let (prepared, committed) = both(
            || index.prepare(records),
            || pending.map(|p| index.commit(p)).transpose(),
        );
        let committed = committed?.unwrap_or_default();
        self.pending = Some(index.relate_batch(prepared?, true)?);
        Ok(committed)
    }

    /// Commits the last batch: its outcomes.
    pub fn finish(mut self) -> Result<Vec<FeedOutcome>> {
        match self.pending.take() {
            Some(pending) => self.index.commit(pending),
            None => Ok(Vec::new()),
        }
    }
}

/// A batch read and sketched, not yet checked against the index; see [`FeedIndex::prepare`].
pub struct PreparedBatch {
    slots: Vec<Slot>,
}

/// One record of a prepared batch, in input order.
enum Slot {
    /// Unreadable: its outcome is final.
    Done(FeedOutcome),
    /// Its id was indexed (as this document number) when the batch was prepared: not
    /// sketched.
    Indexed(Origin, Document, u32),
    /// Sketched.
    Sketched(SketchedDoc),
}

/// What a record whose id is indexed is compared and reported with.
struct Arrival {
    origin: Origin,
    id: String,
    title: Option<String>,
    source: Option<String>,
    date: Option<i64>,
    text_hash: u64,
}

fn feed_outcome(doc: DocOutcome, state: FeedState) -> FeedOutcome {
    FeedOutcome {
        doc,
        number: None,
        state,
        relations: Vec::new(),
        names: AHashMap::new(),
    }
}

/// Whether a record was new to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedState {
    /// Added (or, for a query, checked as if it were).
    New,
    /// The same id with the same text is indexed already: skipped.
    AlreadyIndexed,
    /// Not usable (the reason is in the outcome).
    Rejected,
}

/// A relation of a feed document with an earlier one.
#[derive(Debug, Clone)]
pub struct FeedRelation {
    /// The earlier document's number.
    pub other: u32,
    /// The relation and its figures (shares as the later and the earlier document's).
    pub stored: StoredRelation,
    /// The shared passages, `a` being the earlier document, when just verified (a record
    /// already indexed reports its stored relations, which keep no passages).
    pub passages: Option<Vec<Passage>>,
}

/// An index opened for feed mode.
pub struct FeedIndex {
    store: IndexStore,
    params: ScanParams,
}

/// The parameters that decide what an index holds, as stored in it.
pub fn stored_params(params: &ScanParams) -> StoredParams {
    let winnow = params.winnow.as_ref().map_or("off".to_string(), |w| {
        format!(
            "window {} min_shared {} max_postings {}",
            w.window(),
            w.min_shared(),
            w.max_postings()
        )
    });
    StoredParams(vec![
        (
            "shingle".to_string(),
            format!("{:?}", params.shingle.kind()),
        ),
        ("seed".to_string(), params.shingle.seed().to_string()),
        (
            "hashes".to_string(),
            params.minhash.num_hashes().to_string(),
        ),
        (
            "minhash_seed".to_string(),
            params.minhash.seed().to_string(),
        ),
        (
            "scheme".to_string(),
            format!("{:?}", params.minhash.scheme()),
        ),
        (
            "bands_rows".to_string(),
            format!("{}x{}", params.lsh.bands(), params.lsh.rows()),
        ),
        ("threshold".to_string(), params.threshold.to_string()),
        ("winnow".to_string(), winnow),
        ("relation".to_string(), format!("{:?}", params.relation)),
        ("align".to_string(), format!("{:?}", params.align)),
        (
            "template_min_docs".to_string(),
            params.template_min_docs.to_string(),
        ),
        ("quality".to_string(), params.quality.to_string()),
    ])
}

impl FeedIndex {
    /// Opens the index at `path` for adding, creating it with `params` if absent.
    pub fn open_for_adding(path: &std::path::Path, params: &ScanParams) -> Result<Self> {
        Ok(FeedIndex {
            store: IndexStore::open(path, &stored_params(params))?,
            params: params.clone(),
        })
    }

    /// Opens the existing index at `path` for queries, which never change it.
    pub fn open_for_query(path: &std::path::Path, params: &ScanParams) -> Result<Self> {
        Ok(FeedIndex {
            store: IndexStore::open_read(path, Some(&stored_params(params)))?,
            params: params.clone(),
        })
    }

    /// The store.
    pub fn store(&self) -> &IndexStore {
        &self.store
    }

    /// Checks `records` against the index and adds the new ones, all in one commit.
    pub fn add(&self, records: Vec<RawRecord>) -> Result<Vec<FeedOutcome>> {
        let pending = self.relate_batch(self.prepare(records)?, true)?;
        self.commit(pending)
    }

    /// Checks `records` against the index as [`Self::add`] would, without changing it.
    pub fn query(&self, records: Vec<RawRecord>) -> Result<Vec<FeedOutcome>> {
        Ok(self.relate_batch(self.prepare(records)?, false)?.outcomes)
    }

    /// Adds batch after batch, each read and sketched while the one before is written (see
    /// [`Adder`]).
    pub fn adder(&self) -> Adder<'_> {
        Adder {
            index: self,
            pending: None,
        }
    }

    /// Compresses a related batch's texts and commits it; its outcomes once it is committed.
    fn commit(&self, pending: PendingBatch) -> Result<Vec<FeedOutcome>> {
        let PendingBatch {
            outcomes,
            mut write,
            texts,
        } = pending;
        let compressed =
            map_in_parallel(
                &texts,
                TextCompressor::new,
                |compressor, text| match compressor {
                    Ok(compressor) => compressor.compress(text),
                    Err(e) => Err(crate::error::Error::io(
                        "<zstd>",
                        std::io::Error::other(e.to_string()),
                    )),
                },
            );
        for (doc, text) in write.docs.iter_mut().zip(compressed) {
            doc.compressed_text = text?;
        }
        self.store.write_batch(&write)?;
        Ok(outcomes)
    }

    /// Checks a prepared batch against the index: its outcomes, and (when `adding`) what
    /// committing it writes.
    fn relate_batch(&self, batch: PreparedBatch, adding: bool) -> Result<PendingBatch> {
        let params = &self.params;
        let first_new = self.store.next_document()?;
        let (mut outcomes, new_docs) = self.sort_out(batch, first_new)?;
        // Each new document's band keys and fingerprints, once: looked up, paired within the
        // batch, and stored.
        let doc_keys: Vec<Vec<PostingKey>> =
            map_in_parallel(&new_docs, || (), |_, doc| candidate_keys(doc).collect());
        let mut work = Work::new(first_new, &new_docs, &doc_keys, &outcomes);

        // The new documents: their keys in the index, their candidates, the indexed documents
        // those bring into play with the counts of their lines; then every pair verified.
        let mut asked: Vec<PostingKey> = Vec::new();
        for (doc, keys) in new_docs.iter().zip(&doc_keys) {
            asked.extend(keys);
            asked.extend(
                doc.line_keys
                    .iter()
                    .flat_map(|&k| PostingKey::line_halves(k)),
            );
        }
        work.postings
            .asked_lines(new_docs.iter().flat_map(|d| d.line_keys.iter().copied()));
        work.postings.extend(self.postings_of(&asked)?);
        let pairs = candidate_pairs(
            &work.batch_postings,
            &[&work.postings.postings, &work.batch_postings],
            |doc, other| other < doc,
            params,
        );
        self.bring_into_play(&mut work, &pairs)?;
        let mut related = work.relate(&pairs, &new_docs, params);

        // Statuses, in input order: a new document is a copy of the original of an earlier
        // document it copies, when it copies that original too (no chaining).
        let mut by_later: AHashMap<u32, Vec<RelatedPair>> = AHashMap::new();
        for pair in related.drain(..) {
            by_later.entry(pair.figures.b).or_default().push(pair);
        }
        let mut new_relations: Vec<(u32, Vec<RelatedPair>)> = Vec::new();
        for number in first_new..first_new + new_docs.len() as u32 {
            let mine = by_later.remove(&number).unwrap_or_default();
            let own = self.status_from_copies(&mut work, &mine)?;
            if let IndexedStatus::Duplicate { of, .. } = own {
                work.statuses.insert(of, IndexedStatus::Original);
            }
            work.statuses.insert(number, own);
            new_relations.push((number, mine));
        }

        // Lines that become recurring (in `--template-min-docs` documents) or outlet templates
        // (in as many clusters) with this batch: the indexed documents holding them have their
        // relations with indexed documents verified again.
        let mut write = BatchWrite::default();
        let mut reverified: Vec<RelatedPair> = Vec::new();
        let mut reverified_pairs: Vec<(u32, u32)> = Vec::new();
        if adding {
            let affected = self.crossing_documents(&mut work)?;
            if !affected.is_empty() {
                self.load(&mut work, &affected)?;
                let again = self.sketch_again(&work, &affected);
                let keys: Vec<PostingKey> = again.iter().flat_map(candidate_keys).collect();
                work.postings.extend(self.postings_of(&keys)?);
                let mut queries = PostingList::default();
                queries.extend(
                    again
                        .iter()
                        .zip(&affected)
                        .flat_map(|(doc, &n)| candidate_keys(doc).map(move |key| (key, n)))
                        .collect(),
                );
                reverified_pairs = candidate_pairs(
                    &queries,
                    &[&work.postings.postings, &work.batch_postings],
                    |doc, other| other != doc && other < first_new,
                    params,
                );
                reverified_pairs.sort_unstable();
                reverified_pairs.dedup();
                self.bring_into_play(&mut work, &reverified_pairs)?;
                reverified = work.relate(&reverified_pairs, &new_docs, params);
            }
        }

        // Partial pairs that share nothing but outlet template lines are not reuse.
        if params.templates {
            let templates = self.templates_of_partials(
                &mut work,
                new_relations
                    .iter()
                    .flat_map(|(_, mine)| mine)
                    .chain(&reverified),
                &new_docs,
            )?;
            for (_, mine) in &mut new_relations {
                mine.retain(|pair| !work.only_templates(pair, &templates, &new_docs, params));
            }
            reverified.retain(|pair| !work.only_templates(pair, &templates, &new_docs, params));
        }
        let mut found = reverified.into_iter().peekable();
        for &(a, b) in &reverified_pairs {
            let relation = match found.peek() {
                Some(p) if (p.figures.a, p.figures.b) == (a, b) => {
                    found.next().map(|p| stored_relation(&p))
                }
                _ => None,
            };
            write.relations.push(((b, a), relation));
        }

        // The outcomes, and what the batch writes.
        let mut names_wanted: Vec<u32> = Vec::new();
        for (number, mine) in new_relations {
            let status = work.statuses[&number];
            let outcome = &mut outcomes[work.outcome_of[&number]];
            apply_status(&mut outcome.doc, number, status);
            for pair in &mine {
                write
                    .relations
                    .push(((number, pair.figures.a), Some(stored_relation(pair))));
            }
            outcome.relations = mine
                .into_iter()
                .map(|pair| FeedRelation {
                    other: pair.figures.a,
                    stored: stored_relation(&pair),
                    passages: pair.passages,
                })
                .collect();
            set_reuses(&mut outcome.doc, &outcome.relations, status);
            names_wanted.extend(outcome.relations.iter().map(|r| r.other));
            if let IndexedStatus::Duplicate { of, .. } = status {
                names_wanted.push(of);
            }
        }
        let mut statuses: Vec<(u32, IndexedStatus)> =
            work.statuses.iter().map(|(&n, &s)| (n, s)).collect();
        statuses.sort_by_key(|(n, _)| *n);
        for (number, new_status) in statuses {
            if number < first_new {
                let record = self.cached_record(&mut work, number)?;
                if record.status != new_status {
                    write.records.push((
                        number,
                        DocRecord {
                            status: new_status,
                            ..record
                        },
                    ));
                }
            }
        }
        names_wanted.sort_unstable();
        names_wanted.dedup();
        let mut names: AHashMap<u32, String> = AHashMap::new();
        for number in names_wanted {
            let name = if number >= first_new {
                new_docs[(number - first_new) as usize]
                    .outcome
                    .id
                    .clone()
                    .unwrap_or_default()
            } else {
                self.cached_record(&mut work, number)?.id
            };
            names.insert(number, name);
        }
        for outcome in &mut outcomes {
            if outcome.state == FeedState::New {
                let named = outcome
                    .relations
                    .iter()
                    .map(|r| r.other)
                    .chain(outcome.doc.duplicate_of);
                outcome.names = named.map(|n| (n, names[&n].clone())).collect();
            }
        }
        let mut texts = Vec::new();
        if adding {
            for ((doc, mut keys), number) in new_docs.into_iter().zip(doc_keys).zip(first_new..) {
                keys.extend(
                    doc.line_keys
                        .iter()
                        .flat_map(|&k| PostingKey::line_halves(k)),
                );
                write.docs.push(NewDoc {
                    record: DocRecord {
                        id: doc.outcome.id.clone().unwrap_or_default(),
                        date: doc.outcome.date,
                        text_hash: xxh3_64(doc.text.as_bytes()),
                        title: doc.outcome.title.clone(),
                        source: doc.outcome.source.clone(),
                        page: doc.outcome.page_origin(),
                        words: doc.outcome.words,
                        status: work.statuses[&number],
                    },
                    // Compressed by `commit`, in parallel with the next batch's first pass.
                    compressed_text: Vec::new(),
                    keys,
                });
                texts.push(doc.text);
            }
        }
        Ok(PendingBatch {
            outcomes,
            write,
            texts,
        })
    }

    /// Reads `records` and sketches those whose ids the index does not hold as of its last
    /// commit: the work on a batch that needs no look-up in the index, so that it can run
    /// while the batch before is being written.
    pub fn prepare(&self, records: Vec<RawRecord>) -> Result<PreparedBatch> {
        let parsed = parse_records(records, &self.params);
        let mut slots: Vec<Option<Slot>> = Vec::with_capacity(parsed.len());
        let mut to_sketch: Vec<(Origin, Document)> = Vec::new();
        for record in parsed {
            match record {
                ParsedRecord::Unreadable(doc) => {
                    slots.push(Some(Slot::Done(feed_outcome(doc, FeedState::Rejected))));
                }
                ParsedRecord::Read(origin, doc) => match self.store.doc_of(&doc.id)? {
                    Some(number) => slots.push(Some(Slot::Indexed(origin, doc, number))),
                    None => {
                        slots.push(None);
                        to_sketch.push((origin, doc));
                    }
                },
            }
        }
        let mut sketched = sketch_documents(to_sketch, &self.params).into_iter();
        let slots = slots
            .into_iter()
            .map(|slot| {
                slot.unwrap_or_else(|| {
                    Slot::Sketched(sketched.next().expect("one sketch per record to sketch"))
                })
            })
            .collect();
        Ok(PreparedBatch { slots })
    }

    /// Sorts a prepared batch out against the index as it is now: unreadable records, ones
    /// indexed already (same id, same text), ids indexed with another text (rejected), and
    /// the new documents, numbered in order. An id repeated in the batch is the same document
    /// when its text is the same, and rejected otherwise. A record sketched because its id was
    /// not indexed when it was prepared may be by now (the batch before held it): it is then
    /// sorted out as indexed, exactly as if it had been found then.
    fn sort_out(
        &self,
        batch: PreparedBatch,
        first_new: u32,
    ) -> Result<(Vec<FeedOutcome>, Vec<SketchedDoc>)> {
        let mut new_docs: Vec<SketchedDoc> = Vec::new();
        let mut batch_ids: AHashMap<String, (u32, u64, Origin)> = AHashMap::new();
        let mut done: Vec<FeedOutcome> = Vec::with_capacity(batch.slots.len());
        for slot in batch.slots {
            let mut doc = match slot {
                Slot::Done(outcome) => {
                    done.push(outcome);
                    continue;
                }
                Slot::Indexed(origin, doc, number) => {
                    let arrival = Arrival {
                        text_hash: xxh3_64(doc.text.as_bytes()),
                        origin,
                        id: doc.id,
                        title: doc.title,
                        source: doc.source,
                        date: doc.date,
                    };
                    done.push(self.sort_out_indexed(arrival, number)?);
                    continue;
                }
                Slot::Sketched(doc) => doc,
            };
            let id = doc.outcome.id.clone().unwrap_or_default();
            let text_hash = xxh3_64(doc.text.as_bytes());
            let indexed = match doc.outcome.id {
                Some(_) => self.store.doc_of(&id)?,
                None => None,
            };
            if let Some(number) = indexed {
                let arrival = Arrival {
                    text_hash,
                    origin: doc.outcome.origin.clone(),
                    id,
                    title: doc.outcome.title.clone(),
                    source: doc.outcome.source.clone(),
                    date: doc.outcome.date,
                };
                done.push(self.sort_out_indexed(arrival, number)?);
                continue;
            }
            let quality = doc.outcome.quality.take();
            let mut this = feed_outcome(
                DocOutcome {
                    quality,
                    ..doc.outcome.clone()
                },
                FeedState::Rejected,
            );
            if doc.outcome.status == DocStatus::Rejected {
                done.push(this);
                continue;
            }
            if let Some((number, hash, first)) = batch_ids.get(&id) {
                if *hash == text_hash {
                    this.state = FeedState::AlreadyIndexed;
                    this.number = Some(*number);
                } else {
                    reject(
                        &mut this.doc,
                        RejectReason::DuplicateId {
                            id,
                            first: first.clone(),
                        },
                    );
                }
                done.push(this);
                continue;
            }
            let number = first_new + new_docs.len() as u32;
            batch_ids.insert(id, (number, text_hash, doc.outcome.origin.clone()));
            this.state = FeedState::New;
            this.number = Some(number);
            done.push(this);
            new_docs.push(doc);
        }
        Ok((done, new_docs))
    }

    /// The outcome of a record whose id is indexed as document `number`: already indexed
    /// when its text is the stored one, else rejected.
    fn sort_out_indexed(&self, arrival: Arrival, number: u32) -> Result<FeedOutcome> {
        let record = self.record(number)?;
        let mut known = DocOutcome {
            origin: arrival.origin,
            id: Some(arrival.id.clone()),
            title: arrival.title,
            source: arrival.source,
            date: arrival.date,
            status: DocStatus::Unique,
            cluster: None,
            duplicate_of: None,
            similarity: None,
            reason: None,
            words: record.words,
            tokens: None,
            reuses: Vec::new(),
            quality: None,
            page: None,
        };
        if record.text_hash == arrival.text_hash {
            let mut already = feed_outcome(known, FeedState::AlreadyIndexed);
            already.number = Some(number);
            self.describe_indexed(&mut already, number, &record)?;
            Ok(already)
        } else {
            reject(
                &mut known,
                RejectReason::IndexedWithOtherText {
                    id: arrival.id,
                    document: number,
                },
            );
            Ok(feed_outcome(known, FeedState::Rejected))
        }
    }

    /// Every indexed posting of `keys`, sorted: the keys, sorted, are cut into runs looked up
    /// in parallel, each in every segment (runs of keys rather than segments, because one
    /// segment holds most of a large index).
    fn postings_of(&self, keys: &[PostingKey]) -> Result<Vec<(PostingKey, u32)>> {
        let mut keys = keys.to_vec();
        sort_in_parallel(&mut keys);
        keys.dedup();
        let lookup = self.store.lookup()?;
        let runs: Vec<&[PostingKey]> = keys.chunks(KEYS_PER_LOOKUP_TASK).collect();
        let found = map_in_parallel(
            &runs,
            || (),
            |_, run| -> Result<Vec<(PostingKey, u32)>> {
                let mut found = Vec::new();
                for at in 0..lookup.segments() {
                    found.extend(lookup.postings_in(at, run)?);
                }
                Ok(found)
            },
        );
        let mut postings = Vec::new();
        for run in found {
            postings.extend(run?);
        }
        sort_in_parallel(&mut postings);
        Ok(postings)
    }

    /// Loads the indexed documents of `pairs` and asks for the counts of their lines.
    fn bring_into_play(&self, work: &mut Work, pairs: &[(u32, u32)]) -> Result<()> {
        let mut stored: Vec<u32> = pairs
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&n| n < work.first_new && !work.texts.contains_key(&n))
            .collect();
        stored.sort_unstable();
        stored.dedup();
        self.load(work, &stored)?;
        let texts: Vec<&str> = stored.iter().map(|n| work.texts[n].as_str()).collect();
        let mut keys: Vec<u64> = line_keys_of_all(&texts, &self.params)
            .into_iter()
            .flatten()
            .collect();
        keys.retain(|key| !work.postings.lines.contains(key));
        keys.sort_unstable();
        keys.dedup();
        work.postings.asked_lines(keys.iter().copied());
        let halves: Vec<PostingKey> = keys
            .iter()
            .flat_map(|&k| PostingKey::line_halves(k))
            .collect();
        work.postings.extend(self.postings_of(&halves)?);
        Ok(())
    }

    /// A new document's status from its copy relations with earlier documents: a duplicate of
    /// the original (with the highest Jaccard, then the earliest) of one of the documents it
    /// copies, among the originals it copies directly.
    fn status_from_copies(&self, work: &mut Work, mine: &[RelatedPair]) -> Result<IndexedStatus> {
        let copies: AHashMap<u32, f64> = mine
            .iter()
            .filter(|p| p.relation() == Relation::Copy)
            .map(|p| (p.figures.a, p.figures.jaccard))
            .collect();
        let mut partners: Vec<u32> = copies.keys().copied().collect();
        partners.sort_unstable();
        let mut best: Option<(u32, f64)> = None;
        for partner in partners {
            let original = match self.status_of(work, partner)? {
                IndexedStatus::Duplicate { of, .. } => of,
                _ => partner,
            };
            if let Some(&similarity) = copies.get(&original)
                && best.is_none_or(|(b, s)| similarity > s || (similarity == s && original < b))
            {
                best = Some((original, similarity));
            }
        }
        Ok(match best {
            Some((of, similarity)) => IndexedStatus::Duplicate { of, similarity },
            None => IndexedStatus::Unique,
        })
    }

    /// A document's status now: as this batch set it, or as stored.
    fn status_of(&self, work: &mut Work, number: u32) -> Result<IndexedStatus> {
        if let Some(&status) = work.statuses.get(&number) {
            return Ok(status);
        }
        Ok(self.cached_record(work, number)?.status)
    }

    fn cached_record(&self, work: &mut Work, number: u32) -> Result<DocRecord> {
        if let Some(record) = work.records.get(&number) {
            return Ok(record.clone());
        }
        let record = self.record(number)?;
        work.records.insert(number, record.clone());
        Ok(record)
    }

    /// The cluster a document counts in for outlet templates: its original's, or its own.
    fn group_of(&self, work: &mut Work, number: u32) -> Result<u32> {
        Ok(match self.status_of(work, number)? {
            IndexedStatus::Duplicate { of, .. } => of,
            _ => number,
        })
    }

    /// Whether the documents holding line `key` (the indexed ones, and the batch's with
    /// `with_batch`) fall in at least `--template-min-docs` clusters.
    fn in_enough_clusters(&self, work: &mut Work, key: u64, with_batch: bool) -> Result<bool> {
        let need = self.params.template_min_docs.max(2) as usize;
        let mut docs = work.postings.line_docs(key);
        if with_batch {
            docs.extend(work.batch_lines.get(&key).into_iter().flatten());
        }
        if docs.len() < need {
            return Ok(false);
        }
        let mut groups: Vec<u32> = Vec::with_capacity(need);
        for doc in docs {
            let group = self.group_of(work, doc)?;
            if !groups.contains(&group) {
                groups.push(group);
                if groups.len() >= need {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The indexed documents holding a line that this batch makes recurring or a template.
    fn crossing_documents(&self, work: &mut Work) -> Result<Vec<u32>> {
        let min_docs = self.params.template_min_docs as usize;
        let mut keys: Vec<u64> = work.batch_lines.keys().copied().collect();
        keys.sort_unstable();
        let mut affected: Vec<u32> = Vec::new();
        for key in keys {
            let stored = work.postings.line_docs(key);
            if stored.is_empty() {
                continue;
            }
            let in_batch = work.batch_lines[&key].len();
            let recurring_now = stored.len() < min_docs && stored.len() + in_batch >= min_docs;
            let template_now = self.params.templates
                && !self.in_enough_clusters(work, key, false)?
                && self.in_enough_clusters(work, key, true)?;
            if recurring_now || template_now {
                affected.extend(stored);
            }
        }
        affected.sort_unstable();
        affected.dedup();
        Ok(affected)
    }

    /// The outlet templates among the lines of the documents of the partial pairs in `pairs`.
    fn templates_of_partials<'p>(
        &self,
        work: &mut Work,
        pairs: impl Iterator<Item = &'p RelatedPair>,
        new_docs: &[SketchedDoc],
    ) -> Result<TemplateLines> {
        let mut docs: Vec<u32> = pairs
            .filter(|p| p.relation() == Relation::Partial)
            .flat_map(|p| [p.figures.a, p.figures.b])
            .collect();
        docs.sort_unstable();
        docs.dedup();
        let texts: Vec<&str> = docs.iter().map(|&n| work.text(n, new_docs)).collect();
        let mut keys: Vec<u64> = line_keys_of_all(&texts, &self.params)
            .into_iter()
            .flatten()
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut templates = Vec::new();
        for key in keys {
            if self.in_enough_clusters(work, key, true)? {
                templates.push((key, self.params.template_min_docs));
            }
        }
        Ok(TemplateLines::from_counts(templates))
    }

    /// Loads the records and texts of indexed documents not yet in play.
    fn load(&self, work: &mut Work, numbers: &[u32]) -> Result<()> {
        for &number in numbers {
            if work.texts.contains_key(&number) {
                continue;
            }
            let record = self.cached_record(work, number)?;
            let text = self.store.text(number)?.ok_or_else(|| {
                crate::error::Error::IndexCorrupt(format!("document {number} has no text"))
            })?;
            work.texts.insert(number, text);
            let _ = record;
        }
        Ok(())
    }

    fn record(&self, number: u32) -> Result<DocRecord> {
        self.store.record(number)?.ok_or_else(|| {
            crate::error::Error::IndexCorrupt(format!("document {number} has no record"))
        })
    }

    /// Indexed documents sketched again from their stored texts, as when they were added.
    fn sketch_again(&self, work: &Work, numbers: &[u32]) -> Vec<SketchedDoc> {
        let docs: Vec<(Origin, Document)> = numbers
            .iter()
            .map(|n| {
                let record = &work.records[n];
                (
                    Origin {
                        file: "<index>".into(),
                        line: u64::from(*n),
                    },
                    Document {
                        id: record.id.clone(),
                        text: work.texts[n].clone(),
                        title: record.title.clone(),
                        date: record.date,
                        source: record.source.clone(),
                        url: None,
                        warnings: Vec::new(),
                        page: record.page,
                    },
                )
            })
            .collect();
        sketch_documents(docs, &self.params)
    }

    /// The outcome of a record already indexed: the stored document's status and relations.
    fn describe_indexed(
        &self,
        outcome: &mut FeedOutcome,
        number: u32,
        record: &DocRecord,
    ) -> Result<()> {
        apply_status(&mut outcome.doc, number, record.status);
        outcome.doc.words = record.words;
        let mut names = AHashMap::new();
        for (other, stored) in self.store.relations_of(number)? {
            names.insert(other, self.record(other)?.id);
            outcome.relations.push(FeedRelation {
                other,
                stored,
                passages: None,
            });
        }
        if let IndexedStatus::Duplicate { of, .. } = record.status {
            names.insert(of, self.record(of)?.id);
        }
        outcome.names = names;
        Ok(())
    }
}

/// What relating one batch holds: the postings read, the batch's own postings and lines, the
/// indexed documents in play (records, texts) and every document prepared for verification.
struct Work {
    first_new: u32,
    postings: PostingMap,
    batch_postings: PostingList,
    /// The new documents holding each line, by key.
    batch_lines: AHashMap<u64, Vec<u32>>,
    records: AHashMap<u32, DocRecord>,
    texts: AHashMap<u32, String>,
    /// Statuses this batch set: the new documents', and earlier documents that became
    /// originals.
    statuses: AHashMap<u32, IndexedStatus>,
    prepared: AHashMap<u32, PreparedDoc>,
    /// Where each new document's outcome is.
    outcome_of: AHashMap<u32, usize>,
}

impl Work {
    fn new(
        first_new: u32,
        new_docs: &[SketchedDoc],
        doc_keys: &[Vec<PostingKey>],
        outcomes: &[FeedOutcome],
    ) -> Self {
        let mut batch_lines: AHashMap<u64, Vec<u32>> = AHashMap::new();
        for (doc, number) in new_docs.iter().zip(first_new..) {
            for &key in &doc.line_keys {
                batch_lines.entry(key).or_default().push(number);
            }
        }
        Work {
            first_new,
            postings: PostingMap::default(),
            batch_postings: batch_posting_map(doc_keys, first_new),
            batch_lines,
            records: AHashMap::new(),
            texts: AHashMap::new(),
            statuses: AHashMap::new(),
            prepared: AHashMap::new(),
            outcome_of: outcomes
                .iter()
                .enumerate()
                .filter(|(_, o)| o.state == FeedState::New)
                .filter_map(|(at, o)| Some((o.number?, at)))
                .collect(),
        }
    }

    fn text<'a>(&'a self, number: u32, new_docs: &'a [SketchedDoc]) -> &'a str {
        if number >= self.first_new {
            &new_docs[(number - self.first_new) as usize].text
        } else {
            &self.texts[&number]
        }
    }

    fn date(&self, number: u32, new_docs: &[SketchedDoc]) -> Option<i64> {
        if number >= self.first_new {
            new_docs[(number - self.first_new) as usize].outcome.date
        } else {
            self.records[&number].date
        }
    }

    /// The recurring lines among those asked for: held by at least `--template-min-docs`
    /// documents, indexed or new, with their counts, as a scan of all of them counts them.
    fn recurring(&self, min_docs: u32) -> TemplateLines {
        let mut keys: Vec<u64> = self.postings.lines.iter().copied().collect();
        keys.sort_unstable();
        let counts = keys.into_iter().filter_map(|key| {
            let count = (self.postings.line_docs(key).len()
                + self.batch_lines.get(&key).map_or(0, Vec::len)) as u32;
            (count >= min_docs).then_some((key, count))
        });
        TemplateLines::from_counts(counts)
    }

    /// Prepares the documents of `pairs` not prepared yet, then relates every pair and
    /// orients the related ones.
    fn relate(
        &mut self,
        pairs: &[(u32, u32)],
        new_docs: &[SketchedDoc],
        params: &ScanParams,
    ) -> Vec<RelatedPair> {
        let mut wanted: Vec<u32> = pairs
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|n| !self.prepared.contains_key(n))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let recurring = self.recurring(params.template_min_docs);
        let texts: Vec<TextToRelate<'_>> = wanted
            .iter()
            .map(|&n| {
                if n >= self.first_new {
                    let doc = &new_docs[(n - self.first_new) as usize];
                    TextToRelate {
                        text: &doc.text,
                        title: doc.outcome.title.as_deref(),
                        page: doc.outcome.page_origin(),
                    }
                } else {
                    let record = &self.records[&n];
                    TextToRelate {
                        text: &self.texts[&n],
                        title: record.title.as_deref(),
                        page: record.page,
                    }
                }
            })
            .collect();
        let prepared = prepare(&texts, &recurring, params);
        self.prepared.extend(wanted.into_iter().zip(prepared));
        let mut related = relate_pairs(pairs, &self.prepared, params);
        for pair in &mut related {
            let (a, b) = (pair.figures.a, pair.figures.b);
            orient(pair, self.date(a, new_docs), self.date(b, new_docs));
        }
        related
    }

    fn only_templates(
        &self,
        pair: &RelatedPair,
        templates: &TemplateLines,
        new_docs: &[SketchedDoc],
        params: &ScanParams,
    ) -> bool {
        pair.relation() == Relation::Partial
            && shares_only_templates(
                pair,
                self.text(pair.figures.a, new_docs),
                self.text(pair.figures.b, new_docs),
                templates,
                params,
            )
    }
}

/// A new document's reuses as `docs.jsonl` lists them: its original, and the sources of the
/// text it took from earlier documents.
fn set_reuses(doc: &mut DocOutcome, relations: &[FeedRelation], status: IndexedStatus) {
    let original = match status {
        IndexedStatus::Duplicate { of, .. } => Some(of),
        _ => None,
    };
    doc.reuses = relations
        .iter()
        .filter(|r| Some(r.other) == original || r.stored.from == Some(PairEnd::Earlier))
        .map(|r| Reuse {
            from: r.other,
            relation: r.stored.relation,
            share: r.stored.later_share,
        })
        .collect();
}

fn reject(doc: &mut DocOutcome, reason: RejectReason) {
    doc.status = DocStatus::Rejected;
    doc.tokens = None;
    doc.quality = None;
    doc.reason = Some(Box::new(reason));
}

/// Sets a document's status, cluster (its original's number) and original as a scan reports
/// them.
fn apply_status(doc: &mut DocOutcome, number: u32, status: IndexedStatus) {
    match status {
        IndexedStatus::Unique => doc.status = DocStatus::Unique,
        IndexedStatus::Original => {
            doc.status = DocStatus::Original;
            doc.cluster = Some(number);
        }
        IndexedStatus::Duplicate { of, similarity } => {
            doc.status = DocStatus::Duplicate;
            doc.cluster = Some(of);
            doc.duplicate_of = Some(of);
            doc.similarity = Some(similarity);
        }
    }
}

fn stored_relation(pair: &RelatedPair) -> StoredRelation {
    StoredRelation {
        relation: pair.relation(),
        jaccard: pair.figures.jaccard,
        later_share: pair.shares.1,
        earlier_share: pair.shares.0,
        from: pair.from().map(|from| {
            if from == pair.figures.a {
                PairEnd::Earlier
            } else {
                PairEnd::Later
            }
        }),
    }
}

/// A document's band keys and fingerprints as posting keys.
fn candidate_keys(doc: &SketchedDoc) -> impl Iterator<Item = PostingKey> + '_ {
    let bands = doc
        .band_keys
        .iter()
        .enumerate()
        .map(|(band, key)| PostingKey::band(band, u64::from(key.0)));
    let mut fingerprints: Vec<u32> = doc.fingerprints.clone();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    bands.chain(fingerprints.into_iter().map(PostingKey::fingerprint))
}

/// Postings sorted by key, then document: a batch's hold millions, which a sorted vector keeps
/// in a fraction of the memory and time of a map of vectors.
#[derive(Default)]
struct PostingList(Vec<(PostingKey, u32)>);

impl PostingList {
    fn extend(&mut self, postings: Vec<(PostingKey, u32)>) {
        if self.0.is_empty() {
            self.0 = postings;
        } else {
            self.0.extend(postings);
        }
        sort_in_parallel(&mut self.0);
        self.0.dedup();
    }

    /// The documents holding `key`, in order.
    fn docs(&self, key: PostingKey) -> &[(PostingKey, u32)] {
        let start = self.0.partition_point(|p| p.0 < key);
        let end = start + self.0[start..].partition_point(|p| p.0 == key);
        &self.0[start..end]
    }
}

/// Postings from the index, and the lines whose keys were asked for.
#[derive(Default)]
struct PostingMap {
    postings: PostingList,
    lines: AHashSet<u64>,
}

impl PostingMap {
    /// Records that the postings of lines `keys` were (or are being) read.
    fn asked_lines(&mut self, keys: impl IntoIterator<Item = u64>) {
        self.lines.extend(keys);
    }

    fn extend(&mut self, postings: Vec<(PostingKey, u32)>) {
        self.postings.extend(postings);
    }

    fn docs(&self, key: PostingKey) -> impl Iterator<Item = u32> + '_ {
        self.postings.docs(key).iter().map(|p| p.1)
    }

    /// The indexed documents holding the line `key`: those holding both halves of its key.
    fn line_docs(&self, key: u64) -> Vec<u32> {
        let [low, high] = PostingKey::line_halves(key);
        let high = self.postings.docs(high);
        self.docs(low)
            .filter(|&doc| high.binary_search_by_key(&doc, |p| p.1).is_ok())
            .collect()
    }
}

/// The batch's own postings: band keys and fingerprints of its new documents.
fn batch_posting_map(doc_keys: &[Vec<PostingKey>], first: u32) -> PostingList {
    let mut postings = Vec::new();
    for (keys, number) in doc_keys.iter().zip(first..) {
        postings.extend(keys.iter().map(|&key| (key, number)));
    }
    let mut list = PostingList::default();
    list.extend(postings);
    list
}

/// The candidate pairs of the documents of `queries` (their band keys and fingerprints) with
/// the documents of `pools` (the index's postings and the batch's) that `accept(doc, other)`:
/// one shared band key, or at least `min_shared` shared fingerprints among those held by at
/// most `max_postings` documents, as a scan of all of them would pair them. Each pair once,
/// `(smaller, larger)`, sorted. Every list is walked once in key order, as a scan pairs its
/// band buckets: looking each key up alone would jump around lists of millions.
fn candidate_pairs(
    queries: &PostingList,
    pools: &[&PostingList],
    accept: impl Fn(u32, u32) -> bool,
    params: &ScanParams,
) -> Vec<(u32, u32)> {
    let mut by_band: Vec<(u32, u32)> = Vec::new();
    let mut by_fingerprint: Vec<(u32, u32)> = Vec::new();
    let mut cursors = vec![0usize; pools.len()];
    let mut holders: Vec<u32> = Vec::new();
    for run in queries.0.chunk_by(|x, y| x.0 == y.0) {
        let key = run[0].0;
        holders.clear();
        for (pool, cursor) in pools.iter().zip(&mut cursors) {
            let list = &pool.0;
            // Keys ascend: the next one is mostly a few postings on.
            *cursor += gallop_partition_point(&list[*cursor..], |p| p.0 < key);
            let held = list[*cursor..].iter().take_while(|p| p.0 == key);
            holders.extend(held.map(|p| p.1));
        }
        holders.sort_unstable();
        holders.dedup();
        let out = if key.is_band() {
            &mut by_band
        } else {
            match &params.winnow {
                Some(winnow) if holders.len() <= winnow.max_postings() => &mut by_fingerprint,
                _ => continue,
            }
        };
        // A pair found from both of its documents counts once per key.
        let before = out.len();
        for &(_, doc) in run {
            for &other in &holders {
                if accept(doc, other) {
                    out.push((doc.min(other), doc.max(other)));
                }
            }
        }
        out[before..].sort_unstable();
        let mut kept = before;
        for at in before..out.len() {
            if at == before || out[at] != out[kept - 1] {
                out[kept] = out[at];
                kept += 1;
            }
        }
        out.truncate(kept);
    }
    by_band.sort_unstable();
    by_band.dedup();
    if let Some(winnow) = &params.winnow {
        by_fingerprint.sort_unstable();
        by_band.extend(
            by_fingerprint
                .chunk_by(|x, y| x == y)
                .filter(|run| run.len() >= winnow.min_shared() as usize)
                .map(|run| run[0]),
        );
        by_band.sort_unstable();
        by_band.dedup();
    }
    by_band
}
