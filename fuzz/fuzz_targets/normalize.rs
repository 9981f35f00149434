//! Any text: normalization is idempotent and its words' byte ranges are in order, on character
//! boundaries of the original.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::text::normalize::normalize;

fuzz_target!(|text: &str| {
    let once = normalize(text);
    let mut previous_end = 0;
    for word in &once.words {
        let (start, end) = (word.orig_start as usize, word.orig_end as usize);
        assert!(previous_end <= start && start < end && end <= text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        previous_end = end;
    }
    assert_eq!(normalize(&once.text).text, once.text);
});
