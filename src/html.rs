//! HTML pages: the main text of a page, extracted with rs-trafilatura (chosen on the Article
//! Extraction Benchmark, see ARCHITECTURE.md), and how much of the page's text it dropped.

use crate::error::{Error, Result};

/// What extraction keeps of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedPage {
    /// The main text: paragraphs separated by blank lines.
    pub text: String,
    /// The page title, when the page declares one.
    pub title: Option<String>,
}

/// How extraction trades precision for recall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    /// The extractor's balance.
    #[default]
    Balanced,
    /// Drop more doubtful blocks.
    Precision,
    /// Keep more doubtful blocks.
    Recall,
}

/// Extracts the main text of an HTML page.
pub fn extract_main_text(html: &str) -> Result<ExtractedPage> {
    extract_with(html, Focus::Balanced)
}

/// Extracts the main text of an HTML page with the given focus.
pub fn extract_with(html: &str, focus: Focus) -> Result<ExtractedPage> {
    let options = rs_trafilatura::Options {
        favor_precision: focus == Focus::Precision,
        favor_recall: focus == Focus::Recall,
        ..rs_trafilatura::Options::default()
    };
    let result = rs_trafilatura::extract_with_options(html, &options)
        .map_err(|e| Error::param("html", format!("cannot extract the main text: {e}")))?;
    Ok(ExtractedPage {
        text: result.content_text,
        title: result.metadata.title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_and_footer_are_dropped() {
        let html = "<html><head><title>Bridge closes</title></head><body>\
            <nav><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/sport'>Sport</a></nav>\
            <article><h1>Harbour bridge to close for six weeks</h1>\
            <p>Engineers will close the harbour bridge for six weeks from the first of next month \
            after an inspection found corrosion in two of the steel cables.</p>\
            <p>Drivers will be sent along the coast road, a detour that adds about twenty minutes \
            to the journey between the ferry terminal and the town centre.</p></article>\
            <footer>Copyright 2025 Coastal Wire. All rights reserved.</footer></body></html>";
        let page = extract_main_text(html).unwrap();
        assert!(
            page.text
                .contains("Engineers will close the harbour bridge"),
            "{page:?}"
        );
        assert!(page.text.contains("Drivers will be sent"), "{page:?}");
        assert!(!page.text.contains("All rights reserved"), "{page:?}");
        assert!(!page.text.contains("Sport"), "{page:?}");
        assert_eq!(page.title.as_deref(), Some("Bridge closes"));
    }
}
