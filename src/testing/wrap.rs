//! Hard-wrapping text the way an editor or a wire service does, for the metamorphic tests of
//! the quality measures: a text's verdict must not change with its wrapping.

/// Greedy wrapping of one line at `width` columns: words are moved to the next line as soon as
/// they would pass the width.
pub fn wrap_line(line: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in line.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// `text` with every line hard-wrapped at `width`, the first line of each indented by four
/// spaces when `indent`, and CRLF line endings when `crlf`. Blank lines stay.
pub fn rewrap(text: &str, width: usize, indent: bool, crlf: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let wrapped = wrap_line(line, width);
        if wrapped.is_empty() {
            out.push(String::new());
            continue;
        }
        for (i, piece) in wrapped.into_iter().enumerate() {
            out.push(if i == 0 && indent {
                format!("    {piece}")
            } else {
                piece
            });
        }
    }
    out.join(if crlf { "\r\n" } else { "\n" })
}

/// How far two quality reports of one text are apart: the largest change of a score, or
/// infinity when the flags differ. Wrapping must keep it within 0.02.
pub fn quality_change(
    whole: &crate::quality::QualityReport,
    wrapped: &crate::quality::QualityReport,
) -> f64 {
    if whole.flags != wrapped.flags {
        return f64::INFINITY;
    }
    [
        (whole.score, wrapped.score),
        (whole.boilerplate, wrapped.boilerplate),
        (whole.padding, wrapped.padding),
        (whole.stuffing, wrapped.stuffing),
    ]
    .iter()
    .map(|(x, y)| (x - y).abs())
    .fold(0.0, f64::max)
}
