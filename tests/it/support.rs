//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use reprint::ingest::{Corpus, InputSpec};
use reprint::pipeline::{self, ScanParams, ScanResult, Silent};
use reprint::synth::{Generator, SynthParams};

/// The repository's sample corpus folder.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Writes a generated corpus of `docs` articles into `dir` and returns its path.
pub fn generated_corpus(dir: &Path, docs: usize, seed: u64) -> PathBuf {
    let generator = Generator::new(SynthParams {
        docs,
        seed,
        ..SynthParams::default()
    })
    .unwrap();
    let path = dir.join(format!("gen-{docs}-{seed}.jsonl"));
    write_generated_corpus(&path, &generator);
    path
}

/// Writes the corpus of `generator` to `path` as JSONL.
pub fn write_generated_corpus(path: &Path, generator: &Generator) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    reprint::report::write_generated(generator, &mut out, None, 0).unwrap();
    std::io::Write::flush(&mut out).unwrap();
}

/// Writes `records` as `{"id", "text"}` JSON lines to `path`.
pub fn write_jsonl(path: &Path, records: &[(String, String)]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for (id, text) in records {
        serde_json::to_writer(&mut out, &serde_json::json!({"id": id, "text": text})).unwrap();
        std::io::Write::write_all(&mut out, b"\n").unwrap();
    }
    std::io::Write::flush(&mut out).unwrap();
}

/// Scans `inputs` with `params`.
pub fn scan(inputs: &[PathBuf], params: &ScanParams) -> ScanResult {
    let specs: Vec<InputSpec> = inputs.iter().map(|p| InputSpec::Path(p.clone())).collect();
    let corpus = Corpus::open(&specs).unwrap();
    pipeline::scan(&corpus, params, &Silent).unwrap()
}

/// The `reprint` binary, built by cargo for the tests.
pub fn reprint() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("reprint").unwrap()
}

/// `reprint scan INPUTS EXTRA -o DIR` in a temporary folder, which must succeed: the lines of
/// its docs.jsonl.
pub fn scan_docs(inputs: &[&Path], extra: &[&str]) -> Vec<serde_json::Value> {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report");
    reprint()
        .arg("scan")
        .args(inputs)
        .args(extra)
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    std::fs::read_to_string(report.join("docs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
