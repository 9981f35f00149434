//! `scan_arrow`: records from an Arrow table, results as Arrow tables, with no Python object
//! per row. Rows are written as the JSONL the CLI reads (so parsing and rejections are the
//! CLI's), and the CLI's output lines are put into columns here.

use arrow_array::builder::{Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pyo3::prelude::*;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;

/// A column of an output table and how its values are read from a JSON line.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A string (or null).
    Str,
    /// An integer (or null).
    Int,
    /// A number (or null).
    Float,
    /// A list of strings.
    StrList,
    /// Any value, kept as its JSON text (nested objects: reuses, evidence, passages).
    Json,
}

/// The columns of `docs`: the `docs.jsonl` fields, the quality object's measures flattened.
pub const DOC_COLUMNS: &[(&str, &str, Kind)] = &[
    ("id", "id", Kind::Str),
    ("cluster", "cluster", Kind::Int),
    ("duplicate_of", "duplicate_of", Kind::Str),
    ("similarity", "similarity", Kind::Float),
    ("status", "status", Kind::Str),
    ("reason", "reason", Kind::Str),
    ("origin", "origin", Kind::Str),
    ("source", "source", Kind::Str),
    ("date", "date", Kind::Str),
    ("title", "title", Kind::Str),
    ("tokens", "tokens", Kind::Str),
    ("reuses", "reuses", Kind::Json),
    ("score", "quality.score", Kind::Float),
    ("boilerplate", "quality.boilerplate", Kind::Float),
    ("padding", "quality.padding", Kind::Float),
    ("stuffing", "quality.stuffing", Kind::Float),
    ("flags", "quality.flags", Kind::StrList),
    ("evidence", "quality.evidence", Kind::Json),
];

/// The columns of `pairs`.
pub const PAIR_COLUMNS: &[(&str, &str, Kind)] = &[
    ("a", "a", Kind::Str),
    ("b", "b", Kind::Str),
    ("jaccard", "jaccard", Kind::Float),
    ("containment_ab", "containment_ab", Kind::Float),
    ("containment_ba", "containment_ba", Kind::Float),
    ("relation", "relation", Kind::Str),
    ("share_a", "share_a", Kind::Float),
    ("share_b", "share_b", Kind::Float),
    ("from", "from", Kind::Str),
    ("direction", "direction", Kind::Str),
    ("reason", "reason", Kind::Str),
    ("passages", "passages", Kind::Json),
];

/// The columns of `clusters`.
pub const CLUSTER_COLUMNS: &[(&str, &str, Kind)] = &[
    ("cluster", "cluster", Kind::Int),
    ("representative", "representative", Kind::Str),
    ("reason", "reason", Kind::Str),
    ("size", "size", Kind::Int),
    ("members", "members", Kind::StrList),
];

/// Writes every row of `batches` as one JSON object per line: each column cast to text, null
/// values left out.
pub fn write_rows(batches: &[RecordBatch], out: &mut impl Write) -> PyResult<()> {
    for batch in batches {
        let schema = batch.schema();
        let columns: Vec<(&str, StringArray)> = schema
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, column)| {
                let text = arrow_cast::cast(column, &DataType::Utf8).map_err(|e| {
                    pyo3::exceptions::PyValueError::new_err(format!(
                        "column {:?} cannot be read as text: {e}",
                        field.name()
                    ))
                })?;
                let text = text
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .expect("cast to Utf8 gives a StringArray")
                    .clone();
                Ok((field.name().as_str(), text))
            })
            .collect::<PyResult<_>>()?;
        for row in 0..batch.num_rows() {
            let mut record = serde_json::Map::new();
            for (name, column) in &columns {
                if column.is_valid(row) {
                    record.insert(name.to_string(), Value::from(column.value(row)));
                }
            }
            serde_json::to_writer(&mut *out, &record)
                .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
            out.write_all(b"\n")
                .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
        }
    }
    Ok(())
}

/// The CLI's JSON `lines` as one record batch with `columns` (name, field path, kind).
pub fn batch_of(lines: &str, columns: &[(&str, &str, Kind)]) -> PyResult<RecordBatch> {
    let values: Vec<Value> = lines
        .lines()
        .filter(|l| !l.is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    let field_of = |value: &Value, path: &str| -> Value {
        path.split('.')
            .try_fold(value, |v, key| v.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for &(name, path, kind) in columns {
        let column = values.iter().map(|v| field_of(v, path));
        let (data_type, array): (DataType, ArrayRef) = match kind {
            Kind::Str => {
                let mut b = StringBuilder::new();
                column.for_each(|v| b.append_option(v.as_str()));
                (DataType::Utf8, Arc::new(b.finish()))
            }
            Kind::Json => {
                let mut b = StringBuilder::new();
                column.for_each(|v| match v {
                    Value::Null => b.append_null(),
                    v => b.append_value(v.to_string()),
                });
                (DataType::Utf8, Arc::new(b.finish()))
            }
            Kind::Int => {
                let mut b = Int64Builder::new();
                column.for_each(|v| b.append_option(v.as_i64()));
                (DataType::Int64, Arc::new(b.finish()))
            }
            Kind::Float => {
                let mut b = Float64Builder::new();
                column.for_each(|v| b.append_option(v.as_f64()));
                (DataType::Float64, Arc::new(b.finish()))
            }
            Kind::StrList => {
                let mut b = ListBuilder::new(StringBuilder::new());
                for v in column {
                    match v.as_array() {
                        Some(items) => {
                            for item in items {
                                b.values().append_option(item.as_str());
                            }
                            b.append(true);
                        }
                        None => b.append(false),
                    }
                }
                let array = b.finish();
                (array.data_type().clone(), Arc::new(array))
            }
        };
        fields.push(Field::new(name, data_type, true));
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}
