//! A whole input file from outside (JSON Lines, a JSON array, a `.json` object, any byte-order
//! mark or none, under an encoding or none, with a small size limit): reading it twice gives
//! the same records, each parsed or rejected, and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::ingest::{Corpus, CorpusOptions, InputSpec, ReadOptions, parse_record};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let name = if kind & 1 == 0 { "in.jsonl" } else { "in.json" };
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("written");
    let options = CorpusOptions {
        encoding: (kind & 2 != 0).then_some(encoding_rs::WINDOWS_1252),
        max_doc_bytes: if kind & 4 != 0 { 64 } else { 1 << 20 },
        strict: false,
    };
    let Ok(corpus) = Corpus::open_with(&[InputSpec::Path(path)], options) else {
        return;
    };
    let read = |corpus: &Corpus| {
        let mut records = Vec::new();
        let result = corpus.for_each_batch(1 << 16, |batch| {
            for raw in batch {
                let parsed = parse_record(&raw, &ReadOptions::default()).map(|d| d.id);
                records.push((raw.position, parsed.is_ok()));
            }
            Ok(())
        });
        result.map(|()| records).ok()
    };
    let first = read(&corpus);
    assert_eq!(first, read(&corpus), "the same records on every read");
    // The records can be found again by position, as the second pass does.
    if let Some(records) = first {
        let positions: Vec<_> = records.iter().map(|(p, _)| *p).collect();
        let mut again = Vec::new();
        corpus
            .for_each_at(&positions, 1 << 16, |batch| {
                again.extend(batch.into_iter().map(|raw| raw.position));
                Ok(())
            })
            .expect("records found again");
        assert_eq!(again, positions);
    }
});
