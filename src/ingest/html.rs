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
    let repaired = repair_markup(html);
    let without_link_lists = drop_link_lists(&repaired);
    let separated = separate_blocks(without_link_lists.as_deref().unwrap_or(&repaired));
    let result = rs_trafilatura::extract_with_options(&separated, &options)
        .map_err(|e| Error::param("html", format!("cannot extract the main text: {e}")))?;
    let page = page_text(&repaired);
    let page_chars = page.chars().filter(|c| !c.is_whitespace()).count();
    let (text, whole_page) = if is_run_on(&result.content_text) {
        (page, true)
    } else {
        let whole_page = kept_source_layout(&result.content_text);
        (
            without_non_text_lines(result.content_text, &repaired),
            whole_page,
        )
    };
    Ok(ExtractedPage {
        text,
        title: result.metadata.title,
        whole_page,
        page_chars,
    })
}

/// `text` (extracted from `html`) without the lines that are lines of the page's scripts,
/// style sheets or form fields (a "republish this article" box holds the article's HTML
/// source, which the extractor returns as text). The extractor drops the scripts it finds in the usual places, but one
/// that stands between two paragraphs of the body can come through as text, CSS rules and
/// all; neither ever holds text a reader sees. The lines are compared with white space
/// collapsed; JSON data scripts are left out of the comparison, since they repeat the
/// article's own text (`articleBody`). Removing the scripts before extraction instead changes
/// what the extractor keeps on forum and product pages, which it recognizes partly by them.
fn without_non_text_lines(text: String, html: &str) -> String {
    let code = non_text_lines(html);
    if code.is_empty() {
        return text;
    }
    let mut kept = String::with_capacity(text.len());
    let mut removed = false;
    for line in text.split_inclusive('\n') {
        let collapsed = collapse_spaces(line);
        if !collapsed.is_empty() && code.contains(&collapsed) {
            removed = true;
        } else {
            kept.push_str(line);
        }
    }
    if removed { kept } else { text }
}

/// Shorter lines of a script say too little to tell it from the text: a closing brace, `});`
/// or a word in a code sample of the article is also a line of some script. Dropping them
/// joined code samples of tutorials (WCXB development split) into run-on blocks.
const MIN_CODE_LINE_BYTES: usize = 12;

/// The lines of the scripts (other than JSON data), style sheets and text areas of `html` of
/// at least [`MIN_CODE_LINE_BYTES`], white space collapsed.
fn non_text_lines(html: &str) -> std::collections::HashSet<String> {
    let bytes = html.as_bytes();
    let mut lines = std::collections::HashSet::new();
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[from..]) {
        let start = from + found;
        from = start + 1;
        let Some(element) = ["script", "style"]
            .into_iter()
            .find(|element| starts_tag(&bytes[start + 1..], element.as_bytes()))
        else {
            continue;
        };
        let Some(open_end) = memchr::memchr(b'>', &bytes[start..]).map(|i| start + i + 1) else {
            break;
        };
        let close = find_ignoring_case(&bytes[open_end..], format!("</{element}").as_bytes())
            .map_or(bytes.len(), |i| open_end + i);
        from = close;
        if html[start..open_end].to_ascii_lowercase().contains("json") {
            continue;
        }
        lines.extend(
            html[open_end..close]
                .lines()
                .map(collapse_spaces)
                .filter(|line| line.len() >= MIN_CODE_LINE_BYTES),
        );
    }
    // A text area's value is the text with its entities decoded, which takes a parser; few
    // pages have one.
    if find_ignoring_case(bytes, b"<textarea").is_some() {
        let document = dom_query::Document::from(html);
        for area in document.select("textarea").iter() {
            lines.extend(
                area.text()
                    .lines()
                    .map(collapse_spaces)
                    .filter(|line| line.len() >= MIN_CODE_LINE_BYTES),
            );
        }
    }
    lines
}

/// `line` trimmed, with every run of white space made one space.
fn collapse_spaces(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `rest` (what follows a `<`) starts with the tag name `name`, in any case, followed
/// by the end of the name.
fn starts_tag(rest: &[u8], name: &[u8]) -> bool {
    rest.len() > name.len()
        && rest[..name.len()].eq_ignore_ascii_case(name)
        && matches!(
            rest[name.len()],
            b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'
        )
}

/// The offset of the first occurrence of `needle` (which starts with `<`) in `haystack`, in
/// any case.
fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', haystack).find(|&at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(needle))
    })
}

