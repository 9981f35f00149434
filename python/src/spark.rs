//! The native half of `reprint.spark`: the stages Spark runs on its executors (records
//! analysed, pairs verified, both one Arrow batch at a time through `mapInArrow`) and the
//! driver's corpus-wide decisions (`SparkDriver`), all through `reprint::pipeline::sharded`.
//!
//! Records are numbered by the caller in input order (`ordinal`, from 0), which stands for
//! the scan's corpus index. Keys cross into Spark as 64-bit integers: line keys (u64) keep
//! their bits, so grouping on them groups as the scan does.

use crate::arrow;
use crate::{ReprintError, options, py_error};
use arrow_array::builder::{
    BinaryBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{
    Array, ArrayRef, BinaryArray, Int64Array, LargeBinaryArray, RecordBatch, StringArray,
};
use arrow_schema::{Field, Schema};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use reprint::candidates::lsh::CandidatePair;
use reprint::ingest::{Origin, Payload, RawRecord, RecordPosition};
use reprint::pipeline::incremental::TextToRelate;
use reprint::pipeline::sharded::{self, ShardedScan, VerifiedPart};
use reprint::pipeline::{DocOutcome, DocStatus, RejectReason, ScanParams, Tokens};
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
    settings.set_item("templates", params.templates)?;
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

/// `spark_band_pairs(table, **params)`: from band entries (`band`, `key`, `ordinal`) holding
/// every entry of each bucket in them, the candidate pairs (`a`, `b`) the buckets make.
#[pyfunction]
#[pyo3(signature = (table, **kwargs))]
pub fn spark_band_pairs<'py>(
    py: Python<'py>,
    table: pyo3_arrow::PyTable,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = spark_params(kwargs)?;
    let (batches, _) = table.into_inner();
    let mut entries: Vec<(u32, u32, u32)> = Vec::new();
    for batch in &batches {
        let band = column::<Int64Array>(batch, "band")?;
        let key = column::<Int64Array>(batch, "key")?;
        let ordinal = column::<Int64Array>(batch, "ordinal")?;
        entries.extend((0..batch.num_rows()).map(|row| {
            (
                band.value(row) as u32,
                key.value(row) as u32,
                ordinal.value(row) as u32,
            )
        }));
    }
    let pairs = py.detach(|| sharded::band_pairs(&entries, &params));
    let (a, b): (Vec<i64>, Vec<i64>) = pairs
        .into_iter()
        .map(|(a, b)| (i64::from(a), i64::from(b)))
        .unzip();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("a", Arc::new(Int64Array::from(a))),
        ("b", Arc::new(Int64Array::from(b))),
    ];
    table_of(py, named_batch(columns).map_err(engine_error)?)
}

/// `spark_fingerprint_pairs(table, **params)`: from postings (`fingerprint`, `ordinal`) holding
/// every posting of each fingerprint in them, the document pairs (`a`, `b`) sharing
/// fingerprints and how many they share there (`shared`).
#[pyfunction]
#[pyo3(signature = (table, **kwargs))]
pub fn spark_fingerprint_pairs<'py>(
    py: Python<'py>,
    table: pyo3_arrow::PyTable,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = spark_params(kwargs)?;
    let (batches, _) = table.into_inner();
    let mut postings: Vec<(u32, u32)> = Vec::new();
    for batch in &batches {
        let fingerprint = column::<Int64Array>(batch, "fingerprint")?;
        let ordinal = column::<Int64Array>(batch, "ordinal")?;
        postings.extend(
            fingerprint
                .values()
                .iter()
                .zip(ordinal.values())
                .map(|(&f, &o)| (f as u32, o as u32)),
        );
    }
    let pairs = py.detach(|| sharded::fingerprint_pair_counts(&postings, &params));
    let mut a = Int64Builder::with_capacity(pairs.len());
    let mut b = Int64Builder::with_capacity(pairs.len());
    let mut shared = Int64Builder::with_capacity(pairs.len());
    for (x, y, n) in pairs {
        a.append_value(i64::from(x));
        b.append_value(i64::from(y));
        shared.append_value(i64::from(n));
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("a", Arc::new(a.finish())),
        ("b", Arc::new(b.finish())),
        ("shared", Arc::new(shared.finish())),
    ];
    table_of(py, named_batch(columns).map_err(engine_error)?)
}

