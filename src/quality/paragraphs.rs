//! Paragraphs out of hard-wrapped lines. Wire copy, e-mail and text dumps break every
//! paragraph into lines of 60 to 80 columns; judged line by line, each piece of a paragraph
//! looks like a short, unpunctuated line, which is what boilerplate looks like. The line
//! breaks inside a paragraph are found here, from the layout of the text alone, so that the
//! scan reads them as spaces and every rule sees whole paragraphs, whatever the wrapping.

/// A text is hard-wrapped when most lines followed by another line reach near one width; a
/// line is cut before the word that would pass the width, so it falls short of it by less than
/// a word: at 40 columns and words of up to 10 characters, three quarters of it.
const FULL_LINE_SHARE: (usize, usize) = (3, 4);

/// The widths a hard-wrapped text is wrapped at: below 30 columns lines are a list or a menu,
/// above 120 they are paragraphs that were never wrapped.
const WRAP_WIDTHS: std::ops::RangeInclusive<usize> = 30..=120;

/// Lines followed by another line needed to tell a width at all.
const MIN_FOLLOWED_LINES: usize = 3;

/// A line without terminal punctuation followed by one that starts in lower case continues
/// its sentence there, if it is at least this long (shorter ones are menu items and labels).
const MIN_CONTINUED_LINE_CHARS: usize = 40;

/// One physical line: where its line feed is, its length in characters without the line
/// ending, the indentation before its first character, and its first and last characters.
struct PhysicalLine {
    newline: Option<u32>,
    chars: usize,
    indent: usize,
    first: Option<char>,
    last: Option<char>,
}

impl PhysicalLine {
    fn of(line: &str, newline: Option<u32>) -> PhysicalLine {
        let content = line.trim_end();
        let trimmed = content.trim_start();
        PhysicalLine {
            newline,
            chars: trimmed.chars().count(),
            indent: content.len() - trimmed.len(),
            first: trimmed.chars().next(),
            last: trimmed.chars().next_back(),
        }
    }

    fn is_blank(&self) -> bool {
        self.first.is_none()
    }
}

/// The byte positions of the line feeds in `text` that fall inside a paragraph, ascending: in
/// a hard-wrapped text, those after a line that reaches near the wrap width when the next line
/// is not indented further (an indented line opens a paragraph); in any text, those after a
/// long line without terminal punctuation when the next line starts in lower case.
pub fn soft_line_breaks(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    if memchr::memchr(b'\n', bytes).is_none() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', bytes) {
        lines.push(PhysicalLine::of(
            &text[start..newline],
            Some(newline as u32),
        ));
        start = newline + 1;
    }
    lines.push(PhysicalLine::of(&text[start..], None));
    let width = wrap_width(&lines);
    let mut soft = Vec::new();
    for pair in lines.windows(2) {
        let (line, next) = (&pair[0], &pair[1]);
        let Some(newline) = line.newline else {
            continue;
        };
        if line.is_blank() || next.is_blank() {
            continue;
        }
        let mid_sentence = line.last.is_some_and(|c| !ends_sentence(c))
            && next.first.is_some_and(char::is_lowercase);
        // In a wrapped text a line falls well short of the width inside a paragraph only
        // before a long word, which continues the sentence.
        let wrapped = width.is_some_and(|w| {
            next.indent <= line.indent
                && (line.chars * FULL_LINE_SHARE.1 >= w * FULL_LINE_SHARE.0 || mid_sentence)
        });
        let continued = line.chars >= MIN_CONTINUED_LINE_CHARS && mid_sentence;
        if wrapped || continued {
            soft.push(newline);
        }
    }
    soft
}