/// The bytes of a page as text: UTF-8 when they are valid UTF-8, whatever the page declares
/// (a page saved as UTF-8 often keeps its old declaration); otherwise the encoding its
/// `<meta>` declares, and windows-1252 when it declares none or UTF-8 wrongly, which is what
/// the HTML standard has browsers assume for legacy pages.
pub fn decode_page(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(text);
    }
    let declared = declared_charset(&bytes[..bytes.len().min(4096)])
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .filter(|encoding| *encoding != encoding_rs::UTF_8);
    let encoding = declared.unwrap_or(encoding_rs::WINDOWS_1252);
    let (text, _, _) = encoding.decode(bytes);
    text
}

/// The charset a page's head declares (`<meta charset=...>` or the `content` of an
/// `http-equiv` meta), read from its first bytes as ASCII.
fn declared_charset(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

/// Where an element's content (in lower case) stops, as an offset into it.
type ContentEnd = dyn Fn(&str) -> Option<usize>;

/// Where an element whose text runs to its end tag (`title`, `script`, `style`, a comment)
/// must have ended when the page never closes it: parsers read everything up to the end of
/// the file as its text, so an unclosed `<title>` turns the page's scripts and markup into
/// "text" and an unclosed `<script>` hides the article. Browsers of the time such pages were
/// written for stopped earlier; this repair ends such an element where its content stops
/// being what it holds:
///
/// - a title at its first tag (a title holds no markup);
/// - a script or style sheet before `</head>` or `<body`, when one follows;
/// - a comment at the first `>` after it;
/// - a frameset's `<noframes>` content is the page: the frame markup is dropped and
///   `noframes` read as an ordinary block, since parsers keep it as raw text.
fn repair_markup(html: &str) -> std::borrow::Cow<'_, str> {
    let mut text = std::borrow::Cow::Borrowed(html);
    // The page in lower case, for finding tags; made again only after a repair.
    let mut lower = html.to_ascii_lowercase();
    let before_body = |content: &str| {
        [content.find("</head"), content.find("<body")]
            .into_iter()
            .flatten()
            .min()
    };
    let steps: [(&str, &ContentEnd); 3] = [
        ("title", &first_tag),
        ("script", &before_body),
        ("style", &before_body),
    ];
    for (element, end_of) in steps {
        if let Some(fixed) = end_raw_text(&text, &lower, element, end_of) {
            lower = fixed.to_ascii_lowercase();
            text = std::borrow::Cow::Owned(fixed);
        }
    }
    if let Some(fixed) = end_open_comments(&text) {
        lower = fixed.to_ascii_lowercase();
        text = std::borrow::Cow::Owned(fixed);
    }
    if let Some(fixed) = unwrap_noframes(&text, &lower) {
        text = std::borrow::Cow::Owned(fixed);
    }
    text
}

/// The byte offset of the first tag (`<` followed by a letter, `/` or `!`) in `text`.
fn first_tag(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes).find(|&at| {
        bytes
            .get(at + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'!')
    })
}

/// For every `<element ...>` of `html` (`lower` is `html` in lower case) with no
/// `</element` after it, or, for a title, one whose content stops before its end tag, the end
/// tag inserted where `end_of(content)` says its content stops (given the content in lower
/// case; an offset into the text after the start tag); `None` when nothing needed ending.
fn end_raw_text(html: &str, lower: &str, element: &str, end_of: &ContentEnd) -> Option<String> {
    let open = format!("<{element}");
    let close = format!("</{element}");
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(&open) {
        let start = from + found;
        // `<titles>` or `<scripted>` are other elements.
        let after_name = start + open.len();
        if !lower[after_name..]
            .starts_with(|c: char| c == '>' || c.is_ascii_whitespace() || c == '/')
        {
            from = after_name;
            continue;
        }
        let Some(tag_end) = lower[after_name..].find('>').map(|i| after_name + i + 1) else {
            break;
        };
        let content_end = lower[tag_end..].find(&close).map(|i| tag_end + i);
        // A script or style sheet that is closed may hold anything ("<body>" in a string);
        // only a title's end tag can lie beyond where it stopped (an unclosed title reaching
        // the `<title>` of an SVG image further down).
        if let Some(end) = content_end
            && element != "title"
        {
            from = end + close.len();
            continue;
        }
        let stop = end_of(&lower[tag_end..content_end.unwrap_or(lower.len())]).map(|i| tag_end + i);
        match (content_end, stop) {
            (_, Some(stop)) if stop < content_end.unwrap_or(usize::MAX) => {
                out.push_str(&html[copied..stop]);
                out.push_str(&format!("</{element}>"));
                copied = stop;
                from = stop;
            }
            (Some(end), _) => from = end + close.len(),
            (None, _) => break,
        }
    }
    (copied > 0).then(|| {
        out.push_str(&html[copied..]);
        out
    })
}

