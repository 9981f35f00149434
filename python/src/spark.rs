//! The native half of `reprint.spark`: the stages Spark runs on its executors (records
//! analysed, pairs verified, both one Arrow batch at a time through `mapInArrow`) and the
//! driver's corpus-wide decisions (`SparkDriver`), all through `reprint::pipeline::sharded`.
//!
//! Records are numbered by the caller in input order (`ordinal`, from 0), which stands for
//! the scan's corpus index. Keys cross into Spark as 64-bit integers: line keys (u64) keep
//! their bits, so grouping on them groups as the scan does.

use crate::arrow;
use crate::{ReprintError, options, py_error};
use arrow_array::builder::{Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{
    Array, ArrayRef, BinaryArray, Int64Array, LargeBinaryArray, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use reprint::candidates::lsh::CandidatePair;
use reprint::ingest::{Origin, Payload, RawRecord, RecordPosition};
use reprint::pipeline::incremental::TextToRelate;
use reprint::pipeline::sharded::{self, ShardedScan, VerifiedPart};
use reprint::pipeline::{DocOutcome, DocStatus, ScanParams, Tokens};
use reprint::quality::boilerplate::TemplateLines;
use reprint::relate::exact::TextIdentity;
use reprint::report;
use std::path::Path;
use std::sync::Arc;

/// The scan parameters of the Spark path: the CLI's, without quality (relations do not
/// depend on it, and `reprint.quality` scores texts one by one).
fn spark_params(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<ScanParams> {
    let mut options = options(kwargs)?;
    options.quality = false;
    options.params().map_err(py_error)
}

/// What the records are called in outcomes and messages: `dataframe:N` is row N from 1.
const ORIGIN_NAME: &str = "dataframe";

fn engine_error(message: impl std::fmt::Display) -> PyErr {
    ReprintError::new_err(format!("reprint.spark: {message}"))
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> PyResult<&'a T> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| {
            engine_error(format!(
                "the batch has no column {name:?} of the right type"
            ))
        })
}

/// `spark_settings(**params)`: what the engine needs to pair candidates as a scan does.
#[pyfunction]
#[pyo3(signature = (**kwargs))]
pub fn spark_settings<'py>(
    py: Python<'py>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let params = spark_params(kwargs)?;
    let settings = PyDict::new(py);
    settings.set_item("bands", params.lsh.bands())?;
    settings.set_item("star_above", sharded::star_buckets_above(&params))?;
    settings.set_item(
        "winnow_min_shared",
        params.winnow.as_ref().map(|w| w.min_shared()),
    )?;
    settings.set_item(
        "winnow_max_postings",
        params.winnow.as_ref().map(|w| w.max_postings()),
    )?;
    settings.set_item("template_min_docs", params.template_min_docs)?;
    settings.set_item("threshold", params.threshold)?;
    Ok(settings)
}

fn tokens_name(tokens: Option<Tokens>) -> Option<&'static str> {
    tokens.map(|t| match t {
        Tokens::Words => "words",
        Tokens::Characters => "characters",
        Tokens::Mixed => "mixed",
    })
}

fn tokens_of(name: Option<&str>) -> Option<Tokens> {
    match name? {
        "words" => Some(Tokens::Words),
        "characters" => Some(Tokens::Characters),
        "mixed" => Some(Tokens::Mixed),
        _ => None,
    }
}

/// `spark_analyze(batch, **params)`: a batch of (`ordinal`, `record`: the row as a JSON
/// object, read as the CLI reads a JSONL line) analysed in parallel: per record its outcome,
/// text identity, band keys, fingerprints, line keys and the text relations are decided on.
#[pyfunction]
#[pyo3(signature = (batch, **kwargs))]
pub fn spark_analyze<'py>(
    py: Python<'py>,
    batch: pyo3_arrow::PyRecordBatch,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = spark_params(kwargs)?;
    let batch = batch.into_inner();
    let ordinals = column::<Int64Array>(&batch, "ordinal")?.clone();
    let records = column::<StringArray>(&batch, "record")?.clone();
    let out = py.detach(|| -> PyResult<RecordBatch> {
        let name: Arc<str> = Arc::from(ORIGIN_NAME);
        let raw: Vec<RawRecord> = (0..batch.num_rows())
            .map(|row| {
                let line = ordinals.value(row) as u64 + 1;
                RawRecord {
                    origin: Origin {
                        file: name.clone(),
                        line,
                    },
                    // A null record (no row to read) is rejected by the reader as not an object.
                    payload: Payload::JsonLine(if records.is_valid(row) {
                        records.value(row).as_bytes().to_vec()
                    } else {
                        b"null".to_vec()
                    }),
                    position: RecordPosition {
                        source: 0,
                        offset: 0,
                        line,
                    },
                }
            })
            .collect();
        let analyzed = sharded::analyze(raw, &params);
        analysis_batch(&ordinals, &analyzed)
    })?;
    pyo3_arrow::PyRecordBatch::new(out).into_pyarrow(py)
}

