//! The HTML extraction entry point on any bytes taken as a page: it returns the page's main
//! text or an error, never panics, and gives the same text twice. Malformed markup (unclosed
//! `title`, `script`, `style` or comments, framesets, stray bytes) is what it must survive.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::ingest::html::{extract_main_text, page_text};

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let page = page_text(&html);
    if let Ok(first) = extract_main_text(&html) {
        let again = extract_main_text(&html).expect("the same page extracts again");
        assert_eq!(first, again);
        // What extraction keeps is measured against the page's whole text.
        let page_chars = page.chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(first.page_chars, page_chars);
    }
});