/// `spark_duplicate_ids(batch)`: for rows (`ordinal`, `id`, `first`: the ordinal of the
/// record that used the id first), the reason a scan gives for rejecting each (`ordinal`,
/// `reason`).
#[pyfunction]
pub fn spark_duplicate_ids<'py>(
    py: Python<'py>,
    batch: pyo3_arrow::PyRecordBatch,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = batch.into_inner();
    let ordinal = column::<Int64Array>(&batch, "ordinal")?;
    let id = column::<StringArray>(&batch, "id")?;
    let first = column::<Int64Array>(&batch, "first")?;
    let name: Arc<str> = Arc::from(ORIGIN_NAME);
    let mut reason = StringBuilder::new();
    for row in 0..batch.num_rows() {
        let rejected = RejectReason::DuplicateId {
            id: id.value(row).to_string(),
            first: Origin {
                file: name.clone(),
                line: first.value(row) as u64 + 1,
            },
        };
        reason.append_value(rejected.to_string());
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("ordinal", Arc::new(ordinal.clone())),
        ("reason", Arc::new(reason.finish())),
    ];
    let out = named_batch(columns).map_err(engine_error)?;
    pyo3_arrow::PyRecordBatch::new(out).into_pyarrow(py)
}

/// The candidate pairs of a batch (`a`, `b`, `text_a`, `title_a`, `text_b`, `title_b`)
/// verified as the scan verifies them, with the GIL released.
fn verify_batch(
    py: Python<'_>,
    batch: &RecordBatch,
    recurring_keys: Vec<i64>,
    recurring_counts: Vec<u32>,
    params: &ScanParams,
) -> PyResult<VerifiedPart> {
    let a = column::<Int64Array>(batch, "a")?;
    let b = column::<Int64Array>(batch, "b")?;
    let text_a = column::<StringArray>(batch, "text_a")?;
    let text_b = column::<StringArray>(batch, "text_b")?;
    let title_a = column::<StringArray>(batch, "title_a")?;
    let title_b = column::<StringArray>(batch, "title_b")?;
    Ok(py.detach(|| {
        let recurring = recurring_of(recurring_keys, recurring_counts);
        let mut pairs = Vec::with_capacity(batch.num_rows());
        let mut texts = Vec::with_capacity(batch.num_rows() * 2);
        for row in 0..batch.num_rows() {
            let (doc_a, doc_b) = (a.value(row) as u32, b.value(row) as u32);
            pairs.push((doc_a, doc_b));
            for (doc, texts_of, titles) in [(doc_a, text_a, title_a), (doc_b, text_b, title_b)] {
                texts.push((doc, text_to_relate(texts_of, titles, row)));
            }
        }
        sharded::verify_part(&pairs, &texts, &recurring, params)
    }))
}

fn text_to_relate<'a>(
    texts: &'a StringArray,
    titles: &'a StringArray,
    row: usize,
) -> TextToRelate<'a> {
    TextToRelate {
        text: texts.value(row),
        title: titles.is_valid(row).then(|| titles.value(row)),
        page: None,
    }
}

/// `spark_verify(batch, recurring_keys, recurring_counts, by_item=False, **params)`: the
/// candidate pairs of a batch (`a`, `b`, `text_a`, `title_a`, `text_b`, `title_b`) verified as
/// the scan verifies them. One row, `part`, holding what was found, for the driver; or, with
/// `by_item`, one row per finding (`a`, `b`: the documents it is about, `b` null for one
/// document; `item`), so that the engine can send each to its connected component.
#[pyfunction]
#[pyo3(signature = (batch, recurring_keys, recurring_counts, by_item=false, **kwargs))]
pub fn spark_verify<'py>(
    py: Python<'py>,
    batch: pyo3_arrow::PyRecordBatch,
    recurring_keys: Vec<i64>,
    recurring_counts: Vec<u32>,
    by_item: bool,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = spark_params(kwargs)?;
    let part = verify_batch(
        py,
        &batch.into_inner(),
        recurring_keys,
        recurring_counts,
        &params,
    )?;
    if !by_item {
        let part = serde_json::to_vec(&part).map_err(engine_error)?;
        let array: ArrayRef = Arc::new(BinaryArray::from_vec(vec![part.as_slice()]));
        let out = named_batch(vec![("part", array)]).map_err(engine_error)?;
        return pyo3_arrow::PyRecordBatch::new(out).into_pyarrow(py);
    }
    let mut a = Int64Builder::new();
    let mut b = Int64Builder::new();
    let mut items = BinaryBuilder::new();
    for item in part.into_items() {
        let (first, second) = item.docs();
        a.append_value(i64::from(first));
        b.append_option(second.map(i64::from));
        items.append_value(serde_json::to_vec(&item).map_err(engine_error)?);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("a", Arc::new(a.finish())),
        ("b", Arc::new(b.finish())),
        ("item", Arc::new(items.finish())),
    ];
    let out = named_batch(columns).map_err(engine_error)?;
    pyo3_arrow::PyRecordBatch::new(out).into_pyarrow(py)
}