/// `html` with every comment that is never closed (no `-->` after its `<!--`) ended at the
/// first `>` after it, as the browsers those pages were written for did.
fn end_open_comments(html: &str) -> Option<String> {
    let start = html.rfind("<!--")?;
    if html[start..].contains("-->") {
        // Only the last comment can be open: any earlier one is closed by a later `-->`.
        return None;
    }
    let end = html[start + 4..].find('>').map(|i| start + 4 + i + 1)?;
    Some(format!("{}{}", &html[..start], &html[end..]))
}

/// For a frameset page, its `<noframes>` content as an ordinary block and the frame markup
/// dropped; `None` for other pages.
fn unwrap_noframes(html: &str, lower: &str) -> Option<String> {
    if !lower.contains("<frameset") || !lower.contains("<noframes") {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find('<') {
        let start = from + found;
        let Some(end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let name: String = lower[start + 1..end]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let replacement = match name.as_str() {
            "frameset" | "frame" => Some(""),
            "noframes" if lower[start + 1..].starts_with('/') => Some("</div>"),
            "noframes" => Some("<div>"),
            _ => None,
        };
        if let Some(replacement) = replacement {
            out.push_str(&html[rest..start]);
            out.push_str(replacement);
            rest = end;
        }
        from = end;
    }
    out.push_str(&html[rest..]);
    Some(out)
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

/// Blocks whose text is at least this share link text are lists of links (menus, most-read
/// lists, tag clouds, link tables of old layouts), not writing: the link-density rule of
/// boilerplate detection (Kohlschütter et al., "Boilerplate detection using shallow text
/// features", 2010, and jusText use the same measure).
const LINK_LIST_DENSITY: f64 = 0.8;

/// The fewest links a block needs to be a list of them.
const LINK_LIST_MIN_LINKS: usize = 3;

/// `html` without its blocks that are lists of links ([`LINK_LIST_DENSITY`]), or `None` when
/// it has none. Extraction looks at link density too, but a table layout hides it: the menu
/// in one cell of the table that holds the article.
fn drop_link_lists(html: &str) -> Option<String> {
    let document = dom_query::Document::from(html);
    let visible_chars = |text: &str| text.chars().filter(|c| !c.is_whitespace()).count();
    let mut removed = false;
    for block in document.select("table, td, nav, aside").iter() {
        let links = block.select("a");
        if links.length() < LINK_LIST_MIN_LINKS {
            continue;
        }
        let chars = visible_chars(&block.text());
        let link_chars: usize = links.iter().map(|a| visible_chars(&a.text())).sum();
        if chars > 0 && link_chars as f64 >= LINK_LIST_DENSITY * chars as f64 {
            block.remove();
            removed = true;
        }
    }
    removed.then(|| document.html().to_string())
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

    /// A page whose markup breaks the parser's rules in one way; the article must come
    /// through whole and no markup or script may become text.
    fn malformed(head: &str, body_open: &str) -> String {
        let paragraphs: String = (0..6)
            .map(|i| {
                format!(
                    "<p>Paragraph {i}: the council met on Tuesday and agreed, after a long \
                     debate about the harbour, to repair the bridge before the storms.</p>\n"
                )
            })
            .collect();
        format!("<html><head>{head}</head>{body_open}{paragraphs}</body></html>")
    }

    fn assert_article_only(html: &str) {
        let page = extract_main_text(html).unwrap();
        for i in 0..6 {
            assert!(page.text.contains(&format!("Paragraph {i}:")), "{page:?}");
        }
        for junk in ["<", "function", "color:", "tracking"] {
            assert!(!page.text.contains(junk), "{junk:?} in {page:?}");
        }
    }

    #[test]
    fn lines_of_a_script_or_style_sheet_in_the_body_are_never_text() {
        let extracted = "Paragraph 1: the council met.\n\
            #grid a[class*=Filter]:has(#chk){display:none;}\n\
            }\n\
            sessionStorage.setItem('reloadCount',9)\n\
            Paragraph 2: the bridge will close.\n";
        let html = "<p>Paragraph 1: the council met.</p>\n\
            <script>sessionStorage.setItem('reloadCount',9)</script>\n\
            <STYLE id=x>\n  #grid  a[class*=Filter]:has(#chk){display:none;}\n}\n</style>\n\
            <script type='application/ld+json'>\nParagraph 2: the bridge will close.\n</script>\n\
            <p>Paragraph 2: the bridge will close.</p>";
        assert_eq!(
            without_non_text_lines(extracted.to_string(), html),
            // A lone brace says too little to be told from a code sample's.
            "Paragraph 1: the council met.\n}\nParagraph 2: the bridge will close.\n"
        );
    }

    #[test]
    fn the_html_source_in_a_republishing_box_is_not_text() {
        let article = "<h1>Gardening shows</h1>\n<p>As the season ends, here are six shows.</p>";
        let escaped = article.replace('<', "&lt;").replace('>', "&gt;");
        let html = format!("<article>{article}<textarea readonly>{escaped}</textarea></article>");
        let extracted = "Gardening shows\nAs the season ends, here are six shows.\n\
            <h1>Gardening shows</h1>\n\
            <p>As the season ends, here are six shows.</p>\n";
        assert_eq!(
            without_non_text_lines(extracted.to_string(), &html),
            "Gardening shows\nAs the season ends, here are six shows.\n"
        );
    }

    #[test]
    fn unclosed_raw_text_elements_do_not_swallow_the_page() {
        let script = "<script>var tracking = {id: 42}; function go() { return tracking; }";
        let style = "<style>p { color: red }";
        for head in [
            format!("<title>Bridge story{script}</script>"),
            format!("<title>Bridge story</title>{script}"),
            format!("<title>Bridge story</title>{style}"),
        ] {
            assert_article_only(&malformed(&head, "<body>"));
        }
        // A comment never closed, and a frameset's noframes.
        let comment = malformed("<title>Bridge</title>", "<body><!-- old nav <b>x</b>");
        assert_article_only(&comment);
        let frames = malformed(
            "<title>Bridge</title>",
            "<frameset cols='20%,80%'><frame src='nav.html'><noframes><body>",
        )
        .replace("</body></html>", "</body></noframes></frameset></html>");
        assert_article_only(&frames);
        // Well-formed pages are left as they are, markup in a script's strings too.
        let fine = malformed(
            "<title>Bridge</title><script>document.write('<body><p>x</p>');</script>",
            "<body>",
        );
        assert!(matches!(
            repair_markup(&fine),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_table_layout_loses_its_menu_cell() {
        let menu: String = (0..12)
            .map(|i| {
                format!("<tr><td><a href='/s{i}'><font size=1>Section {i}</font></a></td></tr>")
            })
            .collect();
        let paragraphs: String = (0..6)
            .map(|i| {
                format!(
                    "<font face=Arial>Paragraph {i}: the council met on Tuesday and agreed, after \
                     a long debate about the harbour, to repair the bridge.<br><br></font>"
                )
            })
            .collect();
        let html = format!(
            "<HTML><HEAD><TITLE>Bridge</TITLE></HEAD><BODY><CENTER><TABLE WIDTH=760><TR>\
             <TD WIDTH=150><TABLE>{menu}</TABLE></TD><TD><B>Bridge to close</B><P>{paragraphs}\
             </TD></TR></TABLE></CENTER></BODY></HTML>"
        );
        let page = extract_main_text(&html).unwrap();
        assert!(page.text.contains("Paragraph 5:"), "{page:?}");
        assert!(!page.text.contains("Section 3"), "{page:?}");
    }

    #[test]
    fn pages_in_a_legacy_encoding_are_decoded() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>";
        assert!(decode_page(latin1).contains("café"));
        // Declared UTF-8 but not: windows-1252, as browsers assume.
        let wrong = b"<html><head><meta charset=utf-8></head><body>caf\xe9 \x93quoted\x94</body>";
        let text = decode_page(wrong);
        assert!(text.contains("café \u{201c}quoted\u{201d}"), "{text}");
        assert!(matches!(
            decode_page("naïve".as_bytes()),
            std::borrow::Cow::Borrowed(_)
        ));
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
