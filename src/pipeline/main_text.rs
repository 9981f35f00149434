//! The text relations are decided on: a document's main text. Its lines are judged on the
//! document's own signals (`quality::judge_lines`) and the boilerplate lines (menus, links,
//! calls to act, bylines, prose cut off from the main text) left out, so that two different
//! articles wrapped in the same long template do not become copies on the template's words.
//!
//! The first pass shingles only the words of the lines that are text; the verification pass
//! and `explain` blank the other lines out of the text (each byte a space, so every byte
//! offset stays that of the original text and reported passages still point into it). Both
//! judge the same text with the same title and page, so they agree on every line.

use std::borrow::Cow;
use std::ops::Range;

use crate::ingest::PageOrigin;
use crate::quality::boilerplate::{
    Line, LineAnalysis, LineReason, TemplateLines, TextKind, analyze_scanned, line_key_with_seed,
};
use crate::quality::scan::{TextScan, scan_text};
use crate::quality::{HUGE_TEXT_PART_BYTES, judge_lines};
use crate::text::normalize::WordBuffer;

/// Whether a text is judged line by line before it is shingled. A huge text (over
/// [`HUGE_TEXT_PART_BYTES`]) is shingled whole: its quality is assessed in parts, apart from
/// its shingles, and holding a judgement of the whole would cost what the parts save.
pub(super) fn is_judged(text: &str) -> bool {
    text.len() <= HUGE_TEXT_PART_BYTES
}

/// How many times the reach of a document's story a line must reach to belong to something
/// wider (a template). The lines of one story reach about the same documents, give or take
/// the copies that cut or edit a line; twice leaves room for that, while a template reaches
/// every page of its outlet, far more than any one story is copied.
const WIDER_REACH: u32 = 2;

/// The buffers a thread keeps for judging texts one after another.
#[derive(Default)]
pub(super) struct MainTextJudge {
    buffer: WordBuffer,
    scan: TextScan,
}

impl MainTextJudge {
    /// Scans `text` into `scan` and judges its lines, as the first pass does.
    pub(super) fn judge_into(
        text: &str,
        title: Option<&str>,
        page: Option<PageOrigin>,
        seed: u64,
        buffer: &mut WordBuffer,
        scan: &mut TextScan,
    ) -> LineAnalysis {
        scan_text(text, seed, buffer, scan);
        let title_key = title.and_then(|t| line_key_with_seed(t, seed));
        judge_lines(scan, title_key, page)
    }

    /// `text` with its boilerplate lines blanked out (borrowed when it has none, and for a
    /// huge text, which is not judged) and, when some of its lines recur in more
    /// documents than its own story does, the document's own text: its lines judged again
    /// with those as templates.
    ///
    /// Two different articles inside one long page template share the template, which may
    /// outweigh either article and so be most of their main text; their own texts are the
    /// articles. A line's reach is the number of documents holding it (`recurring`, lines
    /// in fewer than `--template-min-docs` counting 1). The lines of one story travel
    /// together, so they have about the same reach, however often the story was copied; a
    /// template's lines reach every page of the outlet. So the document's story is its prose
    /// line of least reach, and a line reaching more than [`WIDER_REACH`] times as many documents
    /// belongs to something wider than the story.
    pub(super) fn main_and_own_text<'a>(
        &mut self,
        text: &'a str,
        title: Option<&str>,
        page: Option<PageOrigin>,
        seed: u64,
        recurring: &TemplateLines,
    ) -> (Cow<'a, str>, Option<String>) {
        if !is_judged(text) {
            return (Cow::Borrowed(text), None);
        }
        let analysis = Self::judge_into(text, title, page, seed, &mut self.buffer, &mut self.scan);
        let main = blank(text, boilerplate_ranges(&analysis));
        if recurring.is_empty() {
            return (main, None);
        }
        let reach = |line: &Line| line.key.and_then(|k| recurring.docs(k)).unwrap_or(1);
        let is_prose =
            |line: &&Line| matches!(line.reason, None | Some(LineReason::OutsideMainText));
        let Some(story_reach) = analysis.lines.iter().filter(is_prose).map(reach).min() else {
            return (main, None);
        };
        let wider = TemplateLines::from_counts(analysis.lines.iter().filter_map(|line| {
            let key = line.key?;
            let docs = recurring.docs(key)?;
            (docs > WIDER_REACH * story_reach).then_some((key, docs))
        }));
        if wider.is_empty() {
            return (main, None);
        }
        let title_key = title.and_then(|t| line_key_with_seed(t, seed));
        let own = analyze_scanned(
            self.scan.lines(),
            title_key,
            TextKind::of_page(page),
            &wider,
        );
        (
            main,
            Some(blank(text, boilerplate_ranges(&own)).into_owned()),
        )
    }
}

/// The byte ranges of the boilerplate lines, in order.
pub(super) fn boilerplate_ranges(analysis: &LineAnalysis) -> impl Iterator<Item = Range<usize>> {
    analysis.boilerplate().map(|line| line.range.clone())
}

/// `text` with every byte of `ranges` replaced by a space. Ranges are whole lines, so they
/// start and end at character boundaries, and the result is as long as `text`.
pub(super) fn blank(text: &str, ranges: impl Iterator<Item = Range<usize>>) -> Cow<'_, str> {
    let mut ranges = ranges.peekable();
    if ranges.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in ranges {
        bytes[range].fill(b' ');
    }
    Cow::Owned(String::from_utf8(bytes).expect("whole lines replaced by ASCII spaces"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn main_of(text: &str) -> Cow<'_, str> {
        MainTextJudge::default()
            .main_and_own_text(text, None, None, 7, &TemplateLines::none())
            .0
    }

    #[test]
    fn boilerplate_lines_are_blanked_and_offsets_kept() {
        let text = "Home | News | Sport | Weather | Contact\n\nThe council approved the budget on \
                    Tuesday after a long debate about the harbour.\n\nShare this article";
        let main = main_of(text);
        assert_eq!(main.len(), text.len());
        assert!(main.contains("The council approved the budget"));
        assert!(!main.contains("Home"));
        assert!(!main.contains("Share"));
        let start = text.find("The council").unwrap();
        assert_eq!(main.find("The council"), Some(start));
    }

    #[test]
    fn a_text_without_boilerplate_is_borrowed() {
        let text = "The council approved the budget on Tuesday after a long debate.";
        let main = main_of(text);
        assert!(matches!(main, Cow::Borrowed(_)));
    }

    #[test]
    fn non_ascii_lines_stay_valid_text() {
        let text = "Startseite | Nachrichten | Über uns | Kontakt\nDer Rat hat den Haushalt am \
                    Dienstag nach einer langen Debatte über den Hafen beschlossen.";
        let main = main_of(text);
        assert_eq!(main.len(), text.len());
        assert!(main.contains("Der Rat"));
    }
}