/// The columns of an analysed batch, in `reprint.spark._ANALYSIS_SCHEMA`'s order.
fn analysis_batch(
    ordinals: &Int64Array,
    analyzed: &[sharded::SketchedDoc],
) -> PyResult<RecordBatch> {
    let mut id = StringBuilder::new();
    let mut title = StringBuilder::new();
    let mut source = StringBuilder::new();
    let mut date = Int64Builder::new();
    let mut rejected = StringBuilder::new();
    let mut words = Int64Builder::new();
    let mut tokens = StringBuilder::new();
    let mut identity: [Int64Builder; 5] = Default::default();
    let mut band_keys = ListBuilder::new(Int64Builder::new());
    let mut fingerprints = ListBuilder::new(Int64Builder::new());
    let mut line_keys = ListBuilder::new(Int64Builder::new());
    let mut text = StringBuilder::new();
    for doc in analyzed {
        let outcome = &doc.outcome;
        let accepted = outcome.status != DocStatus::Rejected;
        id.append_option(outcome.id.as_deref());
        title.append_option(outcome.title.as_deref());
        source.append_option(outcome.source.as_deref());
        date.append_option(outcome.date);
        rejected.append_option(outcome.reason.as_deref().map(ToString::to_string));
        words.append_value(i64::from(outcome.words));
        tokens.append_option(tokens_name(outcome.tokens));
        let TextIdentity {
            content,
            bytes,
            span,
            words: identity_words,
        } = doc.identity;
        for (builder, value) in identity.iter_mut().zip([
            content as i64,
            bytes as i64,
            i64::from(span.0),
            i64::from(span.1),
            i64::from(identity_words),
        ]) {
            builder.append_value(value);
        }
        band_keys.values().append_slice(
            &doc.band_keys
                .iter()
                .map(|k| i64::from(k.0))
                .collect::<Vec<_>>(),
        );
        band_keys.append(true);
        fingerprints.values().append_slice(
            &doc.fingerprints
                .iter()
                .map(|&f| i64::from(f))
                .collect::<Vec<_>>(),
        );
        fingerprints.append(true);
        line_keys
            .values()
            .append_slice(&doc.line_keys.iter().map(|&k| k as i64).collect::<Vec<_>>());
        line_keys.append(true);
        text.append_option(accepted.then_some(doc.text.as_str()));
    }
    let [content, bytes, span_start, span_end, identity_words] = identity;
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("ordinal", Arc::new(ordinals.clone())),
        ("id", Arc::new(id.finish())),
        ("title", Arc::new(title.finish())),
        ("source", Arc::new(source.finish())),
        ("date", Arc::new(date.finish())),
        ("rejected", Arc::new(rejected.finish())),
        ("words", Arc::new(words.finish())),
        ("tokens", Arc::new(tokens.finish())),
        ("content", Arc::new({ content }.finish())),
        ("bytes", Arc::new({ bytes }.finish())),
        ("span_start", Arc::new({ span_start }.finish())),
        ("span_end", Arc::new({ span_end }.finish())),
        ("identity_words", Arc::new({ identity_words }.finish())),
        ("band_keys", Arc::new(band_keys.finish())),
        ("fingerprints", Arc::new(fingerprints.finish())),
        ("line_keys", Arc::new(line_keys.finish())),
        ("text", Arc::new(text.finish())),
    ];
    named_batch(columns).map_err(engine_error)
}

/// The recurring lines as the executors receive them: keys (as i64) and counts.
fn recurring_of(keys: Vec<i64>, counts: Vec<u32>) -> TemplateLines {
    TemplateLines::from_counts(keys.into_iter().map(|k| k as u64).zip(counts))
}

