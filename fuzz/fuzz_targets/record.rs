//! One record from outside, as a JSON line, a text file or an HTML page: parsing returns a
//! document or a rejection with a reason, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::ingest::{Origin, Payload, RawRecord, ReadOptions, RecordPosition, parse_record};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let payload = match kind % 3 {
        0 => Payload::JsonLine(bytes.to_vec()),
        1 => Payload::TextFile {
            id: "fuzz.txt".to_string(),
            bytes: bytes.to_vec(),
            html: false,
        },
        _ => Payload::TextFile {
            id: "fuzz.html".to_string(),
            bytes: bytes.to_vec(),
            html: true,
        },
    };
    let raw = RawRecord {
        origin: Origin {
            file: "fuzz".into(),
            line: 1,
        },
        payload,
        position: RecordPosition::default(),
    };
    // Dotted field names reach into nested objects: fuzz those paths too.
    let options = if kind & 4 == 0 {
        ReadOptions::default()
    } else {
        ReadOptions {
            id_field: "meta.id".to_string(),
            text_field: "content.body".to_string(),
        }
    };
    match parse_record(&raw, &options) {
        Ok(doc) => assert!(!doc.id.is_empty()),
        Err(rejection) => assert!(!rejection.problem.to_string().is_empty()),
    }
});