/// The values of a binary column, whether Spark sent it as binary or large binary.
fn binary_values<'a>(batch: &'a RecordBatch, name: &str) -> PyResult<Vec<Option<&'a [u8]>>> {
    let column = batch.column_by_name(name);
    if let Some(array) = column.and_then(|c| c.as_any().downcast_ref::<BinaryArray>()) {
        Ok(array.iter().collect())
    } else if let Some(array) = column.and_then(|c| c.as_any().downcast_ref::<LargeBinaryArray>()) {
        Ok(array.iter().collect())
    } else {
        Err(engine_error(format!(
            "the batch has no binary column {name:?}"
        )))
    }
}

fn unreadable(what: &str) -> impl Fn(serde_json::Error) -> PyErr + '_ {
    move |e| engine_error(format!("{what} cannot be read: {e}"))
}

/// `spark_cluster_components(table, recurring_keys, recurring_counts, **params)`: the rows of
/// whole connected components (`comp`, `kind`; `doc` rows: the document `a` with its analysis
/// columns, `text` and `leader`; `candidate` rows: the pair `a`, `b`; `item` rows: a finding
/// of verification), each component clustered as a scan clusters it. Returns rows of `comp`,
/// `kind`, `a`, `b`, `state`: one `state` (the clustered component), a `cluster` row per
/// cluster (`a` its number in the component, `b` its first member), a `clustered` row per
/// clustered document (`a`, and `b` its cluster's first member) and a `line` row per key of a
/// line of a document in a partial pair (`a`).
#[pyfunction]
#[pyo3(signature = (table, recurring_keys, recurring_counts, **kwargs))]
pub fn spark_cluster_components<'py>(
    py: Python<'py>,
    table: pyo3_arrow::PyTable,
    recurring_keys: Vec<i64>,
    recurring_counts: Vec<u32>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = spark_params(kwargs)?;
    let (batches, _) = table.into_inner();
    let name: Arc<str> = Arc::from(ORIGIN_NAME);
    let mut components: std::collections::BTreeMap<i64, sharded::Component<'_>> =
        Default::default();
    for batch in &batches {
        let comp = column::<Int64Array>(batch, "comp")?;
        let kind = column::<StringArray>(batch, "kind")?;
        let a = column::<Int64Array>(batch, "a")?;
        let b = column::<Int64Array>(batch, "b")?;
        let items = binary_values(batch, "item")?;
        let leader = column::<Int64Array>(batch, "leader")?;
        let texts = column::<StringArray>(batch, "text")?;
        let titles = column::<StringArray>(batch, "title")?;
        let docs = DocColumns::of(batch)?;
        for (row, item) in items.iter().enumerate() {
            let component = components.entry(comp.value(row)).or_default();
            match kind.value(row) {
                "doc" => {
                    let ordinal = a.value(row) as u32;
                    let (doc, identity) = docs.read(row, ordinal, &name);
                    component.ordinals.push(ordinal);
                    component.docs.push(doc);
                    component.identities.push(identity);
                    component.texts.push(text_to_relate(texts, titles, row));
                    component.leaders.push(leader.value(row) as u32);
                }
                "candidate" => component
                    .candidates
                    .push((a.value(row) as u32, b.value(row) as u32)),
                "item" => component.verified.push(
                    serde_json::from_slice(item.unwrap_or_default())
                        .map_err(unreadable("a verified finding"))?,
                ),
                other => return Err(engine_error(format!("unknown row kind {other:?}"))),
            }
        }
    }
    let (keys, components): (Vec<i64>, Vec<sharded::Component<'_>>) =
        components.into_iter().unzip();
    let clustered = py
        .detach(|| {
            let recurring = recurring_of(recurring_keys, recurring_counts);
            sharded::cluster_components(components, &recurring, &params)
        })
        .map_err(py_error)?;
    let mut comp = Int64Builder::new();
    let mut kind = StringBuilder::new();
    let mut a = Int64Builder::new();
    let mut b = Int64Builder::new();
    let mut state = BinaryBuilder::new();
    let mut row = |key: i64, name: &str, first: i64, second: Option<i64>, blob: Option<&[u8]>| {
        comp.append_value(key);
        kind.append_value(name);
        a.append_value(first);
        b.append_option(second);
        state.append_option(blob);
    };
    for (key, component) in keys.into_iter().zip(clustered) {
        for (index, first) in component.first_members().into_iter().enumerate() {
            row(key, "cluster", index as i64, Some(i64::from(first)), None);
        }
        for (doc, first) in component.clustered() {
            row(
                key,
                "clustered",
                i64::from(doc),
                Some(i64::from(first)),
                None,
            );
        }
        for line in component.partial_line_keys() {
            row(key, "line", line as i64, None, None);
        }
        let blob = serde_json::to_vec(&component).map_err(engine_error)?;
        row(key, "state", 0, None, Some(&blob));
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("comp", Arc::new(comp.finish())),
        ("kind", Arc::new(kind.finish())),
        ("a", Arc::new(a.finish())),
        ("b", Arc::new(b.finish())),
        ("state", Arc::new(state.finish())),
    ];
    table_of(py, named_batch(columns).map_err(engine_error)?)
}

