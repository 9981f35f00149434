//! The native half of the `reprint` Python package. Results cross into Python as the CLI's
//! own JSON (the report layer's line types), which `reprint/__init__.py` turns into dicts, so
//! Python sees exactly the fields and values the CLI writes. Work that takes time runs with
//! the GIL released, on rayon's threads.

mod arrow;
mod spark;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator};
use reprint::candidates::lsh::{BandKey, LshParams};
use reprint::candidates::minhash::{MinHashParams, MinHasher, SketchScheme};
use reprint::ingest::{Corpus, InputSpec};
use reprint::pipeline::{self, ScanOptions, Silent};
use reprint::report;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

create_exception!(
    _native,
    ReprintError,
    PyException,
    "An error reprint's command line would report (bad input, a damaged file)."
);

/// The CLI's message for `error`, as the Python exception that fits it.
fn py_error(error: reprint::Error) -> PyErr {
    let message = error.to_string();
    match error {
        reprint::Error::InvalidParameter { .. } => PyValueError::new_err(message),
        reprint::Error::Io { .. } | reprint::Error::NotFound { .. } => PyOSError::new_err(message),
        _ => ReprintError::new_err(message),
    }
}

fn io_error(error: std::io::Error) -> PyErr {
    PyOSError::new_err(error.to_string())
}

/// The MinHash scheme by the CLI's name for it (`--scheme oph|classic`).
fn scheme(name: &str) -> PyResult<SketchScheme> {
    match name {
        "oph" => Ok(SketchScheme::OnePermutation),
        "classic" => Ok(SketchScheme::KPermutation),
        other => Err(PyValueError::new_err(format!(
            "invalid parameter --scheme: {other:?}; use \"oph\" or \"classic\""
        ))),
    }
}

/// The scan settings from keyword arguments named as the CLI's flags (`threshold`, `shingle`,
/// `hashes`, `seed`, `bands`, `rows`, `threads`, `all_pairs`, `passages`, `quality`, ...).
fn options(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<ScanOptions> {
    let mut options = ScanOptions::default();
    let Some(kwargs) = kwargs else {
        return Ok(options);
    };
    let (mut bands, mut rows) = (None, None);
    for (key, value) in kwargs.iter() {
        let key: String = key.extract()?;
        match key.as_str() {
            "id_field" => options.id_field = value.extract()?,
            "text_field" => options.text_field = value.extract()?,
            "threshold" => options.threshold = value.extract()?,
            "shingle" => options.shingle = value.extract()?,
            "char_ngrams" => options.char_ngrams = value.extract()?,
            "hashes" => options.hashes = value.extract()?,
            "seed" => options.seed = value.extract()?,
            "scheme" => options.scheme = scheme(&value.extract::<String>()?)?,
            "bands" => bands = Some(value.extract()?),
            "rows" => rows = Some(value.extract()?),
            "threads" => options.threads = value.extract()?,
            "copy_share" => options.copy_share = value.extract()?,
            "partial_words" => options.partial_words = value.extract()?,
            "partial_share" => options.partial_share = value.extract()?,
            "cluster_floor" => options.cluster_floor = value.extract()?,
            "passages" => options.passages = value.extract()?,
            "all_pairs" => options.all_pairs = value.extract()?,
            "quality" => options.quality = value.extract()?,
            "template_min_docs" => options.template_min_docs = value.extract()?,
            "jaccard_only" => options.jaccard_only = value.extract()?,
            "winnow_window" => options.winnow_window = value.extract()?,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown parameter {other:?}"
                )));
            }
        }
    }
    options.bands_rows = match (bands, rows) {
        (Some(b), Some(r)) => Some((b, r)),
        (None, None) => None,
        _ => {
            return Err(PyValueError::new_err(
                "invalid parameter --bands/--rows: give both or neither",
            ));
        }
    };
    Ok(options)
}

/// Records written as JSONL to a temporary file, so the scan reads them exactly as the CLI
/// reads a file (the same parsing, the same rejections). Each record's origin is
/// `records:LINE`, its position from 1.
struct RecordFile {
    dir: tempfile::TempDir,
}

