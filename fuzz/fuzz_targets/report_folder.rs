//! A scan folder from outside (`reprint report DIR` reads whatever DIR holds): the fuzz
//! bytes, cut at 0xFF bytes, become its scan.json, docs.jsonl, pairs.jsonl, clusters.jsonl,
//! outlets.jsonl and texts.jsonl. Building the report either succeeds or names the bad file;
//! nothing panics (byte offsets off character boundaries, ids that name no document, bad band
//! shapes).
#![no_main]

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 6] = [
    "scan.json",
    "docs.jsonl",
    "pairs.jsonl",
    "clusters.jsonl",
    "outlets.jsonl",
    "texts.jsonl",
];

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, part) in FILES.iter().zip(data.split(|&b| b == 0xff)) {
        std::fs::write(dir.path().join(name), part).expect("written");
    }
    let _ = reprint::report::write_html_report(dir.path(), &mut std::io::sink(), "out".as_ref());
});
