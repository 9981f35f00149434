//! Boilerplate lines: the parts of a document that are not its text (calls to share or
//! subscribe, bylines, captions, teasers of other articles, navigation, copyright lines, outlet
//! template lines), found line by line from general signals and from repetition across the
//! corpus.
//!
//! Each line is first judged on its own: its length, whether it ends like a sentence, how much
//! of it is links, separators or capitalized words, whether it trails off in an ellipsis,
//! whether it reads like a byline, a timestamp, a comment header or a cookie notice, and whether
//! a short line carries the wording of a call to action or is a row of share buttons (one
//! signal among the others, not the rule). Then the main text is located as the run of lines
//! with the most prose in it (the largest-sum run, prose lines counting for and the rest
//! against; a comment header ends it): short lines inside it are headings and stay, short lines
//! outside it are page furniture, and so is prose cut off from it by boilerplate lines. Finally [`TemplateLines`], counted over the whole
//! corpus, marks every line that recurs in documents of several different clusters: an
//! outlet's template, which no single-page method can see.

mod main_text;
pub(crate) mod shape;
pub(crate) mod templates;

use std::ops::Range;

use crate::ingest::record::PageOrigin;
use crate::quality::scan::{ScannedLine, TextScan, scan_text};
use crate::text::normalize::WordBuffer;
use crate::text::shingle::DEFAULT_SHINGLE_SEED;
use main_text::{main_text, repeated_lines};
use shape::{LineShape, comment_headers};
pub use templates::{MAX_TEMPLATE_LINE_CHARS, TemplateLines, line_key, line_key_with_seed};

/// Why a line counts as boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineReason {
    /// The line recurs in documents of several clusters (an outlet template).
    Template,
    /// A short line with the wording of a call to act or of page furniture (share, subscribe,
    /// read more, copyright, photo credit, ...).
    CallToAction,
    /// Mostly links, addresses or handles.
    Links,
    /// Several short items joined by separators (`|`, `•`, `»`): a menu or breadcrumb.
    Menu,
    /// A line outside the main text that trails off in an ellipsis: a teaser of another
    /// article.
    Teaser,
    /// A byline or a credit line ("By Jane Doe", "Reporting by ...").
    Byline,
    /// The header of a reader's comment ("Jane on May 3, 2019 at 4:47 pm said:",
    /// "jdoe says:"): a comment thread follows, which the main text does not reach across.
    CommentHeader,
    /// Only a date or time.
    Timestamp,
    /// A lower-case name alone on a line where a picture, an icon or a video was ("image",
    /// "author-image", "chevron_right").
    Placeholder,
    /// Outside the main text: a short line that is not a sentence, or prose cut off from the
    /// main text by boilerplate lines (a comment thread, teaser summaries, a legal footer).
    OutsideMainText,
}

impl LineReason {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            LineReason::Template => "template",
            LineReason::CallToAction => "call_to_action",
            LineReason::Links => "links",
            LineReason::Menu => "menu",
            LineReason::Teaser => "teaser",
            LineReason::Byline => "byline",
            LineReason::CommentHeader => "comment_header",
            LineReason::Timestamp => "timestamp",
            LineReason::Placeholder => "placeholder",
            LineReason::OutsideMainText => "outside_main_text",
        }
    }
}

/// One non-blank line of a text and what was decided about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Byte range in the text, without the line break and surrounding spaces.
    pub range: Range<usize>,
    /// Characters other than white space.
    pub chars: usize,
    /// Words as the thin-content rule counts them: runs of non-space characters holding a
    /// letter or digit.
    pub words: usize,
    /// Why it is boilerplate, or `None` when it is text.
    pub reason: Option<LineReason>,
    /// For template lines: in how many clusters' documents the line occurs.
    pub template_docs: Option<u32>,
    /// The key the line is counted under across the corpus ([`line_key`]); `None` for lines
    /// too long to be templates.
    pub key: Option<u64>,
}

/// The lines of a text with their verdicts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineAnalysis {
    /// Every non-blank line, in order.
    pub lines: Vec<Line>,
}

impl LineAnalysis {
    /// Characters in all lines.
    pub fn total_chars(&self) -> usize {
        self.lines.iter().map(|l| l.chars).sum()
    }

