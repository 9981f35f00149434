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
use crate::index::postings::PostingKey;
use crate::index::store::{
    BatchWrite, DocRecord, IndexStore, IndexedStatus, NewDoc, PairEnd, StoredParams, StoredRelation,
};
use crate::ingest::{Document, Origin, RawRecord};
use crate::pipeline::incremental::{
    PreparedDoc, SketchedDoc, TextToRelate, line_keys, orient, prepare, relate_pairs,
    shares_only_templates, sketch_documents, sketch_records,
};
use crate::pipeline::{DocOutcome, DocStatus, RejectReason, Reuse, ScanParams};
use crate::quality::boilerplate::TemplateLines;
use crate::relate::relation::{RelatedPair, Relation};
use crate::verify::align::Passage;

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
        let (outcomes, write) = self.relate_batch(records, true)?;
        self.store.write_batch(&write)?;
        Ok(outcomes)
    }

    /// Checks `records` against the index as [`Self::add`] would, without changing it.
    pub fn query(&self, records: Vec<RawRecord>) -> Result<Vec<FeedOutcome>> {
        Ok(self.relate_batch(records, false)?.0)
    }

    fn relate_batch(
        &self,
        records: Vec<RawRecord>,
        adding: bool,
    ) -> Result<(Vec<FeedOutcome>, BatchWrite)> {
        let params = &self.params;
        let first_new = self.store.next_document()?;
        let (mut outcomes, new_docs) = self.sort_out(sketch_records(records, params), first_new)?;
        let mut work = Work::new(first_new, &new_docs, &outcomes);

        // The new documents: their keys in the index, their candidates, the indexed documents
        // those bring into play with the counts of their lines; then every pair verified.
        let mut asked: Vec<PostingKey> = Vec::new();
        for doc in &new_docs {
            asked.extend(candidate_keys(doc));
            asked.extend(
                doc.line_keys
                    .iter()
                    .flat_map(|&k| PostingKey::line_halves(k)),
            );
        }
        work.postings
            .asked_lines(new_docs.iter().flat_map(|d| d.line_keys.iter().copied()));
        work.postings.extend(self.store.postings_of(&asked)?);
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (doc, number) in new_docs.iter().zip(first_new..) {
            let earlier = candidates_of(
                doc,
                |other| other < number,
                &work.postings,
                &work.batch_postings,
                params,
            );
            pairs.extend(earlier.into_iter().map(|other| (other, number)));
        }
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
                work.postings.extend(self.store.postings_of(&keys)?);
                for (doc, &number) in again.iter().zip(&affected) {
                    let indexed = |other: u32| other != number && other < first_new;
                    for other in
                        candidates_of(doc, indexed, &work.postings, &work.batch_postings, params)
                    {
                        reverified_pairs.push((other.min(number), other.max(number)));
                    }
                }
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
                outcome.names = names.clone();
            }
        }
        if adding {
            for (doc, number) in new_docs.into_iter().zip(first_new..) {
                let mut keys: Vec<PostingKey> = candidate_keys(&doc).collect();
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
                    text: doc.text,
                    keys,
                });
            }
        }
        Ok((outcomes, write))
    }

    /// Sorts the sketched records out: rejected ones, ones indexed already (same id, same
    /// text), ids indexed with another text (rejected), and new documents, numbered in order.
    fn sort_out(
        &self,
        sketched: Vec<SketchedDoc>,
        first_new: u32,
    ) -> Result<(Vec<FeedOutcome>, Vec<SketchedDoc>)> {
        let mut outcomes: Vec<FeedOutcome> = Vec::with_capacity(sketched.len());
        let mut new_docs: Vec<SketchedDoc> = Vec::new();
        let mut batch_ids: AHashMap<String, (u32, u64, Origin)> = AHashMap::new();
        for mut doc in sketched {
            let quality = doc.outcome.quality.take();
            let mut outcome = FeedOutcome {
                doc: DocOutcome {
                    quality,
                    ..doc.outcome.clone()
                },
                number: None,
                state: FeedState::Rejected,
                relations: Vec::new(),
                names: AHashMap::new(),
            };
            if doc.outcome.status == DocStatus::Rejected {
                outcomes.push(outcome);
                continue;
            }
            let id = doc.outcome.id.clone().unwrap_or_default();
            let text_hash = xxh3_64(doc.text.as_bytes());
            if let Some((number, hash, first)) = batch_ids.get(&id) {
                if *hash == text_hash {
                    outcome.state = FeedState::AlreadyIndexed;
                    outcome.number = Some(*number);
                } else {
                    reject(
                        &mut outcome.doc,
                        RejectReason::DuplicateId {
                            id,
                            first: first.clone(),
                        },
                    );
                }
                outcomes.push(outcome);
                continue;
            }
            if let Some(number) = self.store.doc_of(&id)? {
                let record = self.record(number)?;
                if record.text_hash == text_hash {
                    outcome.state = FeedState::AlreadyIndexed;
                    outcome.number = Some(number);
                    self.describe_indexed(&mut outcome, number, &record)?;
                } else {
                    reject(
                        &mut outcome.doc,
                        RejectReason::IndexedWithOtherText {
                            id,
                            document: number,
                        },
                    );
                }
                outcomes.push(outcome);
                continue;
            }
            let number = first_new + new_docs.len() as u32;
            batch_ids.insert(id, (number, text_hash, doc.outcome.origin.clone()));
            outcome.state = FeedState::New;
            outcome.number = Some(number);
            outcomes.push(outcome);
            new_docs.push(doc);
        }
        Ok((outcomes, new_docs))
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
        let mut keys: Vec<u64> = Vec::new();
        for number in &stored {
            keys.extend(line_keys(&work.texts[number], &self.params));
        }
        keys.retain(|key| !work.postings.lines.contains(key));
        keys.sort_unstable();
        keys.dedup();
        work.postings.asked_lines(keys.iter().copied());
        let halves: Vec<PostingKey> = keys
            .iter()
            .flat_map(|&k| PostingKey::line_halves(k))
            .collect();
        work.postings.extend(self.store.postings_of(&halves)?);
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
        let mut keys: Vec<u64> = Vec::new();
        for doc in docs {
            keys.extend(line_keys(work.text(doc, new_docs), &self.params));
        }
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
    batch_postings: AHashMap<PostingKey, Vec<u32>>,
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
    fn new(first_new: u32, new_docs: &[SketchedDoc], outcomes: &[FeedOutcome]) -> Self {
        let mut batch_lines: AHashMap<u64, Vec<u32>> = AHashMap::new();
        for (doc, number) in new_docs.iter().zip(first_new..) {
            for &key in &doc.line_keys {
                batch_lines.entry(key).or_default().push(number);
            }
        }
        Work {
            first_new,
            postings: PostingMap::default(),
            batch_postings: batch_posting_map(new_docs, first_new),
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

/// Postings by key, from the index, and the lines whose keys were asked for.
#[derive(Default)]
struct PostingMap {
    postings: AHashMap<PostingKey, Vec<u32>>,
    lines: AHashSet<u64>,
}

impl PostingMap {
    /// Records that the postings of lines `keys` were (or are being) read.
    fn asked_lines(&mut self, keys: impl IntoIterator<Item = u64>) {
        self.lines.extend(keys);
    }

    fn extend(&mut self, postings: Vec<(PostingKey, u32)>) {
        for (key, doc) in postings {
            let docs = self.postings.entry(key).or_default();
            if docs.last() != Some(&doc) {
                docs.push(doc);
            }
        }
    }

    fn docs(&self, key: PostingKey) -> &[u32] {
        self.postings.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The indexed documents holding the line `key`: those holding both halves of its key.
    fn line_docs(&self, key: u64) -> Vec<u32> {
        let [low, high] = PostingKey::line_halves(key);
        let high = self.docs(high);
        self.docs(low)
            .iter()
            .copied()
            .filter(|doc| high.binary_search(doc).is_ok())
            .collect()
    }
}

/// The batch's own postings: band keys and fingerprints of its new documents, by key.
fn batch_posting_map(docs: &[SketchedDoc], first: u32) -> AHashMap<PostingKey, Vec<u32>> {
    let mut map: AHashMap<PostingKey, Vec<u32>> = AHashMap::new();
    for (doc, number) in docs.iter().zip(first..) {
        for key in candidate_keys(doc) {
            map.entry(key).or_default().push(number);
        }
    }
    map
}

/// The documents (indexed, or new in the batch) that `accept`s and that `doc` is a candidate
/// pair with: one shared band key, or at least `min_shared` shared fingerprints among those
/// held by at most `max_postings` documents, as a scan of all of them would pair them.
fn candidates_of(
    doc: &SketchedDoc,
    accept: impl Fn(u32) -> bool,
    indexed: &PostingMap,
    batch: &AHashMap<PostingKey, Vec<u32>>,
    params: &ScanParams,
) -> Vec<u32> {
    let mut found: AHashSet<u32> = AHashSet::new();
    let mut shared: AHashMap<u32, u32> = AHashMap::new();
    let empty = Vec::new();
    for key in candidate_keys(doc) {
        let (stored, in_batch) = (indexed.docs(key), batch.get(&key).unwrap_or(&empty));
        let earlier = stored
            .iter()
            .chain(in_batch)
            .copied()
            .filter(|&other| accept(other));
        if key.is_band() {
            found.extend(earlier);
        } else if let Some(winnow) = &params.winnow
            && stored.len() + in_batch.len() <= winnow.max_postings()
        {
            for other in earlier {
                *shared.entry(other).or_insert(0) += 1;
            }
        }
    }
    if let Some(winnow) = &params.winnow {
        found.extend(
            shared
                .into_iter()
                .filter(|&(_, n)| n >= winnow.min_shared())
                .map(|(other, _)| other),
        );
    }
    let mut found: Vec<u32> = found.into_iter().collect();
    found.sort_unstable();
    found
}