/// The width a text is wrapped at, if it is hard-wrapped: the length that nine in ten lines
/// followed by another line stay within, when it is a plausible width and at least half of
/// those lines reach near it.
fn wrap_width(lines: &[PhysicalLine]) -> Option<usize> {
    let mut followed: Vec<usize> = lines
        .windows(2)
        .filter(|pair| !pair[0].is_blank() && !pair[1].is_blank())
        .map(|pair| pair[0].chars)
        .collect();
    if followed.len() < MIN_FOLLOWED_LINES {
        return None;
    }
    // One sentence per line is not wrapping: a wrapped line ends mid-sentence far more often
    // than not (a sentence of twenty words spans two or three lines of 70 columns).
    let ending_sentences = lines
        .windows(2)
        .filter(|pair| !pair[0].is_blank() && !pair[1].is_blank())
        .filter(|pair| pair[0].last.is_some_and(ends_sentence))
        .count();
    if ending_sentences * 2 > followed.len() {
        return None;
    }
    followed.sort_unstable();
    let width = followed[(followed.len() * 9 / 10).min(followed.len() - 1)];
    if !WRAP_WIDTHS.contains(&width) {
        return None;
    }
    let full = followed
        .iter()
        .filter(|&&chars| chars * FULL_LINE_SHARE.1 >= width * FULL_LINE_SHARE.0)
        .count();
    (full * 2 >= followed.len()).then_some(width)
}

/// Whether a line ending in `c` ends a sentence (or a heading's colon).
fn ends_sentence(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | ':' | ';' | '"' | '\'' | '”' | '’' | ')' | '。' | '！' | '？'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::wrap::wrap_line as wrap;

    const PARAGRAPHS: [&str; 3] = [
        "The harbour bridge will close for six weeks from Monday while engineers replace \
         corroded cables, the city council said on Tuesday, after an inspection in the spring \
         found rust on more than a third of the suspension strands.",
        "Ferries will run every twenty minutes during the closure and buses will be diverted \
         through the tunnel, which adds about a quarter of an hour to the journey for commuters \
         coming in from the northern suburbs each morning.",
        "Traders on the waterfront fear the loss of passing trade in the busiest month of the \
         year, and the chamber of commerce has asked the council for a rates holiday.",
    ];

    fn joined(text: &str) -> String {
        let soft = soft_line_breaks(text);
        let mut bytes = text.as_bytes().to_vec();
        for at in soft {
            bytes[at as usize] = b' ';
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn wrapped_paragraphs_are_joined_and_kept_apart() {
        for width in [40, 55, 64, 72, 80, 100] {
            let text = PARAGRAPHS
                .iter()
                .map(|p| wrap(p, width).join("\n"))
                .collect::<Vec<_>>()
                .join("\n\n");
            let unwrapped = joined(&text);
            let lines: Vec<&str> = unwrapped
                .split('\n')
                .filter(|l| !l.is_empty())
                .map(str::trim)
                .collect();
            assert_eq!(lines.len(), 3, "width {width}: {lines:?}");
            for (line, paragraph) in lines.iter().zip(PARAGRAPHS) {
                assert_eq!(
                    line.split_whitespace().collect::<Vec<_>>(),
                    paragraph.split_whitespace().collect::<Vec<_>>(),
                    "width {width}"
                );
            }
        }
    }

    #[test]
    fn indented_paragraphs_without_blank_lines_stay_apart() {
        let text = PARAGRAPHS
            .iter()
            .map(|p| {
                let lines = wrap(p, 64);
                format!("    {}", lines.join("\r\n"))
            })
            .collect::<Vec<_>>()
            .join("\r\n");
        let lines: Vec<String> = joined(&text).split('\n').map(String::from).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
    }

    #[test]
    fn menus_lists_and_unwrapped_paragraphs_are_left_alone() {
        for text in [
            "Home\nNews\nSport\nWeather\nContact us",
            "Share this article: Facebook | X | Email\nRead more\nAdvertisement",
            &PARAGRAPHS.join("\n"),
            &PARAGRAPHS.join("\n\n"),
        ] {
            assert!(soft_line_breaks(text).is_empty(), "{text}");
        }
    }
}