    /// Characters in boilerplate lines.
    pub fn boilerplate_chars(&self) -> usize {
        self.boilerplate().map(|l| l.chars).sum()
    }

    /// The boilerplate lines, in order.
    pub fn boilerplate(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.reason.is_some())
    }

    /// Byte ranges of the text taken by template lines, runs of them separated only by white
    /// space joined into one.
    pub fn template_ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for line in &self.lines {
            if line.reason != Some(LineReason::Template) {
                continue;
            }
            match ranges.last_mut() {
                Some(last) if text[last.end..line.range.start].trim().is_empty() => {
                    last.end = line.range.end;
                }
                _ => ranges.push(line.range.clone()),
            }
        }
        ranges
    }

    /// The text without its boilerplate lines; kept lines are separated as they were (a
    /// blank line between paragraphs stays one).
    pub fn clean_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut previous_end = None;
        for line in self.lines.iter().filter(|l| l.reason.is_none()) {
            if let Some(end) = previous_end {
                let gap = &text[end..line.range.start];
                out.push_str(if gap.matches('\n').count() > 1 {
                    "\n\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&text[line.range.clone()]);
            previous_end = Some(line.range.end);
        }
        out
    }
}

/// The non-blank lines of `text` with their byte ranges, outer white space trimmed; the lines
/// of a hard-wrapped paragraph are one (see [`crate::quality::paragraphs`]).
pub fn split_lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let soft = crate::quality::paragraphs::soft_line_breaks(text);
    let ends = memchr::memchr_iter(b'\n', text.as_bytes())
        .filter(|at| soft.binary_search(&(*at as u32)).is_err())
        .map(|at| at + 1);
    for end in ends.chain(std::iter::once(text.len())) {
        if end <= start && end != text.len() {
            continue;
        }
        let piece = &text[start..end];
        let trimmed_start = start + (piece.len() - piece.trim_start().len());
        let trimmed_end = start + piece.trim_end().len();
        if trimmed_end > trimmed_start {
            lines.push(trimmed_start..trimmed_end);
        }
        start = end;
    }
    lines
}

/// Where a text comes from, which decides whether the main text still has to be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Text that may still hold page furniture around the article: a feed's text field, a
    /// text file, a page flattened to text.
    Plain,
    /// Text an extractor already cut down to the main text of a page: only the signals of
    /// single lines and the corpus templates apply.
    Extracted,
}

impl TextKind {
    /// How to read a document's text: a page's extracted main text is [`TextKind::Extracted`]
    /// unless extraction fell back to the whole page; any other text is [`TextKind::Plain`].
    pub fn of_page(page: Option<PageOrigin>) -> TextKind {
        match page {
            Some(page) if !page.whole_page => TextKind::Extracted,
            _ => TextKind::Plain,
        }
    }
}

/// `text` without its boilerplate lines (for an HTML page, `page` set, the extracted main text
/// without them): what `dedup --strip-boilerplate` writes as `clean_text`.
pub fn clean_text(
    text: &str,
    title: Option<&str>,
    page: Option<PageOrigin>,
    templates: &TemplateLines,
) -> String {
    analyze_lines(text, title, TextKind::of_page(page), templates).clean_text(text)
}

/// Judges every line of `text`. `title` (the document's headline, when known) is never
/// boilerplate; `templates` marks lines that recur across the corpus.
pub fn analyze_lines(
    text: &str,
    title: Option<&str>,
    kind: TextKind,
    templates: &TemplateLines,
) -> LineAnalysis {
    let mut scan = TextScan::default();
    scan_text(
        text,
        DEFAULT_SHINGLE_SEED,
        &mut WordBuffer::default(),
        &mut scan,
    );
    analyze_scanned(scan.lines(), title.and_then(line_key), kind, templates)
}