impl RecordFile {
    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("records")
    }

    /// The CLI's output with the temporary file's path shown as `records`.
    fn unname(&self, bytes: Vec<u8>) -> PyResult<String> {
        let text = String::from_utf8(bytes).map_err(|e| ReprintError::new_err(e.to_string()))?;
        let path = self.path();
        Ok(text.replace(&*path.to_string_lossy(), "records"))
    }
}

/// Writes `records` (an iterable of dicts) as JSON lines. A bad record is reported in `docs`
/// like any rejected record rather than failing the batch.
fn write_records(py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<RecordFile> {
    let json = py.import("json")?;
    let dumps = json.getattr("dumps")?;
    // Dates and times (datetime, date, pandas Timestamp) as ISO 8601, which the reader parses;
    // other values JSON lacks as their str().
    let options = PyDict::new(py);
    options.set_item("default", py.import("reprint")?.getattr("_json_value")?)?;
    let dir = tempfile::tempdir().map_err(io_error)?;
    let file = RecordFile { dir };
    let mut out = std::io::BufWriter::new(std::fs::File::create(file.path()).map_err(io_error)?);
    for record in PyIterator::from_object(records)? {
        let record = record?;
        // A record that is not a dict, or that JSON cannot carry (a circular reference), is
        // written as `null`: the reader rejects it as "not a JSON object", in its place.
        let line: String = match record.is_instance_of::<PyDict>() {
            true => dumps
                .call((&record,), Some(&options))
                .and_then(|line| line.extract())
                .unwrap_or_else(|_| "null".to_string()),
            false => "null".to_string(),
        };
        // json.dumps escapes line breaks inside strings, so a record is one line.
        out.write_all(line.as_bytes()).map_err(io_error)?;
        out.write_all(b"\n").map_err(io_error)?;
    }
    out.flush().map_err(io_error)?;
    Ok(file)
}

/// `scan(records, **params)`: docs, pairs, clusters and outlets as the CLI's JSONL text.
#[pyfunction]
#[pyo3(signature = (records, **kwargs))]
fn scan_jsonl(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(String, String, String, String)> {
    let params = options(kwargs)?.params().map_err(py_error)?;
    let file = write_records(py, records)?;
    let [docs, pairs, clusters, outlets] = scan_file(py, &file, &params)?;
    Ok((docs, pairs, clusters, outlets))
}

/// `scan_arrow(table, **params)`: the rows of an Arrow table (anything with
/// `__arrow_c_stream__`, such as a `pyarrow.Table`) scanned as records, every column read as
/// text; docs, pairs and clusters come back as `pyarrow.Table`s.
#[pyfunction]
#[pyo3(signature = (table, **kwargs))]
fn scan_arrow<'py>(
    py: Python<'py>,
    table: pyo3_arrow::PyTable,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let params = options(kwargs)?.params().map_err(py_error)?;
    let (batches, _) = table.into_inner();
    let dir = tempfile::tempdir().map_err(io_error)?;
    let file = RecordFile { dir };
    let path = file.path();
    py.detach(|| -> PyResult<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io_error)?);
        arrow::write_rows(&batches, &mut out)?;
        out.flush().map_err(io_error)
    })?;
    let [docs, pairs, clusters, _] = scan_file(py, &file, &params)?;
    let table = |lines: &str, columns| -> PyResult<Bound<'py, PyAny>> {
        let batch = arrow::batch_of(lines, columns)?;
        let schema = batch.schema();
        pyo3_arrow::PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
    };
    Ok((
        table(&docs, arrow::DOC_COLUMNS)?,
        table(&pairs, arrow::PAIR_COLUMNS)?,
        table(&clusters, arrow::CLUSTER_COLUMNS)?,
    ))
}

