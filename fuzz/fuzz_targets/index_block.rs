//! A posting block as read from an index file, which may be damaged: decoding it returns its
//! postings or an `IndexCorrupt` error, never panics, and a block that decodes is read the same
//! way by the look-up of one key. The same bytes read as a stored key filter are a filter or an
//! error, and a filter that reads answers for any key without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::index::postings::{KeyFilter, PostingKey, decode_block, documents_in_block};

fuzz_target!(|data: &[u8]| {
    if let Ok(filter) = KeyFilter::from_bytes(data) {
        let key = PostingKey(data.len() as u64 * 0x9e37_79b9);
        // Every block it covers, and one past them (which it lets through).
        for block in 0..=filter.blocks() {
            let _ = filter.may_contain(block, key);
        }
        assert_eq!(KeyFilter::from_bytes(&filter.to_bytes()).unwrap(), filter);
    }
    if data.len() < 12 {
        return;
    }
    let first_key = PostingKey(u64::from_le_bytes(data[..8].try_into().unwrap()));
    let first_doc = u32::from_le_bytes(data[8..12].try_into().unwrap());
    let bytes = &data[12..];
    if let Ok(postings) = decode_block(first_key, bytes, first_doc) {
        if let Some(&(key, _)) = postings.first() {
            let mut found = Vec::new();
            documents_in_block(first_key, bytes, first_doc, key, &mut found).unwrap();
            let expected: Vec<u32> = postings
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|&(_, doc)| doc)
                .collect();
            assert_eq!(found, expected);
        }
    }
});