/// Judges every line of a scanned text ([`TextScan`]). The line whose key is `title_key` (the
/// document's headline, keyed with the scan's seed) is never boilerplate; `templates` marks
/// lines that recur across the corpus.
pub fn analyze_scanned(
    scanned: &[ScannedLine],
    title_key: Option<u64>,
    kind: TextKind,
    templates: &TemplateLines,
) -> LineAnalysis {
    let shapes: Vec<&LineShape> = scanned.iter().map(|l| &l.shape).collect();
    let mut own: Vec<Option<LineReason>> = shapes.iter().map(|s| s.own_verdict()).collect();
    for (verdict, header) in own.iter_mut().zip(comment_headers(&shapes)) {
        if header && verdict.is_none() {
            *verdict = Some(LineReason::CommentHeader);
        }
    }
    let keys: Vec<Option<u64>> = scanned.iter().map(|l| l.key).collect();
    let main = match kind {
        TextKind::Plain => main_text(&shapes, &own, &repeated_lines(&keys)),
        TextKind::Extracted => 0..shapes.len(),
    };
    // Prose next to the main text, with no boilerplate line between, is kept: an article's
    // opening paragraph above a list stays with it. Prose beyond a boilerplate line (a comment
    // thread, teaser summaries, a footer's legal text) is not the article.
    let mut block = main.clone();
    while block.start > 0 && own[block.start - 1].is_none() {
        block.start -= 1;
    }
    while block.end < shapes.len() && own[block.end].is_none() {
        block.end += 1;
    }
    let lines = scanned
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let key = line.key;
            let template_docs = key.and_then(|k| templates.docs(k));
            let is_title = key.is_some() && key == title_key;
            let reason = if template_docs.is_some() {
                Some(LineReason::Template)
            } else if is_title {
                None
            } else if let Some(reason) = own[i] {
                Some(reason)
            } else if !main.contains(&i) && shapes[i].ellipsis {
                Some(LineReason::Teaser)
            } else if !main.contains(&i) && (!shapes[i].is_prose() || !block.contains(&i)) {
                Some(LineReason::OutsideMainText)
            } else {
                None
            };
            Line {
                range: line.range.clone(),
                chars: shapes[i].chars,
                // Words as a reader counts them: tokens between spaces, and for scripts
                // written without spaces, one per two characters.
                words: shapes[i].words,
                reason,
                template_docs,
                key,
            }
        })
        .collect();
    LineAnalysis { lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> Vec<(String, Option<&'static str>)> {
        let analysis = analyze_lines(text, None, TextKind::Plain, &TemplateLines::none());
        analysis
            .lines
            .iter()
            .map(|l| {
                (
                    text[l.range.clone()].to_string(),
                    l.reason.map(LineReason::name),
                )
            })
            .collect()
    }

    fn reason_of(text: &str, line: &str) -> Option<&'static str> {
        reasons(text)
            .into_iter()
            .find(|(l, _)| l == line)
            .unwrap_or_else(|| panic!("no line {line:?}"))
            .1
    }

    const BODY: &str = "The harbour bridge will close for six weeks from the first of next month after an inspection found corrosion in two of its cables.\n\n\
        Drivers will be sent along the coast road, a detour that adds about twenty minutes to the journey into town.\n\n\
        The council said the work could not wait until the winter, when fewer people travel.";

    const LATER: &str = "Engineers expect to finish the new cables by the spring, and the ferry will run an extra crossing every hour until then.\n\n\
        Shops near the bridge asked for help with the loss of passing trade, and the council said it would look at their rates.";

    #[test]
    fn lower_case_fragments_alone_on_a_line_are_placeholders() {
        let text = format!("author-image\n\n{BODY}\n\nimage\n\n{LATER}\n\nchevron_right");
        assert_eq!(reason_of(&text, "author-image"), Some("placeholder"));
        assert_eq!(reason_of(&text, "image"), Some("placeholder"));
        assert_eq!(reason_of(&text, "chevron_right"), Some("placeholder"));
        // A heading, a product, a word of code, a sentence or a script without case is not.
        for line in ["Image", "iPhone", "break", "ok.", "图片", "hemp"] {
            let text = format!("{BODY}\n\n{line}\n\n{LATER}");
            assert_ne!(reason_of(&text, line), Some("placeholder"), "{line}");
        }
    }

    #[test]
    fn clean_article_has_no_boilerplate() {
        let analysis = analyze_lines(BODY, None, TextKind::Plain, &TemplateLines::none());
        assert_eq!(analysis.lines.len(), 3);
        assert_eq!(analysis.boilerplate_chars(), 0);
        assert_eq!(analysis.clean_text(BODY), BODY);
    }

    #[test]
    fn calls_to_action_on_short_lines() {
        let text = format!(
            "{BODY}\n\nSign up for our morning newsletter to get the day's news in your inbox.\n\nShare this article"
        );
        assert_eq!(
            reason_of(
                &text,
                "Sign up for our morning newsletter to get the day's news in your inbox."
            ),
            Some("call_to_action")
        );
        assert_eq!(
            reason_of(&text, "Share this article"),
            Some("call_to_action")
        );
    }

    #[test]
    fn call_to_action_wording_inside_a_long_sentence_is_text() {
        let line = "Readers who sign up for the library's reading challenge this summer will be asked to log every book they finish, and the librarian said last year more than four hundred children took part in it across the county.";
        let text = format!("{BODY}\n\n{line}");
        assert_eq!(reason_of(&text, line), None);
    }

    #[test]
    fn menus_links_teasers_bylines_and_timestamps() {
        let text = format!(
            "Home | News | Sport | Weather\n\nBy Jane Doe and Tom Roe\n\nUpdated 18 November 2024, 11:03 pm\n\n{BODY}\n\nMore: https://example.com/news/bridge\n\nCouncil weighs a new ferry link as bridge closure nears...\n\nFollow @coastalwire"
        );
        assert_eq!(
            reason_of(&text, "Home | News | Sport | Weather"),
            Some("menu")
        );
        assert_eq!(reason_of(&text, "By Jane Doe and Tom Roe"), Some("byline"));
        assert_eq!(
            reason_of(&text, "Updated 18 November 2024, 11:03 pm"),
            Some("timestamp")
        );
        assert_eq!(
            reason_of(&text, "More: https://example.com/news/bridge"),
            Some("links")
        );
        assert_eq!(
            reason_of(
                &text,
                "Council weighs a new ferry link as bridge closure nears..."
            ),
            Some("teaser")
        );
        assert_eq!(reason_of(&text, "Follow @coastalwire"), Some("links"));
    }

    #[test]
    fn a_sentence_starting_with_by_is_not_a_byline() {
        let line = "By the end of the week the road will reopen to buses and bicycles.";
        let text = format!("{BODY}\n\n{line}");
        assert_eq!(reason_of(&text, line), None);
    }

    #[test]
    fn a_comment_thread_is_not_joined_to_the_article() {
        let comment = "I drive across that bridge every day and I think the detour will be much \
                       longer than twenty minutes at rush hour, so please plan for it.";
        let reply = "Thanks for the note, we asked the council about rush hour and will update \
                     the story when they answer our questions.";
        let text = format!(
            "{BODY}\n\n3 Comments\n\nSam Reed on May 3, 2019 at 4:47 pm said:\n\n{comment}\n\n\
             Harbour Desk on May 3, 2019 at 6:02 pm said:\n\n{reply}"
        );
        assert_eq!(
            reason_of(&text, "Sam Reed on May 3, 2019 at 4:47 pm said:"),
            Some("comment_header")
        );
        assert_eq!(reason_of(&text, comment), Some("outside_main_text"));
        assert_eq!(reason_of(&text, reply), Some("outside_main_text"));
        let first = BODY.split("\n\n").next().unwrap();
        assert_eq!(reason_of(&text, first), None);
    }

    #[test]
    fn undated_comment_headers_count_only_as_a_thread() {
        let quote = "The minister said:";
        let text = format!("{BODY}\n\n{quote}\n\n{LATER}");
        assert_eq!(reason_of(&text, quote), None);
        let thread = format!(
            "{BODY}\n\njdoe says:\n\nFirst!\n\nharbourfan says:\n\nAgreed.\n\nkeld99 says:\n\nNo."
        );
        assert_eq!(
            reason_of(&thread, "harbourfan says:"),
            Some("comment_header")
        );
    }

    #[test]
    fn cookie_notices_and_button_rows_are_boilerplate_whatever_their_length() {
        let notice = "This website uses cookies to improve your experience while you navigate \
                      through the website. Out of these cookies, the cookies that are categorized \
                      as necessary are stored on your browser as they are essential for the \
                      working of basic functionalities of the website.";
        let recipe = "Bake the cookies for twelve minutes, until the edges are golden and the \
                      middles still soft, then leave them on the tray to cool.";
        let text = format!("{BODY}\n\n{recipe}\n\nShare Tweet Email\n\n{notice}");
        assert_eq!(reason_of(&text, notice), Some("call_to_action"));
        assert_eq!(
            reason_of(&text, "Share Tweet Email"),
            Some("call_to_action")
        );
        assert_eq!(reason_of(&text, recipe), None);
    }

    #[test]
    fn long_lines_of_bare_words_or_figures_are_not_prose() {
        let tags = "harbour bridge council ferry coast road detour winter spring cables \
                    corrosion inspection engineers shops trade rates town journey summer buses";
        let archive = "Archive November 2019 October 2019 September 2019 August 2019 July 2019 \
                       June 2019 May 2019 April 2019 March 2019";
        for line in [tags, archive] {
            assert!(!LineShape::of(line).is_prose(), "{line}");
        }
        let text = format!("{BODY}\n\nTags\n\n{tags}");
        assert_eq!(reason_of(&text, tags), Some("outside_main_text"));
    }

    #[test]
    fn headings_inside_the_text_stay_and_furniture_outside_goes() {
        let text = format!(
            "Menu\nLatest\nLocal News\n\n{BODY}\n\nWhat happens next\n\n{LATER}\n\nMost Shared\nTop Stories\nContact"
        );
        assert_eq!(reason_of(&text, "What happens next"), None);
        assert_eq!(reason_of(&text, "Local News"), Some("outside_main_text"));
        assert_eq!(reason_of(&text, "Top Stories"), Some("outside_main_text"));
    }

    #[test]
    fn the_title_opening_the_text_is_not_boilerplate() {
        let text = format!("Harbour Bridge To Close\n\n{BODY}");
        let analysis = analyze_lines(
            &text,
            Some("Harbour bridge to close"),
            TextKind::Plain,
            &TemplateLines::none(),
        );
        assert_eq!(analysis.lines[0].reason, None);
        let without = analyze_lines(&text, None, TextKind::Plain, &TemplateLines::none());
        assert_eq!(without.lines[0].reason, Some(LineReason::OutsideMainText));
    }

    #[test]
    fn a_list_without_prose_is_kept() {
        let text = "Results\nHarbour Rovers 2\nMill Town 1\nBayside 0";
        assert!(reasons(text).iter().all(|(_, r)| r.is_none()));
    }

    #[test]
    fn template_lines_count_clusters_not_copies() {
        let footer = "The Coastal Wire is an independent newspaper.";
        let key = line_key(footer).unwrap();
        // Five copies of one story (one cluster) and one other document.
        let copies: Vec<(u64, u32)> = vec![(key, 0), (key, 0), (key, 0), (key, 0), (key, 7)];
        assert_eq!(TemplateLines::count(copies, 3).docs(key), None);
        let outlets: Vec<(u64, u32)> = vec![(key, 0), (key, 3), (key, 7)];
        let templates = TemplateLines::count(outlets, 3);
        assert_eq!(templates.docs(key), Some(3));
        let text = format!("{BODY}\n\n{footer}");
        let analysis = analyze_lines(&text, None, TextKind::Plain, &templates);
        let last = analysis.lines.last().unwrap();
        assert_eq!(last.reason, Some(LineReason::Template));
        assert_eq!(last.template_docs, Some(3));
        assert_eq!(analysis.clean_text(&text), BODY);
    }

    #[test]
    fn clean_text_keeps_paragraph_breaks() {
        let text = "Share this\n\nFirst paragraph of the story, which is long enough to be prose.\nSecond line of the same paragraph, which is also long enough.\n\nThird paragraph ends the story here with a full sentence.";
        let analysis = analyze_lines(text, None, TextKind::Plain, &TemplateLines::none());
        assert_eq!(
            analysis.clean_text(text),
            "First paragraph of the story, which is long enough to be prose.\nSecond line of the same paragraph, which is also long enough.\n\nThird paragraph ends the story here with a full sentence."
        );
    }
}
