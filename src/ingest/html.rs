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
    /// Whether the text is the whole page: the extractor found no main block and fell back to
    /// the page's text with its source indentation, or it lost the page's line structure (one
    /// run-on line) and the text is the page flattened by [`page_text`] instead. Such text
    /// still holds the page's furniture, so its main text must be found line by line.
    pub whole_page: bool,
    /// Non-space characters of the whole page's text ([`page_text`]): what extraction dropped
    /// is the difference.
    pub page_chars: usize,
}

/// Whether extracted text kept the page source's layout: many lines that are only white
/// space or start with it, which the extractor's own output never has.
fn kept_source_layout(text: &str) -> bool {
    let lines = text.lines().filter(|l| !l.is_empty()).count();
    let indented = text.lines().filter(|l| l.starts_with([' ', '\t'])).count();
    indented >= 10 && indented * 5 >= lines
}

/// A run-on line at least this long, holding at least half the text, means the extractor
/// joined the page's blocks into one: a paragraph of news rarely passes 2,000 characters.
const RUN_ON_CHARS: usize = 2_000;

/// Whether extracted text lost the page's line structure: one line holds most of it. Line
/// rules cannot tell the article from the furniture inside such a line.
fn is_run_on(text: &str) -> bool {
    let longest = text.lines().map(str::len).max().unwrap_or(0);
    longest >= RUN_ON_CHARS && 2 * longest >= text.len()
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
    let html = separate_blocks(html);
    let html = html.as_ref();
    let result = rs_trafilatura::extract_with_options(html, &options)
        .map_err(|e| Error::param("html", format!("cannot extract the main text: {e}")))?;
    let page = page_text(html);
    let page_chars = page.chars().filter(|c| !c.is_whitespace()).count();
    let (text, whole_page) = if is_run_on(&result.content_text) {
        (page, true)
    } else {
        let whole_page = kept_source_layout(&result.content_text);
        (result.content_text, whole_page)
    };
    Ok(ExtractedPage {
        text,
        title: result.metadata.title,
        whole_page,
        page_chars,
    })
}

/// Block elements whose end is the end of a line of text, whatever the source's layout.
const BLOCK_ENDS: [&str; 24] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "div",
    "tr",
    "td",
    "th",
    "dt",
    "dd",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "figcaption",
    "pre",
    "table",
];

/// `html` with a space after every closing tag of a block element that is directly followed
/// by more markup or text. A minified page (`<h1>Title</h1><p>Text`) has no white space
/// between its blocks, and the extractor then joins their texts into one word ("TitleText");
/// browsers never do. A space rather than a line feed: the extractor reads a line feed in
/// the source as a break of its own, which cost 0.001 of word F1 on the WCXB development
/// split, where a space left both benchmarks as they were.
fn separate_blocks(html: &str) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&bytes[from..], b"</") {
        let start = from + found;
        from = start + 2;
        let Some(close) = memchr::memchr(b'>', &bytes[from..]).map(|i| from + i) else {
            break;
        };
        let name = &html[from..close];
        let name = name.trim_end();
        if !BLOCK_ENDS
            .iter()
            .any(|block| name.eq_ignore_ascii_case(block))
        {
            continue;
        }
        let after = close + 1;
        if bytes.get(after).is_some_and(|b| !b.is_ascii_whitespace()) {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len() + 1024));
            out.push_str(&html[copied..after]);
            out.push(' ');
            copied = after;
        }
        from = after;
    }
    match out {
        Some(mut out) => {
            out.push_str(&html[copied..]);
            std::borrow::Cow::Owned(out)
        }
        None => std::borrow::Cow::Borrowed(html),
    }
}

/// Elements whose content is never text a reader sees.
const INVISIBLE: &str =
    "script, style, noscript, template, svg, iframe, object, canvas, head meta, head link";

/// The whole text of a page as a reader would see it, without any markup: one line per block
/// element (paragraph, heading, list item, table row, `<br>`), blank lines between blocks.
/// This is what a page becomes when only its text is kept, and the measure of what extraction
/// drops.
pub fn page_text(html: &str) -> String {
    let document = dom_query::Document::from(html);
    document.select(INVISIBLE).remove();
    document.formatted_text().to_string()
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

    #[test]
    fn minified_blocks_stay_apart() {
        let html = "<html><body><article><h1>Harbour bridge to close</h1><p>Engineers will \
            close the harbour bridge for six weeks from the first of next month after an \
            inspection found corrosion.</p><p>Drivers will be sent along the coast road, a \
            detour that adds twenty minutes.</p></article></body></html>";
        let page = extract_main_text(html).unwrap();
        assert!(!page.text.contains("closeEngineers"), "{page:?}");
        assert!(!page.text.contains("corrosion.Drivers"), "{page:?}");
        assert_eq!(
            separate_blocks("<p>a</p><P>b</P >\n<b>c</b><li>d</li>"),
            "<p>a</p> <P>b</P >\n<b>c</b><li>d</li>"
        );
    }

    #[test]
    fn a_run_on_extraction_falls_back_to_the_page_text() {
        let long = "word ".repeat(500);
        assert!(is_run_on(&format!("Title\n\n{long}")));
        assert!(!is_run_on(&format!("{long}\n\n{long}\n\n{long}")));
        let paragraphs = "A paragraph of news.\n\n".repeat(200);
        assert!(!is_run_on(&paragraphs));
    }

    #[test]
    fn page_text_keeps_every_visible_block_on_its_own_line() {
        let html = "<html><head><title>Bridge</title><style>p { color: red }</style>\
            <script>var x = 1;</script></head><body><nav><ul><li>Home</li><li>News</li></ul></nav>\
            <p>First <b>paragraph</b> here.</p><p>Second one.<br>After a break.</p></body></html>";
        let text = page_text(html);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            lines,
            [
                "Bridge",
                "Home",
                "News",
                "First paragraph here.",
                "Second one.",
                "After a break."
            ]
        );
    }
}