/// `spark_verify(batch, recurring_keys, recurring_counts, **params)`: the candidate pairs of a
/// batch (`a`, `b`, `text_a`, `title_a`, `text_b`, `title_b`) verified as the scan verifies
/// them; one row, `part`, holding what was found, for the driver.
#[pyfunction]
#[pyo3(signature = (batch, recurring_keys, recurring_counts, **kwargs))]
pub fn spark_verify<'py>(
    py: Python<'py>,
    batch: pyo3_arrow::PyRecordBatch,
    recurring_keys: Vec<i64>,
    recurring_counts: Vec<u32>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = spark_params(kwargs)?;
    let batch = batch.into_inner();
    let a = column::<Int64Array>(&batch, "a")?;
    let b = column::<Int64Array>(&batch, "b")?;
    let text_a = column::<StringArray>(&batch, "text_a")?;
    let text_b = column::<StringArray>(&batch, "text_b")?;
    let title_a = column::<StringArray>(&batch, "title_a")?;
    let title_b = column::<StringArray>(&batch, "title_b")?;
    let part = py.detach(|| -> PyResult<Vec<u8>> {
        let recurring = recurring_of(recurring_keys, recurring_counts);
        let mut pairs = Vec::with_capacity(batch.num_rows());
        let mut texts = Vec::with_capacity(batch.num_rows() * 2);
        for row in 0..batch.num_rows() {
            let (doc_a, doc_b) = (a.value(row) as u32, b.value(row) as u32);
            pairs.push((doc_a, doc_b));
            for (doc, texts_of, titles) in [(doc_a, text_a, title_a), (doc_b, text_b, title_b)] {
                texts.push((
                    doc,
                    TextToRelate {
                        text: texts_of.value(row),
                        title: titles.is_valid(row).then(|| titles.value(row)),
                        page: None,
                    },
                ));
            }
        }
        let part = sharded::verify_part(&pairs, &texts, &recurring, &params);
        serde_json::to_vec(&part).map_err(engine_error)
    })?;
    let array: ArrayRef = Arc::new(BinaryArray::from_vec(vec![part.as_slice()]));
    let schema = Schema::new(vec![Field::new("part", DataType::Binary, false)]);
    let out = RecordBatch::try_new(Arc::new(schema), vec![array]).map_err(engine_error)?;
    pyo3_arrow::PyRecordBatch::new(out).into_pyarrow(py)
}

/// The driver's side of `reprint.spark.dedup`: every record's outcome and identity, from the
/// collected analysis, and the decisions that need the whole corpus.
#[pyclass(module = "reprint")]
pub struct SparkDriver {
    scan: Option<ShardedScan>,
}