/// Scans the records of `file` with the GIL released: the CLI's docs, pairs, clusters and
/// outlets lines.
fn scan_file(
    py: Python<'_>,
    file: &RecordFile,
    params: &reprint::pipeline::ScanParams,
) -> PyResult<[String; 4]> {
    let path = file.path();
    let outputs = py
        .detach(|| -> reprint::Result<[Vec<u8>; 4]> {
            let corpus = Corpus::open(&[InputSpec::Path(path.clone())])?;
            let result = pipeline::scan(&corpus, params, &Silent)?;
            let mut outputs: [Vec<u8>; 4] = Default::default();
            let name = Path::new("records");
            report::write_docs(&result, &mut outputs[0], name)?;
            report::write_pairs(&result, &mut outputs[1], name)?;
            report::write_clusters(&result, &mut outputs[2], name)?;
            report::write_outlets(&result, &mut outputs[3], name)?;
            Ok(outputs)
        })
        .map_err(py_error)?;
    let [docs, pairs, clusters, outlets] = outputs;
    Ok([
        file.unname(docs)?,
        file.unname(pairs)?,
        file.unname(clusters)?,
        file.unname(outlets)?,
    ])
}

/// `quality(text, title=None)`: the quality object of `docs.jsonl`, as JSON.
#[pyfunction]
#[pyo3(signature = (text, title=None))]
fn quality_json(py: Python<'_>, text: &str, title: Option<&str>) -> PyResult<String> {
    py.detach(|| {
        let assessment = reprint::quality::assess(text, title, None);
        let line = report::QualityLine::from(&assessment.report);
        serde_json::to_string(&line).map_err(|e| ReprintError::new_err(e.to_string()))
    })
}

/// `explain(text_a, text_b, ...)`: `reprint explain --json` of the two texts, with passage
/// offsets as character (code point) positions, as Python indexes strings.
#[pyfunction]
#[pyo3(signature = (text_a, text_b, title_a=None, title_b=None, **kwargs))]
fn explain_json(
    py: Python<'_>,
    text_a: &str,
    text_b: &str,
    title_a: Option<&str>,
    title_b: Option<&str>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let params = options(kwargs)?.params().map_err(py_error)?;
    let dir = tempfile::tempdir().map_err(io_error)?;
    let path = dir.path().join("pair");
    let records = [("a", text_a, title_a), ("b", text_b, title_b)]
        .iter()
        .map(|(id, text, title)| {
            serde_json::json!({"id": id, "text": text, "title": title}).to_string() + "\n"
        })
        .collect::<String>();
    std::fs::write(&path, records).map_err(io_error)?;
    py.detach(|| {
        let corpus = Corpus::open(&[InputSpec::Path(path.clone())]).map_err(py_error)?;
        let explanation = pipeline::explain(&corpus, &params, "a", "b").map_err(py_error)?;
        let mut line = report::explanation_line(&explanation);
        let (in_a, in_b) = (CharOffsets::new(text_a), CharOffsets::new(text_b));
        for passage in &mut line.passages {
            passage.a_start = in_a.of(passage.a_start);
            passage.a_end = in_a.of(passage.a_end);
            passage.b_start = in_b.of(passage.b_start);
            passage.b_end = in_b.of(passage.b_end);
        }
        serde_json::to_string(&line).map_err(|e| ReprintError::new_err(e.to_string()))
    })
}

/// Byte offsets of a text to character offsets.
struct CharOffsets {
    /// The byte offset of every character, and the text's length.
    starts: Vec<u32>,
}

impl CharOffsets {
    fn new(text: &str) -> CharOffsets {
        let mut starts: Vec<u32> = text.char_indices().map(|(at, _)| at as u32).collect();
        starts.push(text.len() as u32);
        CharOffsets { starts }
    }

    /// The character at or after `byte` (passages start and end on characters).
    fn of(&self, byte: u32) -> u32 {
        self.starts.partition_point(|&start| start < byte) as u32
    }
}

/// MinHash of a set of byte strings, in the part of datasketch's API most code uses. Hashing
/// differs from datasketch's (xxh3 and reprint's one-permutation scheme by default), so the
/// values and estimates are not bit-identical, only equally accurate.
#[pyclass(module = "reprint")]
#[derive(Clone)]
struct MinHash {
    hasher: Arc<MinHasher>,
    slots: Vec<u64>,
    empty: bool,
}

#[pymethods]
impl MinHash {
    #[new]
    #[pyo3(signature = (num_perm=128, seed=1, scheme="oph"))]
    fn new(num_perm: usize, seed: u64, scheme: &str) -> PyResult<Self> {
        let params = MinHashParams::new(num_perm, seed, self::scheme(scheme)?).map_err(py_error)?;
        let hasher = Arc::new(MinHasher::new(params));
        Ok(MinHash {
            slots: hasher.empty_slots(),
            hasher,
            empty: true,
        })
    }