/// `spark_conclude_components(table, **params)`: the rows of whole components (`comp`,
/// `kind`; a `state` row with the clustered component in `state`; `cluster` rows: the
/// component's cluster `a` is the corpus's cluster `b`; `template` rows: the line key `a` is
/// an outlet template in `b` clusters), each finished as a scan finishes it. Returns rows of
/// `kind` (`doc`, `pair`, `cluster`), `a` and `b` (a document's number; a pair's two; a
/// cluster's number) and `line`, the JSON line `docs.jsonl`, `pairs.jsonl` or
/// `clusters.jsonl` would hold.
#[pyfunction]
#[pyo3(signature = (table, **kwargs))]
pub fn spark_conclude_components<'py>(
    py: Python<'py>,
    table: pyo3_arrow::PyTable,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    type Parts = (
        Option<sharded::ClusteredComponent>,
        Vec<(u32, u32)>,
        Vec<(u64, u32)>,
    );
    let params = spark_params(kwargs)?;
    let (batches, _) = table.into_inner();
    let mut components: std::collections::BTreeMap<i64, Parts> = Default::default();
    for batch in &batches {
        let comp = column::<Int64Array>(batch, "comp")?;
        let kind = column::<StringArray>(batch, "kind")?;
        let a = column::<Int64Array>(batch, "a")?;
        let b = column::<Int64Array>(batch, "b")?;
        let states = binary_values(batch, "state")?;
        for (row, state) in states.iter().enumerate() {
            let parts = components.entry(comp.value(row)).or_default();
            match kind.value(row) {
                "state" => {
                    parts.0 = Some(
                        serde_json::from_slice(state.unwrap_or_default())
                            .map_err(unreadable("a clustered component"))?,
                    )
                }
                "cluster" => parts.1.push((a.value(row) as u32, b.value(row) as u32)),
                "template" => parts.2.push((a.value(row) as u64, b.value(row) as u32)),
                other => return Err(engine_error(format!("unknown row kind {other:?}"))),
            }
        }
    }
    let work = components
        .into_iter()
        .map(|(key, (state, mut ids, templates))| {
            let state =
                state.ok_or_else(|| engine_error(format!("component {key} has no state")))?;
            ids.sort_unstable();
            let ids: Vec<u32> = ids.into_iter().map(|(_, id)| id).collect();
            Ok((state, ids, TemplateLines::from_counts(templates)))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let name: Arc<str> = Arc::from(ORIGIN_NAME);
    let concluded = py
        .detach(|| sharded::conclude_components(work, &name, &params))
        .map_err(py_error)?;
    let mut kind = StringBuilder::new();
    let mut a = Int64Builder::new();
    let mut b = Int64Builder::new();
    let mut line = StringBuilder::new();
    for component in &concluded {
        let name = |doc: u32| component.id(doc);
        let ordinal = |doc: u32| i64::from(component.ordinals[doc as usize]);
        for (index, doc) in component.docs.iter().enumerate() {
            kind.append_value("doc");
            a.append_value(ordinal(index as u32));
            b.append_null();
            line.append_value(
                serde_json::to_string(&report::doc_line(doc, name)).map_err(engine_error)?,
            );
        }
        for pair in &component.pairs {
            kind.append_value("pair");
            a.append_value(ordinal(pair.figures.a));
            b.append_value(ordinal(pair.figures.b));
            line.append_value(
                serde_json::to_string(&report::pair_line(pair, &component.clusters, name))
                    .map_err(engine_error)?,
            );
        }
        for cluster in &component.clusters {
            kind.append_value("cluster");
            a.append_value(i64::from(cluster.id));
            b.append_null();
            line.append_value(
                serde_json::to_string(&report::cluster_line(cluster, name))
                    .map_err(engine_error)?,
            );
        }
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("kind", Arc::new(kind.finish())),
        ("a", Arc::new(a.finish())),
        ("b", Arc::new(b.finish())),
        ("line", Arc::new(line.finish())),
    ];
    table_of(py, named_batch(columns).map_err(engine_error)?)
}

fn table_of(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    pyo3_arrow::PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

/// The analysis's columns of a record's outcome and text identity in a batch.
struct DocColumns<'a> {
    id: &'a StringArray,
    title: &'a StringArray,
    source: &'a StringArray,
    date: &'a Int64Array,
    rejected: Option<&'a StringArray>,
    words: &'a Int64Array,
    tokens: &'a StringArray,
    identity: [&'a Int64Array; 5],
}

impl<'a> DocColumns<'a> {
    /// The columns of `batch`; `rejected` is optional (a component holds accepted records).
    fn of(batch: &'a RecordBatch) -> PyResult<Self> {
        let int = |name: &str| column::<Int64Array>(batch, name);
        Ok(DocColumns {
            id: column(batch, "id")?,
            title: column(batch, "title")?,
            source: column(batch, "source")?,
            date: int("date")?,
            rejected: batch
                .column_by_name("rejected")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>()),
            words: int("words")?,
            tokens: column(batch, "tokens")?,
            identity: [
                int("content")?,
                int("bytes")?,
                int("span_start")?,
                int("span_end")?,
                int("identity_words")?,
            ],
        })
    }

    /// Row `row`'s outcome before relations (rejected when the analysis rejected it, which
    /// keeps its reason there) and identity; `ordinal` is its number in the corpus.
    fn read(&self, row: usize, ordinal: u32, name: &Arc<str>) -> (DocOutcome, TextIdentity) {
        let text = |array: &StringArray| array.is_valid(row).then(|| array.value(row).to_string());
        let status = match self.rejected.is_some_and(|r| r.is_valid(row)) {
            true => DocStatus::Rejected,
            false => DocStatus::Unique,
        };
        let doc = DocOutcome {
            origin: Origin {
                file: name.clone(),
                line: u64::from(ordinal) + 1,
            },
            id: text(self.id),
            title: text(self.title),
            source: text(self.source),
            date: self.date.is_valid(row).then(|| self.date.value(row)),
            status,
            cluster: None,
            duplicate_of: None,
            similarity: None,
            reason: None,
            words: self.words.value(row) as u32,
            tokens: tokens_of(self.tokens.is_valid(row).then(|| self.tokens.value(row))),
            reuses: Vec::new(),
            quality: None,
            page: None,
        };
        let [content, bytes, span_start, span_end, words] = self.identity.map(|c| c.value(row));
        let identity = TextIdentity {
            content: content as u64,
            bytes: bytes as u64,
            span: (span_start as u32, span_end as u32),
            words: words as u32,
        };
        (doc, identity)
    }
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
            let columns = DocColumns::of(batch)?;
            for row in 0..batch.num_rows() {
                if ordinal.value(row) != docs.len() as i64 {
                    return Err(engine_error(format!(
                        "record {} came as ordinal {}: give every record once, in order",
                        docs.len(),
                        ordinal.value(row)
                    )));
                }
                let (doc, identity) = columns.read(row, docs.len() as u32, &name);
                docs.push(doc);
                identities.push(identity);
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