#[pymethods]
impl SparkDriver {
    /// From the analysis's driver columns of every record (`ordinal` 0..n in order, `id`,
    /// `title`, `source`, `date`, `rejected`, `words`, `tokens` and the identity columns).
    #[new]
    #[pyo3(signature = (table, **kwargs))]
    fn new(table: pyo3_arrow::PyTable, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let params = spark_params(kwargs)?;
        let (batches, _) = table.into_inner();
        let name: Arc<str> = Arc::from(ORIGIN_NAME);
        let mut docs = Vec::new();
        let mut identities = Vec::new();
        for batch in &batches {
            let ordinal = column::<Int64Array>(batch, "ordinal")?;
            let id = column::<StringArray>(batch, "id")?;
            let title = column::<StringArray>(batch, "title")?;
            let source = column::<StringArray>(batch, "source")?;
            let date = column::<Int64Array>(batch, "date")?;
            let rejected = column::<StringArray>(batch, "rejected")?;
            let words = column::<Int64Array>(batch, "words")?;
            let tokens = column::<StringArray>(batch, "tokens")?;
            let int = |name: &str| column::<Int64Array>(batch, name);
            let (content, bytes) = (int("content")?, int("bytes")?);
            let (span_start, span_end, identity_words) =
                (int("span_start")?, int("span_end")?, int("identity_words")?);
            let text = |array: &StringArray, row: usize| {
                array.is_valid(row).then(|| array.value(row).to_string())
            };
            for row in 0..batch.num_rows() {
                if ordinal.value(row) != docs.len() as i64 {
                    return Err(engine_error(format!(
                        "record {} came as ordinal {}: give every record once, in order",
                        docs.len(),
                        ordinal.value(row)
                    )));
                }
                // A record rejected on an executor keeps its reason there; here it only needs
                // to be left out.
                let status = match rejected.is_valid(row) {
                    true => DocStatus::Rejected,
                    false => DocStatus::Unique,
                };
                docs.push(DocOutcome {
                    origin: Origin {
                        file: name.clone(),
                        line: docs.len() as u64 + 1,
                    },
                    id: text(id, row),
                    title: text(title, row),
                    source: text(source, row),
                    date: date.is_valid(row).then(|| date.value(row)),
                    status,
                    cluster: None,
                    duplicate_of: None,
                    similarity: None,
                    reason: None,
                    words: words.value(row) as u32,
                    tokens: tokens_of(tokens.is_valid(row).then(|| tokens.value(row))),
                    reuses: Vec::new(),
                    quality: None,
                    page: None,
                });
                identities.push(TextIdentity {
                    content: content.value(row) as u64,
                    bytes: bytes.value(row) as u64,
                    span: (span_start.value(row) as u32, span_end.value(row) as u32),
                    words: identity_words.value(row) as u32,
                });
            }
        }
        let scan = ShardedScan::new(docs, identities, Vec::new(), &params).map_err(py_error)?;
        Ok(SparkDriver { scan: Some(scan) })
    }

    /// The records rejected because an earlier record has their id, with the reason.
    fn rejected_as_duplicate_ids(&self) -> PyResult<Vec<(u32, String)>> {
        let scan = self.scan()?;
        Ok(scan
            .rejected_as_duplicate_ids()
            .into_iter()
            .map(|doc| {
                let reason = scan.docs()[doc as usize]
                    .reason
                    .as_deref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                (doc, reason)
            })
            .collect())
    }

    /// The accepted documents compared only through their group's leader.
    fn followers(&self) -> PyResult<Vec<u32>> {
        Ok(self.scan()?.followers())
    }

