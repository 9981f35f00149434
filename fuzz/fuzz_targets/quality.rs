//! The block analysis on any text: the paragraphs found in its lines, its quality and its
//! clean text. Nothing panics; soft line breaks are line feeds of the text, ascending; scores
//! stay in 0..1; the clean text is made of the text's own lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprint::quality::boilerplate::{TemplateLines, clean_text};
use reprint::quality::{assess, paragraphs::soft_line_breaks};

fuzz_target!(|text: &str| {
    let soft = soft_line_breaks(text);
    assert!(soft.windows(2).all(|w| w[0] < w[1]));
    assert!(soft.iter().all(|&at| text.as_bytes()[at as usize] == b'\n'));
    let report = assess(text, None, None).report;
    for score in [
        report.score,
        report.boilerplate,
        report.padding,
        report.stuffing,
    ] {
        assert!((0.0..=1.0).contains(&score), "{report:?}");
    }
    let clean = clean_text(text, None, None, &TemplateLines::none());
    for line in clean.lines().filter(|l| !l.trim().is_empty()) {
        assert!(text.contains(line.trim()), "{line:?}");
    }
});