    /// Adds one element (bytes).
    fn update(&mut self, b: &[u8]) {
        self.hasher
            .add_to(&mut self.slots, xxhash_rust::xxh3::xxh3_64(b));
        self.empty = false;
    }

    /// Adds many elements.
    fn update_batch(&mut self, py: Python<'_>, b: Vec<Vec<u8>>) {
        py.detach(|| {
            for element in &b {
                self.hasher
                    .add_to(&mut self.slots, xxhash_rust::xxh3::xxh3_64(element));
            }
        });
        self.empty &= b.is_empty();
    }

    /// The estimated Jaccard similarity with `other` (same `num_perm` and seed).
    fn jaccard(&self, other: &MinHash) -> PyResult<f64> {
        self.check_same(other)?;
        Ok(match (self.empty, other.empty) {
            (true, true) => 1.0,
            (true, false) | (false, true) => 0.0,
            (false, false) => self.signature().estimate_jaccard(&other.signature()),
        })
    }

    /// The signature's values.
    fn digest(&self) -> Vec<u64> {
        self.signature().0
    }

    /// Whether nothing was added.
    fn is_empty(&self) -> bool {
        self.empty
    }

    /// Takes in `other`'s elements (the MinHash of the union).
    fn merge(&mut self, other: &MinHash) -> PyResult<()> {
        self.check_same(other)?;
        for (slot, &theirs) in self.slots.iter_mut().zip(&other.slots) {
            *slot = (*slot).min(theirs);
        }
        self.empty &= other.empty;
        Ok(())
    }

    /// A copy.
    fn copy(&self) -> MinHash {
        self.clone()
    }

    /// Back to no elements.
    fn clear(&mut self) {
        self.slots = self.hasher.empty_slots();
        self.empty = true;
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.hasher.params().num_hashes()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.hasher.params().seed()
    }

    fn __len__(&self) -> usize {
        self.num_perm()
    }

    fn __eq__(&self, other: &MinHash) -> bool {
        self.hasher.params() == other.hasher.params()
            && self.slots == other.slots
            && self.empty == other.empty
    }
}

impl MinHash {
    fn check_same(&self, other: &MinHash) -> PyResult<()> {
        if self.hasher.params() != other.hasher.params() {
            return Err(PyValueError::new_err(
                "cannot compare MinHash with different num_perm, seed or scheme",
            ));
        }
        Ok(())
    }

    fn signature(&self) -> reprint::candidates::minhash::Signature {
        match self.empty {
            true => reprint::candidates::minhash::Signature(self.slots.clone()),
            false => self.hasher.signature_of(self.slots.clone()),
        }
    }
}

/// A key of the index: datasketch accepts any hashable; strings and integers cover the
/// common case.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Str(String),
    Int(i64),
}

impl Key {
    fn of(key: &Bound<'_, PyAny>) -> PyResult<Key> {
        if let Ok(s) = key.extract::<String>() {
            return Ok(Key::Str(s));
        }
        if let Ok(i) = key.extract::<i64>() {
            return Ok(Key::Int(i));
        }
        Err(PyValueError::new_err("keys must be str or int"))
    }

    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Key::Str(s) => Ok(s.into_pyobject(py)?.into_any()),
            Key::Int(i) => Ok(i.into_pyobject(py)?.into_any()),
        }
    }
}

/// Locality-sensitive hashing over MinHash signatures, in the part of datasketch's
/// `MinHashLSH` API most code uses. The band shape is chosen as datasketch chooses it (least
/// weighted false-positive and false-negative area, `weights`), unless `params=(b, r)`.
#[pyclass(module = "reprint")]
struct MinHashLSH {
    lsh: LshParams,
    num_perm: usize,
    threshold: f64,
    /// Per band: key to the entries in it.
    tables: Vec<HashMap<BandKey, Vec<u32>>>,
    /// Entries by number (`None` once removed), and the numbers by key.
    keys: Vec<Option<Key>>,
    numbers: HashMap<Key, (u32, Vec<BandKey>)>,
}