    /// Relates the candidates (a table of `a`, `b`), with `lines` (`key`, `ordinal`: the lines
    /// in at least `--template-min-docs` accepted documents) for the outlet templates and
    /// `counts` of the candidates from LSH and from the passage index: `verify(a, b)` runs a
    /// verification round on the executors and returns a `pyarrow.Table` of the `part` of
    /// every batch. Returns the docs (in input order), pairs and
    /// clusters as `pyarrow.Table`s with the columns of the CLI's files.
    #[allow(clippy::too_many_arguments)]
    fn relate<'py>(
        &mut self,
        py: Python<'py>,
        lines: pyo3_arrow::PyTable,
        candidates: pyo3_arrow::PyTable,
        counts: (usize, usize),
        verify: Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let scan = self
            .scan
            .take()
            .ok_or_else(|| engine_error("this driver has already related its candidates"))?;
        let (line_batches, _) = lines.into_inner();
        let mut entries: Vec<(u64, u32)> = Vec::new();
        for batch in &line_batches {
            let keys = column::<Int64Array>(batch, "key")?;
            let docs = column::<Int64Array>(batch, "ordinal")?;
            entries.extend(
                keys.values()
                    .iter()
                    .zip(docs.values())
                    .map(|(&key, &doc)| (key as u64, doc as u32)),
            );
        }
        let (candidate_batches, _) = candidates.into_inner();
        let mut pairs: Vec<CandidatePair> = Vec::new();
        for batch in &candidate_batches {
            let a = column::<Int64Array>(batch, "a")?;
            let b = column::<Int64Array>(batch, "b")?;
            pairs.extend(
                a.values()
                    .iter()
                    .zip(b.values())
                    .map(|(&a, &b)| CandidatePair::new(a as u32, b as u32)),
            );
        }
        let candidates = pairs;
        // The driver's work runs with the GIL released; each verification round takes it back
        // to call into Spark.
        let verify = verify.unbind();
        let round = |pairs: Vec<CandidatePair>| -> reprint::Result<Vec<VerifiedPart>> {
            let (a, b): (Vec<u32>, Vec<u32>) = pairs.iter().map(|p| (p.a, p.b)).unzip();
            // The parts come as an Arrow table (`part`: binary), read here without a copy
            // into Python objects, each deserialized as it is reached.
            let table: pyo3_arrow::PyTable = Python::attach(|py| {
                verify
                    .bind(py)
                    .call1((a, b))
                    .and_then(|table| table.extract())
            })
            .map_err(|e| reprint::Error::Engine {
                message: e.to_string(),
            })?;
            let (batches, _) = table.into_inner();
            let mut parts = Vec::new();
            for batch in &batches {
                let column = batch.column_by_name("part");
                let values: Vec<&[u8]> = if let Some(array) =
                    column.and_then(|c| c.as_any().downcast_ref::<BinaryArray>())
                {
                    array.iter().flatten().collect()
                } else if let Some(array) =
                    column.and_then(|c| c.as_any().downcast_ref::<LargeBinaryArray>())
                {
                    array.iter().flatten().collect()
                } else {
                    return Err(reprint::Error::Engine {
                        message: "verification gave no binary column \"part\"".to_string(),
                    });
                };
                for value in values {
                    parts.push(serde_json::from_slice(value).map_err(|e| {
                        reprint::Error::Engine {
                            message: format!("a verified part cannot be read: {e}"),
                        }
                    })?);
                }
            }
            Ok(parts)
        };
        let (docs, outputs) = py
            .detach(|| -> reprint::Result<(RecordBatch, [Vec<u8>; 2])> {
                let mut round = round;
                let result = scan.relate(&entries, candidates, counts, &mut round)?;
                let docs = doc_batch(&result).map_err(|e| reprint::Error::Engine {
                    message: e.to_string(),
                })?;
                let name = Path::new(ORIGIN_NAME);
                let mut outputs: [Vec<u8>; 2] = Default::default();
                report::write_pairs(&result, &mut outputs[0], name)?;
                report::write_clusters(&result, &mut outputs[1], name)?;
                Ok((docs, outputs))
            })
            .map_err(py_error)?;
        let [pairs, clusters] = outputs;
        let table = |batch: RecordBatch| -> PyResult<Bound<'py, PyAny>> {
            let schema = batch.schema();
            pyo3_arrow::PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
        };
        let lines = |bytes: Vec<u8>, columns| -> PyResult<RecordBatch> {
            arrow::batch_of(&String::from_utf8(bytes).map_err(engine_error)?, columns)
        };
        Ok((
            table(docs)?,
            table(lines(pairs, arrow::PAIR_COLUMNS)?)?,
            table(lines(clusters, arrow::CLUSTER_COLUMNS)?)?,
        ))
    }
}

/// Every record's outcome, in input order, as the columns `id`, `status`, `cluster`,
/// `duplicate_of`, `similarity` and `reason`, with the values of its `docs.jsonl` line (built
/// from the report layer's line, without writing a million of them as JSON first).
fn doc_batch(
    result: &reprint::pipeline::ScanResult,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut id = StringBuilder::new();
    let mut status = StringBuilder::new();
    let mut cluster = Int64Builder::new();
    let mut duplicate_of = StringBuilder::new();
    let mut similarity = Float64Builder::new();
    let mut reason = StringBuilder::new();
    for doc in &result.docs {
        let line = report::doc_line(doc, |i| report::id_of(result, i));
        id.append_option(line.id);
        status.append_value(line.status);
        cluster.append_option(line.cluster.map(i64::from));
        duplicate_of.append_option(line.duplicate_of);
        similarity.append_option(line.similarity);
        reason.append_option(line.reason);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(id.finish())),
        ("status", Arc::new(status.finish())),
        ("cluster", Arc::new(cluster.finish())),
        ("duplicate_of", Arc::new(duplicate_of.finish())),
        ("similarity", Arc::new(similarity.finish())),
        ("reason", Arc::new(reason.finish())),
    ];
    named_batch(columns)
}

impl SparkDriver {
    fn scan(&self) -> PyResult<&ShardedScan> {
        self.scan
            .as_ref()
            .ok_or_else(|| engine_error("this driver has already related its candidates"))
    }
}

/// A record batch of named columns, every field nullable.
fn named_batch(columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let schema = Schema::new(
        columns
            .iter()
            .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(
        Arc::new(schema),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
}
