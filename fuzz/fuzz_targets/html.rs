//! The HTML extraction entry point on any bytes taken as a page: it returns the page's main
//! text or an error, never panics, and gives the same text twice. Malformed markup (unclosed
//! `title`, `script`, `style` or comments, framesets, stray bytes) is what it must survive.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::ingest::html::{decode_page, extract_main_text, page_text};

fuzz_target!(|data: &[u8]| {
    // Bytes in any encoding, decoded as a page's bytes are.
    let html = decode_page(data);
    let _ = page_text(&html);
    if let Ok(first) = extract_main_text(&html) {
        let again = extract_main_text(&html).expect("the same page extracts again");
        assert_eq!(first, again);
    }
});