#[pymethods]
impl MinHashLSH {
    #[new]
    #[pyo3(signature = (threshold=0.9, num_perm=128, weights=(0.5, 0.5), params=None))]
    fn new(
        threshold: f64,
        num_perm: usize,
        weights: (f64, f64),
        params: Option<(usize, usize)>,
    ) -> PyResult<Self> {
        let lsh = match params {
            Some((bands, rows)) => LshParams::new(bands, rows, num_perm),
            None => LshParams::for_threshold_weighted(threshold, num_perm, weights),
        }
        .map_err(py_error)?;
        Ok(MinHashLSH {
            tables: vec![HashMap::new(); lsh.bands()],
            lsh,
            num_perm,
            threshold,
            keys: Vec::new(),
            numbers: HashMap::new(),
        })
    }

    /// Adds `minhash` under `key`; a key already in the index is a ValueError.
    fn insert(&mut self, key: &Bound<'_, PyAny>, minhash: &MinHash) -> PyResult<()> {
        self.check(minhash)?;
        let key = Key::of(key)?;
        if self.numbers.contains_key(&key) {
            return Err(PyValueError::new_err("the key is already in the index"));
        }
        let number = self.keys.len() as u32;
        let bands = self.lsh.band_keys(&minhash.signature());
        for (table, band) in self.tables.iter_mut().zip(&bands) {
            table.entry(*band).or_default().push(number);
        }
        self.keys.push(Some(key.clone()));
        self.numbers.insert(key, (number, bands));
        Ok(())
    }

    /// The keys sharing at least one band with `minhash`: candidates, not verified.
    fn query<'py>(&self, py: Python<'py>, minhash: &MinHash) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.check(minhash)?;
        let bands = self.lsh.band_keys(&minhash.signature());
        let mut found: Vec<u32> = self
            .tables
            .iter()
            .zip(&bands)
            .filter_map(|(table, band)| table.get(band))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .filter_map(|n| self.keys[n as usize].as_ref())
            .map(|key| key.to_py(py))
            .collect()
    }

    /// Removes `key`; a key not in the index is a ValueError.
    fn remove(&mut self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = Key::of(key)?;
        let Some((number, bands)) = self.numbers.remove(&key) else {
            return Err(PyValueError::new_err("the key is not in the index"));
        };
        for (table, band) in self.tables.iter_mut().zip(&bands) {
            if let Some(entries) = table.get_mut(band) {
                entries.retain(|&n| n != number);
                if entries.is_empty() {
                    table.remove(band);
                }
            }
        }
        self.keys[number as usize] = None;
        Ok(())
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.numbers.contains_key(&Key::of(key)?))
    }

    fn __len__(&self) -> usize {
        self.numbers.len()
    }

    /// Whether the index is empty.
    fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// Bands.
    #[getter]
    fn b(&self) -> usize {
        self.lsh.bands()
    }

    /// Rows per band.
    #[getter]
    fn r(&self) -> usize {
        self.lsh.rows()
    }

    #[getter]
    fn threshold(&self) -> f64 {
        self.threshold
    }
}

impl MinHashLSH {
    fn check(&self, minhash: &MinHash) -> PyResult<()> {
        if minhash.num_perm() != self.num_perm {
            return Err(PyValueError::new_err(format!(
                "the MinHash has num_perm {}, the index {}",
                minhash.num_perm(),
                self.num_perm
            )));
        }
        Ok(())
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(scan_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(quality_json, m)?)?;
    m.add_function(wrap_pyfunction!(explain_json, m)?)?;
    m.add_class::<MinHash>()?;
    m.add_class::<MinHashLSH>()?;
    m.add_function(wrap_pyfunction!(spark::spark_settings, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_verify, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_duplicate_ids, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_fingerprint_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_band_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_cluster_components, m)?)?;
    m.add_function(wrap_pyfunction!(spark::spark_conclude_components, m)?)?;
    m.add_class::<spark::SparkDriver>()?;
    m.add("ReprintError", m.py().get_type::<ReprintError>())?;
    Ok(())
}
