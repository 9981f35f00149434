//! `explain` on a terminal: the figures, the passages in both wordings, both texts
//! highlighted.

use super::jsonl::{PassageLine, relation_name};
use super::*;
use crate::pipeline::Explanation;
use crate::relate::PairSide;
use crate::verify::align::coverage;
use std::fmt::Write as _;

/// The terminal rendering of an [`Explanation`]: the figures, the passages, and both texts
/// with reused passages highlighted (bold colour with `colour`, `[[` … `]]` markers without).
pub fn render_explanation(explanation: &Explanation, colour: bool) -> String {
    let e = explanation;
    let mut s = String::new();
    for (label, doc, words, shingles) in [
        ("a", &e.a, e.words.0, e.shingles.0),
        ("b", &e.b, e.words.1, e.shingles.1),
    ] {
        let _ = writeln!(
            s,
            "{label}: {}  ({words} words, {shingles} shingles){}",
            doc.id,
            doc.title
                .as_deref()
                .map(|t| format!("  \"{}\"", truncate(t, 60)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        s,
        "exact Jaccard {:.3}; {:.3} of a's shingles are in b, {:.3} of b's are in a",
        e.figures.jaccard, e.figures.containment_ab, e.figures.containment_ba
    );
    let _ = writeln!(s, "relation: {}", e.verdict);
    if let Some(direction) = &e.direction {
        let reason = direction.describe((&e.a.id, &e.b.id), &[]);
        match direction.source() {
            Some(PairSide::A) => {
                let _ = writeln!(s, "direction: b took from a: {reason}");
            }
            Some(PairSide::B) => {
                let _ = writeln!(s, "direction: a took from b: {reason}");
            }
            None => {
                let _ = writeln!(s, "direction: {reason}");
            }
        }
    }
    let _ = writeln!(
        s,
        "{} reused passage{} {:.0}% of a's words and {:.0}% of b's",
        e.passages.len(),
        if e.passages.len() == 1 {
            " covers"
        } else {
            "s cover"
        },
        100.0 * coverage(e.words.0, e.passages.iter().map(|p| p.words)),
        100.0 * coverage(e.words.1, e.passages.iter().map(|p| p.b_words)),
    );
    // The passages interleaved, a's wording above b's, before the two full texts.
    for (i, p) in e.passages.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}. {} words: a bytes {}..{}, b bytes {}..{}",
            i + 1,
            p.words,
            p.a_start,
            p.a_end,
            p.b_start,
            p.b_end
        );
        let in_a = &e.a.text[p.a_start as usize..p.a_end as usize];
        let in_b = &e.b.text[p.b_start as usize..p.b_end as usize];
        let _ = writeln!(s, "     a: {}", snippet(in_a));
        if in_a == in_b {
            let _ = writeln!(s, "     b: the same text");
        } else {
            let _ = writeln!(s, "     b: {}", snippet(in_b));
        }
    }
    let spans_a: Vec<(u32, u32)> = e.passages.iter().map(|p| (p.a_start, p.a_end)).collect();
    let mut spans_b: Vec<(u32, u32)> = e.passages.iter().map(|p| (p.b_start, p.b_end)).collect();
    spans_b.sort_unstable();
    let _ = writeln!(
        s,
        "\n--- a: {} ---\n{}",
        e.a.id,
        highlight(&e.a.text, &spans_a, colour)
    );
    let _ = writeln!(
        s,
        "\n--- b: {} ---\n{}",
        e.b.id,
        highlight(&e.b.text, &spans_b, colour)
    );
    s
}

/// `text` with the byte ranges `spans` (sorted, not overlapping) marked.
fn highlight(text: &str, spans: &[(u32, u32)], colour: bool) -> String {
    let (open, close) = if colour {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[[", "]]")
    };
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut position = 0usize;
    for &(start, end) in spans {
        let (start, end) = (start as usize, end as usize);
        out.push_str(&text[position..start]);
        out.push_str(open);
        out.push_str(&text[start..end]);
        out.push_str(close);
        position = end;
    }
    out.push_str(&text[position..]);
    out.trim_end().to_string()
}

/// A passage on one line: whitespace collapsed, long ones cut in the middle.
fn snippet(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= 150 {
        return flat;
    }
    let head: String = chars[..100].iter().collect();
    let tail: String = chars[chars.len() - 40..].iter().collect();
    format!("{head} … {tail}")
}

/// `explain --json` (and the Python `explain`): the explanation as one JSON object.
#[derive(Debug, serde::Serialize)]
pub struct ExplanationLine<'a> {
    /// The first document's id.
    pub a: &'a str,
    /// The second document's id.
    pub b: &'a str,
    /// `copy`, `partial` or `none`.
    pub relation: &'static str,
    /// Why, with the figures that decided it.
    pub reason: String,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Share of `a`'s shingles found in `b`.
    pub containment_ab: f64,
    /// Share of `b`'s shingles found in `a`.
    pub containment_ba: f64,
    /// Whether the pair reaches the scan threshold.
    pub above_threshold: bool,
    /// Shingles of `a` and of `b`.
    pub shingles: [usize; 2],
    /// Normalized words of `a` and of `b`.
    pub words: [usize; 2],
    /// The id of the document the text was taken from, or null.
    pub from: Option<&'a str>,
    /// Why `from` is the source (empty for the relation `none`).
    pub direction: String,
    /// The reused passages, as byte ranges of both texts.
    pub passages: Vec<PassageLine>,
}

/// The JSON shape of an [`Explanation`].
pub fn explanation_line(explanation: &Explanation) -> ExplanationLine<'_> {
    let e = explanation;
    let (a, b) = (e.a.id.as_str(), e.b.id.as_str());
    ExplanationLine {
        a,
        b,
        relation: relation_name(e.verdict.relation()),
        reason: e.verdict.to_string(),
        jaccard: round6(e.figures.jaccard),
        containment_ab: round6(e.figures.containment_ab),
        containment_ba: round6(e.figures.containment_ba),
        above_threshold: e.above_threshold,
        shingles: [e.shingles.0, e.shingles.1],
        words: [e.words.0, e.words.1],
        from: e
            .direction
            .as_ref()
            .and_then(|d| d.source())
            .map(|side| match side {
                PairSide::A => a,
                PairSide::B => b,
            }),
        direction: e
            .direction
            .as_ref()
            .map(|d| d.describe((a, b), &[]).to_string())
            .unwrap_or_default(),
        passages: e.passages.iter().map(PassageLine::from).collect(),
    }
}
